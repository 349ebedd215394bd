"""A cycle after the vote, built row by row, for the results page and the minutes.

The builder writes participations, ballots, choices and their ballot-log chain (through
``record_ballot``, the shared write path) and, when asked, a tally run with its envelope results, lines, tie-breaks and certifications
directly, without the tally service, so that the reports can be tested on figures known
in advance. Votes on each result line are *counted* from the ballot choices written
here, and the allocation is a plain greedy pass (more votes, then lower cost), so the
rows agree with each other the way a real run's do.

The cast (see ``VOTERS``): six Cenon voters, three Floirac voters; two vote on paper.
Cenon: "Bancs au parc Palmer" 5 votes, "Jardin partagé" 4 and "Fresque murale" 4 (a tie
broken by the lower cost), "Boîte à livres" 2 (a cost with cents).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from budgets.models import Envelope, PhaseKind
from proposals.models import Proposal
from tests.builders import World, build_world, make_proposal, make_user
from voting.models import (
    Ballot,
    BallotChoice,
    BallotLogEntry,
    Certification,
    Channel,
    EnvelopeResult,
    Participation,
    ResultLine,
    TallyRun,
)
from voting.secrecy import voter_pseudonym
from voting.services import record_ballot, sequence_pending

# (title, envelope attribute on World, cost in cents)
PROPOSALS = [
    ("Bancs au parc Palmer", "cenon_envelope", 40_000_00),
    ("Jardin partagé", "cenon_envelope", 50_000_00),
    ("Fresque murale", "cenon_envelope", 30_000_00),
    ("Boîte à livres", "cenon_envelope", 2_500_50),
    ("Aire de jeux", "floirac_envelope", 60_000_00),
    ("Piste cyclable", "floirac_envelope", 30_000_00),
    ("Navette inter-communes", "territory_envelope", 150_000_00),
    ("Festival des quartiers", "territory_envelope", 80_000_00),
]

# (user key or new e-mail, commune, channel, chosen titles)
VOTERS = [
    ("resident", "cenon", Channel.ONLINE,
     ["Bancs au parc Palmer", "Jardin partagé", "Fresque murale", "Festival des quartiers"]),
    ("second_resident", "cenon", Channel.ONLINE,
     ["Bancs au parc Palmer", "Jardin partagé", "Fresque murale", "Festival des quartiers",
      "Navette inter-communes"]),
    ("voter3@example.org", "cenon", Channel.ONLINE,
     ["Bancs au parc Palmer", "Jardin partagé", "Fresque murale", "Festival des quartiers"]),
    ("voter4@example.org", "cenon", Channel.ONLINE,
     ["Bancs au parc Palmer", "Jardin partagé", "Boîte à livres", "Navette inter-communes"]),
    ("voter5@example.org", "cenon", Channel.ONLINE,
     ["Bancs au parc Palmer", "Fresque murale", "Boîte à livres", "Festival des quartiers",
      "Navette inter-communes"]),
    ("voter6@example.org", "cenon", Channel.PAPER, ["Festival des quartiers"]),
    ("floirac_resident", "floirac", Channel.ONLINE,
     ["Aire de jeux", "Piste cyclable", "Navette inter-communes"]),
    ("voter8@example.org", "floirac", Channel.ONLINE,
     ["Aire de jeux", "Piste cyclable", "Festival des quartiers", "Navette inter-communes"]),
    ("voter9@example.org", "floirac", Channel.PAPER, ["Aire de jeux", "Festival des quartiers"]),
]


@dataclass
class ResultsWorld:
    world: World
    proposals: dict[str, Proposal]
    voters: list[User]
    tally_run: TallyRun | None = None
    certifications: list[Certification] = field(default_factory=list)


def cast_rows(world: World, proposals: dict[str, Proposal]) -> list[User]:
    """Participations, and ballots written through ``voting.services.record_ballot``.

    ``record_ballot`` is the write path every channel shares (ballot, choices and the cast
    record, which ``sequence_pending`` then appends to the hash-chained log); the participation row is written here so that paper voters
    can be built without the double-keying workflow. The first voter replaces their
    ballot once, so the log has one more entry than there are ballots.
    """
    cycle = world.cycle
    communes = {"cenon": world.cenon, "floirac": world.floirac}
    voted_at = timezone.now() - timedelta(days=2)
    voters = []
    for key, commune_key, channel, titles in VOTERS:
        commune = communes[commune_key]
        voter = world.users.get(key) or make_user(key, commune=commune)
        voters.append(voter)
        Participation.objects.create(cycle=cycle, voter=voter, commune=commune, channel=channel,
                                     voted_at=voted_at)
        pseudonym = voter_pseudonym(cycle_id=cycle.pk, voter_id=voter.pk)
        drafts = [titles[:1], titles] if key == "resident" else [titles]
        for draft in drafts:
            record_ballot(cycle=cycle, pseudonym=pseudonym, commune_id=commune.pk, channel=channel,
                          chosen=[(proposals[title], 1) for title in draft])
    sequence_pending(cycle.pk, wait=True)  # the casting services do it after each cast
    return voters


def tally_rows(world: World, *, run_by: User, fingerprint: str = "") -> TallyRun:
    """A current TallyRun whose lines count the ballot choices and fund greedily."""
    cycle = world.cycle
    head = BallotLogEntry.objects.filter(cycle=cycle).order_by("-seq").first()
    fingerprint = fingerprint or hashlib.sha256(f"result:{head.hash}".encode()).hexdigest()
    run = TallyRun.objects.create(
        cycle=cycle, run_at=timezone.now(), run_by=run_by, rule=cycle.rule,
        parameters={"tie_break": "default", "seed": head.hash, "ballot_kind": cycle.ballot_kind},
        ballot_count=Ballot.objects.filter(cycle=cycle).count(), log_head=head.hash,
        input_fingerprint=hashlib.sha256(f"input:{head.hash}".encode()).hexdigest(),
        fingerprint=fingerprint,
    )
    for envelope in cycle.envelopes.all():
        _envelope_rows(run, envelope)
    return run


def _envelope_rows(run: TallyRun, envelope: Envelope) -> None:
    proposals = list(Proposal.objects.filter(envelope=envelope))
    votes = {p.pk: BallotChoice.objects.filter(proposal=p).count() for p in proposals}
    order = sorted(proposals, key=lambda p: (-votes[p.pk], p.cost_cents, p.title))
    remaining, rank, lines, tie_breaks = envelope.amount_cents, 0, [], []
    for proposal in order:
        tied = [p for p in order if votes[p.pk] == votes[proposal.pk]]
        if len(tied) > 1 and tied[0] is proposal:
            tie_breaks.append({
                "round": rank + 1, "tied": sorted(p.title for p in tied),
                "order": [p.title for p in tied], "winner": proposal.title,
                "criteria": ["lower cost"], "rule": "default", "seed": run.log_head,
            })
        fits = proposal.cost_cents <= remaining
        if fits:
            rank += 1
            remaining -= proposal.cost_cents
        lines.append(ResultLine(
            proposal=proposal, votes=votes[proposal.pk], cost_cents=proposal.cost_cents,
            is_funded=fits, rank=rank if fits else None,
            explanation=(f"Financé (retenu au tour {rank})." if fits else
                         "Non financé : il ne restait pas assez d’argent dans l’enveloppe."),
        ))
    result = EnvelopeResult.objects.create(
        tally_run=run, envelope=envelope, spent_cents=envelope.amount_cents - remaining,
        fingerprint=hashlib.sha256(f"{run.fingerprint}:{envelope.pk}".encode()).hexdigest(),
        result={"selected": [line.proposal_id for line in lines if line.is_funded]},
        tie_breaks=tie_breaks,
    )
    for line in lines:
        line.envelope_result = result
    ResultLine.objects.bulk_create(lines)


def build_results_world(*, tallied: bool = True, certifier_keys: tuple[str, ...] = ("committee_member",),
                        quorum: int = 2) -> ResultsWorld:
    """The world in the results phase, ballots cast; optionally tallied and certified."""
    world = build_world(phase=PhaseKind.RESULTS, quorum=quorum)
    # Certifiers are named in the minutes: one by display name, one by first/last name.
    world.committee_member.display_name = "Claire Martin"
    world.committee_member.save(update_fields=["display_name"])
    world.second_committee_member.first_name = "Denis"
    world.second_committee_member.last_name = "Roux"
    world.second_committee_member.save(update_fields=["first_name", "last_name"])
    proposals = {
        title: make_proposal(world, title=title, envelope=getattr(world, attr), cost_cents=cost)
        for title, attr, cost in PROPOSALS
    }
    voters = cast_rows(world, proposals)
    built = ResultsWorld(world=world, proposals=proposals, voters=voters)
    if tallied:
        built.tally_run = tally_rows(world, run_by=world.admin)
        for offset, key in enumerate(certifier_keys):
            built.certifications.append(Certification.objects.create(
                tally_run=built.tally_run, member=world.users[key],
                certified_at=timezone.now() - timedelta(hours=len(certifier_keys) - offset),
            ))
    return built
