"""Proposals through the API: list and filter, submit (submit_proposal), read, review."""

import pytest

from budgets.models import BudgetCycle, Envelope, PhaseKind
from proposals.models import Proposal, ProposalStatus, Review
from territory.models import District
from tests.api.support import assert_api_error, client_for
from tests.builders import build_world, make_proposal, make_user, set_phase

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/bp-test/proposals/"


def submission(world, **overrides):
    data = {
        "envelope": world.cenon_envelope.pk,
        "title": "Un jardin partagé rue Camille Pelletan",
        "description": "Des bacs potagers ouverts aux habitants.",
        "category": "environment",
        "commune": "cenon",
        "district": world.cenon_district.pk,
        "estimated_cost_cents": 15_000_00,
    }
    return {**data, **overrides}


def test_resident_submits_a_proposal_with_cost_in_cents():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post(URL, submission(world), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    proposal = Proposal.objects.get(pk=body["id"])
    assert proposal.author == world.resident
    assert proposal.estimated_cost_cents == 15_000_00
    assert proposal.status == ProposalStatus.SUBMITTED
    assert body["estimated_cost_cents"] == 15_000_00
    assert body["validated_cost_cents"] is None
    assert body["commune"] == "cenon"
    assert body["district"] == world.cenon_district.pk
    assert body["status"] == "submitted"
    assert body["author_name"] == "Awa"
    assert "resident@example.org" not in response.content.decode()


def test_anonymous_submission_is_refused_with_401():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for().post(URL, submission(world), format="json")

    assert_api_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("phase", [PhaseKind.REVIEW, PhaseKind.VOTING, PhaseKind.RESULTS, None])
def test_submission_outside_the_submission_phase_is_a_409(phase):
    world = build_world(phase=phase)

    response = client_for(world.resident).post(URL, submission(world), format="json")

    assert_api_error(response, 409, "phase_closed")
    assert not Proposal.objects.exists()


def test_submission_with_a_district_of_another_commune_names_the_field():
    world = build_world(phase=PhaseKind.SUBMISSION)
    floirac_district = District.objects.create(commune=world.floirac, name="Dravemont",
                                               slug="dravemont")

    response = client_for(world.resident).post(
        URL, submission(world, district=floirac_district.pk), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["district"]
    assert not Proposal.objects.exists()


def test_submission_over_the_envelope_names_the_cost_field():
    world = build_world(phase=PhaseKind.SUBMISSION)
    too_much = world.cenon_envelope.amount_cents + 1

    response = client_for(world.resident).post(
        URL, submission(world, estimated_cost_cents=too_much), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert "estimated_cost_cents" in error["fields"]


@pytest.mark.parametrize("cost", ["150.50", 150.5, 0, -100, "beaucoup"])
def test_submission_cost_must_be_a_positive_integer_of_cents(cost):
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post(
        URL, submission(world, estimated_cost_cents=cost), format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["estimated_cost_cents"]
    assert not Proposal.objects.exists()


def test_submission_with_missing_fields_lists_each_of_them():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post(URL, {}, format="json")

    error = assert_api_error(response, 400, "invalid")
    assert set(error["fields"]) == {"envelope", "title", "description", "category", "commune",
                                    "estimated_cost_cents"}


def test_submission_in_an_envelope_of_another_cycle_is_refused():
    world = build_world(phase=PhaseKind.SUBMISSION)
    other = BudgetCycle.objects.create(name="Autre", slug="autre")
    foreign = Envelope.objects.create(cycle=other, commune=world.cenon, name="X",
                                      amount_cents=100_000_00)

    response = client_for(world.resident).post(URL, submission(world, envelope=foreign.pk),
                                               format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["envelope"]


def test_submission_to_an_unknown_cycle_is_a_404():
    world = build_world(phase=PhaseKind.SUBMISSION)

    response = client_for(world.resident).post("/api/v1/cycles/inconnu/proposals/",
                                               submission(world), format="json")

    assert_api_error(response, 404, "not_found")


def test_list_filters_by_commune_and_status():
    world = build_world(phase=PhaseKind.DELIBERATION)
    make_proposal(world, title="Bancs à Cenon")
    make_proposal(world, title="Un abri à Cenon", feasible=False)
    make_proposal(world, title="Piste à Floirac", envelope=world.floirac_envelope)
    client = client_for()

    def titles(query):
        return [p["title"] for p in client.get(URL + query).json()["results"]]

    assert titles("") == ["Bancs à Cenon", "Piste à Floirac", "Un abri à Cenon"]
    assert titles("?commune=cenon") == ["Bancs à Cenon", "Un abri à Cenon"]
    assert titles("?commune=floirac&status=feasible") == ["Piste à Floirac"]
    assert titles("?status=submitted") == ["Un abri à Cenon"]
    assert titles("?commune=bassens") == []


def test_list_refuses_an_unknown_status_filter():
    build_world()

    response = client_for().get(URL + "?status=elected")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["status"]


def test_list_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    world = build_world()
    for index in range(12):
        make_proposal(world, title=f"Projet {index:02d}")

    with django_assert_max_num_queries(4):
        response = client_for().get(URL)

    assert response.json()["count"] == 12


def test_list_reads_authors_without_a_display_name_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    world = build_world()
    for index in range(12):
        author = make_user(f"author{index}@example.org", commune=world.cenon)
        make_proposal(world, title=f"Projet {index:02d}", author=author)

    with django_assert_max_num_queries(4):
        response = client_for().get(URL)

    assert {p["author_name"] for p in response.json()["results"]} == {"Habitant·e de Cenon"}


def test_proposal_detail_and_unknown_proposal():
    world = build_world()
    proposal = make_proposal(world, cost_cents=9_000_00)
    client = client_for()

    body = client.get(f"/api/v1/proposals/{proposal.pk}/").json()

    assert body["id"] == proposal.pk
    assert body["cycle"] == "bp-test"
    assert body["cost_cents"] == 9_000_00
    assert body["status"] == "feasible"
    assert_api_error(client.get(f"/api/v1/proposals/{proposal.pk + 1000}/"), 404, "not_found")


def review_url(proposal):
    return f"/api/v1/proposals/{proposal.pk}/review/"


def test_reviewer_of_the_commune_accepts_with_a_validated_cost():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False, cost_cents=20_000_00)

    response = client_for(world.reviewer).post(
        review_url(proposal), {"decision": "feasible", "validated_cost_cents": 18_000_00},
        format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["decision"] == "feasible"
    assert body["proposal"]["status"] == "feasible"
    assert body["proposal"]["validated_cost_cents"] == 18_000_00
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FEASIBLE
    assert proposal.validated_cost_cents == 18_000_00


def test_reviewer_rejects_with_a_public_reason():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.reviewer).post(
        review_url(proposal), {"decision": "unfeasible", "public_reason": "Terrain privé."},
        format="json")

    assert response.status_code == 201
    assert response.json()["proposal"]["public_reason"] == "Terrain privé."
    assert response.json()["proposal"]["status"] == "unfeasible"


def test_rejection_without_a_reason_is_refused_and_writes_nothing():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.reviewer).post(review_url(proposal), {"decision": "unfeasible"},
                                               format="json")

    error = assert_api_error(response, 400, "invalid")
    assert list(error["fields"]) == ["public_reason"]
    assert not Review.objects.exists()


@pytest.mark.parametrize("role", ["resident", "floirac_reviewer", "moderator", "committee_member",
                                  "facilitator", "publisher"])
def test_review_by_anyone_but_the_communes_reviewer_is_a_403(role):
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.users[role]).post(
        review_url(proposal), {"decision": "feasible", "validated_cost_cents": 100}, format="json")

    assert_api_error(response, 403, "not_allowed")
    assert not Review.objects.exists()


def test_anonymous_review_is_a_401():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for().post(review_url(proposal), {"decision": "feasible",
                                                        "validated_cost_cents": 100}, format="json")

    assert_api_error(response, 401, "not_authenticated")


@pytest.mark.parametrize("phase", [PhaseKind.DELIBERATION, PhaseKind.VOTING, None])
def test_review_outside_a_review_phase_is_a_409(phase):
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)
    set_phase(world.cycle, phase)

    response = client_for(world.reviewer).post(
        review_url(proposal), {"decision": "feasible", "validated_cost_cents": 100}, format="json")

    assert_api_error(response, 409, "phase_closed")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_review_of_an_unknown_proposal_is_a_404():
    world = build_world(phase=PhaseKind.REVIEW)

    response = client_for(world.reviewer).post("/api/v1/proposals/999999/review/",
                                               {"decision": "feasible"}, format="json")

    assert_api_error(response, 404, "not_found")


# --- Lifecycle through the API: drafts, edition, supports, merge, draw-up, attachments ---

def test_a_draft_is_private_until_its_author_submits_it():
    world = build_world(phase=PhaseKind.SUBMISSION)
    author = client_for(world.resident)

    body = author.post(URL, submission(world, draft=True), format="json").json()

    assert body["status"] == "draft" and body["submitted_at"] is None
    detail_url = f"/api/v1/proposals/{body['id']}/"
    assert_api_error(client_for().get(detail_url), 404, "not_found")
    assert_api_error(client_for(world.second_resident).get(detail_url), 404, "not_found")
    assert client_for().get(URL).json()["count"] == 0
    assert author.get(detail_url).status_code == 200
    assert_api_error(client_for(world.second_resident).post(detail_url + "submit/"), 404,
                     "not_found")

    submitted = author.post(detail_url + "submit/").json()

    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert client_for().get(detail_url).status_code == 200


def test_authors_edit_with_patch_and_others_get_a_403():
    world = build_world(phase=PhaseKind.SUBMISSION)
    proposal_id = client_for(world.resident).post(URL, submission(world), format="json").json()["id"]
    url = f"/api/v1/proposals/{proposal_id}/"

    response = client_for(world.resident).patch(
        url, {"title": "Un jardin partagé et un composteur", "latitude": "44.857100",
              "longitude": "-0.532200", "description": "**Des bacs** <script>x</script>"},
        format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Un jardin partagé et un composteur"
    assert body["latitude"] == "44.857100" and body["estimated_cost_cents"] == 15_000_00
    assert "<strong>Des bacs</strong>" in body["description_html"]
    assert "<script>" not in body["description_html"]
    assert_api_error(client_for(world.second_resident).patch(url, {"title": "Piraté"},
                                                             format="json"), 403, "not_allowed")
    assert_api_error(client_for(world.resident).patch(url, {"latitude": "95"}, format="json"),
                     400, "invalid")
    assert Proposal.objects.get().title == "Un jardin partagé et un composteur"


def test_editing_after_submission_phase_is_a_409():
    world = build_world(phase=PhaseKind.REVIEW)
    proposal = make_proposal(world, feasible=False)

    response = client_for(world.resident).patch(f"/api/v1/proposals/{proposal.pk}/",
                                                {"title": "Trop tard"}, format="json")

    assert_api_error(response, 409, "phase_closed")


def test_supports_through_the_api_count_once_and_can_be_withdrawn():
    world = build_world(phase=PhaseKind.DELIBERATION)
    proposal = make_proposal(world)
    url = f"/api/v1/proposals/{proposal.pk}/support/"
    client = client_for(world.resident)

    assert client.post(url).json() == {"supported": True, "support_count": 1}
    assert client.post(url).json() == {"supported": True, "support_count": 1}
    assert client.delete(url).json() == {"supported": False, "support_count": 0}
    assert_api_error(client_for().post(url), 401, "not_authenticated")


def test_take_review_merge_and_draw_up_through_the_api():
    world = build_world(phase=PhaseKind.REVIEW)
    kept = make_proposal(world, title="Jardin", feasible=False)
    duplicate = make_proposal(world, title="Jardin (doublon)", feasible=False,
                              author=world.second_resident)
    reviewer = client_for(world.reviewer)

    taken = reviewer.post(f"/api/v1/proposals/{kept.pk}/take/").json()
    assert taken["status"] == "in_review"
    merged = reviewer.post(f"/api/v1/proposals/{duplicate.pk}/merge/", {"target": kept.pk},
                           format="json").json()
    assert merged["id"] == kept.pk and [c["name"] for c in merged["co_authors"]] == ["Bruno"]
    assert client_for().get(f"/api/v1/proposals/{duplicate.pk}/").json()["merged_into"] == kept.pk
    reviewer.post(f"/api/v1/proposals/{kept.pk}/review/",
                  {"decision": "feasible", "validated_cost_cents": 10_000_00}, format="json")
    assert_api_error(client_for(world.resident).post(f"/api/v1/proposals/{kept.pk}/take/"), 403,
                     "not_allowed")

    set_phase(world.cycle, PhaseKind.DELIBERATION)
    draw_up = "/api/v1/cycles/bp-test/proposals/draw-up/"
    assert_api_error(client_for(world.reviewer).post(draw_up), 403, "not_allowed")
    assert client_for(world.admin).post(draw_up).json() == {"on_ballot": 1, "not_retained": 0}
    assert Proposal.objects.get(pk=kept.pk).status == ProposalStatus.ON_BALLOT


def test_co_authors_and_attachments_through_the_api(tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.proposals.files import pdf_bytes

    settings.MEDIA_ROOT = tmp_path
    world = build_world(phase=PhaseKind.SUBMISSION)
    proposal = make_proposal(world, feasible=False)
    author = client_for(world.resident)
    base = f"/api/v1/proposals/{proposal.pk}/"

    body = author.post(base + "co-authors/", {"email": "SECOND@example.org"}, format="json").json()
    assert [c["name"] for c in body["co_authors"]] == ["Bruno"]
    assert_api_error(author.post(base + "co-authors/", {"email": "nobody@example.org"},
                                 format="json"), 400, "invalid")

    co_author = client_for(world.second_resident)
    upload = SimpleUploadedFile("devis.pdf", pdf_bytes(), content_type="text/html")
    response = co_author.post(base + "attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert attachment["kind"] == "pdf" and attachment["content_type"] == "application/pdf"
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>")
    error = assert_api_error(co_author.post(base + "attachments/", {"file": fake},
                                            format="multipart"), 400, "invalid")
    assert list(error["fields"]) == ["file"]

    assert co_author.delete(f"{base}attachments/{attachment['id']}/").status_code == 204
    assert author.delete(f"{base}co-authors/{world.second_resident.pk}/").status_code == 200
    assert not proposal.co_authors.exists()


def test_list_searches_filters_by_district_and_sorts_by_supports():
    world = build_world(phase=PhaseKind.DELIBERATION)
    garden = make_proposal(world, title="Jardin partagé")
    make_proposal(world, title="Piste cyclable")
    Proposal.objects.filter(pk=garden.pk).update(district=world.cenon_district)
    bike = Proposal.objects.get(title="Piste cyclable")
    from proposals.services import support_proposal
    support_proposal(user=world.resident, proposal=bike)
    client = client_for()

    def titles(query):
        return [p["title"] for p in client.get(URL + query).json()["results"]]

    assert titles("?q=jardin") == ["Jardin partagé"]
    assert titles(f"?district={world.cenon_district.pk}") == ["Jardin partagé"]
    assert titles("?district=999999") == []
    assert titles("?sort=soutiens") == ["Piste cyclable", "Jardin partagé"]
    assert titles("?sort=hasard&seed=7") == titles("?sort=hasard&seed=7")


def test_mine_lists_my_drafts_and_co_authored_proposals_only():
    world = build_world(phase=PhaseKind.SUBMISSION)
    mine = make_proposal(world, title="Mon brouillon", feasible=False, status=ProposalStatus.DRAFT)
    co_written = make_proposal(world, title="Écrite à deux", feasible=False,
                               author=world.second_resident)
    co_written.co_authors.add(world.resident)
    make_proposal(world, title="Celle d’une autre", feasible=False, author=world.floirac_resident)

    def titles(client):
        return sorted(p["title"] for p in client.get(URL + "?mine=true").json()["results"])

    assert titles(client_for(world.resident)) == ["Mon brouillon", "Écrite à deux"]
    assert titles(client_for(world.second_resident)) == ["Écrite à deux"]
    assert titles(client_for()) == []
    assert "Mon brouillon" not in [p["title"] for p in client_for().get(URL).json()["results"]]
    assert mine.status == ProposalStatus.DRAFT
