"""The goal table over a posterior (sim.analysis.goals): p_met, p_met_fixed, the split of each
goal indicator's variance and the line saying what the probabilities include, on made-up
trajectories."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.goals import GOAL_COLUMNS, goal_table, probability_basis
from sim.scenario import read_posterior
from sim.scenario.posterior import variance_shares
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
