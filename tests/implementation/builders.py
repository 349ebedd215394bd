"""A cycle whose results are tallied, certified and published, for the commune reports and
the implementation tracking.

Built like ``tests.reports.builders.build_results_world`` (same proposals, same voters),
plus one territory-wide project located in Floirac that nobody voted for but that still
fits the territory-wide envelope, so that the territory-wide money is split between two
communes. Figures (cents):

- Cenon envelope (100 000 €): Bancs au parc Palmer 40 000, Fresque murale 30 000 and
  Boîte à livres 2 500,50 funded (72 500,50 spent); Jardin partagé not funded.
- Floirac envelope (80 000 €): Aire de jeux 60 000 funded; Piste cyclable not funded.
- Territory-wide (200 000 €): Festival des quartiers (Cenon) 80 000 and Jardin de Floirac
  (Floirac) 33 333,33 funded (113 333,33 spent); Navette inter-communes not funded.
  Cenon's share: 8 000 000 / 11 333 333 = 70,59 %; Floirac's: 29,41 %.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from budgets.models import PhaseKind
from tests.builders import build_world, make_proposal, set_phase
from tests.reports.builders import PROPOSALS, ResultsWorld, cast_rows, tally_rows
from voting.models import Certification
from voting.publication import publish_results

FLOIRAC_TERRITORY_TITLE = "Jardin de Floirac"
FLOIRAC_TERRITORY_COST = 33_333_33


def build_tallied_world(*, certified: bool = True, published: bool = True,
                        phase: str = PhaseKind.RESULTS) -> ResultsWorld:
    """The world after the vote: tallied; certified (quorum 2, both members signed) and
    published unless told otherwise; finally moved to ``phase``.

    Built in one transaction: ballots are written under row locks, which PostgreSQL only
    takes inside one (browser tests run without the test-case transaction)."""
    with transaction.atomic():
        return _build(certified=certified, published=published, phase=phase)


def _build(*, certified: bool, published: bool, phase: str) -> ResultsWorld:
    world = build_world(phase=PhaseKind.RESULTS, quorum=2)
    world.committee_member.display_name = "Claire Martin"
    world.committee_member.save(update_fields=["display_name"])
    proposals = {
        title: make_proposal(world, title=title, envelope=getattr(world, attr), cost_cents=cost)
        for title, attr, cost in PROPOSALS
    }
    proposals[FLOIRAC_TERRITORY_TITLE] = make_proposal(
        world, title=FLOIRAC_TERRITORY_TITLE, envelope=world.territory_envelope,
        cost_cents=FLOIRAC_TERRITORY_COST, commune=world.floirac)
    voters = cast_rows(world, proposals)
    built = ResultsWorld(world=world, proposals=proposals, voters=voters)
    built.tally_run = tally_rows(world, run_by=world.admin)
    signers = ("committee_member", "second_committee_member") if certified else ("committee_member",)
    for offset, key in enumerate(signers):
        built.certifications.append(Certification.objects.create(
            tally_run=built.tally_run, member=world.users[key],
            certified_at=timezone.now() - timedelta(hours=2 - offset)))
    if certified and published:
        publish_results(actor=world.admin, cycle=world.cycle)
    if phase != PhaseKind.RESULTS:
        set_phase(world.cycle, phase)
    for proposal in proposals.values():
        proposal.refresh_from_db()
    return built
