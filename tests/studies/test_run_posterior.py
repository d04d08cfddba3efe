"""Runs over a calibration posterior (``run_scenario(..., posterior=FILE)``,
``compare_scenarios(..., posterior=FILE)``): the goal table's p_met over the posterior,
p_met_fixed at the point values, and the split of each goal's variance between parameters and
chance, on a zone where both are known exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from sim.analysis.goals import probability_basis
from sim.studies import compare_scenarios, run_scenario
from tests.helpers import quiet_data, scenario_from, short_scenario, write_posterior

RATE = "arrivals.origins.entrant.rate_per_year"
TEAMS_2018, TARGET = 26, 36
REPLICATIONS = 400


def talent_zone():
    """A quiet zone where only high-level teams arrive, at RATE a year (5 as written); the
    goal: 36 teams by 2020 from 26 at the end of 2018, so the count in 2020 is 26 + a Poisson
    count of mean 2 RATE."""
    data = quiet_data(2018, 2020)
    data["arrivals"]["origins"]["entrant"].update(rate_per_year=5.0, high_level_team=True)
    data["initial_state"]["high_level_teams"] = TEAMS_2018
    data["goals"] = {
        "teams": {
            "description": "teams",
            "target": TARGET,
            "year": 2020,
            "indicator": "high_level_teams",
        }
    }
    return scenario_from(data)


def p_met(rate: float) -> float:
    """P(26 + Poisson(2 rate) >= 36)."""
    return float(stats.poisson.sf(TARGET - TEAMS_2018 - 1, 2 * rate))


def test_a_posterior_at_the_point_values_changes_nothing(tmp_path: Path) -> None:
    """Both draws at the scenario's own rate: the replications are those of the point values,
    bit for bit, p_met is p_met_fixed and the parameters have no share of the variance."""
    path = write_posterior(tmp_path / "posterior.csv", {RATE: [5.0, 5.0]}, [0.3, 0.7])
    run = run_scenario(talent_zone(), replications=40, seed=3, posterior=path)
    assert run.fixed is not None
    pd.testing.assert_frame_equal(run.trajectories, run.fixed.trajectories)
    goal = run.goals.set_index("goal").loc["teams"]
    assert goal["p_met"] == goal["p_met_fixed"]
    assert goal["parameter_share"] == 0.0 and goal["chance_share"] == 1.0
    assert bool(goal["includes_parameter_uncertainty"])
    manifest = run.manifest()
    assert manifest["p_met_includes_parameter_uncertainty"] is True
    assert manifest["p_met_basis"] == probability_basis(run.posterior)
    record = manifest["posterior"]
    assert record["file"] == str(path) and record["draws"] == 2
    assert record["sha256"] == run.posterior.digest
    assert record["replication_draws"] == run.posterior.assignment(3, 40).tolist()
    assert record["point_value_replications"] == 40


@pytest.mark.validation(
    group="posterior",
    check="variance split and P over a posterior",
    asserts="teams arriving at a rate of 1 or 9 a year with equal weights: P(36 teams by "
    "2020) is the mixture of the two Poisson probabilities, the parameters' share of the "
    "variance of the 2020 count is Var(2 rate) / (Var(2 rate) + E[2 rate]) = 64/74, and "
    "p_met_fixed is the Poisson probability at the written rate 5",
    tolerance="P: 0.06; share: 0.05",
)
def test_a_wide_posterior_splits_the_variance_as_theory_says(tmp_path: Path, measured) -> None:
    path = write_posterior(tmp_path / "posterior.csv", {RATE: [1.0, 9.0]})
    run = run_scenario(talent_zone(), replications=REPLICATIONS, seed=3, posterior=path)
    goal = run.goals.set_index("goal").loc["teams"]
    mixture = (p_met(1.0) + p_met(9.0)) / 2
    share = 64 / (64 + 10)  # Var(E[Y|rate]) = Var(2 rate) = 64; E[Var(Y|rate)] = E[2 rate] = 10
    assert goal["p_met"] == pytest.approx(mixture, abs=0.06)
    assert goal["p_met_fixed"] == pytest.approx(p_met(5.0), abs=0.06)
    assert goal["parameter_share"] == pytest.approx(share, abs=0.05)
    assert goal["chance_share"] == pytest.approx(1 - goal["parameter_share"])
    # every replication ran its draw: the replications of draw 1 (rate 9) gain more teams
    drawn = run.posterior.assignment(3, REPLICATIONS)
    teams = run.trajectories.query("indicator == 'high_level_teams' and year == 2020")
    gained = teams.set_index("replication")["value"].sort_index().to_numpy() - TEAMS_2018
    assert gained[drawn == 1].mean() == pytest.approx(18, rel=0.1)
    assert gained[drawn == 0].mean() == pytest.approx(2, rel=0.25)
    measured(
        f"P over the posterior {goal['p_met']:.3f} (mixture {mixture:.3f}); at point values "
        f"{goal['p_met_fixed']:.3f} (Poisson {p_met(5.0):.3f}); parameter share "
        f"{goal['parameter_share']:.3f} (theory {share:.3f}); {REPLICATIONS} replications"
    )


def test_without_a_posterior_the_probabilities_are_at_point_values() -> None:
    run = run_scenario(talent_zone(), replications=4, seed=3)
    goal = run.goals.set_index("goal").loc["teams"]
    assert goal["p_met_fixed"] == goal["p_met"]
    assert math.isnan(goal["parameter_share"]) and math.isnan(goal["chance_share"])
    assert not bool(goal["includes_parameter_uncertainty"])
    assert run.fixed is None and run.posterior is None
    manifest = run.manifest()
    assert manifest["posterior"] is None
    assert manifest["p_met_includes_parameter_uncertainty"] is False
    assert manifest["p_met_basis"].startswith("P(met) at the scenario's point values")


def test_compare_runs_every_scenario_at_the_same_draws(tmp_path: Path) -> None:
    """Two scenarios compared over a posterior run the same draws in the same replications:
    the first one's trajectories are those of ``run_scenario`` over the posterior."""
    first = short_scenario(tmp_path, "first")
    second = tmp_path / "second.yaml"
    second.write_text(
        f"extends: {first.name}\nname: second\ncertification:\n  hte:\n    cultivation:\n"
        "      firms_per_year: 20\n",
        encoding="utf-8",
    )
    makers = "arrivals.origins.maker_team.rate_per_year"
    path = write_posterior(tmp_path / "posterior.csv", {makers: [80.0, 400.0, 210.0]})
    comparison = compare_scenarios([first, second], replications=3, seed=5, posterior=path)
    info = comparison.files()["comparison.json"]
    assert info["p_met_includes_parameter_uncertainty"] is True
    assert info["posterior"]["sha256"] == comparison.runs["first"].posterior.digest
    draws = [run.manifest()["posterior"]["replication_draws"] for run in comparison.runs.values()]
    assert draws[0] == draws[1]
    goals = comparison.runs["second"].goals
    assert goals["includes_parameter_uncertainty"].all()
    assert goals["p_met_fixed"].isna().all()  # compare runs no replications at point values
    alone = run_scenario(first, replications=3, seed=5, posterior=path, observations=[])
    pd.testing.assert_frame_equal(comparison.runs["first"].trajectories, alone.trajectories)
    json.dumps(info)  # the record is plain JSON
