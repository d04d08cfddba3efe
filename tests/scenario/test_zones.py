"""The real zones shipped under scenarios/zones/: each validates on its own (no ``extends``), runs
through the command line over a short horizon, reports goals for its own years only, and has
observations that load and name its zone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.scenario.observations import check_zone, load_observations, zone_of
from tests.helpers import SCENARIOS, run_cli

XINXIANG = SCENARIOS / "zones" / "xinxiang_htz"
SCENARIO = XINXIANG / "xinxiang_htz.yaml"
OBSERVATIONS = XINXIANG / "observations.yaml"


def test_the_zone_validates_alone_and_names_itself(capsys: pytest.CaptureFixture[str]) -> None:
    lines = SCENARIO.read_text(encoding="utf-8").splitlines()
    assert not any(line.startswith("extends:") for line in lines)
    scenario = load_scenario(SCENARIO)
    assert zone_of(scenario) == "xinxiang_htz"
    assert scenario.horizon.start_year == 2019
    code, out, err = run_cli(["validate", SCENARIO, OBSERVATIONS], capsys)
    assert code == 0, err
    assert out.count("ok: ") == 2


def test_its_observations_load_and_name_its_zone() -> None:
    observations = load_observations(OBSERVATIONS)
    assert observations.zone == "xinxiang_htz"
    check_zone(OBSERVATIONS, load_scenario(SCENARIO))
    assert {o.indicator for o in observations.observations} >= {"national_hte", "incubators"}
    assert all(o.source for o in observations.observations)


def test_it_runs_and_its_goals_are_its_own_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.yaml"
    short.write_text(
        f"extends: {SCENARIO}\nhorizon: {{end_year: 2023}}  # assumption: a short test run\n",
        encoding="utf-8",
    )
    out_dir = tmp_path / "out"
    code, out, err = run_cli(
        [
            "run",
            short,
            "-n",
            "2",
            "-w",
            "1",
            "--no-progress",
            "--no-plots",
            "--out",
            out_dir,
            "--observations",
            OBSERVATIONS,
        ],  # fmt: skip
        capsys,
    )
    assert code == 0, err
    assert "Goals for 2023" in out
    goals = pd.read_csv(out_dir / "goals.csv")
    assert set(goals["year"]) == {2023}
    assert set(goals["base_year"].dropna()) == {2019}
    assert "national_hte_2023" in set(goals["goal"])
    for name in ("goals.csv", "observations.csv"):
        text = (out_dir / name).read_text(encoding="utf-8")
        assert "2018" not in text and "2020" not in text, name
