"""The English interface: the catalog is complete, and the voting and results pages speak
English when the visitor asks for it (Accept-Language or the language form), French otherwise.

The catalog is read with a few lines of Python (no polib): ``locale/en/LC_MESSAGES/django.po``
is what ``makemessages`` writes, ``django.mo`` what ``compilemessages`` makes of it.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

from budgets.allocation.ballots import Problem, ProblemCode
from budgets.models import PhaseKind
from reports.pdf import minutes_html
from tests.builders import build_world, make_proposal
from voting.ballot_messages import message_for
from voting.models import Ballot, TallyRun

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


# --- The catalog -----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    value = ast.literal_eval(text.strip())
    assert isinstance(value, str)
    return value


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header, with an empty msgid, is left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(r"(msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line):
            keyword, index, text = match.groups()
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = _unquote(text)
            else:
                target = (keyword, 0)
                setattr(current, keyword, _unquote(text))
        elif line.startswith('"') and target is not None:
            if target[0] == "msgstr":
                current.msgstr[target[1]] += _unquote(line)
            else:
                setattr(current, target[0], (getattr(current, target[0]) or "") + _unquote(line))
    if current is not None:
        entries.append(current)
    return [e for e in entries if e.msgid]


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    return read_po(LOCALE / "django.po")


def test_the_english_catalog_has_no_empty_or_fuzzy_entry(catalog):
    assert len(catalog) > 500  # the whole interface, not an empty file
    empty = [(e.line, e.msgid) for e in catalog if not e.msgstr or "" in e.msgstr.values()]
    fuzzy = [(e.line, e.msgid) for e in catalog if "fuzzy" in e.flags]
    assert empty == [] and fuzzy == []


def test_plural_entries_have_both_english_forms(catalog):
    plurals = [e for e in catalog if e.msgid_plural is not None]
    assert plurals
    assert [e.msgid for e in plurals if sorted(e.msgstr) != [0, 1]] == []


def test_english_translations_keep_every_placeholder(catalog):
    wrong = []
    for e in catalog:
        expected = {tuple(sorted(PLACEHOLDER.findall(e.msgid)))}
        if e.msgid_plural is not None:
            expected.add(tuple(sorted(PLACEHOLDER.findall(e.msgid_plural))))
        for text in e.msgstr.values():
            if tuple(sorted(PLACEHOLDER.findall(text))) not in expected:
                wrong.append((e.line, e.msgid, text))
    assert wrong == []


def test_the_compiled_catalog_is_up_to_date_with_the_po(catalog):
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in catalog:
        if e.msgid_plural is None:
            if compiled.gettext(e.msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif (compiled.ngettext(e.msgid, e.msgid_plural, 1),
              compiled.ngettext(e.msgid, e.msgid_plural, 2)) != (e.msgstr[0], e.msgstr[1]):
            stale.append(e.msgid)
    assert stale == []


def template_messages(path: Path) -> list[str]:
    """Every msgid (and plural msgid) a template hands to gettext, as makemessages sees it."""
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = []
    for call in re.finditer(r"\b(?:n?gettext|pgettext)\((u?'(?:[^'\\]|\\.)*')(?:, (u?'(?:[^'\\]|\\.)*'))?",
                            source):
        found += [ast.literal_eval(text) for text in call.groups() if text]
    return found


def test_every_string_of_the_voting_templates_has_an_english_translation(catalog):
    translated = {e.msgid for e in catalog if all(e.msgstr.values())}
    translated |= {e.msgid_plural for e in catalog if e.msgid_plural and all(e.msgstr.values())}
    templates = sorted((Path(settings.BASE_DIR) / "voting" / "templates").rglob("*.html"))
    assert len(templates) >= 10
    messages = {m for t in templates for m in template_messages(t)}
    assert "Valider mon vote" in messages and "Registre public des bulletins" in messages
    assert sorted(messages - translated) == []


def test_ballot_problems_are_worded_in_english_when_english_is_active():
    too_many = Problem(ProblemCode.TOO_MANY_CHOICES, (("count", 6), ("maximum", 5)))
    duplicate = Problem(ProblemCode.DUPLICATE_CHOICE, (("project", "p1"),))
    with translation.override("en"):
        assert message_for(too_many) == "You chose 6 projects; the maximum is 5."
        assert message_for(duplicate, project_names={"p1": "Jardin partagé"}) == (
            "The project “Jardin partagé” appears more than once on your ballot.")
    with translation.override("fr"):
        assert message_for(too_many) == "Vous avez choisi 6 projets ; le maximum est 5."


# --- The pages ---------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    parser = _Text()
    parser.feed(response.content.decode())
    return " | ".join(parser.parts)


def speak_english(client, how: str) -> None:
    if how == "accept-language":
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    else:
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert response.status_code == 302
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def voted_world(client):
    """A voting-phase cycle with two options; the resident has voted through the page."""
    world = build_world(phase=PhaseKind.VOTING, ballot_kind="knapsack")
    garden = make_proposal(world, title="Jardin partagé", cost_cents=60_000_00)
    make_proposal(world, title="Navette", envelope=world.territory_envelope, cost_cents=90_000_00)
    client.force_login(world.resident)
    return world, garden


def tally_and_certify(client, world) -> None:
    client.force_login(world.admin)
    assert client.post("/vote/bp-test/clore/").status_code == 302
    assert client.post("/vote/bp-test/depouiller/").status_code == 302
    assert TallyRun.objects.count() == 1


def assert_shows(text: str, english: list[str], french: list[str]) -> None:
    assert [s for s in english if s not in text] == [], text
    assert [s for s in french if s in text] == [], text


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["accept-language", "setlang"])
def test_vote_receipt_board_certify_and_results_pages_speak_english(client, how):
    speak_english(client, how)
    world, garden = voted_world(client)

    vote = client.get("/vote/bp-test/")
    assert '<html lang="en">' in vote.content.decode()  # what static/js/basket.js reads
    assert_shows(page_text(vote),
                 ["Vote: Budget participatif test", "Submit my vote", "Envelope amount:",
                  "In each envelope, choose the projects you want to fund"],
                 ["Valider mon vote", "Montant de l’enveloppe", "Dans chaque enveloppe"])

    receipt = client.post("/vote/bp-test/", {"choices": [garden.pk]}, follow=True)
    assert Ballot.objects.count() == 1
    assert_shows(page_text(receipt),
                 ["Your vote is recorded.", "Your voting receipt", "Your choices",
                  "Change my ballot", Ballot.objects.get().receipt_code],
                 ["Votre reçu de vote", "Vos choix", "Modifier mon bulletin"])

    board = client.get("/vote/bp-test/registre/", {"recu": Ballot.objects.get().receipt_code})
    assert_shows(page_text(board),
                 ["Public ballot register", "Has my ballot been recorded?", "Receipt code",
                  "Voting status", "open or not started yet", "and it is the one that counts."],
                 ["Registre public des bulletins", "Mon bulletin est-il enregistré ?",
                  "Code de reçu", "en cours ou à venir"])

    tally_and_certify(client, world)
    client.force_login(world.committee_member)
    certify = page_text(client.get("/vote/bp-test/certifier/"))
    assert_shows(certify,
                 ["Certify the result", "Checks", "Verified", "Result fingerprint:",
                  "Chaining of the ballot register: 1 entries checked.", "Rank", "Project",
                  "Votes", "Decision", "I have examined the result and I certify that it is "
                  "correct.", "No signatures yet."],
                 ["Certifier le résultat", "Vérifications", "Empreinte du résultat",
                  "Chaînage du registre", "Aucune signature", " : "])
    assert client.post("/vote/bp-test/certifier/", {"confirm": "on"}).status_code == 302

    results = page_text(client.get("/rapports/bp-test/resultats/"))
    assert_shows(results,
                 ["Results — Budget participatif test", "Turnout", "Voters by channel",
                  "Voters by town of residence", "Envelope amount", "Amount allocated",
                  "Remaining", "Funded (selected in round 1).", "Certification and verification",
                  "Result certified by the oversight committee (1 signature, 1 required)."],
                 ["Résultats —", "Votants", "Montant attribué", "Financé", " à ", " le "])


@pytest.mark.django_db
def test_without_a_language_choice_the_pages_stay_french(client):
    world, garden = voted_world(client)
    assert_shows(page_text(client.get("/vote/bp-test/")),
                 ["Voter : Budget participatif test", "Valider mon vote"], ["Submit my vote"])
    client.post("/vote/bp-test/", {"choices": [garden.pk]})
    assert_shows(page_text(client.get("/vote/bp-test/registre/")),
                 ["Registre public des bulletins", "Code de reçu"], ["Public ballot register"])
    tally_and_certify(client, world)
    assert_shows(page_text(client.get("/rapports/bp-test/resultats/")),
                 ["Résultats — Budget participatif test", "Votants par canal", "Montant attribué"],
                 ["Turnout", "Amount allocated"])


@pytest.mark.django_db
@pytest.mark.parametrize("language, label, other", [("en", "Verify my account", "Vérifier mon compte"),
                                                    ("fr", "Vérifier mon compte", "Verify my account")])
def test_an_unverified_voter_gets_the_verify_button_in_either_language(client, language, label,
                                                                       other):
    world, _garden = voted_world(client)
    world.cycle.required_verification = "any"
    world.cycle.save()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    html = client.get("/vote/bp-test/").content.decode()
    assert f'href="/vote/bp-test/verification/">{label}</a>' in html
    assert other not in html


@pytest.mark.django_db
def test_the_minutes_are_french_by_default_and_english_on_request(client):
    world, garden = voted_world(client)
    client.post("/vote/bp-test/", {"choices": [garden.pk]})
    tally_and_certify(client, world)
    french = minutes_html(world.cycle)
    english = minutes_html(world.cycle, language="en")
    assert '<html lang="fr">' in french and "Procès-verbal du dépouillement et des résultats" in french
    assert '<html lang="en">' in english and "Minutes of the count and results" in english
    assert "Procès-verbal du dépouillement" not in english and " à " not in english.split("<body>")[1]


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_downloaded_minutes_follow_the_page_language(client, tmp_path):
    world, garden = voted_world(client)
    client.post("/vote/bp-test/", {"choices": [garden.pk]})
    tally_and_certify(client, world)
    texts = {}
    for language in ("fr", "en"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        response = client.get("/rapports/bp-test/proces-verbal.pdf")
        assert response.status_code == 200
        path = tmp_path / f"minutes-{language}.pdf"
        path.write_bytes(response.content)
        texts[language] = subprocess.run(["pdftotext", str(path), "-"], check=True,
                                         capture_output=True, text=True).stdout
    assert "Procès-verbal du dépouillement" in texts["fr"] and "Minutes of the count" not in texts["fr"]
    assert "Minutes of the count and results" in texts["en"]
    assert "Procès-verbal du dépouillement" not in texts["en"]
