"""Sweep: the probability of meeting the goals over a grid, a Latin hypercube, or each lever
alone at its bounds (one at a time, with paired effects)."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.sweep import one_at_a_time, sweep
from sim.analysis.tuning import select_goals
from sim.results import OutputFolder, claim
from sim.studies.common import Progress, Setup, goal_evaluator, open_units, prepare, summary

KIND = "sweep"


@dataclass
class SweepStudy:
    """A finished sweep: one row per design point (and, one at a time, the paired effects)."""

    setup: Setup
    table: pd.DataFrame
    x: str
    y: str
    column: str
    manifest: dict[str, Any]
    effects: pd.DataFrame | None = None  # one lever at a time: paired effects on each goal

    def files(self, out: Path | None = None) -> dict[str, pd.DataFrame | dict]:
        """sweep.csv, effects.csv (one at a time) and summary.json."""
        files: dict[str, pd.DataFrame | dict] = {"sweep.csv": self.table}
        if self.effects is not None:
            files["effects.csv"] = self.effects
        files["summary.json"] = self.manifest
        return files

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the sweep folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files())
        with claim(out, KIND, "python: SweepStudy.write") as folder:
            return folder.replace(self.files())


def sweep_scenario(
    scenario: str | os.PathLike[str],
    space: str | os.PathLike[str],
    out: str | os.PathLike[str] | None,
    design: str = "grid",
    samples: int = 5,
    goals: str = "all",
    x: str | None = None,
    y: str | None = None,
    replications: int = 50,
    seed: int = 2018,
    levers: list[str] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
    setup: Setup | None = None,
) -> SweepStudy:
    """Probability of meeting ``goals`` over a grid or Latin hypercube of the levers (or of
    ``levers`` only, the others kept as the scenario has them); finished points are kept in
    ``out/units`` (when ``out`` is given) for ``resume``."""
    identity = {
        "replications": replications,
        "root_seed": seed,
        "design": design,
        "samples": samples,
        "goals": goals,
        "levers": levers,
    }
    setup = setup or prepare(scenario, space, "lever", only=levers)
    paths = setup.space.paths
    if design == "oat":
        paths = [*paths, *paths]  # no heatmap: any one lever will do
    elif len(paths) < 2:
        raise ValueError("a sweep heatmap needs at least two levers in the space")
    x, y = x or paths[0], y or next((p for p in paths if p != (x or paths[0])), paths[0])
    if x == y and design != "oat":
        raise ValueError("--x and --y must name two different levers")
    for axis, chosen in (("--x", x), ("--y", y)):
        if chosen not in paths:
            raise ValueError(f"{axis} {chosen} is not a lever of {setup.space.file}")
    chosen_goals = select_goals(setup.scenario, goals)
    open_units(setup, Path(out) / "units" if out else None, "sweep", identity, resume)
    points = goal_evaluator(setup, chosen_goals, replications, seed, executor, workers, progress)
    effects = None
    if design == "oat":
        table, effects = one_at_a_time(setup.space, chosen_goals, points, replications)
    else:
        table = sweep(setup.space, chosen_goals, points, replications, design, samples, seed)
    column = "p_all" if len(chosen_goals) > 1 else f"p_{next(iter(chosen_goals))}"
    settings = {
        "replications": replications,
        "design": design,
        "samples": samples,
        "points": len(table),
        "goals": list(chosen_goals),
        "x": x,
        "y": y,
    }
    manifest = summary(setup, "sweep", seed, settings, points, [])
    return SweepStudy(setup, table, x, y, column, manifest, effects)
