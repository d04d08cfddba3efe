"""zonesim: a discrete-event simulation of a high-tech zone's innovation ecosystem.

>>> import sim
>>> run = sim.run_scenario("scenarios/baseline.yaml", replications=20, seed=2018)
>>> run.goals, run.trajectories
"""

__version__ = "0.1.0"

from sim.api import ScenarioRun, run_scenario  # noqa: E402
from sim.scenario import ScenarioError, load_scenario  # noqa: E402

__all__ = ["ScenarioRun", "ScenarioError", "load_scenario", "run_scenario", "__version__"]
