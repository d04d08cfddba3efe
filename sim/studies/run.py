"""Run a scenario: its replications, its goal table, and the files of its results folder.

>>> from sim.studies import run_scenario
>>> run = run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals  # DataFrame, one row per goal

With ``posterior="results/calibrate/posterior.csv"`` the replications run draws of a
calibration posterior in pairs (``sim.scenario.posterior``), and the same replications are run
again at the scenario's point values (common random numbers) for the goal table's
``p_met_fixed``. With ``holdout="scenarios/holdout.yaml"`` the run's trajectories (over the
posterior, when there is one) are scored against the held-out figures (``run.holdout``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.analysis.goals import goal_table, probability_basis
from sim.analysis.holdout import coverage, score_holdout
from sim.analysis.survival import survival_table
from sim.experiment.runner import (
    RunResults,
    check_events,
    open_run_units,
    run_identity,
    run_replications,
)
from sim.results import OutputFolder, claim
from sim.results.provenance import scenario_hash, versions
from sim.results.units import UnitStore, discard_units
from sim.scenario import SourceTree, load_scenario_with_tree
from sim.scenario.holdout import load_holdout
from sim.scenario.posterior import Posterior, read_posterior
from sim.scenario.provenance import parameter_table
from sim.scenario.schema import Scenario
from sim.studies.common import default_observations, engine_for, observed_table
from sim.studies.screen import decided_by_for

#: How a run's tables may be written; Parquet (``pip install 'zonesim[parquet]'``) only for the
#: long tables.
TABLE_FORMATS = ("csv", "parquet")
LONG_TABLES = ("trajectories", "firms")


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """A table as Parquet (pyarrow), without the index."""
    try:
        import pyarrow  # noqa: F401 - only to give a clear message when it is missing
    except ImportError:
        raise ValueError("--format parquet needs pyarrow: pip install 'zonesim[parquet]'") from None
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


@dataclass(frozen=True)
class ScenarioRun:
    """A finished run: the tables of every replication, the goal table, and what the results
    folder needs to be self-describing (the source tree for parameter provenance, the
    observed figures)."""

    results: RunResults
    goals: pd.DataFrame
    tree: SourceTree | None = None
    observations: pd.DataFrame | None = None
    posterior: Posterior | None = None
    fixed: RunResults | None = None  # with a posterior: the replications at point values
    holdout: pd.DataFrame | None = None  # the held-out figures scored (sim.analysis.holdout)
    holdout_file: str | None = None
    #: the language of the folder's plots (``run --lang``): ``plot`` and ``report`` follow it
    language: str = "en"

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
            "p_met_includes_parameter_uncertainty": self.posterior is not None,
            "p_met_basis": probability_basis(self.posterior),
            "language": self.language,
            "posterior": self._posterior_manifest(),
            **({"holdout": self._holdout_manifest()} if self.holdout is not None else {}),
        }

    def _holdout_manifest(self) -> dict:
        """The held-out file and its coverage (figures held, scored, in the file)."""
        assert self.holdout is not None
        held, scored = coverage(self.holdout)
        return {
            "file": self.holdout_file,
            "held": held,
            "scored": scored,
            "figures": len(self.holdout),
        }

    def _posterior_manifest(self) -> dict | None:
        """The posterior's file, digest and each replication's draw, and the replications
        at point values (None without a posterior)."""
        if self.posterior is None:
            return None
        found = self.posterior.summary(self.results.root_seed, self.results.replications)
        if self.fixed is not None:
            found["point_value_replications"] = self.fixed.replications
            found["point_value_events"] = self.fixed.events
            found["point_value_wall_seconds"] = round(self.fixed.wall_seconds, 3)
        return found

    def files(self, table_format: str = "csv") -> dict[str, pd.DataFrame | dict | bytes]:
        """The results folder's files: trajectories.csv, goals.csv, survival.csv,
        parameters.csv and observations.csv (when known), holdout.csv (when scored), firms.csv
        (if recorded), scenario.json (the resolved scenario) and manifest.json. With
        ``table_format`` ``"parquet"`` the long tables (trajectories, firms) are Parquet files
        instead."""
        if table_format not in TABLE_FORMATS:
            raise ValueError(f"table format {table_format!r}: one of {', '.join(TABLE_FORMATS)}")
        tables = {
            "trajectories": self.results.trajectories,
            "goals": self.goals,
            "survival": self.survival,
            "parameters": self.parameters,
            "observations": self.observations,
            "holdout": self.holdout,
            "firms": self.results.firms,
        }
        files: dict[str, pd.DataFrame | dict | bytes] = {}
        for name, table in tables.items():
            if table is None:
                continue
            if table_format == "parquet" and name in LONG_TABLES:
                files[f"{name}.parquet"] = parquet_bytes(table)
            else:
                files[f"{name}.csv"] = table
        files["scenario.json"] = self.results.scenario.model_dump(mode="json", by_alias=True)
        files["manifest.json"] = self.manifest()
        return files

    def write(
        self, out: str | os.PathLike[str] | OutputFolder, table_format: str = "csv"
    ) -> list[Path]:
        """Write the results folder (see :meth:`files`), replacing an earlier run's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files(table_format))
        with claim(out, "run", "python: ScenarioRun.write") as folder:
            return folder.replace(self.files(table_format))


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
    posterior: str | os.PathLike[str] | Posterior | None = None,
    holdout: str | os.PathLike[str] | None = None,
) -> ScenarioRun:
    """Run a scenario (object or YAML path) and compute its goal table.

    Pass ``executor`` to use your own (e.g. a Dask client's executor); otherwise ``workers``
    processes are started for the run, or, with ``dask``, a Dask engine: ``"local"`` (a local
    cluster of ``workers`` processes) or a scheduler address such as ``"tcp://HOST:8786"``
    (see ``sim.experiment.engines``). ``observations`` is a file of observed figures, or a
    list of them (by default ``observations.yaml`` and ``patterns.yaml`` beside a scenario
    file, those present that name the scenario's zone; ``[]``: none). A file of another zone
    raises :class:`~sim.scenario.ScenarioError`.

    With ``units_dir`` (the command line uses ``OUT/units``) every finished replication is
    stored there as it completes; with ``resume=True`` as well, the replications already
    stored are loaded instead of run (``results.reused`` counts them) and the rest are run,
    with identical results. Resuming raises
    :class:`~sim.results.units.ResumeMismatch` when the folder's units were made with
    another scenario, seed or ``firm_records``; without ``resume`` they are discarded.
    The units stay after the run: ``sim.results.units.discard_units(units_dir)`` deletes
    them.

    ``posterior`` (a file, or a :class:`~sim.scenario.posterior.Posterior` read against this
    scenario) runs replication ``i`` at draw ``posterior.assignment(seed, replications)[i]``
    and the same replications at the point values too (their units in ``units_dir/fixed``);
    the goal table's ``p_met`` is then over the posterior and ``p_met_fixed`` at the point
    values (see ``sim.analysis.goals``).

    ``holdout`` is a file of held-out figures (``sim.scenario.holdout``) of the scenario's
    zone (another zone raises :class:`~sim.scenario.ScenarioError`, before anything runs):
    the run's trajectories are scored against it (``run.holdout``, ``holdout.csv``).
    """
    if resume and units_dir is None:
        raise ValueError("resume needs units_dir, the folder of the stored replications")
    tree = None
    beside = None
    if not isinstance(scenario, Scenario):
        beside = scenario
        scenario, tree = load_scenario_with_tree(scenario)
    if observations is None:  # those beside the file, of the scenario's zone
        observations = default_observations(beside, scenario) if beside is not None else None
    observed = observed_table(observations, scenario) if observations else None
    held_out = load_holdout(holdout, scenario) if holdout is not None else None
    if posterior is not None and not isinstance(posterior, Posterior):
        data = tree.data if tree is not None else scenario.model_dump(mode="json", by_alias=True)
        posterior = read_posterior(posterior, data)
    scenario_of = posterior_scenarios(posterior, seed, replications)
    store = fixed_store = None
    if units_dir is not None:  # before the engine starts: a mismatch fails at once
        digest = posterior.digest if posterior is not None else None
        store = open_run_units(units_dir, scenario, seed, firm_records, resume, digest)
        if posterior is not None:
            fixed_store = open_point_value_units(units_dir, scenario, seed, resume)
        else:
            discard_units(Path(units_dir) / POINT_VALUE_UNITS)
    fixed = None
    with engine_for(executor, workers, dask) as engine:
        results = run_replications(
            scenario,
            replications,
            seed,
            executor=engine.executor,
            workers=engine.workers,
            firm_records=firm_records,
            progress=progress,
            store=store,
            scenario_of=scenario_of,
        )
        if posterior is not None:  # the same replications at the point values
            fixed = run_replications(
                scenario,
                replications,
                seed,
                executor=engine.executor,
                workers=engine.workers,
                progress=progress,
                store=fixed_store,
            )
    decided = decided_by_for(beside, scenario) if beside is not None else None
    fixed_trajectories = fixed.trajectories if fixed is not None else None
    goals = goal_table(
        scenario, results.trajectories, replications, decided, posterior, fixed_trajectories
    )
    scored = (
        score_holdout(results.trajectories, held_out, replications)
        if held_out is not None
        else None
    )
    file = str(holdout) if holdout is not None else None
    return ScenarioRun(results, goals, tree, observed, posterior, fixed, scored, file)


#: The folder, inside a run's units, of the replications at point values of a run over a
#: posterior.
POINT_VALUE_UNITS = "fixed"


def open_point_value_units(
    units_dir: str | os.PathLike[str], scenario: Scenario, seed: int, resume: bool
) -> UnitStore:
    """The unit store of a posterior run's replications at point values (``units_dir/fixed``)."""
    identity = {**run_identity(scenario, seed, False), "part": "point values"}
    return UnitStore(Path(units_dir) / POINT_VALUE_UNITS, identity, resume)


def posterior_scenarios(
    posterior: Posterior | None, seed: int, replications: int
) -> Callable[[int], Scenario] | None:
    """Replication ``i``'s scenario at its draw of ``posterior`` (one object per draw), or
    None without a posterior. Every draw used is checked first: a draw making the scenario
    invalid raises ScenarioError, one expecting too many events ``TooManyEvents``."""
    if posterior is None:
        return None
    draws = posterior.assignment(seed, replications).tolist()
    made = {draw: posterior.scenario(draw) for draw in dict.fromkeys(draws)}
    for draw, scenario in made.items():
        check_events(scenario, f"{posterior.file}: draw {draw}")
    return lambda i: made[draws[i]]
