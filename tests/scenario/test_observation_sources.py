"""The key of an observation file's source codes (``sources``): every figure's code must be in
it, the table carries each figure's title, and the shipped files give a key for every code."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError
from sim.scenario.observations import load_observations, observations_table, source_code
from tests.helpers import SCENARIOS, run_cli


def test_source_code_is_the_first_word_of_the_source() -> None:
    assert source_code("A (2018): 13 national high-tech enterprises") == "A"
    assert source_code("T2017: about 22,000 graduations") == "T2017"
    assert source_code("B(c. 2022)") == "B"
    assert source_code("  JZ: the city's HTE") == "JZ"


@pytest.mark.parametrize(
    "name", ["observations.yaml", "patterns.yaml", "zones/xinxiang_htz/observations.yaml"]
)
def test_shipped_files_give_every_code_a_title(name: str) -> None:
    observations = load_observations(SCENARIOS / name)
    table = observations_table(observations)
    assert observations.sources
    assert (table["source_title"].str.len() > 0).all()
    for source, title in zip(table["source"], table["source_title"], strict=True):
        assert observations.sources[source_code(source)] == title
        # English charts need no Chinese font
        assert not any("\u2e80" <= c <= "\u9fff" for c in title), title


def test_a_figure_whose_code_has_no_title_is_a_located_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "observations.yaml"
    path.write_text(
        "zone: jiaozuo_htz\n"
        "sources:\n"
        "  A: the zone's profile, 2018\n"
        "observations:\n"
        "  - {indicator: national_hte, year: 2018, value: 13, source: 'A (2018): 13'}\n"
        "  - {indicator: tech_smes, year: 2018, value: 85, source: 'Q (2018): 85'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_observations(path)
    (problem,) = caught.value.problems
    assert problem.line == 6
    assert "source code 'Q' is not in sources (A)" in problem.message
    code, out, err = run_cli(["validate", path], capsys)
    assert code == 2 and out == ""
    assert err.strip().startswith(f"{path}:6:")


def test_without_a_key_titles_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "observations.yaml"
    path.write_text(
        "zone: z\nobservations:\n"
        "  - {indicator: national_hte, year: 2018, value: 13, source: 'X: 13'}\n",
        encoding="utf-8",
    )
    table = observations_table(load_observations(path))
    assert table["source_title"].tolist() == [""]
