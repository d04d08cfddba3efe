"""Parameter spaces: which scenario keys are uncertain behaviour parameters or policy levers,
their bounds and scale, and what a lever costs.

A space file (``scenarios/spaces/*.yaml``) names scenario keys by dotted path (list items by
index: ``funding.pools.national_special_fund.tranches.0.amount_yuan``)::

    parameters:
      arrivals.origins.high_level_team.rate_per_year:
        kind: lever
        low: 1.2
        high: 8
        cost_per_unit_yuan: 480000   # what one more unit of the value costs over the plan

It is read with the scenario loader's strict rules, and checked against the scenario it will
vary: every path must name a number in the resolved scenario, and the scenario must stay valid
at both bounds. Problems come back as ``FILE:LINE:COL: key: message``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SourceTree, load
from sim.scenario.paths import get_path, missing_message, set_path
from sim.scenario.schema import Scenario, cross_check

Number = Annotated[float, Field(allow_inf_nan=False)]


class Parameter(BaseModel):
    """One scenario key that an analysis varies."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, strict=True
    )

    kind: Literal["uncertain", "lever"]
    """``uncertain``: a behaviour parameter calibration fits; ``lever``: a policy choice."""
    low: Number
    """Lowest value."""
    high: Number
    """Highest value."""
    scale: Literal["linear", "log"] = "linear"
    """How values are spread between the bounds (``log`` for rates spanning decades)."""
    integer: bool = False
    """Round values to whole numbers (counts)."""
    cost_per_unit_yuan: Number = 0.0
    """Levers: cost over the planning period of one unit more than the scenario's value
    (yuan); a value below the scenario's saves as much."""
    description: str = ""
    """What the parameter is, for tables and plots."""

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        if not self.low < self.high:
            raise ValueError(f"need low < high (got low={self.low}, high={self.high})")
        if self.scale == "log" and self.low <= 0:
            raise ValueError("a log-scale parameter needs low > 0")
        if self.integer and not (float(self.low).is_integer() and float(self.high).is_integer()):
            raise ValueError("an integer parameter needs whole-number bounds")
        if self.kind == "uncertain" and self.cost_per_unit_yuan:
            raise ValueError("only a lever has a cost (cost_per_unit_yuan)")
        return self

    def value(self, unit: float) -> float:
        """The value at position ``unit`` in [0, 1] between the bounds (to 4 significant
        figures, so that written scenarios reproduce exactly what was evaluated)."""
        unit = min(max(float(unit), 0.0), 1.0)
        if self.scale == "log":
            value = math.exp(math.log(self.low) + unit * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + unit * (self.high - self.low)
        if self.integer:
            value = float(math.floor(value + 0.5))
        else:  # 4 significant figures, and at least 3 of the range's width
            decimals = 3 - math.floor(math.log10(self.high - self.low))
            raw = value
            value = min(float(f"{raw:.4g}"), round(raw, decimals), key=lambda v: abs(v - raw))
        return min(max(value, self.low), self.high)

    def unit(self, value: float) -> float:
        """Inverse of :meth:`value`: position of ``value`` in [0, 1]."""
        if self.scale == "log":
            return (math.log(value) - math.log(self.low)) / (
                math.log(self.high) - math.log(self.low)
            )
        return (value - self.low) / (self.high - self.low)


class SpaceFile(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, strict=True
    )

    name: str = ""
    """Short name of the space."""
    description: str = ""
    """What the space is for."""
    parameters: Annotated[dict[str, Parameter], Field(min_length=1)]
    """Dotted scenario key -> parameter."""


@dataclass(frozen=True)
class Space:
    """A validated parameter space over one scenario (its resolved data)."""

    name: str
    description: str
    parameters: dict[str, Parameter]
    base_data: dict[str, Any]
    file: str = ""

    @property
    def paths(self) -> list[str]:
        return list(self.parameters)

    @property
    def dimension(self) -> int:
        return len(self.parameters)

    def subset(self, paths: list[str]) -> Space:
        """The same space with only ``paths`` (ValueError naming any unknown one)."""
        unknown = [p for p in paths if p not in self.parameters]
        if unknown:
            raise ValueError(f"not in {self.file}: {', '.join(unknown)}")
        kept = {p: self.parameters[p] for p in paths}
        return Space(self.name, self.description, kept, self.base_data, self.file)

    def base_values(self) -> dict[str, float]:
        """Each parameter's value in the scenario as written."""
        return {path: float(get_path(self.base_data, path)) for path in self.parameters}

    def values(self, unit_point: np.ndarray | list[float]) -> dict[str, float]:
        """Parameter values at a point of the unit cube (one coordinate per parameter)."""
        return {
            path: parameter.value(u)
            for (path, parameter), u in zip(self.parameters.items(), unit_point, strict=True)
        }

    def centre(self) -> dict[str, float]:
        return self.values([0.5] * self.dimension)

    def cost_yuan(self, values: Mapping[str, float]) -> float:
        """Cost of a lever setting over the scenario as written (yuan)."""
        base = self.base_values()
        return float(
            sum(
                p.cost_per_unit_yuan * (values[path] - base[path])
                for path, p in self.parameters.items()
            )
        )

    def scenario_data(
        self, values: Mapping[str, float], end_year: int | None = None
    ) -> dict[str, Any]:
        """The resolved scenario data with ``values`` set (and the horizon cut at ``end_year``)."""
        data = copy.deepcopy(self.base_data)
        for path, value in values.items():
            integral = self.parameters[path].integer
            set_path(data, path, as_written(get_path(data, path), value, integral))
        if end_year is not None:
            data.setdefault("horizon", {})["end_year"] = end_year
        return data

    def scenario(self, values: Mapping[str, float], end_year: int | None = None) -> Scenario:
        """The scenario with ``values`` set; ``end_year`` cuts the run short (results up to it
        are those of the full horizon)."""
        return Scenario.model_validate(self.scenario_data(values, end_year))

    def digest(self) -> str:
        """SHA-256 of the parameters (for resume checks)."""
        text = json.dumps(
            {path: p.model_dump() for path, p in self.parameters.items()}, sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def table(self) -> list[dict[str, Any]]:
        base = self.base_values()
        return [
            {
                "parameter": path,
                "kind": p.kind,
                "scenario_value": base[path],
                "low": p.low,
                "high": p.high,
                "scale": p.scale,
                "cost_per_unit_yuan": p.cost_per_unit_yuan,
                "description": p.description,
            }
            for path, p in self.parameters.items()
        ]


def combine(spaces: list[Space], first_wins: bool = False) -> Space:
    """One space of the parameters of several (the same scenario's). A parameter in two of
    them is a ValueError, or, with ``first_wins``, kept as the first file has it."""
    parameters: dict[str, Parameter] = {}
    for space in spaces:
        for path, parameter in space.parameters.items():
            if path in parameters:
                if first_wins:
                    continue
                raise ValueError(f"{path} is in more than one space file")
            parameters[path] = parameter
    return Space(
        " + ".join(s.name for s in spaces if s.name),
        "; ".join(s.description for s in spaces if s.description),
        parameters,
        spaces[0].base_data,
        ", ".join(s.file for s in spaces),
    )


def load_space(
    path: str | os.PathLike[str], scenario_tree: SourceTree, kind: str | None = None
) -> Space:
    """Read a space file and check it against a scenario's resolved data.

    ``kind`` (``uncertain`` or ``lever``) requires every parameter to be of that kind.
    Raises ScenarioError (one ``FILE:LINE:COL: key: message`` per problem).
    """
    spec, tree = load(path, SpaceFile)
    base = scenario_tree.data
    problems: list[Problem] = []

    def report(key: str, suffix: tuple[str, ...], message: str) -> None:
        file, line, col, dotted = tree.locate(("parameters", key, *suffix))
        problems.append(Problem(file, line, col, dotted, message))

    for key, parameter in spec.parameters.items():
        if kind is not None and parameter.kind != kind:
            message = f"this command varies '{kind}' parameters, not '{parameter.kind}'"
            report(key, ("kind",), message)
            continue
        try:
            value = get_path(base, key)
        except KeyError:
            report(key, (), missing_message(base, key))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = type(value).__name__ if isinstance(value, dict | list) else repr(value)
            report(key, (), f"scenario key is not a number (it is {shown}); name a numeric key")
            continue
        probes = {"low": parameter.low, "high": parameter.high, "integer": parameter.value(0.37)}
        for where, probe in probes.items():
            data = copy.deepcopy(base)
            set_path(data, key, as_written(value, probe, parameter.integer))
            message = _invalid(data)
            if message and where == "integer":
                report(
                    key,
                    (),
                    f"the scenario rejects {probe:g} here ({message}); "
                    "add 'integer: true' if the key takes whole numbers",
                )
            elif message:
                report(key, (where,), f"the scenario is invalid at {where}: {message}")
    if problems:
        raise ScenarioError(problems)
    return Space(spec.name, spec.description, dict(spec.parameters), base, str(path))


def as_written(written: Any, value: float, integer: bool) -> int | float:
    """``value`` for a key whose scenario value is ``written``: rounded for an integer
    parameter, a whole number kept whole where the scenario writes an integer (scenarios are
    strictly typed), else a float."""
    whole = isinstance(written, int) and not isinstance(written, bool)
    if integer or (whole and float(value).is_integer()):
        return int(round(value))
    return float(value)


def _invalid(data: dict[str, Any]) -> str | None:
    try:
        scenario = Scenario.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        return error["msg"]
    problems = cross_check(scenario)
    return problems[0][1] if problems else None
