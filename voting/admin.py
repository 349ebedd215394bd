"""Voting records are shown read-only: they change only through the voting services."""

from django.contrib import admin

from voting.models import BallotLogEntry, Certification, Participation, TallyRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "voter", "channel", "voted_at"]
    list_filter = ["cycle", "channel"]


@admin.register(BallotLogEntry)
class BallotLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "seq", "kind", "receipt_code", "hash"]
    list_filter = ["cycle", "kind"]


@admin.register(TallyRun)
class TallyRunAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "run_at", "rule", "ballot_count", "fingerprint", "is_current"]


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = ["tally_run", "member", "certified_at"]
