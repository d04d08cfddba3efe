"""The economy goals (sim/model/economy.py): the anchors of the sources reproduced, and
hand-computed cases of the aggregates."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.model import build, run
from sim.model import firm as F
from sim.model.economy import EconomyState, firm_aggregates
from sim.model.firm import Firm
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from sim.streams import Streams

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
SEEDS = [(2018, 0), (2018, 1), (7, 3), (11, 5)]


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def firm(fid: int, sector: str, revenue: float, rd_ratio: float, stage: int = F.ENTERPRISE):
    """A firm with a flat revenue path (no growth): its revenue over any year is ``revenue``."""
    return Firm(
        id=fid,
        origin="test",
        sector=sector,
        capability=0.5,
        arrived=2000.0,
        registered=2000.0,
        stage=stage,
        rd_ratio=rd_ratio,
        revenue_ref=revenue,
        revenue_t=2019.0,
    )


def records(zone, year: int) -> dict[str, float]:
    return {name: value for y, name, value in zone.records if y == year}


@pytest.mark.validation(
    group="economy goals",
    check="2017 R&D intensity and 2018 invention-patent density reproduced",
    asserts=(
        "R&D / GDP in 2017 (modelled firms' R&D traced back along their revenue paths plus the"
        " exogenous residual, over the GDP assumed) is A's 2.67 %, and the 2018 record of"
        " valid invention patents per 10,000 residents is A's 33.6, in every replication"
    ),
    tolerance="1e-12 relative",
)
@pytest.mark.parametrize(("root", "replication"), SEEDS)
def test_anchors_are_reproduced(baseline: Scenario, root: int, replication: int, measured):
    zone = build(baseline, Streams(root, replication))
    economy = baseline.economy
    state = zone.economy
    anchor_end = economy.rd.anchor_year + 1.0
    firms = firm_aggregates(
        (f for f in zone.alive.values() if f.registered < anchor_end),
        anchor_end,
        economy.industrial_rd,
    )
    assert state.exogenous_rd_anchor_yuan > 0, "the residual is positive at the baseline GDP"
    intensity = (firms.rd_yuan + state.exogenous_rd(2017)) / economy.rd.gdp_in(2017)
    assert intensity == pytest.approx(0.0267, rel=1e-12)
    rec = records(zone, 2018)
    assert rec["invention_patents_per_10k"] == pytest.approx(33.6, rel=1e-12)
    assert rec["valid_invention_patents"] == pytest.approx(672.0, rel=1e-12)
    # the 2018 intensity is a model output near the anchor (GDP +9.8 %, firms' R&D grows)
    assert 0.02 < rec["rd_intensity"] < 0.035
    measured(
        f"seed ({root}, {replication}): 2017 R&D/GDP {intensity:.6f}; exogenous R&D"
        f" {state.exogenous_rd_anchor_yuan / 1e6:.0f} M yuan of"
        f" {0.0267 * economy.rd.gdp_yuan / 1e6:.0f} M; 2018 R&D/GDP {rec['rd_intensity']:.4f}"
    )


@pytest.mark.validation(
    group="economy goals",
    check="industrial R&D ratio by hand; above scale at exactly 20 M yuan",
    asserts=(
        "three industrial firms (20 M yuan at 5 %, 19,999,999 yuan at 10 %, 50 M yuan at 4 %)"
        " and a digital one give (1 M + 2 M) / 70 M yuan; the firm at exactly 20 M yuan is above"
        " scale, the one a yuan short is not; teams and firms that left are not counted"
    ),
    tolerance="1e-12 relative",
)
def test_industrial_ratio_by_hand(baseline: Scenario, measured) -> None:
    rules = baseline.economy.industrial_rd
    assert rules.above_scale_revenue_yuan == 20_000_000
    firms = [
        firm(1, "equipment", 20_000_000, 0.05),  # exactly at the threshold: above scale
        firm(2, "pharma", 19_999_999, 0.10),  # a yuan short: not above scale
        firm(3, "new_materials", 50_000_000, 0.04, stage=F.INCUBATING),
        firm(4, "digital", 100_000_000, 0.02),  # not industrial
        firm(5, "equipment", 90_000_000, 0.5, stage=F.TEAM),  # a team: not counted
        firm(6, "equipment", 90_000_000, 0.5, stage=F.GONE),  # left the zone: not counted
    ]
    for f in firms:
        assert f.revenue_over(2020.0, 1.0) == pytest.approx(f.revenue_ref, rel=1e-12)
    agg = firm_aggregates(firms, 2020.0, rules)
    assert agg.above_scale == 2
    assert agg.industrial_revenue_yuan == pytest.approx(70_000_000, rel=1e-12)
    assert agg.industrial_rd_yuan == pytest.approx(3_000_000, rel=1e-12)
    ratio = agg.industrial_rd_yuan / agg.industrial_revenue_yuan
    assert ratio == pytest.approx(3 / 70, rel=1e-12)
    # every registered firm's R&D counts towards rd_intensity
    assert agg.rd_yuan == pytest.approx(1e6 + 1_999_999.9 + 2e6 + 2e6, rel=1e-12)
    measured(f"industrial R&D ratio {ratio:.6f} (3/70 = {3 / 70:.6f}); 2 firms above scale")


def test_a_firm_registered_mid_year_counts_from_registration(baseline: Scenario) -> None:
    rules = baseline.economy.industrial_rd
    late = firm(1, "equipment", 30_000_000, 0.1)
    late.registered = 2019.5  # half a year of revenue in 2019: 15 M yuan, below scale
    agg = firm_aggregates([late], 2020.0, rules)
    assert agg.rd_yuan == pytest.approx(1_500_000, rel=1e-9)
    assert agg.above_scale == 0


def test_rows_by_hand(baseline: Scenario) -> None:
    economy = baseline.economy
    state = EconomyState(economy, 2018, firms_rd_anchor_yuan=100e6)
    rd = economy.rd
    gdp = 13e9
    assert state.firm_rd_scale == 1.0  # 100 M yuan is well under 90 % of the anchor
    assert state.exogenous_rd_anchor_yuan == pytest.approx(0.0267 * gdp - 100e6)
    gdp_2020 = gdp * 1.098 * 1.08 * 1.06
    assert rd.gdp_in(2020) == pytest.approx(gdp_2020, rel=1e-12)
    assert rd.gdp_in(2017) == gdp
    # two years of the invention stock: lapse 10 %, then the year's grants enter
    state.add_inventions(100)
    state.add_inventions(50)
    stock = (672 * 0.9 + 100) * 0.9 + 50
    agg = firm_aggregates(
        [firm(1, "equipment", 40e6, 0.05), firm(2, "digital", 10e6, 0.1)],
        2021.0,
        economy.industrial_rd,
    )
    rows = state.rows(2020, agg)
    exo_2020 = (0.0267 * gdp - 100e6) * 1.06**3
    assert rows["rd_spending_yuan"] == pytest.approx(2e6 + 1e6 + exo_2020, rel=1e-12)
    assert rows["rd_intensity"] == pytest.approx((3e6 + exo_2020) / gdp_2020, rel=1e-12)
    assert rows["industrial_rd_ratio"] == pytest.approx(0.05, rel=1e-12)
    assert rows["valid_invention_patents"] == pytest.approx(stock, rel=1e-12)
    assert rows["invention_patents_per_10k"] == pytest.approx(
        stock / (200_000 * 1.01**2) * 1e4, rel=1e-12
    )
    # no firm above scale: no industrial ratio that year
    none = state.rows(2020, firm_aggregates([], 2021.0, economy.industrial_rd))
    assert "industrial_rd_ratio" not in none


@pytest.mark.parametrize("gdp", [1e9, 8e9, 11e9, 14e9])
@pytest.mark.parametrize("firms_rd", [50e6, 200e6, 600e6])
def test_the_anchor_holds_and_the_residual_is_positive_at_every_gdp(
    baseline: Scenario, gdp: float, firms_rd: float
) -> None:
    """Whatever the GDP and the firms' 2017 R&D, the 2017 accounts give the anchor's 2.67 %
    exactly and leave the university and the unmodelled firms at least 1 - max_modelled_share
    of it; the firms' R&D is scaled only where it is more than max_modelled_share of the
    anchor, and the same scale applies in every year."""
    rd = baseline.economy.rd.model_copy(update={"gdp_yuan": gdp})
    economy = baseline.economy.model_copy(update={"rd": rd})
    state = EconomyState(economy, 2018, firms_rd_anchor_yuan=firms_rd)
    anchor = 0.0267 * gdp
    share = rd.max_modelled_share
    assert firms_rd * state.firm_rd_scale + state.exogenous_rd_anchor_yuan == pytest.approx(anchor)
    assert state.exogenous_rd_anchor_yuan >= (1 - share) * anchor * (1 - 1e-12)
    assert state.firm_rd_scale == (1.0 if firms_rd <= share * anchor else share * anchor / firms_rd)
    one = firm(1, "equipment", 40e6, 0.05)
    rows = state.rows(2017, firm_aggregates([one], 2018.0, economy.industrial_rd))
    assert rows["rd_spending_yuan"] == pytest.approx(
        2e6 * state.firm_rd_scale + state.exogenous_rd_anchor_yuan
    )


def test_the_stock_follows_the_zone_invention_grants(baseline: Scenario) -> None:
    """Each year's valid stock is last year's less its lapses plus the invention patents
    granted in the zone (firms and the exogenous stream) that year."""
    zone = build(baseline, Streams(2018, 2))
    run(zone)
    lapse = baseline.economy.invention_stock.lapse_per_year
    stock = 672.0
    for year in range(2019, 2031):
        rec = records(zone, year)
        stock = stock * (1 - lapse) + rec["invention_patents_granted"]
        assert rec["valid_invention_patents"] == pytest.approx(stock, rel=1e-12)
        assert math.isfinite(rec["rd_intensity"]) and rec["rd_intensity"] > 0
        assert rec["above_scale_industrial_firms"] >= 0


def test_no_economy_section_records_no_economy_indicators(baseline: Scenario) -> None:
    zone = build(baseline.model_copy(update={"economy": None}), Streams(2018, 0))
    run(zone)
    names = {name for _, name, _ in zone.records}
    assert not names & {"rd_intensity", "industrial_rd_ratio", "invention_patents_per_10k"}
