"""``manage.py demo``: load the GPV demonstration data (idempotent) and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from budgets.services import current_phase_of
from reports.demo import load_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration du GPV (4 communes, un budget en phase de vote, "
        "des propositions, des commentaires, des bulletins). Relancer ne duplique rien."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000/",
                            help="Adresse du site à afficher à la fin.")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        summary = load_demo()
        phase = current_phase_of(summary.cycle)
        created = ", ".join(f"{what} : {n}" for what, n in sorted(summary.created.items()))
        self.stdout.write(f"Données de démonstration prêtes ({created or 'rien de nouveau'}).")
        self.stdout.write(
            f"Budget « {summary.cycle.name} » ({summary.cycle.slug}) — phase en cours : "
            f"{phase.get_kind_display() if phase else 'aucune'}."
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Site : {base_url}"))
        self.stdout.write("")
        width = max(len(email) for email, _role in summary.logins)
        role_width = max(len(role) for _email, role in summary.logins)
        self.stdout.write(f"{'E-mail':<{width}}  {'Rôle':<{role_width}}  Mot de passe")
        self.stdout.write(f"{'-' * width}  {'-' * role_width}  {'-' * len(summary.password)}")
        for email, role in summary.logins:
            self.stdout.write(f"{email:<{width}}  {role:<{role_width}}  {summary.password}")
