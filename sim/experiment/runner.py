"""Replications: ``run_one(scenario, replication, root_seed)`` and many of them through any
``concurrent.futures.Executor``.

Replication ``i`` depends on ``(scenario, root_seed, i)`` alone, so results are identical
whatever executor, worker count or completion order. Replications are sent to the executor in
batches to keep per-task overhead small.

With a :class:`~sim.experiment.units.UnitStore`, every finished replication is also kept on
disk as its own unit file, ``rep-NNNNNN.pkl`` (the pickled ``(i, ReplicationOutput)``, written
to a temporary file and renamed), as soon as its batch returns; replications already stored are
loaded instead of run. Since a replication does not depend on the batch it ran in, an
interrupted run resumes with any worker count or engine, and with more replications than
before, and gives the same tables as an uninterrupted one. Unit files are read with
:mod:`pickle`: only resume from folders this program wrote.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.store import scenario_hash, write_bytes_atomic
from sim.experiment.units import UnitStore
from sim.model import FIRM_COLUMNS, ReplicationOutput, build, extract, run
from sim.scenario.schema import Scenario
from sim.streams import Streams

#: Rough SimPy events per arriving or initial firm, and per simulated year (for the guard).
EVENTS_PER_FIRM = 12.0
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


def run_batch(
    scenario: Scenario, replications: Sequence[int], root_seed: int, firm_records: bool
) -> list[tuple[int, ReplicationOutput]]:
    """Several replications in one task (what an executor runs)."""
    return [(i, run_one(scenario, i, root_seed, firm_records)) for i in replications]


def expected_events(scenario: Scenario) -> float:
    """Estimate of the SimPy events of one replication, from analytic arrival counts."""
    init = scenario.initial_state
    initial = init.enterprise_base_firms + sum(o.firms + o.teams for o in init.carriers.values())
    years = scenario.horizon.end_year - scenario.horizon.start_year
    return EVENTS_PER_FIRM * (scenario.expected_arrivals() + initial) + EVENTS_PER_YEAR * years


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


def batches_of(indexes: Sequence[int], workers: int, max_batch: int = 25) -> list[list[int]]:
    """Split the given replication indexes (in order) into batches, as :func:`batches`."""
    size = max(1, min(max_batch, len(indexes) // max(1, 4 * workers)))
    return [list(indexes[start : start + size]) for start in range(0, len(indexes), size)]


# ----------------------------------------------------------------------------- unit files
def run_identity(scenario: Scenario, root_seed: int, firm_records: bool) -> dict[str, Any]:
    """What the stored replications of ``run`` depend on (not their count: a resumed run may
    ask for more)."""
    return {
        "command": "run",
        "scenario_sha256": scenario_hash(scenario),
        "root_seed": root_seed,
        "firm_records": firm_records,
    }


def open_run_units(
    folder: str | os.PathLike[str],
    scenario: Scenario,
    root_seed: int,
    firm_records: bool,
    resume: bool,
) -> UnitStore:
    """The unit store of a run in ``folder`` (usually ``OUT/units``). With ``resume`` its
    stored replications are reused (:class:`~sim.experiment.units.ResumeMismatch` if the
    scenario, seed or firm records changed); without, earlier units are discarded."""
    return UnitStore(folder, run_identity(scenario, root_seed, firm_records), resume)


def unit_path(store: UnitStore, replication: int) -> Path:
    return store.folder / f"rep-{replication:06d}.pkl"


def stored_replications(store: UnitStore) -> list[int]:
    """Indexes of the replications with a unit file (whole or torn)."""
    found = []
    for path in store.folder.glob("rep-*.pkl"):
        digits = path.stem.removeprefix("rep-")
        if digits.isdigit():
            found.append(int(digits))
    return sorted(found)


def load_unit(store: UnitStore, replication: int) -> ReplicationOutput | None:
    """A stored replication, or None when missing or unreadable (a torn file is deleted, to
    be recomputed). ``RunResults.reused`` counts the replications loaded."""
    path = unit_path(store, replication)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        data = b""
    try:
        index, output = pickle.loads(data)
        whole = index == replication and isinstance(output, ReplicationOutput)
    except Exception:  # noqa: BLE001 - a torn pickle raises almost anything
        whole = False
    if not whole:
        path.unlink(missing_ok=True)
        return None
    return output


def save_unit(store: UnitStore, replication: int, output: ReplicationOutput) -> None:
    """Store one finished replication: temporary file in the same folder, then a rename."""
    path = unit_path(store, replication)
    data = pickle.dumps((replication, output), protocol=pickle.HIGHEST_PROTOCOL)
    write_bytes_atomic(path, data)
    store.computed += 1


def _remove_temporary_units(store: UnitStore) -> None:
    """Temporary files of unit writes cut short (a killed run): never renamed, never read."""
    for path in store.folder.glob(".rep-*.pkl.*"):
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
) -> RunResults:
    """Run ``replications`` replications, in this process or through ``executor``.

    ``progress`` is called with the number of replications just finished (or loaded).
    With ``store`` (see :func:`open_run_units`), replications found there are loaded instead
    of run and every batch is stored as soon as it finishes.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if root_seed < 0:
        raise ValueError("the root seed must be non-negative")
    started = time.perf_counter()
    outputs: dict[int, ReplicationOutput] = {}
    if store is not None:
        _remove_temporary_units(store)
        for i in stored_replications(store):
            if i < replications and (output := load_unit(store, i)) is not None:
                outputs[i] = output
        if outputs and progress:
            progress(len(outputs))
    reused = len(outputs)

    def finished(done: list[tuple[int, ReplicationOutput]]) -> None:
        for i, output in done:
            if store is not None:
                save_unit(store, i, output)
            outputs[i] = output
        if progress:
            progress(len(done))

    missing = [i for i in range(replications) if i not in outputs]
    plan = batches_of(missing, workers, STORED_MAX_BATCH if store is not None else 25)
    if executor is None:
        for batch in plan:
            finished(run_batch(scenario, batch, root_seed, firm_records))
    else:
        futures: list[Future] = [
            executor.submit(run_batch, scenario, batch, root_seed, firm_records) for batch in plan
        ]
        try:
            for future in as_completed(futures):
                finished(future.result())
        except KeyboardInterrupt:
            _stop_workers(executor, futures)
            raise
        except BaseException:
            for future in futures:  # do not let an executor run the rest after a failure
                future.cancel()
            raise
    results = collect(scenario, root_seed, outputs, time.perf_counter() - started, firm_records)
    return dataclasses.replace(results, reused=reused)


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
    outputs: dict[int, ReplicationOutput],
    wall_seconds: float,
    firm_records: bool,
) -> RunResults:
    """Flat records of every replication, in replication order, into DataFrames."""
    order = sorted(outputs)
    trajectories = pd.DataFrame(
        [(i, year, name, value) for i in order for (year, name, value) in outputs[i].trajectory],
        columns=["replication", "year", "indicator", "value"],
    )
    totals = pd.DataFrame(
        [(i, name, value) for i in order for name, value in outputs[i].totals.items()],
        columns=["replication", "flow", "value"],
    )
    spells = pd.DataFrame(
        [
            (i, entered, left - entered, outcome)
            for i in order
            for (entered, left, outcome) in outputs[i].spells
        ],
        columns=["replication", "entered", "duration_years", "outcome"],
    )
    firms = None
    if firm_records:
        firms = pd.DataFrame(
            [(i, *row) for i in order for row in outputs[i].firms],
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
        events=sum(outputs[i].events for i in order),
        wall_seconds=wall_seconds,
    )
