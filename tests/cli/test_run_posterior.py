"""``run --posterior``, ``compare --posterior`` and ``tune --posterior`` on the command line:
a bad posterior file is exit 2 and one line naming the file and the column, before anything
runs; the goal table says what its probabilities include; an interrupted run over a posterior
resumes to the same goals as an uninterrupted one."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import SCENARIOS, run_cli, short_scenario, uniform_posterior

cli = run_cli
UNCERTAIN = SCENARIOS / "spaces" / "uncertain.yaml"
LEVERS = SCENARIOS / "spaces" / "levers.yaml"
MAKERS = "arrivals.origins.maker_team.rate_per_year"
QUIET = ["-w", "1", "--no-progress", "--no-plots"]
POINT_LINE = (
    "P(met) at the scenario's point values: parameter uncertainty not included; "
    "add --posterior FILE"
)


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return short_scenario(tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module")
def posterior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("posterior")
    return uniform_posterior(folder / "posterior.csv", UNCERTAIN, draws=40, seed=1)


BAD = [
    (f"draw,{MAKERS}\n0,100\n1,200\n", "weight", "missing"),
    (f"draw,weight,{MAKERS}\n0,0.5,many\n1,0.5,200\n", MAKERS, "not a number at line 2"),
    ("draw,weight,arrivals.rate\n0,0.5,1\n1,0.5,2\n", "arrivals.rate", "not a number key"),
    (f"draw,weight,{MAKERS}\n0,0.7,100\n1,0.7,200\n", "weight", "weights sum to 1.4"),
    (f"draw,weight,{MAKERS}\n0,1.5,100\n1,-0.5,200\n", "weight", "negative weight"),
    (f"draw,weight,{MAKERS}\n0,0.5,-1\n1,0.5,200\n", MAKERS, "the scenario is invalid at"),
]


@pytest.mark.parametrize("command", ["run", "compare", "tune"])
@pytest.mark.parametrize(("text", "column", "message"), BAD)
def test_a_bad_posterior_exits_2_with_one_line(
    short: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    text: str,
    column: str,
    message: str,
) -> None:
    path = tmp_path / "posterior.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    scenarios = {
        "run": [short],
        "compare": [short, short_scenario(tmp_path, "other")],
        "tune": [short, "--space", LEVERS, "--goals", "high_level_teams"],
    }[command]
    argv = [command, *scenarios, "-n", "2", *QUIET, "--out", out, "--posterior", path]
    code, stdout, err = cli(argv, capsys)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith(f"{path}: column '{column}': {message}"), err
    assert not out.exists()  # refused before the folder was claimed


def test_run_over_a_posterior_resumes_to_the_uninterrupted_goals(
    short: Path,
    posterior: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["run", short, "-n", "4", "--seed", "11", *QUIET, "--posterior", posterior]
    whole = tmp_path / "whole"
    code, stdout, err = cli([*argv, "--out", whole], capsys)
    assert code == 0, err
    line = (
        f"P(met) over the posterior in {posterior} (40 draws): includes parameter uncertainty; "
        "p_met_fixed at point values"
    )
    assert line in stdout.splitlines()
    assert "4 replications over the posterior and 4 at point values in " in stdout
    assert "P fixed" in stdout and "param. share" in stdout
    goals = pd.read_csv(whole / "goals.csv").set_index("goal")
    assert goals["includes_parameter_uncertainty"].all()
    assert not (whole / "units").exists()  # both runs' units are gone once written

    # the write of goals.csv fails (disk full): the stored replications stay
    real_replace = os.replace

    def replace(src: str, dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == "goals.csv":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    cut = tmp_path / "cut"
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        code, _, err = cli([*argv, "--out", cut], capsys)
    assert code == 1, err
    units = cut / "units"
    assert len(list(units.glob("rep-*.json"))) == 4
    assert len(list((units / "fixed").glob("rep-*.json"))) == 4
    (units / "rep-000001.json").unlink()  # as if cut short before these finished
    (units / "fixed" / "rep-000002.json").unlink()

    # another posterior cannot reuse them
    other = uniform_posterior(tmp_path / "other.csv", UNCERTAIN, draws=40, seed=2)
    changed = [a if a != posterior else other for a in argv]
    code, _, err = cli([*changed, "--out", cut, "--resume"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "cannot resume: posterior_sha256 changed" in err

    code, stdout, err = cli([*argv, "--out", cut, "--resume"], capsys)
    assert code == 0, err
    assert f"; 6 reused from {units}" in stdout  # 3 over the posterior, 3 at point values
    resumed = pd.read_csv(cut / "goals.csv")
    pd.testing.assert_frame_equal(resumed, pd.read_csv(whole / "goals.csv"))
    pd.testing.assert_frame_equal(
        pd.read_csv(cut / "trajectories.csv"), pd.read_csv(whole / "trajectories.csv")
    )
    assert not units.exists()


def test_run_without_a_posterior_says_so(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = cli(["run", short, "-n", "2", *QUIET, "--out", tmp_path / "o"], capsys)
    assert code == 0, err
    assert POINT_LINE in stdout.splitlines()
    assert "P fixed" not in stdout
    goals = pd.read_csv(tmp_path / "o" / "goals.csv")
    modelled = goals[goals["median"].notna()]
    assert (modelled["p_met_fixed"] == modelled["p_met"]).all()
    assert not goals["includes_parameter_uncertainty"].any()
