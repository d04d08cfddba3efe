"""Atomic file writes (a temporary file in the same folder, then a rename) and the check that
a path lies inside its output folder.

A command that fails before writing leaves no file behind; one that fails while writing leaves
the files it had finished complete and none half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd


class OutsideFolder(ValueError):
    """A name that would resolve outside its output folder (``..``, an absolute path, a link)."""


#: A file name inside an output folder: safe parts separated by ``/``, none starting with a dot
#: (the folder's own hidden files are written by the folder itself).
_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, after checking that ``name`` is a plain relative name (safe parts,
    no ``..``) and that the resolved path (links followed) lies inside the resolved folder."""
    parts = name.split("/")
    if not all(_PART.match(part) for part in parts):
        raise OutsideFolder(f"{name!r} is not a plain file name inside {folder}")
    path = folder / name
    root = folder.resolve()
    if not path.resolve().is_relative_to(root):
        raise OutsideFolder(f"{folder / name} resolves outside {folder}")
    return path


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


def write_new(path: Path, data: bytes) -> None:
    """Write a new file (one that nobody reads until it is renamed into place), readable by
    all as results are."""
    with path.open("wb") as handle:
        handle.write(data)
    os.chmod(path, 0o666 & ~_UMASK)


def write_atomic(path: Path, text: str) -> None:
    """Write text (UTF-8, line endings as given) atomically, as :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"))


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV (no index, ``\\n`` line ends), the form every results table is written in."""
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def json_bytes(data: dict) -> bytes:
    """A mapping as indented JSON, the form every results document is written in."""
    return (json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode()


def write_json(path: Path, data: dict) -> None:
    write_bytes_atomic(path, json_bytes(data))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
