"""Votes, stored so that who voted and what was voted live apart.

- ``Participation``: who voted in a cycle and by which channel (no content).
- ``Ballot`` + ``BallotChoice``: the current content, keyed by a pseudonym (HMAC of the
  voter with a server secret), never by the user.
- ``BallotLogEntry``: the append-only, hash-chained log of every cast and replacement.
- ``TallyRun`` / ``EnvelopeResult`` / ``ResultLine``: an allocation run on the frozen
  ballots; ``Certification``: a committee member's signature on one run.
"""

from __future__ import annotations

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
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="participations")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="participations")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    voted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "voter"], name="participation_once_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} — {self.cycle}"


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

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "pseudonym"], name="ballot_one_per_voter_and_cycle"),
        ]

    def __str__(self) -> str:
        return f"Bulletin {self.receipt_code}"


class BallotChoice(models.Model):
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


class BallotLogEntry(models.Model):
    """One entry of a cycle's ballot chain: ``hash = SHA-256(prev_hash + canonical content)``."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="ballot_log")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=LogKind.choices)
    content = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    receipt_code = models.CharField(max_length=16, db_index=True)

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

    class Meta:
        ordering = ["tally_run", "envelope__commune__name"]
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
