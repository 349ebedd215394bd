"""``manage.py demo``: the GPV demonstration data, loaded twice without duplicates."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import AuditEvent
from budgets.models import BudgetCycle, Envelope, Phase
from budgets.roles import Role, has_role
from budgets.services import current_phase_of
from deliberation.models import Comment
from proposals.models import Proposal, ProposalStatus, Review
from reports import demo_data
from territory.models import Commune, District, PopulationFigure
from voting.models import Ballot, BallotLogEntry, Participation

MODELS = [Commune, District, PopulationFigure, BudgetCycle, Envelope, Phase, User, Proposal,
          Review, Comment, Participation, Ballot, BallotLogEntry, AuditEvent]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def snapshot() -> list[list[dict]]:
    """Every field of the rows a rerun could rewrite."""
    return [list(model.objects.order_by("pk").values())
            for model in (User, Proposal, BudgetCycle, Envelope, Phase, PopulationFigure)]


@pytest.mark.django_db
def test_running_demo_twice_creates_nothing_the_second_time():
    run_demo()
    first, rows = counts(), snapshot()
    output = run_demo()
    assert counts() == first
    assert snapshot() == rows
    assert "rien de nouveau" in output


@pytest.mark.django_db
def test_demo_cycle_is_open_for_voting_now():
    run_demo()
    cycle = BudgetCycle.objects.get(slug="gpv-2027")
    phase = current_phase_of(cycle)
    assert phase is not None and phase.kind == "voting"
    assert (cycle.ballot_kind, cycle.max_choices, cycle.rule, cycle.certification_quorum) == (
        "approval", 5, "greedy", 2)


@pytest.mark.django_db
def test_demo_has_the_four_gpv_communes_and_five_envelopes():
    run_demo()
    assert sorted(Commune.objects.values_list("insee_code", "name")) == [
        ("33032", "Bassens"), ("33119", "Cenon"), ("33167", "Floirac"), ("33249", "Lormont")]
    cycle = BudgetCycle.objects.get(slug="gpv-2027")
    assert cycle.envelopes.count() == 5
    assert cycle.envelopes.filter(commune__isnull=True).count() == 1
    for commune in Commune.objects.all():
        assert 3 <= commune.districts.count() <= 4
    assert District.objects.filter(is_priority_area=True).exists()


@pytest.mark.django_db
def test_demo_population_figures_are_flagged_approximate_and_unofficial():
    run_demo()
    figures = PopulationFigure.objects.all()
    assert figures.count() == District.objects.count() * 6
    assert not figures.filter(is_approximate=False).exists()
    assert all("non officiel" in f.source for f in figures)


@pytest.mark.django_db
def test_demo_has_forty_proposals_and_every_unfeasible_one_gives_a_reason():
    run_demo()
    proposals = Proposal.objects.filter(cycle__slug="gpv-2027")
    assert proposals.count() >= 40
    unfeasible = proposals.filter(status=ProposalStatus.UNFEASIBLE)
    assert unfeasible.exists()
    assert not unfeasible.filter(public_reason="").exists()
    assert proposals.filter(status=ProposalStatus.SUBMITTED).exists()
    on_ballot = proposals.filter(status=ProposalStatus.ON_BALLOT)
    assert on_ballot.count() > proposals.count() // 2
    assert not on_ballot.filter(validated_cost_cents__isnull=True).exists()
    # The supports threshold left out the proposals with a single support.
    not_retained = proposals.filter(status=ProposalStatus.NOT_RETAINED)
    assert sorted(not_retained.values_list("title", flat=True)) == [
        "Scène mobile pour les fêtes des quatre communes", "Terrain de pétanque éclairé à Prévost"]
    assert all(p.supports.count() < 2 for p in not_retained)
    assert all(p.supports.count() >= 2 for p in on_ballot)
    assert not proposals.filter(status=ProposalStatus.FEASIBLE).exists()
    merged = proposals.get(status=ProposalStatus.MERGED)
    assert merged.merged_into.title == "Jardin partagé au pied des tours de Palmer"
    assert merged.author in merged.merged_into.co_authors.all()
    for proposal in proposals:
        assert 3_000_00 <= proposal.estimated_cost_cents <= 180_000_00
        assert proposal.estimated_cost_cents <= proposal.envelope.amount_cents


@pytest.mark.django_db
def test_demo_residents_have_voted_so_the_board_is_not_empty():
    run_demo()
    cycle = BudgetCycle.objects.get(slug="gpv-2027")
    assert Participation.objects.filter(cycle=cycle).count() == len(demo_data.BALLOTS)
    assert Ballot.objects.filter(cycle=cycle).count() == len(demo_data.BALLOTS)
    assert BallotLogEntry.objects.filter(cycle=cycle).count() == len(demo_data.BALLOTS)
    assert Comment.objects.count() >= 20


@pytest.mark.django_db
def test_demo_gives_one_account_per_role_with_the_printed_password():
    output = run_demo()
    cycle = BudgetCycle.objects.get(slug="gpv-2027")
    cenon = Commune.objects.get(slug="cenon")
    admin = User.objects.get(email="admin@gpv.example.org")
    assert admin.is_staff and admin.is_superuser
    assert has_role(User.objects.get(email="moderation@gpv.example.org"), Role.MODERATOR, cycle)
    assert has_role(User.objects.get(email="instruction.cenon@gpv.example.org"),
                    Role.REVIEWER, cenon)
    assert not has_role(User.objects.get(email="instruction.floirac@gpv.example.org"),
                        Role.REVIEWER, cenon)
    assert has_role(User.objects.get(email="animation@gpv.example.org"), Role.FACILITATOR, cenon)
    assert has_role(User.objects.get(email="publication@gpv.example.org"), Role.PUBLISHER, cenon)
    committee = [u for u in User.objects.all() if has_role(u, Role.COMMITTEE, cycle)]
    assert len(committee) >= 2
    residents = User.objects.filter(commune__isnull=False)
    assert residents.count() >= 12
    assert residents.values("commune").distinct().count() == 4
    resident = residents.first()
    assert resident is not None and resident.check_password(demo_data.DEMO_PASSWORD)
    assert "http://127.0.0.1:8000/" in output
    for user in User.objects.all():
        assert user.email in output
    assert demo_data.DEMO_PASSWORD in output


@pytest.mark.django_db(transaction=True)
def test_demo_sends_no_mail_to_its_invented_addresses(mailoutbox):
    run_demo()
    assert Participation.objects.count() == len(demo_data.BALLOTS)
    assert mailoutbox == []


@pytest.mark.django_db
def test_demo_pages_open_for_a_visitor_and_for_a_resident_who_voted(client):
    run_demo()
    for url in ["/", "/propositions/gpv-2027/", "/rapports/gpv-2027/resultats/"]:
        assert client.get(url).status_code == 200, url
    client.force_login(User.objects.get(email="awa.diallo@gpv.example.org"))
    for url in ["/", "/propositions/gpv-2027/", "/vote/gpv-2027/"]:
        assert client.get(url).status_code == 200, url
