"""The Python API: run a scenario, get its tables and goal table, write the results folder.

>>> import sim
>>> run = sim.run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals  # DataFrame, one row per goal
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.analysis.goals import goal_table
from sim.experiment.runner import RunResults, run_replications
from sim.experiment.store import scenario_hash, versions, write_csv, write_json
from sim.scenario import load_scenario_with_tree
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ScenarioRun:
    """A finished run: the tables of every replication and the goal table."""

    results: RunResults
    goals: pd.DataFrame
    source_files: tuple[str, ...] = ()

    @property
    def trajectories(self) -> pd.DataFrame:
        return self.results.trajectories

    @property
    def firms(self) -> pd.DataFrame | None:
        return self.results.firms

    def manifest(self) -> dict:
        results = self.results
        scenario = results.scenario
        return {
            "scenario": scenario.name,
            "description": scenario.description,
            "scenario_files": list(self.source_files),
            "scenario_sha256": scenario_hash(scenario),
            "root_seed": results.root_seed,
            "replications": results.replications,
            "horizon": [scenario.horizon.start_year, scenario.horizon.end_year],
            "events": results.events,
            "wall_seconds": round(results.wall_seconds, 3),
            "events_per_second": round(results.events / results.wall_seconds)
            if results.wall_seconds > 0
            else None,
            "versions": versions(),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write trajectories.csv, goals.csv, firms.csv (if recorded) and manifest.json."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "trajectories.csv", out / "goals.csv"]
        write_csv(written[0], self.results.trajectories)
        write_csv(written[1], self.goals)
        if self.results.firms is not None:
            written.append(out / "firms.csv")
            write_csv(written[-1], self.results.firms)
        written.append(out / "manifest.json")
        write_json(written[-1], self.manifest())
        return written


def make_executor(workers: int) -> Executor | None:
    """A process pool for ``workers`` > 1, else None (run in this process)."""
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else None


def run_scenario(
    scenario: Scenario | str | os.PathLike[str],
    replications: int = 200,
    seed: int = 2018,
    workers: int = 1,
    firm_records: bool = False,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScenarioRun:
    """Run a scenario (object or YAML path) and compute its goal table.

    Pass ``executor`` to use your own (e.g. a Dask client's executor); otherwise ``workers``
    processes are started for the run.
    """
    files: tuple[str, ...] = ()
    if not isinstance(scenario, Scenario):
        scenario, tree = load_scenario_with_tree(scenario)
        files = tree.files
    own = executor is None and workers > 1
    pool = make_executor(workers) if own else executor
    try:
        results = run_replications(
            scenario,
            replications,
            seed,
            executor=pool,
            workers=workers,
            firm_records=firm_records,
            progress=progress,
        )
    finally:
        if own and pool is not None:
            pool.shutdown()
    return ScenarioRun(results, goal_table(scenario, results.trajectories, replications), files)


__all__ = ["ScenarioRun", "run_scenario", "make_executor"]
