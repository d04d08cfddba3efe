"""Robust tuning (``tune --posterior``): candidates evaluated at each replication's draw with
the levers on top, and the answer compared with the tuning at point values, on a zone where
the probabilities are known (teams arrive as a Poisson process at the lever's rate)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiment.evaluate import Evaluator
from sim.scenario import read_posterior
from sim.scenario.space import Parameter, Space
from sim.studies import tune_scenario
from tests.helpers import quiet_data, run_cli, write_posterior

RATE = "arrivals.origins.entrant.rate_per_year"
START = "initial_state.high_level_teams"
TARGET = 36


def talent_data() -> dict:
    """A quiet zone where only high-level teams arrive, at RATE a year (the one lever, 1 yuan
    per team a year); 26 teams at the end of 2018; the goal: 36 by 2020."""
    data = quiet_data(2018, 2020)
    data["arrivals"]["origins"]["entrant"].update(rate_per_year=1.0, high_level_team=True)
    data["initial_state"]["high_level_teams"] = 26
    data["name"] = "talent"
    data["goals"] = {
        "teams": {
            "description": "teams",
            "target": TARGET,
            "year": 2020,
            "indicator": "high_level_teams",
        }
    }
    return data


def files(folder: Path) -> tuple[Path, Path]:
    """The talent zone and its lever space as files (JSON is YAML)."""
    scenario = folder / "talent.yaml"
    scenario.write_text(json.dumps(talent_data()), encoding="utf-8")
    space = folder / "lever.yaml"
    lever = {"kind": "lever", "low": 0.5, "high": 15.0, "cost_per_unit_yuan": 1.0}
    space.write_text(json.dumps({"parameters": {RATE: lever}}), encoding="utf-8")
    return scenario, space


def test_each_replication_runs_its_draw_with_the_levers_on_top(tmp_path: Path) -> None:
    """The starting count comes from the draw, the rate from the candidate (also where the
    posterior has a rate: the lever wins); P(met) is the mixture of the draws' Poisson
    probabilities."""
    data = talent_data()
    lever = Parameter(kind="lever", low=0.5, high=15.0, cost_per_unit_yuan=1.0)
    space = Space("talent", "", {RATE: lever}, data)
    path = write_posterior(tmp_path / "p.csv", {START: [21, 31], RATE: [0.5, 0.5]}, [0.25, 0.75])
    posterior = read_posterior(path, data)
    replications = 400
    evaluate = Evaluator(space, replications, 4, 2020, ["high_level_teams"], posterior=posterior)
    table = evaluate({RATE: 7.0})
    start = table.query("year == 2018").set_index("replication")["value"].sort_index()
    drawn = posterior.assignment(4, replications)
    assert start.to_numpy().tolist() == [[21, 31][d] for d in drawn]
    end = table.query("year == 2020").set_index("replication")["value"].sort_index()
    gained = (end - start).to_numpy()
    assert gained.mean() == pytest.approx(14, rel=0.05)  # the lever's rate, not the draw's
    # P(met) is the mixture of the draws' Poisson probabilities (given the draws the
    # replications ran: their frequencies are tested with the assignment)
    p_met = float(np.mean(end.to_numpy() >= TARGET))
    need = np.array([TARGET - 21, TARGET - 31])[drawn]
    assert p_met == pytest.approx(np.mean(stats.poisson.sf(need - 1, 14)), abs=0.05)
    # at point values the same replications start from 26
    point = Evaluator(space, replications, 4, 2020, ["high_level_teams"])({RATE: 7.0})
    assert set(point.query("year == 2018")["value"]) == {26}


def test_tune_over_a_posterior_reports_the_point_value_answer_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A start of 21 or 31 teams (equal weights) instead of 26: meeting 36 teams with P >= 0.8
    needs a higher rate over the posterior than at the point values; the point-value answer
    falls short over the posterior. The command prints both, and resumes."""
    scenario, space = files(tmp_path)
    posterior = write_posterior(tmp_path / "posterior.csv", {START: [21, 31]})
    out = tmp_path / "tune"
    argv = [
        "tune", scenario, "--space", space, "--goals", "teams", "--trials", "6", "-n", "40",
        "--confirm-replications", "160", "--seed", "3", "-w", "1", "--no-progress",
        "--no-plots", "--posterior", posterior, "--out", out,
    ]  # fmt: skip
    code, stdout, err = run_cli(argv, capsys)
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    robust, point = summary["best"][RATE], summary["point_values"]["best"][RATE]
    assert robust > point
    assert summary["point_values"]["over_posterior"]["p_all"] < 0.8
    assert summary["point_values"]["extra_cost_yuan"] == pytest.approx(robust - point)
    assert summary["p_met_includes_parameter_uncertainty"] is True
    assert summary["posterior"]["sha256"] == read_posterior(posterior, talent_data()).digest
    trials = pd.read_csv(out / "trials.csv")
    assert set(trials["over"]) == {"posterior", "point values"}
    assert "policy (over the posterior)" in stdout and "at point values" in stdout
    assert "What the posterior changes" in stdout
    for line in summary["point_values"]["comparison"]:
        assert line in " ".join(stdout.split())
    assert "over the posterior" in (out / "talent_tuned.yaml").read_text(encoding="utf-8")

    code, stdout, err = run_cli([*argv, "--resume"], capsys)
    assert code == 0, err
    again = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert again["evaluations_run"] == 0
    assert again["best"] == summary["best"]
    assert again["point_values"]["best"] == summary["point_values"]["best"]


def test_tune_scenario_without_a_posterior_has_no_comparison(tmp_path: Path) -> None:
    scenario, space = files(tmp_path)
    study = tune_scenario(
        scenario, space, "teams", None, replications=5, trials=2, confirm_replications=5
    )
    assert study.robustness is None
    assert study.files(tmp_path)["summary.json"]["point_values"] is None
    assert "over" not in study.files(tmp_path)["trials.csv"].columns
