"""Eligibility and verification: residence, age, codes, in-person checks, voters list."""

import csv
import io
from datetime import date

import pytest

from audit.models import AuditEvent
from budgets.models import PhaseKind
from config.errors import Conflict, NotAllowed, NotEligible
from deliberation.services import post_comment
from tests.builders import build_world, make_proposal
from voting.eligibility import (
    claim_list_entry,
    generate_codes,
    import_eligibility_list,
    redeem_code,
    require_eligible,
    verify_in_person,
)
from voting.models import EligibilityEntry, Verification, VotingCode
from voting.services import cast_ballot

pytestmark = pytest.mark.django_db


def world(**cycle_fields):
    w = build_world(phase=PhaseKind.VOTING)
    for name, value in cycle_fields.items():
        setattr(w.cycle, name, value)
    w.cycle.save()
    w.bench = make_proposal(w, title="Bancs")
    return w


def test_unverified_resident_cannot_vote_when_verification_is_required():
    w = world(required_verification="any")
    with pytest.raises(NotEligible) as error:
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.bench.pk])
    assert "vérifié" in str(error.value.message)


def test_too_young_resident_is_refused_with_the_age():
    w = world(minimum_age=16)
    w.resident.birth_date = date.today().replace(year=date.today().year - 15)
    w.resident.save()
    with pytest.raises(NotEligible) as error:
        require_eligible(w.cycle, w.resident)
    assert "16 ans" in str(error.value.message)


def test_resident_without_birth_date_is_asked_for_it_when_there_is_a_minimum_age():
    w = world(minimum_age=16)
    with pytest.raises(NotEligible) as error:
        require_eligible(w.cycle, w.resident)
    assert "date de naissance" in str(error.value.message)


def test_old_enough_resident_may_vote():
    w = world(minimum_age=16)
    w.resident.birth_date = date(1990, 5, 1)
    w.resident.save()
    assert w.cenon_envelope in require_eligible(w.cycle, w.resident)


def test_codes_are_stored_only_as_digests_and_exported_once_as_csv():
    w = world(required_verification="code")
    batch = generate_codes(actor=w.admin, cycle=w.cycle, commune=w.cenon, count=25)
    rows = list(csv.reader(io.StringIO(batch.as_csv()), delimiter=";"))
    assert rows[0] == ["commune", "lot", "code"] and len(rows) == 26
    codes = [row[2] for row in rows[1:]]
    assert len(set(codes)) == 25
    stored = set(VotingCode.objects.values_list("digest", flat=True))
    assert len(stored) == 25
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    assert AuditEvent.objects.filter(action="codes.generated").count() == 1


def test_a_code_verifies_once_and_then_the_resident_can_vote():
    w = world(required_verification="code")
    code = generate_codes(actor=w.admin, cycle=w.cycle, commune=w.cenon, count=1).codes[0]
    redeem_code(user=w.resident, cycle=w.cycle, code=code.lower().replace("-", " "))
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.bench.pk])
    with pytest.raises(NotEligible) as error:
        redeem_code(user=w.second_resident, cycle=w.cycle, code=code)
    assert "déjà été utilisé" in str(error.value.message)


def test_unknown_and_malformed_codes_are_refused():
    w = world(required_verification="code")
    with pytest.raises(NotEligible, match="format"):
        redeem_code(user=w.resident, cycle=w.cycle, code="ABC")
    with pytest.raises(NotEligible, match="inconnu"):
        redeem_code(user=w.resident, cycle=w.cycle, code="ABCD-EFGH-JKLM")
    assert Verification.objects.count() == 0


def test_a_code_of_another_commune_is_refused():
    w = world(required_verification="code")
    code = generate_codes(actor=w.admin, cycle=w.cycle, commune=w.floirac, count=1).codes[0]
    with pytest.raises(NotEligible, match="Floirac"):
        redeem_code(user=w.resident, cycle=w.cycle, code=code)
    assert VotingCode.objects.get().redeemed_at is None


@pytest.mark.parametrize("role", ["resident", "facilitator", "committee_member", "reviewer"])
def test_only_administrators_generate_codes(role):
    w = world()
    with pytest.raises(NotAllowed):
        generate_codes(actor=getattr(w, role), cycle=w.cycle, commune=w.cenon, count=3)
    assert VotingCode.objects.count() == 0


def test_facilitator_of_the_commune_verifies_in_person_and_others_cannot():
    w = world(required_verification="in_person")
    with pytest.raises(NotAllowed):
        verify_in_person(facilitator=w.reviewer, cycle=w.cycle, resident=w.resident)
    with pytest.raises(NotAllowed):  # the facilitator works in Cenon, not Floirac
        verify_in_person(facilitator=w.facilitator, cycle=w.cycle, resident=w.floirac_resident)
    verify_in_person(facilitator=w.facilitator, cycle=w.cycle, resident=w.resident)
    assert Verification.objects.get().verified_by == w.facilitator
    with pytest.raises(Conflict):
        verify_in_person(facilitator=w.facilitator, cycle=w.cycle, resident=w.resident)
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.bench.pk])


def test_a_code_does_not_satisfy_a_cycle_that_requires_in_person_verification():
    w = world(required_verification="in_person")
    code = generate_codes(actor=w.admin, cycle=w.cycle, commune=w.cenon, count=1).codes[0]
    redeem_code(user=w.resident, cycle=w.cycle, code=code)
    with pytest.raises(NotEligible):
        cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.bench.pk])


def test_voters_list_import_hashes_identifiers_and_a_listed_resident_gets_verified():
    w = world(required_verification="list")
    report = import_eligibility_list(actor=w.admin, cycle=w.cycle, commune=w.cenon,
                                     csv_text="identifiant;nom\nA-1001;x\nA-1002;y\na-1001;z\n")
    assert (report.added, report.duplicates, report.errors) == (2, 1, [])
    assert not EligibilityEntry.objects.filter(digest__icontains="1001").exists()
    claim_list_entry(user=w.resident, cycle=w.cycle, identifier=" a-1002 ")
    cast_ballot(voter=w.resident, cycle=w.cycle, proposal_ids=[w.bench.pk])
    with pytest.raises(NotEligible, match="déjà servi"):
        claim_list_entry(user=w.second_resident, cycle=w.cycle, identifier="A-1002")
    with pytest.raises(NotEligible, match="ne figure pas"):
        claim_list_entry(user=w.second_resident, cycle=w.cycle, identifier="B-9999")


def test_a_voters_list_with_a_bad_line_imports_nothing_and_names_the_line():
    w = world()
    report = import_eligibility_list(actor=w.admin, cycle=w.cycle, commune=w.cenon,
                                     csv_text="identifiant\nA-1\n\nA-3\n ;\n")
    assert report.added == 0 and any("Ligne" in e for e in report.errors)
    assert EligibilityEntry.objects.count() == 0
    missing = import_eligibility_list(actor=w.admin, cycle=w.cycle, commune=w.cenon,
                                      csv_text="numero\n12\n")
    assert missing.errors and "identifiant" in missing.errors[0]


def test_unverified_accounts_may_not_comment_when_the_cycle_says_so():
    w = world(unverified_may_comment=False)
    with pytest.raises(NotAllowed):
        post_comment(author=w.resident, proposal=w.bench, body="Bonne idée")
    w.resident.is_verified = True
    w.resident.save()
    post_comment(author=w.resident, proposal=w.bench, body="Bonne idée")


def test_a_voters_list_for_a_commune_outside_the_cycle_is_refused():
    from territory.models import Commune

    w = world()
    elsewhere = Commune.objects.create(name="Bordeaux", slug="bordeaux")
    with pytest.raises(NotEligible, match="ne participe pas"):
        import_eligibility_list(actor=w.admin, cycle=w.cycle, commune=elsewhere,
                                csv_text="identifiant\nA-1\n")
    assert EligibilityEntry.objects.count() == 0
