"""Load the demonstration data of ``reports/demo_data.py`` (used by ``manage.py demo``).

Guarantees:
- Idempotent: every row is found by its natural key (slug, e-mail, (cycle, title), ...)
  before anything is created, so a second run creates nothing and changes no value
  (phase dates are anchored on today's midnight, so they only move when the day changes).
- Proposals, reviews, supports, the ballot draw-up, comments and ballots go through the
  same services as the site (``submit_proposal``, ``review_proposal``, ``support_proposal``,
  ``draw_up_ballot``, ``post_comment``, ``record_workshop``, ``cast_ballot``), so the demo
  data obeys every rule the site enforces and leaves the same audit and ballot-log trail.
  Those services check the phase: while it loads, the loader moves the whole timeline so
  that the phase it needs is open, then lays out the final timeline (voting open now).
  Everything runs in one transaction, so nobody ever sees the intermediate timelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from budgets.models import BudgetCycle, Envelope, Phase, PhaseKind
from budgets.roles import Role, grant_role
from deliberation.models import Comment, Workshop
from deliberation.services import post_comment, record_workshop
from proposals.models import Proposal, ProposalStatus, ReviewDecision
from proposals.services import (
    draw_up_ballot,
    merge_proposals,
    review_proposal,
    submit_proposal,
    support_proposal,
)
from reports import demo_data as data
from territory.models import Commune, District, PopulationFigure
from voting.models import Participation
from voting.services import cast_ballot

Timeline = dict[str, tuple[datetime, datetime]]


@dataclass
class DemoSummary:
    cycle: BudgetCycle
    password: str
    logins: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, role label)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def email_of(login: str) -> str:
    return f"{login}@{data.EMAIL_DOMAIN}"


def load_demo() -> DemoSummary:
    """Create whatever demo data is missing; return the cycle, the logins and what was created.

    No e-mail leaves: the services' messages (ballot receipts...) would go to invented
    addresses, so the load runs with Django's dummy e-mail backend.
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), \
            transaction.atomic():
        communes = _load_territory()
        districts = {(d.commune.slug, d.slug): d for d in District.objects.select_related("commune")}
        cycle = _load_cycle(communes)
        summary = DemoSummary(cycle=cycle, password=data.DEMO_PASSWORD)
        timeline = final_timeline(timezone.now())
        users = _load_users(cycle, communes, districts, summary)
        _load_proposals(cycle, communes, districts, users, timeline, summary)
        _load_supports(cycle, users, timeline, summary)
        _write_timeline(cycle, timeline)
        _load_comments(cycle, users, summary)
        _load_workshops(cycle, communes, users, summary)
        _load_ballots(cycle, users, summary)
    return summary


def _load_territory() -> dict[str, Commune]:
    communes: dict[str, Commune] = {}
    for row in data.COMMUNES:
        communes[row["slug"]], _ = Commune.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "insee_code": row["insee_code"]}
        )
    for row in data.DISTRICTS:
        district, _ = District.objects.update_or_create(
            commune=communes[row["commune"]], slug=row["slug"],
            defaults={"name": row["name"], "is_priority_area": row["is_priority_area"]},
        )
        for band, population in row["population"].items():
            PopulationFigure.objects.update_or_create(
                district=district, age_band=band,
                defaults={"population": population, "is_approximate": True,
                          "source": data.POPULATION_SOURCE},
            )
    return communes


def _load_cycle(communes: dict[str, Commune]) -> BudgetCycle:
    row = dict(data.CYCLE)
    cycle, _ = BudgetCycle.objects.update_or_create(slug=row.pop("slug"), defaults=row)
    for envelope in data.ENVELOPES:
        commune = communes[envelope["commune"]] if envelope["commune"] else None
        Envelope.objects.update_or_create(
            cycle=cycle, commune=commune,
            defaults={"name": envelope["name"], "amount_cents": envelope["amount_cents"]},
        )
    return cycle


def final_timeline(now: datetime) -> Timeline:
    """The demo timeline, in days from today's local midnight: voting is open on ``now``."""
    midnight = timezone.make_aware(datetime.combine(timezone.localtime(now).date(), time.min))
    return {
        row["kind"]: (midnight + timedelta(days=row["start_day"]),
                      midnight + timedelta(days=row["end_day"]))
        for row in data.PHASES
    }


def _write_timeline(cycle: BudgetCycle, timeline: Timeline) -> None:
    for kind, (starts_at, ends_at) in timeline.items():
        Phase.objects.update_or_create(cycle=cycle, kind=kind,
                                       defaults={"starts_at": starts_at, "ends_at": ends_at})


def _open_phase(cycle: BudgetCycle, timeline: Timeline, kind: str) -> None:
    """Shift the whole timeline so that ``kind`` opened a minute ago (and no other is open)."""
    # Shift in UTC: adding a duration to a local wall-clock time is off by an hour across DST.
    utc = {k: (s.astimezone(UTC), e.astimezone(UTC))
           for k, (s, e) in timeline.items()}
    shift = timezone.now() - timedelta(minutes=1) - utc[kind][0]
    _write_timeline(cycle, {k: (s + shift, e + shift) for k, (s, e) in utc.items()})


def _load_users(cycle: BudgetCycle, communes: dict[str, Commune],
                districts: dict[tuple[str, str], District],
                summary: DemoSummary) -> dict[str, User]:
    users: dict[str, User] = {}
    hashed: list[str] = []  # hash the password once: hashing is slow by design

    def ensure(login: str, **fields: Any) -> User:
        email = email_of(login)
        user = User.objects.filter(email=email).first()
        if user is None:
            if not hashed:
                hashed.append(make_password(data.DEMO_PASSWORD))
            user = User(email=email, username=email, password=hashed[0], **fields)
            user.save()
            summary.count("users")
        else:
            changed = [name for name, value in fields.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, fields[name])
            if changed:
                user.save(update_fields=changed)
        users[login] = user
        return user

    for row in data.STAFF:
        is_superuser = bool(row.get("superuser"))
        user = ensure(row["login"], display_name=row["display_name"], is_staff=is_superuser,
                      is_superuser=is_superuser)
        for grant in row["roles"]:
            role = Role(grant["role"])
            if grant["scope"] == "cycle":
                grant_role(user, role, cycle)
            else:
                for slug in grant["scope"]:
                    grant_role(user, role, communes[slug])
        summary.logins.append((user.email, row["label"]))
    for row in data.RESIDENTS:
        commune = communes[row["commune"]]
        district = districts[(row["commune"], row["district"])]
        user = ensure(row["login"], display_name=row["display_name"], commune=commune,
                      district=district, birth_date=date.fromisoformat(row["birth_date"]),
                      is_verified=True)
        summary.logins.append(
            (user.email, f"habitant·e ({commune.name}, {district.name})")
        )
    return users


def _load_proposals(cycle: BudgetCycle, communes: dict[str, Commune],
                    districts: dict[tuple[str, str], District], users: dict[str, User],
                    timeline: Timeline, summary: DemoSummary) -> None:
    envelopes = {e.commune.slug if e.commune else None: e
                 for e in cycle.envelopes.select_related("commune")}
    existing = set(Proposal.objects.filter(cycle=cycle).values_list("title", flat=True))
    missing = [row for row in data.PROPOSALS if row["title"] not in existing]
    if missing:
        _open_phase(cycle, timeline, PhaseKind.SUBMISSION)
        for row in missing:
            submit_proposal(
                author=users[row["author"]], cycle=cycle, envelope=envelopes[row["envelope"]],
                title=row["title"], description=row["description"], category=row["category"],
                commune=communes[row["commune"]],
                district=districts[(row["commune"], row["district"])] if row["district"] else None,
                estimated_cost_cents=row["estimated_cost_cents"],
            )
            summary.count("proposals")
    reviewers = {slug: users[f"instruction.{slug}"] for slug in communes}
    by_title = {p.title: p for p in Proposal.objects.filter(cycle=cycle).select_related("commune")}
    to_review = [row for row in data.PROPOSALS
                 if row["status"] not in (ProposalStatus.SUBMITTED, ProposalStatus.MERGED)
                 and by_title[row["title"]].status == ProposalStatus.SUBMITTED]
    to_merge = [row for row in data.PROPOSALS if row["status"] == ProposalStatus.MERGED
                and by_title[row["title"]].status == ProposalStatus.SUBMITTED]
    if to_review or to_merge:
        _open_phase(cycle, timeline, PhaseKind.REVIEW)
        for row in to_merge:  # before the reviews: the duplicate's target is still open
            duplicate = by_title[row["title"]]
            merge_proposals(reviewer=reviewers[duplicate.commune.slug], duplicate=duplicate,
                            target=by_title[row["merged_into"]])
            summary.count("merges")
        for row in to_review:
            proposal = by_title[row["title"]]
            review_proposal(
                reviewer=reviewers[proposal.commune.slug], proposal=proposal,
                decision=ReviewDecision(row["status"]),
                validated_cost_cents=row.get("validated_cost_cents"),
                public_reason=row.get("public_reason", ""),
            )
            summary.count("reviews")


def _load_supports(cycle: BudgetCycle, users: dict[str, User], timeline: Timeline,
                   summary: DemoSummary) -> None:
    """Supports in the deliberation phase, then the ballot drawn up by the administrator
    (the cycle's threshold leaves out the proposals with too few supports)."""
    if not Proposal.objects.filter(cycle=cycle, status=ProposalStatus.FEASIBLE).exists():
        return  # drawn up by an earlier run
    _open_phase(cycle, timeline, PhaseKind.DELIBERATION)
    by_title = {p.title: p for p in Proposal.objects.filter(cycle=cycle).select_related("cycle")}
    for title, logins in data.SUPPORTS.items():
        for login in logins:
            if support_proposal(user=users[login], proposal=by_title[title]):
                summary.count("supports")
    administrator = next(users[row["login"]] for row in data.STAFF if row.get("superuser"))
    draw_up_ballot(actor=administrator, cycle=cycle)


def _load_comments(cycle: BudgetCycle, users: dict[str, User], summary: DemoSummary) -> None:
    """Comments with their stance, replies found by their parent's text; then the cycle's
    general thread."""
    by_title = {p.title: p for p in Proposal.objects.filter(cycle=cycle)}
    rows: list[tuple[Proposal | None, dict[str, Any]]] = [
        (by_title[row["proposal"]], row) for row in data.COMMENTS]
    rows += [(None, row) for row in data.CYCLE_COMMENTS]
    for proposal, row in rows:
        author = users[row["author"]]
        thread = Comment.objects.filter(cycle=cycle, proposal=proposal)
        if thread.filter(author=author, body=row["body"]).exists():
            continue
        parent = thread.get(body=row["parent"]) if row.get("parent") else None
        post_comment(author=author, proposal=proposal, cycle=cycle, parent=parent,
                     body=row["body"], stance=row["stance"])
        summary.count("comments")


def _load_workshops(cycle: BudgetCycle, communes: dict[str, Commune], users: dict[str, User],
                    summary: DemoSummary) -> None:
    """Workshops recorded by the facilitator (``record_workshop``: audit event each)."""
    by_title = {p.title: p for p in Proposal.objects.filter(cycle=cycle)}
    facilitator = users["animation"]
    for row in data.WORKSHOPS:
        if Workshop.objects.filter(cycle=cycle, commune=communes[row["commune"]],
                                   place=row["place"]).exists():
            continue
        record_workshop(facilitator=facilitator, cycle=cycle, commune=communes[row["commune"]],
                        held_on=timezone.localdate() - timedelta(days=row["days_ago"]),
                        place=row["place"], attendance=row["attendance"],
                        minutes=row["minutes"],
                        proposals=[by_title[t] for t in row["proposals"]])
        summary.count("workshops")


def _load_ballots(cycle: BudgetCycle, users: dict[str, User], summary: DemoSummary) -> None:
    by_title = {p.title: p.pk for p in Proposal.objects.filter(cycle=cycle)}
    for row in data.BALLOTS:
        voter = users[row["voter"]]
        # Participation, not the ballot pseudonym: it does not depend on the server key.
        if Participation.objects.filter(cycle=cycle, voter=voter).exists():
            continue
        cast_ballot(voter=voter, cycle=cycle, proposal_ids=[by_title[t] for t in row["choices"]])
        summary.count("ballots")
