"""Sensitivity: Morris or Sobol indices of one output over a parameter space (SALib)."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.sensitivity import Output, Sensitivity, sensitivity
from sim.results import OutputFolder, claim
from sim.studies.common import Progress, Setup, evaluator, open_units, prepare, summary

KIND = "sensitivity"


@dataclass
class SensitivityStudy:
    """Finished sensitivity indices and their summary."""

    setup: Setup
    result: Sensitivity
    manifest: dict[str, Any]

    def files(self, out: Path | None = None) -> dict[str, pd.DataFrame | dict]:
        """indices.csv, design.csv and summary.json."""
        return {
            "indices.csv": self.result.indices,
            "design.csv": self.result.design,
            "summary.json": self.manifest,
        }

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the sensitivity folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files())
        with claim(out, KIND, "python: SensitivityStudy.write") as folder:
            return folder.replace(self.files())


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
    setup: Setup | None = None,
) -> SensitivityStudy:
    """Morris or Sobol indices of ``output`` (``INDICATOR@YEAR``) over the space; finished
    points are kept in ``out/units`` (when ``out`` is given) for ``resume``."""
    target = Output.parse(output)
    design = {
        "replications": replications,
        "root_seed": seed,
        "method": method,
        "samples": samples,
        "output": str(target),
    }
    setup = setup or prepare(scenario, space, None)
    if not setup.scenario.horizon.start_year < target.year <= setup.scenario.horizon.end_year:
        raise ValueError(f"output year {target.year} is outside the scenario's horizon")
    open_units(setup, Path(out) / "units" if out else None, "sensitivity", design, resume)
    points = evaluator(
        setup, replications, seed, target.year, [target.indicator], executor, workers, progress
    )
    result = sensitivity(setup.space, target, points, method, samples, seed)
    settings = {
        "replications": replications,
        "method": method,
        "samples": samples,
        "points": len(result.design),
        "output": str(target),
    }
    manifest = summary(setup, "sensitivity", seed, settings, points, result.warnings)
    return SensitivityStudy(setup, result, manifest)


def sensitivity_points(space_dimension: int, method: str, samples: int) -> int:
    """Design points a sensitivity analysis evaluates."""
    return samples * (space_dimension + (1 if method == "morris" else 2))
