"""``zonesim run --holdout FILE``: the run's trajectories scored against held-out figures,
written to holdout.csv and printed after the goal table with the coverage line; the same code
over a posterior; a file of another zone or a bad file refused before the folder is claimed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.holdout import SCORE_COLUMNS, score_holdout
from sim.scenario.holdout import load_holdout
from tests.helpers import SCENARIOS, run_cli, short_scenario, uniform_posterior

cli = run_cli
QUIET = ["-w", "1", "--no-progress", "--no-plots"]
REPLICATIONS = 4

# In the short baseline (2018-2022) the zone has some 15-30 national HTE in 2019 and 2020: the
# first range holds them, the second is far above; the third figure's indicator (a carrier the
# scenario does not have) is not recorded.
FIGURES = """zone: jiaozuo_htz
held_out:
  - {indicator: national_hte, year: 2020, geography: city_bound, value: 400, low: 0, high: 400, words: "城市", source: city}
  - {indicator: national_hte, year: 2019, geography: zone, value: 500, low: 450, high: 550, words: "区", source: zone}
  - {indicator: firms_in_carriers.nowhere, year: 2020, geography: city_bound, value: 1, low: 0, high: 1, words: "各1家", source: later}
"""  # noqa: E501
COVERAGE = (
    "held-out figures: 1 of 2 inside the simulated 90 % band; 1 more not scored "
    "(1 indicator not recorded by the model)"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("holdout")
    holdout = folder / "holdout.yaml"
    holdout.write_text(FIGURES, encoding="utf-8")
    return short_scenario(folder), holdout


def test_run_scores_the_held_out_figures(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, holdout = files
    out = tmp_path / "out"
    argv = ["run", scenario, "-n", REPLICATIONS, *QUIET, "--out", out, "--holdout", holdout]
    code, stdout, err = cli(argv, capsys)
    assert code == 0, err
    table = pd.read_csv(out / "holdout.csv")
    assert list(table.columns) == SCORE_COLUMNS
    assert table["held"].tolist()[:2] == [True, False]
    assert pd.isna(table["held"].iloc[2])
    assert table["note"].iloc[2] == "indicator not recorded by the model: not scored"
    # the file's scores are those of the run's own trajectories
    trajectories = pd.read_csv(out / "trajectories.csv")
    again = score_holdout(trajectories, load_holdout(holdout), REPLICATIONS)
    assert table["sim_median"].tolist()[:2] == pytest.approx(again["sim_median"].tolist()[:2])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["holdout"] == {"file": str(holdout), "held": 1, "scored": 2, "figures": 3}
    # printed after the goal table, before the line naming what was written
    lines = stdout.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("Held-out figures ("))
    assert any(line.startswith("Goals for ") for line in lines[:title])
    assert "at the scenario's point values" in lines[title]
    assert COVERAGE in stdout.replace("\n", " ")
    written = next(i for i, line in enumerate(lines) if " replications in " in line)
    assert written > title and "holdout.csv" in lines[written]
    # a run without --holdout leaves no holdout.csv of an earlier run
    code, stdout, err = cli(["run", scenario, "-n", REPLICATIONS, *QUIET, "--out", out], capsys)
    assert code == 0, err
    assert not (out / "holdout.csv").exists()
    assert "Held-out" not in stdout and "holdout" not in json.loads(
        (out / "manifest.json").read_text(encoding="utf-8")
    )


def test_run_over_a_posterior_scores_the_posterior_trajectories(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, holdout = files
    posterior = uniform_posterior(
        tmp_path / "posterior.csv", SCENARIOS / "spaces" / "uncertain.yaml", draws=8
    )
    out = tmp_path / "out"
    argv = ["run", scenario, "-n", REPLICATIONS, *QUIET, "--out", out, "--holdout", holdout]
    code, stdout, err = cli([*argv, "--posterior", posterior], capsys)
    assert code == 0, err
    assert "simulated over the posterior" in stdout
    table = pd.read_csv(out / "holdout.csv")
    trajectories = pd.read_csv(out / "trajectories.csv")  # over the posterior
    again = score_holdout(trajectories, load_holdout(holdout), REPLICATIONS)
    for column in ("sim_low", "sim_median", "sim_high"):
        assert table[column].tolist()[:2] == pytest.approx(again[column].tolist()[:2])


@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        (FIGURES.replace("jiaozuo_htz", "xinxiang_htz"), ":1:1: zone: ", "figures of zone"),
        (
            FIGURES.replace("firms_in_carriers.nowhere", "nope"),
            ":5:6: held_out.2.indicator: ",
            "nope",
        ),
    ],
)
def test_a_bad_held_out_file_is_refused_before_the_run(
    files: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    at: str,
    message: str,
) -> None:
    scenario, _ = files
    holdout = tmp_path / "holdout.yaml"
    holdout.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", scenario, "-n", 1, *QUIET, "--out", out, "--holdout", holdout]
    code, stdout, err = cli(argv, capsys)
    assert code == 2 and stdout == ""
    (line,) = err.splitlines()
    assert line.startswith(f"{holdout}{at}") and message in line, line
    assert not out.exists()
