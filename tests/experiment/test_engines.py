"""Execution engines: every engine gives the serial run's results, even when a Dask worker dies.

The Dask tests need the ``cluster`` extra (``distributed``) and are skipped without it; each
starts a cluster of two single-threaded worker processes on the loopback interface.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiment import engines
from sim.experiment.runner import RunResults, run_replications
from sim.scenario.schema import Scenario
from tests.helpers import BASELINE, baseline_data, scenario_from

REPLICATIONS = 8
SEED = 11

needs_dask = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="distributed not installed: pip install 'zonesim[cluster]'",
)


@pytest.fixture(scope="module")
def short() -> Scenario:
    """The baseline cut to 2018-2022, about 0.1 s a replication."""
    data = baseline_data()
    data["horizon"] = {"start_year": 2018, "end_year": 2022}
    return scenario_from(data)


@pytest.fixture(scope="module")
def serial(short: Scenario) -> RunResults:
    return run_replications(short, REPLICATIONS, SEED, executor=None)


def assert_same(results: RunResults, serial: RunResults) -> None:
    assert results.replications == serial.replications
    pd.testing.assert_frame_equal(results.trajectories, serial.trajectories)
    pd.testing.assert_frame_equal(results.totals, serial.totals)
    pd.testing.assert_frame_equal(results.spells, serial.spells)
    assert results.events == serial.events


def run_on(engine: engines.Engine, scenario: Scenario, progress=None) -> RunResults:
    return run_replications(
        scenario,
        REPLICATIONS,
        SEED,
        executor=engine.executor,
        workers=engine.workers,
        progress=progress,
    )


def test_in_process_engine_has_no_executor() -> None:
    with engines.open_engine(1) as engine:
        assert engine.executor is None and engine.workers == 1
    with engines.open_executor(1) as executor:
        assert executor is None


def test_process_pool_gives_the_serial_results(short: Scenario, serial: RunResults) -> None:
    with engines.open_engine(2) as engine:
        assert engine.workers == 2
        assert engines.engine_workers(engine.executor) == 2
        assert_same(run_on(engine, short), serial)


@needs_dask
def test_local_dask_cluster_gives_the_serial_results(short: Scenario, serial: RunResults) -> None:
    with engines.open_engine(2, dask="local") as engine:
        assert engine.workers == 2
        assert engines.engine_workers(engine.executor) == 2
        assert_same(run_on(engine, short), serial)


@needs_dask
def test_dask_scheduler_address_gives_the_serial_results(
    short: Scenario, serial: RunResults
) -> None:
    """``dask="tcp://..."``: a client to a running scheduler, sized by its workers."""
    import distributed

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        with engines.open_engine(1, dask=address) as engine:
            assert engine.workers == 2  # the cluster's, not the argument
            assert_same(run_on(engine, short), serial)
        assert len(cluster.scheduler_info["workers"]) == 2  # the cluster outlives the client


@needs_dask
def test_killed_dask_worker_still_gives_the_serial_results(
    short: Scenario, serial: RunResults
) -> None:
    """SIGKILL a worker busy with a batch once the first results are in: Dask reschedules
    its tasks on the other worker (and the nanny's restart), and nothing changes."""
    import distributed

    killed: list[int] = []
    done = [0]

    def kill_a_busy_worker(count: int) -> None:
        done[0] += count
        if killed:
            return
        client = distributed.default_client()
        busy = {address for address, keys in client.processing().items() if keys}
        pids = client.run(os.getpid, workers=sorted(busy)) if busy else {}
        if pids:
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            assert done[0] < REPLICATIONS  # the kill lands mid-run

    with engines.open_engine(2, dask="local") as engine:
        results = run_on(engine, short, progress=kill_a_busy_worker)
        client = distributed.default_client()
        assert killed, "no worker was busy after the first result"
        assert killed[0] not in client.run(os.getpid).values()
    assert_same(results, serial)


@needs_dask
def test_unreachable_scheduler_is_an_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "CONNECT_TIMEOUT_SECONDS", 1)
    with (
        pytest.raises(engines.EngineError, match="cannot connect to the Dask scheduler"),
        engines.open_engine(1, dask="tcp://127.0.0.1:1"),
    ):
        pass


def test_dask_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(engines.EngineError) as caught, engines.open_engine(2, dask="local"):
        pass
    assert str(caught.value) == "--dask needs the cluster extra: pip install 'zonesim[cluster]'"
    assert isinstance(caught.value, RuntimeError)

    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nhorizon: {{start_year: 2018, end_year: 2022}}\n",
        encoding="utf-8",
    )
    code = main(
        ["run", str(scenario), "-n", "2", "--dask", "local", "--out", str(tmp_path / "out")]
        + ["--no-progress", "--no-plots"]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == (
        "zonesim: error: --dask needs the cluster extra: pip install 'zonesim[cluster]'\n"
    )
    assert not (tmp_path / "out" / "trajectories.csv").exists()
