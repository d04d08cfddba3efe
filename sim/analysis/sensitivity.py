"""Global sensitivity of one output to the parameters of a space, with SALib.

Morris elementary effects screen many parameters cheaply (μ*: mean absolute effect of moving
a parameter across its range; σ: how much that effect depends on the others). Sobol indices
apportion the output's variance (S1: a parameter alone; ST: with all its interactions) and need
more runs: N·(k+2) model evaluations. Both work in the unit cube of the space, so log-scale
parameters are sampled on their log scale; effects are per full range of a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.scenario.space import Space

METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4
#: Smallest base sample sizes that give stable indices, as a rule of thumb.
MIN_TRAJECTORIES = 10
MIN_SOBOL_N = 256


@dataclass(frozen=True)
class Output:
    """A scalar output: the mean across replications of ``indicator`` in ``year``."""

    indicator: str
    year: int

    @classmethod
    def parse(cls, text: str) -> Output:
        """``national_hte@2020`` -> Output('national_hte', 2020)."""
        indicator, sep, year = text.partition("@")
        if not sep or not indicator or not year.strip().isdigit():
            raise ValueError(
                f"output must be INDICATOR@YEAR (e.g. national_hte@2020), got {text!r}"
            )
        return cls(indicator.strip(), int(year))

    def __str__(self) -> str:
        return f"{self.indicator}@{self.year}"

    def value(self, trajectories: pd.DataFrame) -> float:
        rows = trajectories[
            (trajectories["indicator"] == self.indicator) & (trajectories["year"] == self.year)
        ]
        return float(rows["value"].mean()) if len(rows) else float("nan")


@dataclass
class Sensitivity:
    method: str
    output: Output
    samples: int
    design: pd.DataFrame  # point, one column per parameter (values), output
    indices: pd.DataFrame  # parameter, and the method's indices with confidence intervals
    warnings: list[str] = field(default_factory=list)


def problem(space: Space) -> dict:
    """SALib's problem over the unit cube of the space."""
    return {
        "num_vars": space.dimension,
        "names": space.paths,
        "bounds": [[0.0, 1.0]] * space.dimension,
    }


def design(space: Space, method: str, samples: int, seed: int) -> np.ndarray:
    """Points of the unit cube to evaluate: Morris trajectories (samples·(k+1) points) or
    Saltelli's Sobol design without second order (samples·(k+2) points)."""
    if method == "morris":
        return morris_sample.sample(problem(space), samples, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        return sobol_sample.sample(problem(space), samples, calc_second_order=False, seed=seed)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def analyse(
    space: Space, method: str, points: np.ndarray, outputs: np.ndarray, seed: int
) -> tuple[pd.DataFrame, list[str]]:
    """Indices per parameter (with 95 % confidence intervals) and warnings about stability."""
    warnings: list[str] = []
    if np.ptp(outputs) == 0:
        warnings.append("the output is the same at every point: all indices are zero")
    if method == "morris":
        found = morris_analyze.analyze(
            problem(space), points, outputs, num_levels=MORRIS_LEVELS, seed=seed
        )
        table = pd.DataFrame(
            {
                "parameter": space.paths,
                "mu_star": found["mu_star"],
                "mu_star_conf": found["mu_star_conf"],
                "mu": found["mu"],
                "sigma": found["sigma"],
            }
        )
        trajectories = len(points) // (space.dimension + 1)
        if trajectories < MIN_TRAJECTORIES:
            warnings.append(
                f"{trajectories} Morris trajectories: the ranking is unstable "
                f"(use --samples {MIN_TRAJECTORIES} or more)"
            )
        return table.sort_values("mu_star", ascending=False, ignore_index=True), warnings
    found = sobol_analyze.analyze(problem(space), outputs, calc_second_order=False, seed=seed)
    table = pd.DataFrame(
        {
            "parameter": space.paths,
            "S1": found["S1"],
            "S1_conf": found["S1_conf"],
            "ST": found["ST"],
            "ST_conf": found["ST_conf"],
        }
    )
    base = len(points) // (space.dimension + 2)
    if base < MIN_SOBOL_N:
        warnings.append(
            f"Sobol base sample {base} < {MIN_SOBOL_N}: indices are unstable "
            f"(use --samples {MIN_SOBOL_N} or more)"
        )
    wide = table[table["ST_conf"] > 0.1]
    if len(wide):
        warnings.append(
            "confidence intervals wider than ±0.1 for "
            + ", ".join(wide["parameter"])
            + ": raise --samples"
        )
    return table.sort_values("ST", ascending=False, ignore_index=True), warnings


def sensitivity(
    space: Space,
    output: Output,
    evaluate: Callable[[Mapping[str, float]], pd.DataFrame],
    method: str,
    samples: int,
    seed: int,
    on_point: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Evaluate the design and compute the indices of ``output``."""
    points = design(space, method, samples, seed)
    outputs = np.empty(len(points))
    rows = []
    for number, point in enumerate(points):
        values = space.values(point)
        outputs[number] = output.value(evaluate(values))
        if not np.isfinite(outputs[number]):
            raise ValueError(f"the runs record no {output.indicator} in {output.year}")
        rows.append({"point": number, **values, str(output): outputs[number]})
        if on_point:
            on_point(number, len(points))
    if not np.all(np.isfinite(outputs)):
        raise ValueError(f"the runs record no {output.indicator} in {output.year}")
    indices, warnings = analyse(space, method, points, outputs, seed)
    return Sensitivity(method, output, samples, pd.DataFrame(rows), indices, warnings)
