"""Experiments: replications of a scenario through an executor, and the results folder."""

from sim.experiment.runner import RunResults, expected_events, run_one, run_replications

__all__ = ["RunResults", "expected_events", "run_one", "run_replications"]
