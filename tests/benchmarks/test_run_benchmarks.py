"""The benchmark script's measurements measure what they say (fast checks; the timings
themselves are the script's job, not the tests')."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from sim.experiment.runner import run_one
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def bench():
    """benchmarks/run_benchmarks.py as a module (it is a script, not part of the package)."""
    path = ROOT / "benchmarks" / "run_benchmarks.py"
    spec = importlib.util.spec_from_file_location("run_benchmarks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_benchmarks"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("run_benchmarks", None)


def test_loglog_slope_recovers_a_power_law(bench) -> None:
    factors = [1.0, 2.0, 4.0, 8.0]
    assert bench.loglog_slope(factors, [3.0 * f**1.5 for f in factors]) == pytest.approx(1.5)
    assert bench.loglog_slope(factors, [0.5 * f for f in factors]) == pytest.approx(1.0)


def test_pending_depth_steps_through_the_same_events_as_run_one(bench) -> None:
    scenario = bench.scaled_baseline(1.0, 2024)  # 2018-2024, as --quick
    depth = bench.pending_depth(scenario)
    assert depth["steps"] == run_one(scenario, 0, bench.SEED).events
    assert 0 < depth["mean"] <= depth["max"]
    # at least one pending event per live firm: the initial firms alone are in the hundreds
    assert depth["mean"] > 200


@pytest.mark.parametrize("firm", [False, True])
def test_raw_simpy_at_depth_keeps_that_many_events_pending(bench, firm: bool) -> None:
    result = bench.raw_simpy_at_depth(50, 5_000, repeats=2, firm=firm)
    assert result["processes"] == 50
    assert result["timeouts"] == 5_000  # 100 per process, the start-ups not counted
    assert len(result["all_events_per_second"]) == 2
    assert result["events_per_second"] > 0 and result["minimal_firm"] is firm


def test_scaled_baseline_multiplies_arrivals_and_area(bench) -> None:
    one, two = bench.scaled_baseline(1.0, 2024), bench.scaled_baseline(2.0, 2024)
    assert two.horizon.end_year == 2024
    for key, origin in one.arrivals.origins.items():
        assert two.arrivals.origins[key].rate_per_year == pytest.approx(2 * origin.rate_per_year)
    for key, carrier in one.carriers.items():
        assert two.carriers[key].area_m2 == pytest.approx(2 * carrier.area_m2)


def test_cost_at_size_keeps_the_median_run_and_memory_per_live_firm(bench, monkeypatch) -> None:
    runs = iter(
        {"seconds": s, "cpu_seconds": s - 0.1, "live_firms_at_end": 2000, "run_rss_growth_mb": 6.0}
        for s in (3.0, 1.0, 2.0)
    )
    monkeypatch.setattr(bench, "in_subprocess", lambda spec: dict(next(runs), **spec))
    chosen = bench.cost_at_size(4.0, 2020, repeats=3)
    assert chosen["seconds"] == 2.0 and chosen["factor"] == 4.0
    assert chosen["all_seconds"] == [1.0, 2.0, 3.0]
    assert chosen["cpu_seconds"] == pytest.approx(1.9)
    assert chosen["rss_growth_mb_per_1000_live"] == pytest.approx(3.0)


def test_child_reports_one_replication_with_its_live_firms(bench) -> None:
    result = bench.child({"kind": "scaled", "factor": 1.0, "end_year": 2024})
    expected = run_one(bench.scaled_baseline(1.0, 2024), 0, bench.SEED)
    assert result["events"] == expected.events
    census = expected.census
    # live at the end: the initial firms still alive plus the arrivals waiting, placed or in
    # the base (census counts arrivals only)
    arrivals_live = census["waiting"] + census["in_carriers"] + census["in_base"]
    assert result["live_firms_at_end"] > arrivals_live
    assert result["firms_created"] >= result["live_firms_at_end"]
    assert result["cpu_seconds"] > 0 and result["peak_rss_mb"] >= result["rss_before_run_mb"]
