"""Voting records in the admin, read-only: they change only through the voting services,
which check roles and phases and keep the logs."""

from django.contrib import admin

from voting.models import (
    Ballot,
    BallotChoice,
    BallotLogEntry,
    CastRecord,
    Certification,
    EligibilityEntry,
    EnvelopeResult,
    InPersonEvent,
    PaperKeying,
    PaperSheet,
    Participation,
    PendingCast,
    PendingReceipt,
    ResultLine,
    ResultPublication,
    TallyRun,
    Verification,
    VotingCode,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "voter", "commune", "channel", "event", "voted_at"]
    list_filter = ["cycle", "channel", "commune"]


class BallotChoiceInline(ReadOnlyInline):
    model = BallotChoice


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["receipt_code", "cycle", "commune", "channel", "revision"]
    list_filter = ["cycle", "channel", "commune"]
    exclude = ["pseudonym", "salt"]
    inlines = [BallotChoiceInline]


@admin.register(CastRecord)
class CastRecordAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "kind", "receipt_code", "commitment"]
    list_filter = ["cycle", "kind"]


@admin.register(PendingCast)
class PendingCastAdmin(ReadOnlyAdmin):
    list_display = ["record", "cycle"]


@admin.register(PendingReceipt)
class PendingReceiptAdmin(ReadOnlyAdmin):
    """The mail queue, read-only: lists the cycle only (who voted is the register's business)."""

    list_display = ["cycle"]
    list_filter = ["cycle"]


@admin.register(BallotLogEntry)
class BallotLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "seq", "kind", "receipt_code", "hash"]
    list_filter = ["cycle", "kind"]


class EnvelopeResultInline(ReadOnlyInline):
    model = EnvelopeResult
    fields = ["envelope", "spent_cents", "fingerprint"]


@admin.register(TallyRun)
class TallyRunAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "run_at", "rule", "ballot_count", "fingerprint", "is_current"]
    inlines = [EnvelopeResultInline]


class ResultLineInline(ReadOnlyInline):
    model = ResultLine


@admin.register(EnvelopeResult)
class EnvelopeResultAdmin(ReadOnlyAdmin):
    list_display = ["tally_run", "envelope", "spent_cents", "fingerprint"]
    inlines = [ResultLineInline]


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = ["tally_run", "member", "certified_at"]


@admin.register(ResultPublication)
class ResultPublicationAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "tally_run", "published_at", "published_by"]


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "cycle", "commune", "method", "verified_at", "verified_by"]
    list_filter = ["cycle", "method", "commune"]


@admin.register(VotingCode)
class VotingCodeAdmin(ReadOnlyAdmin):
    list_display = ["batch", "cycle", "commune", "created_at", "redeemed_at"]
    list_filter = ["cycle", "commune", "batch"]
    exclude = ["digest"]


@admin.register(EligibilityEntry)
class EligibilityEntryAdmin(ReadOnlyAdmin):
    list_display = ["batch", "cycle", "commune", "imported_at", "claimed_at"]
    list_filter = ["cycle", "commune", "batch"]
    exclude = ["digest"]


@admin.register(InPersonEvent)
class InPersonEventAdmin(ReadOnlyAdmin):
    list_display = ["place", "held_on", "cycle", "commune", "created_by"]
    list_filter = ["cycle", "commune"]


class PaperKeyingInline(ReadOnlyInline):
    model = PaperKeying


@admin.register(PaperSheet)
class PaperSheetAdmin(ReadOnlyAdmin):
    list_display = ["event", "number", "status", "reconciled_at"]
    list_filter = ["status", "event"]
    inlines = [PaperKeyingInline]
