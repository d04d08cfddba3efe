"""Held-out files (sim.scenario.holdout): the shipped file loads; every bad input is exit 2 and
one located line through ``validate``; the observation loader, and so every command reading
observations, refuses a held-out file; a file of another zone is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.scenario import load_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.holdout import HOLDOUT_COLUMNS, holdout_table, load_holdout
from sim.scenario.observations import load_observations
from tests.helpers import BASELINE, SCENARIOS, run_cli, short_scenario

cli = run_cli
HOLDOUT = SCENARIOS / "holdout.yaml"
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>\S+): (?P<msg>.+)$")

GOOD = "{indicator: national_hte, year: 2024, geography: zone, value: 5, words: w, source: s}"


def held_out_file(folder: Path, *items: str, zone: str = "jiaozuo_htz") -> Path:
    """A held-out file of ``zone`` with one figure per item (flow mappings), from line 3."""
    path = folder / "holdout.yaml"
    body = "".join(f"  - {item}\n" for item in items)
    path.write_text(f"zone: {zone}\nheld_out:\n{body}", encoding="utf-8")
    return path


def test_the_shipped_file_loads_with_its_words_and_geographies() -> None:
    held = load_holdout(HOLDOUT, load_scenario(BASELINE))
    assert held.zone == "jiaozuo_htz"
    table = holdout_table(held)
    assert list(table.columns) == HOLDOUT_COLUMNS
    assert len(table) == 8
    assert table["words"].str.len().min() > 0
    bounds = table[table["geography"] == "city_bound"]
    assert len(bounds) == 5
    assert (bounds["low"] == 0).all() and (bounds["high"] == bounds["value"]).all()
    smes = table[table["indicator"] == "tech_smes"].iloc[0]
    assert (smes.year, smes.high) == (2024, 779)
    assert smes.words == "国家科技型中小企业备案入库779家,总数再创新高"
    # figures that calibration uses are not held out (the city's 520 HTE and 114 centres)
    assert "national_hte" not in set(table["indicator"])
    zone = table[table["geography"] == "zone"].set_index("indicator")
    assert tuple(zone.loc["tech_centers_provincial", ["year", "low", "high"]]) == (2021, 30, 34)
    assert tuple(zone.loc["revenue_incubated_yuan", ["year", "low", "high"]]) == (
        2021,
        1.8e9,
        5.0e9,
    )


def test_validate_recognises_a_held_out_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["validate", HOLDOUT], capsys)
    assert code == 0, err
    assert out == f"ok: {HOLDOUT}: 8 held-out figures\n"


# Each case: the figures of the file, and the one expected problem (line, col, key, message).
BAD = {
    "unknown indicator": (
        [
            GOOD,
            "{indicator: no_such_thing, year: 2024, geography: zone, value: 5, words: w, "
            "source: s}",
        ],
        (4, 6, "held_out.1.indicator", "unknown indicator 'no_such_thing'"),
    ),
    "unknown indicator with a part": (
        ["{indicator: nope.park, year: 2024, geography: zone, value: 5, words: w, source: s}"],
        (3, 6, "held_out.0.indicator", "unknown indicator 'nope.park'"),
    ),
    "figure twice": (
        [GOOD, GOOD.replace("value: 5", "value: 6")],
        (4, 5, "held_out.1", "duplicate figure: national_hte 2024 is held_out.0 already"),
    ),
    "no words": (
        ["{indicator: national_hte, year: 2024, geography: zone, value: 5, source: s}"],
        (3, 5, "held_out.0.words", "Field required"),
    ),
    "empty words": (
        [GOOD.replace("words: w", "words: ''")],
        (3, 70, "held_out.0.words", "at least 1 character"),
    ),
    "no geography": (
        ["{indicator: national_hte, year: 2024, value: 5, words: w, source: s}"],
        (3, 5, "held_out.0.geography", "Field required"),
    ),
    "another geography": (
        [GOOD.replace("geography: zone", "geography: province")],
        (3, 43, "held_out.0.geography", "Input should be 'zone' or 'city_bound'"),
    ),
    "city bound above 0": (
        [
            GOOD.replace(
                "geography: zone, value: 5", "geography: city_bound, value: 5, low: 1, high: 5"
            )
        ],
        (3, 5, "held_out.0", "need low: 0 and high equal to value"),
    ),
    "city bound not at the city figure": (
        [
            GOOD.replace(
                "geography: zone, value: 5", "geography: city_bound, value: 5, low: 0, high: 6"
            )
        ],
        (3, 5, "held_out.0", "need low: 0 and high equal to value"),
    ),
    "city bound without its range": (
        [GOOD.replace("geography: zone", "geography: city_bound")],
        (3, 5, "held_out.0", "need low: 0 and high equal to value"),
    ),
    "calibration tolerance": (
        [GOOD.replace("source: s", "source: s, tolerance: 0.1")],
        (3, 91, "held_out.0.tolerance", "unknown key"),
    ),
}


@pytest.mark.parametrize(("items", "expected"), BAD.values(), ids=BAD.keys())
def test_a_bad_held_out_file_is_one_located_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    items: list[str],
    expected: tuple[int, int, str, str],
) -> None:
    path = held_out_file(tmp_path, *items)
    code, out, err = cli(["validate", path], capsys)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    match = PROBLEM_LINE.match(line)
    assert match, line
    at = (int(match["line"]), int(match["col"]), match["key"])
    assert (match["file"], *at) == (str(path), *expected[:3]), line
    assert expected[3] in match["msg"], line


def test_the_observation_loader_refuses_a_held_out_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_observations(HOLDOUT)
    found = {(p.key, p.message) for p in caught.value.problems}
    assert ("held_out", "unknown key") in found
    assert ("observations", "Field required") in found
    # and so does a run given it as observed figures: exit 2, located lines, nothing written
    out = tmp_path / "out"
    code, stdout, err = cli(
        ["run", short_scenario(tmp_path), "--observations", HOLDOUT, "-n", "1", "--out", out],
        capsys,
    )
    assert code == 2 and stdout == ""
    lines = err.splitlines()
    assert lines and all(PROBLEM_LINE.match(line) for line in lines), err
    assert any(line.startswith(f"{HOLDOUT}:") and "held_out: unknown key" in line for line in lines)
    assert not out.exists()


def test_a_held_out_file_of_another_zone_is_refused(tmp_path: Path) -> None:
    path = held_out_file(tmp_path, GOOD, zone="xinxiang_htz")
    assert load_holdout(path).zone == "xinxiang_htz"  # on its own it is valid
    with pytest.raises(ScenarioError) as caught:
        load_holdout(path, load_scenario(BASELINE))
    (problem,) = caught.value.problems
    assert (problem.line, problem.col, problem.key) == (1, 1, "zone")
    assert "figures of zone 'xinxiang_htz', but scenario 'baseline' is of zone" in problem.message


def test_figures_of_one_indicator_and_year_over_other_spans_are_not_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summed = GOOD.replace("indicator: national_hte", "indicator: hte_certified").replace(
        "year: 2024", "year: 2024, to_year: 2025, aggregate: sum"
    )
    single = summed.replace(", to_year: 2025, aggregate: sum", "")
    path = held_out_file(tmp_path, summed, single)
    code, out, err = cli(["validate", path], capsys)
    assert code == 0, err
    assert out == f"ok: {path}: 2 held-out figures\n"
