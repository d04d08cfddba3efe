"""Firms and teams: small slotted records whose state only the model's processes change, and
their behaviour equations: the competing-risk rates of ``Firm.set_rates``, the revenue path
and ``filing_rates`` (patents filed per year)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import simpy

    from sim.model.carriers import CarrierState
    from sim.scenario.schema import Equity, Failure, Patents

_INF = math.inf
_exp = math.exp
_log1p = math.log1p
_expm1 = math.expm1

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
GRADUATED_INVESTMENT = "graduated_investment"
LEFT_MAX_STAY = "left_max_stay"
FAILED = "failed"
RELOCATED = "relocated"  # an enterprise moved out of the zone
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
    # logistic revenue path through (revenue_t, revenue_ref) at rate growth towards
    # mature_yuan (never below revenue_ref)
    revenue_ref: float = 0.0
    revenue_t: float = 0.0
    mature_yuan: float = math.inf
    base_growth: float = 0.0
    growth_boost: float = 0.0
    funding_total_yuan: float = 0.0  # every yuan received (the dose of the dose-responses)
    # place
    carrier: CarrierState | None = None
    area_m2: float = 0.0
    stage_deadline: float = math.inf  # end of the maker-space stay or the maximum incubation
    admission_u: float = 1.0  # one draw decides acceptance by carriers of other sectors
    # outputs and status
    inventions: int = 0  # invention patents granted
    other_patents: int = 0  # other patents granted
    ip_bought: int = 0  # invention patents bought or transferred in (count as core IP)
    copyrights_per_year: float = 0.0  # software copyrights registered per year (class-II IP)
    cultivated_until: float = -math.inf  # in the zone's HTE cultivation pool until then
    funding_yuan: dict[str, float] = field(default_factory=dict)
    hte_until: float = -math.inf
    sme_until: float = -math.inf
    # cached competing-risk rates of the current stage (per year)
    hazard: float = 0.0
    relocation_rate: float = 0.0
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
        return self.funding_total_yuan > 0.0

    @property
    def growth(self) -> float:
        """Intrinsic log growth rate of revenue (while small), funding included."""
        return self.base_growth + self.growth_boost

    def revenue(self, t: float) -> float:
        """Revenue rate at time t (yuan per year) on the logistic path."""
        r0 = self.revenue_ref
        if r0 <= 0.0:
            return 0.0
        g = self.base_growth + self.growth_boost
        x = g * (t - self.revenue_t)
        if x > 700.0:
            x = 700.0
        elif x < -700.0:
            x = -700.0
        k = self.mature_yuan
        if g <= 0.0 or k == _INF:  # shrinking (no ceiling to approach), or no ceiling
            return r0 * _exp(x)
        return k / (1.0 + (k / r0 - 1.0) * _exp(-x))

    def growth_rate(self, t: float) -> float:
        """Relative growth of revenue at time t (per year): slows as the firm nears maturity."""
        g = self.base_growth + self.growth_boost
        if g <= 0.0 or self.revenue_ref <= 0.0:
            return g
        return g * (1.0 - self.revenue(t) / self.mature_yuan)

    def revenue_over(self, t: float, years: float) -> float:
        """Revenue earned over (t - years, t] along the current path (yuan), in closed form:
        the logistic path R(s) = K / (1 + A exp(-g s)) integrates over [s1, s2] to
        (K / g) ln(1 + (exp(g (s2 - s1)) - 1) R(s1) / K), computed with log1p and expm1 so
        that it stays exact when K is far above R; an exponential one to (R(s2) - R(s1)) / g."""
        if self.revenue_ref <= 0.0:
            return 0.0
        start = max(t - years, self.registered)
        if start >= t:
            return 0.0
        g = self.base_growth + self.growth_boost
        r1, r2 = self.revenue(start), self.revenue(t)
        if abs(g) < 1e-9 or r1 <= 0.0 or r2 <= 0.0:
            return 0.5 * (r1 + r2) * (t - start)
        k = self.mature_yuan
        if g < 0.0 or k == _INF:
            return (r2 - r1) / g
        return (k / g) * _log1p(_expm1(g * (t - start)) * r1 / k)

    def set_rates(
        self,
        base_hazard: float,
        failure: Failure,
        equity: Equity,
        equity_eligible: bool,
        acquisition_per_capability: float,
    ) -> None:
        """Set the firm's competing-risk rates (per year) for its stage, capability and funding:

        - failure: the stage's ``base_hazard`` (per year) x
          ``exp(-capability_effect (capability - 0.5))`` x ``(1 - funding_reduction(yuan))``,
          the reduction a dose-response of every yuan received (a share, at most 1);
        - relocation (the enterprise base only): ``enterprise_relocation_per_year``;
        - equity round (stages ``equity_eligible``): ``rate_per_year x capability **
          capability_exponent``;
        - acquisition (while incubating): ``acquisition_per_capability`` (per year) x capability.
        """
        cap = self.capability
        self.hazard = (
            base_hazard
            * _exp(-failure.capability_effect * (cap - 0.5))
            * (1.0 - failure.funding_reduction.at(self.funding_total_yuan))
        )
        self.relocation_rate = (
            failure.enterprise_relocation_per_year if self.stage == ENTERPRISE else 0.0
        )
        self.equity_rate = (
            equity.rate_per_year * cap**equity.capability_exponent if equity_eligible else 0.0
        )
        self.acquisition_rate = (
            acquisition_per_capability * cap if self.stage == INCUBATING else 0.0
        )

    def set_growth_boost(self, t: float, boost: float) -> None:
        """Change the growth boost at time t, keeping the revenue path continuous."""
        self.revenue_ref = self.revenue(t)
        self.revenue_t = t
        self.growth_boost = boost

    def copyrights(self, t: float) -> int:
        """Software copyrights registered by time t."""
        if self.copyrights_per_year <= 0.0 or t <= self.registered:
            return 0
        return int(self.copyrights_per_year * (t - self.registered))

    def cultivated(self, t: float) -> bool:
        return self.cultivated_until > t

    def hte(self, t: float) -> bool:
        return self.hte_until > t

    def tech_sme(self, t: float) -> bool:
        return self.sme_until > t


def filing_rates(
    base: np.ndarray,
    rd_spend_yuan: np.ndarray,
    capability: np.ndarray,
    patents: Patents,
    subsidy_multiplier: float,
) -> np.ndarray:
    """Patents filed per year by each of some firms (arrays of one entry per firm): the base
    rate of its stage (per year) plus the filings its R&D spending (yuan per year) pays for,
    ``(rd_spend_yuan / rd_yuan_per_filing) ** rd_elasticity``, times its capability factor
    ``max(0, 1 + capability_effect (capability - 0.5))`` and the filing subsidy's
    ``subsidy_multiplier``, at most ``max_filings_per_firm_per_year``."""
    per_filing = patents.rd_yuan_per_filing
    rd_filings = (rd_spend_yuan / per_filing) ** patents.rd_elasticity if per_filing else 0.0
    factor = np.maximum(0.0, 1.0 + patents.capability_effect * (capability - 0.5))
    rates = (base + rd_filings) * factor * subsidy_multiplier
    return np.minimum(rates, patents.max_filings_per_firm_per_year)
