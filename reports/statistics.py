"""Participation statistics of a cycle, and how representative the voters are.

``participation_statistics(cycle)`` reads the register of who voted (``Participation``) in
*one* aggregated query (grouped by channel, commune, the voter's district and birth year:
a few hundred rows whatever the number of voters) and the population figures in another,
then computes with pandas:

- participation by channel, commune, district, priority neighbourhoods (``District.
  is_priority_area``) versus the others, age band and gender, each with its share of the
  voters and, where a population is known, the participation rate;
- with scipy, a chi-square goodness-of-fit test of the voters against the population, by
  age band and by commune, told in plain French (``goodness_of_fit``).

What it can and cannot know (see docs/threat-model.md): the register is deliberately
coarse. District and birth year come from the voter's *account* (in-person voters without
an account have neither; they count as « non renseigné »), never from a ballot: nothing
here links a ballot to a person. Accounts carry no gender, so the gender table reports
every voter as « non renseigné » rather than guessing. The age is the reference year (the
year the vote closed) minus the birth year, so it can be one year off. Population figures
are approximate (``PopulationFigure.is_approximate``): the rates are orders of magnitude.
The "population" of a rate is the population of the age bands in which someone may vote
(bands whose upper bound reaches the cycle's minimum age).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy import stats

from budgets.models import BudgetCycle, Phase, PhaseKind
from territory.models import AgeBand, Commune, District, PopulationFigure
from voting.models import Channel, Participation

#: Below this expected count in some category, the chi-square approximation is poor.
SMALL_EXPECTED = 5
#: Significance level of the tests (the usual 5 %).
ALPHA = 0.05
#: A category whose standardised residual reaches this is named as over/under-represented.
RESIDUAL = 2.0
UNKNOWN = "unknown"


@dataclass(frozen=True)
class StatRow:
    """One category: its voters, their share of the table's voters, and where a population
    is known, the population share and the participation rate (voters / population)."""

    key: str
    label: str
    voters: int
    share: float
    population: int | None = None
    population_share: float | None = None
    rate: float | None = None

    @property
    def bar(self) -> float:
        """Bar length for the charts, 0 to 1 (the share of the voters)."""
        return self.share


@dataclass(frozen=True)
class Breakdown:
    """A participation table: rows, their total, and a note on what it can't say."""

    key: str
    title: str
    rows: list[StatRow]
    total: int
    note: str = ""

    @property
    def has_population(self) -> bool:
        return any(row.population is not None for row in self.rows)

    @property
    def max_share(self) -> float:
        return max((row.share for row in self.rows), default=0.0)

    @property
    def chart(self) -> list[dict[str, str]]:
        """The bars of the chart drawn in HTML and CSS by the template (no script, no
        image): one per row, the share of the voters; the longest bar fills the track.
        The same figures are in the table that follows the chart."""
        top = self.max_share or 1.0
        # Widths as strings: a float in a template would be localised ("12,5"), not CSS.
        return [{"label": row.label, "width": f"{100 * row.share / top:.1f}",
                 "value": format_percent(row.share)} for row in self.rows]


@dataclass(frozen=True)
class Deviation:
    label: str
    observed: int
    expected: float
    voter_share: float
    population_share: float
    residual: float


@dataclass(frozen=True)
class FitTest:
    """A chi-square goodness-of-fit test of voters against the population, in words."""

    dimension: str
    statistic: float
    p_value: float
    degrees_of_freedom: int
    counted: int
    small_counts: bool
    deviations: list[Deviation] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    @property
    def is_representative(self) -> bool:
        return self.p_value >= ALPHA


@dataclass(frozen=True)
class ParticipationStatistics:
    total: int
    reference_year: int
    minimum_age: int
    breakdowns: list[Breakdown]
    age_test: FitTest | None
    commune_test: FitTest | None
    population_source: str
    population_is_approximate: bool

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    @property
    def tests(self) -> list[FitTest]:
        return [t for t in (self.age_test, self.commune_test) if t is not None]


# --- Pure helpers (no database) ----------------------------------------------------------------


def format_decimal(value: float, digits: int = 2) -> str:
    """``0,42`` — French decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


def format_percent(value: float | None, digits: int = 1) -> str:
    """``12,5 %`` with a narrow no-break space, or an em dash when unknown. Participation
    rates are printed with two decimals (``0,03 %``): they are often below one per cent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{format_decimal(100 * value, digits)}\u202f%"


def format_p_value(p: float) -> str:
    if p < 0.001:
        return "p < 0,001"
    return f"p = {format_decimal(p, 3)}"


def band_bounds(band: str) -> tuple[int, int | None]:
    """``"15-29"`` → (15, 29); ``"75+"`` → (75, None)."""
    if band.endswith("+"):
        return int(band[:-1]), None
    low, high = band.split("-")
    return int(low), int(high)


def age_band(age: int) -> str | None:
    """The ``AgeBand`` value an age falls in (None for a negative age)."""
    for band in AgeBand.values:
        low, high = band_bounds(band)
        if age >= low and (high is None or age <= high):
            return band
    return None


def eligible_bands(minimum_age: int) -> list[str]:
    """Bands in which someone may vote: their upper bound reaches the minimum age."""
    bands = []
    for band in AgeBand.values:
        high = band_bounds(band)[1]
        if high is None or high >= minimum_age:
            bands.append(band)
    return bands


def goodness_of_fit(observed: dict[str, int], population: dict[str, int], labels: dict[str, str],
                    *, dimension: str, group_phrase: dict[str, str] | None = None) -> FitTest | None:
    """Chi-square goodness of fit of ``observed`` voters per category against the shares of
    ``population`` (scipy.stats.chisquare, k - 1 degrees of freedom).

    Categories without population are left out (no expectation can be formed). Returns None
    when fewer than two categories or no voter remain. ``group_phrase`` gives, per category,
    the subject of a sentence ("Les 15 à 29 ans", "Les habitants de Cenon").
    """
    keys = [k for k in population if population[k] > 0]
    counted = sum(observed.get(k, 0) for k in keys)
    if len(keys) < 2 or counted == 0:
        return None
    pop_total = sum(population[k] for k in keys)
    f_obs = [observed.get(k, 0) for k in keys]
    f_exp = [counted * population[k] / pop_total for k in keys]
    result = stats.chisquare(f_obs, f_exp)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    small = min(f_exp) < SMALL_EXPECTED
    deviations = [
        Deviation(label=labels.get(k, k), observed=o, expected=e, voter_share=o / counted,
                  population_share=population[k] / pop_total, residual=(o - e) / math.sqrt(e))
        for k, o, e in zip(keys, f_obs, f_exp, strict=True)
    ]
    figures = ngettext("khi-deux = %(chi2)s ; %(df)d degré de liberté ; %(p)s",
                       "khi-deux = %(chi2)s ; %(df)d degrés de liberté ; %(p)s", len(keys) - 1) % {
        "chi2": format_decimal(statistic), "df": len(keys) - 1, "p": format_p_value(p_value)}
    if p_value >= ALPHA:
        sentences = [_("Les votants ressemblent à la population %(dimension)s : les écarts observés "
                       "peuvent s’expliquer par le hasard (%(figures)s).")
                     % {"dimension": dimension, "figures": figures}]
    else:
        sentences = [_("Les votants ne ressemblent pas à la population %(dimension)s : des écarts "
                       "aussi grands n’arrivent que rarement par hasard (%(figures)s).")
                     % {"dimension": dimension, "figures": figures}]
        phrases = group_phrase or {}
        for key, dev in zip(keys, deviations, strict=True):
            if abs(dev.residual) < RESIDUAL:
                continue
            template = (_("%(group)s sont sous-représentés : %(voters)s des votants pour %(population)s "
                          "de la population.") if dev.residual < 0 else
                        _("%(group)s sont sur-représentés : %(voters)s des votants pour %(population)s "
                          "de la population."))
            sentences.append(template % {
                "group": phrases.get(key, dev.label), "voters": format_percent(dev.voter_share),
                "population": format_percent(dev.population_share)})
    if small:
        sentences.append(_("Prudence : certains effectifs attendus sont inférieurs à %(n)d votants ; "
                           "avec si peu de votants, le test est peu fiable.") % {"n": SMALL_EXPECTED})
    return FitTest(dimension=dimension, statistic=statistic, p_value=p_value,
                   degrees_of_freedom=len(keys) - 1, counted=counted, small_counts=small,
                   deviations=deviations, sentences=sentences)


def breakdown_from(frame: pd.DataFrame, column: str, *, key: str, title: str,
                   labels: dict[str, str], order: list[str],
                   population: dict[str, int] | None = None, note: str = "") -> Breakdown:
    """Sum ``frame.n`` by ``column`` into a Breakdown, rows in ``order`` then « non
    renseigné » last (only when some voters have no value)."""
    counts = frame.groupby(column, dropna=False)["n"].sum() if not frame.empty else pd.Series(dtype=int)
    by_key: dict[str, int] = {str(k): int(v) for k, v in counts.items()}
    total = int(frame["n"].sum()) if not frame.empty else 0
    pop_total = sum(population.values()) if population else 0
    rows = []
    for k in [*order, *(k for k in by_key if k not in order and k != UNKNOWN)]:
        voters = by_key.get(k, 0)
        pop = population.get(k) if population is not None else None
        rows.append(StatRow(
            key=k, label=labels.get(k, k), voters=voters, share=voters / total if total else 0.0,
            population=pop,
            population_share=(pop / pop_total) if pop is not None and pop_total else None,
            rate=(voters / pop) if pop else None,
        ))
    if by_key.get(UNKNOWN):
        rows.append(StatRow(key=UNKNOWN, label=_("Non renseigné"), voters=by_key[UNKNOWN],
                            share=by_key[UNKNOWN] / total if total else 0.0))
    return Breakdown(key=key, title=title, rows=rows, total=total, note=note)


# --- Reading the database ----------------------------------------------------------------------


def reference_year(cycle: BudgetCycle) -> int:
    """The year the vote closed (else this year): ages are counted at that year."""
    voting = Phase.objects.filter(cycle=cycle, kind=PhaseKind.VOTING).values_list("ends_at", flat=True).first()
    return (timezone.localtime(voting) if voting else timezone.localtime()).year


def participation_frame(cycle: BudgetCycle, year: int) -> pd.DataFrame:
    """Voters grouped by channel, commune, district and age band (one aggregated query).

    Columns: channel, commune (id or ``unknown``), district, priority (``priority`` /
    ``other`` / ``unknown``), age_band, n.
    """
    rows = list(
        Participation.objects.filter(cycle=cycle)
        .values("channel", "commune_id", "voter__district_id", "voter__district__is_priority_area")
        .annotate(birth_year=ExtractYear("voter__birth_date"), n=Count("pk"))
        .order_by()
    )
    columns = ["channel", "commune", "district", "priority", "age_band", "n"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame.from_records(rows)
    out = pd.DataFrame({
        "channel": frame["channel"].astype(str),
        "commune": frame["commune_id"].map(lambda v: UNKNOWN if pd.isna(v) else str(int(v))),
        "district": frame["voter__district_id"].map(lambda v: UNKNOWN if pd.isna(v) else str(int(v))),
        "priority": frame["voter__district__is_priority_area"].map(
            lambda v: UNKNOWN if v is None or pd.isna(v) else ("priority" if v else "other")),
        "age_band": frame["birth_year"].map(
            lambda v: UNKNOWN if v is None or pd.isna(v) else (age_band(year - int(v)) or UNKNOWN)),
        "n": frame["n"].astype(int),
    })
    # Several birth years fall in one band: regroup so the frame has one row per category.
    return out.groupby(columns[:-1], as_index=False, dropna=False)["n"].sum()


def cycle_communes(cycle: BudgetCycle) -> list[Commune]:
    """The communes of the cycle's envelopes; all communes when none is named (a
    territory-wide cycle)."""
    communes = list(Commune.objects.filter(envelopes__cycle=cycle).distinct().order_by("name"))
    return communes or list(Commune.objects.order_by("name"))


def population_frame(communes: list[Commune], bands: list[str]) -> pd.DataFrame:
    """Population of the voting-age bands, per district (commune, priority flag, band)."""
    rows = list(
        PopulationFigure.objects.filter(district__commune__in=communes, age_band__in=bands)
        .values("district_id", "district__commune_id", "district__is_priority_area", "age_band",
                "is_approximate", "source")
        .annotate(population=Sum("population"))
        .order_by()
    )
    if not rows:
        return pd.DataFrame(columns=["district", "commune", "priority", "age_band", "population",
                                     "is_approximate", "source"])
    frame = pd.DataFrame.from_records(rows)
    return pd.DataFrame({
        "district": frame["district_id"].astype(int).astype(str),
        "commune": frame["district__commune_id"].astype(int).astype(str),
        "priority": frame["district__is_priority_area"].map(lambda v: "priority" if v else "other"),
        "age_band": frame["age_band"].astype(str),
        "population": frame["population"].astype(int),
        "is_approximate": frame["is_approximate"].astype(bool),
        "source": frame["source"].astype(str),
    })


def _sums(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty:
        return {}
    return {str(k): int(v) for k, v in frame.groupby(column)["population"].sum().items()}


def participation_statistics(cycle: BudgetCycle) -> ParticipationStatistics:
    """Every participation table and both representativeness tests for ``cycle``.

    Three queries for the data (participation, population, districts) plus two small
    ones (communes, reference year), whatever the number of voters.
    """
    year = reference_year(cycle)
    bands = eligible_bands(cycle.minimum_age)
    communes = cycle_communes(cycle)
    votes = participation_frame(cycle, year)
    population = population_frame(communes, bands)
    districts = list(District.objects.filter(commune__in=communes).select_related("commune"))

    commune_labels = {str(c.pk): c.name for c in communes}
    district_labels = {str(d.pk): f"{d.name} ({d.commune.name})" for d in districts}
    district_order = [str(d.pk) for d in sorted(districts, key=lambda d: (d.commune.name, d.name))]
    band_labels = {str(v): str(label) for v, label in AgeBand.choices}
    # A voter outside the cycle's communes (moved since) still counts, under their commune.
    votes_communes = set(votes["commune"]) if not votes.empty else set()
    for commune in Commune.objects.filter(pk__in=[int(k) for k in votes_communes - {UNKNOWN}]
                                          ).exclude(pk__in=[c.pk for c in communes]):
        commune_labels[str(commune.pk)] = commune.name
    commune_pop = _sums(population, "commune")
    district_pop = _sums(population, "district")
    priority_pop = _sums(population, "priority")
    band_pop = _sums(population, "age_band")
    approximate = bool(population["is_approximate"].any()) if not population.empty else True
    sources = sorted({s for s in population["source"] if s}) if not population.empty else []

    total = int(votes["n"].sum()) if not votes.empty else 0
    no_account = _("Sans compte (vote en présentiel) ou compte sans cette information : « non renseigné ».")
    breakdowns = [
        breakdown_from(votes, "channel", key="channel", title=_("Par canal de vote"),
                       labels={str(v): str(label) for v, label in Channel.choices},
                       order=list(Channel.values)),
        breakdown_from(votes, "commune", key="commune", title=_("Par commune"), labels=commune_labels,
                       order=[str(c.pk) for c in communes], population=commune_pop or None),
        breakdown_from(votes, "district", key="district", title=_("Par quartier"),
                       labels=district_labels, order=district_order,
                       population=district_pop or None, note=no_account),
        breakdown_from(votes, "priority", key="priority",
                       title=_("Quartiers prioritaires et autres quartiers"),
                       labels={"priority": _("Quartiers prioritaires (QPV)"),
                               "other": _("Autres quartiers")},
                       order=["priority", "other"], population=priority_pop or None, note=no_account),
        breakdown_from(votes, "age_band", key="age", title=_("Par tranche d’âge"), labels=band_labels,
                       order=bands, population=band_pop or None, note=no_account),
        Breakdown(key="gender", title=_("Par genre"), total=total,
                  rows=[StatRow(key=UNKNOWN, label=_("Non renseigné"), voters=total,
                                share=1.0 if total else 0.0)],
                  note=_("Les comptes ne demandent pas le genre : il n’est renseigné pour aucun "
                         "votant, et PINS ne le devine pas.")),
    ]
    age_observed = ({str(k): int(v) for k, v in votes.groupby("age_band")["n"].sum().items()}
                    if not votes.empty else {})
    commune_observed = ({str(k): int(v) for k, v in votes.groupby("commune")["n"].sum().items()}
                        if not votes.empty else {})
    age_test = goodness_of_fit(
        age_observed, band_pop, band_labels, dimension=_("par tranche d’âge"),
        group_phrase={k: _("Les %(band)s") % {"band": v} for k, v in band_labels.items()})
    commune_test = goodness_of_fit(
        commune_observed, commune_pop, commune_labels, dimension=_("par commune"),
        group_phrase={k: _("Les habitants de %(commune)s") % {"commune": v}
                      for k, v in commune_labels.items()})
    return ParticipationStatistics(
        total=total, reference_year=year, minimum_age=cycle.minimum_age, breakdowns=breakdowns,
        age_test=age_test, commune_test=commune_test,
        population_source=", ".join(sources), population_is_approximate=approximate,
    )


def as_dict(statistics: ParticipationStatistics) -> dict[str, Any]:
    """The statistics as plain data (for the benchmark's printout and debugging)."""
    return {
        "total": statistics.total,
        "breakdowns": {b.key: {r.label: r.voters for r in b.rows} for b in statistics.breakdowns},
        "tests": {t.dimension: {"chi2": t.statistic, "p": t.p_value} for t in statistics.tests},
    }
