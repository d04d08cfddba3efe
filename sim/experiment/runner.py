"""Replications: ``run_one(scenario, replication, root_seed)`` and many of them through any
``concurrent.futures.Executor``.

Replication ``i`` depends on ``(scenario, root_seed, i)`` alone, so results are identical
whatever executor, worker count or completion order. Replications are sent to the executor in
batches to keep per-task overhead small.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import pandas as pd

from sim.model import FIRM_COLUMNS, ReplicationOutput, build, extract, run
from sim.scenario.schema import Scenario
from sim.streams import Streams

#: Rough SimPy events per arriving or initial firm, and per simulated year (for the guard).
EVENTS_PER_FIRM = 12.0
EVENTS_PER_YEAR = 50.0


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
    wall_seconds: float


def batches(count: int, workers: int, max_batch: int = 25) -> list[list[int]]:
    """Split replication indexes into contiguous batches: several per worker for load balance."""
    if count <= 0:
        return []
    size = max(1, min(max_batch, count // max(1, 4 * workers)))
    return [list(range(start, min(count, start + size))) for start in range(0, count, size)]


def run_replications(
    scenario: Scenario,
    replications: int,
    root_seed: int,
    executor: Executor | None = None,
    workers: int = 1,
    firm_records: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RunResults:
    """Run ``replications`` replications, in this process or through ``executor``.

    ``progress`` is called with the number of replications just finished.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if root_seed < 0:
        raise ValueError("the root seed must be non-negative")
    started = time.perf_counter()
    outputs: dict[int, ReplicationOutput] = {}
    plan = batches(replications, workers)
    if executor is None:
        for batch in plan:
            for i, output in run_batch(scenario, batch, root_seed, firm_records):
                outputs[i] = output
            if progress:
                progress(len(batch))
    else:
        futures: list[Future] = [
            executor.submit(run_batch, scenario, batch, root_seed, firm_records) for batch in plan
        ]
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            done = future.result()
            for i, output in done:
                outputs[i] = output
            if progress:
                progress(len(done))
    return collect(scenario, root_seed, outputs, time.perf_counter() - started, firm_records)


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
