"""What a policy costs per result: its extra cost against the reference scenario (the levers'
costs of ``levers.yaml``) over the paired change of each goal's indicator in the goal year,
and, where a policy moves several levers, each lever's share of that change.

All runs share the reference's random numbers (common random numbers), so every change is a
mean of paired differences with a paired t interval (``sim.analysis.compare.mean_ci``). The
cost per extra unit is the cost over the change; its interval is the cost over the change's
interval, reported only where that interval excludes zero (else the change is not told apart
from none, and the cost per unit is unbounded).

A lever's share is the mean of its effect alone (the reference with that lever at the policy's
value, against the reference) and its effect last (the policy, against the policy with that
lever back at the reference's value), over the policy's whole effect: a two-point
approximation of the lever's Shapley value, exact when the levers' effects add up. What the
shares leave of 1 is the levers' interaction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.analysis.compare import mean_ci
from sim.analysis.goals import goal_values
from sim.indicators import describe
from sim.scenario.schema import Scenario

COST_COLUMNS = [
    "scenario",
    "goal",
    "reading",
    "indicator",
    "year",
    "unit",
    "cost_yuan",
    "diff_mean",
    "diff_low",
    "diff_high",
    "yuan_per_unit",
    "yuan_per_unit_low",
    "yuan_per_unit_high",
]
SHARE_COLUMNS = [
    "scenario",
    "lever",
    "goal",
    "reading",
    "indicator",
    "year",
    "effect_alone",
    "effect_last",
    "effect",
    "effect_low",
    "effect_high",
    "policy_effect",
    "policy_effect_low",
    "policy_effect_high",
    "share",
]

#: Units of shares: their changes are counted in percentage points.
SHARE_UNITS = ("share", "share of area")


def unit_of(indicator: str) -> tuple[str, float]:
    """The unit a change of ``indicator`` is counted in, and the factor from its values:
    shares in percentage points (x 100), anything else in its own unit."""
    unit = describe(indicator).unit
    return ("percentage point", 100.0) if unit in SHARE_UNITS else (unit, 1.0)


def goal_indicators(scenario: Scenario) -> list[tuple[str, str, str, int]]:
    """(goal, reading, indicator, year) of every modelled reading of the scenario's goals."""
    found = []
    for goal_id, goal in scenario.goals.items():
        for reading_id, read in goal.read().items():
            if read.indicator is not None:
                found.append((goal_id, reading_id, read.indicator, read.year))
    return found


def yuan_per_unit(cost: float, low: float, mean: float, high: float) -> tuple[float, ...]:
    """(cost per unit, its low, its high): ``cost / mean``, and the cost over the interval's
    ends where the interval excludes zero (NaN otherwise, and NaN for a zero change)."""
    if not math.isfinite(mean) or mean == 0:
        return math.nan, math.nan, math.nan
    per_unit = cost / mean
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high:
        return per_unit, math.nan, math.nan
    ends = sorted((cost / low, cost / high))
    return per_unit, ends[0], ends[1]


def cost_effectiveness(
    name: str,
    cost: float,
    scenario: Scenario,
    base: pd.DataFrame,
    other: pd.DataFrame,
    replications: int,
) -> pd.DataFrame:
    """One row per modelled goal reading: the policy's cost, the paired change of the goal's
    indicator in its year (mean and 95 % interval, in ``unit``: shares in percentage points)
    and the cost per extra unit with its interval (see the module doc)."""
    rows = []
    for goal_id, reading, indicator, year in goal_indicators(scenario):
        unit, factor = unit_of(indicator)
        a = goal_values(base, indicator, year, replications)
        b = goal_values(other, indicator, year, replications)
        mean, low, high = mean_ci(factor * (b - a))
        rows.append(
            (
                name,
                goal_id,
                reading,
                indicator,
                year,
                unit,
                cost,
                mean,
                low,
                high,
                *yuan_per_unit(cost, low, mean, high),
            )
        )
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def lever_shares(
    name: str,
    scenario: Scenario,
    reference: pd.DataFrame,
    policy: pd.DataFrame,
    alone: Mapping[str, pd.DataFrame],
    without: Mapping[str, pd.DataFrame],
    replications: int,
) -> pd.DataFrame:
    """Each lever's share of the policy's change of every goal's indicator: ``alone[lever]``
    are the trajectories of the reference with only that lever moved, ``without[lever]`` those
    of the policy with that lever back at the reference's value (all under the reference's
    random numbers). The effect's interval is that of the per-replication mean of the two
    paired effects."""
    rows = []
    for goal_id, reading, indicator, year in goal_indicators(scenario):
        ref = goal_values(reference, indicator, year, replications)
        pol = goal_values(policy, indicator, year, replications)
        total, total_low, total_high = mean_ci(pol - ref)
        for lever in alone:
            first = goal_values(alone[lever], indicator, year, replications) - ref
            last = pol - goal_values(without[lever], indicator, year, replications)
            effect, low, high = mean_ci((first + last) / 2)
            share = effect / total if total != 0 and math.isfinite(total) else math.nan
            rows.append(
                (
                    name,
                    lever,
                    goal_id,
                    reading,
                    indicator,
                    year,
                    _mean(first),
                    _mean(last),
                    effect,
                    low,
                    high,
                    total,
                    total_low,
                    total_high,
                    share,
                )
            )
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def _mean(values: np.ndarray) -> float:
    """The mean of the finite values (NaN when there is none)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan
