"""The goal table over a posterior (sim.analysis.goals): p_met, p_met_fixed, the split of each
goal indicator's variance and the line saying what the probabilities include, on made-up
trajectories."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.goals import (
    GOAL_COLUMNS,
    goal_table,
    probability_basis,
    variance_share_interval,
    variance_shares,
)
from sim.scenario import read_posterior
from tests.helpers import quiet_data, scenario_from, write_posterior

RATE = "arrivals.origins.entrant.rate_per_year"


def zone():
    data = quiet_data(2018, 2020)
    data["goals"] = {
        "teams": {
            "description": "teams",
            "target": 30,
            "year": 2020,
            "indicator": "high_level_teams",
        },
        "gone": {
            "description": "not modelled",
            "target": 1,
            "year": 2020,
            "not_modelled_reason": "x",
        },
    }
    return data, scenario_from(data)


def trajectories(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": np.arange(len(values)),
            "year": 2020,
            "indicator": "high_level_teams",
            "value": values,
        }
    )


def test_goal_columns_over_a_posterior_and_at_point_values(tmp_path: Path) -> None:
    data, scenario = zone()
    posterior = read_posterior(write_posterior(tmp_path / "p.csv", {RATE: [1.0, 2.0]}), data)
    # pairs (0, 1), (2, 3), ...: the pair means 20 or 40, within a pair +-1
    means = np.repeat([20.0, 40.0, 20.0, 40.0], 2)
    values = means + np.tile([-1.0, 1.0], 4)
    at_point = np.array([29.0, 31.0, 30.0, 28.0, 35.0, 25.0, 30.0, 31.0])
    table = goal_table(scenario, trajectories(values), 8, None, posterior, trajectories(at_point))
    assert list(table.columns) == GOAL_COLUMNS
    teams = table.set_index("goal").loc["teams"]
    assert teams["p_met"] == 0.5
    assert teams["p_met_fixed"] == 5 / 8
    parameter, chance = variance_shares(values)
    assert teams["parameter_share"] == parameter and teams["chance_share"] == chance
    # chance: each pair differs by 2, so (2**2)/2 = 2; total: the sample variance
    assert parameter == pytest.approx(1 - 2 / np.var(values, ddof=1))
    assert table["includes_parameter_uncertainty"].all()
    # without the replications at point values, p_met_fixed is unknown
    alone = goal_table(scenario, trajectories(values), 8, None, posterior)
    assert math.isnan(alone.set_index("goal").loc["teams", "p_met_fixed"])


def test_without_a_posterior_p_met_fixed_is_p_met() -> None:
    _, scenario = zone()
    table = goal_table(scenario, trajectories(np.array([29.0, 31.0, 30.0, 10.0])), 4)
    teams = table.set_index("goal").loc["teams"]
    assert teams["p_met"] == teams["p_met_fixed"] == 0.5
    assert math.isnan(teams["parameter_share"]) and math.isnan(teams["chance_share"])
    assert not table["includes_parameter_uncertainty"].any()
    gone = table.set_index("goal").loc["gone"]
    assert gone["status"].startswith("not modelled") and math.isnan(gone["p_met_fixed"])


def test_the_basis_line_says_what_the_probabilities_include(tmp_path: Path) -> None:
    data, _ = zone()
    assert probability_basis(None) == (
        "P(met) at the scenario's point values: parameter uncertainty not included; "
        "add --posterior FILE"
    )
    path = write_posterior(tmp_path / "p.csv", {RATE: [1.0, 2.0, 3.0]})
    assert probability_basis(read_posterior(path, data)) == (
        f"P(met) over the posterior in {path} (3 draws): includes parameter uncertainty; "
        "p_met_fixed at point values"
    )


def test_variance_shares_split_chance_from_parameters() -> None:
    rng = np.random.default_rng(1)
    pairs = 20_000
    theta = np.repeat(rng.normal(0, 2, pairs), 2)  # Var(E[Y|θ]) = 4
    y = theta + rng.normal(0, 1, 2 * pairs)  # E[Var(Y|θ)] = 1
    parameter, chance = variance_shares(y)
    assert parameter == pytest.approx(0.8, abs=0.01)
    assert chance == pytest.approx(0.2, abs=0.01)
    # no parameter effect: the share is about 0, never negative
    noise = rng.normal(0, 1, 2 * pairs)
    parameter, chance = variance_shares(noise)
    assert 0 <= parameter < 0.02 and parameter + chance == 1
    # pairs with a missing value are left out; a constant output has no variance to split
    assert variance_shares(np.array([1.0, np.nan, 2.0, 2.0, 3.0, 3.0]))[0] == pytest.approx(1.0)
    assert all(math.isnan(v) for v in variance_shares(np.full(6, 5.0)))
    assert all(math.isnan(v) for v in variance_shares(np.array([1.0])))


def test_the_share_interval_holds_the_share_and_narrows_with_more_pairs() -> None:
    """Bootstrap over the pairs: the interval contains the estimate, is reproducible, and is
    narrower with four times the pairs; no interval where there is no share."""
    rng = np.random.default_rng(3)

    def pairs(count: int) -> np.ndarray:
        theta = rng.normal(0, 1, count)  # the parameters' part: variance 1
        return np.column_stack([theta + rng.normal(0, 1, count), theta + rng.normal(0, 1, count)])

    few, many = pairs(100).ravel(), pairs(400).ravel()
    share, _ = variance_shares(few)
    low, high = variance_share_interval(few)
    assert low <= share <= high
    assert (low, high) == variance_share_interval(few)
    # over 100 such data sets the interval holds the truth, Var(θ) / (Var(θ) + 1) = 0.5,
    # about 90 % of the time (0.88 over 300 when measured)
    held = 0
    for _ in range(100):
        lo, hi = variance_share_interval(pairs(100).ravel(), 0.9, 500)
        held += lo <= 0.5 <= hi
    assert 80 <= held <= 97
    wide = high - low
    low4, high4 = variance_share_interval(many)
    assert high4 - low4 < 0.75 * wide
    assert all(math.isnan(x) for x in variance_share_interval(np.full(10, 3.0)))
