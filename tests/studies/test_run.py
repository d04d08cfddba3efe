"""The Python API: ``sim.run_scenario`` and ``ScenarioRun``."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.scenario import load_scenario
from sim.studies import ScenarioRun
from tests.helpers import BASELINE, ROOT

YEARS = list(range(2018, 2031))
STOCKS = (
    "national_hte",
    "tech_smes",
    "incubators",
    "firms_in_carriers",
    "carrier_area_m2",
    "carrier_occupancy",
    "high_level_teams",
    "fund_balance_yuan",
)
FLOWS = (
    "arrivals",
    "turned_away",
    "graduations",
    "failures",
    "patents_granted_per_year",
    "invention_patent_share",
    "grants_paid_yuan",
    "loans_yuan",
    "equity_yuan",
)


@pytest.fixture(scope="module")
def serial_run() -> ScenarioRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return sim.run_scenario("scenarios/baseline.yaml", replications=3, seed=1)


def test_run_scenario_returns_goals_and_trajectories(serial_run: ScenarioRun) -> None:
    scenario = load_scenario(BASELINE)
    assert isinstance(serial_run, ScenarioRun)
    assert serial_run.results.replications == 3
    assert serial_run.results.root_seed == 1
    assert serial_run.source_files == ("scenarios/baseline.yaml",)
    assert serial_run.firms is None

    goals = serial_run.goals
    assert len(goals) == len(scenario.goal_readings()) == 22  # one row per reading
    assert set(goals["goal"]) == set(scenario.goals)
    assert not goals[["goal", "reading"]].duplicated().any()
    modelled = goals[~goals["status"].str.startswith("not modelled")]
    assert len(modelled) == 16
    assert modelled["p_met"].between(0, 1).all()
    assert modelled["median"].notna().all()

    trajectories = serial_run.trajectories
    assert list(trajectories.columns) == ["replication", "year", "indicator", "value"]
    assert sorted(trajectories["replication"].unique()) == [0, 1, 2]
    for replication, rows in trajectories.groupby("replication"):
        years_of = rows.groupby("indicator")["year"].agg(lambda y: sorted(set(y)))
        for name in STOCKS:
            assert years_of[name] == YEARS, (replication, name)
        for name in FLOWS:  # the 2018 row is the initial state: flows start in 2019
            assert years_of[name] == YEARS[1:], (replication, name)
        values = rows.set_index(["year", "indicator"])["value"]
        assert values[(2018, "incubators")].min() == 4  # data: 4 platforms in 2018
        assert values[(2020, "incubators")].min() == 6  # all six carriers open by 2020
        assert values[(2018, "national_hte")].min() == 13
        assert values[(2018, "high_level_teams")].min() == 26
        assert (values.xs("carrier_occupancy", level="indicator").between(0, 1)).all()
        assert (values.xs("arrivals", level="indicator") > 0).all()


def test_one_row_per_replication_year_and_indicator(serial_run: ScenarioRun) -> None:
    keys = serial_run.trajectories[["replication", "year", "indicator"]]
    assert not keys.duplicated().any()


def test_a_caller_executor_gives_the_serial_results(serial_run: ScenarioRun) -> None:
    with ThreadPoolExecutor(max_workers=2) as executor:
        threaded = sim.run_scenario(BASELINE, replications=3, seed=1, executor=executor)
        # the caller's executor is left open for the caller to use and close
        assert executor.submit(sum, [1, 2]).result() == 3
    pd.testing.assert_frame_equal(threaded.trajectories, serial_run.trajectories)
    pd.testing.assert_frame_equal(threaded.goals, serial_run.goals)
    pd.testing.assert_frame_equal(threaded.results.totals, serial_run.results.totals)
    assert threaded.results.events == serial_run.results.events


def test_scenario_object_and_firm_records(tmp_path: Path) -> None:
    short = tmp_path / "short.yaml"
    short.write_text(
        f"extends: {BASELINE}\nhorizon: {{start_year: 2018, end_year: 2022}}\n", encoding="utf-8"
    )
    by_path = sim.run_scenario(short, replications=2, seed=4, firm_records=True)
    by_object = sim.run_scenario(load_scenario(short), replications=2, seed=4)
    pd.testing.assert_frame_equal(by_path.trajectories, by_object.trajectories)
    assert by_path.source_files == (str(BASELINE), str(short))
    assert by_object.source_files == ()
    assert by_object.firms is None
    firms = by_path.firms
    assert firms is not None and sorted(firms["replication"].unique()) == [0, 1]

    seen: list[int] = []
    sim.run_scenario(short, replications=2, seed=4, progress=seen.append)
    assert sum(seen) == 2

    written = by_path.write(tmp_path / "out")
    assert [p.name for p in written] == [
        "trajectories.csv",
        "goals.csv",
        "survival.csv",
        "parameters.csv",
        "firms.csv",
        "scenario.json",
        "manifest.json",
    ]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["horizon"] == [2018, 2022]
    assert manifest["replications"] == 2 and manifest["root_seed"] == 4
    assert manifest["events"] == by_path.results.events
    back = pd.read_csv(tmp_path / "out" / "trajectories.csv")
    assert len(back) == len(by_path.trajectories)
    assert (back["value"].to_numpy() == by_path.trajectories["value"].to_numpy()).all()


def test_bad_replications_and_seed_raise() -> None:
    scenario = load_scenario(BASELINE)
    with pytest.raises(ValueError, match="replications must be at least 1"):
        sim.run_scenario(scenario, replications=0)
    with pytest.raises(ValueError, match="root seed must be non-negative"):
        sim.run_scenario(scenario, replications=1, seed=-1)
