"""The Python API: run a scenario, get its tables and goal table, write the results folder.

>>> import sim
>>> run = sim.run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals  # DataFrame, one row per goal
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.analysis.compare import (
    KEY_INDICATORS,
    goal_changes,
    paired_differences,
    scenario_differences,
)
from sim.analysis.goals import goal_table
from sim.analysis.survival import survival_table
from sim.experiment.engines import Engine, open_engine, process_pool
from sim.experiment.runner import RunResults, open_run_units, run_replications
from sim.experiment.store import scenario_hash, versions, write_csv, write_json
from sim.scenario import SourceTree, load_scenario_with_tree
from sim.scenario.observations import load_observations, observations_table
from sim.scenario.provenance import parameter_table
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ScenarioRun:
    """A finished run: the tables of every replication, the goal table, and what the results
    folder needs to be self-describing (the source tree for parameter provenance, the
    observed figures)."""

    results: RunResults
    goals: pd.DataFrame
    tree: SourceTree | None = None
    observations: pd.DataFrame | None = None

    @property
    def source_files(self) -> tuple[str, ...]:
        return self.tree.files if self.tree is not None else ()

    @property
    def survival(self) -> pd.DataFrame:
        """Kaplan–Meier curves of incubated arrivals' time to graduation and to failure."""
        return survival_table(self.results.spells)

    @property
    def parameters(self) -> pd.DataFrame | None:
        """Every resolved parameter with its provenance (None for a Scenario built in code)."""
        return parameter_table(self.tree) if self.tree is not None else None

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
            "parameters": (
                self.parameters.to_dict(orient="records") if self.parameters is not None else []
            ),
        }

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write the results folder: trajectories.csv, goals.csv, survival.csv,
        parameters.csv and observations.csv (when known), firms.csv (if recorded),
        scenario.json (the resolved scenario) and manifest.json."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "trajectories.csv": self.results.trajectories,
            "goals.csv": self.goals,
            "survival.csv": self.survival,
            "parameters.csv": self.parameters,
            "observations.csv": self.observations,
            "firms.csv": self.results.firms,
        }
        written = []
        for name, table in tables.items():
            if table is not None:
                write_csv(out / name, table)
                written.append(out / name)
        scenario = self.results.scenario.model_dump(mode="json", by_alias=True)
        for name, data in (("scenario.json", scenario), ("manifest.json", self.manifest())):
            write_json(out / name, data)
            written.append(out / name)
        return written


def make_executor(workers: int) -> Executor | None:
    """A process pool for ``workers`` > 1, else None (run in this process); the caller shuts
    it down. ``sim.experiment.engines.open_engine`` also starts Dask engines and closes them."""
    return process_pool(workers)


def _engine(
    executor: Executor | None, workers: int, dask: str | None
) -> contextlib.AbstractContextManager[Engine]:
    """The caller's executor as is, or an engine opened (and closed) for this call."""
    if executor is not None:
        if dask:
            raise ValueError("pass either executor or dask, not both")
        return contextlib.nullcontext(Engine(executor, workers, "caller's executor"))
    return open_engine(workers, dask)


#: Files of observed figures and published patterns read from beside a scenario file.
BESIDE_SCENARIO = ("observations.yaml", "patterns.yaml")


def default_observations(scenario_path: str | os.PathLike[str]) -> list[Path] | None:
    """``observations.yaml`` and ``patterns.yaml`` beside a scenario file, those there are."""
    folder = Path(scenario_path).parent
    found = [folder / name for name in BESIDE_SCENARIO if (folder / name).is_file()]
    return found or None


def observed_table(
    files: str | os.PathLike[str] | list[str | os.PathLike[str]] | list[Path],
) -> pd.DataFrame:
    """The figures of one or several observation files, in order, as one table."""
    paths = [files] if isinstance(files, str | os.PathLike) else list(files)
    return pd.concat(
        [observations_table(load_observations(path)) for path in paths], ignore_index=True
    )


def run_scenario(
    scenario: Scenario | str | os.PathLike[str],
    replications: int = 200,
    seed: int = 2018,
    workers: int = 1,
    firm_records: bool = False,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    observations: str | os.PathLike[str] | list[Path] | None = None,
    dask: str | None = None,
    units_dir: str | os.PathLike[str] | None = None,
    resume: bool = False,
) -> ScenarioRun:
    """Run a scenario (object or YAML path) and compute its goal table.

    Pass ``executor`` to use your own (e.g. a Dask client's executor); otherwise ``workers``
    processes are started for the run, or, with ``dask``, a Dask engine: ``"local"`` (a local
    cluster of ``workers`` processes) or a scheduler address such as ``"tcp://HOST:8786"``
    (see ``sim.experiment.engines``). ``observations`` is a file of observed figures, or a
    list of them (by default ``observations.yaml`` and ``patterns.yaml`` beside a scenario
    file, those present).

    With ``units_dir`` (the command line uses ``OUT/units``) every finished replication is
    stored there as it completes; with ``resume=True`` as well, the replications already
    stored are loaded instead of run (``results.reused`` counts them) and the rest are run,
    with identical results. Resuming raises
    :class:`~sim.experiment.units.ResumeMismatch` when the folder's units were made with
    another scenario, seed or ``firm_records``; without ``resume`` they are discarded.
    The units stay after the run: delete the folder when the results are written.
    """
    if resume and units_dir is None:
        raise ValueError("resume needs units_dir, the folder of the stored replications")
    tree = None
    if not isinstance(scenario, Scenario):
        if observations is None:
            observations = default_observations(scenario)
        scenario, tree = load_scenario_with_tree(scenario)
    observed = observed_table(observations) if observations else None
    store = None
    if units_dir is not None:  # before the engine starts: a mismatch fails at once
        store = open_run_units(units_dir, scenario, seed, firm_records, resume)
    with _engine(executor, workers, dask) as engine:
        results = run_replications(
            scenario,
            replications,
            seed,
            executor=engine.executor,
            workers=engine.workers,
            firm_records=firm_records,
            progress=progress,
            store=store,
        )
    goals = goal_table(scenario, results.trajectories, replications)
    return ScenarioRun(results, goals, tree, observed)


@dataclass(frozen=True)
class Comparison:
    """Scenarios run with common random numbers and their paired differences against the
    first one."""

    runs: dict[str, ScenarioRun]
    comparison: pd.DataFrame  # paired differences per indicator and year
    goal_comparison: pd.DataFrame  # change in each goal's probability of being met
    differences: dict[str, list[str]]  # resolved scenario keys that differ from the first

    @property
    def names(self) -> list[str]:
        return list(self.runs)

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """One results folder per scenario, comparison.csv, goal_comparison.csv and
        comparison.json."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, run in self.runs.items():
            run.write(out / name)
            written.append(out / name)
        write_csv(out / "comparison.csv", self.comparison)
        write_csv(out / "goal_comparison.csv", self.goal_comparison)
        first = next(iter(self.runs.values())).results
        write_json(
            out / "comparison.json",
            {
                "scenarios": self.names,
                "root_seed": first.root_seed,
                "replications": first.replications,
                "differences": self.differences,
                "versions": versions(),
            },
        )
        written += [out / "comparison.csv", out / "goal_comparison.csv", out / "comparison.json"]
        return written


def compare_scenarios(
    scenarios: list[str | os.PathLike[str]],
    replications: int = 200,
    seed: int = 2018,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    seeds: list[int] | None = None,
    dask: str | None = None,
) -> Comparison:
    """Run scenario files with the same root seed (common random numbers) and compare each
    with the first. ``seeds`` (one per scenario) overrides that, for independent streams.
    ``executor``, ``workers`` and ``dask`` choose where replications run, as for
    :func:`run_scenario`; one engine serves every scenario."""
    loaded = [load_scenario_with_tree(path) for path in scenarios]
    names = [scenario.name for scenario, _ in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared: {names}")
    seeds = seeds or [seed] * len(loaded)
    runs: dict[str, ScenarioRun] = {}
    with _engine(executor, workers, dask) as engine:
        for path, (scenario, tree), run_seed in zip(scenarios, loaded, seeds, strict=True):
            observed = default_observations(path)
            results = run_replications(
                scenario,
                replications,
                run_seed,
                executor=engine.executor,
                workers=engine.workers,
                progress=progress,
            )
            runs[scenario.name] = ScenarioRun(
                results,
                goal_table(scenario, results.trajectories, replications),
                tree,
                observed_table(observed) if observed else None,
            )
    base_name = names[0]
    base_scenario, base_tree = loaded[0]
    base = runs[base_name].trajectories
    indicators = [g.indicator for g in base_scenario.goals.values() if g.indicator]
    indicators += [name for name in KEY_INDICATORS if name not in indicators]
    comparison, goals, differences = [], [], {}
    for (_, tree), name in zip(loaded[1:], names[1:], strict=True):
        other = runs[name].trajectories
        comparison.append(paired_differences(name, base, other, indicators))
        goals.append(goal_changes(name, base_scenario, base, other, replications))
        differences[name] = scenario_differences(base_tree.data, tree.data)
    return Comparison(
        runs,
        pd.concat(comparison, ignore_index=True) if comparison else pd.DataFrame(),
        pd.concat(goals, ignore_index=True) if goals else pd.DataFrame(),
        differences,
    )


__all__ = [
    "Comparison",
    "ScenarioRun",
    "compare_scenarios",
    "default_observations",
    "make_executor",
    "run_scenario",
]
