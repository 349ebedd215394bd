"""``manage.py recount FILE.pb --rule RULE [...]``: recount a published pabulib file.

A thin wrapper: the options, the output and the exit codes are those of
:mod:`budgets.allocation.cli` (exit code 2 with a one-line message for a malformed file).
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budgets.allocation import cli


class Command(BaseCommand):
    help = "Recount a pabulib file with an allocation rule (table, or one JSON object)."

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = cli.recount(argparse.Namespace(**options))
        except cli.RecountError as exc:
            raise CommandError(str(exc), returncode=exc.code) from None
        self.stdout.write(text)
