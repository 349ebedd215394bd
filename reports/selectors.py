"""Reads for the results page and the minutes (procès-verbal) of a cycle.

``cycle_report(cycle)`` gathers everything both documents show, in a fixed number of
queries whatever the number of voters, envelopes or proposals (about a dozen; the test
``test_cycle_report_runs_a_bounded_number_of_queries`` holds it). It only reads: the
figures come straight from the rows written by ``voting.services`` and ``voting.tally``.

Guarantees:

- participation counts come from ``Participation`` (who voted), never from ballots;
  ``ballot_count`` counts current ``Ballot`` rows; both are shown so a reader can check
  that they agree;
- the results are those of the *current* ``TallyRun`` (``is_current``); signatures on a
  superseded run are not counted;
- ``quorum_met`` is ``len(certifications) >= cycle.certification_quorum``;
- ``is_published`` says whether the results are public (``voting.publication``): until then
  only the staff and the committee may read them, as a preview marked "non publié";
- ``comparisons`` (per envelope) are the same ballots under other rules, for information:
  never the official result.

``results_published(cycle)`` and ``is_certified(run)`` are re-exported from
``voting.publication`` for the apps above voting (commune reports, open data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import BallotKind, BudgetCycle, Envelope, Phase, PhaseKind, Rule
from voting.models import (
    Ballot,
    BallotLogEntry,
    Certification,
    Channel,
    EnvelopeResult,
    Participation,
    ResultLine,
    ResultPublication,
    TallyRun,
)
from voting.publication import is_certified, results_published

__all__ = ["cycle_report", "current_tally_run", "explanation_of", "is_certified", "results_published"]


def explanation_of(line: ResultLine) -> str:
    """Why ``line``'s project was funded or not, in the active language.

    Built at display time from what the engine recorded for the project in
    ``EnvelopeResult.result["explanations"]`` (its reason code and selection round), with
    the tally's own wording (``voting.tally.explanation_text``), so the English pages say
    it in English. ``ResultLine.explanation`` (the French sentence written by the tally)
    stays the record; it is shown as stored when the result has no usable code (a run
    written before the codes were kept, or an unknown code). Reads no database row when
    the line came with its envelope result (``cycle_report`` prefetches them).
    """
    from budgets.allocation.result import Reason
    from voting.tally import explanation_text

    record = _engine_explanations(line.envelope_result).get(str(line.proposal_id))
    if record is None or str(record.get("reason")) not in {reason.value for reason in Reason}:
        return line.explanation
    return explanation_text(str(record["reason"]), record.get("round"))


def _engine_explanations(result: EnvelopeResult) -> dict[str, dict[str, Any]]:
    """The engine's per-project records of ``result``, by project id (cached on the object)."""
    cached: dict[str, dict[str, Any]] | None = getattr(result, "_explanations_by_project", None)
    if cached is None:
        cached = {str(item.get("project_id")): item for item in (result.result or {}).get("explanations", [])
                  if isinstance(item, dict)}
        result._explanations_by_project = cached  # type: ignore[attr-defined]
    return cached


@dataclass(frozen=True)
class LabelledCount:
    """One labelled count (a channel, a commune)."""

    label: str
    count: int


@dataclass(frozen=True)
class ParticipationFigures:
    total: int
    by_channel: list[LabelledCount]
    by_commune: list[LabelledCount]


@dataclass(frozen=True)
class TieBreakView:
    """A recorded tie-break, ready to read: who was tied, who won, what decided."""

    tied: list[str]
    winner: str
    reason: str
    round: int | None


@dataclass(frozen=True)
class Certifier:
    """A signature on the current run.

    ``name`` is for the public page (never the e-mail address); ``identity`` is for the
    minutes, whose readers are staff and committee: the e-mail when no name is known.
    """

    name: str
    identity: str
    certified_at: datetime
    statement: str


def certifier_name(user: Any) -> str:
    """The display name, else the full name, else an empty string."""
    return str(user.display_name or user.get_full_name() or "")


@dataclass(frozen=True)
class ComparisonView:
    """The envelope's ballots under another rule: what it would fund (not the result)."""

    rule: str
    rule_label: str
    funded: list[str]
    spent_cents: int
    added: list[str]    # funded by this rule, not by the official result
    dropped: list[str]  # funded by the official result, not by this rule

    @property
    def same_as_official(self) -> bool:
        return not self.added and not self.dropped


@dataclass(frozen=True)
class EnvelopeReport:
    envelope: Envelope
    result: EnvelopeResult | None
    lines: list[ResultLine] = field(default_factory=list)
    tie_breaks: list[TieBreakView] = field(default_factory=list)

    @property
    def spent_cents(self) -> int | None:
        return self.result.spent_cents if self.result else None

    @property
    def remaining_cents(self) -> int | None:
        return self.envelope.amount_cents - self.result.spent_cents if self.result else None

    @property
    def comparisons(self) -> list[ComparisonView]:
        """The stored other-rule outcomes of this envelope, with proposal titles (none for an
        envelope without projects: there is nothing to compare)."""
        if self.result is None or not self.lines:
            return []
        titles = {line.proposal_id: line.proposal.title for line in self.lines}
        official = {line.proposal_id for line in self.lines if line.is_funded}
        views = []
        for row in self.result.comparisons or []:
            selected = [int(pid) for pid in row.get("selected", [])]
            views.append(ComparisonView(
                rule=row.get("rule", ""), rule_label=_rule_label(row.get("rule", "")),
                funded=[titles.get(pid, str(pid)) for pid in selected],
                spent_cents=int(row.get("spent", 0)),
                added=sorted(titles.get(pid, str(pid)) for pid in set(selected) - official),
                dropped=sorted(titles.get(pid, str(pid)) for pid in official - set(selected)),
            ))
        return views

    @property
    def rule_label(self) -> str:
        """The rule this envelope was allocated with (it may differ from the cycle's)."""
        rule = (self.result.result or {}).get("rule", "") if self.result else ""
        return _rule_label(rule or self.envelope.effective_rule)


@dataclass(frozen=True)
class CycleReport:
    cycle: BudgetCycle
    voting_phase: Phase | None
    participation: ParticipationFigures
    ballot_count: int
    log_head: str
    tally_run: TallyRun | None
    envelopes: list[EnvelopeReport]
    certifications: list[Certification]
    quorum: int
    publication: ResultPublication | None = None

    @property
    def is_published(self) -> bool:
        return (self.publication is not None and self.tally_run is not None
                and self.publication.tally_run_id == self.tally_run.pk)

    @property
    def has_comparisons(self) -> bool:
        return any(e.comparisons for e in self.envelopes)

    @property
    def arithmetic_label(self) -> str:
        """The run's arithmetic in French (the engine states it in English)."""
        if self.tally_run is None:
            return ""
        return "; ".join(str(ARITHMETIC.get(part, part))
                         for part in self.tally_run.arithmetic.split("; ") if part)

    @property
    def certifiers(self) -> list[Certifier]:
        return [
            Certifier(name=certifier_name(c.member) or _("Membre du comité de suivi"),
                      identity=certifier_name(c.member) or c.member.email,
                      certified_at=c.certified_at, statement=c.statement)
            for c in self.certifications
        ]

    @property
    def is_tallied(self) -> bool:
        return self.tally_run is not None

    @property
    def quorum_met(self) -> bool:
        return self.tally_run is not None and len(self.certifications) >= self.quorum

    @property
    def rule_label(self) -> str:
        return _rule_label(self.tally_run.rule if self.tally_run else self.cycle.rule)

    @property
    def rule_parameters(self) -> list[tuple[str, str]]:
        """The run's parameters as (French label, value) pairs, in a stable order."""
        if self.tally_run is None:
            return []
        labels = {
            "tie_break": _("Départage"),
            "seed": _("Graine du tirage (tête du registre)"),
            "ballot_kind": _("Type de bulletin"),
        }
        return [
            (str(labels.get(key, key)), _parameter_value(key, value))
            for key, value in sorted(self.tally_run.parameters.items())
            if key != "envelopes"  # per envelope: shown with each envelope's results
        ]

    @property
    def log_unchanged_since_tally(self) -> bool:
        """True when the ballot log head today is the one the run froze."""
        return self.tally_run is not None and self.tally_run.log_head == self.log_head


# The pure engine names what decided a tie in English (budgets/allocation/tiebreak.py).
CRITERIA = {
    "more votes": gettext_lazy("plus de voix"),
    "lower cost": gettext_lazy("coût le plus bas"),
    "seeded lottery": gettext_lazy(
        "tirage au sort reproductible, graine : tête du registre des bulletins"),
    "lexicographic project id": gettext_lazy("ordre des identifiants de projet"),
}


# The engine's statements of its arithmetic (budgets/allocation/engine.py), in French.
ARITHMETIC = {
    "exact: integers and rational numbers": gettext_lazy("exacte : entiers et nombres rationnels"),
    "floating-point search, every decision confirmed in rational numbers": gettext_lazy(
        "recherche en virgule flottante, chaque décision confirmée en nombres rationnels"),
    "MILP (scipy HiGHS) search, objective and budget confirmed in integers": gettext_lazy(
        "optimisation linéaire en nombres entiers (scipy HiGHS), objectif et budget "
        "confirmés en entiers"),
    "floating point with every decision certified by error bounds": gettext_lazy(
        "virgule flottante, chaque décision certifiée par des bornes d’erreur"),
    "rational numbers (floating point could not certify a decision)": gettext_lazy(
        "nombres rationnels (la virgule flottante ne pouvait pas certifier une décision)"),
}


def _rule_label(rule: str) -> str:
    """The French name of a known rule; an unknown one is shown as recorded."""
    return str(Rule(rule).label) if rule in Rule.values else rule


def _parameter_value(key: str, value: Any) -> str:
    if key == "tie_break" and value == "default":
        return _("plus de voix, puis coût le plus bas, puis tirage au sort reproductible")
    if key == "ballot_kind" and value in BallotKind.values:
        return str(BallotKind(value).label)
    return str(value)


def _tie_break_view(record: dict[str, Any], titles: dict[str, str]) -> TieBreakView:
    """Read one ``EnvelopeResult.tie_breaks`` record; ids are shown as proposal titles."""

    def name(item: Any) -> str:
        return titles.get(str(item), str(item))

    tied = [name(item) for item in record.get("tied", [])]
    winner = record.get("winner")
    if winner in (None, "") and record.get("order"):
        winner = record["order"][0]
    reason = record.get("reason") or ", ".join(
        str(CRITERIA.get(c, c)) for c in record.get("criteria", [])
    )
    return TieBreakView(tied=tied, winner=name(winner) if winner not in (None, "") else "",
                        reason=str(reason), round=record.get("round"))


def _participation(cycle: BudgetCycle) -> ParticipationFigures:
    channel_labels = dict(Channel.choices)
    by_channel = {
        row["channel"]: row["n"]
        for row in Participation.objects.filter(cycle=cycle).values("channel").annotate(n=Count("id"))
    }
    # The commune recorded with the participation (at the time of the vote), which also
    # covers in-person voters who have no account.
    communes = (
        Participation.objects.filter(cycle=cycle)
        .values("commune__name").annotate(n=Count("id")).order_by("commune__name")
    )
    return ParticipationFigures(
        total=sum(by_channel.values()),
        by_channel=[LabelledCount(str(channel_labels[c]), by_channel.get(c, 0)) for c in Channel.values],
        by_commune=[
            LabelledCount(row["commune__name"] or _("Sans commune renseignée"), row["n"])
            for row in communes
        ],
    )


def current_tally_run(cycle: BudgetCycle) -> TallyRun | None:
    """The cycle's current run with its results, lines and signatures prefetched."""
    lines = ResultLine.objects.select_related("proposal", "proposal__commune").order_by(
        "-is_funded", "rank", "-votes", "proposal__title")
    return (
        TallyRun.objects.filter(cycle=cycle, is_current=True)
        .select_related("run_by")
        .prefetch_related(
            Prefetch("envelope_results", queryset=EnvelopeResult.objects.prefetch_related(
                Prefetch("lines", queryset=lines))),
            Prefetch("certifications",
                     queryset=Certification.objects.select_related("member").order_by("certified_at")),
        )
        .first()
    )


def cycle_report(cycle: BudgetCycle) -> CycleReport:
    """Everything the results page and the minutes show for ``cycle`` (read-only)."""
    envelopes = list(cycle.envelopes.select_related("commune").order_by("commune__name", "pk"))
    # Territory-wide envelope (no commune) last, communes in alphabetical order.
    envelopes.sort(key=lambda e: (e.is_territory_wide, e.commune.name if e.commune else e.name))
    voting_phase = Phase.objects.filter(cycle=cycle, kind=PhaseKind.VOTING).first()
    head = (
        BallotLogEntry.objects.filter(cycle=cycle).order_by("-seq").values_list("hash", flat=True).first()
    )
    run = current_tally_run(cycle)
    results = {r.envelope_id: r for r in run.envelope_results.all()} if run else {}
    reports = []
    for envelope in envelopes:
        result = results.get(envelope.pk)
        lines = list(result.lines.all()) if result else []
        titles = {str(line.proposal_id): line.proposal.title for line in lines}
        reports.append(EnvelopeReport(
            envelope=envelope, result=result, lines=lines,
            tie_breaks=[_tie_break_view(r, titles) for r in (result.tie_breaks if result else [])],
        ))
    return CycleReport(
        cycle=cycle,
        voting_phase=voting_phase,
        participation=_participation(cycle),
        ballot_count=Ballot.objects.filter(cycle=cycle).count(),
        log_head=head or "",
        tally_run=run,
        envelopes=reports,
        certifications=list(run.certifications.all()) if run else [],
        quorum=cycle.certification_quorum,
        publication=ResultPublication.objects.filter(cycle=cycle).first() if run else None,
    )
