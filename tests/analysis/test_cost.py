"""Cost per result: the cost over a paired change, its interval only where the change is told
apart from none, and lever shares that add up when the levers' effects do."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.cost import lever_shares, yuan_per_unit
from tests.helpers import baseline_data, scenario_from


def test_cost_per_unit_only_where_it_means_what_one_more_unit_costs() -> None:
    """A positive cost and a change told apart from none in the goal's direction: the cost
    over the change and over its interval's ends; every other case a NaN and its reason."""
    from sim.analysis import cost as C

    per, low, high, note = yuan_per_unit(1_000_000, 8.0, 10.0, 12.0)
    assert (per, low, high, note) == pytest.approx((100_000, 1e6 / 12, 125_000, ""))
    cases = {
        (0.0, 8.0, 10.0, 12.0): C.NO_COST,  # no lever moved: not "free"
        (1e6, -1.0, 2.0, 5.0): C.NOT_TOLD_APART,
        (1e6, -12.0, -10.0, -8.0): C.DOMINATED,
        (-1e6, 8.0, 10.0, 12.0): C.DOMINANT,
        (-1e6, -12.0, -10.0, -8.0): C.SAVES_BY_LOSING,
        (1e6, 0.0, 0.0, 0.0): C.NOT_TOLD_APART,
    }
    for (cost, lo, mean, hi), reason in cases.items():
        *values, note = yuan_per_unit(cost, lo, mean, hi)
        assert all(math.isnan(v) for v in values) and note == reason, (cost, lo, mean, hi)


def test_a_goal_to_stay_below_counts_a_fall_as_better() -> None:
    """For a '<=' goal the change is counted downwards: a policy lowering the indicator by 2
    at 1 M yuan costs 500,000 yuan per unit."""
    from sim.analysis.cost import cost_effectiveness

    data = baseline_data()
    data["goals"] = {
        "few_waiting": {
            "description": "newcomers waiting",
            "target": 5,
            "op": "<=",
            "year": 2020,
            "indicator": "waiting",
        }
    }
    scenario = scenario_from(data)
    base = trajectories({2020: [10.0, 12.0, 9.0, 11.0]}, "waiting", 2020)
    other = trajectories({2020: [8.0, 10.0, 7.0, 9.0]}, "waiting", 2020)
    row = cost_effectiveness("p", 1e6, scenario, base, other, 4).iloc[0]
    assert row["diff_mean"] == 2 and row["yuan_per_unit"] == pytest.approx(500_000)
    assert row["note"] == ""


def trajectories(values: dict[int, list[float]], indicator: str, year: int) -> pd.DataFrame:
    rows = [(replication, year, indicator, value) for replication, value in enumerate(values[year])]
    return pd.DataFrame(rows, columns=["replication", "year", "indicator", "value"])


def test_additive_levers_share_in_proportion() -> None:
    """Two levers adding 2 and 1 to a goal's indicator in every replication, with no
    interaction: shares 2/3 and 1/3, effects exact."""
    data = baseline_data()
    scenario = scenario_from(data)
    goal = scenario.goals["national_hte"].main
    year, indicator = goal.year, goal.indicator
    rng = np.random.default_rng(1)
    base = rng.integers(10, 30, size=8).astype(float)

    def frame(shift: float) -> pd.DataFrame:
        return trajectories({year: list(base + shift)}, indicator, year)

    shares = lever_shares(
        "policy", scenario, frame(0), frame(3), {"a": frame(2), "b": frame(1)},
        {"a": frame(1), "b": frame(2)}, 8,
    )  # fmt: skip
    rows = shares[shares["goal"] == "national_hte"].set_index("lever")
    assert rows.loc["a", "share"] == pytest.approx(2 / 3)
    assert rows.loc["b", "share"] == pytest.approx(1 / 3)
    assert rows.loc["a", "effect"] == 2 and rows.loc["a", "effect_low"] == 2
    assert rows.loc["a", "unit"] == "firms"
    assert rows["policy_effect"].tolist() == [3, 3]
    # an interaction: the policy adds 4 though each lever alone adds 1; each comes last with 3
    shares = lever_shares(
        "policy", scenario, frame(0), frame(4), {"a": frame(1), "b": frame(1)},
        {"a": frame(1), "b": frame(1)}, 8,
    )  # fmt: skip
    rows = shares[shares["goal"] == "national_hte"].set_index("lever")
    # (1 + 3) / 2 / 4 each: with two levers the shares add to 1, the interaction split equally
    assert rows["share"].tolist() == pytest.approx([0.5, 0.5])


def test_shares_are_priced_per_percentage_point() -> None:
    from sim.analysis.cost import unit_of

    assert unit_of("rd_intensity") == ("percentage point", 100.0)
    assert unit_of("national_hte") == ("firms", 1.0)
    assert unit_of("high_level_teams") == ("teams", 1.0)


def test_lever_shares_of_a_share_are_in_percentage_points() -> None:
    """A share indicator's effects are in percentage points, as in cost_effectiveness.csv."""
    scenario = scenario_from(baseline_data())
    goal = scenario.goals["rd_intensity"].main

    def frame(value: float) -> pd.DataFrame:
        return trajectories({goal.year: [value] * 4}, goal.indicator, goal.year)

    shares = lever_shares(
        "p", scenario, frame(0.028), frame(0.030), {"a": frame(0.030)}, {"a": frame(0.028)}, 4
    )
    row = shares[shares["goal"] == "rd_intensity"].iloc[0]
    assert row["unit"] == "percentage point"
    assert row["effect"] == pytest.approx(0.2) and row["policy_effect"] == pytest.approx(0.2)
