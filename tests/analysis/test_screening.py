"""What decides each goal (sim.analysis.screening, sim.studies.screen): the ranking of a
synthetic effects table by hand, a real screening through the command line, and its use in
the goal table of later runs (stale when the scenario changed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.screening import DECIDED_BY_COLUMNS, decided_by, decided_by_text
from tests.helpers import BASELINE, SCENARIOS, run_cli


def effects_row(parameter: str, goal: str, change: float, mean_change: float) -> dict:
    return {
        "lever": parameter,
        "goal": goal,
        "low": 0.0,
        "high": 1.0,
        "p_met_low": 0.5,
        "p_met_high": 0.5 + change,
        "p_met_change": change,
        "p_met_change_lo95": change - 0.1,
        "p_met_change_hi95": change + 0.1,
        "mean_low": 10.0,
        "mean_change": mean_change,
    }


def test_the_largest_changes_of_p_met_decide_a_goal() -> None:
    effects = pd.DataFrame(
        [
            effects_row("a", "g", 0.10, 5.0),
            effects_row("b", "g", -0.40, 1.0),
            effects_row("c", "g", 0.10, 9.0),  # ties a on P; its mean moves more
            effects_row("a", "h", 0.0, 3.0),  # moves h's mean but never its verdict
        ]
    ).rename(columns={"lever": "parameter"})
    kinds = {"a": "uncertain", "b": "lever", "c": "uncertain"}
    table = decided_by(effects, kinds, {"a": "assumption", "c": "data"})
    assert list(table.columns) == DECIDED_BY_COLUMNS
    assert table[["goal", "rank", "parameter", "provenance"]].values.tolist() == [
        ["g", 1, "b", "lever"],
        ["g", 2, "c", "data"],
    ]
    texts = decided_by_text(table, ["g", "h"])
    assert texts == {
        "g": "b (lever, ΔP -0.40); c (data, ΔP +0.10)",
        "h": "none of the screened parameters",
    }


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A short copy of the baseline screened over two levers, 3 replications."""
    folder = tmp_path_factory.mktemp("screen")
    scenario = folder / "short.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nname: short\nhorizon: {{end_year: 2022}}\n", encoding="utf-8"
    )
    shutil.copy(SCENARIOS / "observations.yaml", folder / "observations.yaml")
    space = folder / "two.yaml"
    space.write_text(
        "parameters:\n"
        "  certification.hte.cultivation.firms_per_year: {kind: lever, low: 0, high: 30, "
        "integer: true}\n"
        "  initial_state.enterprise_base_firms: {kind: uncertain, low: 80, high: 320, "
        "integer: true}\n",
        encoding="utf-8",
    )
    return scenario, space


def test_screen_writes_what_decides_each_goal_and_runs_show_it(
    screened: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, space = screened
    out = tmp_path / "screen"
    argv = ["screen", scenario, "--space", space, "-n", "3", "-w", "1", "--no-progress",
            "--goals", "national_hte,incubators:any_level", "--out", out]  # fmt: skip
    code, stdout, err = run_cli(argv, capsys)
    assert code == 0, err
    assert "What decides each goal: each of 2 parameters alone" in stdout
    assert "moved by none of the screened parameters: incubators:any_level" in stdout
    decided = pd.read_csv(out / "decided_by.csv")
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["parameter"]) == {
        "certification.hte.cultivation.firms_per_year",
        "initial_state.enterprise_base_firms",
    }
    assert len(effects) == 4  # 2 parameters x 2 goals
    assert (decided["goal"] == "national_hte").all() and len(decided) >= 1
    top = decided.iloc[0]
    by_hand = effects[(effects["goal"] == "national_hte")]
    assert abs(top["p_met_change"]) == by_hand["p_met_change"].abs().max()
    assert set(decided["provenance"]) <= {"lever", "assumption"}

    # kept beside the scenario, every run shows it; a changed scenario shows it is stale
    kept = scenario.parent / "screening" / "short.csv"
    kept.parent.mkdir(exist_ok=True)
    shutil.copy(out / "decided_by.csv", kept)
    run_args = ["run", scenario, "-n", "2", "-w", "1", "--no-progress", "--no-plots"]
    code, stdout, err = run_cli([*run_args, "--out", tmp_path / "run"], capsys)
    assert code == 0, err
    goals = pd.read_csv(tmp_path / "run" / "goals.csv").set_index(["goal", "reading"])
    assert goals.loc[("national_hte", "as_written"), "decided_by"].startswith(top["parameter"])
    assert "Decided by (zonesim screen): national_hte: " in " ".join(stdout.split())
    carriers = ("incubators", "any_level")  # a reading of its own, screened as such
    assert goals.loc[carriers, "status"] == "determined by inputs"
    assert goals.loc[carriers, "decided_by"] == "none of the screened parameters"
    goals = goals.reset_index("reading")
    assert pd.isna(goals.loc["leading_talents", "decided_by"])  # not modelled
    changed = scenario.parent / "changed.yaml"
    changed.write_text(
        f"extends: {scenario}\nname: short\nhorizon: {{end_year: 2023}}\n", encoding="utf-8"
    )
    code, _, err = run_cli([*run_args[:1], changed, *run_args[2:], "--out", tmp_path / "r2"],
                           capsys)  # fmt: skip
    assert code == 0, err
    goals = pd.read_csv(tmp_path / "r2" / "goals.csv").set_index("goal")
    assert goals.loc["national_hte", "decided_by"].startswith("stale screening")


def test_the_shipped_screening_is_of_the_baseline_as_it_is() -> None:
    """scenarios/screening/baseline.csv was made from the current baseline: when the baseline
    changes, rerun the screen command of docs/analysis.md and copy its decided_by.csv."""
    from sim.results.provenance import scenario_hash
    from sim.scenario import load_scenario

    table = pd.read_csv(SCENARIOS / "screening" / "baseline.csv")
    assert set(table["scenario_sha256"]) == {scenario_hash(load_scenario(BASELINE))}
    assert list(table.columns) == [*DECIDED_BY_COLUMNS, "scenario_sha256"]
