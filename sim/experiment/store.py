"""The results folder: CSV tables and a manifest, each written atomically (temp file, rename).

A run that fails before writing leaves no file behind; one that fails while writing leaves the
files it had finished complete and none half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
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
