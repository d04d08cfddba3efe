"""Analysis of simulated tables: the goal table (more to come: compare, calibrate, tune)."""

from sim.analysis.goals import goal_table

__all__ = ["goal_table"]
