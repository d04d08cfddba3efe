"""Reproducibility: results depend on (scenario, root seed, replication) and nothing else.

Not on the number of worker processes, the order replications finish in, the batch a
replication ran in, or Python's string-hash seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.runner import run_one, run_replications
from sim.scenario import load_scenario
from tests.helpers import BASELINE, ROOT

REPLICATIONS = 4


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline cut to 2018-2022 (goals are for 2019-2020), about 0.1 s a replication."""
    path = tmp_path_factory.mktemp("scenario") / "short.yaml"
    path.write_text(
        f"extends: {BASELINE}\nhorizon: {{start_year: 2018, end_year: 2022}}\n", encoding="utf-8"
    )
    return path


def cli_run(scenario: Path, out: Path, seed: int, workers: int, *extra: str) -> Path:
    code = main(
        [
            "run",
            str(scenario),
            "-n",
            str(REPLICATIONS),
            "--seed",
            str(seed),
            "--workers",
            str(workers),
            "--out",
            str(out),
            "--no-progress",
            "--no-plots",
            *extra,
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def serial(short_scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cli_run(short_scenario, tmp_path_factory.mktemp("serial"), seed=11, workers=1)


@pytest.mark.validation(
    group="reproducibility",
    check="worker count",
    asserts="same seed with 1 and 2 workers gives byte-identical trajectories.csv and goals.csv",
    tolerance="exact (bytes)",
)
def test_worker_count_does_not_change_results(
    short_scenario: Path, serial: Path, tmp_path: Path
) -> None:
    parallel = cli_run(short_scenario, tmp_path / "parallel", seed=11, workers=2)
    for name in ("trajectories.csv", "goals.csv"):
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name
    one = json.loads((serial / "manifest.json").read_text(encoding="utf-8"))
    two = json.loads((parallel / "manifest.json").read_text(encoding="utf-8"))
    for key in ("root_seed", "replications", "events", "scenario_sha256", "scenario_files"):
        assert one[key] == two[key], key
    assert one["root_seed"] == 11
    assert one["replications"] == REPLICATIONS
    assert one["events"] > 0
    table = pd.read_csv(serial / "trajectories.csv")
    assert sorted(table["replication"].unique()) == list(range(REPLICATIONS))


@pytest.mark.validation(
    group="reproducibility",
    check="different seeds",
    asserts="a different root seed gives different trajectories but the same 2018 state",
    tolerance="exact",
)
def test_different_seed_gives_different_trajectories(
    short_scenario: Path, serial: Path, tmp_path: Path
) -> None:
    other = cli_run(short_scenario, tmp_path / "other", seed=12, workers=1)
    assert (serial / "trajectories.csv").read_bytes() != (other / "trajectories.csv").read_bytes()
    a = pd.read_csv(serial / "trajectories.csv")
    b = pd.read_csv(other / "trajectories.csv")
    arrivals_a = a[a["indicator"] == "arrivals"]["value"].to_numpy()
    arrivals_b = b[b["indicator"] == "arrivals"]["value"].to_numpy()
    assert len(arrivals_a) == len(arrivals_b) == REPLICATIONS * 4  # flows 2019-2022
    assert (arrivals_a != arrivals_b).any()
    # The initial state is fixed by the scenario: it is the same under any seed.
    initial = ["national_hte", "tech_smes", "firms_in_carriers", "enterprise_base"]
    first_a = a[(a["year"] == 2018) & a["indicator"].isin(initial)]
    first_b = b[(b["year"] == 2018) & b["indicator"].isin(initial)]
    assert first_a["value"].tolist() == first_b["value"].tolist()


def run_subprocess(scenario: Path, out: Path, hash_seed: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    done = subprocess.run(
        [
            sys.executable,
            "run_sim.py",
            "run",
            str(scenario),
            "-n",
            "2",
            "--seed",
            "5",
            "--workers",
            "1",
            "--out",
            str(out),
            "--no-progress",
            "--no-plots",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.validation(
    group="reproducibility",
    check="PYTHONHASHSEED",
    asserts="runs with PYTHONHASHSEED=1 and =2 give byte-identical files",
    tolerance="exact (bytes)",
)
def test_results_do_not_depend_on_the_string_hash_seed(
    short_scenario: Path, tmp_path: Path
) -> None:
    run_subprocess(short_scenario, tmp_path / "h1", "1")
    run_subprocess(short_scenario, tmp_path / "h2", "2")
    for name in ("trajectories.csv", "goals.csv"):
        first = (tmp_path / "h1" / name).read_bytes()
        assert len(first) > 1000 or name == "goals.csv"
        assert first == (tmp_path / "h2" / name).read_bytes(), name


@pytest.mark.validation(
    group="reproducibility",
    check="replication independence",
    asserts="replication i run alone equals replication i of a larger run",
    tolerance="exact",
)
def test_a_replication_does_not_depend_on_its_batch(short_scenario: Path) -> None:
    scenario = load_scenario(short_scenario)
    batch = run_replications(scenario, 3, root_seed=21, firm_records=True)
    alone = run_one(scenario, 2, 21, firm_records=True)

    trajectories = batch.trajectories
    mine = trajectories[trajectories["replication"] == 2]
    assert list(mine.itertuples(index=False, name=None)) == [
        (2, year, name, value) for year, name, value in alone.trajectory
    ]
    totals = batch.totals[batch.totals["replication"] == 2]
    assert dict(zip(totals["flow"], totals["value"], strict=True)) == alone.totals
    firms = batch.firms
    assert firms is not None
    rows = firms[firms["replication"] == 2].drop(columns="replication")
    expected = pd.DataFrame(alone.firms, columns=rows.columns)
    pd.testing.assert_frame_equal(rows.reset_index(drop=True), expected)
    # ... and replications differ from one another
    other = trajectories[trajectories["replication"] == 1]["value"].to_numpy()
    assert len(other) == len(mine)
    assert (other != mine["value"].to_numpy()).any()
    assert alone.events == run_one(scenario, 2, 21).events
