"""``calibrate --method history-matching|abc`` from the command line, with tiny settings: the
files it writes, the posterior file's shape, resume, and that ``run --posterior`` reads what it
wrote."""

from __future__ import annotations

import json
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from tests.helpers import SCENARIOS, run_cli, short_scenario

OBSERVATIONS = SCENARIOS / "observations.yaml"
LOANS = "funding.loans.loans_per_institution_per_year"
MAKERS = "arrivals.origins.maker_team.rate_per_year"
QUIET = ["-w", "1", "--no-progress"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, Path]:
    """A scenario beside the observations (ending 2022) and a two-parameter space."""
    folder = tmp_path_factory.mktemp("posterior")
    scenario = short_scenario(folder, "short", 2022)
    space = folder / "space.yaml"
    space.write_text(
        "parameters:\n"
        f"  {LOANS}: {{kind: uncertain, low: 0.15, high: 2.5, scale: log}}\n"
        f"  {MAKERS}: {{kind: uncertain, low: 80, high: 400, scale: log}}\n",
        encoding="utf-8",
    )
    return scenario, space


def calibrate(scenario: Path, space: Path, out: Path, method: str, *extra: str) -> list:
    return [
        "calibrate",
        scenario,
        "--space",
        space,
        "--observations",
        OBSERVATIONS,
        "--method",
        method,
        *QUIET,
        "--out",
        out,
        *extra,
    ]


HM = ["--waves", "2", "--points", "10", "-n", "2", "--draws", "50"]


@pytest.fixture(scope="module")
def matched(setup, tmp_path_factory) -> tuple[Path, str]:
    scenario, space = setup
    out = tmp_path_factory.mktemp("hm") / "cal"
    buffer = StringIO()
    with redirect_stdout(buffer):  # capsys is per test: capture the module's run by hand
        code = main([str(a) for a in calibrate(scenario, space, out, "history-matching", *HM)])
    assert code == 0
    return out, buffer.getvalue()


def test_history_matching_writes_a_weighted_posterior(matched, setup) -> None:
    out, stdout = matched
    for name in ("posterior.csv", "intervals.csv", "stages.csv", "runs.csv", "fit.csv"):
        assert (out / name).is_file(), name
    assert (out / "pairs.png").stat().st_size > 10_000
    draws = pd.read_csv(out / "posterior.csv")
    assert list(draws.columns) == ["draw", "weight", LOANS, MAKERS]
    assert draws["draw"].tolist() == list(range(50))
    assert draws["weight"].sum() == pytest.approx(1.0)
    assert draws[LOANS].between(0.15, 2.5).all() and draws[MAKERS].between(80, 400).all()
    stages = pd.read_csv(out / "stages.csv")
    assert stages["stage"].tolist() == [1, 2]
    assert stages["replications"].sum() == 2 * 10 * 2
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "history-matching"
    assert summary["replications_run"] == 40
    assert summary["draws"] == 50
    assert "History matching of short: 40 replications" in stdout
    assert f"use it: run {setup[0]} --posterior {out / 'posterior.csv'}" in stdout


def test_the_loan_rate_is_narrowed_by_the_loans_observed(matched) -> None:
    """Tech loans of 34.5 M yuan in 2020-2021 pin the loans per institution (the space spans
    0.15-2.5); maker arrivals, which no 2018-2022 figure here pins tightly, stay wider."""
    out, _ = matched
    intervals = pd.read_csv(out / "intervals.csv").set_index("parameter")
    assert intervals.loc[LOANS, "narrowed_to"] < 0.6
    # the value the 34.5 M yuan implies over 30 institutions (the baseline's, by hand: 0.95)
    assert intervals.loc[LOANS, "interval_low"] < 0.95 < intervals.loc[LOANS, "interval_high"]


def test_history_matching_resumes_to_the_same_posterior(matched, setup, capsys) -> None:
    out, _ = matched
    scenario, space = setup
    before = (out / "posterior.csv").read_bytes()
    code, stdout, _err = run_cli(
        calibrate(scenario, space, out, "history-matching", *HM, "--resume"), capsys
    )
    assert code == 0
    assert "20 reused from" in stdout
    assert (out / "posterior.csv").read_bytes() == before


def test_abc_runs_each_particle_once_within_its_budget(setup, tmp_path, capsys) -> None:
    scenario, space = setup
    out = tmp_path / "abc"
    args = calibrate(scenario, space, out, "abc", "--population", "10", "--budget", "30")
    code, stdout, err = run_cli([*args, "--no-plots"], capsys)
    assert code == 0, err
    assert "ABC-SMC of short" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications_run"] <= 30
    assert summary["replications_per_point"] == 1
    draws = pd.read_csv(out / "posterior.csv")
    assert len(draws) == 10 and draws["weight"].sum() == pytest.approx(1.0)
    rates = pd.read_csv(out / "stages.csv")["acceptance_rate"].to_numpy()
    assert rates[0] == 1.0 and np.all(rates[1:] <= 1.0)


def test_history_matching_needs_two_replications(setup, tmp_path, capsys) -> None:
    scenario, space = setup
    args = calibrate(scenario, space, tmp_path / "x", "history-matching", "-n", "1")
    code, _out, err = run_cli(args, capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "zonesim: error: --replications: history matching needs at least 2 per point"
    ]
    assert not (tmp_path / "x").exists()


def test_an_unknown_method_is_refused(setup, tmp_path, capsys) -> None:
    scenario, space = setup
    code, _out, err = run_cli(calibrate(scenario, space, tmp_path / "y", "mcmc"), capsys)
    assert code == 2 and "invalid choice: 'mcmc'" in err
