"""Firms and teams: small slotted records whose state only the model's processes change."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.model.carriers import CarrierState

# Stages of a firm's life (plain ints: compared millions of times).
WAITING = 0  # arrived, waiting for room in a carrier
TEAM = 1  # maker project in a maker space (not yet registered)
INCUBATING = 2  # registered startup in an incubation carrier
ENTERPRISE = 3  # in the zone's enterprise base (graduated, left at max stay, or incumbent)
GONE = 4  # failed, dissolved or turned away

STAGE_NAMES = {TEAM: "team", INCUBATING: "incubating", ENTERPRISE: "enterprise"}

# How a firm left its carrier or the zone (the ``exit`` column of firms.csv).
GRADUATED_HTE = "graduated_hte"
GRADUATED_REVENUE = "graduated_revenue"
GRADUATED_ACQUIRED = "graduated_acquired"
LEFT_MAX_STAY = "left_max_stay"
FAILED = "failed"
DISSOLVED = "dissolved"
TURNED_AWAY = "turned_away"


@dataclass(slots=True, eq=False)
class Firm:
    """A team or firm in the zone. Times are calendar years; money is yuan."""

    id: int
    origin: str
    sector: str
    capability: float
    arrived: float
    registered: float  # registration date (inf while a team)
    stage: int = WAITING
    initial: bool = False  # part of the initial state rather than an arrival
    high_level_team: bool = False
    # traits used by certification rules
    rd_ratio: float = 0.0
    st_staff_share: float = 0.0
    hightech_revenue_share: float = 0.0
    # revenue path: rate(t) = revenue_ref * exp(growth * (t - revenue_t))
    revenue_ref: float = 0.0
    revenue_t: float = 0.0
    base_growth: float = 0.0
    growth_boost: float = 0.0
    # place
    carrier: CarrierState | None = None
    area_m2: float = 0.0
    stage_deadline: float = math.inf  # end of the maker-space stay or the maximum incubation
    admission_u: float = 1.0  # one draw decides acceptance by carriers of other sectors
    # outputs and status
    inventions: int = 0  # invention patents granted
    other_patents: int = 0  # other patents granted
    funding_yuan: dict[str, float] = field(default_factory=dict)
    hte_until: float = -math.inf
    sme_until: float = -math.inf
    # cached competing-risk rates of the current stage (per year)
    hazard: float = 0.0
    filing_rate: float = 0.0
    equity_rate: float = 0.0
    acquisition_rate: float = 0.0
    process: simpy.Process | None = None
    seq: int = -1  # position in the zone's registry (order of first admission); -1 if never in
    # lifecycle log (firms.csv)
    first_carrier: str = ""
    admitted: float = math.nan
    incubated: float = math.nan  # when it entered incubation (as a startup)
    incorporated: float = math.nan
    left_carrier: float = math.nan
    carrier_exit: str = ""  # graduated_* or left_max_stay
    hte_first: float = math.nan
    sme_first: float = math.nan
    exit: str = ""
    exit_time: float = math.nan

    @property
    def funded(self) -> bool:
        return bool(self.funding_yuan)

    @property
    def growth(self) -> float:
        return self.base_growth + self.growth_boost

    def revenue(self, t: float) -> float:
        """Revenue rate at time t (yuan per year)."""
        if self.revenue_ref <= 0.0:
            return 0.0
        return self.revenue_ref * math.exp(self.growth * (t - self.revenue_t))

    def revenue_over(self, t: float, years: float) -> float:
        """Revenue earned over (t - years, t] along the current growth path (yuan)."""
        if self.revenue_ref <= 0.0:
            return 0.0
        start = max(t - years, self.registered)
        g = self.growth
        if abs(g) < 1e-9:
            return self.revenue(t) * (t - start)
        return (self.revenue(t) - self.revenue(start)) / g

    def set_growth_boost(self, t: float, boost: float) -> None:
        """Change the growth boost at time t, keeping the revenue path continuous."""
        self.revenue_ref = self.revenue(t)
        self.revenue_t = t
        self.growth_boost = boost

    def hte(self, t: float) -> bool:
        return self.hte_until > t

    def tech_sme(self, t: float) -> bool:
        return self.sme_until > t
