"""The runner keeps each replication's records as columns and builds the same tables as from
the records themselves; finished batches are let go while a run goes on."""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from sim.experiment import runner
from sim.experiment.runner import collect, columns_of, run_one, run_replications
from sim.model import FIRM_COLUMNS
from sim.scenario import load_scenario_with_tree
from tests.helpers import BASELINE


@pytest.fixture(scope="module")
def short():
    """The baseline cut to 2018-2022."""
    scenario, _ = load_scenario_with_tree(BASELINE)
    horizon = scenario.horizon.model_copy(update={"end_year": 2022})
    return scenario.model_copy(update={"horizon": horizon})


def tables_from_records(outputs: dict) -> dict[str, pd.DataFrame]:
    """The tables built straight from the record tuples (the reference)."""
    order = sorted(outputs)
    return {
        "trajectories": pd.DataFrame(
            [(i, *row) for i in order for row in outputs[i].trajectory],
            columns=["replication", "year", "indicator", "value"],
        ),
        "spells": pd.DataFrame(
            [(i, e, left - e, outcome) for i in order for (e, left, outcome) in outputs[i].spells],
            columns=["replication", "entered", "duration_years", "outcome"],
        ),
        "totals": pd.DataFrame(
            [(i, k, v) for i in order for k, v in outputs[i].totals.items()],
            columns=["replication", "flow", "value"],
        ),
        "firms": pd.DataFrame(
            [(i, *row) for i in order for row in outputs[i].firms],
            columns=["replication", *FIRM_COLUMNS],
        ),
    }


def test_columns_give_the_tables_of_the_records(short) -> None:
    outputs = {i: run_one(short, i, 7, firm_records=True) for i in (2, 0, 1)}
    results = collect(short, 7, {i: columns_of(o) for i, o in outputs.items()}, 0.0, True)
    expected = tables_from_records(outputs)
    for name, table in expected.items():
        got = getattr(results, name)
        assert got.equals(table), name
        assert list(got.dtypes) == list(table.dtypes), name
    assert results.events == sum(o.events for o in outputs.values())
    assert list(results.trajectories["replication"].unique()) == [0, 1, 2]


def test_a_replication_without_spells_or_records(short) -> None:
    output = run_one(short, 0, 7)
    bare = runner.ReplicationOutput(
        trajectory=[], spells=[], firms=[], totals={}, census=output.census, events=5
    )
    results = collect(short, 7, {0: columns_of(bare), 1: columns_of(output)}, 0.0, False)
    assert len(results.trajectories) == len(output.trajectory)
    assert set(results.trajectories["replication"]) == {1}
    assert len(results.spells) == len(output.spells)
    assert results.events == 5 + output.events


def test_finished_batches_are_let_go_during_a_run(short, monkeypatch) -> None:
    """The records of a finished batch are not held (by its future) until the run ends: only
    their columns are kept."""
    alive: list[weakref.ref] = []
    run_batch = runner.run_tasks_batch

    def tracked(*args, **kwargs):
        done = run_batch(*args, **kwargs)
        alive.extend(weakref.ref(output) for _, output in done)
        return done

    monkeypatch.setattr(runner, "run_tasks_batch", tracked)
    held_at_progress: list[int] = []

    def progress(_count: int) -> None:
        gc.collect()
        held_at_progress.append(sum(ref() is not None for ref in alive))

    with ThreadPoolExecutor(max_workers=1) as pool:
        results = run_replications(short, 6, 7, executor=pool, workers=1, progress=progress)
    assert results.replications == 6 and len(held_at_progress) == 6  # batches of one
    # at each progress call only the batch being collected is still alive
    assert max(held_at_progress) == 1


def test_run_tasks_match_run_one_in_task_order(short) -> None:
    """Each (scenario, index) task gives what run_one gives, whatever the batching."""
    other = short.model_copy(update={"name": "other"})
    tasks = [(short, 2), (other, 0), (short, 0), (short, 2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = runner.run_tasks(tasks, 7, executor=pool, workers=2)
    expected = [run_one(scenario, i, 7) for scenario, i in tasks]
    assert [o.trajectory for o in outputs] == [e.trajectory for e in expected]
    assert outputs[0].trajectory == outputs[3].trajectory


def test_scenario_of_runs_each_replication_with_its_own_scenario(short) -> None:
    """scenario_of(i) is what replication i runs; the other replications are untouched."""
    busier = short.model_copy(deep=True)
    origin = next(iter(busier.arrivals.origins.values()))
    object.__setattr__(origin, "rate_per_year", origin.rate_per_year * 3)
    mixed = run_replications(short, 3, 7, scenario_of=lambda i: busier if i == 1 else short)
    plain = run_replications(short, 3, 7)
    alone = run_one(busier, 1, 7)
    rows = mixed.trajectories
    assert rows[rows.replication == 1]["value"].tolist() == [v for _, _, v in alone.trajectory]
    assert alone.trajectory != run_one(short, 1, 7).trajectory
    for i in (0, 2):
        a = rows[rows.replication == i]["value"].tolist()
        assert a == plain.trajectories[plain.trajectories.replication == i]["value"].tolist()
