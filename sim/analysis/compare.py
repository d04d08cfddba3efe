"""Paired comparison of scenarios run with common random numbers.

Replication *i* of every scenario draws from the same per-source streams (same root seed), so
the difference of an indicator between two scenarios is taken replication by replication and
its confidence interval is a paired t interval — usually far narrower than with independent
seeds.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.goals import goal_values, met
from sim.scenario.schema import Scenario

COMPARISON_COLUMNS = [
    "scenario",
    "indicator",
    "year",
    "base_mean",
    "scenario_mean",
    "diff_mean",
    "ci_low",
    "ci_high",
    "n",
]
GOAL_COMPARISON_COLUMNS = [
    "goal",
    "reading",
    "scenario",
    "p_met_base",
    "p_met",
    "p_diff",
    "ci_low",
    "ci_high",
]

#: Indicators compared besides the goals' own.
KEY_INDICATORS = (
    "firms_in_carriers",
    "enterprise_base",
    "graduations",
    "failures",
    "turned_away",
    "carrier_occupancy",
    "grants_paid_yuan",
    "loans_yuan",
    "fund_balance_yuan",
)


def mean_ci(differences: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired differences and its t confidence interval."""
    values = differences[np.isfinite(differences)]
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def _wide(trajectories: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    rows = trajectories[trajectories["indicator"].isin(indicators)]
    return rows.pivot_table(
        index=["indicator", "year"], columns="replication", values="value", aggfunc="first"
    )


def paired_differences(
    name: str, base: pd.DataFrame, other: pd.DataFrame, indicators: list[str]
) -> pd.DataFrame:
    """For each indicator and year: the means, the mean paired difference (other − base) and
    its 95 % interval over the replications both runs recorded."""
    a, b = _wide(base, indicators), _wide(other, indicators)
    common = a.columns.intersection(b.columns)
    rows = []
    for key in a.index.intersection(b.index):
        x = a.loc[key, common].to_numpy(dtype=float)
        y = b.loc[key, common].to_numpy(dtype=float)
        diff, low, high = mean_ci(y - x)
        both = np.isfinite(y - x)
        rows.append(
            (
                name,
                key[0],
                int(key[1]),
                float(np.nanmean(x)),
                float(np.nanmean(y)),
                diff,
                low,
                high,
                int(both.sum()),
            )
        )
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    return table.sort_values(["indicator", "year"], kind="stable", ignore_index=True)


def goal_changes(
    name: str, scenario: Scenario, base: pd.DataFrame, other: pd.DataFrame, replications: int
) -> pd.DataFrame:
    """Change in each modelled goal's probability of being met, with a paired 95 % interval:
    one row per reading (``goal`` is the reading's key: the goal id for the main reading,
    ``goal:reading`` for the others; see ``Scenario.goal_readings``)."""
    rows = []
    for key, goal in scenario.goal_readings().items():
        if goal.indicator is None:
            continue
        hit_a = met(goal_values(base, goal.indicator, goal.year, replications), goal).astype(float)
        hit_b = met(goal_values(other, goal.indicator, goal.year, replications), goal).astype(float)
        diff, low, high = mean_ci(hit_b - hit_a)
        rows.append(
            (key, goal.reading, name, float(hit_a.mean()), float(hit_b.mean()), diff, low, high)
        )
    return pd.DataFrame(rows, columns=GOAL_COMPARISON_COLUMNS)


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of nested data as dotted keys (distributions and lists kept whole)."""
    if isinstance(data, dict) and "dist" not in data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if value is not None else "(absent)"


def scenario_differences(base: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Readable differences of two resolved scenarios: ``key: old -> new``."""
    a, b = flatten(base), flatten(other)
    lines = []
    for key in sorted(set(a) | set(b)):
        if key in ("name", "description"):
            continue
        if a.get(key) != b.get(key):
            lines.append(f"{key}: {_show(a.get(key))} -> {_show(b.get(key))}")
    return lines
