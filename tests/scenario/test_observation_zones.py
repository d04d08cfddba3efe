"""Observation files are bound to their zone: a run uses the files beside its scenario only if
they name the scenario's zone (warning otherwise), refuses a file of another zone given
explicitly (exit 2, one line at its ``zone`` key), and ``--observations none`` switches them
off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.scenario import ScenarioError, load_scenario
from sim.scenario.observations import check_zone, zone_of
from tests.helpers import BASELINE, SCENARIOS, run_cli

OBSERVATIONS = SCENARIOS / "observations.yaml"


def other_zone(folder: Path) -> Path:
    """A copied zone of its own, in a folder holding Jiaozuo's observations."""
    shutil.copy(OBSERVATIONS, folder / "observations.yaml")
    path = folder / "other.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: other\nzone: other_zone  # assumption\n"
        "horizon: {end_year: 2022}\n",
        encoding="utf-8",
    )
    return path


def run_args(scenario: Path, out: Path, *extra: object) -> list[object]:
    return ["run", scenario, "-n", "1", "-w", "1", "--no-progress", "--no-plots", "--out", out,
            *extra]  # fmt: skip


def test_the_zone_is_the_scenarios_zone_or_its_name(tmp_path: Path) -> None:
    assert zone_of(load_scenario(BASELINE)) == "jiaozuo_htz"
    assert zone_of(load_scenario(other_zone(tmp_path))) == "other_zone"
    check_zone(OBSERVATIONS, load_scenario(BASELINE))
    with pytest.raises(ScenarioError) as caught:
        check_zone(OBSERVATIONS, load_scenario(other_zone(tmp_path)))
    [problem] = caught.value.problems
    assert (problem.line, problem.key) == (8, "zone")
    assert "'jiaozuo_htz'" in problem.message and "'other_zone'" in problem.message


def test_another_zones_observations_beside_are_warned_about_and_not_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = other_zone(tmp_path)
    code, _, err = run_cli(run_args(scenario, tmp_path / "out"), capsys)
    assert code == 0, err
    assert err.startswith(f"warning: {tmp_path / 'observations.yaml'}: figures of zone ")
    assert err.rstrip().endswith("; not used") and err.count("\n") == 1
    assert not (tmp_path / "out" / "observations.csv").exists()


def test_another_zones_observations_given_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = other_zone(tmp_path)
    out = tmp_path / "out"
    code, stdout, err = run_cli(run_args(scenario, out, "--observations", OBSERVATIONS), capsys)
    assert code == 2 and stdout == ""
    assert err == (
        f"{OBSERVATIONS}:8:1: zone: figures of zone 'jiaozuo_htz', but scenario 'other' is of "
        "zone 'other_zone'\n"
    )
    assert not out.exists()


def test_observations_none_switches_them_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {BASELINE}\nhorizon: {{end_year: 2022}}\n", encoding="utf-8")
    shutil.copy(OBSERVATIONS, tmp_path / "observations.yaml")
    code, _, err = run_cli(run_args(short, tmp_path / "with"), capsys)
    assert code == 0 and err == ""
    assert len(pd.read_csv(tmp_path / "with" / "observations.csv")) > 0
    code, _, err = run_cli(run_args(short, tmp_path / "none", "--observations", "none"), capsys)
    assert code == 0 and err == ""
    assert not (tmp_path / "none" / "observations.csv").exists()
    code, _, err = run_cli(
        run_args(
            short, tmp_path / "both", "--observations", "none", "--observations", OBSERVATIONS
        ),  # fmt: skip
        capsys,
    )
    assert code == 2 and "cannot be combined" in err and err.count("\n") == 1


def test_an_observations_file_must_name_its_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "observations.yaml"
    path.write_text(
        "observations:\n  - {indicator: national_hte, year: 2018, value: 13, source: A}\n",
        encoding="utf-8",
    )
    code, _, err = run_cli(["validate", path], capsys)
    assert code == 2 and err == f"{path}:1:1: zone: Field required\n"
