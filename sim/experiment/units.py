"""Resumable work: each finished unit (a candidate's replications, a replication batch) is its
own file in ``OUT/units/``, written atomically, beside a manifest naming what produced it.

Rerunning with ``resume=True`` reuses finished units and recomputes missing or torn ones, and
refuses when the scenario, the root seed or the design changed, or the code that makes the
results (the model's source, SimPy, numpy: ``store.code_identity``). Without ``resume`` an
earlier run's units are discarded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from sim.experiment.store import code_identity, versions, write_atomic, write_json

MANIFEST = "manifest.json"


def stored_run_id(manifest_path: Path) -> str | None:
    """The run id a units manifest names, or None."""
    try:
        run_id = json.loads(manifest_path.read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return run_id if isinstance(run_id, str) and run_id else None


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
        run_id = None
        if resume and manifest_path.is_file():
            stored = json.loads(manifest_path.read_text(encoding="utf-8")).get("identity", {})
            changed = [k for k in identity if k in stored and stored[k] != identity[k]]
            if changed:
                raise ResumeMismatch(
                    f"{self.folder.parent}: cannot resume: {', '.join(changed)} changed since "
                    "the stored units were made; rerun without --resume (starts afresh) "
                    "or choose another --out"
                )
            run_id = stored_run_id(manifest_path)
        elif self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        #: identifies the run that made the units: a unit of another run (two runs on one
        #: folder, a planted file) is not reused
        self.run_id = run_id or uuid.uuid4().hex
        write_json(
            manifest_path,
            {"identity": identity, "run_id": self.run_id, "versions": versions()},
        )
        self.computed = 0
        self._made_here: set[str] = set()
        self._reused: set[str] = set()

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> Any | None:
        """The stored result of a unit, or None (missing or unreadable: recompute it)."""
        path = self.path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            return None
        if key not in self._made_here:
            self._reused.add(key)
        return data

    @property
    def reused(self) -> int:
        """Units found that this store did not make (each counted once)."""
        return len(self._reused)

    def put(self, key: str, data: Any) -> None:
        write_atomic(self.path(key), json.dumps(data, separators=(",", ":")))
        self.computed += 1
        self._made_here.add(key)
