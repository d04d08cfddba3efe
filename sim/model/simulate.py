"""One replication of the model: ``build`` a zone with every process started, ``run`` it to
the end of the horizon, ``extract`` its records.

>>> zone = build(scenario, Streams(root_seed, replication))
>>> run(zone)
>>> output = extract(zone)
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from simpy.core import EmptySchedule, StopSimulation

from sim.model import firm as F
from sim.model.arrivals import arrivals
from sim.model.certification import cultivation_rounds, hte_rounds, sme_evaluations
from sim.model.economy import start as economy_start
from sim.model.funding import grant_calls, tech_loans, tranches
from sim.model.initial import populate
from sim.model.lifecycle import graduation_reviews, live
from sim.model.patents import exogenous_patents, patent_filings
from sim.model.platforms import platform_rounds
from sim.model.recorder import record_years, snapshot, year_ends
from sim.model.zone import Zone
from sim.scenario.schema import Scenario
from sim.streams import Streams

#: Columns of the per-firm lifecycle table (firms.csv), in order.
FIRM_COLUMNS: tuple[str, ...] = (
    "firm",
    "origin",
    "sector",
    "capability",
    "initial",
    "arrived",
    "registered",
    "carrier",
    "admitted",
    "incorporated",
    "left_carrier",
    "carrier_exit",
    "grant_yuan",
    "loan_yuan",
    "equity_yuan",
    "talent_yuan",
    "cultivation_yuan",
    "ip_bought",
    "revenue_yuan",
    "inventions",
    "other_patents",
    "hte_first",
    "sme_first",
    "exit",
    "exit_time",
)


@dataclass(frozen=True)
class ReplicationOutput:
    """What one replication produced, as flat records."""

    trajectory: list[tuple[int, str, float]]  # (year, indicator, value)
    spells: list[tuple[float, float, str]]  # arrivals' incubation: (entered, left, outcome)
    firms: list[tuple]  # rows in FIRM_COLUMNS order; empty unless requested
    totals: dict[str, float]  # run totals of every flow
    census: dict[str, int]  # where every arrival is at the end (for invariants)
    events: int  # SimPy events processed


def build(scenario: Scenario, streams: Streams, keep_firm_records: bool = False) -> Zone:
    """A zone in its initial state with every process started."""
    zone = Zone(scenario, streams, keep_firm_records)
    env = zone.env
    ends = year_ends(zone)  # before any other event: each comes first at its time
    initial_firms = populate(zone)
    zone.economy = economy_start(zone)  # economy goals (sim/model/economy.py)
    zone.records.extend(snapshot(zone, scenario.horizon.start_year, with_flows=False))
    zone.tally.close_year()
    zone.carriers.schedule_openings(zone.t0, zone.t_end)
    for firm in initial_firms:
        firm.process = env.process(live(zone, firm, []))
    for key, pool in scenario.funding.pools.items():
        env.process(tranches(zone, key, pool))
    for key, program in scenario.funding.grants.items():
        env.process(grant_calls(zone, key, program))
    env.process(tech_loans(zone))
    for key, origin in scenario.arrivals.origins.items():
        env.process(arrivals(zone, key, origin))
    env.process(graduation_reviews(zone))
    env.process(cultivation_rounds(zone))
    env.process(hte_rounds(zone))
    env.process(sme_evaluations(zone))
    env.process(exogenous_patents(zone))
    env.process(patent_filings(zone))
    if scenario.platforms is not None:  # platform goals (sim/model/platforms.py)
        env.process(platform_rounds(zone))
    zone.recorder = env.process(record_years(zone, ends))
    return zone


#: Allocations between collections of the youngest generation while a replication runs.
GC_THRESHOLD = 100_000

_gc_lock = threading.Lock()
_gc_runs = 0  # replications running now (in this process's threads)
_gc_saved: tuple[int, ...] = ()


@contextmanager
def _rare_collections() -> Iterator[None]:
    """Raise the garbage collector's first threshold to ``GC_THRESHOLD`` while replications
    run (in any thread), then put it back."""
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            _gc_saved = gc.get_threshold()
            if 0 < _gc_saved[0] < GC_THRESHOLD:
                gc.set_threshold(GC_THRESHOLD, *_gc_saved[1:])
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0:
                gc.set_threshold(*_gc_saved)


def run(zone: Zone) -> None:
    """Simulate to the end of the horizon (the last yearly snapshot), counting events.

    While it runs, Python's cyclic garbage collector runs less often (see
    ``_rare_collections``): a run makes many long-lived objects (firms, their processes) and
    almost no cyclic garbage, so frequent collections only traverse live objects again and
    again (a fifth of the time of a large run). Collection does not touch the model's state,
    so results do not depend on it.
    """
    env = zone.env
    step = env.step
    zone.recorder.callbacks.append(StopSimulation.callback)
    count = 0
    with _rare_collections():
        try:
            while True:
                step()
                count += 1
        except StopSimulation:
            count += 1  # the step that ended the recorder
        except EmptySchedule:
            pass
    zone.events_processed += count


def census(zone: Zone) -> dict[str, int]:
    """Where the arrivals are now: waiting, in carriers, in the enterprise base, or gone."""
    counts = dict.fromkeys(("waiting", "in_carriers", "in_base", "gone"), 0)
    for firm in zone.alive.values():
        if firm.initial:
            continue
        if firm.stage == F.WAITING:
            counts["waiting"] += 1
        elif firm.stage in (F.TEAM, F.INCUBATING):
            counts["in_carriers"] += 1
        elif firm.stage == F.ENTERPRISE:
            counts["in_base"] += 1
    counts["waiting"] += sum(1 for firm in zone.carriers.waiting if firm.id not in zone.alive)
    counts["gone"] = zone.gone_arrivals
    return counts


def firm_row(firm: F.Firm, at: float) -> tuple:
    funding = firm.funding_yuan
    return (
        firm.id,
        firm.origin,
        firm.sector,
        round(firm.capability, 6),
        firm.initial,
        firm.arrived,
        firm.registered if math.isfinite(firm.registered) else math.nan,
        firm.first_carrier,
        firm.admitted,
        firm.incorporated,
        firm.left_carrier,
        firm.carrier_exit,
        funding.get("grant", 0.0),
        funding.get("loan", 0.0),
        funding.get("equity", 0.0),
        funding.get("talent", 0.0),
        funding.get("cultivation", 0.0),
        firm.ip_bought,
        round(firm.revenue(at), 2) if firm.stage != F.GONE else 0.0,
        firm.inventions,
        firm.other_patents,
        firm.hte_first,
        firm.sme_first,
        firm.exit,
        firm.exit_time,
    )


def extract(zone: Zone) -> ReplicationOutput:
    """Flat records of a finished replication."""
    firms: list[tuple] = []
    if zone.keep_firm_records:
        logged = {firm.id: firm for firm in zone.firm_log}
        logged.update(zone.alive)
        logged.update((firm.id, firm) for firm in zone.carriers.waiting)
        firms = [firm_row(logged[key], zone.t_end) for key in sorted(logged)]
    still = [
        (firm.incubated, zone.t_end, "censored")
        for firm in zone.alive.values()
        if firm.stage == F.INCUBATING and not firm.initial
    ]
    return ReplicationOutput(
        trajectory=list(zone.records),
        spells=zone.spells + still,
        firms=firms,
        totals=dict(zone.tally.totals),
        census=census(zone),
        events=zone.events_processed,
    )
