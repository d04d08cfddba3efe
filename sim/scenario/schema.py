"""The scenario: a frozen, typed description of a zone and its policies.

Every rate, capacity, distribution, date, budget and rule threshold the model uses is a field
here; ``scenarios/*.yaml`` give the values with their provenance. Units are in the field names
(``_years``, ``_per_year``, ``_m2``, ``_yuan``) or docstrings. Times and dates are calendar years
as decimals (``2020.6`` is early August 2020).

Timing convention: the initial state is the zone as observed in ``horizon.start_year``, placed
at the end of that year, so the clock starts at ``start_year + 1`` and runs to the end of
``horizon.end_year`` (``end_year + 1``). Dates in the file must lie inside that window.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.distributions import Distribution

Rate = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Yuan = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Area = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Year = Annotated[float, Field(ge=1900, le=2200, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
Real = Annotated[float, Field(allow_inf_nan=False)]

Kind = Literal["team", "startup"]
Stage = Literal["team", "incubating", "enterprise"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ----------------------------------------------------------------------------- horizon
class Horizon(Frozen):
    start_year: Annotated[int, Field(ge=1900, le=2200)] = 2018
    """Year whose observed state is the initial state (placed at the end of that year)."""
    end_year: Annotated[int, Field(ge=1900, le=2200)] = 2030
    """Last simulated year (the run ends at ``end_year + 1``)."""

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.end_year <= self.start_year:
            raise ValueError("end_year must be after start_year")
        return self

    @property
    def t0(self) -> float:
        """Clock time of the initial state."""
        return float(self.start_year + 1)

    @property
    def t_end(self) -> float:
        return float(self.end_year + 1)


# ----------------------------------------------------------------------------- arrivals
class Origin(Frozen):
    """A stream of arriving teams or startups (a non-homogeneous Poisson process)."""

    kind: Kind
    """``team``: a maker project before incorporation; ``startup``: a registered firm."""
    rate_per_year: Rate
    """Arrival rate at the clock start."""
    growth_per_year: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False)] = 0.0
    """Relative growth of the rate per year: rate(t) = rate * (1 + growth) ** (t - t0)."""
    active_from: Year | None = None
    active_until: Year | None = None
    capability: Distribution
    """Latent capability in [0, 1] drawn on arrival (drives growth, patents, funding, failure)."""
    sectors: dict[str, Rate]
    """Relative weights of the sectors of arriving firms."""
    founded_years_before_arrival: Distribution | None = None
    """Startups only: how long before arriving the firm was registered."""
    preferred_carriers: list[str] = []
    """Carriers tried first, in order (e.g. university spin-offs and the science park)."""
    high_level_team: bool = False
    """Counts towards the high-level innovation teams and receives the talent reward."""

    @model_validator(mode="after")
    def _check(self) -> Origin:
        if not self.sectors or sum(self.sectors.values()) <= 0:
            raise ValueError("sectors needs at least one positive weight")
        if self.kind == "startup" and self.founded_years_before_arrival is None:
            raise ValueError("startups need founded_years_before_arrival")
        return self


class Arrivals(Frozen):
    origins: dict[str, Origin]


# ----------------------------------------------------------------------------- carriers
class Expansion(Frozen):
    date: Year
    add_m2: Area


class Carrier(Frozen):
    """An incubation carrier: floor area that teams and startups occupy."""

    name: str
    name_zh: str = ""
    opens: Year
    """Opening date (a date before the clock start means open from the start)."""
    area_m2: Area
    """Incubation area on opening."""
    expansions: list[Expansion] = []
    accepts: list[Kind]
    """``team`` = maker-space (pre-incubation) role; ``startup`` = incubator role."""
    incubator: bool
    """Counts as a tech business incubator (the ``incubators`` indicator)."""
    preferred_sectors: list[str] = []
    """Sectors admitted without condition; empty means all."""
    other_sector_admission_probability: Probability = 1.0
    """Chance that a firm of another sector is accepted."""
    max_firm_area_m2: Area
    """Largest floor area one firm may take on entry."""


# ----------------------------------------------------------------------------- firms
class ByKind(Frozen):
    team: Distribution
    startup: Distribution


class ByStage(Frozen):
    team: Rate
    incubating: Rate
    enterprise: Rate


class Revenue(Frozen):
    initial_yuan_per_year: Distribution
    """Revenue rate of a startup when it is registered (yuan per year)."""
    growth_per_year: Real
    """Log growth rate of revenue at capability 0."""
    growth_per_capability: Real
    """Added log growth rate per unit of capability."""
    growth_boost_per_million_yuan: Rate
    """Added log growth rate per million yuan of funding received."""
    max_growth_boost: Rate


class Traits(Frozen):
    """Firm traits drawn on arrival, used by the certification rules."""

    rd_ratio: Distribution
    """R&D spending / sales revenue."""
    st_staff_share: Distribution
    """Science and technology staff / employees."""
    hightech_revenue_share: Distribution
    """Revenue from high-tech products and services / total revenue."""
    revenue_per_employee_yuan: Area
    """Converts revenue into headcount for the SME size limits."""
    assets_to_revenue: Area
    """Converts revenue into total assets for the SME size limits."""


class Failure(Frozen):
    hazard_per_year: ByStage
    capability_effect: Real
    """Hazard multiplier exp(-effect * (capability - 0.5))."""
    funded_multiplier: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    """Hazard multiplier once a firm has received any funding."""


class Firms(Frozen):
    area_m2: ByKind
    patience_years: Distribution
    """How long a newcomer waits for room before leaving the zone (0 = no waiting)."""
    revenue: Revenue
    traits: Traits
    failure: Failure


class MakerSpace(Frozen):
    stay_years: Distribution
    """Time a team spends in a maker space before it incorporates or dissolves."""
    incorporation_probability: Probability
    """Chance to incorporate at capability 0 ..."""
    incorporation_per_capability: Real
    """... plus this times capability (clipped to [0, 1])."""


class Incubation(Frozen):
    max_founding_age_years: Rate
    """Entry rule: registered at most this long before entering."""
    max_stay_years: Distribution
    max_stay_years_by_sector: dict[str, Distribution] = {}
    graduation_revenue_two_years_yuan: Yuan
    """Graduated when revenue over the last two years exceeds this total."""
    graduate_on_hte: bool
    """Graduated when certified as a national high-tech enterprise."""
    acquisition_rate_per_year: Rate
    """Rate of being acquired or listed (counts as graduation), times capability."""
    review_in_year: Annotated[float, Field(ge=0, lt=1)] = 0.95
    """Fraction of the year at which carriers review graduation criteria."""


# ----------------------------------------------------------------------------- funding
class Tranche(Frozen):
    date: Year
    amount_yuan: Yuan


class YearlyTranche(Frozen):
    amount_yuan: Yuan
    in_year: Annotated[float, Field(ge=0, lt=1)]
    first_year: Annotated[int, Field(ge=1900, le=2200)]
    last_year: Annotated[int, Field(ge=1900, le=2200)]
    growth_per_year: Annotated[float, Field(gt=-1, allow_inf_nan=False)] = 0.0


class Pool(Frozen):
    """A budget filled by dated tranches; awards draw it down and never below zero."""

    opening_balance_yuan: Yuan = 0.0
    tranches: list[Tranche] = []
    yearly: YearlyTranche | None = None


class GrantProgram(Frozen):
    pool: str
    in_year: Annotated[float, Field(ge=0, lt=1)]
    """Fraction of the year at which the yearly call is decided."""
    eligible: list[Stage]
    apply_probability: Probability
    award_yuan: Distribution
    ranking_noise_sd: Rate
    """Applicants are ranked by capability plus normal noise of this sd."""


class CapitalInstitutions(Frozen):
    date: Year
    count: Count


class Loans(Frozen):
    institutions: list[CapitalInstitutions]
    """Partner capital institutions at dates (linear in between, flat outside)."""
    loans_per_institution_per_year: Rate
    amount_yuan: Distribution
    eligible: list[Stage]


class Equity(Frozen):
    rate_per_year: Rate
    """Rate of equity rounds at capability 1 ..."""
    capability_exponent: Rate
    """... times capability ** exponent."""
    amount_yuan: Distribution
    eligible: list[Stage]


class TalentRewards(Frozen):
    pool: str
    award_per_team_yuan: Yuan


class Funding(Frozen):
    pools: dict[str, Pool]
    grants: dict[str, GrantProgram]
    loans: Loans
    equity: Equity
    talent_rewards: TalentRewards


# ----------------------------------------------------------------------------- patents
class PatentKinds(Frozen):
    invention: Distribution
    other: Distribution


class ExogenousPatents(Frozen):
    grants_per_year: Rate
    growth_per_year: Annotated[float, Field(gt=-1, allow_inf_nan=False)]
    invention_share: Probability


class Patents(Frozen):
    filing_rate_per_year: ByStage
    capability_effect: Real
    """Filing-rate multiplier (1 + effect * (capability - 0.5)), floored at 0."""
    funded_multiplier: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    invention_share_of_filings: Probability
    grant_probability: dict[Literal["invention", "other"], Probability]
    grant_delay_years: PatentKinds
    exogenous: ExogenousPatents
    """Patents granted to the university and incumbent firms outside the model's firms."""


# ----------------------------------------------------------------------------- certification
class Band(Frozen):
    at_least: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    points: Rate


class RdBand(Frozen):
    max_revenue_yuan: Yuan | None
    """Upper bound of the revenue band (null = no bound)."""
    min_rd_ratio: Probability


class TechSme(Frozen):
    evaluation_in_year: Annotated[float, Field(ge=0, lt=1)]
    apply_probability: Probability
    """Chance that a firm without the status applies in a year's evaluation."""
    renewal_probability: Probability
    """Chance that a firm holding the status registers again."""
    max_employees: Count
    max_revenue_yuan: Yuan
    max_assets_yuan: Yuan
    min_score: Rate
    st_staff_points: list[Band]
    rd_ratio_points: list[Band]
    invention_patent_points: Rate
    other_patent_points: list[Band]
    hte_direct: bool
    """A certified HTE qualifies directly (within the size limits)."""


class Hte(Frozen):
    review_rounds_in_year: list[Annotated[float, Field(ge=0, lt=1)]]
    apply_probability: Probability
    """Chance that an uncertified firm meeting the hard criteria applies in a round."""
    renewal_probability: Probability
    """Chance that a certified firm whose certificate ends before the next round re-applies."""
    min_registered_years: Rate
    min_invention_patents: Count
    min_other_patents: Count
    """Core IP: at least min_invention_patents inventions OR min_other_patents others."""
    rd_bands: list[RdBand]
    min_hightech_revenue_share: Probability
    min_st_staff_share: Probability
    min_score: Rate
    ip_full_marks_patents: Area
    """Invention-equivalent patents that earn the IP part's full 30 points."""
    full_growth_rate: Area
    """Revenue growth rate that earns the growth part's full 20 points."""
    score_noise_sd: Rate
    valid_years: Area
    """Validity of the certificate."""


class Certification(Frozen):
    tech_sme: TechSme
    hte: Hte


# ----------------------------------------------------------------------------- initial state
class CarrierOccupants(Frozen):
    firms: Count = 0
    teams: Count = 0


class InitialState(Frozen):
    """The zone at the end of ``horizon.start_year``, as the sources report it.

    Teams and startups already in carriers have a residual stay drawn uniformly within a fresh
    stay (exact for a steady inflow with fixed stays)."""

    carriers: dict[str, CarrierOccupants]
    enterprise_base_firms: Count
    national_hte: Count
    tech_smes: Count
    high_level_teams: Count
    capability: Distribution
    firm_age_years: Distribution
    """Age since registration of startups in carriers."""
    enterprise_age_years: Distribution
    enterprise_revenue_yuan_per_year: Distribution
    enterprise_invention_patents: Distribution
    enterprise_other_patents: Distribution
    sectors: dict[str, Rate]


# ----------------------------------------------------------------------------- goals
class Goal(Frozen):
    description: str
    target: Real
    op: Literal[">=", "<="] = ">="
    year: Annotated[int, Field(ge=1900, le=2200)]
    baseline_2018: Real | None = None
    indicator: str | None = None
    """Recorded indicator that measures the goal; null = not modelled."""
    not_modelled_reason: str | None = None

    @model_validator(mode="after")
    def _reason(self) -> Goal:
        if self.indicator is None and not self.not_modelled_reason:
            raise ValueError("a goal without an indicator needs not_modelled_reason")
        return self


# ----------------------------------------------------------------------------- scenario
class Scenario(Frozen):
    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    horizon: Horizon = Horizon()
    sectors: list[str]
    arrivals: Arrivals
    carriers: dict[str, Carrier]
    firms: Firms
    maker_space: MakerSpace
    incubation: Incubation
    funding: Funding
    patents: Patents
    certification: Certification
    initial_state: InitialState
    goals: dict[str, Goal]

    # ------------------------------------------------------------------ derived quantities
    def expected_arrivals(self) -> float:
        """Expected number of arrivals over the horizon (analytic, for the event-count guard)."""
        total = 0.0
        for origin in self.arrivals.origins.values():
            start = max(self.horizon.t0, origin.active_from or -math.inf)
            end = min(self.horizon.t_end, origin.active_until or math.inf)
            if end <= start:
                continue
            total += origin_expected_count(origin, self.horizon.t0, start, end)
        return total


def origin_expected_count(origin: Origin, t0: float, start: float, end: float) -> float:
    """Integral of the origin's rate over [start, end]."""
    g = math.log1p(origin.growth_per_year)
    if abs(g) < 1e-12:
        return origin.rate_per_year * (end - start)
    return origin.rate_per_year * (math.exp(g * (end - t0)) - math.exp(g * (start - t0))) / g


def cross_check(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Checks that span several parts of a scenario: ``(key path, message)`` per problem."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    t0, t_end = scenario.horizon.t0, scenario.horizon.t_end
    sectors = set(scenario.sectors)

    def known_sectors(path: tuple[str | int, ...], names: object) -> None:
        for name in names:  # type: ignore[attr-defined]
            if name not in sectors:
                problems.append((path, f"unknown sector {name!r} (sectors: {scenario.sectors})"))

    def in_window(path: tuple[str | int, ...], date: float) -> None:
        if not t0 <= date <= t_end:
            problems.append((path, f"date {date} is outside the simulated window [{t0}, {t_end}]"))

    for key, origin in scenario.arrivals.origins.items():
        known_sectors(("arrivals", "origins", key, "sectors"), origin.sectors)
        for carrier in origin.preferred_carriers:
            if carrier not in scenario.carriers:
                problems.append(
                    (
                        ("arrivals", "origins", key, "preferred_carriers"),
                        f"unknown carrier {carrier!r}",
                    )
                )
    for key, carrier in scenario.carriers.items():
        known_sectors(("carriers", key, "preferred_sectors"), carrier.preferred_sectors)
        for i, expansion in enumerate(carrier.expansions):
            in_window(("carriers", key, "expansions", i, "date"), expansion.date)
    known_sectors(
        ("incubation", "max_stay_years_by_sector"), scenario.incubation.max_stay_years_by_sector
    )
    known_sectors(("initial_state", "sectors"), scenario.initial_state.sectors)
    for key, pool in scenario.funding.pools.items():
        for i, tranche in enumerate(pool.tranches):
            in_window(("funding", "pools", key, "tranches", i, "date"), tranche.date)
    for key, program in scenario.funding.grants.items():
        if program.pool not in scenario.funding.pools:
            problems.append((("funding", "grants", key, "pool"), f"unknown pool {program.pool!r}"))
    rewards = scenario.funding.talent_rewards
    if rewards.pool not in scenario.funding.pools:
        problems.append((("funding", "talent_rewards", "pool"), f"unknown pool {rewards.pool!r}"))
    dates = [point.date for point in scenario.funding.loans.institutions]
    if not dates or dates != sorted(dates):
        problems.append(
            (("funding", "loans", "institutions"), "need at least one point, dates increasing")
        )
    init = scenario.initial_state
    for key, occupants in init.carriers.items():
        carrier = scenario.carriers.get(key)
        path = ("initial_state", "carriers", key)
        if carrier is None:
            problems.append((path, f"unknown carrier {key!r}"))
        elif carrier.opens > t0:
            problems.append(
                (path, f"carrier opens ({carrier.opens}) after the initial state ({t0})")
            )
        elif (occupants.teams and "team" not in carrier.accepts) or (
            occupants.firms and "startup" not in carrier.accepts
        ):
            problems.append((path, "the carrier does not accept these occupants"))
    registered = init.enterprise_base_firms + sum(o.firms for o in init.carriers.values())
    if init.national_hte > init.enterprise_base_firms:
        problems.append((("initial_state", "national_hte"), "more than enterprise_base_firms"))
    if init.tech_smes > registered:
        problems.append(
            (("initial_state", "tech_smes"), f"more than the {registered} registered firms")
        )
    for key, goal in scenario.goals.items():
        if not scenario.horizon.start_year <= goal.year <= scenario.horizon.end_year:
            problems.append((("goals", key, "year"), f"{goal.year} is outside the horizon"))
    return problems
