"""Resumable ``run``: finished replications are stored in ``OUT/units`` as they complete, a run
killed part-way resumes with ``--resume`` to the same results as an uninterrupted one, changed
work is refused, torn units are recomputed, and a full or read-only results folder keeps the
earlier results."""

from __future__ import annotations

import errno
import json
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiment import runner as runner_module
from sim.experiment.runner import (
    open_run_units,
    run_replications,
    stored_replications,
    unit_path,
)
from sim.results import MARKER
from sim.results import folder as folder_module
from sim.scenario import load_scenario
from sim.studies import run_scenario
from tests.helpers import BASELINE, ROOT

TABLES = ("trajectories.csv", "goals.csv", "survival.csv")


def scenario_file(folder: Path, end_year: int = 2022, name: str = "short.yaml") -> Path:
    """The baseline cut to 2018-``end_year`` (its tranche dates all lie before 2023)."""
    path = folder / name
    path.write_text(
        f"extends: {BASELINE}\nname: short\nhorizon: {{end_year: {end_year}}}\n", encoding="utf-8"
    )
    return path


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def run_args(scenario: Path, out: Path, n: int, seed: int, *extra: str) -> list[str]:
    return [
        "run",
        str(scenario),
        "-n",
        str(n),
        "-w",
        "1",
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--no-plots",
        "--no-progress",
        *extra,
    ]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def short(tmp_path: Path) -> Path:
    return scenario_file(tmp_path)


# ----------------------------------------------------------------------------- (a) SIGKILL
def test_a_run_killed_part_way_resumes_to_identical_results(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed, whole = tmp_path / "a", tmp_path / "b"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), *run_args(short, killed, 12, 3)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while not list((killed / "units").glob("rep-*.json")):
            assert process.poll() is None, "the run ended before storing a replication"
            assert time.monotonic() < deadline, "no replication stored within 60 s"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (killed / "trajectories.csv").exists(), "killed after the run had finished"
    assert 1 <= len(list((killed / "units").glob("rep-*.json"))) < 12

    code, out, err = cli(run_args(short, killed, 12, 3, "--resume"), capsys)
    assert code == 0, err
    reused = re.search(r"SimPy events; (\d+) reused from (\S+); wrote ", out)
    assert reused, out
    assert 1 <= int(reused.group(1)) < 12
    assert reused.group(2) == str(killed / "units")
    assert not (killed / "units").exists()  # deleted once the tables are written

    code, out, err = cli(run_args(short, whole, 12, 3), capsys)
    assert code == 0, err
    assert "reused" not in out
    for name in TABLES:
        assert (killed / name).read_bytes() == (whole / name).read_bytes(), name


# ----------------------------------------------------------------------------- (b) mismatch
@pytest.mark.parametrize("change", ["seed", "scenario", "firm-records"])
def test_resume_of_other_work_is_refused(
    change: str, short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run_scenario(short, replications=2, seed=3, units_dir=out / "units")
    before = snapshot(out)
    assert sorted(before) == [
        "units/hashes.jsonl",
        "units/manifest.json",
        "units/rep-000000.json",
        "units/rep-000001.json",
    ]
    scenario, seed, extra = short, 3, ["--resume"]
    if change == "seed":
        seed = 4
    elif change == "scenario":
        scenario = scenario_file(tmp_path, end_year=2023, name="longer.yaml")
    else:
        extra.append("--firm-records")
    code, stdout, err = cli(run_args(scenario, out, 2, seed, *extra), capsys)
    assert code == 2
    assert stdout == ""
    changed = {"seed": "root_seed", "scenario": "scenario_sha256", "firm-records": "firm_records"}
    assert err.startswith(f"zonesim: error: {out}: cannot resume: {changed[change]} changed")
    assert err.count("\n") == 1
    assert snapshot(out) == before  # nothing written, nothing discarded


def test_api_resume_needs_a_units_folder(short: Path) -> None:
    with pytest.raises(ValueError, match="units_dir"):
        run_scenario(short, replications=1, resume=True)


# ----------------------------------------------------------------------------- (c) torn units
def test_torn_units_are_recomputed_and_more_replications_run_only_the_missing(
    short: Path, tmp_path: Path
) -> None:
    scenario = load_scenario(short)
    folder = tmp_path / "units"
    first = open_run_units(folder, scenario, 5, False, resume=False)
    run_replications(scenario, 3, 5, store=first)
    assert stored_replications(first) == [0, 1, 2]
    torn = unit_path(first, 1)
    torn.write_bytes(torn.read_bytes()[: torn.stat().st_size // 2])
    (folder / ".rep-000002.json.left-by-a-kill").write_bytes(b"\x80")  # a write cut short

    resumed = open_run_units(folder, scenario, 5, False, resume=True)
    done: list[int] = []
    again = run_replications(scenario, 5, 5, workers=2, store=resumed, progress=done.append)
    assert again.reused == 2  # replications 0 and 2; 1 was torn, 3 and 4 are new
    assert resumed.computed == 3
    assert done[0] == 2 and sum(done) == 5
    assert sorted(p.name for p in folder.iterdir()) == [
        "hashes.jsonl",
        "manifest.json",
        *(f"rep-{i:06d}.json" for i in range(5)),
    ]

    fresh = run_replications(scenario, 5, 5)
    for table in ("trajectories", "totals", "spells"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(fresh, table))
        assert getattr(again, table).to_csv(index=False) == getattr(fresh, table).to_csv(
            index=False
        )
    assert again.events == fresh.events and fresh.reused == 0


# ----------------------------------------------------------------------------- (d) full disk
@pytest.mark.parametrize("failing", ["trajectories.csv", "manifest.json"])
def test_a_full_folder_keeps_the_earlier_results(
    failing: str,
    short: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The disk fills while the second run writes its tables (first or last): the first run's
    files are unchanged, and the second run's replications are kept for ``--resume``."""
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, 2, 3), capsys)
    assert code == 0, err
    before = snapshot(out)
    real = folder_module.write_new

    def full(path: Path, data: bytes) -> None:
        # staged files are numbered in the order the run writes them: trajectories.csv
        # first, manifest.json (its first key "scenario") last
        first = failing == "trajectories.csv" and path.name == "0"
        last = failing == "manifest.json" and data.startswith(b'{\n  "scenario":')
        if first or last:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(folder_module, "write_new", full)
    code, stdout, err = cli(run_args(short, out, 2, 4), capsys)
    assert code == 1
    assert err.startswith(f"zonesim: error: OSError: [Errno {errno.ENOSPC}] No space left")
    assert f"the files there are unchanged); the 2 finished replications are kept in {out}" in err
    assert err.count("\n") == 1
    assert "--resume" in err
    after = snapshot(out)
    units = {name: data for name, data in after.items() if name.startswith("units/")}
    kept = {name: data for name, data in after.items() if name not in units}
    assert {n: d for n, d in kept.items() if n != MARKER} == {
        n: d for n, d in before.items() if n != MARKER
    }
    assert sorted(units) == [
        "units/hashes.jsonl",
        "units/manifest.json",
        "units/rep-000000.json",
        "units/rep-000001.json",
    ]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [MARKER]

    monkeypatch.setattr(folder_module, "write_new", real)
    code, stdout, err = cli(run_args(short, out, 2, 4, "--resume"), capsys)
    assert code == 0, err
    assert "; 2 reused from" in stdout
    assert (out / "trajectories.csv").read_bytes() != before["trajectories.csv"]  # seed 4 now


# ----------------------------------------------------------------------------- (e) read-only
def ignores_permissions(folder: Path) -> bool:
    """Whether this process writes into a read-only folder anyway (root, with the
    CAP_DAC_OVERRIDE capability)."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "file").touch()
    except PermissionError:
        return False
    finally:
        probe.chmod(0o755)
    return True


@pytest.mark.parametrize("resume", [False, True])
def test_a_read_only_folder_exits_2_and_keeps_its_files(
    resume: bool, short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if ignores_permissions(tmp_path):
        pytest.skip("root ignores folder permissions")
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, 1, 3), capsys)
    assert code == 0, err
    before = snapshot(out)
    out.chmod(0o555)
    try:
        code, stdout, err = cli(
            run_args(short, out, 1, 4, *(["--resume"] if resume else [])), capsys
        )
    finally:
        out.chmod(0o755)
    assert code == 2
    assert stdout == ""
    assert err.startswith(f"zonesim: error: {out}: cannot write results there (")
    assert snapshot(out) == before


def test_the_interrupted_run_says_how_to_resume(
    short: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C after the first replication: exit 130, the replication is kept, and the message
    says so."""
    real = runner_module.save_unit

    def save_then_interrupt(store, replication, output) -> None:
        real(store, replication, output)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner_module, "save_unit", save_then_interrupt)
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, 3, 3), capsys)
    assert code == 130
    assert err.splitlines() == [
        f"zonesim: 1 finished replication is kept in {out / 'units'}; rerun the same command "
        "with --resume to run only the others",
        "zonesim: interrupted",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["units"]


# ----------------------------------------------------------------------------- (e) hostile units
def test_a_planted_unit_cannot_run_code_and_is_recomputed(short: Path, tmp_path: Path) -> None:
    """Units are JSON data: a pickle planted under a unit's name is not unpickled (its payload
    would create a file), and a unit of another run or of the wrong shape is discarded and its
    replication run again, to the same tables as a clean run."""
    scenario = load_scenario(short)
    folder = tmp_path / "units"
    first = open_run_units(folder, scenario, 5, False, resume=False)
    run_replications(scenario, 3, 5, store=first)
    marker = tmp_path / "PWNED"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    unit_path(first, 0).write_bytes(pickle.dumps(Payload()))  # a pickle where JSON belongs
    other = unit_path(first, 1)  # a unit of another run: same shape, other run id
    other.write_text(other.read_text(encoding="utf-8").replace(first.run_id, "f" * 32))
    wrong_shape = {"run": first.run_id, "replication": 2, "output": []}
    unit_path(first, 2).write_text(json.dumps(wrong_shape))
    (folder / "rep-000003.pkl").write_bytes(pickle.dumps(Payload()))  # old-style name: ignored

    resumed = open_run_units(folder, scenario, 5, False, resume=True)
    assert resumed.run_id == first.run_id
    again = run_replications(scenario, 3, 5, store=resumed)
    assert not marker.exists()
    assert again.reused == 0 and resumed.computed == 3
    fresh = run_replications(scenario, 3, 5)
    assert again.trajectories.to_csv(index=False) == fresh.trajectories.to_csv(index=False)


def test_units_of_two_runs_on_one_folder_are_not_mixed(short: Path, tmp_path: Path) -> None:
    """A second run (not resuming) on the same folder starts a new run id: units the first run
    still writes there afterwards are not reused by a resume of the second."""
    scenario = load_scenario(short)
    folder = tmp_path / "units"
    first = open_run_units(folder, scenario, 5, False, resume=False)
    second = open_run_units(folder, scenario, 5, False, resume=False)
    assert second.run_id != first.run_id
    run_replications(scenario, 2, 5, store=first)  # the first run goes on writing its units
    resumed = open_run_units(folder, scenario, 5, False, resume=True)
    assert resumed.run_id == second.run_id
    again = run_replications(scenario, 2, 5, store=resumed)
    assert again.reused == 0  # the first run's units are not the second's
