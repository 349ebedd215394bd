"""PINS allocation engine: pure Python, no Django.

Public API (re-exported here; each module opens with its own API and reference)::

    allocate(election, *, rule, tie_break, utility, add1_stop, greedy_fill, threshold,
             seed, borda) -> Result                       # engine
    RULES                                                  # engine: the rule names
    read_pabulib / parse_pabulib / write_pabulib, PabulibError   # pabulib
    Election, Project, Ballot, BallotKind                  # types (inputs)
    Result, ProjectExplanation, TieBreak, Reason           # result (outputs)

Other modules: ``profile`` (grouped ballots as integer utilities), ``tiebreak``, the rules
``greedy``, ``phragmen``, ``welfare``, ``mes``, and ``cli`` (the recount command line).

Importing this package stays light: no numpy, no scipy (the rules that need them are
imported when they run) and never Django.
"""

from budgets.allocation.engine import RULES, allocate
from budgets.allocation.pabulib import PabulibError, parse_pabulib, read_pabulib, write_pabulib
from budgets.allocation.result import ProjectExplanation, Reason, Result, TieBreak
from budgets.allocation.types import Ballot, BallotKind, Election, Project

__all__ = [
    "RULES",
    "Ballot",
    "BallotKind",
    "Election",
    "PabulibError",
    "Project",
    "ProjectExplanation",
    "Reason",
    "Result",
    "TieBreak",
    "allocate",
    "parse_pabulib",
    "read_pabulib",
    "write_pabulib",
]
