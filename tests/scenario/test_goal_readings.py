"""Goals read more than one way: the baseline states every goal's words and source, its disputed
goals carry each reading with its basis and source, and bad readings are refused like any other
bad input (one located line, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis.goals import goal_table
from sim.analysis.tuning import select_goals
from sim.scenario import load_scenario
from sim.scenario.schema import AS_WRITTEN, goal_of
from tests.helpers import BASELINE, run_cli

cli = run_cli


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_every_baseline_goal_quotes_its_words_and_source(baseline) -> None:
    for key, goal in baseline.goals.items():
        assert goal.words and goal.source, key
        for reading in goal.readings.values():
            assert reading.basis and reading.source, key


def test_disputed_goals_carry_their_readings_main_first(baseline) -> None:
    readings = {k: list(g.read()) for k, g in baseline.goals.items() if g.readings}
    assert readings == {
        "incubators": [
            "recognised",
            "with_maker_spaces",
            "any_level",
        ],
        "invention_patent_share": ["share", "of_800"],
        "high_level_teams": ["ten_more", "leading_level"],
    }
    teams = baseline.goals["high_level_teams"].read()
    assert (teams["ten_more"].target, teams["ten_more"].indicator) == (36, "high_level_teams")
    assert (teams["leading_level"].target, teams["leading_level"].indicator) == (
        10,
        "leading_teams_introduced",
    )
    assert baseline.goals["high_level_teams"].main.reading == "ten_more"
    keys = list(baseline.goal_readings())
    assert "high_level_teams" in keys and "high_level_teams:leading_level" in keys
    assert keys.index("high_level_teams") + 1 == keys.index("high_level_teams:leading_level")
    assert baseline.goals["national_hte"].main.reading == AS_WRITTEN


def test_goal_table_has_one_row_per_reading(baseline) -> None:
    """One row per reading, the main reading first, each with its own target; goals read one
    way say ``as_written``."""
    import pandas as pd

    trajectories = pd.DataFrame(
        {"replication": [0], "year": [2020], "indicator": ["high_level_teams"], "value": [30.0]}
    )
    table = goal_table(baseline, trajectories, 1)
    rows = table[table["goal"] == "high_level_teams"]
    assert list(rows["reading"]) == ["ten_more", "leading_level"]
    assert list(rows["target"]) == [36, 10]
    assert list(rows["median"].fillna(-1)) == [30.0, -1]  # each reading its own indicator
    assert (table.loc[table["goal"] == "national_hte", "reading"] == AS_WRITTEN).all()
    assert len(table) == sum(len(g.read()) for g in baseline.goals.values())


def test_select_goals_reads_the_named_reading(baseline) -> None:
    assert list(select_goals(baseline, "high_level_teams")) == ["high_level_teams"]
    chosen = select_goals(baseline, "high_level_teams,national_hte", "leading_level")
    assert list(chosen) == ["high_level_teams:leading_level", "national_hte"]
    assert chosen["high_level_teams:leading_level"].target == 10
    assert select_goals(baseline, "high_level_teams", "ten_more") == {
        "high_level_teams": baseline.goals["high_level_teams"].main
    }
    direct = select_goals(baseline, "incubators:with_maker_spaces")
    assert direct["incubators:with_maker_spaces"].indicator == ("incubation_carriers_provincial")
    every = select_goals(baseline, "all", every_reading=True)
    assert "incubators:any_level" in every
    assert all(goal_of(k) == k for k in select_goals(baseline, "all"))
    with pytest.raises(ValueError, match="no chosen goal has a reading 'nope'"):
        select_goals(baseline, "national_hte", "nope")


GOOD_READING = """\
        description: ten teams
        basis: the words
        source: A
        target: 10
        indicator: high_level_teams
"""


@pytest.mark.parametrize(
    ("readings", "where", "message"),
    [
        (
            "      a:\n        description: ten teams\n        basis: the words\n"
            "        target: 10\n        indicator: high_level_teams\n",
            "goals.teams.readings.a",
            "source: Field required",
        ),
        (
            f"      a:\n{GOOD_READING}      b:\n{GOOD_READING}",
            "goals.teams.readings.b",
            "counts what reading 'a' counts",
        ),
        (
            "      a:\n        description: x\n        basis: y\n        source: z\n"
            "        target: 1\n        indicator: no_such_indicator\n",
            "goals.teams.readings.a.indicator",
            "unknown indicator 'no_such_indicator'",
        ),
    ],
    ids=["no-source", "duplicate", "unknown-indicator"],
)
def test_a_bad_reading_is_one_located_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    readings: str,
    where: str,
    message: str,
) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {Path(BASELINE).resolve()}\nname: child\ngoals:\n  teams:\n"
        "    description: teams\n    year: 2020\n    readings:\n" + readings,
        encoding="utf-8",
    )
    code, out, err = cli(["validate", child], capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{child}:"), lines[0]
    assert f": {where}: " in lines[0] or f" {where}" in lines[0], lines[0]
    assert message in lines[0], lines[0]


def test_a_goal_with_readings_and_its_own_target_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {Path(BASELINE).resolve()}\nname: child\ngoals:\n  teams:\n"
        "    description: teams\n    year: 2020\n    target: 3\n    readings:\n      a:\n"
        + GOOD_READING,
        encoding="utf-8",
    )
    code, _, err = cli(["validate", child], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "a goal with readings keeps target in each reading" in err


def test_reading_applies_to_goals_named_by_id_only(baseline) -> None:
    """``--reading`` reads the goals named by their id; a reading named explicitly stays."""
    chosen = select_goals(baseline, "incubators:any_level,high_level_teams", "leading_level")
    assert list(chosen) == ["incubators:any_level", "high_level_teams:leading_level"]


def test_unmodelled_readings_are_not_duplicates_and_as_written_is_reserved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def reading(name: str) -> str:
        return (
            f"      {name}:\n        description: d {name}\n        basis: b\n"
            "        source: s\n        target: 1\n        not_modelled_reason: why\n"
        )

    child = tmp_path / "child.yaml"
    head = f"extends: {Path(BASELINE).resolve()}\nname: child\ngoals:\n  x:\n"
    head += "    description: x\n    year: 2020\n    readings:\n"
    child.write_text(head + reading("a") + reading("b"), encoding="utf-8")
    code, _, err = cli(["validate", child], capsys)
    assert code == 0, err
    child.write_text(head + reading("as_written") + reading("b"), encoding="utf-8")
    code, _, err = cli(["validate", child], capsys)
    assert code == 2 and "'as_written' names a goal read one way" in err
