"""Arrivals: teams and startups arriving by origin as non-homogeneous Poisson streams."""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate

from sim.model.firm import Firm
from sim.model.lifecycle import draw_traits, firm_life, start_revenue
from sim.model.zone import Zone
from sim.scenario.schema import Origin
from sim.streams import Stream

LEADING_TEAM = 91  # purpose of the keyed draw of a high-level team's level


class SectorSampler:
    """Draws a sector from relative weights with one uniform."""

    __slots__ = ("names", "cumulative")

    def __init__(self, weights: dict[str, float]) -> None:
        self.names = list(weights)
        total = sum(weights.values())
        self.cumulative = [w / total for w in accumulate(weights.values())]

    def sample(self, stream: Stream) -> str:
        index = bisect_right(self.cumulative, stream.uniform())
        return self.names[min(index, len(self.names) - 1)]


def next_arrival(now: float, t0: float, rate: float, log_growth: float, e: float) -> float:
    """Next arrival time after ``now`` of a Poisson process with rate
    ``rate * exp(log_growth * (t - t0))``, by inverting its cumulative intensity with the
    standard exponential draw ``e``; ``inf`` when the remaining intensity is finite and spent."""
    if rate <= 0:
        return math.inf
    if abs(log_growth) < 1e-12:
        return now + e / rate
    level = math.exp(log_growth * (now - t0)) + e * log_growth / rate
    if level <= 0:
        return math.inf
    return t0 + math.log(level) / log_growth


def arrivals(zone: Zone, key: str, origin: Origin):
    """Process: the arrivals of one origin over the horizon."""
    env = zone.env
    stream = zone.streams.arrivals
    start = max(zone.t0, origin.active_from if origin.active_from is not None else -math.inf)
    end = min(zone.t_end, origin.active_until if origin.active_until is not None else math.inf)
    if end <= start or origin.rate_per_year <= 0:
        return
    sectors = SectorSampler(origin.sectors)
    log_growth = math.log1p(origin.growth_per_year)
    is_team = origin.kind == "team"
    if start > env.now:
        yield env.timeout(start - env.now)
    while True:
        t = next_arrival(env.now, zone.t0, origin.rate_per_year, log_growth, stream.exponential())
        if t >= end:
            return
        yield env.timeout(t - env.now)
        firm = Firm(
            id=zone.new_id(),
            origin=key,
            sector=sectors.sample(stream),
            capability=min(1.0, max(0.0, origin.capability.sample(stream))),
            arrived=t,
            registered=math.inf,
            high_level_team=origin.high_level_team,
        )
        if not is_team:  # a team draws its traits when it incorporates
            draw_traits(zone, firm, stream)
            firm.registered = t - max(0.0, origin.founded_years_before_arrival.sample(stream))
            start_revenue(zone, firm, stream)
        zone.tally.arrivals += 1
        if origin.high_level_team:
            welcome_high_level_team(zone, firm, origin.leading_share)
        firm.process = env.process(firm_life(zone, firm, is_team, origin.preferred_carriers))


def welcome_high_level_team(zone: Zone, firm: Firm, leading_share: float = 0.0) -> None:
    """Count a high-level team (and, with chance ``leading_share``, a leading-level one: a
    keyed draw by the firm, so no other draw moves) and pay its talent reward if the pool
    can."""
    tally = zone.tally
    tally.high_level_teams += 1
    tally.high_level_team_arrivals += 1
    if leading_share > 0.0:
        keyed = zone.streams.keyed
        if keyed.uniform(keyed.key(LEADING_TEAM), firm.id) < leading_share:
            tally.leading_teams_introduced += 1
    rewards = zone.scenario.funding.talent_rewards
    if rewards.award_per_team_yuan > 0 and zone.pools[rewards.pool].pay(
        rewards.award_per_team_yuan
    ):
        tally.talent_rewards_yuan += rewards.award_per_team_yuan
        zone.fund(firm, "talent", rewards.award_per_team_yuan)
