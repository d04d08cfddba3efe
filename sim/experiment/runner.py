"""Replications: ``run_one(scenario, replication, root_seed)`` and many of them through any
``concurrent.futures.Executor``.

Replication ``i`` depends on ``(scenario, root_seed, i)`` alone, so results are identical
whatever executor, worker count or completion order. Replications are sent to the executor in
batches to keep per-task overhead small. As each batch returns, its replications' records are
kept as columns (:class:`Columns`: numpy arrays, a fraction of the memory of the record
tuples) and the batch itself is let go; the tables are built from the columns at the end.

With a :class:`~sim.results.units.UnitStore`, every finished replication is also kept on
disk as its own unit file, ``rep-NNNNNN.json`` (plain JSON data: the run's id, ``i`` and the
``ReplicationOutput``'s records, written to a temporary file and renamed), as soon as its batch
returns; replications already stored are loaded instead of run. Since a replication does not
depend on the batch it ran in, an interrupted run resumes with any worker count or engine, and
with more replications than before, and gives the same tables as an uninterrupted one. A unit
is data, never code: one that does not parse, has the wrong shape or names another run (two
runs on one folder, a planted file) is discarded and its replication run again.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model import FIRM_COLUMNS, ReplicationOutput, build, extract, run
from sim.results.provenance import scenario_hash
from sim.results.units import UnitStore
from sim.scenario.schema import Scenario
from sim.streams import Streams

#: Rough SimPy events per arriving or initial firm, and per simulated year (for the guard);
#: the baseline has about 47,000 events for 7,050 firms (patent filings are not events).
EVENTS_PER_FIRM = 7.0
EVENTS_PER_YEAR = 50.0

#: Replications per task at most when finished replications are stored: an interruption
#: loses at most the batches the workers were running.
STORED_MAX_BATCH = 5


def run_one(
    scenario: Scenario, replication: int, root_seed: int, firm_records: bool = False
) -> ReplicationOutput:
    """Build, run and extract one replication."""
    zone = build(scenario, Streams(root_seed, replication), keep_firm_records=firm_records)
    run(zone)
    return extract(zone)


#: One replication to run: (key, scenario, replication index). The key names the result;
#: the index picks the random streams (common random numbers across scenarios).
Task = tuple[int, Scenario, int]


def run_tasks_batch(
    tasks: Sequence[Task], root_seed: int, firm_records: bool
) -> list[tuple[int, ReplicationOutput]]:
    """Several replications, each of its own scenario, in one task (what an executor runs;
    a scenario shared by several tasks of a batch is sent once)."""
    return [(key, run_one(scenario, i, root_seed, firm_records)) for key, scenario, i in tasks]


#: A replication expected to process more SimPy events than this is refused (``run --force``
#: overrides it): a typo in a rate must not exhaust the machine's memory.
MAX_EVENTS_PER_REPLICATION = 20_000_000


class TooManyEvents(ValueError):
    """A scenario (or a candidate of an analysis) expects more events than the limit."""


def check_events(scenario: Scenario, what: str) -> None:
    """Raise :class:`TooManyEvents` naming ``what`` when ``scenario`` expects more than
    ``MAX_EVENTS_PER_REPLICATION`` events per replication."""
    events = expected_events(scenario)
    if not events <= MAX_EVENTS_PER_REPLICATION:
        raise TooManyEvents(
            f"{what}: about {events:,.0f} events per replication expected (limit "
            f"{MAX_EVENTS_PER_REPLICATION:,}); check the arrival rates, the horizon and the "
            "bounds"
        )


def expected_events(scenario: Scenario) -> float:
    """Estimate of the SimPy events of one replication, from analytic arrival counts."""
    init = scenario.initial_state
    initial = init.enterprise_base_firms + sum(o.firms + o.teams for o in init.carriers.values())
    years = scenario.horizon.end_year - scenario.horizon.start_year
    return EVENTS_PER_FIRM * (scenario.expected_arrivals() + initial) + EVENTS_PER_YEAR * years


@dataclass(frozen=True)
class Columns:
    """One replication's records as columns: what a run keeps of each replication until it
    builds the tables (a fraction of the memory of the records' tuples and floats; see
    :func:`columns_of`)."""

    years: np.ndarray  # int64, one per trajectory record
    indicators: np.ndarray  # object: the model's indicator names
    values: np.ndarray  # float64
    entered: np.ndarray  # float64, one per incubation spell
    durations: np.ndarray  # float64: left - entered (years)
    outcomes: np.ndarray  # object
    totals: dict[str, float]
    firms: list[tuple]
    events: int


def columns_of(output: ReplicationOutput) -> Columns:
    """The records of ``output`` as :class:`Columns` (the same values, bit for bit)."""
    trajectory, spells = output.trajectory, output.spells
    years, indicators, values = zip(*trajectory, strict=True) if trajectory else ((), (), ())
    entered, left, outcomes = zip(*spells, strict=True) if spells else ((), (), ())
    entered_years = np.array(entered, dtype=np.float64)
    return Columns(
        years=np.array(years, dtype=np.int64),
        indicators=np.array(indicators, dtype=object),
        values=np.array(values, dtype=np.float64),
        entered=entered_years,
        durations=np.array(left, dtype=np.float64) - entered_years,
        outcomes=np.array(outcomes, dtype=object),
        totals=output.totals,
        firms=output.firms,
        events=output.events,
    )


@dataclass(frozen=True)
class RunResults:
    """The tables of a set of replications of one scenario."""

    scenario: Scenario
    root_seed: int
    replications: int
    trajectories: pd.DataFrame  # replication, year, indicator, value
    totals: pd.DataFrame  # replication, flow, value (run totals of each flow)
    spells: pd.DataFrame  # replication, entered, duration_years, outcome (arrivals' incubation)
    firms: pd.DataFrame | None  # per-firm lifecycle table, if requested
    events: int  # SimPy events processed, all replications
    wall_seconds: float  # this call's wall time (replications loaded from units cost ~0)
    reused: int = 0  # replications loaded from a unit store instead of run


def batches(count: int, workers: int, max_batch: int = 25) -> list[list[int]]:
    """Split replication indexes into contiguous batches: several per worker for load balance."""
    return batches_of(list(range(max(0, count))), workers, max_batch)


def batches_of(indexes: Sequence[Any], workers: int, max_batch: int = 25) -> list[list[Any]]:
    """Split the given replication indexes (or tasks), in order, into batches, as
    :func:`batches`."""
    size = max(1, min(max_batch, len(indexes) // max(1, 4 * workers)))
    return [list(indexes[start : start + size]) for start in range(0, len(indexes), size)]


# ----------------------------------------------------------------------------- unit files
def run_identity(
    scenario: Scenario, root_seed: int, firm_records: bool, posterior_sha256: str | None = None
) -> dict[str, Any]:
    """What the stored replications of ``run`` depend on (not their count: a resumed run may
    ask for more): with ``run --posterior``, the posterior file's SHA-256 too (it fixes each
    replication's draw)."""
    return {
        "command": "run",
        "scenario_sha256": scenario_hash(scenario),
        "root_seed": root_seed,
        "firm_records": firm_records,
        "posterior_sha256": posterior_sha256,
    }


def open_run_units(
    folder: str | os.PathLike[str],
    scenario: Scenario,
    root_seed: int,
    firm_records: bool,
    resume: bool,
    posterior_sha256: str | None = None,
) -> UnitStore:
    """The unit store of a run in ``folder`` (usually ``OUT/units``). With ``resume`` its
    stored replications are reused (:class:`~sim.results.units.ResumeMismatch` if the
    scenario, seed, firm records or posterior changed); without, earlier units are
    discarded."""
    identity = run_identity(scenario, root_seed, firm_records, posterior_sha256)
    return UnitStore(folder, identity, resume)


def unit_path(store: UnitStore, replication: int) -> Path:
    return store.folder / f"rep-{replication:06d}.json"


def stored_replications(store: UnitStore) -> list[int]:
    """Indexes of the replications with a unit file (whole or torn)."""
    found = []
    for path in store.folder.glob("rep-*.json"):
        digits = path.stem.removeprefix("rep-")
        if digits.isdigit():
            found.append(int(digits))
    return sorted(found)


def load_unit(store: UnitStore, replication: int) -> ReplicationOutput | None:
    """A stored replication, or None when missing, unreadable, of the wrong shape or of
    another run (the file is deleted, to be recomputed). ``RunResults.reused`` counts the
    replications loaded."""
    path = unit_path(store, replication)
    data = store.read_bytes(path.name)
    if data is None:
        return None
    try:
        output = unit_output(json.loads(data), store.run_id, replication)
    except (ValueError, TypeError, KeyError):
        output = None
    if output is None:
        path.unlink(missing_ok=True)
    return output


def unit_output(unit: Any, run_id: str, replication: int) -> ReplicationOutput | None:
    """The ReplicationOutput a parsed unit holds, if it is one of this run's, else None
    (raises TypeError, KeyError or ValueError on a wrong shape)."""
    if not isinstance(unit, dict) or unit.get("run") != run_id:
        return None
    if unit.get("replication") != replication:
        return None
    records = unit["output"]
    trajectory = [(int(y), str(name), float(v)) for y, name, v in records["trajectory"]]
    spells = [(float(a), float(b), str(kind)) for a, b, kind in records["spells"]]
    firms = [tuple(_scalar(x) for x in row) for row in records["firms"]]
    totals = {str(k): float(v) for k, v in records["totals"].items()}
    census = {str(k): int(v) for k, v in records["census"].items()}
    events = records["events"]
    if not isinstance(events, int) or isinstance(events, bool):
        raise TypeError("events must be an integer")
    return ReplicationOutput(trajectory, spells, firms, totals, census, events)


def _scalar(value: Any) -> Any:
    """A firm record's field as read back: numbers, text, booleans; nothing else."""
    if value is None or isinstance(value, bool | int | float | str):
        return math.nan if value is None else value
    raise TypeError(f"not a scalar: {type(value).__name__}")


def save_unit(store: UnitStore, replication: int, output: ReplicationOutput) -> None:
    """Store one finished replication as JSON: temporary file in the same folder, then a
    rename. Floats are written as their shortest exact text, so a resumed run's tables are
    the same to the bit."""
    path = unit_path(store, replication)
    unit = {
        "run": store.run_id,
        "replication": replication,
        "output": {
            "trajectory": output.trajectory,
            "spells": output.spells,
            "firms": output.firms,
            "totals": output.totals,
            "census": output.census,
            "events": output.events,
        },
    }
    store.write_bytes(path.name, json.dumps(unit, separators=(",", ":")).encode("utf-8"))
    store.computed += 1


def _remove_temporary_units(store: UnitStore) -> None:
    """Temporary files of unit writes cut short (a killed run): never renamed, never read."""
    for path in store.folder.glob(".rep-*.json.*"):
        path.unlink(missing_ok=True)


def run_replications(
    scenario: Scenario,
    replications: int,
    root_seed: int,
    executor: Executor | None = None,
    workers: int = 1,
    firm_records: bool = False,
    progress: Callable[[int], None] | None = None,
    store: UnitStore | None = None,
    scenario_of: Callable[[int], Scenario] | None = None,
) -> RunResults:
    """Run ``replications`` replications, in this process or through ``executor``.

    ``progress`` is called with the number of replications just finished (or loaded).
    With ``store`` (see :func:`open_run_units`), replications found there are loaded instead
    of run and every batch is stored as soon as it finishes. With ``scenario_of``,
    replication ``i`` runs ``scenario_of(i)`` (e.g. parameters drawn from a posterior)
    instead of ``scenario``; the tables still name ``scenario``.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if root_seed < 0:
        raise ValueError("the root seed must be non-negative")
    started = time.perf_counter()
    outputs: dict[int, Columns] = {}
    if store is not None:
        _remove_temporary_units(store)
        for i in stored_replications(store):
            if i < replications and (output := load_unit(store, i)) is not None:
                outputs[i] = columns_of(output)
        if outputs and progress:
            progress(len(outputs))
    reused = len(outputs)

    def finished(done: list[tuple[int, ReplicationOutput]]) -> None:
        for i, output in done:
            if store is not None:
                save_unit(store, i, output)
            outputs[i] = columns_of(output)
        if progress:
            progress(len(done))

    scenario_of = scenario_of or (lambda i: scenario)
    tasks = [(i, scenario_of(i), i) for i in range(replications) if i not in outputs]
    max_batch = STORED_MAX_BATCH if store is not None else 25
    execute(tasks, root_seed, firm_records, executor, workers, max_batch, finished)
    results = collect(scenario, root_seed, outputs, time.perf_counter() - started, firm_records)
    return dataclasses.replace(results, reused=reused)


def run_tasks(
    tasks: Sequence[tuple[Scenario, int]],
    root_seed: int,
    executor: Executor | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[ReplicationOutput]:
    """Run each (scenario, replication index) of ``tasks``: many candidates of an analysis
    at once, so that the executor's workers stay busy even with one replication each.
    Outputs come back in the order of ``tasks``."""
    outputs: dict[int, ReplicationOutput] = {}

    def finished(done: list[tuple[int, ReplicationOutput]]) -> None:
        outputs.update(done)
        if progress:
            progress(len(done))

    keyed = [(key, scenario, i) for key, (scenario, i) in enumerate(tasks)]
    execute(keyed, root_seed, False, executor, workers, 25, finished)
    return [outputs[key] for key in range(len(tasks))]


def execute(
    tasks: list[Task],
    root_seed: int,
    firm_records: bool,
    executor: Executor | None,
    workers: int,
    max_batch: int,
    finished: Callable[[list[tuple[int, ReplicationOutput]]], None],
) -> None:
    """Run ``tasks`` in batches, here or through ``executor``, handing each finished batch
    to ``finished`` as it returns (a failure or Ctrl-C cancels the rest)."""
    plan = batches_of(tasks, workers, max_batch)
    if executor is None:
        for batch in plan:
            finished(run_tasks_batch(batch, root_seed, firm_records))
        return
    # the futures not yet collected: a finished batch's future is dropped once it is handed
    # on, so that its records can be freed
    pending: set[Future] = {
        executor.submit(run_tasks_batch, batch, root_seed, firm_records) for batch in plan
    }
    try:
        for future in as_completed(pending):
            pending.discard(future)
            finished(future.result())
    except KeyboardInterrupt:
        _stop_workers(executor, list(pending))
        raise
    except BaseException:
        for future in pending:  # do not let an executor run the rest after a failure
            future.cancel()
        raise


def _stop_workers(executor: Executor, futures: list[Future]) -> None:
    """After Ctrl-C, end a process pool's workers instead of waiting for the batches they
    already hold, whose results would be thrown away (the pool is broken afterwards and
    fails its pending futures itself: cancelling them first trips Python 3.11's pool).
    Other executors get their pending futures cancelled."""
    if not isinstance(executor, ProcessPoolExecutor):
        for future in futures:
            future.cancel()
        return
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()


def collect(
    scenario: Scenario,
    root_seed: int,
    outputs: dict[int, Columns],
    wall_seconds: float,
    firm_records: bool,
) -> RunResults:
    """The records of every replication, in replication order, into DataFrames."""
    order = sorted(outputs)
    parts = [outputs[i] for i in order]
    indexes = np.array(order, dtype=np.int64)

    def replication_column(lengths: list[int]) -> np.ndarray:
        return np.repeat(indexes, lengths)

    trajectories = pd.DataFrame(
        {
            "replication": replication_column([len(p.years) for p in parts]),
            "year": np.concatenate([p.years for p in parts]),
            "indicator": np.concatenate([p.indicators for p in parts]),
            "value": np.concatenate([p.values for p in parts]),
        }
    )
    totals = pd.DataFrame(
        [
            (i, name, value)
            for i, p in zip(order, parts, strict=True)
            for name, value in p.totals.items()
        ],
        columns=["replication", "flow", "value"],
    )
    spells = pd.DataFrame(
        {
            "replication": replication_column([len(p.entered) for p in parts]),
            "entered": np.concatenate([p.entered for p in parts]),
            "duration_years": np.concatenate([p.durations for p in parts]),
            "outcome": np.concatenate([p.outcomes for p in parts]),
        }
    )
    firms = None
    if firm_records:
        firms = pd.DataFrame(
            [(i, *row) for i, p in zip(order, parts, strict=True) for row in p.firms],
            columns=["replication", *FIRM_COLUMNS],
        )
    return RunResults(
        scenario=scenario,
        root_seed=root_seed,
        replications=len(order),
        trajectories=trajectories,
        totals=totals,
        spells=spells,
        firms=firms,
        events=sum(p.events for p in parts),
        wall_seconds=wall_seconds,
    )
