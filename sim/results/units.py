"""Resumable work: each finished unit (a candidate's replications, a replication batch) is its
own JSON file in ``OUT/units/``, written atomically, beside a manifest naming what produced it
and an index of every unit's SHA-256 (``hashes.jsonl``), checked when the unit is read back: a
unit that is not in the index or does not match it (torn, or edited without its index) is run
again. Units are data (JSON), so a planted one cannot run code; the index is a check against
accidents, not against someone who can write both files (such a unit is reused).

Rerunning with ``resume=True`` reuses finished units and recomputes missing or torn ones, and
refuses when the scenario, the root seed or the design changed, or the code that makes the
results (the model's source, SimPy, numpy: ``store.code_identity``). Without ``resume`` an
earlier run's units are discarded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

from sim.results.files import sha256_of, write_bytes_atomic, write_json
from sim.results.provenance import code_identity, versions

MANIFEST = "manifest.json"
HASHES = "hashes.jsonl"
#: Names of the files a unit store writes: units (a replication or a candidate's key), and
#: the temporary files of atomic writes cut short.
_OWN = re.compile(r"^(rep-\d{6}|[0-9a-f]{20})\.json$|^\.[\w-]+\.json\.\w+$")


def stored_run_id(manifest_path: Path) -> str | None:
    """The run id a units manifest names, or None."""
    try:
        run_id = json.loads(manifest_path.read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return run_id if isinstance(run_id, str) and run_id else None


def discard_units(folder: str | Path) -> None:
    """Delete the files a unit store wrote in ``folder`` (the units its index names, units cut
    short, the index, the manifest, temporary files), and the folder if that empties it;
    anything else in it stays."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink() or not (folder / MANIFEST).is_file():
        return
    indexed = set(UnitStore.read_index(folder))
    for path in folder.iterdir():
        name = path.name
        if path.is_file() and (name in (MANIFEST, HASHES) or name in indexed or _OWN.match(name)):
            path.unlink(missing_ok=True)
    if not any(folder.iterdir()):
        folder.rmdir()


def _stored_identity(manifest_path: Path) -> dict[str, Any]:
    """The identity a units manifest records; a manifest that is not one cannot be resumed."""
    try:
        stored = json.loads(manifest_path.read_text(encoding="utf-8")).get("identity")
    except (OSError, ValueError, AttributeError):
        stored = None
    if not isinstance(stored, dict):
        raise ResumeMismatch(
            f"{manifest_path}: not a zonesim units manifest; rerun without --resume"
        )
    return stored


class ResumeMismatch(Exception):
    """The folder holds units of different work (scenario, seed, design or code changed)."""


def unit_key(data: Any) -> str:
    """A file-name-safe key for any JSON-able description of a unit."""
    text = json.dumps(data, sort_keys=True, default=float)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class UnitStore:
    """Finished units of one piece of work, kept in ``folder``.

    ``identity`` describes the work (command, scenario hash, root seed, design); the code's
    identity is added to it. On resume it must equal the stored one in every key it shares
    with it.
    """

    def __init__(self, folder: str | Path, identity: dict[str, Any], resume: bool) -> None:
        self.folder = Path(folder)
        self.identity = identity = {**identity, **code_identity()}
        manifest_path = self.folder / MANIFEST
        for own in (self.folder, manifest_path, self.folder / HASHES):
            if own.is_symlink():
                raise ResumeMismatch(f"{own}: is a link, not a file zonesim made; remove it")
        run_id = None
        if resume and manifest_path.is_file():
            stored = _stored_identity(manifest_path)
            changed = [k for k in identity if k in stored and stored[k] != identity[k]]
            if changed:
                raise ResumeMismatch(
                    f"{self.folder.parent}: cannot resume: {', '.join(changed)} changed since "
                    "the stored units were made; rerun without --resume (starts afresh) "
                    "or choose another --out"
                )
            run_id = stored_run_id(manifest_path)
        elif self.folder.exists():
            self.discard()
        self.folder.mkdir(parents=True, exist_ok=True)
        #: identifies the run that made the units: a unit of another run (two runs on one
        #: folder, a planted file) is not reused
        self.run_id = run_id or uuid.uuid4().hex
        write_json(
            manifest_path,
            {"identity": identity, "run_id": self.run_id, "versions": versions()},
        )
        self._hashes = self._read_hashes() if run_id else {}
        if not run_id:
            write_bytes_atomic(self.folder / HASHES, b"")
        self.computed = 0
        #: units found whose content did not match the index (run again)
        self.rejected = 0
        self._made_here: set[str] = set()
        self._reused: set[str] = set()

    def _read_hashes(self) -> dict[str, str]:
        return self.read_index(self.folder)

    @staticmethod
    def read_index(folder: Path) -> dict[str, str]:
        """The SHA-256 of each unit a store's index records (the last entry of a name wins;
        lines cut short by a kill are skipped)."""
        found: dict[str, str] = {}
        try:
            lines = (folder / HASHES).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return found
        for line in lines:
            try:
                entry = json.loads(line)
                name, digest = entry["name"], entry["sha256"]
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
            if isinstance(name, str) and isinstance(digest, str) and "/" not in name:
                found[name] = digest
        return found

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def read_bytes(self, name: str) -> bytes | None:
        """A unit file's bytes when the index records them, else None (missing, torn, edited
        or planted: the file is deleted, to be recomputed)."""
        path = self.folder / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            data = None
        if data is None or self._hashes.get(name) != sha256_of(data):
            self.rejected += data is not None and name in self._hashes
            path.unlink(missing_ok=True)
            return None
        return data

    def write_bytes(self, name: str, data: bytes) -> None:
        """Write a unit file atomically and record its SHA-256 in the index."""
        write_bytes_atomic(self.folder / name, data)
        digest = sha256_of(data)
        line = (json.dumps({"name": name, "sha256": digest}) + "\n").encode()
        fd = os.open(self.folder / HASHES, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        self._hashes[name] = digest

    def discard(self) -> None:
        """Delete the store's files (see :func:`discard_units`)."""
        discard_units(self.folder)

    def get(self, key: str) -> Any | None:
        """The stored result of a unit, or None (missing, unreadable or not matching the
        index: recompute it)."""
        data = self.read_bytes(f"{key}.json")
        if data is None:
            return None
        try:
            value = json.loads(data)
        except ValueError:
            self.path(key).unlink(missing_ok=True)
            return None
        if key not in self._made_here:
            self._reused.add(key)
        return value

    @property
    def reused(self) -> int:
        """Units found that this store did not make (each counted once)."""
        return len(self._reused)

    def put(self, key: str, data: Any) -> None:
        self.write_bytes(f"{key}.json", json.dumps(data, separators=(",", ":")).encode("utf-8"))
        self.computed += 1
        self._made_here.add(key)
