"""One command at a time per output folder: while one holds the folder's advisory lock, a second
run, comparison or analysis on the same ``--out`` refuses at once (exit 2, one line) and writes
nothing; the lock goes with the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.results import LOCK_NAME, FolderBusy, claim
from tests.helpers import BASELINE, SCENARIOS, run_cli, short_scenario

cli = run_cli


def short(tmp_path: Path) -> Path:
    return short_scenario(tmp_path)


COMMANDS = {
    "run": lambda s, out: ["run", s, "-n", "1", "--no-progress", "--no-plots", "--out", out],
    "compare": lambda s, out: [
        "compare",
        s,
        SCENARIOS / "no_special_fund.yaml",
        "-n",
        "1",
        "--no-progress",
        "--no-plots",
        "--out",
        out,
    ],
    "sweep": lambda s, out: [
        "sweep",
        BASELINE,
        "--space",
        SCENARIOS / "spaces" / "levers.yaml",
        "--design",
        "oat",
        "--levers",
        "arrivals.origins.high_level_team.rate_per_year",
        "-n",
        "1",
        "--no-progress",
        "--no-plots",
        "--out",
        out,
    ],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_second_command_on_a_locked_folder_refuses_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    out = tmp_path / "out"
    argv = COMMANDS[command](short(tmp_path), out)
    with claim(out, "run", "test"):  # another command is writing there
        before = sorted(p.name for p in out.iterdir())
        code, stdout, err = cli(argv, capsys)
        assert code == 2
        assert stdout == ""
        assert err == (
            f"zonesim: error: {out}: another zonesim command is writing there; wait for it "
            "to finish or choose another --out\n"
        )
        assert sorted(p.name for p in out.iterdir()) == before == [LOCK_NAME]
    assert not out.exists()  # the lock made the folder, nothing was written: both gone


def test_the_lock_goes_with_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = cli(COMMANDS["run"](short(tmp_path), out), capsys)
    assert code == 0, err
    assert (out / "trajectories.csv").is_file()
    assert not (out / LOCK_NAME).exists()
    # free again: taken once, a second taker is refused
    with claim(out, "run", "a"), pytest.raises(FolderBusy), claim(out, "run", "b"):
        pass
    assert (out / "trajectories.csv").is_file()  # an existing folder stays
