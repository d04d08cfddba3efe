"""The results folder: CSV tables and a manifest, each written atomically (temp file, rename).

A run that fails before writing leaves no file behind; one that fails while writing leaves the
files it had finished complete and none half-written.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.scenario.schema import Scenario

VERSIONED = (
    "zonesim",
    "simpy",
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "ruamel.yaml",
    "matplotlib",
)


#: The code that turns a scenario and a seed into results (relative to the ``sim`` package):
#: stored work made by other code is not reused (see ``code_identity``).
RESULT_CODE = ("model", "streams.py", "distributions.py")


@functools.cache
def code_identity() -> dict[str, str]:
    """What, besides the scenario and the seed, decides a replication's results: the SHA-256 of
    the model's source files and the versions of SimPy (event order) and numpy (random
    streams)."""
    return {
        "model_code_sha256": source_digest(Path(__file__).resolve().parent.parent),
        "simpy": metadata.version("simpy"),
        "numpy": metadata.version("numpy"),
    }


def source_digest(package: Path) -> str:
    """SHA-256 of the ``RESULT_CODE`` source files under ``package`` (names and contents)."""
    digest = hashlib.sha256()
    for part in RESULT_CODE:
        path = package / part
        for source in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    return digest.hexdigest()


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (after ``extends``), independent of formatting."""
    text = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes files private; results are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write text (UTF-8, line endings as given) atomically, as :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_csv(path: Path, table: pd.DataFrame) -> None:
    write_atomic(path, table.to_csv(index=False, lineterminator="\n"))


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n")


#: The lock file a command holds in its output folder while it writes there.
LOCK_NAME = ".zonesim.lock"


class FolderBusy(Exception):
    """Another zonesim command holds the output folder's lock."""


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an advisory lock (``fcntl.flock``) on ``folder`` while a command writes there: a
    second command on the same folder raises :class:`FolderBusy` at once instead of mixing its
    files with the first's. The lock file is removed when the command ends, and the folder
    too if this command created it and wrote nothing (bad input found after the lock)."""
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    handle = open(path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise FolderBusy(
            f"{folder}: another zonesim command is writing there; wait for it to finish or "
            "choose another --out"
        ) from None
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
        if created and not any(folder.iterdir()):
            folder.rmdir()
