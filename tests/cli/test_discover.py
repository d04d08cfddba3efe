"""``zonesim discover`` (sim.cli.discover, sim.studies.discover): a short scenario over a small
space, end to end with its files, report and resume; a goal met in every sample; and bad input
(exit 2, one line) before anything runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.results import claim
from tests.helpers import run_cli, short_scenario, write_posterior

RATE = "arrivals.origins.high_level_team.rate_per_year"
MAKERS = "arrivals.origins.maker_team.rate_per_year"
SPACE = f"""name: small
parameters:
  {RATE}:
    kind: uncertain
    low: 0.2
    high: 10
    scale: log
    description: high-level teams introduced per year
  {MAKERS}:
    kind: uncertain
    low: 80
    high: 200
"""
FINISHED = re.compile(
    r"^(?P<run>\d+) evaluations? run(?:, (?P<reused>\d+) reused from \S+)?, [\d,]+ SimPy "
    r"events, [\d.]+ s; wrote (?P<files>.+) to (?P<out>\S+)$",
    re.M,
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("discover")
    space = folder / "small.yaml"
    space.write_text(SPACE, encoding="utf-8")
    return short_scenario(folder), space


def args(inputs: tuple[Path, Path], out: Path, *extra: object, goal: str = "high_level_teams"):
    scenario, space = inputs
    return [
        "discover",
        scenario,
        "--space",
        space,
        "--goal",
        goal,
        "--samples",
        "14",
        "-n",
        "2",
        "-w",
        "1",
        "--no-progress",
        "--out",
        out,
        *extra,
    ]


def test_discover_runs_writes_its_files_and_resumes(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "disc"
    code, stdout, err = run_cli(args(inputs, out, "--min-density", "0.75"), capsys)
    assert code == 0, err
    assert err == ""
    done = FINISHED.search(stdout)
    assert done, stdout
    assert done["run"] == "14" and done["reused"] is None
    assert done["files"] == (
        "samples.csv, boxes.csv, peeling.csv, summary.json, peeling.png, box.png, report.html"
    )
    assert stdout.startswith(
        "Scenario discovery of high_level_teams in short: 14 samples of 2 parameters x 2 "
        "replications;"
    )
    samples = pd.read_csv(out / "samples.csv")
    assert list(samples.columns) == [
        "sample",
        RATE,
        MAKERS,
        "p_met",
        "median_high_level_teams",
        "met",
    ]
    assert len(samples) == 14
    assert samples[RATE].between(0.2, 10).all()
    assert (samples["met"] == (samples["p_met"] >= 0.5)).all()
    # the teams goal is met where teams arrive fast: the box bounds their rate from below
    met = samples[samples["met"]]
    assert 0 < len(met) < 14
    boxes = pd.read_csv(out / "boxes.csv").set_index("parameter")
    assert RATE in boxes.index
    assert boxes.at[RATE, "restricted"] in ("low", "both")
    assert boxes.at[RATE, "low"] <= met[RATE].min()
    assert (boxes["density"] >= 0.75).all()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "discover"
    assert summary["goals"] == ["high_level_teams"]
    assert summary["samples"] == 14 and summary["replications"] == 2
    assert summary["cases_of_interest"] == len(met)
    assert summary["chosen_box"]["coverage"] == boxes["coverage"].iloc[0]
    assert summary["p_met_inside"] > summary["p_met_outside"]
    assert summary["prim"].startswith("ema_workbench ")
    peeling = pd.read_csv(out / "peeling.csv")
    assert peeling["chosen"].sum() == 1
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Scenario discovery" in report and RATE in report
    marker = json.loads((out / ".zonesim.json").read_text(encoding="utf-8"))
    assert marker["kind"] == "discovery"

    # resumed with another density threshold: nothing runs again, the same samples come back
    code, stdout, err = run_cli(args(inputs, out, "--resume", "--min-density", "0.6"), capsys)
    assert code == 0, err
    again = FINISHED.search(stdout)
    assert again and again["run"] == "0" and again["reused"] == "14"
    resumed = pd.read_csv(out / "samples.csv")
    pd.testing.assert_frame_equal(resumed, samples)
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["min_density"] == 0.6

    # `report` redraws the page of a discovery folder
    (out / "report.html").unlink()
    code, stdout, err = run_cli(["report", out], capsys)
    assert code == 0, err
    assert "Peeling trajectory" in (out / "report.html").read_text(encoding="utf-8")

    # another seed cannot reuse them
    code, stdout, err = run_cli(args(inputs, out, "--resume", "--seed", "7"), capsys)
    assert code == 2 and err.count("\n") == 1
    assert "cannot resume: root_seed changed" in err


def test_a_goal_met_in_every_sample_says_so_and_writes_no_box(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all"
    argv = args(inputs, out, "--no-plots", goal="incubators:any_level")
    argv[argv.index("--samples") + 1] = "3"
    argv[argv.index("-n") + 1] = "1"
    code, stdout, err = run_cli(argv, capsys)
    assert code == 0, err
    notes = [line for line in stdout.splitlines() if line.startswith("note: ")]
    assert notes == [
        "note: the goal is met in all 3 samples: no box to find (no assumption in the space "
        "decides it)"
    ]
    assert pd.read_csv(out / "boxes.csv").empty
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["chosen_box"] is None and summary["box_limits"] == []
    assert summary["notes"] == [notes[0].removeprefix("note: ")]
    assert not (out / "peeling.png").exists()
    assert (out / "report.html").is_file()


def test_an_unknown_goal_exits_2_naming_it(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bad"
    code, stdout, err = run_cli(args(inputs, out, goal="no_such_goal"), capsys)
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert err.startswith("zonesim: error: unknown goal(s) no_such_goal;")
    assert not out.exists()


def test_a_folder_of_another_kind_is_refused(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    with claim(out, "sweep", "zonesim sweep ...") as folder:
        folder.replace({"summary.json": {"command": "sweep"}})
    code, stdout, err = run_cli(args(inputs, out), capsys)
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert err.startswith(f"zonesim: error: {out}: holds a sweep folder")
    assert "choose another --out" in err
    assert not (out / "samples.csv").exists()


def test_a_bad_threshold_exits_2(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run_cli(args(inputs, tmp_path / "t", "--threshold", "1.5"), capsys)
    assert code == 2
    assert "--threshold: must be in (0, 1] (got 1.5)" in err


def test_samples_draw_the_posteriors_parameters_from_it(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --posterior, the posterior's parameter takes only its draws' values (by weight);
    the others still spread over the hypercube."""
    posterior = write_posterior(
        tmp_path / "posterior.csv", {RATE: [0.5, 4.0, 9.0]}, weights=[0.5, 0.5, 0.0]
    )
    out = tmp_path / "over"
    code, _stdout, err = run_cli(args(inputs, out, "--posterior", posterior, "--no-plots"), capsys)
    assert code == 0, err
    samples = pd.read_csv(out / "samples.csv")
    assert set(samples[RATE]) == {0.5, 4.0}  # the draw of weight 0 never
    assert samples[MAKERS].nunique() == len(samples)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["posterior"]["parameters"] == [RATE]


def test_a_posterior_column_not_in_the_spaces_exits_2(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "funding.loans.loans_per_institution_per_year"
    posterior = write_posterior(tmp_path / "posterior.csv", {key: [0.5, 0.7]})
    out = tmp_path / "notin"
    code, stdout, err = run_cli(args(inputs, out, "--posterior", posterior), capsys)
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1
    assert err.startswith(f"{posterior}: column '{key}': ")
    assert not out.exists()
