"""Every problem of a scenario in one pass: the schema's and the cross-checks' together (the
cross-checks run on the scenario without the entries the schema refused, where it is valid
without them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario
from tests.helpers import BASELINE, run_cli


def test_a_typo_and_a_date_outside_the_window_come_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: two\ncarriers:\n  tengyun_park:\n    aera_m2: 5000\n"
        "    expansions:\n      - {date: 2031.5, add_m2: 100}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [p.format() for p in caught.value.problems] == [
        f"{path}:5:5: carriers.tengyun_park.aera_m2: unknown key",
        f"{path}:7:10: carriers.tengyun_park.expansions.0.date: date 2031.5 is outside the "
        "simulated window [2019.0, 2031.0)",
    ]
    code, stdout, err = run_cli(["validate", path], capsys)
    assert code == 2 and stdout == "" and err.count("\n") == 2


def test_a_required_value_refused_leaves_the_schemas_problems_alone(tmp_path: Path) -> None:
    """Without a value that has no default the scenario cannot be checked further: only the
    schema's problem is reported, once."""
    path = tmp_path / "one.yaml"
    path.write_text(
        f"extends: {BASELINE}\ncarriers:\n  tengyun_park:\n    area_m2: -5\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].key == "carriers.tengyun_park.area_m2"
