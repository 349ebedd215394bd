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

Either may be followed by a greedy fill (``engine.allocate(..., greedy_fill=True)``, with
:mod:`budgets.allocation.greedy`; pabutools ``completion_by_rule_combination``).

Exactness: every decision is the one exact rational arithmetic takes (tested against a plain
:class:`fractions.Fraction` implementation of pabutools' algorithm, :meth:`MesEngine.run_exact`).
The fast path searches in floating point on grouped ballots (one supporter array per project,
numpy) and proves what it decides:

- money is known exactly without being stored exactly: a voter group's money is 0 once it
  paid all it had, else ``share - sum_j rho_j * utility`` over the rounds it paid in, with
  every ``rho_j`` an exact fraction kept over one common denominator; the float copy of the
  money carries a proven error bound ``delta``;
- the winner's ``rho`` is computed exactly (float split of its supporters into poor and
  rich, proven or corrected in exact arithmetic); another project is set aside only with a
  proven lower bound of its ``rho`` above the winner's (for any split P/R of its supporters,
  ``rho >= (cost - money of P) / utility of R``), otherwise its exact ``rho`` is computed
  too, so exact ties are found and broken by the tie-breaker;
- affordability is decided in floats only outside an error margin, exactly inside it;
- lazy re-evaluation: projects are examined in order of their last proven lower bound
  (``rho`` only grows as money falls) and examination stops above the best ``rho`` found.

The rational path runs the whole rule only when int64/float64 sums could be inexact (huge
utilities). The add1 loop computes every unit step it cannot skip; it skips steps only
with a proof: a run at share ``b`` *guided* by the run at ``a`` shows that every share in
``[a, b]`` funds the same projects in the same order (see :meth:`MesEngine._run_float`).
Leaps are tried on long plateaus and abandoned where the proofs keep failing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from budgets.allocation.profile import Profile
from budgets.allocation.result import ProjectExplanation, Reason, TieBreak, explain
from budgets.allocation.tiebreak import Tiebreaker

__all__ = [
    "Add1Run",
    "Add1Stop",
    "MesEngine",
    "MesRound",
    "MesRun",
    "explain_run",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Add1Stop(StrEnum):
    """When the add1 completion stops raising the voters' shares."""

    EXHAUSTIVE = "exhaustive"
    OVERSPEND = "overspend"


class _Uncertain(Exception):
    """Floating point cannot prove a decision: redo the run exactly."""


class _NotSame(Exception):
    """A guided run could not prove that its outcome is the guide's (module docstring)."""


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
    exact: bool  # True when the run used the rational path (MesEngine.run_exact or huge sums)

    @property
    def selected(self) -> tuple[int, ...]:
        return tuple(r.project for r in self.rounds)


@dataclass(frozen=True, slots=True)
class Add1Run:
    """The outcome of MES with add1 completion (before any greedy fill)."""

    run: MesRun
    steps: int  # number of unit raises of the initial share behind ``run``
    mes_runs: int  # how many MES runs were computed (for the benchmark)
    leaps: int  # guided runs tried to skip steps (each counted in mes_runs too)
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
            self.total_util.append(profile.total_utility[p])
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
        self._last_money: Callable[[IntArray], Fraction] = lambda groups: Fraction(0)
        # Money arrays of the fast path, shared by successive runs (see _State).
        self.buffers: tuple[FloatArray, BoolArray, npt.NDArray[Any]] | None = None
        # Approval ballots give every supporter of a project the same utility: the fast path
        # then records who paid in a round as a flag (see _State).
        self.uniform_util: list[float] = [
            float(us[0]) if us and len(set(us)) == 1 else 0.0 for us in profile.supporter_utilities
        ]
        self.uniform = all(self.uniform_util[p] for p in self.candidates)
        # Sums of multiplicity * utility must be exact in int64, and in float64 (2**53) when
        # utilities vary; otherwise the exact path only.
        biggest = max(self.max_util, default=0.0) * max(self.num_voters, 1)
        self.fast = biggest < (2.0**62 if self.uniform else 2.0**53)

    # ------------------------------------------------------------------ public
    def run(self, share: Fraction) -> MesRun:
        """MES with every voter starting with ``share`` (smallest units, rational)."""
        if self.fast:
            try:
                return MesRun(share=share, rounds=self._run_float(share), exact=False)
            except _Uncertain:
                pass
        return self.run_exact(share)

    def run_exact(self, share: Fraction) -> MesRun:
        """MES in rational arithmetic only (the reference path, pabutools step by step)."""
        return MesRun(share=share, rounds=self._run_exact(share), exact=True)

    def supporters_money(self, run: MesRun) -> dict[int, Fraction]:
        """Exact money left to the supporters of every unfunded candidate after ``run``
        (recomputed: one more run at ``run.share``)."""
        if run.exact:
            self._run_exact(run.share)
        else:
            self._run_float(run.share)
        funded = set(run.selected)
        return {p: self._last_money(self.sup[p]) for p in self.candidates if p not in funded}

    def cost_of(self, projects: tuple[int, ...]) -> int:
        return sum(self.costs[p] for p in projects)

    def is_exhaustive(self, projects: tuple[int, ...], budget: int) -> bool:
        """pabutools ``Instance.is_exhaustive(outcome, available_projects=candidates)``."""
        left = budget - self.cost_of(projects)
        chosen = set(projects)
        return all(self.costs[p] > left for p in self.candidates if p not in chosen)

    def add1(self, stop: Add1Stop, step: int, *, naive: bool = False) -> Add1Run:
        """MES with add1 completion; ``step`` is one currency unit in smallest units.

        The result is the one of the unit-step definition (module docstring). Steps are
        skipped only when proven to give the outcome already known: a run at a larger
        share ``b`` *guided* by the run at ``a`` proves that every share in ``[a, b]``
        funds the same projects in the same order (see :meth:`_run_float`). ``naive=True``
        computes every unit step, for tests.
        """
        budget = self.profile.budget
        if self.num_voters == 0:  # pabutools returns the empty allocation
            empty = MesRun(Fraction(0), (), False)
            return Add1Run(empty, 0, 0, 0, stop, "no ballots", empty)
        share0 = Fraction(budget, self.num_voters)
        first = self.run(share0)
        runs = 1
        leaps = 0
        all_candidates = set(self.candidates)
        k = 0
        current = first
        previous: MesRun | None = None
        width = 1  # next leap to try, in steps (1: no leap)
        streak = 1  # consecutive computed steps with the current outcome
        retry_at = 2  # streak at which to try leaping again
        credit = 3.0  # leaps are tried only while they have paid for their failures
        while True:
            spent = self.cost_of(current.selected)
            if spent > budget:
                if previous is None:  # cannot happen at budget / voters; kept for safety
                    empty = MesRun(share0, self._zero_rounds(), False)
                    return Add1Run(empty, 0, runs, leaps, stop, "first step overspends", first)
                return Add1Run(previous, k - 1, runs, leaps, stop, "next step overspends", first)
            if stop is Add1Stop.EXHAUSTIVE and self.is_exhaustive(current.selected, budget):
                return Add1Run(current, k, runs, leaps, stop, "exhaustive", first)
            if all_candidates.issubset(current.selected):
                return Add1Run(current, k, runs, leaps, stop, "all candidates funded", first)
            # The outcome at k does not stop the loop. Leap over steps proven to give the
            # same outcome (hence the same verdict), then compute the next step.
            # Leaps pay off on long plateaus only: after s equal steps try one of s steps,
            # double it while it succeeds, halve it when it fails; after a failed series,
            # wait for the plateau to double before trying again. Where the proof keeps
            # failing (rhos of rivals too close for the range), stop trying.
            while width > 1 and credit >= 1 and not naive and self.fast and not current.exact:
                runs += 1
                leaps += 1
                target = share0 + (k + width) * step
                try:
                    leaped = MesRun(target, self._run_float(target, current.rounds), False)
                except _NotSame:
                    credit -= 1
                    width //= 2
                    if width < 2:
                        retry_at = 2 * streak
                    continue
                credit = min(credit + width / 2, 50.0)
                k += width
                current = leaped
                width *= 2
            previous = current
            k += 1
            current = self.run(share0 + k * step)
            runs += 1
            if current.selected == previous.selected:
                streak += 1
                if streak >= retry_at:
                    width = streak
            else:
                streak, width, retry_at = 1, 1, 2

    # ------------------------------------------------------------------ helpers
    def _zero_rounds(self) -> tuple[MesRound, ...]:
        return tuple(MesRound(p, None) for p in self.zero_cost)

    # ------------------------------------------------------------------ fast path
    def _run_float(
        self, share: Fraction, guide: tuple[MesRound, ...] | None = None
    ) -> tuple[MesRound, ...]:
        """MES searched in floating point, every decision proven or made exactly.

        Money is kept twice: a float per group (``st.budgets``, off by at most ``st.delta``)
        and, implicitly, exactly: a group's money is 0 once it paid all it had, else
        ``share - sum_j rho_j * utility(g, winner_j)`` with the exact rho of every round.
        The winner's rho is always computed exactly; another project is set aside only with
        a proven lower bound above it, otherwise its exact rho is computed too.

        ``guide``: the rounds of a run at a smaller share ``a``. Then the run raises
        :class:`_NotSame` unless it proves that every share in ``[a, share]`` gives the guide's
        rounds: in each round the winner must be the guide's (without a tie) and every other
        project still affordable at ``share`` must have a proven rho above the guide's rho for
        that round. Proof: money at a share in between lies, round after round, between the
        money of the two runs (paying ``min(money, rho * utility)`` is monotone), so the winner
        stays affordable with a rho at most the guide's, every other project has a rho at
        least its rho here, and projects unaffordable here are unaffordable there.
        """
        st = _State(self, share)
        rank = self.rank
        rounds: list[MesRound] = list(self._zero_rounds())
        # Proven lower bounds of each candidate's rho (rho only grows as money falls).
        lower: dict[int, float] = {
            p: (self.costs[p] / self.total_util[p]) * (1 - 1e-15) for p in self.candidates
        }
        remaining = set(self.candidates)
        while True:
            best_p = -1
            best_rho = math.inf
            evals: dict[int, _Eval] = {}
            # The bounds at the start of the round, ascending; they only grow in the round.
            pairs = sorted((lower[p], p) for p in remaining)
            for _, p in pairs:
                if lower[p] > best_rho * (1 + 1e-9):
                    break
                ev = self._evaluate(st, p)
                if ev is None:
                    remaining.discard(p)
                    continue
                evals[p] = ev
                lower[p] = max(lower[p], ev.lower)
                if ev.rho < best_rho:
                    best_rho, best_p = ev.rho, p
            if best_p < 0:
                if guide is not None and len(rounds) != len(guide):
                    raise _NotSame
                self._last_money = st.exact_sum
                self.buffers = (st.budgets, st.zeroed, st.selu)  # selu may have been widened
                return tuple(rounds)
            rho_w, poor_w = self._exact_rho(st, best_p, evals[best_p])
            exact: dict[int, tuple[Fraction, BoolArray]] = {best_p: (rho_w, poor_w)}
            # float(rho_w) is within a relative 2**-53 of rho_w: above that, proven greater.
            above = float(rho_w) * (1 + 1e-15)
            for start, p in pairs:
                if start > above:  # so are this bound now and every later one
                    break
                if p == best_p or p not in remaining or lower[p] > above or lower[p] > rho_w:
                    continue
                ev_or_none = evals.get(p) or self._evaluate(st, p)
                if ev_or_none is None:
                    remaining.discard(p)
                    continue
                evals[p] = ev_or_none
                lower[p] = max(lower[p], ev_or_none.lower)
                if lower[p] > above or lower[p] > rho_w:
                    continue
                exact[p] = self._exact_rho(st, p, ev_or_none)
            best = min(r for r, _ in exact.values())
            tied = sorted((p for p, (r, _) in exact.items() if r == best), key=rank.__getitem__)
            winner = tied[0]
            if guide is not None:
                self._check_guide(st, guide, len(rounds), tied, best, remaining, lower, evals)
            self._pay(st, winner, best, exact[winner][1], evals[winner].bud)
            remaining.discard(winner)
            del lower[winner]
            rounds.append(MesRound(winner, best, tuple(tied) if len(tied) > 1 else ()))

    def _check_guide(
        self,
        st: _State,
        guide: tuple[MesRound, ...],
        index: int,
        tied: list[int],
        best: Fraction,
        remaining: set[int],
        lower: dict[int, float],
        evals: dict[int, _Eval],
    ) -> None:
        """Raise :class:`_NotSame` unless this round provably matches the guide's round.

        A tie is accepted when both runs have the same tied projects at the same exact rho:
        each tied rho is monotone in the share and equal at both ends, so constant between.
        """
        if index >= len(guide):
            raise _NotSame
        ref = guide[index]
        bound = ref.rho
        if bound is None or ref.project != tied[0]:
            raise _NotSame
        if (ref.tied or len(tied) > 1) and (ref.tied != tuple(tied) or bound != best):
            raise _NotSame
        above = float(bound) * (1 + 1e-15)
        for p in list(remaining):
            if p in tied or lower[p] > above or lower[p] > bound:
                continue
            ev = evals.get(p) or self._evaluate(st, p)
            if ev is None:
                remaining.discard(p)
                continue
            evals[p] = ev
            lower[p] = max(lower[p], ev.lower)
            if not (lower[p] > above or lower[p] > bound):
                raise _NotSame

    def _evaluate(self, st: _State, p: int) -> _Eval | None:
        """Float rho of ``p`` with a proven lower bound; None if proven unaffordable.

        The float rho is pabutools' poor/rich fixed point (``affordability_poor_rich``). For
        any split of the supporters into poor P and rich R, ``c <= sum_P money + rho * U_R``,
        hence ``rho >= (c - sum_P money) / U_R``: with money bounded above (float + delta,
        rounding of the sum) this is the proven lower bound.
        """
        sup = self.sup[p]
        bud = st.budgets.take(sup)
        mf = self.mult_sup[p]
        total = float(np.einsum("i,i->", mf, bud))
        cost = self.costs[p]
        sum_err = self.sum_err[p]
        margin = self.total_mult[p] * st.delta + sum_err * (total + cost)
        if total - margin < cost and (
            total + margin < cost or st.exact_sum_num(sup) < cost * st.common
        ):
            return None
        total_mu = float(self.total_util[p])
        rho = cost / total_mu
        u = self.uniform_util[p]
        if u:
            # One utility for all supporters: compare money with rho * u directly. Sums over
            # the poor are dot products with the 0/1 mask (no compress; einsum, not BLAS: OpenBLAS
            # threads would spin on the other core).
            poor = bud < rho * u
            count = int(np.count_nonzero(poor))
            poor_mass = poor_sum = 0.0
            if count:
                mb = mf * bud
                for _ in range(8):
                    pf = poor.astype(np.float64)
                    poor_mass = float(np.einsum("i,i->", mf, pf))
                    poor_sum = float(np.einsum("i,i->", mb, pf))
                    rich_mu = total_mu - u * poor_mass
                    if rich_mu <= 0:
                        break
                    rho = (cost - poor_sum) / rich_mu
                    new_poor = bud < rho * u
                    new_poor |= poor
                    new_count = int(np.count_nonzero(new_poor))
                    if new_count == count:
                        break
                    poor, count = new_poor, new_count
                else:
                    rho, poor = _rho_sorted(float(cost), bud / u, mb, mf * u, total_mu)
                    count = int(np.count_nonzero(poor))
                    pf = poor.astype(np.float64)
                    poor_mass = float(np.einsum("i,i->", mf, pf))
                    poor_sum = float(np.einsum("i,i->", mb, pf))
            # poor_mass and poor_sum are those of ``poor`` on every exit of the loop; the
            # masses are integers below 2**53, so poor_mass is exact.
            rich_util = self.total_util[p] - int(self.util[p][0]) * int(poor_mass)
            poor_money = poor_sum * (1 + sum_err) + poor_mass * st.delta if count else 0.0
            lower = (cost - poor_money) / rich_util * (1 - 1e-15) if rich_util > 0 else 0.0
            return _Eval(rho=rho, lower=max(lower, 0.0), poor=poor, bud=bud)
        mb = mf * bud
        mu = self.mu_sup[p]
        ratio = bud / self.utilf[p]
        poor = ratio < rho
        count = int(np.count_nonzero(poor))
        for _ in range(8):
            if not count:
                break
            rich_mu = total_mu - float(mu[poor].sum())
            if rich_mu <= 0:
                break
            rho = (cost - float(mb[poor].sum())) / rich_mu
            new_poor = (ratio < rho) | poor
            new_count = int(np.count_nonzero(new_poor))
            if new_count == count:
                break
            poor, count = new_poor, new_count
        else:
            rho, poor = _rho_sorted(float(cost), ratio, mb, mu, total_mu)
            count = int(np.count_nonzero(poor))
        if count:
            mfp = mf[poor]
            rich_util = self.total_util[p] - int(self.mu_int[p][poor].sum())
            poor_money = (
                float(np.einsum("i,i->", mfp, bud[poor])) * (1 + sum_err)
                + float(mfp.sum()) * st.delta
            )
        else:
            rich_util = self.total_util[p]
            poor_money = 0.0
        lower = (cost - poor_money) / rich_util * (1 - 1e-15) if rich_util > 0 else 0.0
        return _Eval(rho=rho, lower=max(lower, 0.0), poor=poor, bud=bud)

    def _exact_rho(self, st: _State, p: int, ev: _Eval) -> tuple[Fraction, BoolArray]:
        """The exact rho of ``p`` and the exact set of its poor supporters (those who pay all
        their money): the float split is proven, or corrected, in exact arithmetic."""
        sup = self.sup[p]
        util = self.util[p]
        uf = self.utilf[p]
        bud = ev.bud
        cost = self.costs[p]
        poor = ev.poor
        u = self.uniform_util[p]
        for _ in range(30):
            count = int(np.count_nonzero(poor))
            rich_util = self.total_util[p]
            if count:
                rich_util -= int(self.mu_int[p][poor].sum())
            if rich_util <= 0:
                break
            if not count:  # nobody poor: rho = cost / total utility, no exact sum needed
                rho = Fraction(cost, rich_util)
            else:
                rho = Fraction(
                    cost * st.common - st.exact_sum_num(sup[poor]), st.common * rich_util
                )
            if u:  # one threshold for all: two passes decide everybody in the common case
                limit = float(rho) * u
                tol = st.delta + 1e-15 * limit
                if not count:
                    if not (bud < limit + tol).any():
                        return rho, poor
                else:
                    new_poor = bud < limit - tol
                    if np.array_equal(new_poor, poor) and (
                        np.count_nonzero(bud < limit + tol) == count
                    ):
                        return rho, poor
            threshold = float(rho) * uf
            tol_array = st.delta + 1e-15 * threshold
            new_poor = bud + tol_array < threshold
            for i in np.nonzero(~new_poor & (bud - tol_array < threshold))[0]:
                new_poor[i] = st.exact_budget(int(sup[i])) < rho * int(util[i])
            if np.array_equal(new_poor, poor):
                return rho, poor
            poor = new_poor
        # Never seen; kept so that no input can defeat the method: the sorted exact scan.
        budgets = {int(g): st.exact_budget(int(g)) for g in sup}
        rho = _exact_rho(
            cost,
            tuple(int(g) for g in sup),
            tuple(int(u) for u in util),
            self.profile.multiplicity,
            budgets,
        )
        poor = np.array([budgets[int(g)] < rho * int(u) for g, u in zip(sup, util, strict=True)])
        return rho, poor

    def _pay(self, st: _State, p: int, rho: Fraction, poor: BoolArray, bud: FloatArray) -> None:
        """Supporters pay: the poor all they have, the rich ``rho * utility``.

        ``bud`` is the supporters' float money (``st.budgets[self.sup[p]]``)."""
        sup = self.sup[p]
        row = st.new_round(rho)
        # Whole-supporter writes, no compress; the column of this round is still all 0. With
        # one positive utility, a group already zeroed (exact money 0, below rho * utility) is
        # in ``poor``; with varying utilities, a utility of 0 would not be.
        u = self.uniform_util[p]
        if u:
            st.zeroed[sup] = poor
        else:
            st.zeroed[sup] |= poor
        rich = ~poor
        if st.uniform:
            st.selu[:, row][sup] = rich  # through the column view: faster than [sup, row]
            st.round_util.append(int(self.util[p][0]))
        else:
            st.selu[:, row][sup] = np.where(poor, 0.0, self.utilf[p])
        price = float(rho) * u if u else float(rho) * self.utilf[p]
        left = bud - price
        np.putmask(left, poor, 0.0)
        st.budgets[sup] = np.maximum(left, 0.0, out=left)
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
                self._last_money = lambda groups: sum(
                    (mult[int(g)] * budgets[int(g)] for g in groups), Fraction(0)
                )
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


def explain_run(
    profile: Profile, tiebreaker: Tiebreaker, engine: MesEngine, run: MesRun
) -> tuple[dict[int, ProjectExplanation], list[TieBreak]]:
    """One explanation per project of ``profile`` for ``run``, and the ties it broke.

    Funded: the round (1-based) and the price per supporter (``rho * utility``: what each
    supporter who could afford it paid; with points or ranks, ``rho`` is the price per
    point). Not funded: ``lost-tie`` if it tied for a round, lost and was never funded;
    else ``supporters-money-exhausted`` with the money its supporters had left at the end
    (exact, rounded down to the smallest unit) in the note, or "no supporter".
    """
    explanations: dict[int, ProjectExplanation] = {}
    tie_breaks: list[TieBreak] = []
    lost: dict[int, int] = {}
    for r, rnd in enumerate(run.rounds, 1):
        if rnd.rho is None:
            explanations[rnd.project] = explain(
                profile, rnd.project, Reason.FUNDED, round=r, note="free project"
            )
            continue
        u = engine.uniform_util[rnd.project]
        price = rnd.rho * int(u) if u else rnd.rho
        note = "price per supporter" if u else "price per point of utility"
        explanations[rnd.project] = explain(
            profile, rnd.project, Reason.FUNDED, round=r, price=price, note=note
        )
        if len(rnd.tied) > 1:
            tie_breaks.append(tiebreaker.record(rnd.tied, round=r, context="mes round"))
            for p in rnd.tied[1:]:
                lost.setdefault(p, r)
    money = engine.supporters_money(run)
    for p in range(profile.num_projects):
        if p in explanations:
            continue
        if p in lost:
            note = f"tied for round {lost[p]} and lost"
            explanations[p] = explain(profile, p, Reason.LOST_TIE, note=note)
        elif p in money:
            left = money[p].numerator // money[p].denominator
            note = f"its supporters had {left} left for a cost of {profile.costs[p]}"
            explanations[p] = explain(profile, p, Reason.SUPPORTERS_EXHAUSTED, note=note)
        else:
            explanations[p] = explain(profile, p, Reason.SUPPORTERS_EXHAUSTED, note="no supporter")
    return explanations, tie_breaks


def _rho_sorted(
    cost: float, ratio: FloatArray, mb: FloatArray, mu: FloatArray, total_mu: float
) -> tuple[float, BoolArray]:
    """Float rho by one sort of the supporters by money per unit of utility."""
    order = np.argsort(ratio, kind="stable")
    rs = ratio[order]
    paid = np.concatenate(([0.0], np.cumsum(mb[order])[:-1]))
    rich = total_mu - np.concatenate(([0.0], np.cumsum(mu[order])[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        rhos = (cost - paid) / rich
    ok = np.nonzero(rhos <= rs)[0]
    k = int(ok[0]) if len(ok) else len(rs) - 1
    poor = np.zeros(len(ratio), dtype=np.bool_)
    poor[order[:k]] = True
    return float(rhos[k]), poor


@dataclass(frozen=True, slots=True)
class _Eval:
    """A float evaluation of one project in one round."""

    rho: float
    lower: float  # proven: below the exact rho
    poor: BoolArray  # float guess of the supporters who pay all they have
    bud: FloatArray  # the supporters' float money


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
        # The arrays are the engine's, reused by every run (add1 runs hundreds): refilling
        # them costs less than fresh pages. A run's state is valid until the next run. No
        # reference to the engine: it keeps ``_last_money`` (this state), no cycle.
        self.uniform = engine.uniform
        if engine.buffers is None:
            cap = min(64, max(len(engine.candidates), 1))
            engine.buffers = (
                np.empty(n, dtype=np.float64),
                np.empty(n, dtype=np.bool_),
                np.empty((n, cap), dtype=np.uint8 if self.uniform else np.float64),
            )
        self.budgets: FloatArray
        self.zeroed: BoolArray
        self.selu: npt.NDArray[Any]
        self.budgets, self.zeroed, self.selu = engine.buffers
        self.budgets.fill(self.share_f)
        self.zeroed.fill(False)
        self.selu.fill(0)
        self.delta = 4.5e-16 * self.share_f  # bound on |float money - exact money|
        self.rhos: list[Fraction] = []
        self.common = share.denominator  # common denominator of the share and every rho
        self.share_num = share.numerator
        self.nums: list[int] = []  # rho_j * common
        # Column j: each group's utility for the project funded in round j if the group paid
        # rho_j * utility then, 0 otherwise; with uniform utilities a 0/1 flag, the utility
        # being ``round_util[j]``. Integers below 2**53, so float64 sums over groups are exact
        # (and feed BLAS).
        self.round_util: list[int] = []
        self.multf = engine.multf

    def new_round(self, rho: Fraction) -> int:
        """Record a round's exact rho; the row of ``selu`` for its utilities."""
        col = len(self.rhos)
        self.rhos.append(rho)
        # Keep every rho as an integer over one common denominator: sums then need no gcd.
        den = rho.denominator
        common = self.common
        if common % den:
            new_common = common * den // math.gcd(common, den)
            factor = new_common // common
            self.share_num *= factor
            self.nums = [x * factor for x in self.nums]
            self.common = common = new_common
        self.nums.append(rho.numerator * (common // den))
        if col >= self.selu.shape[1]:
            self.selu = np.concatenate((self.selu, np.zeros_like(self.selu)), axis=1)
        return col

    def _utility(self, j: int, entry: float) -> int:
        return self.round_util[j] if self.uniform else int(entry)

    def exact_sum_num(self, groups: IntArray) -> int:
        """Exact total money (times multiplicity) of ``groups``, times ``self.common``."""
        live = groups[~self.zeroed[groups]]
        if len(live) == 0:
            return 0
        m = self.multf[live]
        total = self.share_num * int(self.mult[live].sum())
        r = len(self.rhos)
        if r:
            # Whole rows gathered (``take`` is the fastest gather; einsum, not BLAS, whose threads
            # would spin on the other core); integers below 2**53, so the float64 sums are exact.
            weights = np.einsum("i,ij->j", m, self.selu.take(live, axis=0)[:, :r]).tolist()
            nums = self.nums
            if self.uniform:
                util = self.round_util
                total -= sum(nums[j] * int(w) * util[j] for j, w in enumerate(weights) if w)
            else:
                total -= sum(nums[j] * int(w) for j, w in enumerate(weights) if w)
        return total

    def exact_sum(self, groups: IntArray) -> Fraction:
        """Exact total money (times multiplicity) of ``groups``."""
        return Fraction(self.exact_sum_num(groups), self.common)

    def exact_budget(self, g: int) -> Fraction:
        """Exact money of one voter of group ``g``."""
        if self.zeroed[g]:
            return Fraction(0)
        row = self.selu[g, : len(self.rhos)].tolist()
        nums = self.nums
        paid = sum(nums[j] * self._utility(j, u) for j, u in enumerate(row) if u)
        return Fraction(self.share_num - paid, self.common)
