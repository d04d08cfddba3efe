"""zonesim: a discrete-event simulation of a high-tech zone's innovation ecosystem.

>>> import sim
>>> run = sim.run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals, run.trajectories

Names are imported on first use: ``import sim.model`` (what a worker process needs) loads
neither the plots nor the analyses.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Comparison": "sim.studies.compare",
    "ScenarioRun": "sim.studies.run",
    "compare_scenarios": "sim.studies.compare",
    "run_scenario": "sim.studies.run",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
    "plot_carriers": "sim.plots",
    "plot_fan": "sim.plots",
    "plot_fan_overlay": "sim.plots",
    "plot_funnel": "sim.plots",
    "plot_goal_dashboard": "sim.plots",
    "plot_survival": "sim.plots",
    "write_report": "sim.report",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
