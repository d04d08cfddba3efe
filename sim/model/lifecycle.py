"""A firm's life: placement in a carrier, its stage in a maker space or incubator, graduation
into the enterprise base, and failure.

While placed, a firm faces competing exponential clocks (failure, relocation, equity round,
acquisition) whose rates depend on its stage, capability and funding, plus one deterministic
deadline (end of the maker-space stay or the maximum incubation time). The process sleeps until
the earliest of these; when another process changes the firm (a grant, a certificate, a
graduation review) it interrupts the sleep and the clocks are redrawn, which is exact because
exponential clocks are memoryless.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import simpy

from sim.model import firm as F
from sim.model.firm import Firm
from sim.model.funding import equity_round
from sim.model.rounds import yearly
from sim.model.zone import Zone
from sim.streams import Stream

GRADUATE = 21  # purpose of the keyed draws of graduation take-up


def draw_traits(zone: Zone, firm: Firm, stream: Stream) -> None:
    """Traits the certification rules look at, drawn once: on arrival for a startup, on
    incorporation for an arriving maker team (the initial firms and teams at the start)."""
    traits = zone.scenario.firms.traits
    firm.rd_ratio = min(1.0, max(0.0, traits.rd_ratio.sample(stream)))
    firm.st_staff_share = min(1.0, max(0.0, traits.st_staff_share.sample(stream)))
    firm.hightech_revenue_share = min(1.0, max(0.0, traits.hightech_revenue_share.sample(stream)))
    copyrights = zone.scenario.certification.hte.software_copyrights_per_year
    firm.copyrights_per_year = copyrights.get(firm.sector, 0.0)


def set_base_growth(zone: Zone, firm: Firm) -> None:
    """Revenue growth rate from capability (funding adds its boost on top)."""
    revenue = zone.scenario.firms.revenue
    firm.base_growth = revenue.growth_per_year + revenue.growth_per_capability * firm.capability


def start_revenue(zone: Zone, firm: Firm, stream: Stream) -> None:
    """Give a newly registered firm its revenue path (starting at its registration) and its
    mature size."""
    set_base_growth(zone, firm)
    revenue = zone.scenario.firms.revenue
    firm.revenue_ref = revenue.initial_yuan_per_year.sample(stream)
    firm.revenue_t = firm.registered
    # a firm's mature size is at least where it starts: a path never turns down
    firm.mature_yuan = max(firm.revenue_ref, draw_mature_size(zone, firm, stream))


def draw_mature_size(zone: Zone, firm: Firm, stream: Stream) -> float:
    """A firm's mature size (the ceiling of its logistic revenue path), by its capability."""
    revenue = zone.scenario.firms.revenue
    scale = math.exp(max(-50.0, min(50.0, revenue.mature_per_capability * (firm.capability - 0.5))))
    return max(1.0, revenue.mature_yuan_per_year.sample(stream) * scale)


def firm_life(zone: Zone, firm: Firm, is_team: bool, preferred: list[str]):
    """Process: a newcomer seeks a place, then lives in the zone until it leaves or the run ends."""
    placed = yield from place(zone, firm, is_team, preferred)
    if placed:
        yield from live(zone, firm, preferred)


def place(
    zone: Zone, firm: Firm, is_team: bool, preferred: list[str]
) -> Generator[simpy.Event, object, bool]:
    """Admit a firm to a carrier, waiting up to its patience; False if it leaves the zone."""
    env = zone.env
    sc = zone.scenario
    stream = zone.streams.admission
    tally = zone.tally
    newcomer = firm.id not in zone.alive
    if not is_team and env.now - firm.registered > sc.incubation.max_founding_age_years:
        tally.ineligible += 1
        _turn_away(zone, firm, "ineligible", newcomer)
        return False
    firm.admission_u = stream.uniform()
    area_m2 = (sc.firms.area_m2.team if is_team else sc.firms.area_m2.startup).sample(stream)
    carriers = zone.carriers
    state = carriers.find(
        firm, is_team, area_m2, preferred, stream.uniform(), sc.incubation.placement_sector_weight
    )
    if state is not None:
        carriers.occupy(state, firm, is_team, area_m2)
    else:
        patience = sc.firms.patience_years.sample(stream)
        if patience > 0:
            zone.set_stage(firm, F.WAITING)
            admitted = carriers.wait(firm, is_team, area_m2, preferred)
            yield admitted | env.timeout(patience)
            if admitted.triggered:
                state = admitted.value
            else:
                carriers.leave_waiting(firm)
        if state is None:
            tally.turned_away += 1
            _turn_away(zone, firm, F.TURNED_AWAY, newcomer)
            return False
    tally.admitted += 1
    zone.register(firm)
    if not firm.first_carrier:
        firm.first_carrier = state.id
        firm.admitted = env.now
    if is_team:
        zone.enter_stage(firm, F.TEAM, env.now + sc.maker_space.stay_years.sample(stream))
    else:
        stay = sc.incubation.max_stay_years_by_sector.get(firm.sector, sc.incubation.max_stay_years)
        zone.enter_stage(firm, F.INCUBATING, env.now + stay.sample(stream))
    return True


def _turn_away(zone: Zone, firm: Firm, exit_kind: str, newcomer: bool) -> None:
    if newcomer:
        zone.gone_arrivals += 1
        zone.set_stage(firm, F.GONE)
        firm.exit = exit_kind
        firm.exit_time = zone.env.now
        if zone.keep_firm_records:
            zone.firm_log.append(firm)
    else:
        zone.remove(firm, exit_kind)


def live(zone: Zone, firm: Firm, preferred: list[str]):
    """Run a placed firm's competing clocks until it leaves the zone or the horizon ends."""
    env = zone.env
    timeout = env.timeout
    stream = zone.streams.lifecycle
    exponential = stream.exponential
    t_end = zone.t_end
    gone = F.GONE
    while firm.stage != gone:
        total = firm.hazard + firm.relocation_rate + firm.equity_rate + firm.acquisition_rate
        now = env.now
        wake = now + exponential() / total if total > 0 else math.inf
        deadline = firm.stage_deadline
        at = wake if wake < deadline else deadline
        try:
            # past the horizon, sleep to its end anyway: a grant or certificate may still
            # change the firm and wake it (min(at, t_end), as min picks it)
            yield timeout((t_end if t_end < at else at) - now)
        except simpy.Interrupt:
            continue
        if at >= t_end:
            return
        if at == deadline:
            if firm.stage == F.TEAM:
                yield from end_of_maker_stay(zone, firm, preferred)
            elif firm.stage == F.INCUBATING:
                zone.leave_carrier(firm, F.LEFT_MAX_STAY)
                if stream.uniform() >= zone.scenario.incubation.stay_in_zone_after_max_stay:
                    zone.remove(firm, F.RELOCATED)
                    return
            continue
        u = stream.uniform() * total
        if u < firm.hazard:
            zone.remove(firm, F.DISSOLVED if firm.stage == F.TEAM else F.FAILED)
            return
        u -= firm.hazard
        if u < firm.relocation_rate:
            zone.remove(firm, F.RELOCATED)
            return
        u -= firm.relocation_rate
        if u < firm.equity_rate:
            equity_round(zone, firm)
        elif firm.stage == F.INCUBATING:
            zone.leave_carrier(firm, F.GRADUATED_ACQUIRED)


def end_of_maker_stay(zone: Zone, firm: Firm, preferred: list[str]):
    """A maker team incorporates and seeks incubation, or dissolves."""
    maker = zone.scenario.maker_space
    stream = zone.streams.lifecycle
    chance = maker.incorporation_probability + maker.incorporation_per_capability * firm.capability
    if stream.uniform() >= min(1.0, max(0.0, chance)):
        zone.remove(firm, F.DISSOLVED)
        return
    zone.carriers.release(firm, is_team=True)
    now = zone.env.now
    firm.registered = firm.incorporated = now
    if not firm.initial:
        draw_traits(zone, firm, stream)  # an arriving team's traits, drawn on incorporation
    start_revenue(zone, firm, stream)
    if firm.growth_boost:
        firm.set_growth_boost(now, firm.growth_boost)
    zone.tally.incorporations += 1
    zone.set_stage(firm, F.WAITING)
    yield from place(zone, firm, False, preferred)


def graduation_reviews(zone: Zone):
    """Process: once a year carriers graduate the incubated firms that meet a graduation
    criterion: revenue over the last two years above the threshold, equity raised in all above
    its threshold (where the scenario has one), or certified as a national HTE (where the
    scenario says so)."""
    env = zone.env
    inc = zone.scenario.incubation
    keyed = zone.streams.keyed  # take-up keyed by (firm, year): common random numbers

    def review(year: int) -> None:
        now = env.now
        threshold = inc.graduation_revenue_two_years_yuan
        equity_threshold = inc.graduation_equity_yuan
        key = keyed.key(GRADUATE, year + 1)  # keyed by the year after the review's
        for firm in zone.firms_in((F.INCUBATING,)):
            if (
                # a growing firm earned at most twice its rate now: a quick bound first
                (2.0 * firm.revenue(now) > threshold or firm.growth < 0.0)
                and firm.revenue_over(now, 2.0) > threshold
            ):
                exit_kind, take_up = F.GRADUATED_REVENUE, inc.graduation_take_up
            elif (
                equity_threshold is not None
                and firm.funding_yuan.get("equity", 0.0) > equity_threshold
            ):
                exit_kind, take_up = F.GRADUATED_INVESTMENT, inc.graduation_take_up
            elif inc.graduate_on_hte and firm.hte(now):
                exit_kind, take_up = F.GRADUATED_HTE, inc.hte_graduation_take_up
            else:
                continue
            if take_up < 1.0 and keyed.uniform(key, firm.id) >= take_up:
                continue
            zone.leave_carrier(firm, exit_kind)
            zone.wake(firm)

    yield from yearly(env, zone.t0, zone.t_end, inc.review_in_year, review)
