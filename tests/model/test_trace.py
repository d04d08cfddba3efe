"""Exact traces: one firm or team injected by hand into a quiet zone where every quantity is a
constant, so its whole path (admission, grants, HTE certificate, graduation, expiry, maker
stay, incorporation, maximum stay) is known to the day and checked against the firm record and
the yearly indicators.

Clock: ``quiet_data(2018, END)`` starts the clock at t0 = 2019.0; the snapshot labelled year Y
is taken at clock time Y + 1. Times below are compared to within 1e-9 years.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pytest

from sim.model import FIRM_COLUMNS, ReplicationOutput, build, extract, run
from sim.model.firm import Firm
from sim.model.lifecycle import draw_traits, firm_life, start_revenue
from sim.model.zone import Zone
from sim.streams import Streams
from tests.helpers import const, quiet_data, scenario_from

ARRIVAL = 2019.25
EXACT = 1e-9


def at(value: float) -> Any:
    return pytest.approx(value, abs=EXACT)


def inject(zone: Zone, when: float, team: bool, capability: float = 1.0) -> dict[str, Firm]:
    """Start a process that creates one newcomer at ``when`` the way ``arrivals`` does."""
    env = zone.env
    made: dict[str, Firm] = {}

    def newcomer():
        yield env.timeout(when - env.now)
        stream = zone.streams.arrivals
        firm = Firm(
            id=zone.new_id(),
            origin="entrant",
            sector="equipment",
            capability=capability,
            arrived=env.now,
            registered=math.inf,
        )
        draw_traits(zone, firm, stream)
        if not team:
            firm.registered = env.now  # founded on arrival
            start_revenue(zone, firm, stream)
        zone.tally.arrivals += 1
        firm.process = env.process(firm_life(zone, firm, team, []))
        made["firm"] = firm

    env.process(newcomer())
    return made


class Trace:
    """One replication of ``data`` with one injected newcomer."""

    def __init__(self, data: dict[str, Any], team: bool = False, capability: float = 1.0):
        self.zone = build(scenario_from(data), Streams(0, 0), keep_firm_records=True)
        made = inject(self.zone, ARRIVAL, team, capability)
        run(self.zone)
        self.firm = made["firm"]
        self.output: ReplicationOutput = extract(self.zone)
        assert len(self.output.firms) == 1
        self.row = dict(zip(FIRM_COLUMNS, self.output.firms[0], strict=True))
        self.years: dict[int, dict[str, float]] = defaultdict(dict)
        for year, name, value in self.output.trajectory:
            self.years[year][name] = value

    def series(self, name: str) -> dict[int, float]:
        return {year: rec[name] for year, rec in sorted(self.years.items()) if name in rec}


# ----------------------------------------------------------------------------- startup & HTE
def hte_data(min_score: float = 70.0, renewal: float = 0.0, end_year: int = 2025) -> dict[str, Any]:
    """A startup path with constant traits meeting the HTE rule, a grant programme paid from a
    pool with one dated tranche, and one HTE review round a year (mid-year)."""
    data = quiet_data(2018, end_year)
    firms = data["firms"]
    firms["traits"]["rd_ratio"] = const(0.10)  # >= 0.05 required below 50 M yuan revenue
    firms["traits"]["st_staff_share"] = const(0.30)  # >= 0.10
    firms["traits"]["hightech_revenue_share"] = const(0.80)  # >= 0.60
    firms["revenue"]["initial_yuan_per_year"] = const(1e6)
    firms["revenue"]["growth_per_year"] = 0.05
    firms["revenue"]["growth_per_capability"] = 0.5
    firms["revenue"]["mature_yuan_per_year"] = const(1e15)  # far away: growth does not slow
    data["incubation"]["max_stay_years"] = const(4.0)
    data["incubation"]["review_in_year"] = 0.55  # graduation reviews just after the rounds
    data["funding"]["pools"]["fund"] = {"tranches": [{"date": 2019.4, "amount_yuan": 5e6}]}
    data["funding"]["grants"] = {
        "support": {
            "pool": "fund",
            "in_year": 0.6,
            "eligible": ["incubating", "enterprise"],
            "apply_probability": 1.0,
            "award_yuan": const(2e6),
            "ranking_noise_sd": 0.0,
        }
    }
    hte = data["certification"]["hte"]
    hte.update(
        review_rounds_in_year=[0.5],
        apply_probability=1.0,
        renewal_probability=renewal,
        min_registered_years=1.0,
        min_invention_patents=0,
        min_other_patents=0,  # core IP trivially held
        score_noise_sd=0.0,
        full_growth_rate=0.3,
        min_score=min_score,
        valid_years=3.2,
    )
    return data


# Score with no patents and capability 1: IP 0 + conversion 0 (no IP items) + organisation 20
# + growth 20 (growth 0.05 + 0.5 * 1 = 0.55 plus the funding boost >= full_growth_rate 0.3) = 40.
SCORE = 40.0


@pytest.mark.validation(
    group="verification: exact traces",
    check="startup → grant → HTE → graduation",
    asserts=(
        "with deterministic distributions a startup arrives, is admitted, receives its grant, is "
        "certified at the first review round a year after registration, graduates at the "
        "carriers' next review and loses the certificate when it lapses, all at the expected "
        "times"
    ),
    tolerance="exact",
)
def test_startup_is_certified_graduates_and_loses_the_certificate() -> None:
    trace = Trace(hte_data(min_score=SCORE))
    row = trace.row
    # arrival and immediate admission: the park is empty
    assert row["origin"] == "entrant" and row["initial"] is False
    assert row["arrived"] == at(ARRIVAL)
    assert row["registered"] == at(ARRIVAL)
    assert row["carrier"] == "park"
    assert row["admitted"] == at(ARRIVAL)
    assert math.isnan(row["incorporated"])
    # grants: 2e6 at the 2019.6 and 2020.6 calls; in 2021.6 the pool holds 1e6 < the award
    assert row["grant_yuan"] == 4e6
    assert row["loan_yuan"] == row["equity_yuan"] == row["talent_yuan"] == 0.0
    # round 2019.5: registered 0.25 years only; round 2020.5: certified; the carriers' review
    # at 2020.55 graduates it
    assert row["hte_first"] == at(2020.5)
    assert row["left_carrier"] == at(2020.55)
    assert row["carrier_exit"] == "graduated_hte"
    assert row["exit"] == "" and math.isnan(row["exit_time"])
    assert math.isnan(row["sme_first"])

    # money in the trajectory
    assert trace.series("tranches_received_yuan") == {
        y: 5e6 if y == 2019 else 0.0 for y in range(2019, 2026)
    }
    expected_paid = {2019: 2e6, 2020: 2e6, 2021: 0.0, 2022: 0.0, 2023: 0.0, 2024: 0.0, 2025: 0.0}
    assert trace.series("grants_paid_yuan") == expected_paid
    assert trace.series("grants_paid_yuan.support") == expected_paid
    balance = {2018: 0.0, 2019: 3e6, 2020: 1e6, 2021: 1e6, 2022: 1e6, 2023: 1e6, 2024: 1e6}
    balance[2025] = 1e6
    assert trace.series("fund_balance_yuan.fund") == balance
    assert trace.series("fund_balance_yuan") == balance
    assert trace.zone.pools["fund"].paid == 4e6

    # place: in the park until the 2020.55 graduation, then in the enterprise base
    occupied = trace.series("carrier_occupied_m2.park")
    assert occupied[2018] == 0.0 and occupied[2019] == 1.0
    assert all(occupied[y] == 0.0 for y in range(2020, 2026))
    incubating = trace.series("firms_in_incubation")
    assert incubating == {y: 1.0 if y == 2019 else 0.0 for y in range(2018, 2026)}
    base = trace.series("enterprise_base")
    assert base == {y: 1.0 if y >= 2020 else 0.0 for y in range(2018, 2026)}
    assert trace.series("graduations")[2020] == 1.0
    assert sum(trace.series("graduations").values()) == 1.0
    assert sum(trace.series("left_max_stay").values()) == 0.0

    # certificate: 2020.5 + 3.2 years = 2023.7; the 2023.5 round does not renew it
    # (renewal_probability 0); it expires at 2023.7; at the 2024.5 round the firm, no longer
    # certified, applies afresh (apply_probability 1) and is certified again
    hte = trace.series("national_hte")
    assert hte == {
        2018: 0.0,
        2019: 0.0,
        2020: 1.0,
        2021: 1.0,
        2022: 1.0,
        2023: 0.0,
        2024: 1.0,
        2025: 1.0,
    }
    assert trace.series("hte_certified") == {y: float(y in (2020, 2024)) for y in range(2019, 2026)}
    assert trace.series("hte_lost") == {y: float(y == 2023) for y in range(2019, 2026)}
    assert trace.firm.hte_until == at(2024.5 + 3.2)
    assert trace.output.totals["arrivals"] == 1
    assert trace.output.census == {"waiting": 0, "in_carriers": 0, "in_base": 1, "gone": 0}


def test_certificate_is_renewed_when_renewal_is_certain() -> None:
    trace = Trace(hte_data(min_score=SCORE, renewal=1.0))
    assert trace.row["hte_first"] == at(2020.5)
    # renewed at the 2023.5 round (the last before the 2023.7 expiry): valid to 2026.7
    assert trace.firm.hte_until == at(2023.5 + 3.2)
    assert trace.series("national_hte") == {y: float(y >= 2020) for y in range(2018, 2026)}
    assert sum(trace.series("hte_lost").values()) == 0.0
    assert sum(trace.series("hte_certified").values()) == 1.0  # a renewal is not a new one


def test_score_below_the_threshold_is_never_certified() -> None:
    trace = Trace(hte_data(min_score=SCORE + 0.5))
    row = trace.row
    assert math.isnan(row["hte_first"])
    assert all(v == 0.0 for v in trace.series("national_hte").values())
    # so it stays incubated until its maximum stay of 4 years
    assert row["carrier_exit"] == "left_max_stay"
    assert row["left_carrier"] == at(ARRIVAL + 4.0)
    # and, still incubating or in the base, it is paid at each call while the pool allows
    assert row["grant_yuan"] == 4e6


def test_tranche_at_the_clock_start_is_a_flow_of_the_first_year() -> None:
    """A payment dated exactly t0 belongs to the first simulated year [2019, 2020): it is in that
    year's flow and the run totals, and not in the initial (2018) snapshot."""
    data = quiet_data(2018, 2021)
    data["funding"]["pools"]["fund"] = {
        "tranches": [{"date": 2019.0, "amount_yuan": 5e6}, {"date": 2019.5, "amount_yuan": 1e6}]
    }
    zone = build(scenario_from(data), Streams(0, 0))
    run(zone)
    output = extract(zone)
    received = {y: v for y, name, v in output.trajectory if name == "tranches_received_yuan"}
    assert output.totals["tranches_received_yuan"] == 6e6
    assert sum(received.values()) == output.totals["tranches_received_yuan"]
    assert received[2019] == 6e6
    balances = [v for y, name, v in output.trajectory if name == "fund_balance_yuan.fund"]
    assert balances == [0.0, 6e6, 6e6, 6e6]  # one row per year, 2018 to 2021


# ----------------------------------------------------------------------------- maker teams
STAY = 0.5  # maker-space stay (years)
MAX_STAY = 2.0  # maximum incubation (years)


def team_data(probability: float, per_capability: float = 0.0) -> dict[str, Any]:
    data = quiet_data(2018, 2022)
    data["maker_space"] = {
        "stay_years": const(STAY),
        "incorporation_probability": probability,
        "incorporation_per_capability": per_capability,
    }
    data["incubation"]["max_stay_years"] = const(MAX_STAY)
    data["firms"]["revenue"]["initial_yuan_per_year"] = const(1e6)
    return data


@pytest.mark.validation(
    group="verification: exact traces",
    check="maker team → startup → maximum stay",
    asserts=(
        "a maker team incorporates at the end of its stay, is incubated and leaves at the maximum"
        " stay, at the expected times"
    ),
    tolerance="exact",
)
@pytest.mark.parametrize(
    ("probability", "per_capability", "capability"),
    [(1.0, 0.0, 0.5), (0.0, 1.0, 1.0)],
    ids=["certain", "certain-by-capability"],
)
def test_team_incorporates_then_leaves_at_max_stay(
    probability: float, per_capability: float, capability: float
) -> None:
    trace = Trace(team_data(probability, per_capability), team=True, capability=capability)
    row = trace.row
    incorporated = ARRIVAL + STAY
    assert row["arrived"] == at(ARRIVAL)
    assert row["admitted"] == at(ARRIVAL)  # first admission: to the maker space
    assert row["carrier"] == "park"
    assert row["incorporated"] == at(incorporated)
    assert row["registered"] == at(incorporated)
    assert row["left_carrier"] == at(incorporated + MAX_STAY)
    assert row["carrier_exit"] == "left_max_stay"
    assert row["exit"] == "" and math.isnan(row["exit_time"])

    makers = trace.series("maker_projects")
    incubating = trace.series("firms_in_incubation")
    base = trace.series("enterprise_base")
    # clock 2020 (label 2019): incubated since 2019.75; clock 2022 (label 2021): left at 2021.75
    assert makers == {y: 0.0 for y in range(2018, 2023)}
    assert incubating == {2018: 0.0, 2019: 1.0, 2020: 1.0, 2021: 0.0, 2022: 0.0}
    assert base == {2018: 0.0, 2019: 0.0, 2020: 0.0, 2021: 1.0, 2022: 1.0}
    assert trace.series("incorporations") == {y: float(y == 2019) for y in range(2019, 2023)}
    assert trace.series("left_max_stay") == {y: float(y == 2021) for y in range(2019, 2023)}
    assert sum(trace.series("dissolved").values()) == 0.0
    assert trace.series("carrier_occupied_m2.park")[2021] == 0.0


@pytest.mark.parametrize(
    ("probability", "per_capability", "capability"),
    [(0.0, 0.0, 1.0), (0.0, 1.0, 0.0)],
    ids=["never", "never-by-capability"],
)
def test_team_that_does_not_incorporate_dissolves(
    probability: float, per_capability: float, capability: float
) -> None:
    trace = Trace(team_data(probability, per_capability), team=True, capability=capability)
    row = trace.row
    assert row["admitted"] == at(ARRIVAL)
    assert row["exit"] == "dissolved"
    assert row["exit_time"] == at(ARRIVAL + STAY)
    assert row["left_carrier"] == at(ARRIVAL + STAY)
    assert row["carrier_exit"] == ""
    assert math.isnan(row["incorporated"]) and math.isnan(row["registered"])
    assert trace.series("dissolved") == {y: float(y == 2019) for y in range(2019, 2023)}
    assert sum(trace.series("incorporations").values()) == 0.0
    assert trace.series("firms_in_carriers") == {y: 0.0 for y in range(2018, 2023)}
    assert trace.output.census == {"waiting": 0, "in_carriers": 0, "in_base": 0, "gone": 1}


def test_team_is_a_maker_project_until_its_stay_ends() -> None:
    """A longer stay (1.5 years) crosses the clock-2020 snapshot: a maker project there."""
    data = team_data(1.0)
    data["maker_space"]["stay_years"] = const(1.5)
    trace = Trace(data, team=True)
    assert trace.row["incorporated"] == at(ARRIVAL + 1.5)
    assert trace.series("maker_projects") == {y: float(y == 2019) for y in range(2018, 2023)}
    assert trace.series("firms_in_incubation") == {
        2018: 0.0,
        2019: 0.0,
        2020: 1.0,
        2021: 1.0,
        2022: 0.0,
    }
    assert trace.row["left_carrier"] == at(ARRIVAL + 1.5 + MAX_STAY)


def test_firm_whose_clocks_were_beyond_the_horizon_follows_its_new_stage() -> None:
    data = hte_data(min_score=SCORE)
    data["incubation"]["max_stay_years"] = const(100.0)  # deadline beyond the horizon
    data["firms"]["failure"]["hazard_per_year"]["enterprise"] = 1000.0
    trace = Trace(data)
    assert trace.row["carrier_exit"] == "graduated_hte"
    assert trace.row["left_carrier"] == at(2020.55)
    # P(surviving 0.05 years at 1000/yr) = exp(-50)
    assert trace.row["exit"] == "failed"
    assert 2020.55 < trace.row["exit_time"] < 2020.6


def test_enterprise_hazard_applies_after_graduation_within_the_horizon() -> None:
    """The same firm with a maximum stay inside the horizon (its process is alive): it fails
    right after graduating, as the enterprise hazard says."""
    data = hte_data(min_score=SCORE)
    data["firms"]["failure"]["hazard_per_year"]["enterprise"] = 1000.0
    trace = Trace(data)
    assert trace.row["left_carrier"] == at(2020.55)
    assert trace.row["exit"] == "failed"
    assert 2020.55 < trace.row["exit_time"] < 2020.6
    assert trace.series("failures")[2020] == 1.0
    assert trace.series("national_hte")[2020] == 0.0  # a failed HTE no longer counts


# ----------------------------------------------------------------------------- tech-based SMEs
def sme_data(apply: float, renewal: float, initial_holder: bool) -> dict[str, Any]:
    """One enterprise in the initial state that meets the tech-SME rule every year (S&T staff
    30 % = 20 points, R&D ratio 10 % = 50 points; revenue 1 M yuan, well within the size
    limits), evaluated yearly at 0.4 of the year."""
    data = quiet_data(2018, 2022)
    data["initial_state"].update(
        enterprise_base_firms=1,
        tech_smes=1 if initial_holder else 0,
        enterprise_age_years=const(5.0),
        enterprise_revenue_yuan_per_year=const(1e6),
        enterprise_invention_patents=const(0.0),
        enterprise_other_patents=const(0.0),
    )
    traits = data["firms"]["traits"]
    traits.update(rd_ratio=const(0.1), st_staff_share=const(0.3))
    data["certification"]["tech_sme"].update(
        evaluation_in_year=0.4, apply_probability=apply, renewal_probability=renewal
    )
    return data


def tech_smes(data: dict[str, Any]) -> dict[int, float]:
    zone = build(scenario_from(data), Streams(0, 0))
    run(zone)
    return {y: v for y, name, v in extract(zone).trajectory if name == "tech_smes"}


def test_tech_sme_status_when_every_evaluation_grants_it() -> None:
    assert tech_smes(sme_data(1.0, 1.0, initial_holder=False)) == {
        2018: 0.0,
        2019: 1.0,
        2020: 1.0,
        2021: 1.0,
        2022: 1.0,
    }
    assert tech_smes(sme_data(0.0, 0.0, initial_holder=True)) == {
        2018: 1.0,
        2019: 0.0,
        2020: 0.0,
        2021: 0.0,
        2022: 0.0,
    }


SME_BUG = (
    "BUG: sim/model/certification.py sme_evaluations sets sme_until = at + 1.0, which equals the "
    "next evaluation time exactly (and initial.py sets it to the first evaluation time), and "
    "Firm.tech_sme(now) is sme_until > now, so at every evaluation a holder is taken for a "
    "non-holder: apply_probability is used instead of renewal_probability"
)


def test_tech_sme_holder_renews_with_the_renewal_probability() -> None:
    # an initial holder that always renews and never applies afresh keeps the status
    assert tech_smes(sme_data(0.0, 1.0, initial_holder=True)) == {
        2018: 1.0,
        2019: 1.0,
        2020: 1.0,
        2021: 1.0,
        2022: 1.0,
    }


def test_tech_sme_holder_that_never_renews_loses_the_status() -> None:
    # applies afresh (certain) in 2019.4, does not renew in 2020.4, applies again in 2021.4 ...
    assert tech_smes(sme_data(1.0, 0.0, initial_holder=False)) == {
        2018: 0.0,
        2019: 1.0,
        2020: 0.0,
        2021: 1.0,
        2022: 0.0,
    }
