"""Discover: under which ranges of the assumptions is a goal met?

A Latin hypercube over the unit cube of the given spaces (``scipy.stats.qmc``, seeded with the
root seed) gives the samples; each runs the same few replications (common random numbers:
one root seed for every sample), up to the goal's year. A sample *meets the goal* when the
share of its replications that meet it reaches ``threshold`` (0.5: more likely met than not).
PRIM then finds the box of assumptions in which the goal is met in most samples
(``sim.analysis.discovery``).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.discovery import Discovery, discover
from sim.analysis.goals import goal_values
from sim.analysis.sweep import design
from sim.analysis.tuning import goal_met, select_goals
from sim.results import OutputFolder, claim
from sim.scenario.posterior import POSTERIOR_STREAM, Posterior
from sim.studies.common import Progress, Setup, goal_evaluator, open_units, prepare, summary

KIND = "discovery"
#: Samples run through the executor together: each chunk's samples are stored as units when
#: it finishes, so an interrupted discovery loses at most one chunk.
CHUNK = 25


@dataclass
class DiscoverStudy:
    """A finished discovery: every sample's outcome and PRIM's boxes."""

    setup: Setup
    goals: list[str]
    samples: pd.DataFrame
    result: Discovery
    manifest: dict[str, Any]

    def files(self, out: Path | None = None) -> dict[str, pd.DataFrame | dict]:
        """samples.csv, boxes.csv, peeling.csv and summary.json."""
        return {
            "samples.csv": self.samples,
            "boxes.csv": self.result.boxes,
            "peeling.csv": self.result.peeling,
            "summary.json": self.manifest,
        }

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the discovery folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files())
        with claim(out, KIND, "python: DiscoverStudy.write") as folder:
            return folder.replace(self.files())


def in_box(samples: pd.DataFrame, boxes: pd.DataFrame) -> np.ndarray:
    """Which samples lie in the box (limits inclusive; every sample when it has none)."""
    mask = np.ones(len(samples), dtype=bool)
    for row in boxes.itertuples(index=False):
        column = samples[row.parameter]
        mask &= ((column >= row.low) & (column <= row.high)).to_numpy()
    return mask


def _mean(values: pd.Series) -> float | None:
    return round(float(values.mean()), 4) if len(values) else None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def from_posterior(
    points: list[dict[str, float]], posterior: Posterior, seed: int
) -> list[dict[str, float]]:
    """The samples with the posterior's parameters replaced by a draw each (sampled by weight
    from ``SeedSequence([seed, POSTERIOR_STREAM, 1])``: apart from a run's draws)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, POSTERIOR_STREAM, 1]))
    picks = rng.choice(posterior.draws, size=len(points), p=posterior.weights)
    return [
        {**point, **posterior.draw_values(int(pick))}
        for point, pick in zip(points, picks, strict=True)
    ]


def sample_table(
    goals: dict,
    points: list[dict[str, float]],
    tables: list[pd.DataFrame],
    replications: int,
    threshold: float,
) -> pd.DataFrame:
    """One row per sample: its parameter values, P(met) of the goals (all of them, when
    several), each goal's median over the replications, and whether P(met) >= threshold."""
    rows = []
    for number, (values, trajectories) in enumerate(zip(points, tables, strict=True)):
        hits = goal_met(trajectories, goals, replications)
        row: dict[str, Any] = {"sample": number, **values}
        row["p_met"] = float(hits["all"].mean())
        for name, goal in goals.items():
            found = goal_values(trajectories, goal.indicator, goal.year, replications)
            row[f"median_{name}"] = float(np.nanmedian(found)) if np.isfinite(found).any() else None
            if len(goals) > 1:
                row[f"p_{name}"] = float(hits[name].mean())
        row["met"] = row["p_met"] >= threshold - 1e-12
        rows.append(row)
    return pd.DataFrame(rows)


def discover_scenario(
    scenario: str | os.PathLike[str],
    spaces: list[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None,
    goal: str,
    samples: int = 500,
    replications: int = 4,
    seed: int = 2018,
    threshold: float = 0.5,
    min_density: float = 0.8,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
    setup: Setup | None = None,
    posterior: Posterior | None = None,
) -> DiscoverStudy:
    """Sample the spaces (a parameter in two files is kept as the first has it), run every
    sample, and find with PRIM the ranges of the parameters under which ``goal`` (a goal key,
    or several separated by commas: all of them met) is met; finished samples are kept in
    ``out/units`` (when ``out`` is given) for ``resume``. ``threshold`` and ``min_density``
    change no run, so a resumed discovery with other values of them runs nothing again.

    With ``posterior`` (whose columns are parameters of the spaces), each sample draws those
    parameters jointly from it, by weight (deterministically from the seed), and the others
    from the hypercube: the boxes are then over the calibrated parameters' posterior and the
    assumptions' ranges."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1] (got {threshold})")
    setup = setup or prepare(scenario, list(spaces), None, first_wins=True)
    chosen = select_goals(setup.scenario, goal)
    identity = {"replications": replications, "root_seed": seed, "samples": samples, "goal": goal}
    if posterior is not None:
        identity["posterior_sha256"] = posterior.digest
    open_units(setup, Path(out) / "units" if out else None, "discover", identity, resume)
    evaluate = goal_evaluator(setup, chosen, replications, seed, executor, workers, progress)
    space = setup.space
    points = [space.values(unit) for unit in design(space, "lhs", samples, seed)]
    if posterior is not None:
        points = from_posterior(points, posterior, seed)
    tables = []
    for start in range(0, len(points), CHUNK):
        tables += evaluate.many(points[start : start + CHUNK], replications)
    table = sample_table(chosen, points, tables, replications, threshold)
    bounds = {path: (float(p.low), float(p.high)) for path, p in space.parameters.items()}
    result = discover(table[space.paths], table["met"].to_numpy(), min_density, bounds)
    inside = in_box(table, result.boxes)
    settings = {
        "goals": list(chosen),
        "samples": samples,
        "replications": replications,
        "design": "lhs" if posterior is None else "lhs, posterior for its parameters",
        "posterior": None
        if posterior is None
        else {
            "file": posterior.file,
            "sha256": posterior.digest,
            "parameters": posterior.parameters,
        },
        "threshold": threshold,
        "min_density": min_density,
        "spaces": [str(s) for s in spaces],
        "cases_of_interest": result.cases,
        "chosen_box": result.chosen_stats(),
        "box_limits": result.limits(),
        "p_met_inside": _mean(table["p_met"][inside]) if result.chosen is not None else None,
        "p_met_outside": _mean(table["p_met"][~inside]) if result.chosen is not None else None,
        "prim": f"ema_workbench {_version('ema_workbench')}",
    }
    manifest = summary(setup, "discover", seed, settings, evaluate, list(result.notes))
    return DiscoverStudy(setup, list(chosen), table, result, manifest)
