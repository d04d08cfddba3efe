"""Sweeps: the grid and Latin hypercube designs, the heatmap of a sweep table, the probability
of meeting goals at each point, and a small real sweep of the baseline's levers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.studies as studies
from sim.analysis.sweep import design, heatmap, one_at_a_time, paired_interval, sweep
from sim.plots.studies import plot_study
from sim.results import claim
from sim.scenario import load_scenario_with_tree
from sim.scenario.schema import Goal
from sim.scenario.space import Space, load_space
from tests.helpers import BASELINE, SCENARIOS

LEVERS = SCENARIOS / "spaces" / "levers.yaml"
RATE = "arrivals.origins.high_level_team.rate_per_year"
BUDGET = "funding.pools.higher_level_support.yearly.amount_yuan"
HTE = "certification.hte.cultivation.firms_per_year"


@pytest.fixture(scope="module")
def levers() -> Space:
    tree = load_scenario_with_tree(BASELINE)[1]
    return load_space(LEVERS, tree, kind="lever")


# ----------------------------------------------------------------------------- design
@pytest.mark.parametrize(("k", "samples"), [(2, 2), (2, 5), (3, 3), (4, 2)])
def test_grid_has_every_combination_of_the_levels(levers: Space, k: int, samples: int) -> None:
    space = levers.subset(levers.paths[:k])
    points = design(space, "grid", samples, seed=1)
    assert points.shape == (samples**k, k)
    levels = np.linspace(0.0, 1.0, samples)
    for column in points.T:
        assert sorted(set(column)) == list(levels)
        assert 0.0 in column and 1.0 in column
    assert len({tuple(p) for p in points}) == samples**k
    # the seed does not matter for a grid
    assert np.array_equal(points, design(space, "grid", samples, seed=99))


def test_grid_of_one_level_is_the_centre(levers: Space) -> None:
    points = design(levers, "grid", 1, seed=1)
    assert points.tolist() == [[0.5] * levers.dimension]


@pytest.mark.parametrize(("k", "samples"), [(2, 2), (2, 7), (4, 10)])
def test_lhs_has_one_point_per_stratum_in_each_dimension(
    levers: Space, k: int, samples: int
) -> None:
    space = levers.subset(levers.paths[:k])
    points = design(space, "lhs", samples, seed=5)
    assert points.shape == (samples, k)
    assert ((points >= 0) & (points < 1)).all()
    for column in points.T:
        strata = np.floor(column * samples).astype(int)
        assert sorted(strata) == list(range(samples))
    assert np.array_equal(points, design(space, "lhs", samples, seed=5))
    assert not np.array_equal(points, design(space, "lhs", samples, seed=6))


def test_bad_design_is_refused(levers: Space) -> None:
    with pytest.raises(ValueError, match="design must be one of grid, lhs, got 'sobol'"):
        design(levers, "sobol", 3, seed=1)
    with pytest.raises(ValueError, match="samples must be at least 1"):
        design(levers, "grid", 0, seed=1)


# ----------------------------------------------------------------------------- heatmap
def test_heatmap_of_a_grid_is_the_pivot_mean(levers: Space) -> None:
    space = levers.subset([RATE, HTE, BUDGET])
    rows = [space.values(p) for p in design(space, "grid", 3, seed=1)]
    table = pd.DataFrame(rows)
    table["p"] = table[RATE] * 10 + table[HTE] + table[BUDGET] / 1e8
    xs, ys, matrix = heatmap(table, RATE, HTE, "p")
    assert xs.tolist() == sorted(table[RATE].unique()) == [1.2, 4.6, 8.0]
    assert ys.tolist() == sorted(table[HTE].unique()) == [0, 15, 30]
    assert matrix.shape == (3, 3)
    budgets = sorted(table[BUDGET].unique())
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            expected = np.mean([x * 10 + y + b / 1e8 for b in budgets])
            assert matrix[j, i] == pytest.approx(expected)


def test_heatmap_of_scattered_points_bins_them() -> None:
    table = pd.DataFrame(
        {
            "x": [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0],
            "y": [0.0, 10.0, 70.0, 80.0, 5.0, 15.0, 75.0, 80.0],
            "p": [1.0, 3.0, 10.0, 20.0, 100.0, 300.0, 1000.0, 3000.0],
        }
    )
    xs, ys, matrix = heatmap(table, "x", "y", "p")
    # 8 points: 2 bins a side, edges [0, 4, 8] and [0, 40, 80]; values on the top edge go in
    # the last bin
    assert xs.tolist() == [2.0, 6.0]
    assert ys.tolist() == [20.0, 60.0]
    assert matrix.tolist() == [[2.0, 200.0], [15.0, 2000.0]]


def test_heatmap_with_explicit_bins_leaves_empty_cells_nan() -> None:
    table = pd.DataFrame({"x": [0.0, 0.1, 3.0], "y": [0.0, 0.1, 3.0], "p": [1.0, 2.0, 9.0]})
    xs, ys, matrix = heatmap(table, "x", "y", "p", bins=3)
    assert xs.tolist() == pytest.approx([0.5, 1.5, 2.5])
    assert matrix[0, 0] == 1.5 and matrix[2, 2] == 9.0
    assert np.isnan(matrix[1, 1]) and np.isnan(matrix[0, 2])


# ----------------------------------------------------------------------------- sweep()
def test_sweep_gives_the_share_of_replications_meeting_each_goal(levers: Space) -> None:
    """A fake model: high-level teams in 2020 are 26 + rate x (replication + 1)."""
    space = levers.subset([RATE, HTE])
    goals = {
        "teams": Goal(description="teams", target=36, year=2020, indicator="high_level_teams"),
        "hte": Goal(description="hte", target=20, year=2020, indicator="national_hte"),
    }
    calls = []

    def evaluate(values, replications):
        calls.append((dict(values), replications))
        rows = []
        for r in range(replications):
            rows.append((r, 2020, "high_level_teams", 26 + values[RATE] * (r + 1)))
            rows.append((r, 2020, "national_hte", values[HTE]))
        return pd.DataFrame(rows, columns=["replication", "year", "indicator", "value"])

    seen = []
    table = sweep(
        space, goals, evaluate, 4, "grid", 2, 1, on_point=lambda i, n: seen.append((i, n))
    )
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert [r for _, r in calls] == [4] * 4
    assert list(table.columns) == ["point", RATE, HTE, "cost_yuan", "p_teams", "p_hte", "p_all"]
    assert table["point"].tolist() == [0, 1, 2, 3]
    assert table[[RATE, HTE]].values.tolist() == [[1.2, 0], [1.2, 30], [8.0, 0], [8.0, 30]]
    # rate 1.2: 26 + 1.2 x (1..4) < 36 always; rate 8: 34 < 36 then 42, 50, 58
    assert table["p_teams"].tolist() == [0.0, 0.0, 0.75, 0.75]
    # national_hte: 0 < 20 with no pool, 30 >= 20 with 30 pool firms a year
    assert table["p_hte"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert table["p_all"].tolist() == [0.0, 0.0, 0.0, 0.75]
    for row in table.itertuples(index=False):
        values = {RATE: row[1], HTE: row[2]}
        assert row.cost_yuan == pytest.approx(space.cost_yuan(values))


# ----------------------------------------------------------------------------- a real sweep
@pytest.fixture(scope="module")
def real_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[studies.SweepStudy, Path]:
    out = tmp_path_factory.mktemp("sweep")
    study = studies.sweep_scenario(
        BASELINE,
        LEVERS,
        out,
        design="grid",
        samples=2,
        goals="high_level_teams",
        replications=3,
        seed=2018,
        levers=[RATE, HTE],
    )
    return study, out


def test_real_sweep_is_monotone_in_the_talent_programme(
    real_sweep: tuple[studies.SweepStudy, Path],
) -> None:
    study, _ = real_sweep
    table = study.table
    assert len(table) == 4
    assert list(table.columns) == [
        "point",
        RATE,
        HTE,
        "cost_yuan",
        "p_high_level_teams",
        "p_all",
    ]
    assert (table["p_all"] == table["p_high_level_teams"]).all()
    for p in table["p_high_level_teams"]:
        assert p * 3 == round(p * 3)  # a share of 3 replications
    for _, at_hte in table.groupby(HTE):
        ordered = at_hte.sort_values(RATE)
        assert ordered[RATE].tolist() == [1.2, 8.0]
        assert ordered["p_high_level_teams"].is_monotonic_increasing
    # 1.2 teams a year cannot bring 26 to 36 by 2020; 8 a year mostly does
    low, high = table[table[RATE] == 1.2], table[table[RATE] == 8.0]
    assert (low["p_high_level_teams"] == 0).all()
    assert (high["p_high_level_teams"] > 0).all()
    assert study.column == "p_high_level_teams"
    assert (study.x, study.y) == (RATE, HTE)
    assert table["cost_yuan"].tolist() == pytest.approx([-3e6, 15e6, 0.264e6, 18.264e6])


def test_real_sweep_writes_its_files(real_sweep: tuple[studies.SweepStudy, Path]) -> None:
    study, out = real_sweep
    written = study.write(out)
    assert [p.name for p in written] == ["sweep.csv", "summary.json"]
    with claim(out, "sweep", "test") as folder:
        written += plot_study(folder, study)
    assert [p.name for p in written] == ["sweep.csv", "summary.json", "heatmap.png"]
    for path in written:
        assert path.is_file() and path.stat().st_size > 0
    assert (out / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out / "sweep.csv")
    pd.testing.assert_frame_equal(table, study.table, check_dtype=False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "sweep"
    assert summary["points"] == 4
    assert summary["goals"] == ["high_level_teams"]
    assert (summary["x"], summary["y"]) == (RATE, HTE)
    assert summary["replications"] == 3 and summary["root_seed"] == 2018
    assert summary["evaluations_run"] == 4 and summary["evaluations_reused"] == 0
    assert summary["space_file"] == str(LEVERS)
    assert len(list((out / "units").glob("*.json"))) == 5  # 4 units and the manifest
    # written again without its plot: the earlier heatmap goes (a kind's outputs are replaced
    # whole), the units stay
    assert [p.name for p in study.write(out)] == ["sweep.csv", "summary.json"]
    assert not (out / "heatmap.png").exists()
    assert len(list((out / "units").glob("*.json"))) == 5


def test_real_sweep_resumes_from_its_units(real_sweep: tuple[studies.SweepStudy, Path]) -> None:
    study, out = real_sweep
    again = studies.sweep_scenario(
        BASELINE,
        LEVERS,
        out,
        samples=2,
        goals="high_level_teams",
        replications=3,
        levers=[RATE, HTE],
        resume=True,
    )
    pd.testing.assert_frame_equal(again.table, study.table)
    assert again.manifest["evaluations_run"] == 0
    assert again.manifest["evaluations_reused"] == 4


def test_sweep_needs_two_levers_and_known_axes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least two levers"):
        studies.sweep_scenario(BASELINE, LEVERS, None, samples=2, replications=1, levers=[RATE])
    with pytest.raises(ValueError, match=f"--x {BUDGET} is not a lever"):
        studies.sweep_scenario(
            BASELINE, LEVERS, None, samples=2, replications=1, levers=[RATE, HTE], x=BUDGET
        )
    with pytest.raises(ValueError, match="not in"):
        studies.sweep_scenario(
            BASELINE, LEVERS, tmp_path, samples=2, replications=1, levers=[RATE, "nope"]
        )


# ----------------------------------------------------------------------------- one at a time
def test_one_at_a_time_gives_paired_effects_with_intervals(levers: Space) -> None:
    """A fake model: teams = 26 + 2 x rate + noise of the replication (shared by every point,
    as common random numbers make it), national HTE = the cultivation pool size."""
    space = levers.subset([RATE, HTE])
    goals = {
        "teams": Goal(description="teams", target=36, year=2020, indicator="high_level_teams"),
        "hte": Goal(description="hte", target=20, year=2020, indicator="national_hte"),
    }
    noise = [-3.0, -1.0, 0.0, 1.0, 3.0]

    def evaluate(values, replications):
        rows = []
        for r in range(replications):
            rows.append((r, 2020, "high_level_teams", 26 + 2 * values[RATE] + noise[r]))
            rows.append((r, 2020, "national_hte", values[HTE]))
        return pd.DataFrame(rows, columns=["replication", "year", "indicator", "value"])

    table, effects = one_at_a_time(space, goals, evaluate, 5)
    # each lever at its low then its high bound, the other at the scenario's value
    assert table[["lever", "level"]].values.tolist() == [
        [RATE, "low"],
        [RATE, "high"],
        [HTE, "low"],
        [HTE, "high"],
    ]
    assert table[HTE].tolist() == [5, 5, 0, 30] and table[RATE].tolist() == [1.2, 8, 1.2, 1.2]
    rate_teams = effects[(effects["lever"] == RATE) & (effects["goal"] == "teams")].iloc[0]
    # the paired difference is exactly 2 x 6.8 in every replication: a zero-width interval
    assert rate_teams["mean_change"] == pytest.approx(13.6)
    assert rate_teams["mean_change_lo95"] == pytest.approx(13.6)
    assert rate_teams["mean_change_hi95"] == pytest.approx(13.6)
    # teams at rate 8: 42 + noise >= 36 in all 5; at 1.2: 28.4 + noise never
    assert (rate_teams["p_met_low"], rate_teams["p_met_high"]) == (0.0, 1.0)
    assert rate_teams["p_met_change"] == 1.0
    pool_hte = effects[(effects["lever"] == HTE) & (effects["goal"] == "hte")].iloc[0]
    assert (pool_hte["p_met_low"], pool_hte["p_met_high"]) == (0.0, 1.0)
    assert pool_hte["cost_yuan"] == pytest.approx(30 * 600000)
    # a lever without a path to a goal has no effect on it
    pool_teams = effects[(effects["lever"] == HTE) & (effects["goal"] == "teams")].iloc[0]
    assert pool_teams["mean_change"] == 0 and pool_teams["p_met_change"] == 0


def test_paired_interval_covers_the_mean_difference() -> None:
    rng = np.random.default_rng(3)
    d = rng.normal(1.0, 2.0, 400)
    mean, low, high = paired_interval(d)
    assert low < mean < high and low < 1.0 < high
    assert high - low == pytest.approx(2 * 1.966 * d.std(ddof=1) / 20, rel=0.01)
    assert all(np.isnan(x) for x in paired_interval(np.array([np.nan, np.nan])))
    assert paired_interval(np.array([2.5])) == (2.5, 2.5, 2.5)
