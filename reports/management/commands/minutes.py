"""``manage.py minutes CYCLE_SLUG -o FILE.pdf``: write a cycle's minutes (procès-verbal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgets.models import BudgetCycle
from reports.pdf import render_minutes


class Command(BaseCommand):
    help = "Écrit le procès-verbal (PDF) d’un cycle de budget participatif."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_slug", help="identifiant (slug) du cycle")
        parser.add_argument("-o", "--output", required=True, help="fichier PDF à écrire")
        parser.add_argument("--language", default="fr", choices=["fr", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = BudgetCycle.objects.get(slug=options["cycle_slug"])
        except BudgetCycle.DoesNotExist:
            raise CommandError(f"Aucun cycle « {options['cycle_slug']} ».") from None
        pdf = render_minutes(cycle, language=options["language"])
        output = Path(options["output"])
        output.write_bytes(pdf)
        self.stdout.write(f"{output} : {len(pdf)} octets")
