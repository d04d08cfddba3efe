"""Studies: one module per command that runs the model — ``run``, ``compare``, ``calibrate``,
``sensitivity``, ``tune``, ``sweep``, ``screen``. Each loads and checks its inputs, runs
replications through one engine, analyses them, and returns a result object whose
``files()`` are the contents of its results folder and whose ``write(out)`` writes them
(``sim.results``).
Studies never draw: the plots are drawn from their results (``sim.plots``). The analyses
take ``setup=`` (``common.prepare``'s checked inputs) when the caller has already checked them,
as the command line does before it claims the output folder.

>>> from sim.studies import run_scenario
>>> run = run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals, run.trajectories

Names are imported on first use, so that ``import sim.studies.run`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ScenarioRun": "run",
    "run_scenario": "run",
    "Comparison": "compare",
    "compare_scenarios": "compare",
    "CalibrationStudy": "calibrate",
    "calibrate_scenario": "calibrate",
    "PosteriorStudy": "calibrate",
    "calibrate_posterior": "calibrate",
    "SensitivityStudy": "sensitivity",
    "sensitivity_scenario": "sensitivity",
    "sensitivity_points": "sensitivity",
    "TuneStudy": "tune",
    "tune_scenario": "tune",
    "SweepStudy": "sweep",
    "sweep_scenario": "sweep",
    "ScreenStudy": "screen",
    "screen_scenario": "screen",
    "DiscoverStudy": "discover",
    "discover_scenario": "discover",
    "default_observations": "common",
    "observed_table": "common",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.studies' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sim.studies.{_EXPORTS[name]}"), name)
