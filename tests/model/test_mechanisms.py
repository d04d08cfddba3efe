"""The firm-behaviour mechanisms of e15d890, each checked where it acts: saturating
dose-responses of funding, logistic revenue paths, HTE certification through bought IP and
software copyrights, the HTE cultivation pool, placement by free area, relocation and
maximum-stay leavers, R&D-driven yearly patent filings with their subsidy, the zone's share
of the city's patents, and the incubator rule's investment route to graduation.

Most tests run a "silent" zone (``quiet_data`` with the new mechanisms switched off
explicitly) in which a handful of firms with constant traits do one thing. Statistical
checks use fixed seeds and 4-standard-error bands around the exact expectation.

Clock: ``silent_data(2018, END)`` starts the clock at t0 = 2019.0; the snapshot labelled year Y
is taken at clock time Y + 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from scipy.integrate import quad

from sim.experiment.runner import run_replications
from sim.model import FIRM_COLUMNS, ReplicationOutput, build, extract, run
from sim.model import firm as F
from sim.model.firm import Firm
from sim.model.lifecycle import draw_traits, firm_life, start_revenue
from sim.model.patents import grant_patent
from sim.model.zone import Zone
from sim.scenario.schema import DoseResponse, Scenario, cross_check
from sim.streams import Streams
from tests.helpers import baseline_data, const, quiet_data, scenario_from

EXACT = 1e-9


def silent_data(start_year: int = 2018, end_year: int = 2021) -> dict[str, Any]:
    """``quiet_data`` with the mechanisms of e15d890 switched off explicitly (whether or not
    quiet_data does it too): no relocation out of the enterprise base, no cultivation pool, no
    software copyrights, no IP purchases, (next to) no filings paid for by R&D, and a firm at
    its maximum stay stays in the zone."""
    data = quiet_data(start_year, end_year)
    data["firms"]["failure"]["enterprise_relocation_per_year"] = 0.0
    data["incubation"]["stay_in_zone_after_max_stay"] = 1.0
    hte = data["certification"]["hte"]
    hte["cultivation"]["firms_per_year"] = 0
    hte["software_copyrights_per_year"] = {}
    hte["ip_purchase"]["probability"] = 0.0
    data["patents"]["rd_yuan_per_filing"] = 1e30  # 10 % of 1 M yuan pays for 1e-15 filings/yr
    return data


class Run:
    """One replication of ``data`` (with firm records) and its yearly indicators."""

    def __init__(self, data: dict[str, Any], seed: int = 0, inject: list[dict] | None = None):
        self.zone = build(scenario_from(data), Streams(seed, 0), keep_firm_records=True)
        self.made: list[Firm] = []
        for spec in inject or []:
            newcomer(self.zone, self.made, **spec)
        run(self.zone)
        self.output: ReplicationOutput = extract(self.zone)
        self.rows = [dict(zip(FIRM_COLUMNS, row, strict=True)) for row in self.output.firms]
        self.years: dict[int, dict[str, float]] = defaultdict(dict)
        for year, name, value in self.output.trajectory:
            self.years[year][name] = value

    def series(self, name: str) -> dict[int, float]:
        return {year: rec[name] for year, rec in sorted(self.years.items()) if name in rec}

    def row(self, firm: Firm) -> dict[str, Any]:
        return next(row for row in self.rows if row["firm"] == firm.id)


def newcomer(
    zone: Zone, made: list[Firm], when: float, sector: str = "equipment", capability: float = 1.0
) -> None:
    """Start a process that creates one startup, registered on arrival at ``when``, the way
    ``arrivals`` does."""
    env = zone.env

    def arrive():
        yield env.timeout(when - env.now)
        stream = zone.streams.arrivals
        firm = Firm(
            id=zone.new_id(),
            origin="entrant",
            sector=sector,
            capability=capability,
            arrived=env.now,
            registered=env.now,
        )
        draw_traits(zone, firm, stream)
        start_revenue(zone, firm, stream)
        zone.tally.arrivals += 1
        firm.process = env.process(firm_life(zone, firm, False, []))
        made.append(firm)

    env.process(arrive())


def within(observed: float, mean: float, sd: float, sigmas: float = 4.0) -> bool:
    return abs(observed - mean) <= sigmas * sd


# ============================================================================ 1. dose-response
def test_dose_response_is_zero_increasing_concave_and_saturating() -> None:
    """``DoseResponse.at``: 0 at (and below) 0, strictly increasing, strictly concave, never
    above ``max_effect`` and tending to it, and ``max_effect (1 - 1/e)`` at ``scale_yuan``."""
    dose = DoseResponse(max_effect=0.3, scale_yuan=1e6)
    assert dose.at(0.0) == 0.0
    assert dose.at(-5.0) == 0.0
    yuan = np.linspace(0.0, 2e7, 201)
    effect = np.array([dose.at(x) for x in yuan])
    assert np.all(np.diff(effect) > 0)
    assert np.all(np.diff(effect, 2) < 0)
    assert np.all(effect <= 0.3)
    assert dose.at(2e7) == pytest.approx(0.3, rel=1e-8)
    assert dose.at(1e9) == pytest.approx(0.3, rel=1e-15)
    assert dose.at(1e6) == pytest.approx(0.3 * (1 - math.exp(-1)), rel=1e-12)
    # small doses: linear with slope max_effect / scale_yuan
    assert dose.at(1.0) == pytest.approx(0.3 / 1e6, rel=1e-6)


def enterprise(zone: Zone, capability: float = 0.5) -> Firm:
    """An enterprise placed in ``zone`` by hand, on a logistic path, unfunded."""
    firm = Firm(
        id=zone.new_id(),
        origin="initial",
        sector="equipment",
        capability=capability,
        arrived=zone.t0,
        registered=zone.t0 - 3.0,
        initial=True,
    )
    firm.revenue_ref, firm.revenue_t, firm.mature_yuan = 1e6, zone.t0, 1e8
    firm.base_growth = 0.5
    zone.register(firm)
    zone.enter_stage(firm, F.ENTERPRISE)
    return firm


def funding_zone() -> Zone:
    data = silent_data()
    data["firms"]["failure"]["hazard_per_year"]["enterprise"] = 0.1
    return Zone(scenario_from(data), Streams(0, 0))


def test_funding_lowers_hazard_and_raises_growth_by_the_amount() -> None:
    """``Zone.fund``: the more yuan a firm receives, the lower its failure hazard and the higher
    its growth boost, each by the scenario's dose-response of the amount received in all; the
    revenue path stays continuous."""
    zone = funding_zone()
    sc = zone.scenario
    reduction = sc.firms.failure.funding_reduction
    growth = sc.firms.revenue.funding_growth
    amounts = [0.0, 1e4, 1e5, 5e5, 1e6, 5e6, 2e7]
    hazards, boosts = [], []
    for amount in amounts:
        firm = enterprise(zone)
        before = firm.revenue(zone.t0)
        if amount:
            zone.fund(firm, "grant", amount)
        assert firm.revenue(zone.t0) == pytest.approx(before, rel=1e-12)
        assert firm.hazard == pytest.approx(0.1 * (1.0 - reduction.at(amount)), rel=1e-12)
        assert firm.growth_boost == pytest.approx(growth.at(amount), rel=1e-12)
        assert firm.growth == pytest.approx(0.5 + growth.at(amount), rel=1e-12)
        hazards.append(firm.hazard)
        boosts.append(firm.growth_boost)
    assert all(a > b for a, b in zip(hazards, hazards[1:], strict=False))
    assert all(a < b for a, b in zip(boosts, boosts[1:], strict=False))


def test_large_and_small_awards_differ_and_doses_add_up() -> None:
    """Two firms funded 100,000 and 5,000,000 yuan are not treated alike (funding is a dose,
    not a flag), and two payments act as their sum."""
    zone = funding_zone()
    small, large, twice = enterprise(zone), enterprise(zone), enterprise(zone)
    zone.fund(small, "grant", 1e5)
    zone.fund(large, "grant", 5e6)
    zone.fund(twice, "grant", 2.5e6)
    zone.fund(twice, "loan", 2.5e6)
    assert small.funded and large.funded
    assert large.hazard < 0.9 * small.hazard
    assert large.growth_boost > 5 * small.growth_boost
    assert twice.funding_total_yuan == 5e6
    assert twice.funding_yuan == {"grant": 2.5e6, "loan": 2.5e6}
    assert twice.hazard == pytest.approx(large.hazard, rel=1e-12)
    assert twice.growth_boost == pytest.approx(large.growth_boost, rel=1e-12)


# ============================================================================ 2. revenue paths
REGISTERED = 2019.0


def path(mature: float, growth: float = 0.8, start: float = 1e6) -> Firm:
    firm = Firm(
        id=1,
        origin="entrant",
        sector="equipment",
        capability=0.5,
        arrived=REGISTERED,
        registered=REGISTERED,
    )
    firm.revenue_ref, firm.revenue_t, firm.mature_yuan = start, REGISTERED, mature
    firm.base_growth = growth
    return firm


def integral(firm: Firm, t: float, years: float) -> float:
    start = max(t - years, firm.registered)
    if start >= t:
        return 0.0
    return quad(firm.revenue, start, t, epsabs=0.0, epsrel=1e-12, limit=200)[0]


WINDOWS = [(2020.5, 1.0), (2021.0, 2.0), (2023.0, 2.0), (2021.0, 5.0), (2040.0, 2.0), (2019.0, 1.0)]


def test_logistic_revenue_saturates_at_the_mature_size() -> None:
    """On the logistic path revenue rises, never exceeds ``mature_yuan`` and approaches it;
    its relative growth rate falls as it rises, from the intrinsic rate towards 0."""
    firm = path(mature=5e7)
    times = REGISTERED + np.linspace(0.0, 100.0, 1001)
    revenue = np.array([firm.revenue(t) for t in times])
    assert revenue[0] == pytest.approx(1e6, rel=1e-12)
    assert np.all(revenue <= 5e7)
    assert np.all(np.diff(revenue) >= 0)
    assert firm.revenue(REGISTERED + 40.0) == pytest.approx(5e7, rel=1e-9)
    early = REGISTERED + np.linspace(0.0, 15.0, 151)
    rates = np.array([firm.growth_rate(t) for t in early])
    assert np.all(np.diff(rates) < 0)
    assert rates[0] == pytest.approx(0.8 * (1 - 1e6 / 5e7), rel=1e-12)
    assert firm.growth_rate(REGISTERED + 40.0) == pytest.approx(0.0, abs=1e-9)
    # the relative growth is the log-derivative of the path
    t, h = 2022.0, 1e-5
    numeric = (math.log(firm.revenue(t + h)) - math.log(firm.revenue(t - h))) / (2 * h)
    assert firm.growth_rate(t) == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize("window", WINDOWS, ids=[f"{t}-{y}" for t, y in WINDOWS])
@pytest.mark.parametrize(
    ("mature", "growth"),
    [(5e7, 0.8), (2e6, 1.5), (math.inf, 0.8), (math.inf, -0.3), (5e7, -0.3)],
    ids=["logistic", "logistic-near-ceiling", "exponential", "shrinking", "shrinking-capped"],
)
def test_revenue_over_matches_numerical_integration(
    mature: float, growth: float, window: tuple[float, float]
) -> None:
    """``revenue_over`` (closed form) equals the integral of ``revenue`` over the window, cut
    at the registration date, on logistic, exponential and shrinking paths."""
    firm = path(mature=mature, growth=growth)
    t, years = window
    assert firm.revenue_over(t, years) == pytest.approx(integral(firm, t, years), rel=1e-9)


@pytest.mark.parametrize("mature", [5e7, math.inf], ids=["logistic", "exponential"])
def test_revenue_over_after_growth_boost_reanchors_the_path(mature: float) -> None:
    """After ``set_growth_boost`` the path is continuous at the change, grows faster from then
    on, and ``revenue_over`` still integrates the current path."""
    firm = path(mature=mature)
    old = path(mature=mature)
    change = 2020.7
    before = firm.revenue(change)
    firm.set_growth_boost(change, 0.4)
    assert firm.revenue_t == change
    assert firm.revenue(change) == pytest.approx(before, rel=1e-12)
    assert firm.growth == pytest.approx(1.2)
    for t in (2021.0, 2022.5, 2024.0):
        assert firm.revenue(t) > old.revenue(t)
        assert firm.revenue(t) <= mature
    for t, years in [(2021.5, 0.5), (2022.5, 1.5), (2023.0, 2.0), (2022.0, 4.0)]:
        assert firm.revenue_over(t, years) == pytest.approx(integral(firm, t, years), rel=1e-9)
    # a second change (the boost falls back) keeps the path continuous again
    level = firm.revenue(2022.0)
    firm.set_growth_boost(2022.0, 0.0)
    assert firm.revenue(2022.0) == pytest.approx(level, rel=1e-12)
    assert firm.revenue_over(2023.5, 1.0) == pytest.approx(integral(firm, 2023.5, 1.0), rel=1e-9)


@pytest.mark.parametrize("mature", [1e20, 1e25, 1e30])
def test_revenue_with_a_huge_mature_size_is_exponential(mature: float) -> None:
    """With a mature size far above anything reached, the path is the exponential one."""
    firm = path(mature=mature)
    free = path(mature=math.inf)
    for t in (2019.5, 2021.0, 2025.0, 2030.0):
        assert firm.revenue(t) == pytest.approx(1e6 * math.exp(0.8 * (t - REGISTERED)), rel=1e-9)
        assert firm.revenue(t) == pytest.approx(free.revenue(t), rel=1e-9)
        assert firm.growth_rate(t) == pytest.approx(0.8, rel=1e-9)


@pytest.mark.parametrize(
    "mature",
    [1e12, 1e18, 1e25, 1e30],
)
def test_revenue_over_with_a_huge_mature_size_is_the_exponential_integral(mature: float) -> None:
    """With a mature size far above the revenue reached, ``revenue_over`` still integrates the
    path (which is then all but the exponential one: its integral is (R2 - R1) / g)."""
    firm = path(mature=mature)
    expected = integral(firm, 2022.0, 2.0)
    if mature >= 1e20:
        exponential = 1e6 * (math.exp(0.8 * 3.0) - math.exp(0.8 * 1.0)) / 0.8
        assert expected == pytest.approx(exponential, rel=1e-9)
    assert firm.revenue_over(2022.0, 2.0) == pytest.approx(expected, rel=1e-9)


# ============================================================================ 3. HTE via bought IP
ARRIVAL = 2019.25  # registered on arrival; the first round a year later is 2020.5


def hte_ip_data(purchase: float, copyrights: dict[str, float], end_year: int = 2021) -> dict:
    """A startup path meeting every HTE criterion but core IP (no patents are ever granted),
    one review round a year (mid-year), certain application, no score noise."""
    data = silent_data(2018, end_year)
    firms = data["firms"]
    firms["traits"].update(
        rd_ratio=const(0.10), st_staff_share=const(0.30), hightech_revenue_share=const(0.80)
    )
    firms["revenue"]["initial_yuan_per_year"] = const(1e6)
    firms["revenue"]["mature_yuan_per_year"] = const(1e9)
    data["incubation"]["max_stay_years"] = const(10.0)
    data["patents"]["grant_probability"] = {"invention": 0.0, "other": 0.0}
    hte = data["certification"]["hte"]
    hte.update(
        review_rounds_in_year=[0.5],
        apply_probability=1.0,
        min_registered_years=1.0,
        min_invention_patents=1,
        min_other_patents=4,
        score_noise_sd=0.0,
        min_score=71.0,
        ip_full_marks_patents=2.0,
        conversion_full_marks_ip=5.0,
        full_growth_rate=0.3,
        software_copyrights_per_year=copyrights,
    )
    hte["ip_purchase"].update(probability=purchase, patents=2)
    return data


# Score with 2 bought inventions, capability 1 and fast growth: IP 30 + conversion 30 * 2/5
# + organisation 20 + growth 20 = 82 >= 71.


def test_startup_becomes_hte_through_purchased_ip() -> None:
    """A startup lacking only core IP buys invention patents at the first round a year after
    registration and is certified there; the ip_purchases flow counts the patents bought."""
    trace = Run(hte_ip_data(purchase=1.0, copyrights={}), inject=[{"when": ARRIVAL}])
    (firm,) = trace.made
    row = trace.row(firm)
    assert firm.inventions == firm.other_patents == 0
    assert firm.copyrights(2021.0) == 0
    assert row["hte_first"] == pytest.approx(2020.5, abs=EXACT)
    assert firm.hte(2020.5 + 1e-6)
    assert firm.ip_bought >= 1
    assert firm.ip_bought == row["ip_bought"] == 2
    purchases = trace.series("ip_purchases")
    assert purchases == {2019: 0.0, 2020: 2.0, 2021: 0.0}
    assert trace.output.totals["ip_purchases"] == firm.ip_bought
    assert trace.series("hte_certified") == {2019: 0.0, 2020: 1.0, 2021: 0.0}
    assert trace.series("national_hte") == {2018: 0.0, 2019: 0.0, 2020: 1.0, 2021: 1.0}


def test_startup_without_core_ip_that_buys_none_is_never_certified() -> None:
    """The same startup with ip_purchase.probability 0 (and a sector without software
    copyrights) never becomes an HTE, and buys nothing."""
    data = hte_ip_data(purchase=0.0, copyrights={"other": 4.0}, end_year=2023)
    trace = Run(data, inject=[{"when": ARRIVAL, "sector": "equipment"}])
    (firm,) = trace.made
    assert math.isnan(trace.row(firm)["hte_first"])
    assert firm.ip_bought == 0
    assert trace.output.totals["ip_purchases"] == 0
    assert all(v == 0.0 for v in trace.series("national_hte").values())


@pytest.mark.parametrize(
    ("per_year", "certified"),
    [(4.0, 2020.5), (2.0, 2021.5)],
    ids=["5-copyrights-by-2020.5", "4-copyrights-by-2021.5"],
)
def test_software_copyrights_supply_class_ii_core_ip(per_year: float, certified: float) -> None:
    """Software copyrights of the firm's sector count as class-II core IP: a firm registering
    ``per_year`` of them is certified at the first round at which it holds
    ``min_other_patents`` (4), without buying IP."""
    data = hte_ip_data(purchase=0.0, copyrights={"other": per_year}, end_year=2022)
    trace = Run(data, inject=[{"when": ARRIVAL, "sector": "other"}])
    (firm,) = trace.made
    assert firm.copyrights_per_year == per_year
    assert firm.copyrights(certified) >= 4 > firm.copyrights(certified - 1.0)
    assert trace.row(firm)["hte_first"] == pytest.approx(certified, abs=EXACT)
    assert firm.ip_bought == 0
    assert trace.output.totals["ip_purchases"] == 0


# ============================================================================ 4. cultivation
SUBSIDY = 1e5


def cultivation_data(
    firms: int,
    per_year: int,
    end_year: int = 2022,
    rd_ratio: float = 0.04,
    capability: dict | None = None,
) -> dict:
    """``firms`` enterprises that can never be certified (no high-tech revenue), a
    cultivation pool taking ``per_year`` firms a year for two years each."""
    data = silent_data(2018, end_year)
    data["initial_state"].update(
        enterprise_base_firms=firms,
        capability=capability or const(0.5),
        enterprise_age_years=const(5.0),
        enterprise_revenue_yuan_per_year=const(1e6),
        enterprise_invention_patents=const(0.0),
        enterprise_other_patents=const(0.0),
    )
    data["firms"]["traits"].update(
        rd_ratio=const(rd_ratio), st_staff_share=const(0.3), hightech_revenue_share=const(0.0)
    )
    data["firms"]["revenue"]["mature_yuan_per_year"] = const(1e9)
    data["certification"]["hte"]["cultivation"].update(
        firms_per_year=per_year,
        eligible=["incubating", "enterprise"],
        in_year=0.2,
        years_in_pool=2.0,
        subsidy_yuan=SUBSIDY,
        rd_ratio_reachable=0.038,
    )
    return data


@pytest.mark.parametrize(
    ("firms", "per_year", "taken"),
    [(10, 3, [3, 3, 3, 3]), (4, 3, [3, 1, 3, 1]), (2, 5, [2, 0, 2, 0]), (6, 0, [0, 0, 0, 0])],
    ids=["enough", "short", "few", "off"],
)
def test_cultivation_takes_min_of_k_and_candidates_and_pays_each(
    firms: int, per_year: int, taken: list[int]
) -> None:
    """Each year the pool takes min(firms_per_year, candidates) firms (a firm stays two years,
    so it is not a candidate the next year), each paid ``subsidy_yuan``: the cultivation_yuan
    flow is that count times the subsidy."""
    trace = Run(cultivation_data(firms, per_year))
    flows = trace.series("cultivation_yuan")
    assert flows == {year: n * SUBSIDY for year, n in zip(range(2019, 2023), taken, strict=True)}
    paid = [row["cultivation_yuan"] for row in trace.rows]
    assert sum(paid) == sum(taken) * SUBSIDY
    assert all(p % SUBSIDY == 0 for p in paid)
    assert sum(trace.series("national_hte").values()) == 0


def test_cultivation_takes_the_most_capable_first() -> None:
    """Among firms that do not meet the criteria, the pool takes the most capable."""
    data = cultivation_data(
        8, 3, end_year=2019, capability={"dist": "uniform", "low": 0.0, "high": 1.0}
    )
    trace = Run(data)
    by_capability = sorted(trace.rows, key=lambda row: -row["capability"])
    assert [row["cultivation_yuan"] for row in by_capability] == [SUBSIDY] * 3 + [0.0] * 5


@pytest.mark.parametrize(("rd_ratio", "lifted"), [(0.04, 0.05), (0.038, 0.05), (0.03, 0.03)])
def test_cultivation_coaches_rd_ratio_up_to_the_band_minimum(rd_ratio: float, lifted: float):
    """A pool firm whose R&D ratio is at least ``rd_ratio_reachable`` (0.038) is coached to its
    revenue band's minimum (0.05 below 50 M yuan); a lower one, or a firm outside the pool,
    keeps its ratio."""
    data = cultivation_data(4, 3, end_year=2019, rd_ratio=rd_ratio)
    trace = Run(data)
    firms = sorted(trace.zone.alive.values(), key=lambda f: f.id)
    pooled = [f for f in firms if f.funding_yuan.get("cultivation")]
    assert len(pooled) == 3
    assert all(f.cultivated(2019.5) for f in pooled)
    for firm in firms:
        assert firm.revenue(2019.2) < 5e7
        expected = lifted if firm in pooled else rd_ratio
        assert firm.rd_ratio == pytest.approx(expected, abs=1e-15)


def pool_hte_data(per_year: int) -> dict:
    """One enterprise meeting every HTE criterion but core IP; nobody applies, buys IP or
    files patents of their own accord."""
    data = cultivation_data(1, per_year, end_year=2021)
    data["initial_state"]["capability"] = const(0.8)
    data["firms"]["traits"].update(rd_ratio=const(0.10), hightech_revenue_share=const(0.8))
    data["patents"]["grant_probability"] = {"invention": 0.0, "other": 0.0}
    hte = data["certification"]["hte"]
    hte.update(review_rounds_in_year=[0.5], apply_probability=0.0, score_noise_sd=0.0)
    hte["ip_purchase"].update(probability=0.0, patents=2)
    hte["cultivation"]["organisation_points"] = 4.0
    return data


def test_pool_firms_apply_and_get_core_ip() -> None:
    """With apply_probability 0 and ip_purchase.probability 0 only a pool firm applies: it
    applies at the first round after entering the pool, gets its core IP bought, and is
    certified; without the pool it never is."""
    pooled = Run(pool_hte_data(per_year=1))
    (row,) = pooled.rows
    assert row["cultivation_yuan"] == SUBSIDY
    assert row["hte_first"] == pytest.approx(2019.5, abs=EXACT)
    assert row["ip_bought"] == 2
    assert pooled.series("ip_purchases")[2019] == 2.0
    assert pooled.series("national_hte")[2019] == 1.0

    alone = Run(pool_hte_data(per_year=0))
    (row,) = alone.rows
    assert row["cultivation_yuan"] == 0.0
    assert math.isnan(row["hte_first"])
    assert row["ip_bought"] == 0
    assert all(v == 0.0 for v in alone.series("national_hte").values())


# ============================================================================ 5. placement
def baseline_to_2021() -> dict:
    data = baseline_data()
    data["horizon"] = {"start_year": 2018, "end_year": 2021}
    for pool in data["funding"]["pools"].values():
        pool["tranches"] = [t for t in pool.get("tranches", []) if t["date"] < 2022.0]
    return data


def test_every_open_carrier_receives_firms_in_the_baseline() -> None:
    """Baseline 2018-2021, 4 replications: every carrier open by the end of 2021 (including
    the two opened in 2019.5 and 2020.5) holds firms then, in every replication."""
    results = run_replications(scenario_from(baseline_to_2021()), 4, 5)
    traj = results.trajectories
    end = traj[traj["year"] == 2021]
    carriers = list(baseline_data()["carriers"])
    open_ones = []
    for key in carriers:
        area = end[end["indicator"] == f"carrier_area_m2.{key}"]["value"]
        if (area > 0).all():
            open_ones.append(key)
    assert {"chuangji_zhigu", "sino_german_park"} <= set(open_ones)
    for key in open_ones:
        held = end[end["indicator"] == f"firms_in_carriers.{key}"]["value"]
        assert len(held) == 4
        assert (held > 0).all(), key


def placement_data(weight: float, a_prefers: list[str]) -> dict:
    """Two carriers of equal, ample free area; 1,000 equipment startups arrive in a year."""
    data = silent_data(2018, 2019)
    park = data["carriers"]["park"]
    data["carriers"] = {
        key: {**park, "name": key, "area_m2": 1e6, "preferred_sectors": prefers}
        for key, prefers in (("a", a_prefers), ("b", []))
    }
    data["arrivals"]["origins"]["entrant"]["rate_per_year"] = 1000.0
    data["incubation"]["placement_sector_weight"] = weight
    data["incubation"]["max_stay_years"] = const(10.0)
    return data


def placed(data: dict) -> tuple[float, float]:
    """Newcomers in carriers a and b at the end of 2019 (initial occupants, who stay, apart)."""
    trace = Run(data, seed=3)
    a, b = (
        trace.series(f"firms_in_carriers.{key}")[2019]
        - trace.series(f"firms_in_carriers.{key}")[2018]
        for key in "ab"
    )
    assert a + b == trace.output.totals["arrivals"] > 800
    assert trace.output.totals["turned_away"] == 0
    return a, b


def test_identical_carriers_share_newcomers_evenly() -> None:
    """Two general carriers of equal free area each get about half the newcomers (binomial,
    4 sigma), whatever the sector weight (it applies to neither)."""
    for weight in (1.0, 3.0):
        a, b = placed(placement_data(weight, a_prefers=[]))
        n = a + b
        assert within(a, 0.5 * n, math.sqrt(n * 0.25)), (a, b)


@pytest.mark.parametrize(
    ("area_a", "teams_a", "share_a"),
    [(3e6, 0, 0.75), (1.5e6, 500, 0.5)],
    ids=["three-times-the-area", "same-free-area-half-occupied"],
)
def test_newcomers_choose_carriers_by_free_area(area_a: float, teams_a: int, share_a: float):
    """Placement is proportional to free area, not total area: a general carrier with three
    times the other's area gets 3/4 of the newcomers; one with 1.5 times the area but a third
    of it taken by teams (that stay) gets half (4 sigma)."""
    data = placement_data(1.0, a_prefers=[])
    data["carriers"]["a"]["area_m2"] = area_a
    data["firms"]["area_m2"]["team"] = const(1000.0)
    data["maker_space"]["stay_years"] = const(1e6)  # residual stays: uniform in it
    data["initial_state"]["carriers"] = {"a": {"teams": teams_a}}
    a, b = placed(data)
    n = a + b
    assert within(a, share_a * n, math.sqrt(n * share_a * (1 - share_a))), (a, b)


@pytest.mark.parametrize("weight", [1.0, 3.0, 6.0])
def test_carrier_of_the_firms_sector_gets_weight_times_its_share(weight: float) -> None:
    """A carrier preferring the newcomers' sector is chosen with odds ``placement_sector_weight``
    to one against an equal general carrier: share weight / (weight + 1) (4 sigma)."""
    a, b = placed(placement_data(weight, a_prefers=["equipment"]))
    n = a + b
    p = weight / (weight + 1.0)
    assert within(a, p * n, math.sqrt(n * p * (1 - p))), (a, b)
    if weight > 1:
        assert a > b
        assert 0.6 * weight < a / b < 1.6 * weight


# ============================================================================ 6. leaving the zone
def test_enterprise_relocation_decays_the_base_exponentially() -> None:
    """2,000 enterprises, relocation rate 0.25 a year, no failures: the base after t years is
    Binomial(N, exp(-0.25 t)) (4 standard errors), and every leaver is a relocation."""
    n, rate = 2000, 0.25
    data = silent_data(2018, 2024)
    data["initial_state"]["enterprise_base_firms"] = n
    data["firms"]["failure"]["enterprise_relocation_per_year"] = rate
    trace = Run(data, seed=1)
    base = trace.series("enterprise_base")
    assert base[2018] == n
    for year, count in base.items():
        p = math.exp(-rate * (year - 2018))
        assert within(count, n * p, math.sqrt(n * p * (1 - p))), (year, count, n * p)
    assert trace.output.totals["relocations"] == n - base[2024]
    assert trace.output.totals["failures"] == 0
    gone = [row for row in trace.rows if row["exit"]]
    assert len(gone) == n - base[2024]
    assert all(row["exit"] == "relocated" for row in gone)


def max_stay_data(firms: int, stay_in_zone: float) -> dict:
    """``firms`` startups in the park at the start, each reaching its 2-year maximum stay
    (uniform residual stays) before the end of 2021; no other way out."""
    data = silent_data(2018, 2021)
    data["carriers"]["park"]["area_m2"] = float(firms)
    data["initial_state"]["carriers"] = {"park": {"firms": firms}}
    data["initial_state"]["firm_age_years"] = const(0.5)
    data["incubation"]["max_stay_years"] = const(2.0)
    data["incubation"]["stay_in_zone_after_max_stay"] = stay_in_zone
    return data


@pytest.mark.parametrize("stay_in_zone", [0.0, 1.0])
def test_max_stay_leavers_leave_the_zone_or_join_the_base(stay_in_zone: float) -> None:
    """With stay_in_zone_after_max_stay 0 every firm reaching the maximum stay leaves the zone
    (exit "relocated"); with 1 every one enters the enterprise base."""
    n = 40
    trace = Run(max_stay_data(n, stay_in_zone))
    assert len(trace.rows) == n
    for row in trace.rows:
        assert row["carrier_exit"] == "left_max_stay"
        if stay_in_zone == 0.0:
            assert row["exit"] == "relocated"
            assert row["exit_time"] == row["left_carrier"]
        else:
            assert row["exit"] == ""
    totals = trace.output.totals
    assert totals["left_max_stay"] == n
    assert totals["relocations"] == (n if stay_in_zone == 0.0 else 0)
    assert trace.series("firms_in_carriers")[2021] == 0
    assert trace.series("enterprise_base")[2021] == (0 if stay_in_zone == 0.0 else n)


def test_max_stay_leavers_stay_with_the_given_chance() -> None:
    """With stay_in_zone_after_max_stay 0.3, about 30 % of 400 leavers stay (4 sigma)."""
    n, p = 400, 0.3
    trace = Run(max_stay_data(n, p), seed=2)
    stayed = trace.series("enterprise_base")[2021]
    assert trace.output.totals["left_max_stay"] == n
    assert trace.output.totals["relocations"] == n - stayed
    assert within(stayed, n * p, math.sqrt(n * p * (1 - p))), stayed


# ============================================================================ 7. patent filings
def filing_data(
    rate: float, firms: int, end_year: int, subsidy: float = 0.0, hazard: float = 0.0
) -> dict:
    """``firms`` enterprises of capability 0.5 and R&D ratio 0 filing at ``rate`` a year."""
    data = silent_data(2018, end_year)
    data["initial_state"].update(
        enterprise_base_firms=firms,
        capability=const(0.5),
        enterprise_revenue_yuan_per_year=const(1e6),
        enterprise_invention_patents=const(0.0),
        enterprise_other_patents=const(0.0),
    )
    data["firms"]["traits"]["rd_ratio"] = const(0.0)
    data["firms"]["failure"]["hazard_per_year"]["enterprise"] = hazard
    patents = data["patents"]
    patents["rd_yuan_per_filing"] = 600000.0  # inert anyway: no R&D spending
    patents["filing_rate_per_year"] = {"team": 0.0, "incubating": 0.0, "enterprise": rate}
    patents["filing_subsidy_yuan"] = subsidy
    return data


def test_filings_are_poisson_at_the_stage_rate() -> None:
    """200 enterprises filing 2 a year for 3 years: patents_filed is Poisson with mean
    rate x firms x years (4 sd), each year and in all; no subsidy is paid."""
    rate, firms, years = 2.0, 200, 3
    trace = Run(filing_data(rate, firms, 2018 + years), seed=4)
    filed = trace.series("patents_filed")
    yearly = rate * firms
    for year in range(2019, 2022):
        assert within(filed[year], yearly, math.sqrt(yearly)), (year, filed[year])
    total = trace.output.totals["patents_filed"]
    assert within(total, yearly * years, math.sqrt(yearly * years)), total
    assert trace.output.totals["filing_subsidies_yuan"] == 0.0


def test_filing_subsidy_raises_the_rate_and_is_paid_per_filing() -> None:
    """A per-filing subsidy multiplies the filing rate by 1 + subsidy_response.at(subsidy) and
    costs subsidy x patents_filed each year."""
    rate, firms, years, subsidy = 2.0, 200, 3, 20000.0
    data = filing_data(rate, firms, 2018 + years, subsidy=subsidy)
    trace = Run(data, seed=4)
    response = trace.zone.scenario.patents.subsidy_response
    lift = 1.0 + response.at(subsidy)
    assert lift > 1.3
    assert trace.zone.subsidy_multiplier == pytest.approx(lift, rel=1e-12)
    mean = rate * firms * years * lift
    total = trace.output.totals["patents_filed"]
    assert within(total, mean, math.sqrt(mean)), (total, mean)
    unsubsidised = rate * firms * years
    assert total > unsubsidised + 4 * math.sqrt(unsubsidised)  # clearly above
    filed = trace.series("patents_filed")
    paid = trace.series("filing_subsidies_yuan")
    assert set(paid) == set(filed) == set(range(2019, 2022))
    for year in filed:
        assert paid[year] == subsidy * filed[year]
    assert trace.output.totals["filing_subsidies_yuan"] == subsidy * total


def test_filings_dated_after_the_firm_left_are_void() -> None:
    """400 enterprises filing 5 a year but failing at 5 a year: only the filings dated before
    each firm's exit count, rate x firms x (1 - e^-h) / h on average, not rate x firms."""
    rate, firms, hazard = 5.0, 400, 5.0
    trace = Run(filing_data(rate, firms, 2019, hazard=hazard), seed=6)
    # time in the zone during the year: L = min(Exp(h), 1)
    mean_l = -math.expm1(-hazard) / hazard
    mean_l2 = 2 * (1 - math.exp(-hazard) * (1 + hazard)) / hazard**2
    mean = rate * firms * mean_l
    var = firms * (rate * mean_l + rate**2 * (mean_l2 - mean_l**2))
    filed = trace.output.totals["patents_filed"]
    assert trace.output.totals["failures"] > 0.99 * firms - 4 * math.sqrt(firms)
    assert within(filed, mean, math.sqrt(var)), (filed, mean)
    assert filed < 0.5 * rate * firms


def test_grant_of_a_patent_filed_after_the_firm_left_is_void() -> None:
    """``grant_patent`` counts a patent only if its firm was still in the zone when it filed."""
    zone = Zone(scenario_from(silent_data()), Streams(0, 0))
    tally = zone.tally
    gone, here = path(mature=5e7), path(mature=5e7)
    here.id = 2
    gone.exit_time = 2020.0  # left the zone then; ``here`` is still in it (exit_time nan)

    grant_patent(zone, gone, True, 2020.5)  # filed after it left
    grant_patent(zone, gone, False, 2020.0)  # filed as it left
    assert tally.patents_granted_per_year == 0
    assert gone.inventions == gone.other_patents == 0

    grant_patent(zone, gone, True, 2019.5)  # filed before it left
    grant_patent(zone, here, False, 2021.0)  # still in the zone
    grant_patent(zone, here, True, -math.inf)  # filed before the start (initial pipeline)
    assert tally.patents_granted_per_year == 3
    assert tally.invention_patents_granted == 2
    assert (gone.inventions, gone.other_patents) == (1, 0)
    assert (here.inventions, here.other_patents) == (1, 1)


# ============================================================================ 8. the city share
def test_zone_share_of_city_patents_is_granted_over_the_city_grants() -> None:
    """zone_share_of_city_patents = patents_granted_per_year / (city.grants_per_year x
    (1 + growth) ^ (year - start_year - 1)) every simulated year; none for the initial year."""
    data = filing_data(2.0, 50, 2023)
    data["patents"]["exogenous"].update(grants_per_year=100.0, growth_per_year=0.1)
    data["patents"]["city"].update(grants_per_year=1400.0, growth_per_year=0.08)
    trace = Run(data, seed=8)
    granted = trace.series("patents_granted_per_year")
    share = trace.series("zone_share_of_city_patents")
    assert set(share) == set(range(2019, 2024))
    assert all(granted[year] > 0 for year in share)
    for year, value in share.items():
        city = 1400.0 * 1.08 ** (year - 2018 - 1)
        assert value == pytest.approx(granted[year] / city, rel=1e-12), year


def test_cross_check_rejects_exogenous_grants_above_the_city_share() -> None:
    """The scenario cross-check rejects exogenous.grants_per_year above
    city.max_zone_share x city.grants_per_year, and accepts it at the limit."""
    path = ("patents", "exogenous", "grants_per_year")

    def problems(exogenous: float, city: float = 1400.0, share: float = 0.6) -> list:
        data = baseline_data()
        data["patents"]["exogenous"]["grants_per_year"] = exogenous
        data["patents"]["city"].update(grants_per_year=city, max_zone_share=share)
        return [p for p in cross_check(Scenario.model_validate(data)) if p[0] == path]

    limit = 0.6 * 1400.0
    assert problems(limit) == []
    assert problems(0.0) == []
    assert len(problems(limit + 1.0)) == 1
    assert len(problems(100.0, city=100.0)) == 1  # a small city
    assert len(problems(100.0, share=0.0)) == 1
    assert problems(100.0, share=1.0, city=100.0) == []


# ============================================================================ 8. investment route
def equity_run(threshold: float | None, amount: float) -> dict[str, Any]:
    """One startup placed early in 2019 that receives ``amount`` of equity in one round
    before the 2019 review, with ``graduation_equity_yuan`` = ``threshold``: its firm row."""
    data = silent_data(2018, 2020)
    data["incubation"]["graduation_equity_yuan"] = threshold
    data["incubation"]["review_in_year"] = 0.5
    zone = build(scenario_from(data), Streams(3, 0), keep_firm_records=True)
    made: list[Firm] = []
    newcomer(zone, made, when=2019.05, capability=0.2)

    def invest():
        yield zone.env.timeout(2019.2 - zone.env.now)
        zone.fund(made[0], "equity", amount)

    zone.env.process(invest())
    run(zone)
    output = extract(zone)
    rows = [dict(zip(FIRM_COLUMNS, row, strict=True)) for row in output.firms]
    return next(row for row in rows if row["firm"] == made[0].id)


@pytest.mark.parametrize(
    ("threshold", "amount", "graduates"),
    [
        (5e6, 5_000_001.0, True),  # "超过500万元": more than 5 M yuan
        (5e6, 5e6, False),  # exactly 5 M yuan is not more
        (5e6, 1e6, False),
        (None, 5e7, False),  # no investment route
    ],
)
def test_investment_route_graduates_above_its_threshold(
    threshold: float | None, amount: float, graduates: bool
) -> None:
    """A firm whose equity in all exceeds ``incubation.graduation_equity_yuan`` graduates at
    the next yearly review (2019.5) as ``graduated_investment``; at or below it, or without the
    route, it stays (its revenue is far below the revenue route's 10 M yuan)."""
    row = equity_run(threshold, amount)
    if graduates:
        assert row["carrier_exit"] == F.GRADUATED_INVESTMENT
        assert row["left_carrier"] == pytest.approx(2019.5)
    else:
        assert row["carrier_exit"] != F.GRADUATED_INVESTMENT
        assert not row["left_carrier"] < 2020.5  # still in incubation after both reviews


# ============================================================================ 9. leading teams
def test_leading_teams_are_a_keyed_share_of_the_high_level_teams() -> None:
    """The leading level is one keyed draw per high-level team: with share 0 none are counted,
    with 1 every one, with 0.5 about half (4 sigma over 40 replications); no other indicator,
    firm or total moves with the share."""

    def outputs(share: float) -> tuple:
        data = baseline_data()
        data["horizon"] = {"start_year": 2018, "end_year": 2022}
        data["arrivals"]["origins"]["high_level_team"]["rate_per_year"] = 5.0
        data["arrivals"]["origins"]["high_level_team"]["leading_share"] = share
        result = run_replications(scenario_from(data), 40, 11, firm_records=True)
        rows = result.trajectories
        leading = rows[rows["indicator"] == "leading_teams_introduced"]
        rest = rows[rows["indicator"] != "leading_teams_introduced"].reset_index(drop=True)
        return leading, rest, result.firms, result.totals

    none, rest0, firms0, totals0 = outputs(0.0)
    every, rest1, firms1, totals1 = outputs(1.0)
    half, rest_half, _, _ = outputs(0.5)
    assert (none["value"] == 0).all()
    flows = rest0[rest0["indicator"] == "high_level_team_arrivals"]
    arrived = flows.groupby("replication")["value"].sum()
    last = every[every["year"] == 2022].set_index("replication")["value"]
    assert (last == arrived.reindex(last.index)).all()  # share 1: every team since the start
    counted = half[half["year"] == 2022]["value"].sum()
    assert within(counted, arrived.sum() * 0.5, math.sqrt(arrived.sum() * 0.25)), counted
    assert rest0.equals(rest1) and rest0.equals(rest_half)
    assert firms0.equals(firms1) and totals0.equals(totals1)
