"""Reads for the voting pages, with their queries bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from budgets.models import BudgetCycle, Envelope
from config.errors import DomainError
from proposals.models import Proposal
from voting.models import (
    Ballot,
    Certification,
    EnvelopeResult,
    PaperSheet,
    Participation,
    SheetStatus,
    TallyRun,
)
from voting.services import ballot_options, current_ballot_of, last_log_entry, require_eligible


@dataclass
class EnvelopeOptions:
    envelope: Envelope
    proposals: list[Proposal] = field(default_factory=list)


@dataclass
class BallotPage:
    groups: list[EnvelopeOptions]
    chosen: dict[int, int]  # proposal id -> points (1, points, score or rank)
    receipt_code: str
    refusal: str = ""
    ballot: Ballot | None = None  # the voter's current ballot, choices prefetched (if eligible)

    @property
    def option_ids(self) -> list[int]:
        return [p.pk for g in self.groups for p in g.proposals]

    @property
    def envelope_of(self) -> dict[int, int]:
        return {p.pk: g.envelope.pk for g in self.groups for p in g.proposals}

    @property
    def rows(self) -> list[tuple[EnvelopeOptions, list[tuple[Proposal, int | None]]]]:
        """Each envelope with its options and the value currently given to each (or None)."""
        return [(g, [(p, self.chosen.get(p.pk)) for p in g.proposals]) for g in self.groups]

    @property
    def chosen_lines(self) -> list[tuple[Proposal, int]]:
        """The current choices with their points, in page order (for the receipt)."""
        return [(p, self.chosen[p.pk]) for g in self.groups for p in g.proposals if p.pk in self.chosen]


def ballot_page(cycle: BudgetCycle, voter: Any) -> BallotPage:
    """What the voter sees on the ballot page: options by envelope and current choices."""
    try:
        envelopes = require_eligible(cycle, voter)
    except DomainError as refusal:
        return BallotPage(groups=[], chosen={}, receipt_code="", refusal=str(refusal.message))
    groups = {e.pk: EnvelopeOptions(e) for e in envelopes}
    for proposal in ballot_options(cycle, envelopes):
        groups[proposal.envelope_id].proposals.append(proposal)
    ballot = current_ballot_of(cycle, voter)
    chosen = {c.proposal_id: c.points for c in ballot.choices.all()} if ballot else {}
    ordered = sorted(groups.values(), key=lambda g: (g.envelope.commune_id is None, g.envelope.name))
    return BallotPage(groups=ordered, chosen=chosen,
                      receipt_code=ballot.receipt_code if ballot else "", ballot=ballot)


def current_run(cycle: BudgetCycle) -> TallyRun | None:
    """The current tally run with envelope results, lines and certifications prefetched."""
    return (
        TallyRun.objects.filter(cycle=cycle, is_current=True)
        .select_related("cycle", "run_by")
        .prefetch_related(
            Prefetch("envelope_results",
                     queryset=EnvelopeResult.objects.select_related("envelope")
                     .prefetch_related("lines__proposal")),
            Prefetch("certifications", queryset=Certification.objects.select_related("member")),
        )
        .first()
    )


def unreconciled_sheets(cycle: BudgetCycle) -> int:
    """Paper sheets still waiting for a second keying or a reconciliation."""
    return PaperSheet.objects.filter(event__cycle=cycle).exclude(status=SheetStatus.RECONCILED).count()


def voting_summary(cycle: BudgetCycle) -> dict[str, Any]:
    """Counts for staff pages: participations, log entries and head (no running totals)."""
    last = last_log_entry(cycle.pk)
    return {
        "participation_count": Participation.objects.filter(cycle=cycle).count(),
        "log_length": last.seq if last else 0,
        "log_head": last.hash if last else "",
        "unreconciled_sheets": unreconciled_sheets(cycle),
    }
