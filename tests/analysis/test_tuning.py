"""Tuning: the cheapest lever setting on a case whose optimum is known analytically, the
goal bookkeeping, and Wilson intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from sim.analysis.tuning import goal_met, select_goals, tune, wilson
from sim.experiment.evaluate import Evaluator
from sim.scenario.schema import Goal, Scenario
from sim.scenario.space import Parameter, Space
from tests.helpers import const, quiet_data

TEAMS_2018, TARGET, P_MIN = 26, 36, 0.8


def talent_space() -> Space:
    """A quiet zone where only high-level teams arrive, at a rate that is the one lever
    (1 yuan per team a year); the goal: 36 teams by 2020 from 26 at the end of 2018."""
    data = quiet_data(2018, 2020)
    data["arrivals"]["origins"]["entrant"].update(
        rate_per_year=1.0, high_level_team=True, capability=const(0.5)
    )
    data["initial_state"]["high_level_teams"] = TEAMS_2018
    data["goals"] = {
        "teams": {
            "description": "teams",
            "target": TARGET,
            "year": 2020,
            "indicator": "high_level_teams",
        }
    }
    lever = Parameter(kind="lever", low=0.5, high=15.0, cost_per_unit_yuan=1.0)
    return Space("talent", "", {"arrivals.origins.entrant.rate_per_year": lever}, data)


def known_optimum() -> float:
    """Teams arrive as a Poisson process over the two years 2019-2020, so the goal is met with
    probability P(Poisson(2 rate) >= 10); the optimum rate makes that exactly P_MIN."""
    need = TARGET - TEAMS_2018
    return optimize.brentq(lambda rate: stats.poisson.sf(need - 1, 2 * rate) - P_MIN, 0.5, 15)


@pytest.mark.validation(
    group="tuning",
    check="known optimum",
    asserts="the cheapest talent-team rate meeting 36 teams by 2020 with P >= 0.8 is the "
    "Poisson answer P(Poisson(2 rate) >= 10) = 0.8",
    tolerance="6 % of the rate",
)
def test_tune_finds_the_known_optimum(measured):
    space = talent_space()
    goals = select_goals(Scenario.model_validate(space.base_data), "all")
    evaluate = Evaluator(space, 100, root_seed=5, end_year=2020, indicators=["high_level_teams"])
    result = tune(
        space,
        goals,
        evaluate,
        replications=100,
        trials=20,
        min_probability=P_MIN,
        seed=2,
        confirm_replications=800,
        polish_steps=8,
        validate=Evaluator(space, 100, root_seed=6, end_year=2020, indicators=["high_level_teams"]),
    )
    optimum = known_optimum()
    assert result.best is not None
    found = result.best["arrivals.origins.entrant.rate_per_year"]
    assert found == pytest.approx(optimum, rel=0.06)
    trials = result.trials.set_index("trial")
    selected = trials[trials["stage"] != "validate"]
    chosen = selected[selected["feasible"] & (selected["replications"] == 800)]
    assert chosen["cost_yuan"].min() == pytest.approx(result.best_summary["cost_yuan"])
    # the reported probability is that of 800 fresh replications: near P_MIN, either side
    assert list(trials["stage"])[-1] == "validate"
    assert result.best_summary["replications"] == 800
    assert result.best_summary["p_all"] == pytest.approx(P_MIN, abs=0.05)
    assert result.best_summary["p_all_low"] <= P_MIN <= result.best_summary["p_all_high"] + 0.02
    assert set(trials["stage"]) >= {"search", "confirm", "polish", "validate"}
    measured(
        f"optimum rate {optimum:.3f} teams/year (Poisson); found {found:.3f} "
        f"({found / optimum - 1:+.1%}); P = {result.best_summary['p_all']:.3f} on 800 fresh "
        f"replications (exact at the optimum: {P_MIN}); tolerance 6 %"
    )


def test_tune_reports_an_unreachable_goal():
    space = talent_space()
    space.base_data["goals"]["teams"]["target"] = 10_000
    goals = select_goals(Scenario.model_validate(space.base_data), "all")
    evaluate = Evaluator(space, 5, root_seed=5, end_year=2020, indicators=["high_level_teams"])
    result = tune(space, goals, evaluate, replications=5, trials=4, min_probability=0.5, seed=2)
    assert result.best is None
    assert result.best_summary["p_all"] == 0
    assert any("no candidate met" in note for note in result.notes)
    assert any(
        "highest probability of each goal in any trial: teams 0.00" in n for n in result.notes
    )


def test_goal_met_per_goal_and_all():
    goals = {
        "a": Goal(description="a", target=5, year=2020, indicator="x"),
        "b": Goal(description="b", target=2, year=2020, indicator="y", op="<="),
    }
    trajectories = pd.DataFrame(
        [
            (0, 2020, "x", 6.0),
            (0, 2020, "y", 3.0),
            (1, 2020, "x", 5.0),
            (1, 2020, "y", 1.0),
            (2, 2020, "x", 1.0),
            (2, 2020, "y", 0.0),
        ],
        columns=["replication", "year", "indicator", "value"],
    )
    hits = goal_met(trajectories, goals, 3)
    assert hits["a"].tolist() == [True, True, False]
    assert hits["b"].tolist() == [False, True, True]
    assert hits["all"].tolist() == [False, True, False]


def test_select_goals_rejects_unknown_and_unmodelled():
    from sim.scenario import load_scenario
    from tests.helpers import BASELINE

    scenario = load_scenario(BASELINE)
    assert "national_hte" in select_goals(scenario, "all")
    assert all(g.indicator for g in select_goals(scenario, "all").values())
    assert list(select_goals(scenario, "tech_smes, national_hte")) == ["tech_smes", "national_hte"]
    with pytest.raises(ValueError, match="unknown goal"):
        select_goals(scenario, "nonsense")
    with pytest.raises(ValueError, match="not modelled"):
        select_goals(scenario, "fiscal_st_share")


def test_wilson_interval_covers_and_narrows():
    low, high = wilson(80, 100)
    assert low < 0.8 < high
    low2, high2 = wilson(800, 1000)
    assert high2 - low2 < high - low
    assert wilson(0, 10)[0] == 0.0
    assert wilson(10, 10)[1] == 1.0
    assert np.isclose(sum(wilson(50, 100)), 1.0)
