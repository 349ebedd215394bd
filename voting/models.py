"""Votes, stored so that who voted and what was voted live apart.

- ``Participation``: who voted in a cycle and by which channel (no content).
- ``Ballot`` + ``BallotChoice``: the current content, keyed by a pseudonym (HMAC of the
  voter with a server secret), never by the user.
- ``CastRecord``: each cast or replacement as its own transaction wrote it (append-only).
- ``BallotLogEntry``: the append-only, hash-chained log: one entry per cast record, appended
  by the sequencer.
- ``TallyRun`` / ``EnvelopeResult`` / ``ResultLine``: an allocation run on the frozen
  ballots; ``Certification``: a committee member's signature on one run.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetCycle, Envelope
from proposals.models import Proposal


class Channel(models.TextChoices):
    ONLINE = "online", _("En ligne")
    PAPER = "paper", _("Papier")


class Participation(models.Model):
    """The register of who voted. An in-person voter without an account is identified by
    ``person_digest`` (HMAC of their normalised identity) instead of ``voter``.

    The key is random and ``voted_at`` is kept to the hour so that the register carries no
    order that could be aligned with the ballot log (see docs/threat-model.md)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="participations")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="participations")
    person_digest = models.CharField(max_length=64, blank=True)
    commune = models.ForeignKey("territory.Commune", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    event = models.ForeignKey("InPersonEvent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="participations")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    voted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "voter"], condition=Q(voter__isnull=False),
                                    name="participation_once_per_cycle"),
            models.UniqueConstraint(fields=["cycle", "person_digest"], condition=~Q(person_digest=""),
                                    name="participation_once_per_person"),
            models.CheckConstraint(condition=Q(voter__isnull=False) | ~Q(person_digest=""),
                                   name="participation_identifies_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} — {self.cycle}"


class PendingReceipt(models.Model):
    """A receipt e-mail still to send (``manage.py send_receipts``, voting/receipts.py).

    Written by the cast in its own transaction, so the cast never waits for the mail
    server. It says who voted in which cycle and nothing more: no address, no code, no
    time, a random id (the participation register already says as much). The sender reads
    the address from the account and the ballot's current receipt code through the keyed
    pseudonym, sends, and deletes the row. One row per voter and cycle: a replacement made
    before the mail left sends one mail, with the current code.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("reçu à envoyer")
        verbose_name_plural = _("reçus à envoyer")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "voter"], name="pending_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.voter_id}"


class Ballot(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="ballots")
    pseudonym = models.CharField(max_length=64)
    # The voter's commune decides which envelopes the ballot takes part in (their money
    # share under proportional rules); it is the only fact about the voter kept here.
    commune = models.ForeignKey("territory.Commune", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    receipt_code = models.CharField(max_length=16)
    revision = models.PositiveIntegerField(default=1)
    # The log holds only a commitment SHA-256(salt + content): the public chain cannot be
    # read as running totals, and receipts cannot be matched to published ballots.
    salt = models.CharField(max_length=32)
    # The cast record of the ballot's latest cast or replacement; its log entry is
    # ``cast.log_entry`` once the sequencer has appended it.
    cast = models.OneToOneField("CastRecord", on_delete=models.PROTECT, related_name="+",
                                help_text="Dernier dépôt enregistré pour ce bulletin.")

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "pseudonym"], name="ballot_one_per_voter_and_cycle"),
        ]

    def __str__(self) -> str:
        return f"Bulletin {self.receipt_code}"


class BallotChoice(models.Model):
    """One line of a ballot. ``points``: 1 for approval-like ballots, the points given
    (cumulative), the score (scoring) or the rank, 1 being the best (ordinal)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("choix")
        verbose_name_plural = _("choix")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="choice_once_per_ballot"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id} → {self.proposal_id}"


class LogKind(models.TextChoices):
    CAST = "cast", _("Dépôt")
    REPLACE = "replace", _("Remplacement")


class CastRecord(models.Model):
    """A cast or replacement as written by the casting transaction itself (append-only).

    It holds exactly what the log entry will say (kind, ballot pseudonym prefix, salted
    commitment) and the receipt code, derived from the commitment so that the voter gets it
    at once. The sequencer (``voting.services.sequence_pending``) appends one
    ``BallotLogEntry`` per record, in id order, so casts do not wait for each other.
    """

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="cast_records")
    kind = models.CharField(max_length=8, choices=LogKind.choices)
    ballot_key = models.CharField(max_length=16)
    commitment = models.CharField(max_length=64)
    receipt_code = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("dépôt enregistré")
        verbose_name_plural = _("dépôts enregistrés")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "receipt_code"], name="cast_record_unique_receipt"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.kind} {self.receipt_code}"


class PendingCast(models.Model):
    """The sequencer's work queue: one row per cast record not yet chained, written in the
    casting transaction and deleted by the sequencer in the transaction that chains it.

    Only a queue, never evidence (the evidence is CastRecord and BallotLogEntry, both
    append-only): it lets the sequencer find pending records in time proportional to
    their number, where an anti-join over every record of the cycle would grow with the
    vote. ``verify_cycle`` checks the evidence itself: every cast record has its entry.
    """

    record = models.OneToOneField(CastRecord, on_delete=models.CASCADE, primary_key=True,
                                  related_name="+")
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("dépôt en attente d’inscription")
        verbose_name_plural = _("dépôts en attente d’inscription")

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.record_id}"


class BallotLogEntry(models.Model):
    """One entry of a cycle's ballot chain: ``hash = SHA-256(prev_hash + canonical content)``."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="ballot_log")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=LogKind.choices)
    content = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    receipt_code = models.CharField(max_length=16, db_index=True)
    cast_record = models.OneToOneField(CastRecord, on_delete=models.PROTECT, related_name="log_entry")

    class Meta:
        ordering = ["cycle", "seq"]
        verbose_name = _("entrée du registre des bulletins")
        verbose_name_plural = _("registre des bulletins")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "seq"], name="ballot_log_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}#{self.seq} {self.kind}"


class TallyRun(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="tally_runs")
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=32)
    parameters = models.JSONField(default=dict)
    ballot_count = models.PositiveIntegerField()
    log_head = models.CharField(max_length=64)
    input_fingerprint = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    # How the outcome-deciding comparisons were made (from the engine, one per distinct
    # arithmetic over the envelopes), and which code ran: see ``voting.tally.code_version``.
    # Neither is in the fingerprint: the same ballots give the same fingerprint whatever
    # version recounts them, and a different one is a finding.
    arithmetic = models.CharField(max_length=200, blank=True)
    code_version = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["cycle", "-run_at"]
        verbose_name = _("dépouillement")
        verbose_name_plural = _("dépouillements")
        constraints = [
            models.UniqueConstraint(fields=["cycle"], condition=Q(is_current=True),
                                    name="tally_one_current_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"Dépouillement {self.fingerprint[:12]} ({self.cycle})"


class EnvelopeResult(models.Model):
    tally_run = models.ForeignKey(TallyRun, on_delete=models.CASCADE, related_name="envelope_results")
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="+")
    spent_cents = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64)
    result = models.JSONField()
    tie_breaks = models.JSONField(default=list)
    # The same ballots under other rules, for comparison only: never the official result,
    # not in any fingerprint (``voting.tally.COMPARISON_RULES``).
    comparisons = models.JSONField(default=list, blank=True)

    class Meta:
        # Communes in alphabetical order, the territory-wide envelope last (as on the ballot).
        ordering = ["tally_run", models.F("envelope__commune__name").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["tally_run", "envelope"], name="result_once_per_envelope"),
        ]

    def __str__(self) -> str:
        return f"{self.envelope} ({self.tally_run_id})"


class ResultLine(models.Model):
    envelope_result = models.ForeignKey(EnvelopeResult, on_delete=models.CASCADE, related_name="lines")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField()
    cost_cents = models.BigIntegerField()
    is_funded = models.BooleanField()
    rank = models.PositiveIntegerField(null=True, blank=True)
    explanation = models.TextField()

    class Meta:
        ordering = ["envelope_result", "-is_funded", "rank", "-votes"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.votes}"


class Certification(models.Model):
    tally_run = models.ForeignKey(TallyRun, on_delete=models.PROTECT, related_name="certifications")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certified_at = models.DateTimeField()
    statement = models.TextField(blank=True)

    class Meta:
        ordering = ["tally_run", "certified_at"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(fields=["tally_run", "member"], name="certify_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} a certifié {self.tally_run}"


class ResultPublication(models.Model):
    """The publication of a cycle's certified results: one per cycle, never replaced.

    Until it exists the public results page, the open data and the commune reports show
    nothing of the result; once it exists the tally can no longer be replaced."""

    cycle = models.OneToOneField(BudgetCycle, on_delete=models.PROTECT, related_name="result_publication")
    tally_run = models.OneToOneField(TallyRun, on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("publication des résultats")
        verbose_name_plural = _("publications des résultats")

    def __str__(self) -> str:
        return f"Publication {self.cycle} ({self.tally_run_id})"


class VerificationMethod(models.TextChoices):
    CODE = "code", _("Code de vote")
    IN_PERSON = "in_person", _("En personne")
    LIST = "list", _("Liste des votants")


class Verification(models.Model):
    """A resident verified for a cycle, by one method."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="verifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="verifications")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=12, choices=VerificationMethod.choices)
    verified_at = models.DateTimeField()
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("vérification")
        verbose_name_plural = _("vérifications")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="verification_once_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_method_display()})"


class VotingCode(models.Model):
    """A single-use voting code. Only its keyed digest is stored, never the code."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="voting_codes")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    batch = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("code de vote")
        verbose_name_plural = _("codes de vote")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "digest"], name="voting_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} ({self.commune})"


class EligibilityEntry(models.Model):
    """One line of an imported voters' list: a keyed digest of the person's identifier."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="eligibility_list")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    batch = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscrit sur la liste des votants")
        verbose_name_plural = _("liste des votants")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "digest"], name="eligibility_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} ({self.commune})"


class InPersonEvent(models.Model):
    """A public meeting where residents vote on paper."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="events")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("lieu"), max_length=200)
    held_on = models.DateField(_("date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "-held_on"]
        verbose_name = _("rencontre de vote")
        verbose_name_plural = _("rencontres de vote")

    def __str__(self) -> str:
        return f"{self.place} ({self.held_on})"


class SheetStatus(models.TextChoices):
    PENDING = "pending", _("En attente de seconde saisie")
    MISMATCH = "mismatch", _("Saisies divergentes")
    RECONCILED = "reconciled", _("Concordant, enregistré")


class PaperSheet(models.Model):
    """One paper ballot, numbered within its event; entered in the log once reconciled."""

    event = models.ForeignKey(InPersonEvent, on_delete=models.PROTECT, related_name="sheets")
    number = models.PositiveIntegerField(_("numéro de bulletin"))
    status = models.CharField(max_length=12, choices=SheetStatus.choices, default=SheetStatus.PENDING)
    ballot = models.OneToOneField(Ballot, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="paper_sheet")
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "number"]
        verbose_name = _("bulletin papier")
        verbose_name_plural = _("bulletins papier")
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="paper_sheet_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.event} n° {self.number}"


class PaperKeying(models.Model):
    """One facilitator's entry of a paper sheet (each sheet is keyed by two people)."""

    sheet = models.ForeignKey(PaperSheet, on_delete=models.PROTECT, related_name="keyings")
    keyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField()
    keyed_at = models.DateTimeField()

    class Meta:
        ordering = ["sheet", "keyed_at"]
        verbose_name = _("saisie de bulletin papier")
        verbose_name_plural = _("saisies de bulletins papier")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "keyed_by"], name="paper_keying_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} par {self.keyed_by}"
