"""``zonesim init``: the skeleton of a new zone, the shipped example zones, and the second
example zone (scenarios/examples/incubator)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.reference import keys
from sim.scenario.scaffold import EXAMPLES, example_files, scaffold

ROOT = Path(__file__).resolve().parents[2]
INCUBATOR = ROOT / "scenarios" / "examples" / "incubator" / "incubator.yaml"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_writes_a_skeleton_that_validates_and_runs(tmp_path, capsys):
    out = tmp_path / "zone"
    code, printed, _ = _run(
        capsys, "init", "demo", "--carriers", "2", "--start-year", "2023", "--out", out
    )
    assert code == 0, printed
    assert sorted(p.name for p in out.iterdir()) == ["demo.yaml", "observations.yaml"]
    assert "2 carriers" in printed and "assumption" in printed

    code, printed, err = _run(capsys, "validate", out / "demo.yaml", out / "observations.yaml")
    assert code == 0, err
    assert printed.count("ok: ") == 2 and "0 observed figures" in printed

    scenario = load_scenario(out / "demo.yaml")
    assert scenario.name == scenario.zone == "demo"
    assert list(scenario.carriers) == ["carrier_1", "carrier_2"]
    assert scenario.horizon.start_year == 2023 and scenario.horizon.end_year == 2035
    assert {goal.year for goal in scenario.goals.values()} == {2025}
    assert all(goal.base is None for goal in scenario.goals.values())

    results = tmp_path / "results"
    args = ("run", out / "demo.yaml", "--replications", "2", "--workers", "1", "--out", results)
    code, printed, err = _run(capsys, *args)
    assert code == 0, err
    assert "Goals for 2025" in printed and "2020" not in printed
    goals = pd.read_csv(results / "goals.csv")
    assert set(goals["year"]) == {2025}
    assert set(goals["base_year"].dropna()) <= {2023}


def test_every_value_is_marked_and_every_key_is_there():
    text = scaffold("demo", carriers=1)["demo.yaml"]
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    values = [line for line in lines if not line.rstrip().endswith(":")]
    assert values and all("# assumption: set for your zone" in line for line in values)
    for path, *_ in keys():
        last = path.rsplit(".", 1)[-1].removesuffix("[]")
        if last != "<name>":
            assert f"{last}:" in text, path


def test_carriers_and_start_year_are_reflected(tmp_path):
    files = scaffold("other_zone", carriers=4, start_year=2030)
    path = tmp_path / "other_zone.yaml"
    path.write_text(files["other_zone.yaml"])
    scenario = load_scenario(path)
    assert len(scenario.carriers) == 4 == len(scenario.initial_state.carriers)
    assert scenario.horizon.start_year == 2030 and scenario.horizon.end_year == 2042
    assert {goal.year for goal in scenario.goals.values()} == {2032}
    assert files["observations.yaml"].splitlines()[-2:] == [
        "zone: other_zone  # the scenario's zone (its `zone:` key)",
        "observations: []",
    ]


def test_init_refuses_to_overwrite_and_bad_input(tmp_path, capsys):
    out = tmp_path / "zone"
    assert _run(capsys, "init", "demo", "--out", out)[0] == 0
    before = (out / "demo.yaml").read_bytes()
    code, _, err = _run(capsys, "init", "demo", "--out", out, "--carriers", "5")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "exists" in err
    assert (out / "demo.yaml").read_bytes() == before
    code, _, err = _run(capsys, "init", "bad name", "--out", tmp_path / "x")
    assert code == 2 and "zone name" in err
    code, _, err = _run(capsys, "init", "--out", tmp_path / "y")
    assert code == 2 and "NAME" in err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_init_example_copies_the_checkouts_files(tmp_path, capsys, example):
    code, printed, err = _run(capsys, "init", "--example", example, tmp_path / example)
    assert code == 0, err
    source = ROOT / EXAMPLES[example][0]
    copied = sorted(
        p.relative_to(tmp_path / example).as_posix()
        for p in (tmp_path / example).rglob("*")
        if p.is_file()
    )
    assert copied == sorted(example_files(example))
    for rel in copied:
        assert (tmp_path / example / rel).read_bytes() == (source / rel).read_bytes(), rel
    if example == "jiaozuo":
        assert {"baseline.yaml", "observations.yaml", "patterns.yaml"} <= set(copied)
        assert any(rel.startswith("spaces/") for rel in copied)
    assert _run(capsys, "init", "--example", example, tmp_path / example)[0] == 2


def test_the_package_build_ships_the_same_examples(tmp_path):
    """setup.py copies the example zones into the built package: the same files as the
    checkout's and as ``zonesim init --example`` lists."""
    spec = importlib.util.spec_from_file_location("zonesim_setup", ROOT / "setup.py")
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)  # not __main__: defines, does not build
    assert setup.EXAMPLES == EXAMPLES
    written = setup.copy_examples(tmp_path / "sim", ROOT)
    assert written
    for example in EXAMPLES:
        files = example_files(example)
        packaged = tmp_path / "sim" / "examples" / example
        assert sorted(example_files(example, packaged)) == sorted(files)
        for rel, path in files.items():
            assert (packaged / rel).read_bytes() == path.read_bytes(), rel


def test_second_zone_runs_with_its_own_goal_years(tmp_path, capsys):
    code, printed, err = _run(
        capsys, "validate", INCUBATOR, INCUBATOR.with_name("observations.yaml")
    )
    assert code == 0, err
    scenario = load_scenario(INCUBATOR)
    assert scenario.zone == "example_national_incubator"
    assert list(scenario.carriers) == ["incubator"]
    results = tmp_path / "incubator"
    args = ("run", INCUBATOR, "--replications", "2", "--workers", "1", "--out", results)
    code, printed, err = _run(capsys, *args)
    assert code == 0, err
    assert "Goals for 2025 and 2027" in printed
    assert "2018" not in printed and "2020" not in printed
    goals = pd.read_csv(results / "goals.csv")
    assert set(goals["year"]) == {2025, 2027}
    assert set(goals["base_year"].dropna()) == {2023}
    observed = pd.read_csv(results / "observations.csv")
    assert len(observed) == 4 and set(observed["year"]) == {2023}
