"""What a result depends on: the scenario's hash, the code's identity and the versions of the
libraries, recorded in every results folder and checked before stored work is reused."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

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
    """Python's and the libraries' versions."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
