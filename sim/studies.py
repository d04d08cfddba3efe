"""The analysis commands as Python functions: calibrate, sensitivity, tune and sweep.

Each reads a scenario and a parameter space, evaluates candidates through one executor with
common random numbers (finished candidates stored in ``OUT/units/`` so that ``resume=True``
loses none), runs the analysis, and returns a study whose ``write(out)`` writes its tables,
plots and summary atomically.

>>> import sim.studies as studies
>>> cal = studies.calibrate_scenario("scenarios/baseline.yaml", "scenarios/spaces/uncertain.yaml",
...                                  "scenarios/observations.yaml", "results/calibrate", trials=40)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.calibration import Calibration, calibrate, observation_end_year
from sim.analysis.sensitivity import Output, Sensitivity, sensitivity
from sim.analysis.space import Space, load_space
from sim.analysis.sweep import heatmap, one_at_a_time, sweep
from sim.analysis.tuning import Tuning, select_goals, tune
from sim.experiment.evaluate import Evaluator
from sim.experiment.store import scenario_hash, versions, write_atomic, write_csv, write_json
from sim.experiment.units import UnitStore
from sim.plots.style import save_figure
from sim.plots.tuning import plot_calibration, plot_heatmap, plot_sensitivity, plot_tradeoff
from sim.scenario import Scenario, SourceTree, load_scenario_with_tree
from sim.scenario.observations import load_observations, observations_table
from sim.scenario.overrides import override_text

Progress = Callable[[int], None] | None


@dataclass
class Setup:
    """What every analysis command starts from."""

    scenario_path: str
    scenario: Scenario
    tree: SourceTree
    space: Space
    store: UnitStore | None
    started: float = field(default_factory=time.perf_counter)

    def identity(self) -> dict[str, Any]:
        return {
            "scenario_sha256": scenario_hash(self.scenario),
            "space_sha256": self.space.digest(),
        }


def prepare(
    scenario_path: str | os.PathLike[str],
    space_path: str | os.PathLike[str],
    kind: str,
    out: str | os.PathLike[str] | None,
    command: str,
    design: dict[str, Any],
    resume: bool,
    only: list[str] | None = None,
) -> Setup:
    """Load and check the scenario and space (keeping ``only`` these parameters, if given);
    open the unit store in ``OUT/units``."""
    scenario, tree = load_scenario_with_tree(scenario_path)
    space = load_space(space_path, tree, kind=kind)
    if only:
        space = space.subset(only)
    setup = Setup(str(scenario_path), scenario, tree, space, None)
    if out is not None:
        identity = {"command": command, **setup.identity(), **design}
        setup.store = UnitStore(Path(out) / "units", identity, resume)
    return setup


def _evaluator(
    setup: Setup,
    replications: int,
    seed: int,
    end_year: int,
    indicators: list[str],
    executor: Executor | None,
    workers: int,
    progress: Progress,
) -> Evaluator:
    horizon = setup.scenario.horizon
    if end_year > horizon.end_year:
        raise ValueError(
            f"the analysis needs {end_year}, after the scenario's horizon ({horizon.end_year})"
        )
    return Evaluator(
        setup.space,
        replications,
        seed,
        max(end_year, horizon.start_year + 1),
        indicators,
        executor=executor,
        workers=workers,
        store=setup.store,
        progress=progress,
    )


def _goal_evaluator(
    setup: Setup,
    goals: dict,
    replications: int,
    seed: int,
    executor: Executor | None,
    workers: int,
    progress: Progress,
) -> Evaluator:
    """An evaluator keeping what the goals need: their indicators, up to the last goal year."""
    return _evaluator(
        setup,
        replications,
        seed,
        max(g.year for g in goals.values()),
        sorted({g.indicator for g in goals.values()}),
        executor,
        workers,
        progress,
    )


def _manifest(
    setup: Setup,
    command: str,
    seed: int,
    settings: dict[str, Any],
    evaluator: Evaluator,
    notes: list[str],
) -> dict[str, Any]:
    store = setup.store
    return {
        "command": command,
        "scenario": setup.scenario.name,
        "scenario_files": list(setup.tree.files),
        "scenario_sha256": scenario_hash(setup.scenario),
        "space_file": setup.space.file,
        "space_sha256": setup.space.digest(),
        "root_seed": seed,
        **settings,
        "evaluations_run": evaluator.evaluations,
        "evaluations_reused": store.reused if store else 0,
        "events": evaluator.events,
        "wall_seconds": round(time.perf_counter() - setup.started, 3),
        "notes": notes,
        "versions": versions(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write_scenario(
    setup: Setup,
    out: Path,
    name: str,
    values: dict[str, float],
    comments: dict[str, str],
    suffix: str,
    description: str,
    header: list[str],
) -> Path:
    path = out / f"{setup.scenario.name}_{suffix}.yaml"
    text = override_text(
        setup.scenario_path,
        path,
        setup.tree.data,
        values,
        comments,
        name,
        description,
        header,
        base_comments=setup.tree.comments,
    )
    write_atomic(path, text)
    return path


# ----------------------------------------------------------------------------- calibrate
def _observation_name(row: Any) -> str:
    """``loans_yuan 2020-2021`` or ``national_hte 2018``."""
    span = row.to_year is not None and row.to_year == row.to_year and row.to_year != row.year
    return f"{row.indicator} {row.year}" + (f"-{int(row.to_year)}" if span else "")


@dataclass
class CalibrationStudy:
    setup: Setup
    calibration: Calibration
    manifest: dict[str, Any]
    observations_file: str

    def write(self, out: str | os.PathLike[str], plots: bool = True) -> list[Path]:
        out = Path(out)
        cal = self.calibration
        written = []
        for name, table in (
            ("trials.csv", cal.trials),
            ("ranges.csv", cal.ranges),
            ("fit.csv", cal.fit),
        ):
            write_csv(out / name, table)
            written.append(out / name)
        if cal.fit_until is not None:
            write_csv(out / "hindcast.csv", cal.hindcast)
            written.append(out / "hindcast.csv")
        scenario_file = out / f"{self.setup.scenario.name}_calibrated.yaml"
        if cal.informative:
            written.append(self._write_calibrated(out))
        if plots:
            figure = plot_calibration(cal.fit, self.setup.scenario.name)
            written.append(save_figure(figure, out / "calibration.png"))
        _remove_stale(out, written, [out / "hindcast.csv", scenario_file, out / "calibration.png"])
        write_json(
            out / "summary.json",
            {
                **self.manifest,
                "best": cal.best,
                "calibrated_scenario": scenario_file.name if cal.informative else None,
            },
        )
        return [*written, out / "summary.json"]

    def _files(self) -> str:
        """The observation files' names."""
        return " and ".join(Path(f.strip()).name for f in self.observations_file.split(","))

    def _write_calibrated(self, out: Path) -> Path:
        cal = self.calibration
        fitted = cal.fit[cal.fit["used_in_fit"] & cal.fit["informative"]]
        targets = ", ".join(_observation_name(r) for r in fitted.itertuples())
        comments = {
            row.parameter: (
                f"calibrated: to {self._files()} ({targets}); 90 % range "
                f"{row.range_low:.4g}-{row.range_high:.4g} (zonesim calibrate, "
                f"{date.today().isoformat()}; see fit.csv)"
            )
            for row in cal.ranges.itertuples()
        }
        return _write_scenario(
            self.setup,
            out,
            f"{self.setup.scenario.name}_calibrated",
            cal.best,
            comments,
            "calibrated",
            f"{self.setup.scenario.name} with {self.setup.space.name or 'its uncertain'} "
            f"parameters calibrated to {self._files()}",
            [
                f"Written by zonesim calibrate ({self.setup.space.file}, "
                f"{self.observations_file}); see fit.csv and ranges.csv beside it."
            ],
        )


def _remove_stale(out: Path, written: list[Path], optional: list[Path]) -> None:
    """Delete optional outputs an earlier run left that this one did not write."""
    for path in optional:
        if path not in written:
            path.unlink(missing_ok=True)


def calibrate_scenario(
    scenario: str | os.PathLike[str],
    space: str | os.PathLike[str],
    observations: str | os.PathLike[str] | list[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None,
    replications: int = 20,
    seed: int = 2018,
    trials: int = 60,
    fit_until: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
) -> CalibrationStudy:
    """Fit the uncertain parameters of ``space`` to the observed figures (one file, or several
    fitted together: e.g. the zone's observations and the published patterns)."""
    files = (
        [str(observations)] if isinstance(observations, str | os.PathLike) else list(observations)
    )
    observed = pd.concat(
        [observations_table(load_observations(path)) for path in files], ignore_index=True
    )
    design = {
        "replications": replications,
        "root_seed": seed,
        "trials": trials,
        "fit_until": fit_until,
        "observations": observed.to_json(),
    }
    setup = prepare(scenario, space, "uncertain", out, "calibrate", design, resume)
    evaluator = _evaluator(
        setup,
        replications,
        seed,
        int(observation_end_year(observed).max()),
        sorted(set(observed["indicator"])),
        executor,
        workers,
        progress,
    )
    result = calibrate(setup.space, observed, evaluator, replications, trials, seed, fit_until)
    settings = {
        "replications": replications,
        "trials": trials,
        "fit_until": fit_until,
        "observations_file": ", ".join(files),
    }
    manifest = _manifest(setup, "calibrate", seed, settings, evaluator, result.notes)
    return CalibrationStudy(setup, result, manifest, ", ".join(files))


# ----------------------------------------------------------------------------- sensitivity
@dataclass
class SensitivityStudy:
    setup: Setup
    result: Sensitivity
    manifest: dict[str, Any]

    def write(self, out: str | os.PathLike[str], plots: bool = True) -> list[Path]:
        out = Path(out)
        write_csv(out / "indices.csv", self.result.indices)
        write_csv(out / "design.csv", self.result.design)
        written = [out / "indices.csv", out / "design.csv"]
        if plots:
            figure = plot_sensitivity(
                self.result.indices,
                self.result.method,
                str(self.result.output),
                self.setup.scenario.name,
            )
            written.append(save_figure(figure, out / "sensitivity.png"))
        _remove_stale(out, written, [out / "sensitivity.png"])
        write_json(out / "summary.json", self.manifest)
        return [*written, out / "summary.json"]


def sensitivity_scenario(
    scenario: str | os.PathLike[str],
    space: str | os.PathLike[str],
    output: str,
    out: str | os.PathLike[str] | None,
    method: str = "morris",
    samples: int = 20,
    replications: int = 20,
    seed: int = 2018,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
) -> SensitivityStudy:
    """Morris or Sobol indices of ``output`` (``INDICATOR@YEAR``) over the space."""
    target = Output.parse(output)
    design = {
        "replications": replications,
        "root_seed": seed,
        "method": method,
        "samples": samples,
        "output": str(target),
    }
    setup = prepare(scenario, space, None, out, "sensitivity", design, resume)
    if not setup.scenario.horizon.start_year < target.year <= setup.scenario.horizon.end_year:
        raise ValueError(f"output year {target.year} is outside the scenario's horizon")
    evaluator = _evaluator(
        setup, replications, seed, target.year, [target.indicator], executor, workers, progress
    )
    result = sensitivity(setup.space, target, evaluator, method, samples, seed)
    settings = {
        "replications": replications,
        "method": method,
        "samples": samples,
        "points": len(result.design),
        "output": str(target),
    }
    manifest = _manifest(setup, "sensitivity", seed, settings, evaluator, result.warnings)
    return SensitivityStudy(setup, result, manifest)


def sensitivity_points(space_dimension: int, method: str, samples: int) -> int:
    """Design points a sensitivity analysis evaluates."""
    return samples * (space_dimension + (1 if method == "morris" else 2))


# ----------------------------------------------------------------------------- tune
@dataclass
class TuneStudy:
    setup: Setup
    result: Tuning
    manifest: dict[str, Any]

    def write(self, out: str | os.PathLike[str], plots: bool = True) -> list[Path]:
        out = Path(out)
        result = self.result
        write_csv(out / "trials.csv", result.trials)
        written = [out / "trials.csv"]
        if result.best is not None:
            s = result.best_summary
            comments = {
                path: (
                    f"assumption: policy lever found by zonesim tune — cheapest setting meeting "
                    f"{', '.join(result.goals)} with P = {s['p_all']:.2f} "
                    f"(90 % {s['p_all_low']:.2f}-{s['p_all_high']:.2f}, {s['replications']} "
                    f"replications) >= {result.min_probability:g}; cost "
                    f"{s['cost_yuan'] / 1e6:.2f} M yuan; {date.today().isoformat()}"
                )
                for path in result.best
            }
            written.append(
                _write_scenario(
                    self.setup,
                    out,
                    f"{self.setup.scenario.name}_tuned",
                    result.best,
                    comments,
                    "tuned",
                    f"{self.setup.scenario.name} with the cheapest lever settings found to meet "
                    f"{', '.join(result.goals)} with probability >= {result.min_probability:g}",
                    [
                        f"Written by zonesim tune ({self.setup.space.file}); "
                        "see trials.csv beside it."
                    ],
                )
            )
        if plots:
            figure = plot_tradeoff(
                result.trials,
                result.min_probability,
                result.best_summary if result.best is not None else None,
                self.setup.scenario.name,
            )
            written.append(save_figure(figure, out / "tradeoff.png"))
        tuned = out / f"{self.setup.scenario.name}_tuned.yaml"
        _remove_stale(out, written, [tuned, out / "tradeoff.png"])
        write_json(
            out / "summary.json",
            {**self.manifest, "best": result.best, "best_summary": result.best_summary},
        )
        return [*written, out / "summary.json"]


def tune_scenario(
    scenario: str | os.PathLike[str],
    space: str | os.PathLike[str],
    goals: str,
    out: str | os.PathLike[str] | None,
    min_probability: float = 0.8,
    replications: int = 50,
    seed: int = 2018,
    trials: int = 40,
    confirm_replications: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
) -> TuneStudy:
    """Cheapest lever settings meeting ``goals`` (``all`` or keys) with ``min_probability``."""
    confirm_replications = confirm_replications or 4 * replications
    design = {
        "replications": replications,
        "root_seed": seed,
        "goals": goals,
        "min_probability": min_probability,
        "trials": trials,
        "confirm_replications": confirm_replications,
    }
    setup = prepare(scenario, space, "lever", out, "tune", design, resume)
    chosen = select_goals(setup.scenario, goals)
    evaluator = _goal_evaluator(setup, chosen, replications, seed, executor, workers, progress)
    # the answer's probabilities are re-estimated on other replications (another root seed)
    validator = _goal_evaluator(setup, chosen, replications, seed + 1, executor, workers, progress)
    result = tune(
        setup.space,
        chosen,
        evaluator,
        replications,
        trials,
        min_probability,
        seed,
        confirm_replications=confirm_replications,
        validate=validator,
    )
    evaluator.events += validator.events
    evaluator.evaluations += validator.evaluations
    settings = {
        "replications": replications,
        "trials": trials,
        "goals": list(chosen),
        "min_probability": min_probability,
        "confirm_replications": confirm_replications,
    }
    manifest = _manifest(setup, "tune", seed, settings, evaluator, result.notes)
    return TuneStudy(setup, result, manifest)


# ----------------------------------------------------------------------------- sweep
@dataclass
class SweepStudy:
    setup: Setup
    table: pd.DataFrame
    x: str
    y: str
    column: str
    manifest: dict[str, Any]
    effects: pd.DataFrame | None = None  # one lever at a time: paired effects on each goal

    def write(self, out: str | os.PathLike[str], plots: bool = True) -> list[Path]:
        out = Path(out)
        write_csv(out / "sweep.csv", self.table)
        written = [out / "sweep.csv"]
        if self.effects is not None:
            write_csv(out / "effects.csv", self.effects)
            written.append(out / "effects.csv")
        if plots and self.effects is None:
            xs, ys, matrix = heatmap(self.table, self.x, self.y, self.column)
            figure = plot_heatmap(
                xs,
                ys,
                matrix,
                self.x,
                self.y,
                self.column,
                self.setup.scenario.name,
                self.manifest["goals"],
                note="" if self.setup.space.dimension > 2 else "other keys as in the scenario.",
            )
            written.append(save_figure(figure, out / "heatmap.png"))
        _remove_stale(out, written, [out / "heatmap.png", out / "effects.csv"])
        write_json(out / "summary.json", self.manifest)
        return [*written, out / "summary.json"]


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
) -> SweepStudy:
    """Probability of meeting ``goals`` over a grid or Latin hypercube of the levers (or of
    ``levers`` only, the others kept as the scenario has them)."""
    identity = {
        "replications": replications,
        "root_seed": seed,
        "design": design,
        "samples": samples,
        "goals": goals,
        "levers": levers,
    }
    setup = prepare(scenario, space, "lever", out, "sweep", identity, resume, only=levers)
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
    evaluator = _goal_evaluator(
        setup, chosen_goals, replications, seed, executor, workers, progress
    )
    effects = None
    if design == "oat":
        table, effects = one_at_a_time(setup.space, chosen_goals, evaluator, replications)
    else:
        table = sweep(setup.space, chosen_goals, evaluator, replications, design, samples, seed)
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
    manifest = _manifest(setup, "sweep", seed, settings, evaluator, [])
    return SweepStudy(setup, table, x, y, column, manifest, effects)
