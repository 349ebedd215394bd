"""``manage.py verify_cycle SLUG``: re-check the ballot chain, the ballots and the result."""

from django.core.management.base import BaseCommand, CommandError

from budgets.models import BudgetCycle
from voting.board import verify_cycle


class Command(BaseCommand):
    help = "Re-check a cycle's ballot chain, its stored ballots and its stored result."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("cycle", help="slug of the budget cycle")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        cycle = BudgetCycle.objects.filter(slug=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"Cycle inconnu : {options['cycle']}")
        checks = verify_cycle(cycle)
        for check in checks:
            mark = self.style.SUCCESS("OK ") if check.ok else self.style.ERROR("ÉCHEC")
            self.stdout.write(f"{mark} {check.name} : {check.detail}")
        if not all(c.ok for c in checks):
            raise CommandError("La vérification a échoué.")
