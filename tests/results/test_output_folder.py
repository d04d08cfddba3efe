"""The output folder's rules (sim.results.folder): a command writes and deletes only its own
files, refuses a folder of another kind, a user's file under one of its names, a ``units``
folder it did not make, a planted marker and any path that leaves the folder; its outputs are
replaced whole, so nothing stale survives. Each case: exit 2 and one line, or a clean run; the
user's files and everything outside the folder untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sim.results import MARKER, FolderError, OutputFolder, claim, read_marker
from tests.helpers import BASELINE, SCENARIOS, run_cli, short_scenario

cli = run_cli


@pytest.fixture
def short(tmp_path: Path) -> Path:
    return short_scenario(tmp_path)


def run_args(scenario: Path, out: Path, *extra: str) -> list[object]:
    return ["run", scenario, "-n", "1", "-w", "1", "--no-progress", "--out", out, *extra]


def compare_args(scenario: Path, out: Path) -> list[object]:
    other = SCENARIOS / "no_special_fund.yaml"
    return ["compare", scenario, other, "-n", "1", "-w", "1", "--no-progress", "--no-plots",
            "--out", out]  # fmt: skip


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) and its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def refused(code: int, err: str, *parts: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("zonesim: error: "), err
    assert "Traceback" not in err
    for part in parts:
        assert part in err, err


# ----------------------------------------------------------------------------- the marker
def test_a_run_marks_its_folder_with_its_kind_command_and_files(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    assert code == 0, err
    marker = read_marker(out)
    assert marker is not None and marker.kind == "run"
    assert marker.command.startswith("zonesim run ")
    on_disk = {name for name in tree(out) if not name.startswith(".")}
    assert set(marker.files) == on_disk
    for name, digest in marker.files.items():
        import hashlib

        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


# ----------------------------------------------------------------------------- user files
@pytest.mark.parametrize("name", ["goals.csv", "trajectories.csv", "plots/funnel.png"])
def test_a_users_file_under_a_tool_name_is_refused_before_running(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / "out"
    (out / name).parent.mkdir(parents=True)
    (out / name).write_text("mine", encoding="utf-8")
    before = tree(tmp_path)
    code, stdout, err = cli(run_args(short, out), capsys)
    refused(code, err, str(out / name), "does not list it")
    assert stdout == ""
    assert tree(tmp_path) == before


def test_other_user_files_stay_through_runs(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "mine.txt").write_text("mine", encoding="utf-8")
    (out / "mine.csv").write_text("a,b\n", encoding="utf-8")
    for extra in (["--firm-records"], []):
        code, _, err = cli(run_args(short, out, "--no-plots", *extra), capsys)
        assert code == 0, err
        assert (out / "notes" / "mine.txt").read_text(encoding="utf-8") == "mine"
        assert (out / "mine.csv").read_text(encoding="utf-8") == "a,b\n"


def test_a_users_units_folder_is_refused_and_kept(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "units").mkdir(parents=True)
    (out / "units" / "thesis.tex").write_text("chapter 1", encoding="utf-8")
    before = tree(tmp_path)
    code, _, err = cli(run_args(short, out), capsys)
    refused(code, err, str(out / "units"), "not made by zonesim")
    assert tree(tmp_path) == before


def test_the_units_folder_goes_but_a_users_file_in_it_stays(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user drops a file into the units folder while the run runs (simulated: after a
    first run is interrupted and resumed): the tool removes only its own units."""
    out = tmp_path / "out"
    from sim.experiment.runner import open_run_units
    from sim.scenario import load_scenario

    store = open_run_units(out / "units", load_scenario(short), 2018, False, resume=False)
    (store.folder / "mine.txt").write_text("mine", encoding="utf-8")
    code, _, err = cli(run_args(short, out, "--no-plots", "--resume"), capsys)
    assert code == 0, err
    assert sorted(p.name for p in (out / "units").iterdir()) == ["mine.txt"]


# ----------------------------------------------------------------------------- kinds
def test_a_comparison_into_a_run_folder_is_refused(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    assert code == 0, err
    before = tree(tmp_path)
    code, _, err = cli(compare_args(short, out), capsys)
    refused(code, err, "holds a run folder", "writes a comparison folder")
    assert tree(tmp_path) == before


def test_a_run_into_a_comparison_folder_is_refused(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = cli(compare_args(short, out), capsys)
    assert code == 0, err
    before = tree(tmp_path)
    code, _, err = cli(run_args(short, out), capsys)
    refused(code, err, "holds a comparison folder", "writes a run folder")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("command", ["plot", "report"])
def test_plot_and_report_need_a_zonesim_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "trajectories.csv").write_text("replication,year,indicator,value\n", "utf-8")
    before = tree(tmp_path)
    code, _, err = cli([command, out], capsys)
    refused(code, err, "not a zonesim results folder")
    assert tree(tmp_path) == before


# ----------------------------------------------------------------------------- nothing stale
def test_a_second_run_replaces_the_first_whole(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """firms.csv, the plots and the report of a first run do not survive a second run that
    writes none of them."""
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, "--firm-records"), capsys)
    assert code == 0, err
    code, _, err = cli(["report", out], capsys)
    assert code == 0, err
    assert (out / "firms.csv").is_file() and (out / "report.html").is_file()
    assert any((out / "plots").iterdir())
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    assert code == 0, err
    assert not (out / "firms.csv").exists()
    assert not (out / "report.html").exists()
    assert not (out / "plots").exists()
    assert set(read_marker(out).files) == {n for n in tree(out) if not n.startswith(".")}


# ----------------------------------------------------------------------------- planted input
@pytest.mark.parametrize(
    "marker",
    [
        {"kind": "run", "command": "x", "files": {"../victim.txt": "0" * 64}},
        {"kind": "run", "command": "x", "files": {"/etc/passwd": "0" * 64}},
        {"kind": "run", "command": "x", "files": {"mine.txt": "0" * 64}},  # not a run's file
        {"kind": "evil", "command": "x", "files": {}},
        {"kind": "run", "command": 1, "files": {}},
        {"kind": "run", "command": "x", "files": ["goals.csv"]},
        "not an object",
    ],
    ids=["parent", "absolute", "foreign-name", "kind", "command", "files", "type"],
)
def test_a_planted_marker_is_refused_and_deletes_nothing(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], marker: object
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "victim.txt").write_text("keep", encoding="utf-8")
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    before = tree(tmp_path)
    code, _, err = cli(run_args(short, out), capsys)
    refused(code, err, "not a zonesim folder marker")
    assert tree(tmp_path) == before


def test_a_plots_link_out_of_the_folder_is_refused_before_running(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "plots").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = cli(run_args(short, out), capsys)
    refused(code, err, str(out / "plots"), "is not a folder zonesim made")
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["plots"]


# ----------------------------------------------------------------------------- the writer
def test_the_writer_refuses_names_outside_its_kind_and_outside_the_folder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    with claim(out, "run", "test") as folder:
        assert isinstance(folder, OutputFolder)
        with pytest.raises(ValueError, match="not a file of a run folder"):
            folder.replace({"notes.txt": "x"})
        for name in ("../goals.csv", "/tmp/goals.csv", "plots/../../x.png", ".zonesim.json"):
            with pytest.raises((FolderError, ValueError)):
                folder.replace({name: "x"})
        written = folder.replace({"goals.csv": "a\n"})
    assert written == [out / "goals.csv"]
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert read_marker(out).files.keys() == {"goals.csv"}


# ----------------------------------------------------------------------------- describe --out
def test_describe_replaces_only_its_own_file(tmp_path: Path, capsys) -> None:
    """``describe --out`` rewrites a file it wrote, and refuses to overwrite anything else
    (a scenario given by mistake)."""
    victim = tmp_path / "scenario.yaml"
    victim.write_bytes(BASELINE.read_bytes())
    code, _, err = cli(["describe", BASELINE, "--format", "csv", "--out", victim], capsys)
    refused(code, err, str(victim), "not written by zonesim describe")
    assert victim.read_bytes() == BASELINE.read_bytes()
    mine = tmp_path / "parameters.md"
    for _ in range(2):
        code, _, err = cli(["describe", BASELINE, "--format", "markdown", "--out", mine], capsys)
        assert code == 0, err
    assert mine.read_text(encoding="utf-8").startswith("# Parameters of scenario 'baseline'")


# ----------------------------------------------------------------------------- changed files
def test_a_planted_marker_cannot_get_a_users_file_deleted(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The marker lists the user's firms.csv under a made-up hash: the file is not the
    tool's (its content does not match), so nothing runs and it stays."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "firms.csv").write_text("my notes", encoding="utf-8")
    marker = {"kind": "run", "command": "x", "files": {"firms.csv": "deadbeef"}}
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    refused(code, err, str(out / "firms.csv"), "changed since zonesim wrote it")
    assert (out / "firms.csv").read_text(encoding="utf-8") == "my notes"


def test_an_edited_result_is_not_overwritten(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    assert code == 0, err
    (out / "goals.csv").write_text("edited by hand", encoding="utf-8")
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    refused(code, err, str(out / "goals.csv"), "changed since zonesim wrote it")
    assert (out / "goals.csv").read_text(encoding="utf-8") == "edited by hand"


# ----------------------------------------------------------------------------- links
@pytest.mark.parametrize("entry", [".zonesim.lock", "units", ".zonesim.json"])
def test_a_link_in_place_of_the_tools_own_entries_is_refused(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    (out / entry).symlink_to(outside)
    code, stdout, err = cli(run_args(short, out), capsys)
    refused(code, err, str(out / entry))
    assert stdout == "" and not outside.exists()


def test_a_linked_unit_index_is_refused_on_resume(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.experiment.runner import open_run_units
    from sim.scenario import load_scenario

    out, outside = tmp_path / "out", tmp_path / "outside.txt"
    outside.write_text("keep\n", encoding="utf-8")
    store = open_run_units(out / "units", load_scenario(short), 2018, False, resume=False)
    (store.folder / "hashes.jsonl").unlink()
    (store.folder / "hashes.jsonl").symlink_to(outside)
    code, _, err = cli(run_args(short, out, "--no-plots", "--resume"), capsys)
    refused(code, err, "is a link")
    assert outside.read_text(encoding="utf-8") == "keep\n"


@pytest.mark.parametrize("entry", [".zonesim.lock", ".zonesim.json"])
def test_a_folder_in_place_of_the_lock_or_marker_is_refused_before_running(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    out = tmp_path / "out"
    (out / entry).mkdir(parents=True)
    code, stdout, err = cli(run_args(short, out), capsys)
    refused(code, err, str(out / entry))
    assert stdout == ""


# ----------------------------------------------------------------------------- cut short
def test_a_write_cut_short_is_known_and_cleaned_up(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill between the files of a write leaves the marker incomplete and a staging folder:
    plot and report refuse the mixed folder; the next run replaces it and removes the
    staging folder."""
    out = tmp_path / "out"
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    assert code == 0, err
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    marker["previous"], marker["complete"] = dict(marker["files"]), False
    marker["files"]["goals.csv"] = "0" * 64  # the new goals.csv was never placed
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (out / ".writing-abc").mkdir()
    (out / ".writing-abc" / "0").write_text("staged", encoding="utf-8")
    for command in ("plot", "report"):
        code, _, err = cli([command, out], capsys)
        refused(code, err, "stopped while writing it")
    code, _, err = cli(run_args(short, out, "--no-plots"), capsys)
    assert code == 0, err
    assert not (out / ".writing-abc").exists()
    assert read_marker(out).complete


def test_the_folders_a_refused_command_made_are_removed(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "deep" / "a" / "b"
    code, _, err = cli([*run_args(short, out), "--dask", "tcp://127.0.0.1:1"], capsys)
    assert code == 2, err
    assert not (tmp_path / "deep").exists()
