"""``run --format parquet``: the long tables as Parquet, the same values as the CSV run's,
read back by ``plot``; switching formats in one folder leaves no stale table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.results import read_marker, read_run
from tests.helpers import run_cli, short_scenario

pytest.importorskip("pyarrow")


@pytest.fixture
def short(tmp_path: Path) -> Path:
    return short_scenario(tmp_path)


def run_args(scenario: Path, out: Path, *extra: str) -> list[object]:
    return ["run", scenario, "-n", "2", "-w", "1", "--no-progress", "--firm-records",
            "--no-plots", "--out", out, *extra]  # fmt: skip


def test_parquet_holds_the_csv_runs_values_and_replaces_it(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(run_args(short, out), capsys)
    assert code == 0, err
    csv_trajectories = pd.read_csv(out / "trajectories.csv")
    csv_firms = pd.read_csv(out / "firms.csv")
    code, stdout, err = run_cli(run_args(short, out, "--format", "parquet"), capsys)
    assert code == 0, err
    assert "wrote trajectories.parquet, goals.csv" in stdout
    names = set(read_marker(out).files)
    assert {"trajectories.parquet", "firms.parquet", "goals.csv"} <= names
    assert not (out / "trajectories.csv").exists() and not (out / "firms.csv").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "trajectories.parquet"), csv_trajectories)
    parquet_firms = pd.read_parquet(out / "firms.parquet")
    assert list(parquet_firms.columns) == list(csv_firms.columns)
    assert len(parquet_firms) == len(csv_firms)
    pd.testing.assert_frame_equal(read_run(out).trajectories, csv_trajectories)
    code, stdout, err = run_cli(["plot", out], capsys)
    assert code == 0, err
    assert (out / "plots" / "funnel.png").is_file()


def test_an_unknown_format_is_refused(short: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run_cli(run_args(short, tmp_path / "out", "--format", "xlsx"), capsys)
    assert code == 2 and "invalid choice: 'xlsx'" in err
    assert not (tmp_path / "out").exists()
