"""zonesim: a discrete-event simulation of a high-tech zone's innovation ecosystem.

>>> import sim
>>> run = sim.run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals, run.trajectories
"""

__version__ = "0.1.0"

from sim.api import Comparison, ScenarioRun, compare_scenarios, run_scenario  # noqa: E402
from sim.plots import (  # noqa: E402
    plot_carriers,
    plot_fan,
    plot_fan_overlay,
    plot_funnel,
    plot_goal_dashboard,
    plot_survival,
)
from sim.report import write_report  # noqa: E402
from sim.scenario import ScenarioError, load_scenario  # noqa: E402

__all__ = [
    "Comparison",
    "ScenarioError",
    "ScenarioRun",
    "__version__",
    "compare_scenarios",
    "load_scenario",
    "plot_carriers",
    "plot_fan",
    "plot_fan_overlay",
    "plot_funnel",
    "plot_goal_dashboard",
    "plot_survival",
    "run_scenario",
    "write_report",
]
