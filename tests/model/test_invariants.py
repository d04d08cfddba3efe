"""Invariants of one replication over random small scenarios derived from the baseline.

Each example scales the baseline (arrival rates, carrier areas, patience, failure hazards, grant
awards, fund tranches, horizon), runs one replication through ``build``/``run``/``extract`` and
checks bookkeeping that must hold whatever the parameters: arrivals are conserved, no carrier is
ever over-full, no fund pool is overdrawn, money is accounted for and the yearly indicators are
sane counts, shares and amounts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import build, extract, run
from sim.model import firm as F
from sim.model.zone import FundPool
from sim.streams import Streams
from tests.helpers import baseline_data, const, quiet_data, scenario_from

#: Indicators that count firms, teams, carriers, patents or certificates: whole numbers >= 0.
COUNT_INDICATORS = (
    "national_hte",
    "tech_smes",
    "incubators",
    "high_level_teams",
    "firms_in_carriers",
    "firms_in_incubation",
    "maker_projects",
    "waiting",
    "enterprise_base",
    "arrivals",
    "admitted",
    "turned_away",
    "ineligible",
    "incorporations",
    "graduations",
    "left_max_stay",
    "failures",
    "dissolved",
    "patents_filed",
    "patents_granted_per_year",
    "invention_patents_granted",
    "hte_certified",
    "hte_lost",
    "high_level_team_arrivals",
)
#: Flows: recorded from the second year on (the first year's row is the initial state).
FLOW_INDICATORS = (
    "arrivals",
    "admitted",
    "turned_away",
    "ineligible",
    "incorporations",
    "graduations",
    "left_max_stay",
    "failures",
    "dissolved",
    "patents_filed",
    "patents_granted_per_year",
    "invention_patents_granted",
    "grants_paid_yuan",
    "loans_yuan",
    "equity_yuan",
    "talent_rewards_yuan",
    "tranches_received_yuan",
    "hte_certified",
    "hte_lost",
    "high_level_team_arrivals",
)
MONEY_INDICATORS = (
    "grants_paid_yuan",
    "loans_yuan",
    "equity_yuan",
    "talent_rewards_yuan",
    "tranches_received_yuan",
    "fund_balance_yuan",
)
EPS_M2 = 1e-6


def money_close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-3)


# ----------------------------------------------------------------------------- scenarios
def award(draw: st.DrawFn) -> dict[str, Any]:
    mean = draw(st.floats(1e3, 5e7))
    if draw(st.booleans()):
        return const(mean)
    return {"dist": "lognormal", "mean": mean, "sd": draw(st.floats(0.0, 2.0)) * mean}


@st.composite
def random_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Baseline data scaled at random; tranche dates strictly after the clock start."""
    data = baseline_data()
    start = 2018
    end = start + draw(st.integers(3, 6), label="years")
    data["horizon"] = {"start_year": start, "end_year": end}
    t0, t_end = float(start + 1), float(end + 1)

    for origin in data["arrivals"]["origins"].values():
        origin["rate_per_year"] *= draw(st.floats(0.0, 3.0))
    for carrier in data["carriers"].values():
        scale = draw(st.floats(0.05, 2.0))
        carrier["area_m2"] *= scale
        for expansion in carrier["expansions"]:
            expansion["add_m2"] *= scale
    firms = data["firms"]
    if draw(st.booleans()):
        firms["patience_years"] = const(draw(st.floats(0.0, 1.0)))
    else:
        firms["patience_years"] = {"dist": "exponential", "mean": draw(st.floats(0.01, 1.0))}
    hazards = firms["failure"]["hazard_per_year"]
    for stage in hazards:
        hazards[stage] *= draw(st.floats(0.0, 3.0))

    funding = data["funding"]
    for program in funding["grants"].values():
        program["award_yuan"] = award(draw)
        program["apply_probability"] = draw(st.floats(0.0, 1.0))
    funding["talent_rewards"]["award_per_team_yuan"] = draw(st.floats(0.0, 2e6))
    for pool in funding["pools"].values():
        pool["opening_balance_yuan"] = draw(st.sampled_from([0.0, 1e5, 3e6, 4e7]))
        pool["tranches"] = [
            {
                "date": draw(st.floats(t0, t_end, exclude_min=True, exclude_max=True)),
                "amount_yuan": draw(st.floats(0.0, 5e7)),
            }
            for _ in range(draw(st.integers(0, 4)))
        ]
        if draw(st.booleans()):
            pool["yearly"] = {
                "amount_yuan": draw(st.floats(0.0, 3e7)),
                "in_year": draw(st.floats(0.001, 0.999)),
                "first_year": draw(st.integers(start + 1, end)),
                "last_year": draw(st.integers(end, end + 3)),
                "growth_per_year": draw(st.floats(-0.5, 0.5)),
            }
        else:
            pool.pop("yearly", None)
    return data


def scheduled_payments(pool: dict[str, Any], t0: float, t_end: float) -> list[tuple[float, float]]:
    """(date, amount) of a pool's payments inside the clock window, computed from the data."""
    payments = [(t["date"], t["amount_yuan"]) for t in pool.get("tranches", [])]
    yearly = pool.get("yearly")
    if yearly:
        for year in range(yearly["first_year"], yearly["last_year"] + 1):
            amount = yearly["amount_yuan"] * (1 + yearly["growth_per_year"]) ** (
                year - yearly["first_year"]
            )
            payments.append((year + yearly["in_year"], amount))
    return [(d, a) for d, a in payments if t0 <= d < t_end]


# ----------------------------------------------------------------------------- running
class Probe:
    """One replication with checks hooked into carrier occupation and pool payments."""

    def __init__(self, data: dict[str, Any], seed: int = 7) -> None:
        self.data = data
        self.scenario = scenario_from(data)
        self.over_full: list[str] = []
        self.pay_problems: list[str] = []
        self.payments: dict[int, list[tuple[float, float, bool]]] = defaultdict(list)
        original_pay = FundPool.pay
        probe = self

        def checked_pay(pool: FundPool, amount_yuan: float) -> bool:
            before = pool.balance
            ok = original_pay(pool, amount_yuan)
            probe.payments[id(pool)].append((before, amount_yuan, ok))
            if pool.balance < 0:
                probe.pay_problems.append(f"balance {pool.balance} after paying {amount_yuan}")
            if ok and amount_yuan > before:
                probe.pay_problems.append(f"paid {amount_yuan} from a balance of {before}")
            if not ok and pool.balance != before:
                probe.pay_problems.append("a refused payment changed the balance")
            return ok

        with mock.patch.object(FundPool, "pay", checked_pay):
            self.zone = build(self.scenario, Streams(seed, 0))
            self.check_carriers("after build (t0 snapshot)")
            original_occupy = self.zone.carriers.occupy

            def checked_occupy(state, firm, is_team, area_m2):
                original_occupy(state, firm, is_team, area_m2)
                self.check_carriers(f"after occupy at t={self.zone.env.now}")

            self.zone.carriers.occupy = checked_occupy
            run(self.zone)
        self.output = extract(self.zone)
        self.records: dict[int, dict[str, float]] = defaultdict(dict)
        for year, name, value in self.output.trajectory:
            self.records[year][name] = value

    def check_carriers(self, when: str) -> None:
        for state in self.zone.carriers.order:
            if state.occupied_m2 > state.area_m2 + EPS_M2 or state.occupied_m2 < -EPS_M2:
                self.over_full.append(
                    f"{state.id} {when}: occupied {state.occupied_m2} of {state.area_m2} m²"
                )
            if state.teams < 0 or state.startups < 0:
                self.over_full.append(f"{state.id} {when}: negative occupant count")

    @property
    def years(self) -> list[int]:
        return sorted(self.records)


# ----------------------------------------------------------------------------- checks
def check_conservation(probe: Probe) -> None:
    census = probe.output.census
    assert set(census) == {"waiting", "in_carriers", "in_base", "gone"}
    assert all(count >= 0 for count in census.values()), census
    arrivals = probe.output.totals["arrivals"]
    assert arrivals == sum(census.values()), (arrivals, census)
    assert arrivals == sum(probe.records[y]["arrivals"] for y in probe.years[1:])


def check_carrier_area(probe: Probe) -> None:
    assert not probe.over_full, probe.over_full[:5]
    for year in probe.years:
        rec = probe.records[year]
        for key in probe.scenario.carriers:
            assert rec[f"carrier_occupied_m2.{key}"] <= rec[f"carrier_area_m2.{key}"] + EPS_M2
        assert rec["carrier_occupied_m2"] <= rec["carrier_area_m2"] + EPS_M2
        assert 0.0 <= rec["carrier_occupancy"] <= 1.0 + 1e-12


def check_pools(probe: Probe) -> None:
    scenario = probe.scenario
    zone = probe.zone
    assert not probe.pay_problems, probe.pay_problems[:5]
    t0, t_end = scenario.horizon.t0, scenario.horizon.t_end
    for key, pool in zone.pools.items():
        spec = probe.data["funding"]["pools"][key]
        opening = spec.get("opening_balance_yuan", 0.0)
        assert pool.balance >= 0
        assert money_close(opening + pool.received - pool.paid, pool.balance)
        expected = sum(a for _, a in scheduled_payments(spec, t0, t_end))
        assert money_close(pool.received, expected), (key, pool.received, expected)
        paid = sum(a for _, a, ok in probe.payments[id(pool)] if ok)
        assert money_close(pool.paid, paid)
        for year in probe.years:
            assert probe.records[year][f"fund_balance_yuan.{key}"] >= 0

    flows = probe.years[1:]
    received = sum(p.received for p in zone.pools.values())
    paid = sum(p.paid for p in zone.pools.values())
    assert money_close(sum(probe.records[y]["tranches_received_yuan"] for y in flows), received)
    spent = sum(
        probe.records[y]["grants_paid_yuan"] + probe.records[y]["talent_rewards_yuan"]
        for y in flows
    )
    assert money_close(spent, paid)

    # Year by year and pool by pool: the balance moves by what came in and what was paid out,
    # and no year pays out more than the pool held at its start plus that year's tranches.
    programs_of: dict[str, list[str]] = defaultdict(list)
    for name, program in scenario.funding.grants.items():
        programs_of[program.pool].append(name)
    talent_pool = scenario.funding.talent_rewards.pool
    for key in zone.pools:
        payments = scheduled_payments(probe.data["funding"]["pools"][key], t0, t_end)
        for previous, year in zip(probe.years, flows, strict=False):
            rec = probe.records[year]
            came_in = sum(a for d, a in payments if math.floor(d) == year)
            went_out = sum(rec.get(f"grants_paid_yuan.{p}", 0.0) for p in programs_of[key])
            if key == talent_pool:
                went_out += rec["talent_rewards_yuan"]
            opening = probe.records[previous][f"fund_balance_yuan.{key}"]
            assert went_out <= opening + came_in + 1e-3, (key, year)
            assert money_close(opening + came_in - went_out, rec[f"fund_balance_yuan.{key}"]), (
                key,
                year,
            )
    for year in probe.years:
        rec = probe.records[year]
        total = sum(rec[f"fund_balance_yuan.{key}"] for key in zone.pools)
        assert money_close(rec["fund_balance_yuan"], total)
        if year != probe.years[0]:
            by_program = sum(rec[f"grants_paid_yuan.{p}"] for p in scenario.funding.grants)
            assert money_close(rec["grants_paid_yuan"], by_program)


def check_indicators(probe: Probe) -> None:
    years = probe.years
    horizon = probe.scenario.horizon
    assert years == list(range(horizon.start_year, horizon.end_year + 1))
    carriers = list(probe.scenario.carriers)
    for year in years:
        rec = probe.records[year]
        first = year == years[0]
        for name in COUNT_INDICATORS:
            if first and name in FLOW_INDICATORS:
                assert name not in rec
                continue
            value = rec[name]
            assert value >= 0 and float(value).is_integer(), (year, name, value)
        for key in carriers:
            value = rec[f"firms_in_carriers.{key}"]
            assert value >= 0 and float(value).is_integer()
        for name in MONEY_INDICATORS:
            if first and name in FLOW_INDICATORS:
                continue
            assert rec[name] >= 0 and math.isfinite(rec[name]), (year, name, rec[name])
        assert rec["incubators"] <= len(carriers)
        assert rec["firms_in_carriers"] == rec["firms_in_incubation"] + rec["maker_projects"]
        assert rec["firms_in_carriers"] == sum(rec[f"firms_in_carriers.{k}"] for k in carriers)
        assert math.isclose(
            rec["carrier_area_m2"], sum(rec[f"carrier_area_m2.{k}"] for k in carriers)
        )
        assert rec["carrier_area_m2"] > 0 or rec["firms_in_carriers"] == 0
        if rec["carrier_area_m2"] > 0:  # B's "亩均收入": revenue in incubation per m²
            per_m2 = rec["revenue_incubated_yuan"] / rec["carrier_area_m2"]
            assert math.isclose(rec["revenue_per_carrier_m2_yuan"], per_m2)
        else:
            assert "revenue_per_carrier_m2_yuan" not in rec
        if not first:
            assert rec["invention_patents_granted"] <= rec["patents_granted_per_year"]
            if rec["patents_granted_per_year"] > 0:
                share = rec["invention_patent_share"]
                assert 0.0 <= share <= 1.0
                assert math.isclose(
                    share, rec["invention_patents_granted"] / rec["patents_granted_per_year"]
                )
            else:
                assert "invention_patent_share" not in rec
            assert rec["high_level_team_arrivals"] <= rec["arrivals"]
    totals = probe.output.totals
    for name in FLOW_INDICATORS:
        assert money_close(totals[name], sum(probe.records[y][name] for y in years[1:])), name


def check_stocks_match_state(probe: Probe) -> None:
    """The running counters agree with a recount of the firms at the end of the run."""
    zone = probe.zone
    now = zone.env.now
    alive = list(zone.alive.values())
    last = probe.records[probe.years[-1]]
    assert now == probe.scenario.horizon.t_end
    assert last["enterprise_base"] == sum(f.stage == F.ENTERPRISE for f in alive)
    assert last["tech_smes"] == sum(f.tech_sme(now) for f in alive)
    assert last["firms_in_carriers"] == sum(f.carrier is not None for f in alive)
    assert last["waiting"] == len(zone.carriers.waiting)
    in_carriers = sum(f.stage in (F.TEAM, F.INCUBATING) for f in alive)
    assert last["firms_in_carriers"] == in_carriers
    assert last["national_hte"] == sum(f.hte(now) for f in alive)


# ----------------------------------------------------------------------------- tests
@pytest.mark.validation(
    group="invariants",
    check="invariants on random scenarios (hypothesis, 15 examples)",
    asserts=(
        "arrivals = waiting + in carriers + in base + gone; occupied area ≤ area at every "
        "admission; no pool pays more than it holds or goes negative; every yuan of every tranche"
        " is in exactly one year; counts are non-negative integers"
    ),
    tolerance="exact",
)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(data=random_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_on_random_scenarios(data: dict[str, Any], seed: int) -> None:
    probe = Probe(data, seed)
    check_conservation(probe)
    check_carrier_area(probe)
    check_pools(probe)
    check_indicators(probe)
    check_stocks_match_state(probe)


@pytest.mark.validation(
    group="invariants",
    check="counters against a recount",
    asserts=(
        "the running stock counters equal a recount over the live firms at the end of a baseline "
        "run"
    ),
    tolerance="exact",
)
def test_stock_counters_match_a_recount_in_the_baseline() -> None:
    """The full baseline, one replication: the certificate and base counters match the firms."""
    probe = Probe(baseline_data(), seed=11)
    zone = probe.zone
    now = zone.env.now
    alive = list(zone.alive.values())
    assert probe.records[2030]["national_hte"] == sum(f.hte(now) for f in alive) > 0
    assert probe.output.totals["arrivals"] > 1000
    check_conservation(probe)
    check_carrier_area(probe)
    check_pools(probe)
    check_indicators(probe)
    check_stocks_match_state(probe)


def quiet_with_pool(tranche_dates: list[float]) -> dict[str, Any]:
    data = quiet_data(2018, 2021)
    data["funding"]["pools"] = {
        "fund": {"tranches": [{"date": d, "amount_yuan": 1e6} for d in tranche_dates]}
    }
    return data


@pytest.mark.parametrize(
    "dates",
    [
        [2019.25, 2020.5, 2021.0],
        [2019.0, 2020.5],
    ],
    ids=["after-t0", "at-t0"],
)
def test_every_tranche_is_in_some_year(dates: list[float]) -> None:
    scenario = scenario_from(quiet_with_pool(dates))
    zone = build(scenario, Streams(1, 0))
    run(zone)
    output = extract(zone)
    received = zone.pools["fund"].received
    assert received == 1e6 * len(dates)
    yearly = {y: v for y, n, v in output.trajectory if n == "tranches_received_yuan"}
    assert sorted(yearly) == [2019, 2020, 2021]
    assert sum(yearly.values()) == received == output.totals["tranches_received_yuan"]
    for year in (2019, 2020, 2021):
        assert yearly[year] == 1e6 * sum(math.floor(d) == year for d in dates)
    opening = {v for y, n, v in output.trajectory if y == 2018 and n == "fund_balance_yuan"}
    assert opening == {0.0}


def test_initial_snapshot_is_recorded_once() -> None:
    zone = build(scenario_from(quiet_data(2018, 2021)), Streams(1, 0))
    run(zone)
    rows = [(year, name) for year, name, _ in extract(zone).trajectory]
    assert sum(year == 2018 and name == "national_hte" for year, name in rows) == 1
    assert len(rows) == len(set(rows))


@pytest.mark.parametrize(
    "date",
    [
        2019.25,
        2019.0,
    ],
    ids=["after-t0", "at-t0"],
)
def test_expansion_before_opening_counts_once_open(date: float) -> None:
    data = quiet_data(2018, 2021)
    annex = dict(data["carriers"]["park"], name="Annex", opens=2019.5, area_m2=50.0)
    annex["expansions"] = [{"date": date, "add_m2": 25.0}]
    data["carriers"]["annex"] = annex
    zone = build(scenario_from(data), Streams(1, 0))
    run(zone)
    area = {y: v for y, n, v in extract(zone).trajectory if n == "carrier_area_m2.annex"}
    assert area[2018] == 0.0  # not open yet
    assert area[2019] == area[2021] == 75.0


def test_event_count_is_stable() -> None:
    zone = build(scenario_from(quiet_data(2018, 2021)), Streams(1, 0))
    run(zone)
    first = extract(zone).events
    assert first > 0
    assert extract(zone).events == first
