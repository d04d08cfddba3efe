"""Calibrate: fit a scenario's uncertain parameters to observed figures (with a hindcast).

>>> from sim.studies import calibrate_scenario, calibrate_posterior
>>> cal = calibrate_scenario("scenarios/baseline.yaml", "scenarios/spaces/uncertain.yaml",
...                          "scenarios/observations.yaml", "results/calibrate", trials=40)
>>> post = calibrate_posterior("scenarios/baseline.yaml", "scenarios/spaces/uncertain.yaml",
...                            "scenarios/observations.yaml", "results/posterior")
>>> post.posterior.draws  # draw, weight, one column per parameter: posterior.csv

``calibrate_scenario`` is the search (``--method search``): a best point and the ranges its
candidates show. ``calibrate_posterior`` returns a weighted sample of the posterior, by
history matching with Gaussian-process emulators or by ABC-SMC (``sim.analysis.posterior``).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.calibration import Calibration, calibrate, observation_end_year
from sim.analysis.posterior import PosteriorSample, abc_smc, history_match
from sim.experiment.observe import Observer
from sim.results import OutputFolder, claim
from sim.studies.common import (
    Progress,
    Setup,
    evaluator,
    observed_table,
    open_units,
    prepare,
    run_end_year,
    scenario_text,
    summary,
)

KIND = "calibration"


def _files(observations: str | os.PathLike[str] | list[str | os.PathLike[str]]) -> list[str]:
    """One observation file or several, as a list."""
    if isinstance(observations, str | os.PathLike):
        return [str(observations)]
    return [str(f) for f in observations]


def _observation_name(row: Any) -> str:
    """``loans_yuan 2020-2021`` or ``national_hte 2018``."""
    span = row.to_year is not None and row.to_year == row.to_year and row.to_year != row.year
    return f"{row.indicator} {row.year}" + (f"-{int(row.to_year)}" if span else "")


@dataclass
class CalibrationStudy:
    """A finished calibration: the search's result and its summary."""

    setup: Setup
    calibration: Calibration
    manifest: dict[str, Any]
    observations_file: str

    def files(self, out: Path) -> dict[str, pd.DataFrame | dict | str]:
        """trials.csv, ranges.csv, fit.csv, hindcast.csv (with a hindcast), the calibrated
        scenario (when the observations inform the parameters) and summary.json."""
        cal = self.calibration
        files: dict[str, pd.DataFrame | dict | str] = {
            "trials.csv": cal.trials,
            "ranges.csv": cal.ranges,
            "fit.csv": cal.fit,
        }
        if cal.fit_until is not None:
            files["hindcast.csv"] = cal.hindcast
        calibrated = None
        if cal.informative:
            calibrated, text = self._calibrated(out)
            files[calibrated] = text
        files["summary.json"] = {
            **self.manifest,
            "best": cal.best,
            "calibrated_scenario": calibrated,
        }
        return files

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the calibration folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files(out.path))
        with claim(out, KIND, "python: CalibrationStudy.write") as folder:
            return folder.replace(self.files(folder.path))

    def _names(self) -> str:
        """The observation files' names."""
        return " and ".join(Path(f.strip()).name for f in self.observations_file.split(","))

    def _calibrated(self, out: Path) -> tuple[str, str]:
        cal = self.calibration
        fitted = cal.fit[cal.fit["used_in_fit"] & cal.fit["informative"]]
        targets = ", ".join(_observation_name(r) for r in fitted.itertuples())
        comments = {
            row.parameter: (
                f"calibrated: to {self._names()} ({targets}); 90 % range "
                f"{row.range_low:.4g}-{row.range_high:.4g} (zonesim calibrate, "
                f"{date.today().isoformat()}; see fit.csv)"
            )
            for row in cal.ranges.itertuples()
        }
        name = self.setup.scenario.name
        return scenario_text(
            self.setup,
            out,
            "calibrated",
            cal.best,
            comments,
            f"{name} with {self.setup.space.name or 'its uncertain'} parameters calibrated to "
            f"{self._names()}",
            [
                f"Written by zonesim calibrate ({self.setup.space.file}, "
                f"{self.observations_file}); see fit.csv and ranges.csv beside it."
            ],
        )


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
    setup: Setup | None = None,
) -> CalibrationStudy:
    """Fit the uncertain parameters of ``space`` to the observed figures (one file, or several
    fitted together: e.g. the zone's observations and the published patterns). Finished
    candidates are kept in ``out/units`` (when ``out`` is given) for ``resume``."""
    files = _files(observations)
    setup = setup or prepare(scenario, space, "uncertain")
    observed = observed_table(files, setup.scenario)
    design = {
        "replications": replications,
        "root_seed": seed,
        "trials": trials,
        "fit_until": fit_until,
        "observations": observed.to_json(),
    }
    open_units(setup, Path(out) / "units" if out else None, "calibrate", design, resume)
    search = evaluator(
        setup,
        replications,
        seed,
        int(observation_end_year(observed).max()),
        sorted(set(observed["indicator"])),
        executor,
        workers,
        progress,
    )
    result = calibrate(setup.space, observed, search, replications, trials, seed, fit_until)
    settings = {
        "replications": replications,
        "trials": trials,
        "fit_until": fit_until,
        "observations_file": ", ".join(map(str, files)),
    }
    manifest = summary(setup, "calibrate", seed, settings, search, result.notes)
    return CalibrationStudy(setup, result, manifest, ", ".join(map(str, files)))


#: The methods of ``calibrate --method`` that return a posterior sample.
POSTERIOR_METHODS = ("history-matching", "abc")


@dataclass
class PosteriorStudy:
    """A finished posterior calibration: the weighted draws and how they were found."""

    setup: Setup
    posterior: PosteriorSample
    manifest: dict[str, Any]
    observations_file: str

    def files(self, out: Path) -> dict[str, pd.DataFrame | dict | str]:
        """posterior.csv (draw, weight, one column per parameter: what ``run --posterior``
        reads), intervals.csv, stages.csv (per wave or generation), runs.csv (every point
        simulated, with its mean per observation), fit.csv and summary.json."""
        post = self.posterior
        return {
            "posterior.csv": post.draws,
            "intervals.csv": post.intervals(),
            "stages.csv": post.stages,
            "runs.csv": post.runs,
            "fit.csv": post.fit,
            "summary.json": self.manifest,
        }

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the calibration folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files(out.path))
        with claim(out, KIND, "python: PosteriorStudy.write") as folder:
            return folder.replace(self.files(folder.path))


def calibrate_posterior(
    scenario: str | os.PathLike[str],
    space: str | os.PathLike[str],
    observations: str | os.PathLike[str] | list[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None,
    method: str = "history-matching",
    replications: int = 10,
    seed: int = 2018,
    waves: int = 4,
    points: int | None = None,
    population: int = 200,
    budget: int = 3000,
    draws: int = 500,
    fit_until: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
    setup: Setup | None = None,
) -> PosteriorStudy:
    """A weighted sample of the uncertain parameters of ``space`` given the observed figures:
    ``method`` ``history-matching`` (``waves`` waves of ``points`` points x ``replications``,
    then ``draws`` weighted draws) or ``abc`` (ABC-SMC: ``population`` particles, at most
    ``budget`` replications). Finished points are kept in ``out/units`` for ``resume``."""
    if method not in POSTERIOR_METHODS:
        raise ValueError(f"method must be one of {', '.join(POSTERIOR_METHODS)}")
    files = _files(observations)
    setup = setup or prepare(scenario, space, "uncertain")
    observed = observed_table(files, setup.scenario)
    end_year = run_end_year(setup, int(observation_end_year(observed).max()))
    design = {
        "method": method,
        "root_seed": seed,
        "replications": replications,
        "waves": waves,
        "points": points,
        "population": population,
        "budget": budget,
        "draws": draws,
        "fit_until": fit_until,
        "observations": observed.to_json(),
    }
    open_units(setup, Path(out) / "units" if out else None, "calibrate", design, resume)
    observer = Observer(
        setup.space,
        observed,
        seed,
        end_year,
        executor,
        workers,
        setup.store,
        progress,
    )
    if method == "history-matching":
        result = history_match(
            setup.space, observed, observer, seed, waves, points, replications, draws, fit_until
        )
    else:
        result = abc_smc(
            setup.space, observed, observer, seed, population, budget, fit_until=fit_until
        )
    settings = {
        "method": method,
        "replications_per_point": replications if method == "history-matching" else 1,
        "replications_run": result.replications_run,
        "waves": waves if method == "history-matching" else None,
        "points_per_wave": points,
        "population": population if method == "abc" else None,
        "budget": budget if method == "abc" else None,
        "draws": len(result.draws),
        "effective_sample_size": round(result.effective_sample_size, 1),
        "fit_until": fit_until,
        "observations_file": ", ".join(map(str, files)),
    }
    manifest = summary(setup, "calibrate", seed, settings, observer, result.notes)
    return PosteriorStudy(setup, result, manifest, ", ".join(map(str, files)))
