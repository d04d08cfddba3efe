"""Paired comparison under common random numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.compare import mean_ci, paired_differences, scenario_differences
from sim.cli import main
from sim.scenario import load_scenario
from sim.studies import compare_scenarios
from tests.helpers import SCENARIOS

BASELINE = SCENARIOS / "baseline.yaml"
NO_FUND = SCENARIOS / "no_special_fund.yaml"


def test_mean_ci_is_the_t_interval():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high = mean_ci(x)
    half = stats.t.ppf(0.975, 3) * x.std(ddof=1) / 2
    assert mean == pytest.approx(3.5)
    assert (low, high) == pytest.approx((3.5 - half, 3.5 + half))
    assert math.isnan(mean_ci(np.array([1.0]))[1])


def test_scenario_differences_name_changed_keys_only():
    base = {"name": "a", "x": {"y": 1, "z": [1, 2]}, "d": {"dist": "constant", "value": 1}}
    other = {"name": "b", "x": {"y": 2, "z": [1, 2]}, "d": {"dist": "constant", "value": 3}, "n": 5}
    assert scenario_differences(base, other) == [
        'd: {"dist": "constant", "value": 1} -> {"dist": "constant", "value": 3}',
        "n: (absent) -> 5",
        "x.y: 1 -> 2",
    ]


def test_paired_differences_pair_by_replication():
    base = pd.DataFrame(
        {"replication": [0, 1, 2], "year": 2020, "indicator": "a", "value": [1.0, 5.0, 9.0]}
    )
    other = base.assign(value=base["value"] + [1.0, 2.0, 3.0])
    table = paired_differences("x", base, other, ["a"])
    row = table.iloc[0]
    assert (row.base_mean, row.scenario_mean, row.diff_mean, row.n) == (5.0, 7.0, 2.0, 3)
    assert row.ci_low < 2.0 < row.ci_high


@pytest.fixture(scope="module")
def crn_and_independent():
    crn = compare_scenarios([BASELINE, NO_FUND], replications=8, seed=7)
    independent = compare_scenarios([BASELINE, NO_FUND], replications=8, seeds=[7, 8])
    return crn, independent


@pytest.mark.validation(
    group="reproducibility",
    check="common random numbers",
    asserts=(
        "paired differences baseline vs no_special_fund have narrower 95 % intervals with the "
        "same seed than with independent seeds; zero difference before the fund starts"
    ),
    tolerance="sign",
)
def test_common_random_numbers_narrow_the_paired_interval(crn_and_independent):
    """Same pair of scenarios: intervals of the paired differences are narrower with common
    random numbers than with independent seeds, for the goal indicators and the key ones."""
    crn, independent = crn_and_independent

    def widths(comparison, year):
        table = comparison.comparison
        table = table[table["year"] == year].set_index("indicator")
        return table["ci_high"] - table["ci_low"]

    shared = [
        "enterprise_base",
        "national_hte",
        "tech_smes",
        "patents_granted_per_year",
        "firms_in_carriers",
    ]
    a, b = widths(crn, 2021), widths(independent, 2021)  # soon after the policies part
    assert (a[shared] < b[shared]).all(), (2021, a[shared], b[shared])
    # later the shared streams drift out of step firm by firm (certification draws are taken
    # in firm order), so the gain shrinks (the enterprise base, which the fund barely moves, is
    # within noise of the independent width from 2022); it holds for the indicators together
    for year in (2022, 2025, 2030):
        a, b = widths(crn, year), widths(independent, year)
        assert a[shared].sum() < b[shared].sum(), (year, a[shared], b[shared])
        # before the fund's first tranche (2020.75) the two scenarios are the same zone
    before = crn.comparison[crn.comparison["year"] == 2019]
    assert (before["diff_mean"] == 0).all() and (before["ci_high"] - before["ci_low"] == 0).all()


def test_no_special_fund_pays_the_fund_s_firm_share_less_in_carrier_grants(crn_and_independent):
    crn, _ = crn_and_independent
    paid = {
        name: run.trajectories.query(
            "indicator == 'grants_paid_yuan.carrier_project' and 2020 <= year <= 2022"
        )
        .groupby("replication")["value"]
        .sum()
        for name, run in crn.runs.items()
    }
    assert (paid["no_special_fund"] == 0).all()
    # the part of the 37 M yuan that reaches firms (60 % of each tranche: 22.2 M) is spent
    # almost in full (awards stop when one no longer fits)
    assert (paid["baseline"] > 21.5e6).all() and (paid["baseline"] <= 22.2e6).all()
    assert crn.differences["no_special_fund"] == [
        "funding.pools.national_special_fund.tranches: "
        '[{"date": 2020.75, "amount_yuan": 9000000}, {"date": 2021.5, "amount_yuan": 7200000}, '
        '{"date": 2022.5, "amount_yuan": 6000000}] -> []'
    ]


def test_compare_cli_writes_the_comparison_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(BASELINE),
            str(NO_FUND),
            "-n",
            "3",
            "-w",
            "1",
            "--out",
            str(out),
            "--no-progress",
            "--no-plots",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "no_special_fund differs from baseline in:" in printed
    assert "funding.pools.national_special_fund.tranches" in printed
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["scenarios"] == ["baseline", "no_special_fund"]
    assert meta["replications"] == 3
    for name in ("baseline", "no_special_fund"):
        assert (out / name / "trajectories.csv").is_file()
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == [
        "scenario",
        "indicator",
        "year",
        "base_mean",
        "scenario_mean",
        "diff_mean",
        "ci_low",
        "ci_high",
        "n",
    ]
    goals = pd.read_csv(out / "goal_comparison.csv")
    assert set(goals["goal"]) == {  # one row per reading: goal:reading for the others
        key for key, goal in load_scenario(BASELINE).goal_readings().items() if goal.indicator
    }
    assert "high_level_teams:leading_level" in set(goals["goal"])
    assert len(set(goals["goal"])) == 16
    assert goals["p_met"].between(0, 1).all()


def test_compare_needs_distinct_names(tmp_path, capsys):
    code = main(["compare", str(BASELINE), str(BASELINE), "-n", "2", "--out", str(tmp_path / "x")])
    assert code == 2
    assert "scenario names must differ" in capsys.readouterr().err
