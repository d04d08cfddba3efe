"""What a policy costs per result: its extra cost against the reference scenario (the levers'
costs of ``levers.yaml``) over the paired change of each goal's indicator in the goal year,
and, where a policy moves several levers, each lever's share of that change.

All runs share the reference's random numbers (common random numbers), so every change is a
mean of paired differences with a paired t interval (``sim.analysis.compare.mean_ci``). The
change is counted in the goal's better direction (up for a ``>=`` goal, down for ``<=``) and in
the indicator's unit (shares in percentage points). The cost per extra unit is the cost over
the change, with the cost over the change's interval, only where it means "what one more unit
costs": a positive cost and a change told apart from none in the better direction. Otherwise
``note`` says why there is none: no priced cost, a change not told apart from none, a policy
that saves and improves (dominant), one that costs and worsens (dominated), or one that saves
by losing ground.

A lever's share is the mean of its effect alone (the reference with that lever at the policy's
value, against the reference) and its effect last (the policy, against the policy with that
lever back at the reference's value), over the policy's whole effect: a two-point estimate of
the lever's Shapley value. With two levers and no other change the shares add to exactly 1 by
construction (an interaction is split equally between them); with more levers, what they
leave of 1 is the higher-order interaction, and changes of the policy that are no lever stay
in every effect last.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.analysis.compare import mean_ci
from sim.analysis.goals import goal_values
from sim.indicators import describe
from sim.scenario.schema import Goal, Scenario, goal_of

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
    "note",
]
SHARE_COLUMNS = [
    "scenario",
    "lever",
    "goal",
    "reading",
    "indicator",
    "year",
    "unit",
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


def measured_readings(scenario: Scenario) -> list[tuple[str, Goal]]:
    """(goal id, the goal under one reading) of every modelled reading of the scenario."""
    return [
        (goal_of(key), read)
        for key, read in scenario.goal_readings().items()
        if read.indicator is not None
    ]


def told_apart(low: float | None, high: float | None) -> bool:
    """Whether a 95 % interval excludes zero."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return False
    return low > 0 or high < 0


#: Why a row of cost_effectiveness.csv has no cost per unit.
NO_COST = "no priced cost: the policy moves no lever of the space"
NOT_TOLD_APART = "change not told apart from none"
DOMINANT = "saves money and improves the goal (dominant)"
DOMINATED = "costs money and worsens the goal (dominated)"
SAVES_BY_LOSING = "saves money by losing ground on the goal"


def yuan_per_unit(cost: float, low: float, mean: float, high: float) -> tuple[float | str, ...]:
    """(cost per unit, its low, its high, note) for a change (mean and 95 % interval) counted
    in the goal's better direction: ``cost / mean`` and the cost over the interval's ends where
    the cost is positive and the change told apart from none and better; else NaN and the
    reason (see the module doc)."""
    nothing = (math.nan, math.nan, math.nan)
    if cost == 0 or not math.isfinite(cost):
        return (*nothing, NO_COST)
    if not told_apart(low, high):
        return (*nothing, NOT_TOLD_APART)
    better = mean > 0
    if cost < 0:
        return (*nothing, DOMINANT if better else SAVES_BY_LOSING)
    if not better:
        return (*nothing, DOMINATED)
    return cost / mean, cost / high, cost / low, ""


def cost_effectiveness(
    name: str,
    cost: float,
    scenario: Scenario,
    base: pd.DataFrame,
    other: pd.DataFrame,
    replications: int,
) -> pd.DataFrame:
    """One row per modelled goal reading: the policy's cost, the paired change of the goal's
    indicator in its year in the goal's better direction (mean and 95 % interval, in
    ``unit``: shares in percentage points) and the cost per extra unit with its interval, or
    in ``note`` why there is none (see the module doc)."""
    rows = []
    for goal_id, read in measured_readings(scenario):
        reading, indicator, year = read.reading, read.indicator, read.year
        unit, factor = unit_of(indicator)
        sign = 1.0 if read.op == ">=" else -1.0  # the change counted in the goal's better direction
        a = goal_values(base, indicator, year, replications)
        b = goal_values(other, indicator, year, replications)
        mean, low, high = mean_ci(sign * factor * (b - a))
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
            )  # fmt: skip
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
    random numbers). Effects are in ``unit`` (shares in percentage points); the effect's
    interval is that of the per-replication mean of the two paired effects."""
    rows = []
    for goal_id, read in measured_readings(scenario):
        reading, indicator, year = read.reading, read.indicator, read.year
        unit, factor = unit_of(indicator)
        ref = factor * goal_values(reference, indicator, year, replications)
        pol = factor * goal_values(policy, indicator, year, replications)
        total, total_low, total_high = mean_ci(pol - ref)
        for lever in alone:
            first = factor * goal_values(alone[lever], indicator, year, replications) - ref
            last = pol - factor * goal_values(without[lever], indicator, year, replications)
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
                    unit,
                    _mean(first),
                    _mean(last),
                    effect,
                    low,
                    high,
                    total,
                    total_low,
                    total_high,
                    share,
                )  # fmt: skip
            )
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def _mean(values: np.ndarray) -> float:
    """The mean of the finite values (NaN when there is none)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan
