"""Benchmark suite of zonesim: prints one table and writes ``benchmarks/results.json``.

    python benchmarks/run_benchmarks.py          # full suite: 1,000 replications (long)
    python benchmarks/run_benchmarks.py --quick  # smoke test, under a minute
    python benchmarks/run_benchmarks.py --replications 200 --serial-replications 50

Sections, all measured in the same run:

1. raw SimPy throughput: one process yielding ``env.timeout`` in a loop (the reference), and
   for context the same at the model's depth (as many processes as the baseline keeps events
   pending) and the cheapest possible firm (an exponential clock and a three-way draw);
2. the model's SimPy events per second on the baseline (``run_one``) and its ratio to (1);
3. wall time of one baseline replication and of N replications with a 2-process pool;
4. parallel efficiency from 1 to 2 workers;
5. cost growth with 1x, 2x, 4x, 8x the baseline's arrival rates (and carrier areas), each
   replication in a fresh subprocess for a clean peak RSS, repeated (median taken), with the
   log-log exponent and the peak memory per live firm;
6. Dask LocalCluster overhead against the process pool on the same N replications
   (``--dask local``'s engine, ``open_engine(2, "local")``), with a check that the
   trajectories are identical (skipped when Dask is missing);
7. one replication of ``scenarios/stress_10x.yaml``.

Targets are reported PASS or FAIL; a missed target does not fail the script.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import simpy
from simpy.core import EmptySchedule, StopSimulation

from sim.experiment.engines import open_engine
from sim.experiment.runner import expected_events, run_one, run_replications
from sim.model import build, extract, run
from sim.scenario import load_scenario
from sim.scenario.loader import read_tree
from sim.scenario.schema import Scenario, cross_check
from sim.streams import Streams

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
STRESS = ROOT / "scenarios" / "stress_10x.yaml"
RESULTS = ROOT / "benchmarks" / "results.json"

WORKERS = 2
SEED = 2018
DASK_MISSING = "dask not installed: pip install zonesim[cluster]"

# Targets
RATIO_TARGET = 0.6  # model events/s over raw SimPy events/s
THOUSAND_TARGET_S = 60.0  # 1,000 baseline replications with 2 workers
EFFICIENCY_TARGET = 0.9  # T1 / (2 T2)
EXPONENT_TARGET = 1.1  # time ~ factor ** exponent


@dataclass(frozen=True)
class Config:
    """Sizes of one benchmark run."""

    quick: bool
    raw_timeouts: int  # timeouts in the raw SimPy loop
    raw_repeats: int  # runs of the raw loop (median taken)
    event_replications: int  # baseline replications timed one by one in this process
    replications: int  # N, run with 2 workers
    serial_replications: int  # N1 <= N, run with 1 worker (scaled to N by events)
    factors: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    growth_repeats: int = 3  # subprocess runs per size in section 5 (median taken)
    end_year: int | None = None  # horizon end for sections 5 and 7 (None: the scenario's)


def make_config(args: argparse.Namespace) -> Config:
    if args.quick:
        n = args.replications or 16
        return Config(
            quick=True,
            raw_timeouts=100_000,
            raw_repeats=3,
            event_replications=3,
            replications=n,
            serial_replications=min(n, args.serial_replications or max(1, n // 2)),
            growth_repeats=1,
            end_year=2024,
        )
    n = args.replications or 1000
    return Config(
        quick=False,
        raw_timeouts=500_000,
        raw_repeats=3,
        event_replications=5,
        replications=n,
        serial_replications=min(n, args.serial_replications or max(1, n // 5)),
    )


# --------------------------------------------------------------------------- table rows


@dataclass
class Report:
    """Table rows and the measurements behind them."""

    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    started: float = field(default_factory=time.perf_counter)

    def mark(self, step: str) -> None:
        """Log the step starting (stderr) and keep when it started and the load average then
        (another process competing for the cores shows there)."""
        print(f"[bench] {step}", file=sys.stderr, flush=True)
        self.data.setdefault("timeline", []).append(
            {
                "step": step,
                "at_seconds": round(time.perf_counter() - self.started, 2),
                "load_average": load_average(),
            }
        )

    def row(self, section: str, what: str, value: str, target: str = "", status: str = "") -> None:
        self.rows.append((section, what, value, target, status))

    def table(self) -> str:
        header = ("section", "measurement", "value", "target", "status")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(5)]
        line = "  ".join("-" * w for w in widths)

        def fmt(r: tuple[str, ...]) -> str:
            cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2])]
            cells += [r[3].ljust(widths[3]), r[4].ljust(widths[4])]
            return "  ".join(cells).rstrip()

        out, last = [fmt(header), line], None
        for r in self.rows:
            shown = r if r[0] != last else ("", *r[1:])
            last = r[0]
            out.append(fmt(shown))
        return "\n".join(out)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for text in handle:
                if text.startswith("model name"):
                    cpu = text.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "simpy": simpy.__version__,
        "zonesim": version("zonesim"),
        "dask": version("dask"),
        "distributed": version("distributed"),
        "load_average_start": load_average(),
        "git_commit": git_commit(),
    }


def git_commit() -> str | None:
    """The checked-out commit (with ``-dirty`` when tracked files differ), if known."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --------------------------------------------------------------------------- scenarios


def baseline() -> Scenario:
    return load_scenario(BASELINE)


def validated(data: dict[str, Any]) -> Scenario:
    """A scenario from merged data: schema validation and the cross-checks."""
    scenario = Scenario.model_validate(data)
    problems = cross_check(scenario)
    if problems:
        raise ValueError(f"scaled scenario fails its cross-checks: {problems}")
    return scenario


def scaled_baseline(factor: float, end_year: int | None = None) -> Scenario:
    """The baseline with every origin's rate and every carrier's area and expansions times
    ``factor`` (so the zone takes the extra arrivals in rather than turning them away)."""
    data = copy.deepcopy(read_tree(BASELINE).data)
    data["name"] = f"baseline_x{factor:g}"
    for origin in data["arrivals"]["origins"].values():
        origin["rate_per_year"] = origin["rate_per_year"] * factor
    for carrier in data["carriers"].values():
        carrier["area_m2"] = carrier["area_m2"] * factor
        for expansion in carrier.get("expansions", []):
            expansion["add_m2"] = expansion["add_m2"] * factor
    if end_year is not None:
        data["horizon"]["end_year"] = end_year
    return validated(data)


def stress_scenario(end_year: int | None = None) -> Scenario:
    if end_year is None:
        return load_scenario(STRESS)
    data = copy.deepcopy(read_tree(STRESS).data)
    data["horizon"]["end_year"] = end_year
    return validated(data)


# --------------------------------------------------------------------------- measurements


def raw_simpy(timeouts: int, repeats: int) -> dict[str, Any]:
    """Events per second of one process yielding ``env.timeout`` in a loop."""

    def loop(env: simpy.Environment, n: int):
        timeout = env.timeout
        for _ in range(n):
            yield timeout(1.0)

    rates = []
    for _ in range(repeats):
        env = simpy.Environment()
        env.process(loop(env, timeouts))
        started = time.perf_counter()
        env.run()
        rates.append(timeouts / (time.perf_counter() - started))
    return {
        "timeouts": timeouts,
        "repeats": repeats,
        "events_per_second": statistics.median(rates),
        "all_events_per_second": rates,
    }


def pending_depth(scenario: Scenario) -> dict[str, Any]:
    """How many events the baseline keeps pending in SimPy's queue (mean and maximum over the
    steps of replication 0): the depth at which its events are scheduled. Reads the queue of
    ``simpy.Environment`` (``_queue``), which SimPy does not expose otherwise."""
    zone = build(scenario, Streams(SEED, 0))
    env = zone.env
    zone.recorder.callbacks.append(StopSimulation.callback)
    total = steps = deepest = 0
    try:
        while True:
            depth = len(env._queue)
            total += depth
            deepest = max(deepest, depth)
            steps += 1
            env.step()
    except (StopSimulation, EmptySchedule):
        pass
    return {"mean": total / steps, "max": deepest, "steps": steps}


def raw_simpy_at_depth(
    processes: int, timeouts: int, repeats: int, firm: bool = False
) -> dict[str, Any]:
    """Events per second of ``processes`` processes each yielding ``env.timeout`` with
    exponential delays (drawn beforehand), so that ``processes`` events are always pending.
    With ``firm``, each wake-up also does the least a firm with competing clocks does: draw
    its next clock from a stream and pick which of three clocks rang with a uniform."""
    per_process = max(1, timeouts // processes)
    rng = np.random.default_rng(SEED)

    def loop(env: simpy.Environment, delays: list[float]):
        timeout = env.timeout
        for delay in delays:
            yield timeout(delay)

    def minimal_firm(env: simpy.Environment, delays: list[float], uniforms: list[float]):
        timeout = env.timeout
        hazard, filing, equity = 0.1, 0.5, 0.05  # per year
        total = hazard + filing + equity
        draws = iter(uniforms)
        outcomes = [0, 0, 0]
        for delay in delays:
            yield timeout(delay / total)
            u = next(draws) * total
            if u < hazard:
                outcomes[0] += 1
            elif u < hazard + filing:
                outcomes[1] += 1
            else:
                outcomes[2] += 1

    rates = []
    for _ in range(repeats):
        env = simpy.Environment()
        for _ in range(processes):
            delays = rng.standard_exponential(per_process).tolist()
            if firm:
                env.process(minimal_firm(env, delays, rng.random(per_process).tolist()))
            else:
                env.process(loop(env, delays))
        while env.peek() == env.now:  # start every process: not counted as events
            env.step()
        started = time.perf_counter()
        env.run()
        rates.append(processes * per_process / (time.perf_counter() - started))
    return {
        "processes": processes,
        "timeouts": processes * per_process,
        "repeats": repeats,
        "minimal_firm": firm,
        "events_per_second": statistics.median(rates),
        "all_events_per_second": rates,
    }


def model_throughput(scenario: Scenario, replications: int) -> dict[str, Any]:
    """``run_one`` on replications 0..k-1 in this process: events from the outputs / wall time."""
    runs = []
    for i in range(replications):
        started = time.perf_counter()
        output = run_one(scenario, i, SEED)
        runs.append(
            {"replication": i, "events": output.events, "seconds": time.perf_counter() - started}
        )
    events = sum(r["events"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {
        "replications": replications,
        "events": events,
        "seconds": seconds,
        "events_per_second": events / seconds,
        "runs": runs,
    }


def digest(table: pd.DataFrame) -> str:
    """SHA-256 of a table's values, index and dtypes: equal digests, identical tables."""
    hashed = pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes()
    return hashlib.sha256(hashed + str(list(table.dtypes)).encode()).hexdigest()


def pool_run(scenario: Scenario, replications: int, workers: int) -> dict[str, Any]:
    """``run_replications`` through a fresh ProcessPoolExecutor (start-up included in
    ``seconds``; shut-down timed apart), and the digest of the trajectories."""
    pool = ProcessPoolExecutor(max_workers=workers)
    peak_before, _ = peak_rss_mb()
    try:
        started = time.perf_counter()
        results = run_replications(scenario, replications, SEED, executor=pool, workers=workers)
        seconds = time.perf_counter() - started
        peak_after, _ = peak_rss_mb()
    finally:
        stopping = time.perf_counter()
        pool.shutdown()
        shutdown = time.perf_counter() - stopping
    return {
        "workers": workers,
        "replications": replications,
        "seconds": seconds,
        "shutdown_seconds": shutdown,
        # growth of this (parent) process's high-water mark: the results of every replication
        # collected into tables (meaningful for the suite's first run, section 3)
        "parent_peak_rss_before_mb": peak_before,
        "parent_peak_rss_growth_mb": peak_after - peak_before,
        "events": results.events,
        "trajectories_sha256": digest(results.trajectories),
    }


def dask_run(scenario: Scenario, replications: int) -> dict[str, Any]:
    """``run_replications`` on the engine of ``run --dask local -w 2``
    (``open_engine(2, "local")``: a LocalCluster of 2 single-threaded worker processes and
    its client's executor), with the cluster's start-up and close timed apart, and the digest
    of the trajectories. Raises EngineError when Dask is missing."""
    started = time.perf_counter()
    with open_engine(WORKERS, "local") as engine:
        ready = time.perf_counter()
        results = run_replications(
            scenario, replications, SEED, executor=engine.executor, workers=engine.workers
        )
        finished = time.perf_counter()
    closed = time.perf_counter()
    return {
        "engine": engine.label,
        "workers": engine.workers,
        "replications": replications,
        "seconds": finished - ready,
        "cluster_startup_seconds": ready - started,
        "cluster_close_seconds": closed - finished,
        "events": results.events,
        "trajectories_sha256": digest(results.trajectories),
    }


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """One replication in this (fresh) process: time, events and peak RSS."""
    if spec["kind"] == "scaled":
        scenario = scaled_baseline(spec["factor"], spec.get("end_year"))
    else:
        scenario = stress_scenario(spec.get("end_year"))
    before, _ = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    zone = build(scenario, Streams(SEED, 0))  # run_one(scenario, 0, SEED), keeping the zone
    run(zone)
    output = extract(zone)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak, source = peak_rss_mb()
    live = len(zone.alive) + sum(1 for firm in zone.carriers.waiting if firm.id not in zone.alive)
    return {
        **spec,
        "scenario": scenario.name,
        "horizon": [scenario.horizon.start_year, scenario.horizon.end_year],
        "expected_arrivals": scenario.expected_arrivals(),
        "expected_events": expected_events(scenario),
        "events": output.events,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "events_per_second": output.events / seconds,
        "live_firms_at_end": live,
        "firms_created": zone.new_id() - 1,
        "rss_before_run_mb": before,
        "peak_rss_mb": peak,
        "run_rss_growth_mb": peak - before,
        "rss_source": source,
    }


def peak_rss_mb() -> tuple[float, str]:
    """This process's peak resident set size (MB) and where it was read.

    Linux: ``VmHWM`` of /proc/self/status, the high-water mark of this process's own memory
    map. ``ru_maxrss`` is only the fallback: on Linux it survives ``exec``, so a child forked
    from a large parent reports the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for text in handle:
                if text.startswith("VmHWM:"):
                    return int(text.split()[1]) / 2**10, "VmHWM"
    except (OSError, ValueError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak / 2**20 if sys.platform == "darwin" else peak / 2**10), "ru_maxrss"


def in_subprocess(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark subprocess {spec} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cost_at_size(factor: float, end_year: int | None, repeats: int) -> dict[str, Any]:
    """One replication of the scaled baseline in ``repeats`` fresh subprocesses: the run with
    the median wall time, with every run's wall and CPU time kept."""
    spec = {"kind": "scaled", "factor": factor, "end_year": end_year}
    runs = sorted((in_subprocess(spec) for _ in range(repeats)), key=lambda r: r["seconds"])
    chosen = dict(runs[len(runs) // 2])
    chosen["all_seconds"] = [r["seconds"] for r in runs]
    chosen["all_cpu_seconds"] = [r["cpu_seconds"] for r in runs]
    chosen["cpu_seconds"] = statistics.median(chosen["all_cpu_seconds"])
    live = chosen["live_firms_at_end"]
    chosen["rss_growth_mb_per_1000_live"] = 1000 * chosen["run_rss_growth_mb"] / max(1, live)
    return chosen


#: What a process-pool or Dask worker imports to run replications, the package's front door,
#: and the command line (plots and analyses included), for comparison.
STARTUP_IMPORTS = ("sim.experiment.runner", "sim", "sim.cli")


def import_seconds(module: str, repeats: int) -> float:
    """Median wall time of a fresh interpreter importing ``module`` (interpreter start
    included)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - started)
    return float(statistics.median(times))


def loglog_slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# --------------------------------------------------------------------------- the suite


def run_suite(config: Config, report: Report) -> None:
    data = report.data
    scenario = baseline()
    n, n1 = config.replications, config.serial_replications
    horizon = f"{scenario.horizon.start_year}-{scenario.horizon.end_year}"

    report.mark(f"1. raw SimPy: {config.raw_timeouts:,} timeouts x {config.raw_repeats}")
    raw = raw_simpy(config.raw_timeouts, config.raw_repeats)
    data["1_raw_simpy"] = raw
    report.row(
        "1 raw SimPy",
        f"events/s, {config.raw_timeouts:,} timeouts (median of {config.raw_repeats})",
        f"{raw['events_per_second']:,.0f}",
    )

    depth = pending_depth(scenario)
    processes = round(depth["mean"])
    deep = raw_simpy_at_depth(processes, config.raw_timeouts, config.raw_repeats)
    firm = raw_simpy_at_depth(processes, config.raw_timeouts, config.raw_repeats, firm=True)
    raw.update({"baseline_pending_events": depth, "at_depth": deep, "minimal_firm": firm})
    report.row(
        "1 raw SimPy",
        f"events/s, {processes:,} processes (the baseline's mean pending events)",
        f"{deep['events_per_second']:,.0f}",
    )
    report.row(
        "1 raw SimPy",
        "  ratio to 1 process: the ceiling of (2) at the baseline's depth",
        f"{deep['events_per_second'] / raw['events_per_second']:.3f}",
    )
    report.row(
        "1 raw SimPy",
        f"events/s, {processes:,} minimal firms (exponential clock, 3-way draw)",
        f"{firm['events_per_second']:,.0f}",
    )
    report.row(
        "1 raw SimPy",
        "  ratio to 1 process",
        f"{firm['events_per_second'] / raw['events_per_second']:.3f}",
    )

    report.mark(f"2. model events/s: {config.event_replications} baseline replications")
    model = model_throughput(scenario, config.event_replications)
    ratio = model["events_per_second"] / raw["events_per_second"]
    model["ratio_to_raw"] = ratio
    model["ratio_to_raw_at_depth"] = model["events_per_second"] / deep["events_per_second"]
    data["2_model_throughput"] = model
    per_rep = model["events"] / config.event_replications
    report.row(
        "2 model events/s",
        f"events/s, {config.event_replications} baseline reps ({per_rep:,.0f} events each)",
        f"{model['events_per_second']:,.0f}",
    )
    report.row(
        "2 model events/s",
        "ratio to raw SimPy",
        f"{ratio:.3f}",
        f">= {RATIO_TARGET}",
        verdict(ratio >= RATIO_TARGET),
    )
    report.row(
        "2 model events/s",
        f"ratio to raw SimPy at the same depth ({processes:,} processes)",
        f"{model['ratio_to_raw_at_depth']:.3f}",
    )

    report.mark(f"3. {n} baseline replications, {WORKERS} workers")
    one = statistics.median(r["seconds"] for r in model["runs"])
    two = pool_run(scenario, n, WORKERS)
    projected = two["seconds"] * 1000 / n
    data["3_wall_time"] = {
        "one_replication_seconds_median": one,
        "one_replication_seconds": [r["seconds"] for r in model["runs"]],
        "horizon": horizon,
        "pool": two,
        "projected_1000_seconds": projected,
        "projected": n != 1000,
    }
    report.row("3 wall time", f"1 replication, {horizon} (median of section 2)", f"{one:.2f} s")
    if n != 1000:
        report.row(
            "3 wall time",
            f"{n:,} replications, ProcessPoolExecutor({WORKERS})",
            f"{two['seconds']:.1f} s",
        )
    label = f"1,000 replications, ProcessPoolExecutor({WORKERS})"
    report.row(
        "3 wall time",
        label if n == 1000 else f"1,000 replications (projected from {n:,})",
        f"{projected:.1f} s",
        f"<= {THOUSAND_TARGET_S:.0f} s",
        verdict(projected <= THOUSAND_TARGET_S),
    )

    report.row(
        "3 wall time",
        f"  the parent's peak RSS growth collecting the {n:,} replications",
        f"{two['parent_peak_rss_growth_mb']:.0f} MB",
    )
    # what 1,000 would take if every event of the model cost no more than a minimal firm's at
    # the same depth (section 1), perfectly shared by the workers: a floor for this event count
    floor = per_rep * 1000 / firm["events_per_second"] / WORKERS
    data["3_wall_time"]["floor_1000_seconds_minimal_firm_events"] = floor
    report.row(
        "3 wall time",
        f"  floor: 1,000 x {per_rep:,.0f} events at the minimal firm's rate (1), {WORKERS} workers",
        f"{floor:.1f} s",
    )

    report.mark(f"4. {n1} baseline replications, 1 worker")
    single = pool_run(scenario, n1, 1)
    # scale T1 to the N replications' events (replications differ in cost)
    t1 = single["seconds"] * two["events"] / single["events"]
    efficiency = t1 / (WORKERS * two["seconds"])
    data["4_parallel_efficiency"] = {
        "one_worker": single,
        "t1_scaled_seconds": t1,
        "t2_seconds": two["seconds"],
        "efficiency": efficiency,
    }
    report.row(
        "4 parallel eff.",
        f"{n1:,} replications, ProcessPoolExecutor(1)",
        f"{single['seconds']:.1f} s",
    )
    scaled_note = "T1 (scaled by events)" if n1 != n else "T1"
    report.row(
        "4 parallel eff.",
        f"efficiency {scaled_note} / (2 T2)",
        f"{efficiency:.2f}",
        f">= {EFFICIENCY_TARGET}",
        verdict(efficiency >= EFFICIENCY_TARGET),
    )

    end = config.end_year
    span = f"{scenario.horizon.start_year}-{end or scenario.horizon.end_year}"
    report.mark(f"5. cost growth, factors {config.factors}, horizon {span}, one subprocess each")
    sizes = [cost_at_size(f, end, config.growth_repeats) for f in config.factors]
    factors = [s["factor"] for s in sizes]
    exponent = loglog_slope(factors, [s["seconds"] for s in sizes])
    cpu_exponent = loglog_slope(factors, [s["cpu_seconds"] for s in sizes])
    event_exponent = loglog_slope(factors, [s["events"] for s in sizes])
    data["5_cost_growth"] = {
        "horizon": span,
        "repeats": config.growth_repeats,
        "sizes": sizes,
        "time_exponent": exponent,
        "cpu_time_exponent": cpu_exponent,
        "events_exponent": event_exponent,
    }
    runs = f"median of {config.growth_repeats}" if config.growth_repeats > 1 else "1 run"
    for s in sizes:
        report.row(
            "5 cost growth",
            f"{s['factor']:g}x, {span} ({runs}): time, events, peak RSS (growth)",
            f"{s['seconds']:.2f} s, {s['events']:,}, "
            f"{s['peak_rss_mb']:.0f} MB (+{s['run_rss_growth_mb']:.0f})",
        )
    report.row(
        "5 cost growth",
        "peak RSS growth per 1,000 live firms at the end, 1x .. 8x",
        ", ".join(f"{s['rss_growth_mb_per_1000_live']:.1f}" for s in sizes) + " MB",
    )
    report.row("5 cost growth", "events ~ factor^k: k", f"{event_exponent:.2f}")
    report.row("5 cost growth", "CPU time ~ factor^k: k", f"{cpu_exponent:.2f}")
    report.row(
        "5 cost growth",
        "time ~ factor^k: k (log-log fit)",
        f"{exponent:.2f}",
        f"<= {EXPONENT_TARGET}",
        verdict(exponent <= EXPONENT_TARGET),
    )

    report.mark(f"6. dask: {n} baseline replications on a LocalCluster of {WORKERS} workers")
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        data["6_dask"] = {"skipped": DASK_MISSING}
        report.row("6 dask", "LocalCluster(2 workers) vs process pool", "skipped", "", DASK_MISSING)
    else:
        dask = dask_run(scenario, n)
        pool = two["seconds"] + two["shutdown_seconds"]
        whole = dask["cluster_startup_seconds"] + dask["seconds"] + dask["cluster_close_seconds"]
        identical = dask["trajectories_sha256"] == two["trajectories_sha256"]
        dask.update(
            {
                "process_pool": two,
                "run_ratio": dask["seconds"] / two["seconds"],
                "whole_ratio": whole / pool,
                "identical_trajectories": identical,
            }
        )
        data["6_dask"] = dask
        report.row(
            "6 dask",
            f"{n:,} replications, ProcessPoolExecutor(2) (section 3): run, shut-down",
            f"{two['seconds']:.1f} s, {two['shutdown_seconds']:.1f} s",
        )
        report.row(
            "6 dask",
            f"{n:,} replications, LocalCluster(2) (--dask local): start, run, close",
            f"{dask['cluster_startup_seconds']:.1f} s, {dask['seconds']:.1f} s, "
            f"{dask['cluster_close_seconds']:.1f} s",
        )
        report.row("6 dask", "Dask / process pool: run only", f"{dask['run_ratio']:.2f}")
        report.row(
            "6 dask",
            "Dask / process pool: with start and close (overhead ratio)",
            f"{dask['whole_ratio']:.2f}",
        )
        report.row(
            "6 dask",
            "trajectories identical (SHA-256 of the table)",
            "yes" if identical else "NO",
            "identical",
            verdict(identical),
        )

    report.mark(f"7. stress_10x, horizon {span}")
    stress = in_subprocess({"kind": "stress", "end_year": end})
    data["7_stress_10x"] = stress
    report.row("7 stress_10x", f"1 replication, {span}: time", f"{stress['seconds']:.2f} s")
    report.row(
        "7 stress_10x",
        "events (analytic estimate)",
        f"{stress['events']:,} ({stress['expected_events']:,.0f})",
    )
    report.row("7 stress_10x", "events/s", f"{stress['events_per_second']:,.0f}")
    report.row(
        "7 stress_10x",
        "peak RSS (growth during the run)",
        f"{stress['peak_rss_mb']:.0f} MB (+{stress['run_rss_growth_mb']:.0f})",
    )

    report.mark("8. worker start-up: imports of a fresh process")
    startup = {module: import_seconds(module, repeats=5) for module in STARTUP_IMPORTS}
    data["8_worker_startup"] = startup
    for module, seconds in startup.items():
        report.row(
            "8 worker start-up", f"python -c 'import {module}' (median of 5)", f"{seconds:.2f} s"
        )


def profile(replications: int, top: int = 15) -> None:
    """cProfile of ``run_one`` on baseline replications 0..k-1: the top functions by tottime."""
    import cProfile
    import io
    import pstats

    scenario = baseline()
    profiler = cProfile.Profile()
    profiler.enable()
    events = sum(run_one(scenario, i, SEED).events for i in range(replications))
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    text = stream.getvalue().replace(sysconfig.get_paths()["purelib"] + os.sep, "")
    text = text.replace(str(ROOT) + os.sep, "")
    print(
        f"cProfile: {replications} baseline replications, {events:,} SimPy events, "
        f"{stats.total_tt:.2f} s profiled"
    )
    print(text.strip("\n"))
    machinery = sum(
        row[2]  # tottime
        for (path, _, name), row in stats.stats.items()  # type: ignore[attr-defined]
        if f"{os.sep}simpy{os.sep}" in path or name in SIMPY_BUILTINS
    )
    print(
        f"SimPy's own machinery (simpy/*, its heap operations and generator resumption): "
        f"{machinery:.2f} s, {machinery / stats.total_tt:.0%} of the profiled time"
    )


#: Built-ins that SimPy's event loop calls (cProfile names).
SIMPY_BUILTINS = (
    "<built-in method _heapq.heappop>",
    "<built-in method _heapq.heappush>",
    "<method 'send' of 'generator' objects>",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: N=16, 100,000 raw timeouts, horizon 2018-2024 in 5 and 7",
    )
    parser.add_argument(
        "--replications",
        "-n",
        type=int,
        default=None,
        help="N, the replications run with 2 workers (default 1000; --quick 16)",
    )
    parser.add_argument(
        "--serial-replications",
        type=int,
        default=None,
        help="replications of the 1-worker run (default N/5; --quick N/2)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON file")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="K",
        help="instead of the suite: cProfile K baseline replications, print the top 15 by tottime",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if args.profile is not None:
        profile(max(1, args.profile))
        return 0
    for name in ("replications", "serial_replications"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")

    config = make_config(args)
    report = Report()
    info = machine()
    started = time.perf_counter()
    run_suite(config, report)
    total = time.perf_counter() - started
    info["load_average_end"] = load_average()
    info["suite_peak_rss_mb"], _ = peak_rss_mb()

    mode = "--quick" if config.quick else "full"
    print(
        f"zonesim benchmarks ({mode}), {info['date_utc']}: {info['cores']} cores ({info['cpu']}), "
        f"Python {info['python']}, numpy {info['numpy']}, simpy {info['simpy']}"
    )
    print(report.table())
    print(
        f"suite wall time {total:.1f} s; load average at start {info['load_average_start']}, "
        f"at end {info['load_average_end']}"
    )
    busy = (info["load_average_start"] or [0.0])[0]
    if busy > 0.5:
        print(
            f"note: 1-minute load average {busy:.2f} before the suite started: if other "
            "processes were competing for the cores, the timings are pessimistic"
        )

    targets = [
        {"section": r[0], "measurement": r[1], "value": r[2], "target": r[3], "status": r[4]}
        for r in report.rows
        if r[4] in ("PASS", "FAIL")
    ]
    document = {
        "machine": info,
        "config": {**config.__dict__, "workers": WORKERS, "seed": SEED, "mode": mode},
        "suite_wall_seconds": total,
        "measurements": report.data,
        "targets": targets,
        "table": [
            dict(zip(("section", "measurement", "value", "target", "status"), r, strict=True))
            for r in report.rows
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(args.out)
    print(f"wrote {display(args.out)}")
    return 0


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    raise SystemExit(main())
