"""Extreme-condition and direction tests: the model's answer is known exactly or in sign."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiment.runner import run_replications
from tests.helpers import baseline_data, scenario_from

REPLICATIONS = 4
SEED = 11


def run(data: dict, replications: int = REPLICATIONS, seed: int = SEED) -> pd.DataFrame:
    """Trajectories of a short run (2018-2024) of a modified baseline."""
    data["horizon"] = {"start_year": 2018, "end_year": 2024}
    results = run_replications(scenario_from(data), replications, seed)
    return results.trajectories


def series(trajectories: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """replication x year table of one indicator."""
    rows = trajectories[trajectories["indicator"] == indicator]
    return rows.pivot(index="replication", columns="year", values="value")


def total(trajectories: pd.DataFrame, indicator: str) -> pd.Series:
    """Sum of a flow over the run, per replication."""
    return series(trajectories, indicator).sum(axis=1)


@pytest.mark.validation(
    group="extreme conditions",
    check="zero arrivals",
    asserts="no arrivals, constant 26 teams, carriers never fill up again",
    tolerance="exact",
)
def test_zero_arrivals_means_no_newcomers_and_a_shrinking_zone():
    data = baseline_data()
    for origin in data["arrivals"]["origins"].values():
        origin["rate_per_year"] = 0.0
    traj = run(data)
    assert (total(traj, "arrivals") == 0).all()
    assert (total(traj, "high_level_team_arrivals") == 0).all()
    assert (series(traj, "high_level_teams") == 26).all().all()
    in_carriers = series(traj, "firms_in_carriers")
    assert (in_carriers[2018] == 290).all()
    # nobody comes in, so the carriers only empty (teams incorporating stay the same firms)
    assert (in_carriers.diff(axis=1).iloc[:, 1:] <= 0).all().all()
    assert (in_carriers[2024] < 290).all()


@pytest.mark.validation(
    group="extreme conditions",
    check="zero funding",
    asserts="no grant, loan, equity, reward or cultivation subsidy is paid; pools stay at 0",
    tolerance="exact",
)
def test_zero_funding_pays_nothing():
    data = baseline_data()
    funding = data["funding"]
    for pool in funding["pools"].values():
        pool.update(opening_balance_yuan=0, tranches=[], yearly=None)
    funding["loans"]["loans_per_institution_per_year"] = 0.0
    funding["equity"]["rate_per_year"] = 0.0
    data["certification"]["hte"]["cultivation"]["subsidy_yuan"] = 0.0
    traj = run(data)
    for flow in (
        "grants_paid_yuan",
        "cultivation_yuan",
        "loans_yuan",
        "equity_yuan",
        "talent_rewards_yuan",
        "tranches_received_yuan",
        "first_funded",
    ):
        assert (total(traj, flow) == 0).all(), flow
    assert (series(traj, "fund_balance_yuan") == 0).all().all()


@pytest.mark.validation(
    group="extreme conditions",
    check="unlimited area",
    asserts="nobody waits or is turned away",
    tolerance="exact",
)
def test_infinite_area_turns_nobody_away():
    data = baseline_data()
    for carrier in data["carriers"].values():
        carrier["area_m2"] = 1e9
        carrier["expansions"] = []
        carrier["other_sector_admission_probability"] = 1.0
    traj = run(data)
    assert (total(traj, "turned_away") == 0).all()
    assert (series(traj, "waiting") == 0).all().all()
    # every eligible arrival is admitted at once (incorporating teams are admitted twice)
    admitted = total(traj, "admitted")
    assert (admitted >= total(traj, "arrivals") - total(traj, "ineligible")).all()


@pytest.mark.validation(
    group="extreme conditions",
    check="no failures",
    asserts="no failure or dissolution; the enterprise base never shrinks",
    tolerance="exact",
)
def test_no_failures_means_no_firm_fails_and_no_team_dissolves():
    data = baseline_data()
    data["firms"]["failure"]["hazard_per_year"] = {
        "team": 0.0,
        "incubating": 0.0,
        "enterprise": 0.0,
    }
    data["maker_space"]["incorporation_probability"] = 1.0
    traj = run(data)
    assert (total(traj, "failures") == 0).all()
    assert (total(traj, "dissolved") == 0).all()
    # without exits the enterprise base never shrinks
    base = series(traj, "enterprise_base")
    assert (base.diff(axis=1).iloc[:, 1:] >= 0).all().all()


@pytest.mark.validation(
    group="extreme conditions",
    check="doubled arrival rates",
    asserts="expected arrivals double exactly; simulated arrivals double",
    tolerance="±0.1 on the ratio (5 sd)",
)
def test_doubled_arrival_rates_double_the_arrivals(measured):
    data = baseline_data()
    doubled = baseline_data()
    for origin in doubled["arrivals"]["origins"].values():
        origin["rate_per_year"] *= 2
    expected = scenario_from(doubled).expected_arrivals() / scenario_from(data).expected_arrivals()
    assert expected == pytest.approx(2.0)
    ratio = total(run(doubled), "arrivals").mean() / total(run(data), "arrivals").mean()
    measured(f"ratio of arrivals {ratio:.3f}")
    # ~1,900 arrivals per replication in 2019-2024: the ratio's sd is about 0.02
    assert ratio == pytest.approx(2.0, abs=0.1)


@pytest.fixture(scope="module")
def tight_and_roomy():
    """A zone short of room (carriers at 40 % of the baseline's area) and the same with the
    baseline's area, under common random numbers."""
    tight = baseline_data()
    for carrier in tight["carriers"].values():
        carrier["area_m2"] *= 0.4
        for expansion in carrier["expansions"]:
            expansion["add_m2"] *= 0.4
    return run(tight, replications=6), run(baseline_data(), replications=6)


@pytest.mark.validation(
    group="direction",
    check="more carrier area",
    asserts=(
        "more area: fewer turned away, at least as many admissions and graduations, more firms in"
        " carriers"
    ),
    tolerance="sign",
)
def test_more_carrier_area_never_lowers_graduations(tight_and_roomy, measured):
    tight, roomy = tight_and_roomy
    measured(
        "graduations "
        f"{total(tight, 'graduations').mean():.1f} → {total(roomy, 'graduations').mean():.1f}, "
        f"turned away {total(tight, 'turned_away').mean():.0f} → "
        f"{total(roomy, 'turned_away').mean():.0f} (area ×0.4 → ×1, 2019–2024)"
    )
    assert total(tight, "turned_away").mean() > 100  # the tight zone really is short of room
    assert total(roomy, "turned_away").mean() < total(tight, "turned_away").mean()
    for flow in ("graduations", "admitted"):
        assert total(roomy, flow).mean() >= total(tight, flow).mean(), flow
    assert (
        series(roomy, "firms_in_carriers")[2024] > series(tight, "firms_in_carriers")[2024]
    ).all()


@pytest.mark.validation(
    group="direction",
    check="more grant money",
    asserts="more grant money: more firms funded, failures not higher",
    tolerance="sign",
)
def test_more_grant_money_never_raises_failures():
    rich = baseline_data()
    support = rich["funding"]["pools"]["higher_level_support"]["yearly"]
    support["amount_yuan"] *= 4
    rich["funding"]["grants"]["enterprise_support"]["apply_probability"] = 0.6
    funded, plain = run(rich, replications=6), run(baseline_data(), replications=6)
    assert total(funded, "grants_paid_yuan").mean() > 2 * total(plain, "grants_paid_yuan").mean()
    assert total(funded, "first_funded").mean() > total(plain, "first_funded").mean()
    assert total(funded, "failures").mean() <= total(plain, "failures").mean()
    assert np.isfinite(total(funded, "failures")).all()
