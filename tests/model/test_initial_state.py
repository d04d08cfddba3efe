"""The baseline's initial state (2018, at clock t0 = 2019.0) is reproduced exactly in every
replication: the counts the sources report, per carrier and in total, whatever the seed; only
the attributes (capability, area, age, ...) are random."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from sim.experiment.runner import run_replications
from sim.model import build
from sim.model import firm as F
from sim.model.certification import hte_eligible
from sim.model.zone import Zone
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from sim.streams import Streams
from tests.helpers import BASELINE

#: Source A (2018) figures and their sums, as the baseline states them.
EXPECTED_2018 = {
    "national_hte": 13,
    "tech_smes": 85,
    "firms_in_carriers": 290,  # 200 firms + 90 maker projects
    "maker_projects": 90,
    "firms_in_incubation": 200,
    "enterprise_base": 150,
    "high_level_teams": 26,
    "incubators": 4,
    "waiting": 0,
}
SEEDS = [(0, 0), (1, 3), (2018, 7), (99991, 12), (7, 0)]


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def initial_records(zone: Zone) -> dict[str, float]:
    rows = [(name, value) for year, name, value in zone.records if year == 2018]
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), "one 2018 row per indicator"
    return dict(rows)


@pytest.mark.validation(
    group="initial state",
    check="2018 state at t0",
    asserts=(
        "the first record (2018) has 13 HTE, 85 tech SMEs, 290 firms and teams in carriers (200 +"
        " 90), 150 enterprises, 26 teams, 4 incubators in every replication"
    ),
    tolerance="exact",
)
@pytest.mark.parametrize(("root", "replication"), SEEDS)
def test_initial_counts_are_exact(baseline: Scenario, root: int, replication: int) -> None:
    zone = build(baseline, Streams(root, replication))
    assert zone.env.now == 2019.0 == baseline.horizon.t0
    rec = initial_records(zone)
    for name, value in EXPECTED_2018.items():
        assert rec[name] == value, name
    for key, carrier in baseline.carriers.items():
        occupants = baseline.initial_state.carriers.get(key)
        expected = occupants.firms + occupants.teams if occupants else 0
        assert rec[f"firms_in_carriers.{key}"] == expected, key
        state = zone.carriers.by_id[key]
        assert state.startups == (occupants.firms if occupants else 0)
        assert state.teams == (occupants.teams if occupants else 0)
        # occupied area never exceeds the carrier's area
        assert 0.0 <= rec[f"carrier_occupied_m2.{key}"] <= rec[f"carrier_area_m2.{key}"] + 1e-9
        assert state.occupied_m2 == pytest.approx(
            sum(f.area_m2 for f in zone.alive.values() if f.carrier is state), abs=1e-6
        )
        if expected:
            assert rec[f"carrier_occupied_m2.{key}"] > 0
        assert rec[f"carrier_area_m2.{key}"] == (carrier.area_m2 if carrier.opens <= 2019.0 else 0)
    assert rec["carrier_area_m2"] == 56000.0  # 15000 + 18000 + 8000 + 15000; two not yet open
    for pool_key, pool in baseline.funding.pools.items():
        assert rec[f"fund_balance_yuan.{pool_key}"] == pool.opening_balance_yuan


@pytest.mark.validation(
    group="initial state",
    check="2018 occupants per carrier",
    asserts="each carrier open in 2018 holds the firms and teams the baseline gives it",
    tolerance="exact",
)
def test_per_carrier_counts_as_in_the_baseline_file(baseline: Scenario) -> None:
    """The per-carrier figures the baseline gives (data and stated assumptions)."""
    rec = initial_records(build(baseline, Streams(3, 1)))
    assert {k: rec[f"firms_in_carriers.{k}"] for k in baseline.carriers} == {
        "hpu_science_park": 72,
        "entrepreneurship_center": 100,
        "tengyun_park": 38,
        "tech_hq_city": 80,
        "chuangji_zhigu": 0,
        "sino_german_park": 0,
    }


@pytest.mark.parametrize(("root", "replication"), SEEDS[:3])
def test_initial_firms_are_consistent_with_the_counts(
    baseline: Scenario, root: int, replication: int
) -> None:
    zone = build(baseline, Streams(root, replication))
    t0 = zone.t0
    firms = list(zone.alive.values())
    assert len(firms) == 290 + 150
    assert all(f.initial and f.arrived == t0 for f in firms)
    by_stage: dict[int, list[F.Firm]] = defaultdict(list)
    for firm in firms:
        by_stage[firm.stage].append(firm)
    assert len(by_stage[F.TEAM]) == 90 and len(by_stage[F.INCUBATING]) == 200
    assert len(by_stage[F.ENTERPRISE]) == 150
    # teams are not registered; incubated firms are 0-3 years old (firm_age_years U(0, 3))
    assert all(math.isinf(f.registered) and f.carrier is not None for f in by_stage[F.TEAM])
    for firm in by_stage[F.INCUBATING]:
        assert t0 - 3.0 <= firm.registered <= t0 and firm.carrier is not None
        assert t0 <= firm.stage_deadline <= t0 + 5.0  # residual of a stay of at most 5 years
    assert all(f.carrier is None for f in by_stage[F.ENTERPRISE])

    # the 13 national HTEs are enterprises, hold certificates ending within valid_years, and
    # meet the hard criteria they were certified on
    rules = baseline.certification.hte
    holders = [f for f in firms if f.hte(t0)]
    assert len(holders) == 13
    for firm in holders:
        assert firm.stage == F.ENTERPRISE
        first_round = t0 + min(rules.review_rounds_in_year)  # t0 is a whole year here
        assert first_round < firm.hte_until <= first_round + rules.valid_years
        assert hte_eligible(firm, t0, rules)
    # they are the 13 most capable enterprises
    ranked = sorted(by_stage[F.ENTERPRISE], key=lambda f: (-f.capability, f.id))
    assert {f.id for f in ranked[:13]} == {f.id for f in holders}

    # the 85 tech-based SMEs are registered firms, valid until the first evaluation (2019.4)
    smes = [f for f in firms if f.tech_sme(t0)]
    assert len(smes) == 85
    assert all(f.stage in (F.INCUBATING, F.ENTERPRISE) for f in smes)
    first_evaluation = 2019.0 + baseline.certification.tech_sme.evaluation_in_year
    assert {f.sme_until for f in smes} == {first_evaluation}


def test_attributes_differ_between_replications_but_counts_do_not(baseline: Scenario) -> None:
    records = [initial_records(build(baseline, Streams(*seed))) for seed in SEEDS]
    occupied = {rec["carrier_occupied_m2"] for rec in records}
    assert len(occupied) == len(SEEDS)  # random areas ...
    for name in EXPECTED_2018:  # ... exact counts
        assert {rec[name] for rec in records} == {EXPECTED_2018[name]}


def test_first_year_of_the_runner_output_is_the_initial_state(baseline: Scenario) -> None:
    """Through the runner: the 2018 rows of every replication, one per indicator."""
    results = run_replications(baseline, 2, 42)
    first = results.trajectories[results.trajectories["year"] == 2018]
    for replication, rows in first.groupby("replication"):
        assert rows["indicator"].is_unique, replication
        values = dict(zip(rows["indicator"], rows["value"], strict=True))
        for name, value in EXPECTED_2018.items():
            assert values[name] == value, (replication, name)
        for key, occupants in baseline.initial_state.carriers.items():
            assert values[f"firms_in_carriers.{key}"] == occupants.firms + occupants.teams
        # flows start with the first simulated year
        assert "arrivals" not in values
    assert sorted(first["replication"].unique()) == [0, 1]
    years = sorted(results.trajectories["year"].unique())
    assert years == list(range(2018, 2031))
