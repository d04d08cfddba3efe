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

from sim.distributions import Distribution, NonNegativeDistribution, PositiveDistribution
from sim.indicators import INDICATORS

Rate = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Yuan = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Area = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Year = Annotated[float, Field(ge=1900, le=2200, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
Real = Annotated[float, Field(allow_inf_nan=False)]

#: An id that can become part of a file name (scenario name, carrier, origin, pool, grant
#: programme, goal): letters, digits, ``_`` and ``-``, at most 64 characters (no ``.``, so
#: never ``..`` or a hidden file; no ``/``, so never a path).
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
#: A recorded indicator, optionally of one carrier, pool or programme: ``name`` or
#: ``name.<id>``.
IndicatorName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}(\.[A-Za-z0-9_-]{1,64})?$")]

Kind = Literal["team", "startup"]
Stage = Literal["team", "incubating", "enterprise"]


class Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, strict=True
    )


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
    """Date the stream starts (default: the clock start)."""
    active_until: Year | None = None
    """Date the stream stops (default: the end of the horizon)."""
    capability: Distribution
    """Latent capability in [0, 1] drawn on arrival (drives growth, patents, funding, failure)."""
    sectors: dict[str, Rate]
    """Relative weights of the sectors of arriving firms."""
    founded_years_before_arrival: NonNegativeDistribution | None = None
    """Startups only: how long before arriving the firm was registered."""
    preferred_carriers: list[str] = []
    """Carriers tried first, in order (e.g. university spin-offs and the science park)."""
    high_level_team: bool = False
    """Counts towards the high-level innovation teams and receives the talent reward."""
    leading_share: Probability = 0.0
    """High-level teams only: the chance that a team is at the leading level (the bar of the
    city's leading talent (team) programme: technology 国际先进或国内领先)."""

    @model_validator(mode="after")
    def _check(self) -> Origin:
        if not self.sectors or sum(self.sectors.values()) <= 0:
            raise ValueError("sectors needs at least one positive weight")
        if self.kind == "startup" and self.founded_years_before_arrival is None:
            raise ValueError("startups need founded_years_before_arrival")
        return self


class Arrivals(Frozen):
    origins: dict[Id, Origin]
    """Arrival streams by origin (spin-off, talent team, entrant, contest winner, ...)."""


# ----------------------------------------------------------------------------- carriers
class Expansion(Frozen):
    date: Year
    """Date the area is added."""
    add_m2: Area
    """Floor area added (m²)."""


class Carrier(Frozen):
    """An incubation carrier: floor area that teams and startups occupy."""

    name: str
    """Name of the carrier."""
    name_zh: str = ""
    """Name in Chinese."""
    opens: Year
    """Opening date (a date before the clock start means open from the start)."""
    area_m2: Area
    """Incubation area on opening."""
    expansions: list[Expansion] = []
    """Dated additions of floor area."""
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
    team: PositiveDistribution
    """For maker teams."""
    startup: PositiveDistribution
    """For registered startups."""


class ByStage(Frozen):
    team: Rate
    """Maker teams in a maker space (per year)."""
    incubating: Rate
    """Startups in an incubation carrier (per year)."""
    enterprise: Rate
    """Firms in the enterprise base (per year)."""


class DoseResponse(Frozen):
    """An effect that rises with the yuan received and saturates:
    ``max_effect * (1 - exp(-yuan / scale_yuan))`` (63 % of the maximum at ``scale_yuan``)."""

    max_effect: Rate
    """The effect's limit for very large amounts."""
    scale_yuan: Area
    """Amount (yuan) that gives 63 % of the maximum effect."""

    def at(self, yuan: float) -> float:
        """The effect of ``yuan`` received in all."""
        if yuan <= 0.0:
            return 0.0
        return self.max_effect * -math.expm1(-yuan / self.scale_yuan)


class Revenue(Frozen):
    """Logistic revenue paths: a firm grows at its intrinsic rate while small and levels off at
    its own mature size (growth slows with size, Gibrat's law fails for young firms)."""

    initial_yuan_per_year: NonNegativeDistribution
    """Revenue rate of a startup when it is registered (yuan per year)."""
    growth_per_year: Annotated[float, Field(ge=-2, le=5, allow_inf_nan=False)]
    """Intrinsic (small-size) log growth rate of revenue at capability 0."""
    growth_per_capability: Annotated[float, Field(ge=-5, le=5, allow_inf_nan=False)]
    """Added intrinsic log growth rate per unit of capability."""
    mature_yuan_per_year: PositiveDistribution
    """A firm's mature size (the ceiling of its logistic path) at capability 0.5 (yuan/yr)."""
    mature_per_capability: Annotated[float, Field(ge=-10, le=10, allow_inf_nan=False)]
    """Mature size multiplier exp(mature_per_capability * (capability - 0.5))."""
    funding_growth: DoseResponse
    """Added intrinsic growth rate by the funding received (grants, loans, equity, rewards)."""
    zone_revenue_bound_yuan: Yuan | None = None
    """Bound on the modelled firms' revenue over the horizon (yuan/yr): the model's revenue
    must stay below it (checked by ``make validate``); null = none stated."""


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
    """Failure hazard by stage at capability 0.5, unfunded (per year)."""
    capability_effect: Annotated[float, Field(ge=-20, le=20, allow_inf_nan=False)]
    """Hazard multiplier exp(-effect * (capability - 0.5))."""
    funding_reduction: DoseResponse
    """Share of the hazard removed by the funding received (max_effect at most 1)."""
    enterprise_relocation_per_year: Rate = 0.0
    """Firms in the enterprise base moving out of the zone (per year)."""

    @model_validator(mode="after")
    def _reduction(self) -> Failure:
        if self.funding_reduction.max_effect > 1:
            raise ValueError("funding_reduction.max_effect must be at most 1 (a share)")
        return self


class Firms(Frozen):
    area_m2: ByKind
    """Floor area a newcomer needs (m²)."""
    patience_years: NonNegativeDistribution
    """How long a newcomer waits for room before leaving the zone (0 = no waiting)."""
    revenue: Revenue
    """Revenue paths of registered firms."""
    traits: Traits
    """Traits used by the certification rules."""
    failure: Failure
    """Failure (exit) hazards."""


class MakerSpace(Frozen):
    stay_years: NonNegativeDistribution
    """Time a team spends in a maker space before it incorporates or dissolves."""
    incorporation_probability: Probability
    """Chance to incorporate at capability 0 ..."""
    incorporation_per_capability: Real
    """... plus this times capability (clipped to [0, 1])."""


class Incubation(Frozen):
    max_founding_age_years: Rate
    """Entry rule: registered at most this long before entering."""
    max_stay_years: NonNegativeDistribution
    """Maximum incubation time (years)."""
    max_stay_years_by_sector: dict[str, NonNegativeDistribution] = {}
    """Maximum incubation time for particular sectors (years)."""
    graduation_revenue_two_years_yuan: Yuan
    """Graduated when revenue over the last two years exceeds this total."""
    graduate_on_hte: bool
    """Graduated when certified as a national high-tech enterprise."""
    graduation_equity_yuan: Yuan | None = None
    """Graduated when the equity (angel or venture investment) raised in all exceeds this;
    null: no such route."""
    acquisition_rate_per_year: Rate
    """Rate of being acquired or listed (counts as graduation), times capability."""
    graduation_take_up: Probability = 1.0
    """Chance that a firm meeting the revenue criterion at a yearly review leaves the carrier
    then (otherwise it stays and is reviewed again)."""
    hte_graduation_take_up: Probability = 1.0
    """The same for a firm graduating as a certified HTE."""
    stay_in_zone_after_max_stay: Probability = 1.0
    """Chance that a firm reaching the maximum stay moves into the zone's enterprise base
    (otherwise it leaves the zone)."""
    review_in_year: Annotated[float, Field(ge=0, lt=1)] = 0.95
    """Fraction of the year at which carriers review graduation criteria."""
    placement_sector_weight: Annotated[float, Field(ge=1, le=1000, allow_inf_nan=False)] = 1.0
    """Placement: a newcomer picks among the carriers that take it with chance proportional to
    their free area, times this weight where the carrier prefers its sector."""


# ----------------------------------------------------------------------------- funding
class Tranche(Frozen):
    date: Year
    """Payment date."""
    amount_yuan: Yuan
    """Amount paid into the pool (yuan)."""


class YearlyTranche(Frozen):
    amount_yuan: Yuan
    """Amount paid in the first year (yuan)."""
    in_year: Annotated[float, Field(ge=0, lt=1)]
    """Fraction of the year at which it is paid."""
    first_year: Annotated[int, Field(ge=1900, le=2200)]
    """First calendar year of payment."""
    last_year: Annotated[int, Field(ge=1900, le=2200)]
    """Last calendar year of payment."""
    growth_per_year: Annotated[float, Field(gt=-1, allow_inf_nan=False)] = 0.0
    """Relative growth of the amount per year."""


class Pool(Frozen):
    """A budget filled by dated tranches; awards draw it down and never below zero."""

    opening_balance_yuan: Yuan = 0.0
    """Balance at the clock start (yuan)."""
    tranches: list[Tranche] = []
    """One-off dated payments into the pool."""
    yearly: YearlyTranche | None = None
    """A recurring yearly payment into the pool."""


class GrantProgram(Frozen):
    pool: str
    """Pool the awards are paid from."""
    in_year: Annotated[float, Field(ge=0, lt=1)]
    """Fraction of the year at which the yearly call is decided."""
    eligible: list[Stage]
    """Stages of firms that may apply."""
    apply_probability: Probability
    """Chance that an eligible firm applies in a year's call."""
    award_yuan: NonNegativeDistribution
    """Award per successful applicant (yuan)."""
    ranking_noise_sd: Rate
    """Applicants are ranked by capability plus normal noise of this sd."""


class CapitalInstitutions(Frozen):
    date: Year
    """Date of the count."""
    count: Count
    """Partner capital institutions (banks, guarantors, insurers, VCs)."""


class Loans(Frozen):
    institutions: list[CapitalInstitutions]
    """Partner capital institutions at dates (linear in between, flat outside)."""
    loans_per_institution_per_year: Rate
    """Tech loans per partner institution per year."""
    amount_yuan: NonNegativeDistribution
    """Loan size (yuan)."""
    eligible: list[Stage]
    """Stages of firms that may borrow (one chosen at random per loan)."""


class Equity(Frozen):
    rate_per_year: Rate
    """Rate of equity rounds at capability 1 ..."""
    capability_exponent: Rate
    """... times capability ** exponent."""
    amount_yuan: NonNegativeDistribution
    """Size of an equity round (yuan)."""
    eligible: list[Stage]
    """Stages of firms that may raise equity."""


class TalentRewards(Frozen):
    pool: str
    """Pool the talent rewards are paid from."""
    award_per_team_yuan: Yuan
    """Reward paid when a high-level team arrives (yuan)."""


class Funding(Frozen):
    pools: dict[Id, Pool]
    """Budget pools by name."""
    grants: dict[Id, GrantProgram]
    """Grant programmes by name (yearly calls)."""
    loans: Loans
    """Tech loans."""
    equity: Equity
    """Equity rounds."""
    talent_rewards: TalentRewards
    """Rewards for high-level teams."""


# ----------------------------------------------------------------------------- patents
class PatentKinds(Frozen):
    invention: NonNegativeDistribution
    """For invention patents."""
    other: NonNegativeDistribution
    """For utility models and designs."""


class PatentProbabilities(Frozen):
    invention: Probability
    """For invention patents."""
    other: Probability
    """For utility models and designs."""


class ExogenousPatents(Frozen):
    """Patents granted in the zone to filers outside the model's firms (the university and
    incumbents not modelled as firms)."""

    grants_per_year: Rate
    """Patents granted per year at the clock start."""
    growth_per_year: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    """Relative growth per year."""
    invention_share: Probability
    """Share of them that are invention patents."""


class CityPatents(Frozen):
    """The patents granted in the whole city, which the zone's cannot exceed a share of."""

    grants_per_year: Rate
    """Patents granted in the city per year at the clock start."""
    growth_per_year: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    """Relative growth per year."""
    max_zone_share: Probability
    """Largest share of the city's patents granted that the zone's may be (checked by the
    pattern ``zone_share_of_city_patents``; the exogenous stream alone must stay below it)."""

    def grants_in(self, year: float, start_year: float) -> float:
        """The city's patents granted in ``year`` (clock start = ``start_year`` + 1)."""
        return self.grants_per_year * (1.0 + self.growth_per_year) ** (year - start_year - 1)


class Patents(Frozen):
    filing_rate_per_year: ByStage
    """Filings per firm per year by stage at capability 0.5 beside those its R&D pays for."""
    capability_effect: Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]
    """Filing-rate multiplier (1 + effect * (capability - 0.5)), floored at 0."""
    rd_yuan_per_filing: Area | None
    """R&D spending (R&D ratio x revenue, yuan/yr) that pays for one filing a year (null: R&D
    pays for no filings, only the stage rates apply)."""
    rd_elasticity: Annotated[float, Field(gt=0, le=1.5, allow_inf_nan=False)] = 1.0
    """Filings grow as (R&D / rd_yuan_per_filing) ** rd_elasticity: below 1, with
    diminishing returns."""
    max_filings_per_firm_per_year: Area = 10000.0
    """Ceiling on one firm's filing rate (a bound on the work a run can be asked to do; China's
    largest filer files some thousands of applications a year)."""
    filing_subsidy_yuan: Yuan = 0.0
    """Subsidy the zone pays per patent filed (yuan); lever."""
    subsidy_response: DoseResponse
    """Relative rise of the filing rate by the subsidy per filing (yuan)."""
    invention_share_of_filings: Probability
    """Share of filings that are invention patents."""
    grant_probability: PatentProbabilities
    """Chance that a filing is granted, by kind."""
    grant_delay_years: PatentKinds
    """Time from filing to grant, by kind (years)."""
    exogenous: ExogenousPatents
    """Patents granted to the university and incumbent firms outside the model's firms."""
    city: CityPatents
    """The city's patents granted (for the zone's share of them)."""


# ----------------------------------------------------------------------------- certification
class Band(Frozen):
    at_least: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    """Threshold the value must reach."""
    points: Rate
    """Points earned."""


class RdBand(Frozen):
    max_revenue_yuan: Yuan | None
    """Upper bound of the revenue band (null = no bound)."""
    min_rd_ratio: Probability
    """Minimum R&D / sales in this band."""


class TechSme(Frozen):
    evaluation_in_year: Annotated[float, Field(ge=0, lt=1)]
    """Fraction of the year at which the yearly evaluation happens."""
    apply_probability: Probability
    """Chance that a firm without the status applies in a year's evaluation."""
    renewal_probability: Probability
    """Chance that a firm holding the status registers again."""
    max_employees: Count
    """Size limit: employees."""
    max_revenue_yuan: Yuan
    """Size limit: annual sales (yuan)."""
    max_assets_yuan: Yuan
    """Size limit: total assets (yuan)."""
    min_score: Rate
    """Minimum composite score."""
    st_staff_points: list[Band]
    """Points for the S&T staff share (bands)."""
    rd_ratio_points: list[Band]
    """Points for R&D / sales (bands)."""
    invention_patent_points: Rate
    """Points for holding an invention patent (class-I IP)."""
    other_patent_points: list[Band]
    """Points for other patents (class-II IP), by count (bands)."""
    hte_direct: bool
    """A certified HTE qualifies directly (within the size limits)."""


class IpPurchase(Frozen):
    """An applicant that meets every HTE criterion but core IP may buy an invention patent."""

    probability: Probability
    """Chance that such an applicant buys IP in a round."""
    cost_yuan: Yuan
    """Price of one transferred invention patent (yuan)."""
    patents: Annotated[int, Field(ge=1, le=100)] = 1
    """Invention patents bought at once."""


class Cultivation(Frozen):
    """HTE cultivation: each year the zone takes the registered firms closest to the HTE
    criteria into a pool; pool firms are paid a subsidy, apply at every round, have their R&D
    accounting coached and their core IP bought if they lack it."""

    firms_per_year: Count
    """Firms taken into the pool each year (lever)."""
    eligible: list[Literal["incubating", "enterprise"]] = ["incubating", "enterprise"]
    """Stages the pool takes firms from, in order of priority."""
    in_year: Annotated[float, Field(ge=0, lt=1)] = 0.2
    """Fraction of the year at which the pool is chosen."""
    years_in_pool: Area = 2.0
    """How long a firm stays in the pool (years)."""
    subsidy_yuan: Yuan
    """Subsidy paid to each firm on entering the pool (yuan)."""
    rd_ratio_reachable: Probability
    """Pool firms with an R&D ratio at least this are coached up to their band's minimum."""
    organisation_points: Rate
    """Points added to the R&D-organisation part of a pool firm's score (of 20)."""


class Hte(Frozen):
    review_rounds_in_year: list[Annotated[float, Field(ge=0, lt=1)]]
    """Fractions of the year at which review rounds are held."""
    apply_probability: Probability
    """Chance that an uncertified firm meeting the hard criteria applies in a round."""
    renewal_probability: Probability
    """Chance that a certified firm whose certificate ends before the next round re-applies."""
    min_registered_years: Rate
    """Registered at least this long (years)."""
    min_invention_patents: Count
    """Core IP: invention patents needed (0: this route is closed)."""
    min_other_patents: Count
    """Core IP: at least min_invention_patents inventions OR min_other_patents others."""
    rd_bands: list[RdBand]
    """Minimum R&D / sales by revenue band, smallest band first."""
    min_hightech_revenue_share: Probability
    """Minimum high-tech revenue / total revenue."""
    min_st_staff_share: Probability
    """Minimum S&T staff / employees."""
    min_score: Rate
    """Minimum innovation-capability score (of 100)."""
    ip_full_marks_patents: Area
    """Invention-equivalent patents that earn the IP part's full 30 points."""
    full_growth_rate: Area
    """Revenue growth rate that earns the growth part's full 20 points."""
    score_noise_sd: Rate
    """Noise (sd, in capability units) in the judged parts of the score."""
    valid_years: Area
    """Validity of the certificate."""
    conversion_full_marks_ip: Area = 5.0
    """IP items (own, bought and copyrights) that earn the conversion part's full 30 points."""
    software_copyrights_per_year: dict[str, Rate] = {}
    """Software copyrights registered per registered firm and year, by sector (class-II IP)."""
    ip_purchase: IpPurchase
    """Core IP bought or transferred in (the 2016 measures allow it)."""
    cultivation: Cultivation
    """The zone's HTE cultivation programme (高新技术企业培育)."""


class Certification(Frozen):
    tech_sme: TechSme
    """Tech-based SME evaluation."""
    hte: Hte
    """National high-tech enterprise certification."""


# ----------------------------------------------------------------------------- initial state
class CarrierOccupants(Frozen):
    firms: Count = 0
    """Registered startups in the carrier."""
    teams: Count = 0
    """Maker projects in the carrier."""
    hte_firms: Count = 0
    """Of ``firms``, those already national high-tech enterprises (count; part of
    ``initial_state.national_hte``)."""
    tech_sme_firms: Count = 0
    """Of ``firms``, those already tech-based SMEs (count; part of ``initial_state.tech_smes``).
    The carrier's certified firms are its first ``max(hte_firms, tech_sme_firms)`` startups:
    the HTEs are among the tech SMEs as far as the counts allow (``min`` of the two hold
    both)."""

    @property
    def certified_firms(self) -> int:
        """Startups placed certified (HTE, tech SME or both): ``max(hte_firms,
        tech_sme_firms)``."""
        return max(self.hte_firms, self.tech_sme_firms)


class InitialCapability(Frozen):
    """Capability (0-1, clipped) of the initial firms by group; a group left out draws from
    ``initial_state.capability``."""

    incubated: Distribution | None = None
    """Teams and uncertified startups in carriers."""
    certified_in_carriers: Distribution | None = None
    """Startups placed certified in carriers (``carriers.<id>.hte_firms`` and
    ``tech_sme_firms``)."""
    enterprise_base: Distribution | None = None
    """Enterprise-base firms (the base's HTE certificates still go to its most capable)."""


class InitialState(Frozen):
    """The zone at the end of ``horizon.start_year``, as the sources report it.

    Teams and startups already in carriers have a residual stay drawn uniformly within a fresh
    stay (exact for a steady inflow with fixed stays)."""

    carriers: dict[str, CarrierOccupants]
    """Occupants of each carrier open at the start."""
    enterprise_base_firms: Count
    """R&D-active firms in the zone outside the carriers."""
    national_hte: Count
    """National high-tech enterprises in the zone (count, all of them): the carriers'
    ``hte_firms``, the rest the most capable of the enterprise base."""
    tech_smes: Count
    """Tech-based SMEs in the zone (count, all of them): the carriers' ``tech_sme_firms``, the
    rest the registered firms (uncertified startups in carriers and the enterprise base) that
    best meet the SME rule."""
    high_level_teams: Count
    """High-level teams introduced so far."""
    capability: Distribution
    """Capability of the initial firms and teams (0-1, clipped), of every group
    ``capability_by_group`` leaves out."""
    capability_by_group: InitialCapability = InitialCapability()
    """Capability distributions per group of initial firms (each defaults to ``capability``)."""
    firm_age_years: NonNegativeDistribution
    """Age since registration of startups in carriers."""
    enterprise_age_years: NonNegativeDistribution
    """Age of enterprise-base firms since registration."""
    enterprise_revenue_yuan_per_year: NonNegativeDistribution
    """Revenue of enterprise-base firms (yuan/yr)."""
    enterprise_invention_patents: NonNegativeDistribution
    """Invention patents held by an enterprise."""
    enterprise_other_patents: NonNegativeDistribution
    """Other patents held by an enterprise."""
    sectors: dict[str, Rate]
    """Relative sector weights of the initial firms."""
    uncertified_rd_fraction: Annotated[Distribution, Field(validate_default=True)] = {
        "dist": "uniform",
        "low": 0.6,
        "high": 0.95,
    }
    """An uncertified incumbent that would meet every HTE criterion has its R&D ratio set to
    this fraction of its band's minimum (drawn per firm): the 2018 count is the zone's state."""


# ----------------------------------------------------------------------------- platforms
# (the platform goals: sim/model/platforms.py, docs/model.md 7.18)
class PlatformCount(Frozen):
    """A count of platforms of one kind in the zone: a birth–death process in yearly rounds.

    Each round, every platform now open closes with ``closure_probability_per_year``, then a
    Poisson count of new ones opens with mean ``births_per_year + births_per_hte_per_year ·
    national HTE now + births_per_carrier_per_year · carriers open now``, no more than bring
    the count to ``max_per_carrier`` per open carrier (where there is such a cap)."""

    initial: Count
    """Platforms in the zone in the start year."""
    births_per_year: Rate
    """New platforms a year hosted by the university and institutes (not by firms)."""
    births_per_hte_per_year: Rate = 0.0
    """New platforms a year per national high-tech enterprise in the zone (mature firms)."""
    births_per_carrier_per_year: Rate = 0.0
    """New platforms a year per carrier open then (those housed in the carriers)."""
    closure_probability_per_year: Probability
    """Probability that a platform is revoked or not renewed in a year."""
    max_per_carrier: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    """Platforms of this kind one open carrier can hold: births stop at this many per open
    carrier (the count itself is not cut when carriers close); null: no cap."""


class TechCenters(PlatformCount):
    """Provincial enterprise technology and engineering (technology) research centres, with
    the municipal ones as a multiple."""

    municipal_per_provincial: Annotated[float, Field(ge=0, le=20, allow_inf_nan=False)]
    """Municipal centres per provincial centre: the goal counts both, the model only the
    provincial ones (``tech_centers`` = provincial · (1 + this))."""


class RecognisedCarriers(PlatformCount):
    """Incubation carriers of one kind (tech business incubators, maker spaces) recognised at
    provincial level or above, inside the zone's carriers: they need premises in a carrier, so
    ``max_per_carrier`` is required."""

    max_per_carrier: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
    """Recognised carriers of this kind one open carrier can hold (a cap on the count)."""


class Platforms(Frozen):
    """R&D platforms approved by the province (sim/model/platforms.py)."""

    in_year: Annotated[float, Field(ge=0, lt=1)] = 0.9
    """When in the year the province approves and revokes platforms (one round a year)."""
    tech_centers: TechCenters
    """Provincial enterprise technology and engineering research centres."""
    academician_workstations: PlatformCount
    """Provincial academician workstations."""
    postdoc_workstations: PlatformCount | None = None
    """Postdoctoral research workstations (博士后科研工作站); null: not modelled."""
    incubators: RecognisedCarriers | None = None
    """Tech business incubators (科技企业孵化器, university science parks among them)
    recognised at provincial level or above; null: not modelled."""
    maker_spaces: RecognisedCarriers | None = None
    """Maker spaces (众创空间) recognised at provincial level or above; null: not modelled."""


# ----------------------------------------------------------------------------- economy
# (the economy goals: sim/model/economy.py, docs/model.md 7.19)
class YearGrowth(Frozen):
    """Growth in one year."""

    year: Annotated[int, Field(ge=1900, le=2200)]
    """The year."""
    growth: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    """Relative growth over the year before."""


class ZoneRd(Frozen):
    """The zone's R&D spending over its GDP (``rd_intensity``): the modelled firms' R&D (R&D
    ratio x revenue over the year) plus an exogenous stream (the university and the firms not
    modelled), over a GDP path. The exogenous stream is the residual of the anchor: in
    ``anchor_year`` it is ``anchor_intensity x gdp_yuan`` less the modelled firms' R&D that
    year (their revenue paths traced back from the initial state). Where the firms' R&D is
    more than ``max_modelled_share`` of the anchor, it enters the accounts scaled down to that
    share (in every year), so the anchor holds at any GDP and, with a share below 1, the
    residual stays positive."""

    anchor_year: Annotated[int, Field(ge=1900, le=2200)]
    """Year of the observed intensity (at most the start year)."""
    anchor_intensity: Probability
    """Observed R&D / GDP in ``anchor_year``."""
    gdp_yuan: Area
    """The zone's GDP in ``anchor_year`` (yuan)."""
    gdp_growth_in: list[YearGrowth] = []
    """Growth of GDP in given years (e.g. an observed one); each year at most once."""
    gdp_growth_per_year: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    """Growth of GDP in the other years after ``anchor_year``."""
    exogenous_growth_per_year: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    """Growth of the exogenous R&D stream after ``anchor_year``."""
    max_modelled_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1.0
    """The largest share of the anchor year's R&D the modelled firms can account for (the
    rest is the university's and the unmodelled firms')."""

    def gdp_in(self, year: int) -> float:
        """GDP in ``year`` (yuan): ``gdp_yuan`` grown year by year from ``anchor_year``."""
        gdp = self.gdp_yuan
        given = {point.year: point.growth for point in self.gdp_growth_in}
        for y in range(self.anchor_year + 1, year + 1):
            gdp *= 1.0 + given.get(y, self.gdp_growth_per_year)
        return gdp

    @model_validator(mode="after")
    def _years_once(self) -> ZoneRd:
        years = [point.year for point in self.gdp_growth_in]
        if len(years) != len(set(years)):
            raise ValueError("gdp_growth_in names a year more than once")
        if any(year <= self.anchor_year for year in years):
            raise ValueError("gdp_growth_in years must be after anchor_year")
        return self


class IndustrialRd(Frozen):
    """R&D over main business revenue of the industrial firms above scale
    (``industrial_rd_ratio``), over the modelled firms."""

    sectors: list[str]
    """Sectors whose firms are industrial (manufacturing)."""
    above_scale_revenue_yuan: Yuan
    """A firm is above scale when its revenue over the year is at least this (yuan)."""


class InventionStock(Frozen):
    """Valid invention patents held in the zone per 10,000 residents
    (``invention_patents_per_10k``): a stock that every invention patent granted in the zone
    (modelled firms and the exogenous stream) enters and a share of which lapses each year."""

    per_10k_residents: Rate
    """Valid invention patents per 10,000 residents in the start year (sets the initial
    stock)."""
    residents: Area
    """Resident population of the zone in the start year."""
    residents_growth_per_year: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    """Relative growth of the resident population per year."""
    lapse_per_year: Probability
    """Share of the valid invention patents that lapse (annuities unpaid, term ended) or
    leave the zone each year."""


class Economy(Frozen):
    """Year-end aggregates of the economy goals (sim/model/economy.py)."""

    rd: ZoneRd
    """R&D spending over GDP."""
    industrial_rd: IndustrialRd
    """R&D over revenue of industrial firms above scale."""
    invention_stock: InventionStock
    """The stock of valid invention patents over the resident population."""


# --- end economy goals


# ----------------------------------------------------------------------------- goals
class GoalBase(Frozen):
    """A goal's observed starting point."""

    year: Annotated[int, Field(ge=1900, le=2200)]
    """Year of the observation."""
    value: Real
    """The observed value."""


#: The id of a goal's reading when the goal states only one (``target`` and ``indicator``
#: written on the goal itself).
AS_WRITTEN = "as_written"


class GoalReading(Frozen):
    """One reading of a goal's words: what it counts, its target and its starting point, with
    why the words can be read so and where its numbers come from."""

    description: str
    """What this reading counts."""
    basis: str
    """Why the goal's words can be read this way (the words it rests on)."""
    source: str
    """Where this reading's numbers (target, base) come from."""
    target: Real
    """Target value under this reading."""
    base: GoalBase | None = None
    """The observed value in a base year under this reading, where the sources give one."""
    indicator: IndicatorName | None = None
    """Recorded indicator that measures the goal under this reading; null = not modelled."""
    not_modelled_reason: str | None = None
    """Why the model does not represent this reading."""

    @model_validator(mode="after")
    def _reason(self) -> GoalReading:
        if self.indicator is None and not self.not_modelled_reason:
            raise ValueError("a reading without an indicator needs not_modelled_reason")
        return self


class Goal(Frozen):
    """A goal of the zone. Its words (``words``, ``source``) are read one way (``target``,
    ``indicator``, ``base`` on the goal itself: the reading ``as_written``) or several
    (``readings``, the main one first): every verdict is shown once per reading."""

    description: str
    """What the goal measures."""
    words: str | None = None
    """The goal's words in its source (the original language)."""
    source: str | None = None
    """Where the words are."""
    target: Real | None = None
    """Target value (a goal with one reading)."""
    op: Literal[">=", "<="] = ">="
    """Whether the indicator must reach (>=) or stay below (<=) the target."""
    year: Annotated[int, Field(ge=1900, le=2200)]
    """Year by which the goal is to be met."""
    base: GoalBase | None = None
    """The observed value in a base year, where the sources give one; without it the goal
    table shows the recorded indicator in the start year (the initial state)."""
    indicator: IndicatorName | None = None
    """Recorded indicator that measures the goal; null = not modelled."""
    not_modelled_reason: str | None = None
    """Why the model does not represent the goal."""
    readings: dict[Id, GoalReading] = {}
    """Readings of the words where they honestly allow more than one, the main one first;
    when given, ``target``, ``indicator``, ``base`` and ``not_modelled_reason`` belong to
    each reading, not to the goal."""
    reading: Id = AS_WRITTEN
    """The id of the reading this goal is (set on the goals :meth:`read` returns)."""
    basis: str | None = None
    """Why the words are read this way (set on the goals :meth:`read` returns)."""

    @model_validator(mode="after")
    def _reason(self) -> Goal:
        if self.readings:
            written = [
                key
                for key in ("target", "base", "indicator", "not_modelled_reason")
                if getattr(self, key) is not None
            ]
            if written:
                raise ValueError(
                    f"a goal with readings keeps {', '.join(written)} in each reading, "
                    "not on the goal"
                )
            return self
        if self.target is None:
            raise ValueError("a goal needs a target, or readings with one each")
        if self.indicator is None and not self.not_modelled_reason:
            raise ValueError("a goal without an indicator needs not_modelled_reason")
        return self

    def read(self) -> dict[str, Goal]:
        """The goal once per reading, the main reading first: each a goal with one target,
        indicator and base, its ``reading`` id and ``basis`` set."""
        if not self.readings:
            return {self.reading: self}
        return {
            key: self.model_copy(
                update={
                    "description": reading.description,
                    "source": reading.source,
                    "target": reading.target,
                    "base": reading.base,
                    "indicator": reading.indicator,
                    "not_modelled_reason": reading.not_modelled_reason,
                    "readings": {},
                    "reading": key,
                    "basis": reading.basis,
                }
            )
            for key, reading in self.readings.items()
        }

    @property
    def main(self) -> Goal:
        """The goal under its main reading."""
        return next(iter(self.read().values()))


#: Between a goal's id and a reading's in the key of a reading that is not the main one.
READING_SEPARATOR = ":"


def reading_key(goal_id: str, reading: str, main: bool) -> str:
    """The key of a goal under one reading: the goal id for its main reading,
    ``goal:reading`` for the others."""
    return goal_id if main else f"{goal_id}{READING_SEPARATOR}{reading}"


def reading_label(goal_id: str, reading: str) -> str:
    """How outputs name a goal under one reading: the goal id for a goal read one way
    (``as_written``), ``goal (reading)`` for one of several readings."""
    return goal_id if reading == AS_WRITTEN else f"{goal_id} ({reading.replace('_', ' ')})"


def goal_of(key: str) -> str:
    """The goal id of a reading's key."""
    return key.partition(READING_SEPARATOR)[0]


# ----------------------------------------------------------------------------- scenario
class Scenario(Frozen):
    name: Id
    """Short name (letters, digits, _ and -, at most 64 characters): names the results
    folder."""
    description: str = ""
    """What the scenario represents."""
    zone: Id | None = None
    """The zone the scenario describes (an id such as ``jiaozuo_htz``): observation files name
    it, and one naming another zone is refused. Default: the scenario's name."""
    horizon: Horizon = Horizon()
    """Start and end years."""
    sectors: list[str]
    """Sectors of firms."""
    arrivals: Arrivals
    """Arrival streams of teams and startups."""
    carriers: dict[Id, Carrier]
    """The incubation carriers by id."""
    firms: Firms
    """Behaviour of teams and firms."""
    maker_space: MakerSpace
    """Maker-space (pre-incubation) stays."""
    incubation: Incubation
    """Incubation rules and graduation."""
    funding: Funding
    """Budgets, grants, loans, equity, talent rewards."""
    patents: Patents
    """Patent filing and grants."""
    certification: Certification
    """Tech-based SME and HTE rules."""
    initial_state: InitialState
    """The zone in the start year."""
    # --- platform goals (sim/model/platforms.py)
    platforms: Platforms | None = None
    """Counts of R&D platforms (technology centres, academician workstations); null = not
    modelled (no platform indicators are recorded)."""
    # --- end platform goals
    # --- economy goals (sim/model/economy.py)
    economy: Economy | None = None
    """R&D intensity, industrial R&D ratio and the invention-patent stock; null = not
    modelled (no economy indicators are recorded)."""
    # --- end economy goals
    goals: dict[Id, Goal]
    """The zone's goals, by id (an indicator's name where it measures the goal)."""

    def reading_key(self, goal_id: str, reading: str) -> str:
        """The key of goal ``goal_id`` under its reading ``reading`` (see
        :func:`reading_key`)."""
        return reading_key(goal_id, reading, reading == self.goals[goal_id].main.reading)

    def goal_readings(self) -> dict[str, Goal]:
        """Every reading of every goal by its key (:func:`reading_key`), each goal's main
        reading first: the goal id for a main reading, ``goal:reading`` for the others."""
        return {
            reading_key(key, read.reading, index == 0): read
            for key, goal in self.goals.items()
            for index, read in enumerate(goal.read().values())
        }

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
        if not t0 <= date < t_end:
            problems.append((path, f"date {date} is outside the simulated window [{t0}, {t_end})"))

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
    # economy goals: industrial_rd.sectors may name sectors a scenario does not use (no firms)
    economy = scenario.economy
    if economy is not None and economy.rd.anchor_year > scenario.horizon.start_year:
        problems.append((("economy", "rd", "anchor_year"), "after the start year"))
    known_sectors(
        ("certification", "hte", "software_copyrights_per_year"),
        scenario.certification.hte.software_copyrights_per_year,
    )
    for key, pool in scenario.funding.pools.items():
        for i, tranche in enumerate(pool.tranches):
            in_window(("funding", "pools", key, "tranches", i, "date"), tranche.date)
    for key, pool in scenario.funding.pools.items():
        yearly = pool.yearly
        if yearly is not None and not (
            scenario.horizon.start_year < yearly.first_year <= yearly.last_year
            and yearly.first_year <= scenario.horizon.end_year
        ):
            problems.append(
                (
                    ("funding", "pools", key, "yearly"),
                    f"years {yearly.first_year}..{yearly.last_year} must be in order and start "
                    f"within {scenario.horizon.start_year + 1}..{scenario.horizon.end_year}",
                )
            )
    for key, origin in scenario.arrivals.origins.items():
        if (
            origin.active_from is not None
            and origin.active_until is not None
            and origin.active_until <= origin.active_from
        ):
            problems.append(
                (("arrivals", "origins", key, "active_until"), "must be after active_from")
            )
    for key, goal in scenario.goals.items():
        seen: dict[tuple, str] = {}
        for reading_id, reading in goal.readings.items():
            if reading_id == AS_WRITTEN:
                problems.append(
                    (
                        ("goals", key, "readings", reading_id),
                        f"{AS_WRITTEN!r} names a goal read one way: give the reading another id",
                    )
                )
            if reading.indicator is None:  # not modelled: nothing it counts to compare
                continue
            counts = (reading.indicator, reading.target, reading.base)
            if counts in seen:
                problems.append(
                    (
                        ("goals", key, "readings", reading_id),
                        f"counts what reading {seen[counts]!r} counts (same indicator, target "
                        "and base): a duplicate reading",
                    )
                )
            seen.setdefault(counts, reading_id)
        for reading_id, read in goal.read().items():
            where = ("goals", key) if not goal.readings else ("goals", key, "readings", reading_id)
            if read.indicator is not None and read.indicator.partition(".")[0] not in INDICATORS:
                problems.append(((*where, "indicator"), f"unknown indicator {read.indicator!r}"))
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
    patents = scenario.patents
    if (
        patents.exogenous.grants_per_year
        > patents.city.max_zone_share * patents.city.grants_per_year
    ):
        problems.append(
            (
                ("patents", "exogenous", "grants_per_year"),
                "more than city.max_zone_share of the city's patents granted",
            )
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
    for key, occupants in init.carriers.items():
        path = ("initial_state", "carriers", key)
        for field in ("hte_firms", "tech_sme_firms"):
            if getattr(occupants, field) > occupants.firms:
                problems.append(
                    ((*path, field), f"more than the carrier's {occupants.firms} firms")
                )
    registered = init.enterprise_base_firms + sum(o.firms for o in init.carriers.values())
    placed_hte = sum(o.hte_firms for o in init.carriers.values())
    placed_smes = sum(o.tech_sme_firms for o in init.carriers.values())
    if placed_hte > init.national_hte:
        problems.append(
            (
                ("initial_state", "national_hte"),
                f"fewer than the {placed_hte} hte_firms placed in carriers",
            )
        )
    elif init.national_hte - placed_hte > init.enterprise_base_firms:
        where = f" (besides the {placed_hte} in carriers)" if placed_hte else ""
        problems.append(
            (("initial_state", "national_hte"), f"more than enterprise_base_firms{where}")
        )
    if placed_smes > init.tech_smes:
        problems.append(
            (
                ("initial_state", "tech_smes"),
                f"fewer than the {placed_smes} tech_sme_firms placed in carriers",
            )
        )
    if init.tech_smes > registered:
        problems.append(
            (("initial_state", "tech_smes"), f"more than the {registered} registered firms")
        )
    for key, goal in scenario.goals.items():
        if not scenario.horizon.start_year <= goal.year <= scenario.horizon.end_year:
            problems.append((("goals", key, "year"), f"{goal.year} is outside the horizon"))
    return problems
