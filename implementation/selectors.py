"""Reads for the commune decision reports and the implementation tracking pages.

Everything here starts from the *published* result: the cycle's current tally run, once it
is certified and its results are published (``reports.selectors.results_published`` and
``is_certified``). Before that, ``published_run`` is None and nothing of the result shows.

A commune's funded projects are the funded lines of its own envelope plus the funded lines
of the territory-wide envelope whose proposal is located in the commune. The commune's
share of the territory-wide envelope is the money of those projects over the money the
territory-wide envelope actually funded, in basis points (integer arithmetic, half up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from budgets.models import BudgetCycle, Envelope
from implementation.models import CommuneReport, Milestone
from proposals.models import Proposal, ProposalStatus
from reports.selectors import certifier_name, is_certified, results_published
from territory.models import Commune
from voting.models import EnvelopeResult, ResultLine, TallyRun

SNAPSHOT_FORMAT = 1
# Statuses a funded project may hold on its way to delivery.
TRACKED_STATUSES = (ProposalStatus.FUNDED, ProposalStatus.IN_PROGRESS, ProposalStatus.DELIVERED)


def share_basis_points(part_cents: int, whole_cents: int) -> int | None:
    """``part / whole`` in basis points (1 % = 100), rounded half up; None when whole is 0.

    Integer arithmetic only: 1/3 gives 3 333, 2/3 gives 6 667, 1/8 gives 1 250.
    """
    if whole_cents <= 0:
        return None
    return (part_cents * 20_000 + whole_cents) // (2 * whole_cents)


def published_run(cycle: BudgetCycle) -> TallyRun | None:
    """The current run when it is certified and the cycle's results are published."""
    run = TallyRun.objects.filter(cycle=cycle, is_current=True).select_related("cycle").first()
    if run is None or not is_certified(run) or not results_published(cycle):
        return None
    return run


def cycle_communes(cycle: BudgetCycle) -> list[Commune]:
    """The communes that have an envelope in the cycle, by name."""
    return list(Commune.objects.filter(envelopes__cycle=cycle).order_by("name").distinct())


def _funded_lines(run: TallyRun, commune: Commune | None = None) -> list[ResultLine]:
    lines = (ResultLine.objects.filter(envelope_result__tally_run=run, is_funded=True)
             .select_related("proposal__commune", "proposal__district",
                             "envelope_result__envelope__commune"))
    if commune is not None:
        lines = lines.filter(
            Q(envelope_result__envelope__commune=commune)
            | Q(envelope_result__envelope__commune__isnull=True, proposal__commune=commune))
    return sorted(lines, key=lambda line: (line.envelope_result.envelope.is_territory_wide,
                                           line.rank or 0, line.proposal.title))


def commune_snapshot(cycle: BudgetCycle, commune: Commune, run: TallyRun) -> dict[str, Any]:
    """The figures of the commune's decision report, as plain JSON (what a version stores).

    Amounts are integer cents; ``share_basis_points`` is None when the territory-wide
    envelope funded nothing. ``status`` is each proposal's lifecycle status at the time.
    """
    results = list(EnvelopeResult.objects.filter(tally_run=run).select_related("envelope"))
    own = next((r for r in results if r.envelope.commune_id == commune.pk), None)
    territory = [r for r in results if r.envelope.is_territory_wide]
    lines = _funded_lines(run, commune)
    projects = [{
        "id": line.proposal_id,
        "title": line.proposal.title,
        "scope": "territory" if line.envelope_result.envelope.is_territory_wide else "commune",
        "district": line.proposal.district.name if line.proposal.district else "",
        "votes": line.votes,
        "cost_cents": line.cost_cents,
        "status": line.proposal.status,
    } for line in lines]
    commune_cents = sum(line.cost_cents for line in lines
                        if not line.envelope_result.envelope.is_territory_wide)
    territory_cents = sum(line.cost_cents for line in lines
                          if line.envelope_result.envelope.is_territory_wide)
    territory_spent = sum(r.spent_cents for r in territory)
    certifications = run.certifications.select_related("member").order_by("certified_at")
    return {
        "format": SNAPSHOT_FORMAT,
        "cycle": {"slug": cycle.slug, "name": cycle.name},
        "commune": {"slug": commune.slug, "name": commune.name},
        "tally": {
            "run_id": run.pk,
            "fingerprint": run.fingerprint,
            "run_at": run.run_at.isoformat(),
            # "" for a member without a public name: the document names them in its language.
            "certifiers": [certifier_name(c.member) for c in certifications],
        },
        "commune_envelope": {
            "name": own.envelope.name,
            "amount_cents": own.envelope.amount_cents,
            "spent_cents": own.spent_cents,
            "funded_cents": commune_cents,
        } if own else None,
        "territory_envelope": {
            "name": ", ".join(r.envelope.name for r in territory),
            "amount_cents": sum(r.envelope.amount_cents for r in territory),
            "spent_cents": territory_spent,
            "commune_cents": territory_cents,
            "share_basis_points": share_basis_points(territory_cents, territory_spent),
        } if territory else None,
        "projects": projects,
        "total_cents": commune_cents + territory_cents,
    }


def report_versions(cycle: BudgetCycle, commune: Commune) -> QuerySet[CommuneReport]:
    """Published versions, newest first, without the PDF bytes."""
    return (CommuneReport.objects.filter(cycle=cycle, commune=commune)
            .defer("pdf_fr", "pdf_en").select_related("published_by").order_by("-version"))


def latest_reports(cycle: BudgetCycle) -> dict[int, CommuneReport]:
    """The latest published version per commune id (one query)."""
    latest: dict[int, CommuneReport] = {}
    for report in (CommuneReport.objects.filter(cycle=cycle).defer("pdf_fr", "pdf_en", "snapshot")
                   .order_by("commune_id", "-version")):
        latest.setdefault(report.commune_id, report)
    return latest


@dataclass
class TrackedProject:
    """A funded project with its milestones (oldest first) and its current progress."""

    proposal: Proposal
    envelope: Envelope
    cost_cents: int
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def progress(self) -> int:
        """The progress after the latest milestone (0 before any)."""
        return self.milestones[-1].progress if self.milestones else 0

    @property
    def last_milestone(self) -> Milestone | None:
        return self.milestones[-1] if self.milestones else None

    @property
    def status_label(self) -> str:
        status = self.proposal.status
        if status not in TRACKED_STATUSES:  # outcomes not recorded yet: funded by the result
            status = ProposalStatus.FUNDED
        return str(ProposalStatus(status).label)

    @property
    def status(self) -> str:
        return self.proposal.status if self.proposal.status in TRACKED_STATUSES else ProposalStatus.FUNDED


def tracked_projects(run: TallyRun, commune: Commune | None = None) -> list[TrackedProject]:
    """The run's funded projects (of one commune, or all), with milestones: two queries."""
    lines = _funded_lines(run, commune)
    milestones: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(proposal_id__in=[line.proposal_id for line in lines]):
        milestones.setdefault(milestone.proposal_id, []).append(milestone)
    projects = [TrackedProject(proposal=line.proposal, envelope=line.envelope_result.envelope,
                               cost_cents=line.cost_cents,
                               milestones=milestones.get(line.proposal_id, []))
                for line in lines]
    if commune is None:  # the cycle page groups by commune
        projects.sort(key=lambda p: (p.proposal.commune.name, p.envelope.is_territory_wide,
                                     p.proposal.title))
    return projects


def is_funded_in(run: TallyRun, proposal: Proposal) -> bool:
    return ResultLine.objects.filter(envelope_result__tally_run=run, is_funded=True,
                                     proposal=proposal).exists()
