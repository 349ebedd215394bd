"""PINS allocation engine: pure Python, no Django.

Modules (each opens with its API and its reference):

- ``types``: Election, Project, Ballot, BallotKind (frozen input values).
- ``pabulib``: read_pabulib / parse_pabulib / write_pabulib, PabulibError.
- ``profile``: build_profile -> Profile (grouped ballots as integer utilities).
- ``tiebreak``: make_tiebreaker -> Tiebreaker (lexicographic or default with seeded lottery).
- ``result``: Result, ProjectExplanation, TieBreak, Reason, fingerprints.
- ``greedy``, ``phragmen``, ``welfare``, ``mes``: the rules.
- ``engine``: allocate(election, *, rule, ...) -> Result, the one entry point.
- ``cli``: the recount command line.

Importing this package imports nothing heavy (no numpy, no scipy): import the module you need.
"""
