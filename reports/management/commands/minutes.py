"""``manage.py minutes CYCLE_SLUG [--lang fr|en] -o FILE.pdf``: write a cycle's minutes
(procès-verbal), the same document staff download from the site (signed when a signing key
is configured, see reports/signing.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgets.models import BudgetCycle
from reports.pdf import render_minutes
from voting.models import TallyRun


class Command(BaseCommand):
    help = "Écrit le procès-verbal (PDF) d’un cycle de budget participatif dépouillé."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_slug", help="identifiant (slug) du cycle")
        parser.add_argument("-o", "--output", required=True, help="fichier PDF à écrire")
        parser.add_argument("--lang", "--language", dest="language", default="fr", choices=["fr", "en"],
                            help="langue du document (fr par défaut)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["cycle_slug"]
        try:
            cycle = BudgetCycle.objects.get(slug=slug)
        except BudgetCycle.DoesNotExist:
            known = ", ".join(BudgetCycle.objects.order_by("slug").values_list("slug", flat=True)[:10])
            raise CommandError(f"Aucun cycle « {slug} ». Cycles existants : {known or 'aucun'}.") from None
        if not TallyRun.objects.filter(cycle=cycle, is_current=True).exists():
            raise CommandError(
                f"Le cycle « {slug} » n’a pas encore été dépouillé : le procès-verbal sera disponible "
                "après le dépouillement (Vote › Dépouiller, réservé à l’administration).")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"Le dossier « {output.parent} » n’existe pas.")
        try:
            pdf = render_minutes(cycle, language=options["language"])
        except ImproperlyConfigured as exc:
            raise CommandError(f"Signature du procès-verbal impossible : {exc}") from exc
        output.write_bytes(pdf)
        self.stdout.write(f"{output} : {len(pdf)} octets")
