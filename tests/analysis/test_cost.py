"""Cost per result: the cost over a paired change, its interval only where the change is told
apart from none, and lever shares that add up when the levers' effects do."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.cost import lever_shares, yuan_per_unit
from tests.helpers import baseline_data, scenario_from


def test_cost_per_unit_and_its_interval() -> None:
    assert yuan_per_unit(1_000_000, 8.0, 10.0, 12.0) == pytest.approx(
        (100_000, 1_000_000 / 12, 125_000)
    )
    # a fall: the interval's ends still ordered
    per, low, high = yuan_per_unit(1_000_000, -12.0, -10.0, -8.0)
    assert per == -100_000 and low == pytest.approx(-125_000) and high == pytest.approx(-1e6 / 12)
    # not told apart from no change: no interval; no change at all: nothing
    per, low, high = yuan_per_unit(1_000_000, -1.0, 2.0, 5.0)
    assert per == 500_000 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in yuan_per_unit(1_000_000, 0.0, 0.0, 0.0))


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
    assert rows["policy_effect"].tolist() == [3, 3]
    # an interaction: the policy adds 4 though each lever alone adds 1; each comes last with 3
    shares = lever_shares(
        "policy", scenario, frame(0), frame(4), {"a": frame(1), "b": frame(1)},
        {"a": frame(1), "b": frame(1)}, 8,
    )  # fmt: skip
    rows = shares[shares["goal"] == "national_hte"].set_index("lever")
    assert rows["share"].tolist() == pytest.approx([0.5, 0.5])  # (1 + 3) / 2 / 4 each


def test_shares_are_priced_per_percentage_point() -> None:
    from sim.analysis.cost import unit_of

    assert unit_of("rd_intensity") == ("percentage point", 100.0)
    assert unit_of("national_hte") == ("firms", 1.0)
    assert unit_of("high_level_teams") == ("teams", 1.0)
