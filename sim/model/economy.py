"""The economy goals: year-end aggregates over the zone's firms plus exogenous streams.

Three indicators, recorded at every year end (docs/model.md 7.19), none of which draws a random
number or schedules an event (so every other indicator is unchanged by them):

- ``rd_intensity``: R&D spending over GDP. The modelled firms spend their R&D ratio on their
  revenue over the year; the university and the firms not modelled spend an exogenous stream,
  the residual of the observed intensity in the anchor year (``ZoneRd``), growing at a stated
  rate; GDP follows an anchored path. Where the modelled firms' anchor-year R&D is more than
  the anchor allows them (``max_modelled_share``), their R&D enters scaled down, in every year.
- ``industrial_rd_ratio``: R&D over revenue of the modelled industrial firms above scale
  (revenue over the year at least the threshold).
- ``invention_patents_per_10k``: a stock of valid invention patents (set in the start year from
  the observed density), into which every invention patent granted in the zone enters and of
  which a share lapses each year, over the resident population.

Beside them: ``rd_spending_yuan`` (modelled firms plus the exogenous stream),
``above_scale_industrial_firms`` and ``valid_invention_patents``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.firm import ENTERPRISE, INCUBATING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sim.model.firm import Firm
    from sim.model.zone import Zone
    from sim.scenario.schema import Economy, IndustrialRd


@dataclass(frozen=True, slots=True)
class FirmAggregates:
    """Sums over firms for one year (yuan over the year)."""

    rd_yuan: float  # R&D of every registered firm
    industrial_rd_yuan: float  # R&D of the industrial firms above scale
    industrial_revenue_yuan: float  # revenue of the industrial firms above scale
    above_scale: int  # industrial firms above scale


def firm_aggregates(firms: Iterable[Firm], t: float, rules: IndustrialRd) -> FirmAggregates:
    """R&D and revenue of the registered firms (in incubation or the enterprise base) over the
    year ending at time ``t``: each firm's revenue over ``(t - 1, t]`` along its path
    (``Firm.revenue_over``, from its registration if later) times its R&D ratio; the firms of
    ``rules.sectors`` whose revenue over the year is at least ``above_scale_revenue_yuan`` are
    the industrial firms above scale."""
    sectors = set(rules.sectors)
    threshold = rules.above_scale_revenue_yuan
    rd = industrial_rd = industrial_revenue = 0.0
    above = 0
    for firm in firms:
        if firm.stage != INCUBATING and firm.stage != ENTERPRISE:
            continue
        revenue = firm.revenue_over(t, 1.0)
        spend = firm.rd_ratio * revenue
        rd += spend
        if firm.sector in sectors and revenue >= threshold:
            industrial_rd += spend
            industrial_revenue += revenue
            above += 1
    return FirmAggregates(rd, industrial_rd, industrial_revenue, above)


class EconomyState:
    """What the economy indicators carry from year to year in one replication: the exogenous
    R&D of the anchor year and the stock of valid invention patents."""

    __slots__ = (
        "economy",
        "start_year",
        "firm_rd_scale",
        "exogenous_rd_anchor_yuan",
        "valid_inventions",
    )

    def __init__(self, economy: Economy, start_year: int, firms_rd_anchor_yuan: float) -> None:
        self.economy = economy
        self.start_year = start_year
        rd = economy.rd
        anchor = rd.anchor_intensity * rd.gdp_yuan
        most = rd.max_modelled_share * anchor
        #: the share of the modelled firms' R&D the accounts see: 1 unless their anchor-year
        #: R&D is more than ``max_modelled_share`` of the anchor
        self.firm_rd_scale = most / firms_rd_anchor_yuan if firms_rd_anchor_yuan > most else 1.0
        #: the residual of the anchor: R&D the modelled firms do not account for (yuan)
        self.exogenous_rd_anchor_yuan = anchor - firms_rd_anchor_yuan * self.firm_rd_scale
        stock = economy.invention_stock
        self.valid_inventions = stock.per_10k_residents * stock.residents / 1e4

    def exogenous_rd(self, year: int) -> float:
        """The exogenous R&D stream in ``year`` (yuan)."""
        rd = self.economy.rd
        return self.exogenous_rd_anchor_yuan * (1.0 + rd.exogenous_growth_per_year) ** (
            year - rd.anchor_year
        )

    def residents(self, year: int) -> float:
        stock = self.economy.invention_stock
        return stock.residents * (1.0 + stock.residents_growth_per_year) ** (year - self.start_year)

    def add_inventions(self, granted: float) -> None:
        """A year passes: a share of the stock lapses, the year's invention grants enter."""
        lapse = self.economy.invention_stock.lapse_per_year
        self.valid_inventions = self.valid_inventions * (1.0 - lapse) + granted

    def rows(self, year: int, firms: FirmAggregates) -> dict[str, float]:
        """The economy indicators of ``year``."""
        rd = firms.rd_yuan * self.firm_rd_scale + self.exogenous_rd(year)
        rows = {
            "rd_spending_yuan": rd,
            "rd_intensity": rd / self.economy.rd.gdp_in(year),
            "above_scale_industrial_firms": firms.above_scale,
            "valid_invention_patents": self.valid_inventions,
            "invention_patents_per_10k": self.valid_inventions / self.residents(year) * 1e4,
        }
        if firms.industrial_revenue_yuan > 0:
            rows["industrial_rd_ratio"] = firms.industrial_rd_yuan / firms.industrial_revenue_yuan
        return rows


def start(zone: Zone) -> EconomyState | None:
    """The economy's state in the initial state (None when the scenario has no ``economy``):
    the exogenous R&D is the residual of the anchor, the modelled firms' R&D in the anchor
    year traced back along the initial firms' revenue paths."""
    economy = zone.scenario.economy
    if economy is None:
        return None
    anchor_end = float(economy.rd.anchor_year + 1)  # the anchor year ends at this clock time
    firms = firm_aggregates(
        (f for f in zone.alive.values() if f.registered < anchor_end),
        anchor_end,
        economy.industrial_rd,
    )
    return EconomyState(economy, zone.scenario.horizon.start_year, firms.rd_yuan)


def economy_rows(zone: Zone, year: int, invention_grants: float | None) -> dict[str, float]:
    """The economy indicators at the end of ``year`` (now); ``invention_grants`` are the
    invention patents granted in the zone during the year (None for the initial state)."""
    state = zone.economy
    if state is None:
        return {}
    if invention_grants is not None:
        state.add_inventions(invention_grants)
    firms = firm_aggregates(zone.alive.values(), zone.env.now, state.economy.industrial_rd)
    return state.rows(year, firms)
