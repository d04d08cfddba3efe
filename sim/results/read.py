"""Reading results folders back: a run's tables (``read_run``) and a comparison's
(``read_comparison``), for the plots, the report and the user."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.results.folder import read_marker
from sim.scenario.schema import Scenario


def replications_of(trajectories: pd.DataFrame) -> int:
    """Replications in a trajectories table (ids run from 0)."""
    if trajectories.empty:
        return 0
    return int(trajectories["replication"].max()) + 1


@dataclass(frozen=True)
class RunFolder:
    """The tables of a run's results folder that the plots and the report need."""

    path: Path
    trajectories: pd.DataFrame
    scenario: Scenario
    manifest: dict
    observations: pd.DataFrame | None
    survival: pd.DataFrame | None

    @property
    def replications(self) -> int:
        """Replications run (from the manifest, else counted in the trajectories)."""
        if self.manifest.get("replications"):
            return int(self.manifest["replications"])
        return replications_of(self.trajectories)


@dataclass(frozen=True)
class ComparisonFolder:
    """A comparison folder: its ``comparison.json`` and each scenario's results."""

    path: Path
    info: dict
    runs: dict[str, RunFolder]

    @property
    def reference(self) -> RunFolder:
        return next(iter(self.runs.values()))

    @property
    def goal_comparison(self) -> pd.DataFrame:
        """goal_comparison.csv: each policy's P(met) per goal against the reference's (empty
        when the folder has none)."""
        table = self.optional_table("goal_comparison.csv")
        return table if table is not None else pd.DataFrame()

    def optional_table(self, name: str) -> pd.DataFrame | None:
        """A table of the folder (``cost_effectiveness.csv``, ``lever_shares.csv``), or None."""
        path = self.path / name
        return pd.read_csv(path) if path.is_file() else None


def read_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a JSON object")
    return data


def read_scenario(folder: str | os.PathLike[str]) -> Scenario:
    """The resolved scenario of a results folder (``scenario.json``)."""
    return Scenario.model_validate(read_json(Path(folder) / "scenario.json"))


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """A run's table ``name`` from ``name.parquet`` (``run --format parquet``) or ``name.csv``."""
    parquet = folder / f"{name}.parquet"
    if parquet.is_file():
        return pd.read_parquet(parquet)
    return pd.read_csv(folder / f"{name}.csv")


def _optional_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def read_run(folder: str | os.PathLike[str]) -> RunFolder:
    """Read trajectories, scenario, manifest and (when present) observations and survival."""
    path = Path(folder)
    manifest_path = path / "manifest.json"
    return RunFolder(
        path=path,
        trajectories=read_table(path, "trajectories"),
        scenario=read_scenario(path),
        manifest=read_json(manifest_path) if manifest_path.is_file() else {},
        observations=_optional_csv(path / "observations.csv"),
        survival=_optional_csv(path / "survival.csv"),
    )


def read_comparison(folder: str | os.PathLike[str]) -> ComparisonFolder:
    """Read ``comparison.json`` and the results of every scenario in it, in order."""
    path = Path(folder)
    info = read_json(path / "comparison.json")
    names = [str(name) for name in info.get("scenarios", [])]
    if not names:
        raise ValueError(f"{path / 'comparison.json'} lists no scenarios")
    marker = read_marker(path)
    owned = marker.files if marker else {}
    for name in names:  # only folders this comparison wrote
        if f"{name}/trajectories.csv" not in owned:
            raise ValueError(f"{path / 'comparison.json'}: {name!r} is not one of its runs")
    return ComparisonFolder(path, info, {name: read_run(path / name) for name in names})
