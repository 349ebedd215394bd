"""The results world with districts, population figures and voters' accounts filled in, so
that participation statistics can be checked against hand-counted figures.

Districts: Palmer (Cenon, priority), Bas Cenon (Cenon), Dravemont (Floirac, priority).
The cycle's minimum age is 16, so the 0-14 band (``CHILDREN``) is outside the population
of the rates and tests. Voters (see ``tests.reports.builders.VOTERS``, in that order) get a
district and an age at the reference year; the two paper voters ``voter6`` and ``voter9``
have neither (« non renseigné »).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from accounts.models import User
from budgets.models import PhaseKind
from reports.statistics import reference_year
from territory.models import District, PopulationFigure
from tests.builders import World, build_world
from tests.reports.builders import build_results_world
from voting.models import Channel, Participation

POPULATION = {  # voting-age bands only
    "palmer": {"15-29": 900, "30-44": 800, "45-59": 700, "60-74": 500, "75+": 200},
    "bas-cenon": {"15-29": 1200, "30-44": 1500, "45-59": 1400, "60-74": 1100, "75+": 600},
    "dravemont": {"15-29": 1000, "30-44": 900, "45-59": 800, "60-74": 700, "75+": 300},
}
CHILDREN = {"palmer": 700, "bas-cenon": 900, "dravemont": 800}  # 0-14: cannot vote
# (district slug or None, age at the reference year or None), in the order of VOTERS.
PROFILES = [("palmer", 20), ("palmer", 25), ("palmer", 35), ("bas-cenon", 50), ("bas-cenon", 40),
            (None, None), ("dravemont", 18), ("dravemont", 65), (None, None)]


@dataclass
class StatisticsWorld:
    world: World
    districts: dict[str, District]
    voters: list[User]


def build_statistics_world(*, voters: bool = True, population: bool = True,
                           extra_voters: int = 0) -> StatisticsWorld:
    if voters:
        built = build_results_world()
        world, cast = built.world, built.voters
    else:
        world, cast = build_world(phase=PhaseKind.RESULTS), []
    world.cycle.minimum_age = 16
    world.cycle.save(update_fields=["minimum_age"])
    districts = {
        "palmer": world.cenon_district,
        "bas-cenon": District.objects.create(commune=world.cenon, name="Bas Cenon", slug="bas-cenon"),
        "dravemont": District.objects.create(commune=world.floirac, name="Dravemont",
                                             slug="dravemont", is_priority_area=True),
    }
    if population:
        for slug, bands in POPULATION.items():
            for band, people in {"0-14": CHILDREN[slug], **bands}.items():
                PopulationFigure.objects.create(district=districts[slug], age_band=band,
                                                population=people, source="INSEE 2021 (test)")
    year = reference_year(world.cycle)
    for voter, (slug, age) in zip(cast, PROFILES[:len(cast)], strict=True):
        voter.district = districts[slug] if slug else None
        voter.birth_date = date(year - age, 6, 15) if age is not None else None
        voter.save(update_fields=["district", "birth_date"])
    Participation.objects.bulk_create([
        Participation(cycle=world.cycle, person_digest=uuid.uuid4().hex, commune=world.floirac,
                      channel=Channel.PAPER, voted_at=timezone.now())
        for _ in range(extra_voters)
    ])
    return StatisticsWorld(world=world, districts=districts, voters=cast)
