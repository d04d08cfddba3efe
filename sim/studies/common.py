"""What every study shares: the engine it runs on, the observed figures beside a scenario, the
set-up of an analysis over a parameter space (scenario, space, unit store, evaluator), its
summary, and the scenario file it may write."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.engines import Engine, open_engine
from sim.experiment.evaluate import Evaluator
from sim.experiment.runner import check_events
from sim.results.provenance import scenario_hash, versions
from sim.results.units import UnitStore
from sim.scenario import Scenario, SourceTree, load_scenario_with_tree
from sim.scenario.errors import printable
from sim.scenario.observations import (
    check_zone,
    load_observations,
    observations_table,
    zone_problem,
)
from sim.scenario.overrides import override_text
from sim.scenario.posterior import Posterior
from sim.scenario.space import Space, combine, load_space

Progress = Callable[[int], None] | None


def engine_for(
    executor: Executor | None, workers: int, dask: str | None
) -> contextlib.AbstractContextManager[Engine]:
    """The caller's executor as is, or an engine opened (and closed) for this call."""
    if executor is not None:
        if dask:
            raise ValueError("pass either executor or dask, not both")
        return contextlib.nullcontext(Engine(executor, workers, "caller's executor"))
    return open_engine(workers, dask)


#: Files of observed figures and published patterns read from beside a scenario file.
BESIDE_SCENARIO = ("observations.yaml", "patterns.yaml")


def observations_beside(
    scenario_path: str | os.PathLike[str], scenario: Scenario | None = None
) -> tuple[list[Path], list[str]]:
    """``observations.yaml`` and ``patterns.yaml`` beside a scenario file, those there are
    and (with ``scenario``) of its zone; and a warning for each one of another zone, which is
    left out."""
    folder = Path(scenario_path).parent
    found = [folder / name for name in BESIDE_SCENARIO if (folder / name).is_file()]
    if scenario is None:
        return found, []
    kept, warnings = [], []
    for path in found:
        problem = zone_problem(path, scenario)
        if problem is None:
            kept.append(path)
        else:
            warnings.append(f"{path}: {printable(problem.message)}; not used")
    return kept, warnings


def default_observations(
    scenario_path: str | os.PathLike[str], scenario: Scenario | None = None
) -> list[Path] | None:
    """The observation files beside a scenario file that a run uses by default (those of the
    scenario's zone, when it is given), or None."""
    return observations_beside(scenario_path, scenario)[0] or None


def observed_table(
    files: str | os.PathLike[str] | list[str | os.PathLike[str]] | list[Path],
    scenario: Scenario | None = None,
) -> pd.DataFrame:
    """The figures of one or several observation files, in order, as one table; with
    ``scenario``, a file of another zone raises ScenarioError at its ``zone`` key."""
    paths = [files] if isinstance(files, str | os.PathLike) else list(files)
    if scenario is not None:
        for path in paths:
            check_zone(path, scenario)
    return pd.concat(
        [observations_table(load_observations(path)) for path in paths], ignore_index=True
    )


# ----------------------------------------------------------------------------- analyses
@dataclass
class Setup:
    """What every analysis over a parameter space starts from."""

    scenario_path: str
    scenario: Scenario
    tree: SourceTree
    space: Space
    store: UnitStore | None
    started: float = field(default_factory=time.perf_counter)

    def identity(self) -> dict[str, Any]:
        return {
            "scenario_sha256": scenario_hash(self.scenario),
            "space_sha256": self.space.digest(),
        }


def check_space_events(scenario: Scenario, space: Space) -> None:
    """The event guard at the space's bounds: each parameter alone at its low and its high
    bound, and all at once at each (raises ``TooManyEvents`` naming the setting)."""
    lows = {path: p.low for path, p in space.parameters.items()}
    highs = {path: p.high for path, p in space.parameters.items()}
    base = space.base_values()
    settings = [lows, highs]
    for path in space.paths:
        settings += [{**base, path: lows[path]}, {**base, path: highs[path]}]
    for values in settings:
        check_events(
            space.scenario(values, end_year=scenario.horizon.end_year),
            f"{space.file}: at {', '.join(f'{k}={v:g}' for k, v in values.items())}",
        )


def prepare(
    scenario_path: str | os.PathLike[str],
    space_path: str | os.PathLike[str] | list[str | os.PathLike[str]],
    kind: str | None,
    only: list[str] | None = None,
    first_wins: bool = False,
) -> Setup:
    """Load and check the scenario and the space (several space files are joined into one;
    ``only`` keeps these parameters; with ``first_wins`` a parameter in two files is kept as
    the first has it), the event guard included: everything an analysis checks
    before it writes."""
    scenario, tree = load_scenario_with_tree(scenario_path)
    paths = space_path if isinstance(space_path, list) else [space_path]
    space = combine([load_space(path, tree, kind=kind) for path in paths], first_wins)
    if only:
        space = space.subset(only)
    check_events(scenario, str(scenario_path))
    check_space_events(scenario, space)
    return Setup(str(scenario_path), scenario, tree, space, None)


def open_units(
    setup: Setup,
    units: str | os.PathLike[str] | None,
    command: str,
    design: dict[str, Any],
    resume: bool,
) -> None:
    """Keep the analysis's finished candidates in ``units`` (usually ``OUT/units``)."""
    if units is not None:
        identity = {"command": command, **setup.identity(), **design}
        setup.store = UnitStore(units, identity, resume)


def run_end_year(setup: Setup, end_year: int) -> int:
    """The year an analysis's runs stop: ``end_year``, the last it needs (a ValueError when it
    is after the scenario's horizon), and at least the year after the start."""
    horizon = setup.scenario.horizon
    if end_year > horizon.end_year:
        raise ValueError(
            f"the analysis needs {end_year}, after the scenario's horizon ({horizon.end_year})"
        )
    return max(end_year, horizon.start_year + 1)


def evaluator(
    setup: Setup,
    replications: int,
    seed: int,
    end_year: int,
    indicators: list[str],
    executor: Executor | None,
    workers: int,
    progress: Progress,
    posterior: Posterior | None = None,
) -> Evaluator:
    """An evaluator of the space's candidates keeping ``indicators`` up to ``end_year`` (with
    ``posterior``: each replication at its draw, the candidate's values on top)."""
    return Evaluator(
        setup.space,
        replications,
        seed,
        run_end_year(setup, end_year),
        indicators,
        executor=executor,
        workers=workers,
        store=setup.store,
        progress=progress,
        posterior=posterior,
    )


def goal_evaluator(
    setup: Setup,
    goals: dict,
    replications: int,
    seed: int,
    executor: Executor | None,
    workers: int,
    progress: Progress,
    posterior: Posterior | None = None,
) -> Evaluator:
    """An evaluator keeping what the goals need: their indicators, up to the last goal year
    (with ``posterior``, over its draws)."""
    return evaluator(
        setup,
        replications,
        seed,
        max(g.year for g in goals.values()),
        sorted({g.indicator for g in goals.values()}),
        executor,
        workers,
        progress,
        posterior,
    )


def summary(
    setup: Setup,
    command: str,
    seed: int,
    settings: dict[str, Any],
    evaluator: Evaluator,
    notes: list[str],
) -> dict[str, Any]:
    """The ``summary.json`` of an analysis: what it ran on, its settings, its cost."""
    store = setup.store
    return {
        "command": command,
        "scenario": setup.scenario.name,
        "scenario_files": list(setup.tree.files),
        "scenario_sha256": scenario_hash(setup.scenario),
        "space_file": setup.space.file,
        "space_sha256": setup.space.digest(),
        "root_seed": seed,
        **settings,
        "evaluations_run": evaluator.evaluations,
        "evaluations_reused": store.reused if store else 0,
        "events": evaluator.events,
        "wall_seconds": round(time.perf_counter() - setup.started, 3),
        "notes": notes,
        "versions": versions(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def scenario_text(
    setup: Setup,
    out: Path,
    suffix: str,
    values: dict[str, float],
    comments: dict[str, str],
    description: str,
    header: list[str],
) -> tuple[str, str]:
    """A scenario file for the folder ``out`` extending the study's scenario (by a path
    relative to ``out``) with ``values``, each key commented: its name
    (``<name>_<suffix>.yaml``) and text."""
    name = f"{setup.scenario.name}_{suffix}"
    text = override_text(
        setup.scenario_path,
        out / f"{name}.yaml",
        setup.tree.data,
        values,
        comments,
        name,
        description,
        header,
        base_comments=setup.tree.comments,
    )
    return f"{name}.yaml", text
