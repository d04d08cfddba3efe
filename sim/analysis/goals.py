"""The goal table: each of the zone's goals against the simulated distribution in its year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.scenario.schema import Goal, Scenario

GOAL_COLUMNS = [
    "goal",
    "description",
    "target",
    "baseline_2018",
    "median_2020",
    "p05_2020",
    "p95_2020",
    "p_met",
    "status",
]

#: Probability bands for the status column.
ON_TRACK = 0.8
OFF_TRACK = 0.2


def met(values: np.ndarray, goal: Goal) -> np.ndarray:
    """Whether each value meets the goal (a missing value does not)."""
    with np.errstate(invalid="ignore"):
        return values >= goal.target if goal.op == ">=" else values <= goal.target


def status(p_met: float) -> str:
    if p_met >= ON_TRACK:
        return "on track"
    if p_met <= OFF_TRACK:
        return "off track"
    return "uncertain"


def goal_values(
    trajectories: pd.DataFrame, indicator: str, year: int, replications: int
) -> np.ndarray:
    """One value per replication (NaN where a replication did not record the indicator)."""
    rows = trajectories[(trajectories["indicator"] == indicator) & (trajectories["year"] == year)]
    values = np.full(replications, np.nan)
    values[rows["replication"].to_numpy()] = rows["value"].to_numpy()
    return values


def goal_table(scenario: Scenario, trajectories: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per goal of the scenario: modelled goals with the simulated median, 5-95 %
    interval and probability of being met in the goal's year; the others marked not modelled
    with the reason. (Columns say 2020, the goals' year; a goal of another year uses its own.)"""
    rows = []
    for key, goal in scenario.goals.items():
        baseline = goal.baseline_2018 if goal.baseline_2018 is not None else math.nan
        if goal.indicator is None:
            rows.append(
                (
                    key,
                    goal.description,
                    goal.target,
                    baseline,
                    math.nan,
                    math.nan,
                    math.nan,
                    math.nan,
                    f"not modelled: {goal.not_modelled_reason}",
                )
            )
            continue
        values = goal_values(trajectories, goal.indicator, goal.year, replications)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            rows.append(
                (
                    key,
                    goal.description,
                    goal.target,
                    baseline,
                    math.nan,
                    math.nan,
                    math.nan,
                    0.0,
                    "no simulated value",
                )
            )
            continue
        p05, median, p95 = np.percentile(finite, [5, 50, 95])
        p_met = float(np.mean(met(values, goal)))
        rows.append(
            (
                key,
                goal.description,
                goal.target,
                baseline,
                float(median),
                float(p05),
                float(p95),
                p_met,
                status(p_met),
            )
        )
    table = pd.DataFrame(rows, columns=GOAL_COLUMNS)
    modelled = ~table["status"].str.startswith("not modelled")
    return pd.concat([table[modelled], table[~modelled]], ignore_index=True)
