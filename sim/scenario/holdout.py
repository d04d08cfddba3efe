"""Held-out figures of a zone (``scenarios/holdout.yaml``): published figures calibration never
saw, kept to score the model's projections (``zonesim run --holdout FILE``).

Each is an observed figure (``sim.scenario.observations.Figure``) with the source's own words
and its geography: a figure of the zone, or a city figure that bounds the zone's from above
(``city_bound``: the range is 0 to the city's figure). The file's top-level key is
``held_out``, not ``observations``, so that no command reading observations takes it for
figures to fit.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.indicators import INDICATORS
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SourceTree, load
from sim.scenario.observations import Figure, zone_of
from sim.scenario.schema import Id, Scenario

Geography = Literal["zone", "city_bound"]

HOLDOUT_COLUMNS = [
    "indicator",
    "geography",
    "year",
    "to_year",
    "aggregate",
    "value",
    "low",
    "high",
    "approx",
    "words",
    "source",
]


class HeldOutFigure(Figure):
    """A published figure kept out of calibration."""

    words: Annotated[str, Field(min_length=1)]
    """The source's words, quoted in their original language."""
    geography: Geography
    """``zone``: a figure of the zone; ``city_bound``: a figure of the whole city, an upper
    bound of the zone's (then ``low`` is 0 and ``high`` the city's figure, ``value``)."""

    @model_validator(mode="after")
    def _bound(self) -> HeldOutFigure:
        if self.geography == "city_bound" and (self.low != 0 or self.high != self.value):
            raise ValueError(
                "a city figure bounds the zone's from above: need low: 0 and high equal to "
                "value (the city's figure)"
            )
        return self


class HeldOut(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    zone: Id
    """The zone the figures describe: a scenario's ``zone`` (or, without one, its name)."""
    held_out: list[HeldOutFigure]


def load_holdout(path: str | os.PathLike[str], scenario: Scenario | None = None) -> HeldOut:
    """Read a held-out file strictly (same rules and errors as scenario files): unknown
    indicators and a figure given twice (same indicator, year and to_year) are problems at
    their position; with ``scenario``, so is a file of another zone (at its ``zone`` key)."""
    held, tree = load(path, HeldOut)
    problems = figure_problems(held, tree)
    zone = zone_of(scenario) if scenario is not None else held.zone
    if held.zone != zone:
        assert scenario is not None
        problems.append(
            Problem(
                *tree.locate(("zone",)),
                f"figures of zone '{held.zone}', but scenario '{scenario.name}' is of zone "
                f"'{zone}'",
            )
        )
    if problems:
        raise ScenarioError(problems)
    return held


def figure_problems(held: HeldOut, tree: SourceTree) -> list[Problem]:
    """Unknown indicators (the name before a dot must be a recorded indicator) and figures
    given twice, each at its position in the file."""
    problems: list[Problem] = []
    first: dict[tuple[str, int, int | None], int] = {}
    for i, figure in enumerate(held.held_out):
        if figure.indicator.partition(".")[0] not in INDICATORS:
            problems.append(
                Problem(
                    *tree.locate(("held_out", i, "indicator")),
                    f"unknown indicator {figure.indicator!r}",
                )
            )
        key = (figure.indicator, figure.year, figure.to_year)
        if key in first:
            years = f"{figure.year}" + (f"-{figure.to_year}" if figure.to_year else "")
            problems.append(
                Problem(
                    *tree.locate(("held_out", i)),
                    f"duplicate figure: {figure.indicator} {years} is held_out.{first[key]} "
                    "already",
                )
            )
        else:
            first[key] = i
    return problems


def holdout_table(held: HeldOut) -> pd.DataFrame:
    """One row per figure (``HOLDOUT_COLUMNS``), ranges filled in."""
    rows = [
        (
            f.indicator,
            f.geography,
            f.year,
            f.to_year,
            f.aggregate,
            f.value,
            *f.bounds,
            f.approx,
            f.words,
            f.source,
        )
        for f in held.held_out
    ]
    return pd.DataFrame(rows, columns=HOLDOUT_COLUMNS)
