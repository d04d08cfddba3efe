"""The verdict in plain words (sim.analysis.verdict): the summary written from a goal table of
the baseline's goals, in English and Chinese, on a hand-made table (no simulation)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from sim.analysis.verdict import deciders, goal_names, summary, value_text
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from tests.helpers import BASELINE

CJK = re.compile("[\u4e00-\u9fff]")

DECIDED_BY = "a.b (calibrated, ΔP +0.30); c.d (lever, ΔP +0.10); e.f (assumption, ΔP +0.05)"

COLUMNS = ["goal", "reading", "status", "p_met", "median", "target", "decided_by", "year"]

#: One row per verdict: every group of the summary, a goal whose readings disagree
#: (incubators) and one whose readings agree (high_level_teams).
ROWS = [
    ("national_hte", "as_written", "on track", 0.93, 25.0, 20.0, "", 2020),
    ("tech_smes", "as_written", "uncertain", 0.55, 102.0, 100.0, DECIDED_BY, 2020),
    ("rd_intensity", "as_written", "off track", 0.05, 0.025, 0.028, "", 2020),
    ("incubators", "recognised", "off track", 0.0, 3.0, 6.0, "", 2020),
    ("incubators", "with_maker_spaces", "uncertain", 0.4, 6.0, 6.0, "", 2020),
    ("incubators", "any_level", "determined by inputs", 1.0, 9.0, 6.0, "", 2020),
    ("high_level_teams", "ten_more", "on track", 0.9, 40.0, 36.0, "", 2020),
    ("high_level_teams", "leading_level", "on track", 0.85, 12.0, 10.0, "", 2020),
    ("fiscal_st_share", "as_written", "not modelled: no fiscal data", math.nan, math.nan,
     0.04, "", 2020),
    ("major_achievements", "as_written", "not modelled: no definition", math.nan, math.nan,
     10.0, "", 2020),
]  # fmt: skip


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(BASELINE)


def goals(rows: list[tuple] = ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def line(lines: list[str], start: str) -> str:
    """The one line of the summary that starts with ``start``."""
    found = [text for text in lines if text.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def test_the_table_uses_the_scenarios_goals_and_readings(scenario: Scenario) -> None:
    """The hand-made table stands for a real one: its goals and readings are the baseline's."""
    for goal, reading, *_ in ROWS:
        assert reading in scenario.goals[goal].read(), (goal, reading)
    assert set(scenario.goals["incubators"].read()) == {
        "recognised",
        "with_maker_spaces",
        "any_level",
    }


def test_the_first_line_names_the_scenario_the_goals_and_the_replications(
    scenario: Scenario,
) -> None:
    lines = summary(goals(), scenario, 200, "en")
    assert lines[0] == (
        f"{scenario.name}: 7 goals for 2020 (10 verdicts, one per reading), 200 replications."
    )
    assert scenario.name == "baseline"


def test_each_group_has_its_line(scenario: Scenario) -> None:
    lines = summary(goals(), scenario, 200, "en")
    assert line(lines, "On track: ") == (
        "On track: national_hte (P 0.93), high_level_teams (ten more) (P 0.90), "
        "high_level_teams (leading level) (P 0.85)."
    )
    assert line(lines, "Met or missed by the inputs alone: ") == (
        "Met or missed by the inputs alone: incubators (any level) (met)."
    )
    assert line(lines, "Not modelled (2): ") == (
        "Not modelled (2): fiscal_st_share, major_achievements."
    )
    assert len(lines) == 7  # the first line, five groups and the reading split


def test_an_uncertain_goal_shows_the_first_two_deciders(scenario: Scenario) -> None:
    uncertain = line(summary(goals(), scenario, 200, "en"), "Uncertain: ")
    assert "tech_smes (P 0.55; decided by a.b, c.d)" in uncertain
    assert "e.f" not in uncertain and "ΔP" not in uncertain
    # without a screening, just its P
    assert "incubators (with maker spaces) (P 0.40)" in uncertain


def test_an_off_track_goal_shows_its_median_against_its_target(scenario: Scenario) -> None:
    off = line(summary(goals(), scenario, 200, "en"), "Out of reach on present course: ")
    assert "rd_intensity (median 2.5 % against 2.8 %; P 0.05)" in off
    assert "incubators (recognised) (median 3 against 6; P 0.00)" in off


def test_goals_whose_readings_disagree_are_named(scenario: Scenario) -> None:
    """incubators is off track, uncertain or settled by the inputs depending on the reading;
    high_level_teams is on track whichever way it is read."""
    lines = summary(goals(), scenario, 200, "en")
    split = line(lines, "The verdict depends on how the source is read for ")
    assert split == (
        "The verdict depends on how the source is read for incubators: see the readings."
    )
    assert "high_level_teams" not in split
    # when the readings agree, there is no such line
    agreeing = [row for row in ROWS if row[0] != "incubators"]
    assert not any("depends on how" in text for text in summary(goals(agreeing), scenario, 200))


def test_groups_without_goals_have_no_line(scenario: Scenario) -> None:
    on_track = [row for row in ROWS if row[2] == "on track"]
    lines = summary(goals(on_track), scenario, 50, "en")
    assert lines == [
        f"{scenario.name}: 2 goals for 2020 (3 verdicts, one per reading), 50 replications.",
        "On track: national_hte (P 0.93), high_level_teams (ten more) (P 0.90), "
        "high_level_teams (leading level) (P 0.85).",
    ]


def test_a_goal_without_a_simulated_value_counts_as_not_modelled(scenario: Scenario) -> None:
    rows = [("tech_centers", "as_written", "no simulated value", 0.0, math.nan, 80.0, "", 2020)]
    lines = summary(goals(rows), scenario, 10, "en")
    assert lines[1:] == ["Not modelled (1): tech_centers."]


def test_the_summary_in_chinese(scenario: Scenario) -> None:
    """Every line in Chinese; goals named by the indicators' Chinese names, a goal not modelled
    by the source's own words; no English status word left."""
    lines = summary(goals(), scenario, 200, "zh")
    assert len(lines) == 7
    for text in lines:
        assert CJK.search(text), text
    text = "\n".join(lines)
    assert lines[0] == f"{scenario.name}：2020年目标7项（按不同解读共10个判断），200次重复模拟。"
    assert line(lines, "有望实现：").startswith("有望实现：国家高新技术企业（概率0.93）、")
    assert "科技型中小企业（概率0.55；决定因素：a.b, c.d）" in line(lines, "不确定：")
    assert "全社会研发投入占地区生产总值比重（中位数2.5 %，目标2.8 %；概率0.05）" in text
    not_modelled = line(lines, "未建模（2项）：")
    assert scenario.goals["fiscal_st_share"].words in not_modelled
    assert scenario.goals["major_achievements"].words in not_modelled
    assert f"“{scenario.goals['incubators'].words}”的结论取决于对原文的解读" in text
    for word in ("on track", "uncertain", "off track", "not modelled"):
        assert word not in text.lower(), word


def test_goal_names(scenario: Scenario) -> None:
    english = goal_names(scenario, "en")
    chinese = goal_names(scenario, "zh")
    readings = {(g, r) for g, goal in scenario.goals.items() for r in goal.read()}
    assert set(english) == set(chinese) == readings
    assert english[("national_hte", "as_written")] == "national_hte"
    assert english[("incubators", "with_maker_spaces")] == "incubators (with maker spaces)"
    assert chinese[("national_hte", "as_written")] == "国家高新技术企业"
    assert chinese[("incubators", "recognised")] == "省级以上科技企业孵化器"
    words = scenario.goals["fiscal_st_share"].words
    assert words and chinese[("fiscal_st_share", "as_written")] == words
    assert all(CJK.search(name) for name in chinese.values())


def test_deciders_keep_the_first_names_without_their_effect() -> None:
    assert deciders(DECIDED_BY) == "a.b, c.d"
    assert deciders(DECIDED_BY, most=3) == "a.b, c.d, e.f"
    assert deciders("a.b (lever, ΔP +0.30)") == "a.b"
    assert deciders("none of the screened parameters") == ""
    for nothing in ("", None, math.nan, 0.3):
        assert deciders(nothing) == ""


def test_value_text_shows_shares_in_per_cent_and_counts_whole() -> None:
    assert value_text(0.025, "rd_intensity") == "2.5 %"
    assert value_text(0.028, "rd_intensity") == "2.8 %"
    assert value_text(0.3, "invention_patent_share") == "30 %"
    assert value_text(25.0, "national_hte") == "25"
    assert value_text(1234.4, "patents_granted_per_year") == "1,234"
    assert value_text(12.34, "invention_patents_per_10k") == "12.3"
    assert value_text(math.nan, "national_hte") == "–"
    assert value_text(0.5, None) == "0.5"


def test_an_off_track_goal_says_what_moves_it_most(scenario: Scenario) -> None:
    """With a screening, an out-of-reach goal names the levers and assumptions that move it
    most (what it would take), in both languages."""
    rows = [list(row) for row in ROWS]
    rows[3][6] = "platforms.incubators.births_per_carrier_per_year (calibrated, ΔP +0.17)"
    table = goals([tuple(row) for row in rows])
    off = line(summary(table, scenario, 200, "en"), "Out of reach on present course: ")
    assert (
        "incubators (recognised) (median 3 against 6; P 0.00; moved most by "
        "platforms.incubators.births_per_carrier_per_year)"
    ) in off
    assert "rd_intensity (median 2.5 % against 2.8 %; P 0.05)" in off  # no screening line
    chinese = line(summary(table, scenario, 200, "zh"), "按现状难以实现：")
    assert "影响最大的是platforms.incubators.births_per_carrier_per_year" in chinese
