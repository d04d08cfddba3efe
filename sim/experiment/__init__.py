"""Experiments: replications of a scenario from one root seed through an executor passed in,
the event guard, and candidates of a parameter space (`evaluate`)."""

from sim.experiment.runner import RunResults, expected_events, run_one, run_replications

__all__ = ["RunResults", "expected_events", "run_one", "run_replications"]
