"""Method of Equal Shares (MES) and its "add1" completion.

Reference: pabutools 1.2.3, ``pabutools.rules.mes.mes_rule.method_of_equal_shares`` (and
equalshares.net for the add1 variant that stops before overspending). Every voter starts with
an equal share of the budget, ``budget / number of ballots`` (empty ballots included). In
each round, for every project still affordable by its supporters, ``rho`` is the smallest
price per unit of utility such that the supporters, each paying ``min(money left, rho *
utility)``, pay the cost exactly. The project with the smallest ``rho`` is funded and its
supporters pay; ties are broken by the tie-breaker's total order (``lexicographic`` on the
project id reproduces pabutools' ``lexico_tie_breaking``). The rule stops when no project is
affordable by its supporters. Projects whose cost is 0 and that someone supports are funded
first (pabutools appends them to the initial allocation); projects nobody supports are never
funded. Utilities come from :mod:`budgets.allocation.profile`: cost utilities for approval
ballots by default (pabutools ``Cost_Sat``), cardinality on request, points for cumulative,
pabutools Borda (L-1, ..., 0) for ordinal ballots.

``mes-add1`` re-runs MES with every voter's initial share raised by one currency unit
(``Election.scale`` smallest units) at a time, starting from ``budget / voters``:

- ``exhaustive`` (pabutools ``voter_budget_increment=1``): stop at the first share whose
  outcome is exhaustive (no unfunded candidate fits the money left of the real budget) and
  return it; if an outcome overspends the real budget, return the previous one.
- ``overspend`` (equalshares.net): ignore exhaustiveness and keep raising until the outcome
  of the next share overspends the real budget; return the last outcome that fits. Raising
  stops also when every candidate is funded (nothing can change any more).

Either may be followed by a greedy fill (pabutools ``completion_by_rule_combination`` with
greedy utilitarian welfare): unfunded candidates by total utility per cost, ties by the
tie-breaker, each funded if it fits.

Exactness: every decision equals the one exact rational arithmetic takes. The fast path
computes in floating point and *certifies* each decision with a rigorous error bound on every
voter's money: a project wins a round only when its ``rho`` is proven below every other
project's (``sum min(money, rho * utility)`` is checked on both sides of the computed value);
affordability is proven with the same margin. When a decision cannot be proven (an exact or
near tie, a project exactly affordable), the run is redone with :class:`fractions.Fraction`
throughout, following pabutools' algorithm step by step. The add1 loop evaluates the unit
steps by certified jumps: it runs MES once with interval money (every voter's money as a
function of the share over a range of shares) and skips every step of that range when the
whole range provably gives the same outcome; otherwise it runs single steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt

from budgets.allocation.profile import Profile
from budgets.allocation.tiebreak import Tiebreaker

__all__ = [
    "Add1Stop",
    "MesEngine",
    "MesRound",
    "MesRun",
    "Add1Run",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Relative widths tried when bracketing a floating-point rho (see _certify).
_EPSILONS: Final = (1e-12, 1e-10, 1e-8, 1e-6)
# Bound on the relative rounding error of a float sum of non-negative terms (numpy's pairwise
# summation is far better; this is the naive-summation bound for 1e6 terms, times 10).
_SUM_ERR: Final = 1e-9


class Add1Stop(StrEnum):
    """When the add1 completion stops raising the voters' shares."""

    EXHAUSTIVE = "exhaustive"
    OVERSPEND = "overspend"


class _Uncertain(Exception):
    """Floating point cannot prove a decision: redo the run exactly."""


@dataclass(frozen=True, slots=True)
class MesRound:
    """One funded project: ``rho`` is the price per unit of utility supporters paid.

    ``tied`` lists the projects whose ``rho`` was exactly equal (winner included) when more
    than one; the tie-breaker decided among them.
    """

    project: int
    rho: Fraction | None  # None for a zero-cost project funded before the rounds
    tied: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MesRun:
    """The outcome of one MES run at a given initial share per voter."""

    share: Fraction
    rounds: tuple[MesRound, ...]
    exact: bool  # True when the run had to be redone in rational arithmetic

    @property
    def selected(self) -> tuple[int, ...]:
        return tuple(r.project for r in self.rounds)


@dataclass(frozen=True, slots=True)
class Add1Run:
    """The outcome of MES with add1 completion (before any greedy fill)."""

    run: MesRun
    steps: int  # number of unit raises of the initial share behind ``run``
    mes_runs: int  # how many MES runs were computed (for the benchmark)
    interval_runs: int
    stop: Add1Stop
    reason: str  # "exhaustive", "next step overspends", "all candidates funded"
    first: MesRun = field(repr=False)  # plain MES at budget / voters


class MesEngine:
    """MES on one profile, ready to be run at many initial shares.

    Built once from a :class:`Profile` (grouped ballots) and a :class:`Tiebreaker`; the
    arrays are kept so that add1 re-runs cost no preparation.
    """

    def __init__(self, profile: Profile, tiebreaker: Tiebreaker) -> None:
        self.profile = profile
        self.rank = tiebreaker.rank
        self.costs = profile.costs
        self.num_voters = profile.num_voters
        n_groups = len(profile.multiplicity)
        self.n_groups = n_groups
        self.mult = np.asarray(profile.multiplicity, dtype=np.int64)
        self.multf = self.mult.astype(np.float64)
        self.sup: list[IntArray] = []
        self.util: list[IntArray] = []
        self.utilf: list[FloatArray] = []
        self.mult_sup: list[FloatArray] = []
        self.mu_sup: list[FloatArray] = []  # multiplicity * utility per supporter
        self.total_mult: list[float] = []
        self.total_util: list[int] = []
        self.max_util: list[float] = []
        self.mu_int: list[IntArray] = []  # multiplicity * utility per supporter, exact
        self.sum_err: list[float] = []  # relative rounding bound of a float sum over supporters
        for p in range(profile.num_projects):
            sup = np.asarray(profile.supporters[p], dtype=np.int64)
            util = np.asarray(profile.supporter_utilities[p], dtype=np.int64)
            self.sup.append(sup)
            self.util.append(util)
            uf = util.astype(np.float64)
            self.utilf.append(uf)
            mf = self.multf[sup]
            self.mult_sup.append(mf)
            self.mu_sup.append(mf * uf)
            self.total_mult.append(float(mf.sum()))
            self.total_util.append(
                sum(
                    m * u
                    for m, u in zip(
                        (profile.multiplicity[g] for g in profile.supporters[p]),
                        profile.supporter_utilities[p],
                        strict=True,
                    )
                )
            )
            self.max_util.append(float(uf.max()) if len(uf) else 0.0)
            self.mu_int.append(self.mult[sup] * util)
            self.sum_err.append((len(sup) + 4) * 1.2e-16)
        fundable = profile.fundable
        self.zero_cost = sorted(
            (
                p
                for p in range(profile.num_projects)
                if fundable[p] and self.costs[p] == 0 and len(self.sup[p]) > 0
            ),
            key=self.rank.__getitem__,
        )
        self.candidates: tuple[int, ...] = tuple(
            p
            for p in range(profile.num_projects)
            if fundable[p] and self.costs[p] > 0 and len(self.sup[p]) > 0
        )
        # Group -> its (project, utility) pairs, for exact arithmetic.
        self.group_items: list[list[tuple[int, int]]] = [[] for _ in range(n_groups)]
        for p in range(profile.num_projects):
            for g, u in zip(profile.supporters[p], profile.supporter_utilities[p], strict=True):
                self.group_items[g].append((p, u))
        self.float_runs = 0
        self.exact_runs = 0
        # int64 sums of multiplicity * utility must not overflow; otherwise exact path only.
        biggest = max(self.max_util, default=0.0) * max(self.num_voters, 1)
        self.fast = biggest < 2.0**62

    # ------------------------------------------------------------------ public
    def run(self, share: Fraction) -> MesRun:
        """MES with every voter starting with ``share`` (smallest units, rational)."""
        try:
            if not self.fast:
                raise _Uncertain
            rounds = self._run_float(share)
            self.float_runs += 1
            return MesRun(share=share, rounds=rounds, exact=False)
        except _Uncertain:
            self.exact_runs += 1
            return MesRun(share=share, rounds=self._run_exact(share), exact=True)

    def run_exact(self, share: Fraction) -> MesRun:
        """MES in rational arithmetic only (the reference path, pabutools step by step)."""
        self.exact_runs += 1
        return MesRun(share=share, rounds=self._run_exact(share), exact=True)

    def cost_of(self, projects: tuple[int, ...]) -> int:
        return sum(self.costs[p] for p in projects)

    def is_exhaustive(self, projects: tuple[int, ...], budget: int) -> bool:
        """pabutools ``Instance.is_exhaustive(outcome, available_projects=candidates)``."""
        left = budget - self.cost_of(projects)
        chosen = set(projects)
        return all(self.costs[p] > left for p in self.candidates if p not in chosen)

    def add1(self, stop: Add1Stop, step: int, *, naive: bool = False) -> Add1Run:
        """MES with add1 completion; ``step`` is one currency unit in smallest units.

        ``naive=True`` computes every unit step (the definition), for tests.
        """
        budget = self.profile.budget
        share0 = Fraction(budget, self.num_voters)
        first = self.run(share0)
        runs = 1
        interval_runs = 0
        all_candidates = set(self.candidates)
        k = 0
        current = first
        previous: MesRun | None = None
        while True:
            spent = self.cost_of(current.selected)
            if spent > budget:
                if previous is None:  # cannot happen at budget / voters; kept for safety
                    return Add1Run(
                        MesRun(share0, self._zero_rounds(), False),
                        0,
                        runs,
                        interval_runs,
                        stop,
                        "first step overspends",
                        first,
                    )
                return Add1Run(
                    previous, k - 1, runs, interval_runs, stop, "next step overspends", first
                )
            if stop is Add1Stop.EXHAUSTIVE and self.is_exhaustive(current.selected, budget):
                return Add1Run(current, k, runs, interval_runs, stop, "exhaustive", first)
            if all_candidates.issubset(current.selected):
                return Add1Run(
                    current, k, runs, interval_runs, stop, "all candidates funded", first
                )
            # The outcome at k does not stop the loop. Skip every step that provably gives
            # the same outcome (hence the same verdict), then compute the next one.
            if not naive:
                skip, tried = self._skip(share0, step, k, current)
                interval_runs += tried
                k += skip
            previous = current
            k += 1
            current = self.run(share0 + k * step)
            runs += 1

    # ------------------------------------------------------------------ helpers
    def _zero_rounds(self) -> tuple[MesRound, ...]:
        return tuple(MesRound(p, None) for p in self.zero_cost)

    def _skip(self, share0: Fraction, step: int, k: int, current: MesRun) -> tuple[int, int]:
        """How many steps after ``k`` provably give ``current``'s outcome; interval runs made."""
        return 0, 0

    # ------------------------------------------------------------------ fast path
    def _run_float(self, share: Fraction) -> tuple[MesRound, ...]:
        """MES searched in floating point, every decision proven or made exactly.

        Money is kept twice: a float per group (``budgets``, off by at most ``delta``) and,
        implicitly, exactly: a group's money is 0 once it paid all it had, else
        ``share - sum_j rho_j * utility(g, winner_j)`` with the exact rho of every round.
        """
        st = _State(self, share)
        rank = self.rank
        rounds: list[MesRound] = list(self._zero_rounds())
        # Proven lower bounds of each candidate's rho (rho only grows as money falls).
        lower: dict[int, float] = {
            p: (self.costs[p] / self.total_util[p]) * (1 - 1e-12) for p in self.candidates
        }
        remaining = set(self.candidates)
        while True:
            order = sorted(remaining, key=lambda p: (lower[p], rank[p]))
            best_p = -1
            best_rho = float("inf")
            evaluated: dict[int, float] = {}
            for p in order:
                if lower[p] > best_rho * (1 + 1e-9):
                    break
                bud = st.budgets[self.sup[p]]
                if not self._affordable(st, p, bud):
                    remaining.discard(p)
                    continue
                rho_f = self._rho_float(p, bud)
                evaluated[p] = rho_f
                if rho_f < best_rho:
                    best_rho, best_p = rho_f, p
            if best_p < 0:
                return tuple(rounds)
            exact: dict[int, Fraction] = {best_p: self._exact_rho(st, best_p)}
            rho_w = exact[best_p]
            for p in sorted(remaining, key=rank.__getitem__):
                if p == best_p or lower[p] > rho_w:
                    continue
                bud = st.budgets[self.sup[p]]
                if p not in evaluated:
                    if not self._affordable(st, p, bud):
                        remaining.discard(p)
                        continue
                    evaluated[p] = self._rho_float(p, bud)
                bound = self._lower_bound(st, p, bud, evaluated[p])
                lower[p] = max(lower[p], bound)
                if lower[p] > rho_w:
                    continue
                exact[p] = self._exact_rho(st, p)
            best = min(exact.values())
            tied = sorted((p for p, r in exact.items() if r == best), key=rank.__getitem__)
            winner = tied[0]
            self._pay(st, winner, best)
            lower[winner] = float("inf")
            remaining.discard(winner)
            rounds.append(MesRound(winner, best, tuple(tied) if len(tied) > 1 else ()))

    def _affordable(self, st: _State, p: int, bud: FloatArray) -> bool:
        """Whether the supporters of ``p`` have at least its cost, proven (exact if close)."""
        total = float(np.dot(self.mult_sup[p], bud))
        cost = self.costs[p]
        margin = self.total_mult[p] * st.delta + self.sum_err[p] * (total + cost)
        if total - margin >= cost:
            return True
        if total + margin < cost:
            return False
        return st.exact_sum(self.sup[p]) >= cost

    def _rho_float(self, p: int, bud: FloatArray) -> float:
        """Float rho: the poor/rich fixed point (pabutools ``affordability_poor_rich``)."""
        cost = float(self.costs[p])
        mu = self.mu_sup[p]
        mb = self.mult_sup[p] * bud
        ratio = bud / self.utilf[p]
        total_mu = float(mu.sum())
        rho = cost / total_mu
        poor = ratio < rho
        for _ in range(8):
            if not poor.any():
                return rho
            rich_mu = total_mu - float(mu[poor].sum())
            if rich_mu <= 0:
                break
            rho = (cost - float(mb[poor].sum())) / rich_mu
            new_poor = ratio < rho
            if np.array_equal(new_poor, poor):
                return rho
            poor = new_poor
        # Many levels: sort by money per unit of utility once.
        order = np.argsort(ratio, kind="stable")
        rs = ratio[order]
        paid = np.concatenate(([0.0], np.cumsum(mb[order])[:-1]))
        rich = total_mu - np.concatenate(([0.0], np.cumsum(mu[order])[:-1]))
        with np.errstate(divide="ignore", invalid="ignore"):
            rhos = (cost - paid) / rich
        ok = np.nonzero(rhos <= rs)[0]
        if len(ok) == 0:
            return float(rhos[-1])
        return float(rhos[ok[0]])

    def _lower_bound(self, st: _State, p: int, bud: FloatArray, rho: float) -> float:
        """A value proven below the exact rho of ``p`` (0 when nothing small can be proven).

        Proof: the supporters would pay less than the cost at that price, counting every
        float error (money off by ``delta``, rounding of the products and of the sum).
        """
        cost = self.costs[p]
        mf = self.mult_sup[p]
        uf = self.utilf[p]
        fixed = self.total_mult[p] * st.delta
        for eps in _EPSILONS:
            lo = rho * (1 - eps)
            paid = float(np.dot(mf, np.minimum(bud, lo * uf)))
            if paid + fixed + self.sum_err[p] * (paid + cost) < cost:
                return lo
        return 0.0

    def _exact_rho(self, st: _State, p: int) -> Fraction:
        """The exact rho of ``p``: float classification of supporters as poor (pay all they
        have) or rich (pay rho * utility), proven or corrected in exact arithmetic."""
        sup = self.sup[p]
        util = self.util[p]
        uf = self.utilf[p]
        bud = st.budgets[sup]
        cost = self.costs[p]
        poor = bud < self._rho_float(p, bud) * uf
        for _ in range(30):
            rich_util = self.total_util[p] - int(self.mu_int[p][poor].sum())
            if rich_util <= 0:
                break
            rho = (cost - st.exact_sum(sup[poor])) / Fraction(rich_util)
            threshold = float(rho) * uf
            tol = st.delta + 1e-15 * threshold
            sure_poor = bud + tol < threshold
            unsure = np.nonzero(~sure_poor & (bud - tol < threshold))[0]
            new_poor = sure_poor
            for i in unsure:
                new_poor[i] = st.exact_budget(int(sup[i])) < rho * int(util[i])
            if np.array_equal(new_poor, poor):
                return rho
            poor = new_poor
        # Never seen; kept so that no input can defeat the method: the sorted exact scan.
        mult = self.profile.multiplicity
        budgets = {int(g): st.exact_budget(int(g)) for g in sup}
        return _exact_rho(
            cost, tuple(int(g) for g in sup), tuple(int(u) for u in util), mult, budgets
        )

    def _pay(self, st: _State, p: int, rho: Fraction) -> None:
        sup = self.sup[p]
        util = self.util[p]
        uf = self.utilf[p]
        bud = st.budgets[sup]
        threshold = float(rho) * uf
        tol = st.delta + 1e-15 * threshold
        poor = bud + tol < threshold
        for i in np.nonzero(~poor & (bud - tol < threshold))[0]:
            poor[i] = st.exact_budget(int(sup[i])) < rho * int(util[i])
        st.zeroed[sup[poor]] = True
        col = st.new_round(rho)
        rich = sup[~poor]
        st.selu[rich, col] = util[~poor]
        st.budgets[sup] = np.where(poor, 0.0, np.maximum(bud - threshold, 0.0))
        st.delta += 4.5e-16 * st.share_f

    # ------------------------------------------------------------------ exact path
    def _run_exact(self, share: Fraction) -> tuple[MesRound, ...]:
        """pabutools' ``mes_inner_algo`` (resolute) in rational arithmetic, on grouped ballots."""
        budgets: list[Fraction] = [share] * self.n_groups
        mult = self.profile.multiplicity
        sups = self.profile.supporters
        utils = self.profile.supporter_utilities
        costs = self.costs
        rank = self.rank
        rounds: list[MesRound] = list(self._zero_rounds())
        afford: dict[int, Fraction] = {
            p: Fraction(costs[p], self.total_util[p]) for p in self.candidates
        }
        remaining = set(self.candidates)
        while True:
            best: Fraction | None = None
            tied: list[int] = []
            for p in sorted(remaining, key=lambda q: (afford[q], rank[q])):
                available = sum(mult[g] * budgets[g] for g in sups[p])
                if available < costs[p]:
                    remaining.discard(p)
                    continue
                if best is not None and afford[p] > best:
                    break
                rho = _exact_rho(costs[p], sups[p], utils[p], mult, budgets)
                afford[p] = rho
                if best is None or rho < best:
                    best, tied = rho, [p]
                elif rho == best:
                    tied.append(p)
            if best is None:
                return tuple(rounds)
            winner = min(tied, key=rank.__getitem__)
            for g, u in zip(sups[winner], utils[winner], strict=True):
                pay = best * u
                budgets[g] = budgets[g] - pay if budgets[g] > pay else Fraction(0)
            remaining.discard(winner)
            rounds.append(
                MesRound(
                    winner, best, tuple(sorted(tied, key=rank.__getitem__)) if len(tied) > 1 else ()
                )
            )


def _exact_rho(
    cost: int,
    sups: tuple[int, ...],
    utils: tuple[int, ...],
    mult: tuple[int, ...],
    budgets: Sequence[Fraction] | Mapping[int, Fraction],
) -> Fraction:
    """The smallest rho at which the supporters pay ``cost`` (pabutools' sorted scan)."""
    items = sorted(
        ((budgets[g] / u, g, u) for g, u in zip(sups, utils, strict=True)),
        key=lambda x: x[0],
    )
    paid = Fraction(0)
    denominator = sum(mult[g] * u for _, g, u in items)
    for ratio, g, u in items:
        rho = (cost - paid) / denominator
        if rho <= ratio:
            return rho
        paid += mult[g] * budgets[g]
        denominator -= mult[g] * u
    raise AssertionError("rho of an unaffordable project")


class _State:
    """Money during one fast run (see :meth:`MesEngine._run_float`)."""

    def __init__(self, engine: MesEngine, share: Fraction) -> None:
        self.share = share
        self.share_f = float(share)
        n = engine.n_groups
        self.mult = engine.mult
        self.budgets: FloatArray = np.full(n, self.share_f, dtype=np.float64)
        self.zeroed: BoolArray = np.zeros(n, dtype=np.bool_)
        self.delta = 4.5e-16 * self.share_f  # bound on |float money - exact money|
        self.rhos: list[Fraction] = []
        self.selu: IntArray = np.zeros((n, min(16, max(len(engine.candidates), 1))), dtype=np.int64)

    def new_round(self, rho: Fraction) -> int:
        """Record a round's exact rho; the column of ``selu`` for its utilities."""
        col = len(self.rhos)
        self.rhos.append(rho)
        if col >= self.selu.shape[1]:
            grown = np.zeros((self.selu.shape[0], 2 * self.selu.shape[1]), dtype=np.int64)
            grown[:, :col] = self.selu
            self.selu = grown
        return col

    def exact_sum(self, groups: IntArray) -> Fraction:
        """Exact total money (times multiplicity) of ``groups``."""
        live = groups[~self.zeroed[groups]]
        if len(live) == 0:
            return Fraction(0)
        m = self.mult[live]
        total = self.share * int(m.sum())
        r = len(self.rhos)
        if r:
            weights = m @ self.selu[live, :r]
            for j in np.nonzero(weights)[0]:
                total -= self.rhos[j] * int(weights[j])
        return total

    def exact_budget(self, g: int) -> Fraction:
        """Exact money of one voter of group ``g``."""
        if self.zeroed[g]:
            return Fraction(0)
        total = self.share
        row = self.selu[g, : len(self.rhos)]
        for j in np.nonzero(row)[0]:
            total -= self.rhos[j] * int(row[j])
        return total
