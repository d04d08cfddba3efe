"""What every analysis checks before it writes: the event guard at the bounds of its space
(each lever alone at each bound, and all at once), so that a bound of 10⁹ arrivals a year is
refused at once (exit 2, one line, no folder) instead of exhausting the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiment.runner import TooManyEvents
from sim.scenario import load_scenario_with_tree
from sim.scenario.space import load_space
from sim.studies.common import check_space_events
from tests.helpers import BASELINE, run_cli

RATE = "arrivals.origins.high_level_team.rate_per_year"


def space_file(tmp_path: Path, high: float) -> Path:
    path = tmp_path / "levers.yaml"
    path.write_text(
        "parameters:\n"
        f"  {RATE}:\n    kind: lever\n    low: 1.2\n    high: {high}\n"
        "    cost_per_unit_yuan: 480000\n"
        "  certification.hte.cultivation.firms_per_year:\n"
        "    kind: lever\n    low: 0\n    high: 30\n    integer: true\n"
        "    cost_per_unit_yuan: 600000\n",
        encoding="utf-8",
    )
    return path


def test_the_guard_names_the_setting_at_the_bound(tmp_path: Path) -> None:
    scenario, tree = load_scenario_with_tree(BASELINE)
    space = load_space(space_file(tmp_path, 1e9), tree, kind="lever")
    with pytest.raises(TooManyEvents, match=rf"at {RATE}=1e\+09.*events per replication"):
        check_space_events(scenario, space)
    check_space_events(scenario, load_space(space_file(tmp_path, 8.0), tree, kind="lever"))


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", "--samples", "2"],
        ["sweep", "--design", "oat"],
        ["tune", "--trials", "2"],
        ["sensitivity", "--output", "national_hte@2020", "--samples", "2"],
    ],
    ids=["sweep", "oat", "tune", "sensitivity"],
)
def test_each_analysis_refuses_an_absurd_bound_before_it_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    out = tmp_path / "out"
    argv = [command[0], BASELINE, "--space", space_file(tmp_path, 1e9), *command[1:]]
    code, stdout, err = run_cli([*argv, "-n", "1", "--no-progress", "--out", out], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "events per replication expected" in err
    assert stdout == "" and not out.exists()
