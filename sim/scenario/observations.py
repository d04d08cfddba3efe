"""Observed figures of a zone (``scenarios/observations.yaml``) and published patterns of
zones and incubators like it (``scenarios/patterns.yaml``): what fan charts mark and what
calibration fits. Each has an indicator, a year (or a span of years summed or averaged), a
value, the range the source allows ("700余" = 700 to 799) and its source."""

from __future__ import annotations

import os
import re
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load
from sim.scenario.schema import Id, Scenario

Number = Annotated[float, Field(allow_inf_nan=False)]


class Figure(BaseModel):
    """A published figure of an indicator: what observations and held-out figures share."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, strict=True
    )

    indicator: str
    """Recorded indicator the figure corresponds to."""
    year: Annotated[int, Field(ge=1900, le=2200)]
    """Year of the figure (the record labelled with it: the end of that year)."""
    to_year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    """For a flow summed over several years: the last year (``year`` is the first)."""
    value: Number
    """The figure as the source gives it."""
    low: Number | None = None
    """Lowest value the source's wording allows (default: value)."""
    high: Number | None = None
    """Highest value the source's wording allows (default: value)."""
    approx: bool = False
    """The source says 余/近/多/以上 (more than, nearly, over)."""
    aggregate: Literal["value", "sum", "mean"] = "value"
    """``value``: the indicator in that year; ``sum``: its sum over year..to_year; ``mean``:
    its mean over year..to_year (for rates and shares)."""
    source: str
    """Where the figure comes from."""

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``, each the value where the source gives no range."""
        return (
            self.value if self.low is None else self.low,
            self.value if self.high is None else self.high,
        )

    @model_validator(mode="after")
    def _check(self) -> Figure:
        low = self.value if self.low is None else self.low
        high = self.value if self.high is None else self.high
        if not low <= self.value <= high:
            raise ValueError("need low <= value <= high")
        if (self.aggregate != "value") != (self.to_year is not None):
            raise ValueError("a summed or averaged figure needs to_year, and only such a one")
        if self.to_year is not None and self.to_year < self.year:
            raise ValueError("to_year must not be before year")
        return self


class Observation(Figure):
    """An observed figure or published pattern: a figure calibration fits."""

    tolerance: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 0.1
    """Calibration: how far outside its range a simulated mean may fall, as a share of the
    value, before it counts as one standard error of misfit."""


#: A source's short code, as a figure's ``source`` begins: 'A', 'T2017', 'SAIC2013'.
SourceCode = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]{0,15}$")]


def source_code(source: str) -> str:
    """The code a figure's source text begins with: 'A (2018): 13 firms' -> 'A';
    'T2017: about 22,000' -> 'T2017'."""
    return re.split(r"[\s:(]", str(source).strip(), maxsplit=1)[0]


class Observations(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    zone: Id
    """The zone the figures describe: a scenario's ``zone`` (or, without one, its name)."""
    sources: dict[SourceCode, Annotated[str, Field(min_length=1, max_length=120)]] = {}
    """The key of the source codes the figures' ``source`` texts begin with (code: short
    title); charts and reports print it beside the codes. When given, every figure's code
    must be in it."""
    observations: list[Observation]


def load_observations(path: str | os.PathLike[str]) -> Observations:
    """Read an observations file strictly (same rules and errors as scenario files); with a
    ``sources`` key, a figure whose source code is not in it is a problem at its ``source``."""
    observations, tree = load(path, Observations)
    if observations.sources:
        known = ", ".join(observations.sources)
        problems = [
            Problem(
                *tree.locate(("observations", index, "source")),
                f"source code {source_code(figure.source)!r} is not in sources ({known})",
            )
            for index, figure in enumerate(observations.observations)
            if source_code(figure.source) not in observations.sources
        ]
        if problems:
            raise ScenarioError(problems)
    return observations


def zone_of(scenario: Scenario) -> str:
    """The zone a scenario describes: its ``zone``, else its name."""
    return scenario.zone or scenario.name


def zone_problem(path: str | os.PathLike[str], scenario: Scenario) -> Problem | None:
    """The problem of an observations file that names another zone than ``scenario``'s, at
    its ``zone`` key, or None."""
    observations, tree = load(path, Observations)
    zone = zone_of(scenario)
    if observations.zone == zone:
        return None
    return Problem(
        *tree.locate(("zone",)),
        f"figures of zone '{observations.zone}', but scenario '{scenario.name}' is of zone "
        f"'{zone}'",
    )


def check_zone(path: str | os.PathLike[str], scenario: Scenario) -> None:
    """Raise ScenarioError when an observations file names another zone than the scenario's."""
    problem = zone_problem(path, scenario)
    if problem is not None:
        raise ScenarioError([problem])


def observations_table(observations: Observations) -> pd.DataFrame:
    """One row per figure: indicator, year, to_year, value, low, high, approx, aggregate,
    tolerance, source and source_title (the title of its source code, '' without a key)."""
    rows = [
        (
            o.indicator,
            o.year,
            o.to_year,
            o.value,
            *o.bounds,
            o.approx,
            o.aggregate,
            o.tolerance,
            o.source,
            observations.sources.get(source_code(o.source), ""),
        )
        for o in observations.observations
    ]
    columns = [
        "indicator",
        "year",
        "to_year",
        "value",
        "low",
        "high",
        "approx",
        "aggregate",
        "tolerance",
        "source",
        "source_title",
    ]
    return pd.DataFrame(rows, columns=columns)
