"""The committee certifies a tally in a real browser, reads the participation statistics
and downloads the minutes (procès-verbal), whose text names the signature just given."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from budgets.models import PhaseKind
from budgets.services import close_voting
from territory.models import District, PopulationFigure
from tests.builders import build_world, make_proposal
from tests.e2e.helpers import SHOTS, check_axe, login_with_cookie, shot
from voting.services import cast_ballot
from voting.tally import run_tally

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_committee_certifies_then_downloads_the_minutes(page: Page, live_server, tmp_path):
    world = build_world(phase=PhaseKind.VOTING, quorum=1)
    floirac_district = District.objects.create(commune=world.floirac, name="Dravemont",
                                               slug="dravemont", is_priority_area=True)
    for district, people in ((world.cenon_district, 4000), (floirac_district, 3000)):
        for band, share in (("15-29", 0.3), ("30-44", 0.3), ("45-59", 0.2), ("60-74", 0.15), ("75+", 0.05)):
            PopulationFigure.objects.create(district=district, age_band=band,
                                            population=round(people * share), source="INSEE (test)")
    world.resident.district, world.resident.birth_date = world.cenon_district, date(1990, 5, 1)
    world.resident.save(update_fields=["district", "birth_date"])
    benches = make_proposal(world, title="Des bancs au parc Palmer")
    garden = make_proposal(world, title="Un jardin partagé", cost_cents=30_000_00)
    cast_ballot(voter=world.resident, cycle=world.cycle, points={benches.pk: 1, garden.pk: 1})
    cast_ballot(voter=world.second_resident, cycle=world.cycle, points={benches.pk: 1})
    close_voting(actor=world.admin, cycle=world.cycle)
    world.cycle.minimum_age = 16  # the population of the rates: bands from 15-29
    world.cycle.save(update_fields=["minimum_age"])
    run = run_tally(actor=world.admin, cycle=world.cycle)
    base, slug = live_server.url, world.cycle.slug

    login_with_cookie(page, base, world.committee_member)
    page.goto(f"{base}/vote/{slug}/certifier/")
    page.get_by_label("Observations (facultatif)").fill("Recompté à partir du fichier pabulib.")
    page.get_by_label("J’ai examiné le résultat").check()
    page.get_by_role("button", name="Certifier").click()
    expect(page.get_by_role("status").filter(has_text="Vous avez certifié ce résultat")).to_be_visible()

    page.goto(f"{base}/rapports/{slug}/statistiques/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Statistiques de participation — {world.cycle.name}")
    expect(page.locator("#statistics-total")).to_have_text("2")
    communes = page.get_by_role("table", name="Tableau des chiffres — Par commune")
    expect(communes.get_by_role("row", name="Cenon")).to_contain_text("2")
    expect(page.get_by_role("img", name="Diagramme en barres : part des votants, par commune")).to_be_visible()
    check_axe(page)
    shot(page, "statistics-dashboard")  # 390 px: no sideways scrolling, axe again

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le procès-verbal (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"proces-verbal-{slug}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                                       capture_output=True, text=True).stdout.split())
        assert "Résultat certifié : 1 signature(s), quorum de 1 atteint." in text
        assert "Recompté à partir du fichier pabulib." in text
        assert run.fingerprint in text
        assert "Les comptes ne demandent pas le genre" in text
    if shutil.which("pdftoppm"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(SHOTS / "minutes-page")],
                       check=True)
