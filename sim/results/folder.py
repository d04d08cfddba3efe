"""The output folder: who may write there, what it holds, and what its writer owns.

Every command that writes results claims its folder (:func:`claim`): an advisory lock
(``fcntl.flock`` on ``.zonesim.lock``) keeps a second command out while the first writes, and a
marker (``.zonesim.json``) names the folder's kind, the command that made it and the files it
wrote with their SHA-256. From the marker follow the folder's rules:

* a command refuses a folder of another kind (a comparison into a run's folder), and a file it
  would write that exists but is not in the marker (a user's file, or an older folder's);
* writing a kind's outputs replaces them whole: the kind's files the new write does not
  produce are deleted, so nothing stale survives; nothing the marker does not list is touched;
* every name is checked to resolve inside the folder before anything is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import fnmatch
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.results.files import (
    OutsideFolder,
    csv_bytes,
    file_sha256,
    inside,
    json_bytes,
    sha256_of,
    write_bytes_atomic,
    write_new,
)

MARKER = ".zonesim.json"
LOCK_NAME = ".zonesim.lock"
UNITS = "units"

#: Each folder kind and the names its files may have (shell patterns; ``*`` stays within one
#: folder level). A write with a name outside its kind's list is a bug, not a user error.
KINDS: dict[str, tuple[str, ...]] = {
    "run": (
        "trajectories.csv",
        "goals.csv",
        "survival.csv",
        "parameters.csv",
        "observations.csv",
        "holdout.csv",
        "firms.csv",
        "firms.parquet",
        "trajectories.parquet",
        "scenario.json",
        "manifest.json",
        "plots/*.png",
        "report.html",
    ),
    "comparison": (
        "comparison.csv",
        "goal_comparison.csv",
        "cost_effectiveness.csv",
        "lever_shares.csv",
        "comparison.json",
        "*/trajectories.csv",
        "*/goals.csv",
        "*/survival.csv",
        "*/parameters.csv",
        "*/observations.csv",
        "*/scenario.json",
        "*/manifest.json",
        "plots/*.png",
        "report.html",
    ),
    "calibration": (
        "trials.csv",
        "ranges.csv",
        "fit.csv",
        "hindcast.csv",
        "summary.json",
        "*_calibrated.yaml",
        "calibration.png",
        "posterior.csv",
        "intervals.csv",
        "stages.csv",
        "runs.csv",
        "pairs.png",
    ),
    "sensitivity": ("indices.csv", "design.csv", "summary.json", "sensitivity.png"),
    "tuning": ("trials.csv", "summary.json", "*_tuned.yaml", "tradeoff.png"),
    "sweep": ("sweep.csv", "effects.csv", "summary.json", "heatmap.png"),
    "screening": ("effects.csv", "decided_by.csv", "summary.json"),
    "discovery": (
        "samples.csv",
        "boxes.csv",
        "peeling.csv",
        "summary.json",
        "peeling.png",
        "box.png",
        "report.html",
    ),
}

#: What a file's content may be given as: bytes as they are, text as UTF-8, a table as CSV,
#: a mapping as JSON.
Content = bytes | str | pd.DataFrame | Mapping


class FolderError(Exception):
    """A problem with an output folder, told in one line (the command exits with code 2)."""


class FolderBusy(FolderError):
    """Another zonesim command holds the output folder's lock."""


@dataclass(frozen=True)
class Marker:
    """What ``.zonesim.json`` says of its folder."""

    kind: str
    command: str
    files: dict[str, str]  # name inside the folder -> SHA-256 of what was written
    created_utc: str = ""
    complete: bool = True  # False while (or if a kill stopped) a write
    #: while a write is incomplete: the SHA-256 the files had before it (a file not yet
    #: replaced still has its old content)
    previous: dict[str, str] = dataclasses.field(default_factory=dict)

    def owns(self, name: str, digest: str) -> bool:
        """Whether the file ``name`` with content ``digest`` is one zonesim wrote here."""
        return digest in (self.files.get(name), self.previous.get(name))


def read_marker(folder: Path) -> Marker | None:
    """The folder's marker, or None when it has none. A marker that is not one (hand-edited,
    planted) is a :class:`FolderError`: its names are never trusted for deleting."""
    path = folder / MARKER
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kind, command, files = data["kind"], data["command"], data["files"]
        ok = (
            kind in KINDS
            and isinstance(command, str)
            and isinstance(files, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
        )
        if ok:
            for name in files:
                inside(folder, name)
            ok = all(_of_kind(kind, name) for name in files)
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise FolderError(
            f"{path}: not a zonesim folder marker; delete the folder or choose another --out"
        )
    complete = data.get("complete", True) is not False
    previous = data.get("previous", {})
    if not isinstance(previous, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in previous.items()
    ):
        previous = {}
    created = str(data.get("created_utc", ""))
    return Marker(kind, command, dict(files), created, complete, dict(previous))


def _of_kind(kind: str, name: str) -> bool:
    """Whether ``name`` is a file a folder of ``kind`` may hold."""
    return any(
        fnmatch.fnmatchcase(name, p) and name.count("/") == p.count("/") for p in KINDS[kind]
    )


def _check_unowned(folder: Path, kind: str, marker: Marker | None) -> None:
    """Refuse, before anything runs, a folder holding files of the kind's names that its marker
    does not list (a user's, or an older zonesim's), or a subfolder the kind writes into that
    is a link or a file."""
    owned = marker.files if marker else {}
    for pattern in KINDS[kind]:
        head = pattern.split("/")[0]
        if "/" in pattern and "*" not in head:
            sub = folder / head
            if sub.is_symlink() or (sub.exists() and not sub.is_dir()):
                raise FolderError(
                    f"{sub}: is not a folder zonesim made; move it or choose another --out"
                )
        for path in folder.glob(pattern):
            name = path.relative_to(folder).as_posix()
            if name not in owned:
                raise FolderError(
                    f"{path}: exists and the folder's marker ({MARKER}) does not list it as "
                    "zonesim's; move it or choose another --out"
                )


def _encode(content: Content) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, pd.DataFrame):
        return csv_bytes(content)
    return json_bytes(dict(content))


class OutputFolder:
    """A claimed output folder (see :func:`claim`): writes its kind's files and keeps its
    marker."""

    def __init__(self, path: Path, kind: str, command: str, marker: Marker | None) -> None:
        self.path = path
        self.kind = kind
        self.command = command
        #: the command the marker names: the last to write the kind's outputs whole
        self.made_by = marker.command if marker else command
        self._owned = dict(marker.files) if marker else {}
        self._previous = dict(marker.previous) if marker else {}

    @property
    def files(self) -> dict[str, str]:
        """The files this folder's writers wrote, with their SHA-256."""
        return dict(self._owned)

    def replace(self, files: Mapping[str, Content]) -> list[Path]:
        """Write the kind's outputs whole: ``files`` (name -> content) are written atomically
        and the kind's earlier files not among them are deleted."""
        return self._write(files, replace=True)

    def add(self, files: Mapping[str, Content], replacing: str | None = None) -> list[Path]:
        """Add files to (or rewrite files of) the folder's outputs: plots, a report. With
        ``replacing`` (a pattern such as ``plots/*.png``), the folder's earlier files matching
        it that are not among ``files`` are deleted."""
        return self._write(files, replace=False, replacing=replacing)

    def units(self) -> Path:
        """``OUT/units``, where stored replications and candidates are kept (a run deletes
        them once its tables are written; an analysis keeps them for a later ``--resume``);
        a ``units`` entry that zonesim did not make is refused."""
        path = self.path / UNITS
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise FolderError(f"{path}: exists and is not a folder zonesim made")
        if path.is_dir() and any(path.iterdir()) and not (path / "manifest.json").is_file():
            raise FolderError(
                f"{path}: was not made by zonesim (no units manifest); move it or choose "
                "another --out"
            )
        return path

    def _write(
        self, files: Mapping[str, Content], replace: bool, replacing: str | None = None
    ) -> list[Path]:
        encoded = {name: _encode(content) for name, content in files.items()}
        for name in encoded:
            self._check_name(name)
        hashes = {name: sha256_of(data) for name, data in encoded.items()}
        # the marker first lists old and new files, marked incomplete, so that a write cut
        # short leaves every file it placed owned and the folder known to be mixed; then the
        # files; then the final marker
        self._write_marker({**self._owned, **hashes}, complete=False, previous=self._owned)
        staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=self.path))
        placed: list[Path] = []
        try:
            staged = []
            for i, data in enumerate(encoded.values()):  # all written before any is placed
                staged.append(staging / str(i))
                write_new(staged[-1], data)
            for name, path in zip(encoded, staged, strict=True):
                target = inside(self.path, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                placed.append(target)
        except OSError as exc:
            state = (
                f"{len(placed)} of the {len(encoded)} new files were already in place"
                if placed
                else "the files there are unchanged"
            )
            raise OSError(
                exc.errno,
                f"{exc.strerror or exc}: cannot write the results to {self.path} ({state})",
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        owned = {**self._owned, **hashes}
        stale = [
            name
            for name in self._owned
            if name not in hashes
            and (replace or (replacing is not None and fnmatch.fnmatchcase(name, replacing)))
        ]
        if replace:
            self.made_by = self.command
        if stale:
            for name in stale:
                self._delete(name)
                owned.pop(name)
        self._owned = owned
        self._previous = {}
        self._write_marker(owned)
        return placed

    def _check_name(self, name: str) -> None:
        if not _of_kind(self.kind, name):
            raise ValueError(f"{name!r} is not a file of a {self.kind} folder")
        try:
            target = inside(self.path, name)
        except OutsideFolder as exc:
            raise FolderError(str(exc)) from None
        if target.is_dir() or (target.exists() and name not in self._owned):
            raise FolderError(
                f"{target}: exists and was not written here by zonesim; move it or choose "
                "another --out"
            )
        if target.is_file() and file_sha256(target) not in (
            self._owned.get(name),
            self._previous.get(name),
        ):
            raise FolderError(
                f"{target}: changed since zonesim wrote it (its SHA-256 is not the marker's); "
                "move it or choose another --out"
            )

    def _delete(self, name: str) -> None:
        """Delete an owned file, and the folders it leaves empty (never the output folder)."""
        path = inside(self.path, name)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.path and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def _write_marker(
        self, files: dict[str, str], complete: bool = True, previous: dict | None = None
    ) -> None:
        data = {
            "kind": self.kind,
            "command": self.made_by,
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "complete": complete,
            "files": dict(sorted(files.items())),
        }
        if previous:
            data["previous"] = dict(sorted(previous.items()))
        write_bytes_atomic(self.path / MARKER, json_bytes(data))


def _lock(path: Path) -> int:
    """Take the folder's lock: an open file descriptor of ``.zonesim.lock`` (never a link)
    holding ``flock``. The lock file is removed when a command ends, so a taker checks that
    the file it locked is still the one in the folder, and retries if not."""
    lock_path = path / LOCK_NAME
    for _ in range(100):
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise FolderError(
                f"{lock_path}: cannot be the folder's lock file ({exc.strerror or exc}); "
                "move it or choose another --out"
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise FolderError(f"{lock_path}: is not a file; move it or choose another --out")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderBusy(
                f"{path}: another zonesim command is writing there; wait for it to finish or "
                "choose another --out"
            ) from None
        try:
            same = os.stat(lock_path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed it as we opened it: take the new one
    raise FolderBusy(f"{path}: the lock keeps changing hands; try again")


def _unlock(path: Path, fd: int) -> None:
    (path / LOCK_NAME).unlink(missing_ok=True)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def _check_entries(path: Path) -> None:
    """Refuse, before anything runs, a marker that is not a file and a ``units`` entry that
    is a link or a file."""
    marker = path / MARKER
    if marker.is_symlink() or (marker.exists() and not marker.is_file()):
        raise FolderError(f"{marker}: is not a zonesim folder marker; choose another --out")
    units = path / UNITS
    if units.is_symlink() or (units.exists() and not units.is_dir()):
        raise FolderError(f"{units}: is not a folder zonesim made; choose another --out")


def _check_hashes(path: Path, marker: Marker | None) -> None:
    """Refuse a folder whose listed files were changed since zonesim wrote them (edited, or
    listed by a planted marker): they are no longer the tool's to replace or delete."""
    for name in marker.files if marker else {}:
        file = path / name
        if file.is_file() and not file.is_symlink() and not marker.owns(name, file_sha256(file)):
            raise FolderError(
                f"{file}: changed since zonesim wrote it (its SHA-256 is not the marker's); "
                "move it or choose another --out"
            )


def _remove_staging(path: Path) -> None:
    """Staging folders of a write cut short (a killed command): the tool's own, never read."""
    for staging in path.glob(".writing-*"):
        if staging.is_dir() and not staging.is_symlink():
            shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def claim(folder: str | os.PathLike[str], kind: str | None, command: str) -> Iterator[OutputFolder]:
    """Claim an output folder for ``command``, which writes a folder of ``kind`` (None: add
    to an existing zonesim folder of any kind, as ``plot`` and ``report`` do).

    Creates the folder if needed, takes its lock and reads its marker; raises
    :class:`FolderError` (one line) when the folder cannot be written, is busy, holds
    another kind, holds files of the kind's names the marker does not list, or listed files
    changed since they were written. On exit the lock is released, and the folders this
    claim created and left empty are removed."""
    path = Path(folder)
    if kind is None and not (path / MARKER).is_file():
        raise FolderError(
            f"{path}: not a zonesim results folder (no {MARKER}); write it with zonesim run "
            "or compare"
        )
    if path.exists() and not path.is_dir():
        raise FolderError(f"{path}: exists and is not a folder")
    created = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise FolderError(f"{path}: cannot write results there ({exc.strerror or exc})") from None
    fd = None
    try:
        fd = _lock(path)
        _check_entries(path)
        marker = read_marker(path)
        if kind is not None and marker is not None and marker.kind != kind:
            raise FolderError(
                f"{path}: holds a {marker.kind} folder (made by {marker.command!r}); this "
                f"command writes a {kind} folder: choose another --out"
            )
        if kind is None and marker is not None and not marker.complete:
            raise FolderError(
                f"{path}: its command stopped while writing it; rerun that command first"
            )
        if kind is not None:
            _check_unowned(path, kind, marker)
            _check_hashes(path, marker)
        _remove_staging(path)
        yield OutputFolder(path, kind or marker.kind, command, marker)
    finally:
        if fd is not None:
            _unlock(path, fd)
        for made in created:  # deepest first
            if made.is_dir() and not any(made.iterdir()):
                made.rmdir()
