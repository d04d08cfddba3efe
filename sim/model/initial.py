"""The initial state: the zone as the sources report it in the start year.

Counts are exact in every replication (teams and firms per carrier, enterprise base, national
HTEs, tech-based SMEs, high-level teams); attributes are drawn from the scenario's
distributions. The certified startups a carrier is given (``hte_firms``, ``tech_sme_firms``)
hold their status from the start; the other HTE certificates go to the most capable
enterprises, and every HTE is made to meet the criteria it was certified on; the other
tech-SME statuses go to the registered firms scoring highest on the SME rule.
"""

from __future__ import annotations

import math

from sim.distributions import Distribution
from sim.model import firm as F
from sim.model.arrivals import SectorSampler
from sim.model.certification import (
    hte_eligible,
    hte_required_rd_ratio,
    schedule_hte_expiry,
    sme_qualifies,
    sme_score,
)
from sim.model.firm import Firm
from sim.model.lifecycle import draw_mature_size, draw_traits, set_base_growth, start_revenue
from sim.model.patents import prime_patent_pipeline
from sim.model.zone import Zone

#: Purpose of the keyed draws of the certificate ends of HTEs placed in carriers (distinct from
#: the other modules' purposes; the start-year state draws nothing else keyed).
PLACED_HTE_END = 81


def populate(zone: Zone) -> list[Firm]:
    """Create the initial teams and firms and register them; returns them in id order."""
    sc = zone.scenario
    init = sc.initial_state
    stream = zone.streams.initial
    t0 = zone.t0
    sectors = SectorSampler(init.sectors)
    firms: list[Firm] = []
    groups = init.capability_by_group
    placed_hte: list[Firm] = []
    placed_smes: list[Firm] = []

    def new_firm(capability: Distribution | None) -> Firm:
        capability = capability or init.capability
        firm = Firm(
            id=zone.new_id(),
            origin="initial",
            sector=sectors.sample(stream),
            capability=min(1.0, max(0.0, capability.sample(stream))),
            arrived=t0,
            registered=math.inf,
            initial=True,
        )
        draw_traits(zone, firm, stream)
        firms.append(firm)
        zone.register(firm)
        return firm

    for key, occupants in init.carriers.items():
        state = zone.carriers.by_id[key]
        for is_team, count in ((True, occupants.teams), (False, occupants.firms)):
            for i in range(count):
                # a carrier's certified startups come first (the HTEs among them first)
                certified = not is_team and i < occupants.certified_firms
                firm = new_firm(groups.certified_in_carriers if certified else groups.incubated)
                if certified and i < occupants.hte_firms:
                    placed_hte.append(firm)
                if certified and i < occupants.tech_sme_firms:
                    placed_smes.append(firm)
                firm.first_carrier = key
                firm.admitted = t0
                if is_team:
                    area = sc.firms.area_m2.team.sample(stream)
                    stay = sc.maker_space.stay_years.sample(stream)
                else:
                    age = max(0.0, init.firm_age_years.sample(stream))
                    if certified and i < occupants.hte_firms:
                        # an HTE meets the registration age it was certified on
                        age = max(age, sc.certification.hte.min_registered_years)
                    firm.registered = t0 - age
                    start_revenue(zone, firm, stream)
                    area = sc.firms.area_m2.startup.sample(stream)
                    stay_dist = sc.incubation.max_stay_years_by_sector.get(
                        firm.sector, sc.incubation.max_stay_years
                    )
                    stay = stay_dist.sample(stream)
                # the initial counts are exact: a firm that no longer fits takes what is left
                zone.carriers.occupy(state, firm, is_team, max(0.0, min(area, state.free_m2)))
                deadline = t0 + stay * stream.uniform()
                zone.enter_stage(firm, F.TEAM if is_team else F.INCUBATING, deadline)

    base: list[Firm] = []
    for _ in range(init.enterprise_base_firms):
        firm = new_firm(groups.enterprise_base)
        firm.registered = t0 - max(0.0, init.enterprise_age_years.sample(stream))
        set_base_growth(zone, firm)
        firm.revenue_ref = init.enterprise_revenue_yuan_per_year.sample(stream)
        firm.revenue_t = t0
        # an incumbent's mature size is at least its revenue: it grows towards the larger of
        # the two, and not at all if its revenue is already above the size drawn for it
        firm.mature_yuan = max(firm.revenue_ref, draw_mature_size(zone, firm, stream))
        firm.inventions = round(max(0.0, init.enterprise_invention_patents.sample(stream)))
        firm.other_patents = round(max(0.0, init.enterprise_other_patents.sample(stream)))
        zone.enter_stage(firm, F.ENTERPRISE)
        base.append(firm)

    certify_initial_hte(zone, base, init.national_hte - len(placed_hte))
    place_initial_hte(zone, placed_hte)
    zone.tally.national_hte = init.national_hte
    prime_patent_pipeline(zone, firms)
    placed = {firm.id for firm in placed_smes}
    registered = [
        f for f in firms if f.stage in (F.INCUBATING, F.ENTERPRISE) and f.id not in placed
    ]
    certify_initial_smes(zone, registered, init.tech_smes - len(placed_smes))
    hold_initial_sme(zone, placed_smes)
    zone.tally.tech_smes = init.tech_smes
    zone.tally.high_level_teams = init.high_level_teams
    return firms


def certify_initial_hte(zone: Zone, base: list[Firm], count: int) -> None:
    """HTE certificates for the ``count`` most capable enterprises, ending evenly over one
    validity period from the first review round (so every holder can apply to renew);
    holders meet the criteria they were certified on, and the others do not meet them all."""
    rules = zone.scenario.certification.hte
    init = zone.scenario.initial_state
    stream = zone.streams.initial
    t0 = zone.t0
    first_round = first_hte_round(zone)
    ranked = sorted(base, key=lambda f: (-f.capability, f.id))
    for firm in ranked[count:]:
        # the 2018 count is the zone's state: an incumbent meeting every criterion then would
        # have been certified, so an uncertified one that would have met them falls short on
        # R&D spending (the criterion firms most often miss, and coaching most often fixes)
        if hte_eligible(firm, t0, rules):
            required = hte_required_rd_ratio(rules, firm.revenue(t0))
            firm.rd_ratio = required * init.uncertified_rd_fraction.sample(stream)
    for firm in ranked[:count]:
        hold_hte(zone, firm, first_round + rules.valid_years * stream.uniform())
    zone.tally.national_hte = count


def place_initial_hte(zone: Zone, firms: list[Firm]) -> None:
    """HTE certificates for the startups placed certified in carriers, as the enterprise
    base's holders get them (made to meet the criteria; ends uniform over one validity period
    from the first review round), the ends drawn keyed by firm id under their own purpose."""
    if not firms:
        return
    rules = zone.scenario.certification.hte
    keyed = zone.streams.keyed
    key = keyed.key(PLACED_HTE_END)
    first_round = first_hte_round(zone)
    for firm in firms:
        hold_hte(zone, firm, first_round + rules.valid_years * keyed.uniform(key, firm.id))


def first_hte_round(zone: Zone) -> float:
    """The first HTE review round at or after ``t0`` (clock time)."""
    first_round = math.floor(zone.t0) + min(zone.scenario.certification.hte.review_rounds_in_year)
    if first_round < zone.t0:
        first_round += 1.0
    return first_round


def hold_hte(zone: Zone, firm: Firm, until: float) -> None:
    """Make ``firm`` an HTE certified before the start whose certificate ends at ``until``: it
    meets the hard criteria it was certified on (core IP, R&D ratio for its revenue at ``t0``,
    high-tech revenue and S&T staff shares); registration age and the score are not checked."""
    rules = zone.scenario.certification.hte
    t0 = zone.t0
    if (
        firm.inventions < rules.min_invention_patents
        and firm.other_patents < rules.min_other_patents
    ):
        if rules.min_invention_patents > 0:
            firm.inventions = rules.min_invention_patents
        else:
            firm.other_patents = rules.min_other_patents
    firm.rd_ratio = max(firm.rd_ratio, hte_required_rd_ratio(rules, firm.revenue(t0)))
    firm.hightech_revenue_share = max(firm.hightech_revenue_share, rules.min_hightech_revenue_share)
    firm.st_staff_share = max(firm.st_staff_share, rules.min_st_staff_share)
    firm.hte_until = until
    firm.hte_first = -math.inf  # certified before the start
    schedule_hte_expiry(zone, firm)


def first_sme_evaluation(zone: Zone) -> float:
    """The first tech-SME evaluation at or after ``t0`` (clock time)."""
    first_evaluation = math.floor(zone.t0) + zone.scenario.certification.tech_sme.evaluation_in_year
    if first_evaluation < zone.t0:
        first_evaluation += 1.0
    return first_evaluation


def hold_initial_sme(zone: Zone, firms: list[Firm]) -> None:
    """Tech-SME status, valid until the first evaluation, for the startups placed as tech SMEs
    in carriers (held before the start, whatever their score)."""
    until = first_sme_evaluation(zone)
    for firm in firms:
        firm.sme_until = until
        firm.sme_first = -math.inf


def certify_initial_smes(zone: Zone, registered: list[Firm], count: int) -> None:
    """Tech-SME status, valid until the first evaluation, for the ``count`` registered firms
    that best meet the SME rule (qualifying firms first, then by score)."""
    rules = zone.scenario.certification.tech_sme
    t0 = zone.t0
    first_evaluation = first_sme_evaluation(zone)

    def rank(firm: Firm) -> tuple[bool, float, int]:
        return (not sme_qualifies(firm, t0, rules, zone), -sme_score(firm, rules, t0), firm.id)

    for firm in sorted(registered, key=rank)[:count]:
        firm.sme_until = first_evaluation
        firm.sme_first = -math.inf  # status held before the start
    zone.tally.tech_smes = count
