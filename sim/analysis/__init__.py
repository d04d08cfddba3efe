"""Analyses of simulated tables: the goal table, paired comparisons, survival, calibration,
sensitivity, tuning and sweeps."""

from sim.analysis.goals import goal_table

__all__ = ["goal_table"]
