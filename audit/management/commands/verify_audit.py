"""``manage.py verify_audit``: re-check the hash chain of the audit log."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_audit_log


class Command(BaseCommand):
    help = "Re-check the audit log's hash chain; name the first altered or missing event."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        ok, message = verify_audit_log()
        if not ok:
            raise CommandError(f"Journal d’audit : {message}")
        self.stdout.write(self.style.SUCCESS(f"Journal d’audit : {message}"))
