"""Reads for the minutes (procès-verbal): everything the PDF shows, gathered once.

``minutes_for(cycle)`` builds on ``reports.selectors.cycle_report`` (participation, results,
tie-breaks, certifications: the figures of the results page) and adds what only the minutes
show: the phase timeline, the participation statistics (``reports.statistics``), per envelope
the cumulative spending, the rule told in plain French, the close calls explained, the exact
recount command, and the proposals declared unfeasible with their reasons.

It only reads, in a bounded number of queries whatever the number of voters or proposals
(``test_minutes_read_a_bounded_number_of_queries`` holds it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import BudgetCycle, Envelope, Phase, Rule
from proposals.models import Proposal, ProposalStatus
from reports.selectors import CycleReport, EnvelopeReport, cycle_report, explanation_of
from reports.statistics import ParticipationStatistics, participation_statistics
from voting.board import recount_command
from voting.models import ResultLine

#: A non-funded project within this share of the votes of the least-voted funded project
#: (or at least one vote) is a close call, explained project by project.
CLOSE_CALL_SHARE = 0.05

# What each rule does, for a reader who is not a specialist (one paragraph per rule).
RULE_EXPLANATIONS = {
    Rule.GREEDY: gettext_lazy(
        "Les projets sont classés du plus grand au plus petit nombre de voix. On les finance "
        "dans cet ordre tant qu’il reste assez d’argent dans l’enveloppe ; un projet trop cher "
        "pour ce qui reste est passé, et l’on continue avec les suivants, qui peuvent être moins "
        "chers."),
    Rule.GREEDY_NO_SKIP: gettext_lazy(
        "Les projets sont classés du plus grand au plus petit nombre de voix. On les finance "
        "dans cet ordre et l’on s’arrête au premier projet trop cher pour ce qui reste dans "
        "l’enveloppe."),
    Rule.GREEDY_COST: gettext_lazy(
        "Les projets sont classés selon leurs voix par euro demandé (le nombre de voix divisé par "
        "le coût). On les finance dans cet ordre tant qu’il reste assez d’argent ; un projet trop "
        "cher pour ce qui reste est passé."),
    Rule.MES: gettext_lazy(
        "Méthode des parts égales : l’enveloppe est partagée à parts égales entre les votants. Un "
        "projet est financé quand ses soutiens peuvent payer ensemble son coût avec leurs parts ; "
        "à chaque tour, on retient le projet qui demande le moins d’effort à chacun de ses "
        "soutiens. Un projet très soutenu peut donc rester non financé quand ses soutiens ont "
        "déjà dépensé leur part pour d’autres projets."),
    Rule.MES_ADD1: gettext_lazy(
        "Méthode des parts égales : l’enveloppe est partagée à parts égales entre les votants ; un "
        "projet est financé quand ses soutiens peuvent payer ensemble son coût avec leurs parts, "
        "en commençant par celui qui leur demande le moins d’effort. S’il reste de l’argent, on "
        "augmente pas à pas la part de chacun et l’on recommence, pour utiliser au mieux "
        "l’enveloppe."),
    Rule.PHRAGMEN: gettext_lazy(
        "Phragmén séquentiel : chaque votant reçoit de l’argent au même rythme ; un projet est "
        "financé dès que ses soutiens ont reçu ensemble de quoi payer son coût, et ils dépensent "
        "alors ce qu’ils avaient reçu. On s’arrête quand le projet suivant dépasserait "
        "l’enveloppe."),
    Rule.MAX_WELFARE: gettext_lazy(
        "Satisfaction totale maximale : parmi toutes les combinaisons de projets qui tiennent dans "
        "l’enveloppe, on retient celle qui satisfait le plus les votants (la somme, sur tous les "
        "votants, de ce qu’ils ont soutenu et qui est financé)."),
}
TIE_BREAK_EXPLANATION = gettext_lazy(
    "En cas d’égalité de voix, le projet le moins cher passe en premier ; si l’égalité demeure, "
    "un tirage au sort reproductible décide, dont la graine est la tête du registre des "
    "bulletins : n’importe qui peut le refaire.")


def rule_explanation(rule: str) -> str:
    """The plain-French paragraph for ``rule`` (empty for an unknown rule)."""
    return str(RULE_EXPLANATIONS[Rule(rule)]) if rule in Rule.values else ""


@dataclass(frozen=True)
class MinutesLine:
    """A result line with the money spent once it (and those before it) are funded, and for
    a project not funded, the number of the note that says why (``EnvelopeMinutes.notes``)."""

    line: ResultLine
    cumulative_cents: int | None
    note: int | None = None


@dataclass(frozen=True)
class EnvelopeMinutes:
    report: EnvelopeReport
    lines: list[MinutesLine]
    notes: list[str]
    rule_explanation: str
    close_calls: list[str]
    recount_command: str
    pabulib_path: str

    @property
    def envelope(self) -> Envelope:
        return self.report.envelope


@dataclass(frozen=True)
class Minutes:
    """The minutes of one cycle, ready for the template."""

    cycle: BudgetCycle
    report: CycleReport
    phases: list[Phase]
    statistics: ParticipationStatistics
    envelopes: list[EnvelopeMinutes]
    unfeasible: list[Proposal]
    tie_break_explanation: str
    signer: str = ""
    generated_at: datetime | None = None

    @property
    def is_signed(self) -> bool:
        return bool(self.signer)


def cumulative_lines(lines: list[ResultLine]) -> tuple[list[MinutesLine], list[str]]:
    """Funded lines carry the running total of their costs, in the order printed (rank);
    non-funded lines carry None and the number (from 1) of their reason in the returned
    notes: each distinct explanation (``reports.selectors.explanation_of``: the reason the
    tally recorded, in the reader's language) is printed once under the table
    rather than in every row (a 200-project cycle would repeat the same sentence 150 times)."""
    spent = 0
    out = []
    notes: list[str] = []
    for line in lines:
        if line.is_funded:
            spent += line.cost_cents
            out.append(MinutesLine(line, spent))
        else:
            reason = explanation_of(line)
            if reason not in notes:
                notes.append(reason)
            out.append(MinutesLine(line, None, notes.index(reason) + 1))
    return out, notes


def close_calls(lines: list[ResultLine]) -> list[str]:
    """Plain-French explanations of the non-funded projects that came close.

    A project is a close call when it is not funded although its votes reach, or come
    within ``CLOSE_CALL_SHARE`` (at least one vote) of, those of the least-voted funded
    project; the sentence names both projects, the gap and why the rule did not fund it
    (the reason the tally recorded, in the reader's language: ``explanation_of``).
    """
    funded = [line for line in lines if line.is_funded]
    if not funded:
        return []
    weakest = min(funded, key=lambda line: (line.votes, -(line.rank or 0)))
    texts = []
    for line in lines:
        if line.is_funded:
            continue
        margin = max(1, round(CLOSE_CALL_SHARE * weakest.votes))
        if line.votes < weakest.votes - margin:
            continue
        values = {"project": line.proposal.title, "votes": line.votes,
                  "funded": weakest.proposal.title, "funded_votes": weakest.votes,
                  "gap": abs(weakest.votes - line.votes), "why": explanation_of(line)}
        if line.votes > weakest.votes:
            text = _("« %(project)s » (%(votes)d voix) a obtenu %(gap)d voix de plus que « %(funded)s » "
                     "(%(funded_votes)d voix, financé), mais n’est pas financé. %(why)s") % values
        elif line.votes == weakest.votes:
            text = _("« %(project)s » a obtenu autant de voix (%(votes)d) que « %(funded)s », financé, "
                     "mais n’est pas financé. %(why)s") % values
        else:
            text = _("« %(project)s » (%(votes)d voix) n’est pas financé, à %(gap)d voix de « %(funded)s » "
                     "(%(funded_votes)d voix, financé). %(why)s") % values
        texts.append(text)
    return texts


def unfeasible_proposals(cycle: BudgetCycle) -> list[Proposal]:
    """Proposals declared unfeasible, with their public reason, by commune then title."""
    return list(
        Proposal.objects.filter(cycle=cycle, status=ProposalStatus.UNFEASIBLE)
        .select_related("commune").order_by("commune__name", "title")
    )


def _recorded_rule(item: EnvelopeReport) -> str:
    """The rule the tally recorded for this envelope (it may differ from today's settings)."""
    return str((item.result.result or {}).get("rule", "")) if item.result else ""


def minutes_for(cycle: BudgetCycle, *, signer: str = "",
                generated_at: datetime | None = None) -> Minutes:
    """Everything the minutes of ``cycle`` show. ``signer``: who signs the PDF (the
    certificate's subject), empty when it is not signed."""
    report = cycle_report(cycle)
    run = report.tally_run
    envelopes = []
    for item in report.envelopes:
        envelope = item.envelope
        lines, notes = cumulative_lines(item.lines)
        envelopes.append(EnvelopeMinutes(
            report=item, lines=lines, notes=notes,
            rule_explanation=rule_explanation(_recorded_rule(item) or envelope.effective_rule),
            close_calls=close_calls(item.lines),
            recount_command=recount_command(cycle, envelope, run.log_head) if run and item.result else "",
            pabulib_path=f"/vote/{cycle.slug}/registre/enveloppe-{envelope.pk}.pb",
        ))
    return Minutes(
        cycle=cycle, report=report,
        phases=list(Phase.objects.filter(cycle=cycle).order_by("starts_at")),
        statistics=participation_statistics(cycle),
        envelopes=envelopes,
        unfeasible=unfeasible_proposals(cycle),
        tie_break_explanation=str(TIE_BREAK_EXPLANATION),
        signer=signer, generated_at=generated_at,
    )
