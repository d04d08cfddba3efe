"""Funding: budget tranches, yearly grant calls, tech loans and equity rounds.

Grants are paid from pools that dated tranches fill; an award is paid only when the pool covers
it in full. Tech loans arrive as a Poisson stream whose rate grows with the number of partner
capital institutions. Equity rounds are one of a firm's own clocks (see ``lifecycle``).
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right

from sim.model import firm as F
from sim.model.firm import Firm
from sim.model.rounds import yearly
from sim.model.zone import Zone
from sim.scenario.schema import GrantProgram, Loans, Pool

GRANT_APPLY, GRANT_RANK = 11, 12  # purposes of keyed draws
STAGE_CODES = {"team": F.TEAM, "incubating": F.INCUBATING, "enterprise": F.ENTERPRISE}


def stage_codes(names: list[str]) -> tuple[int, ...]:
    return tuple(STAGE_CODES[name] for name in names)


def tranche_schedule(pool: Pool, t0: float, t_end: float) -> list[tuple[float, float]]:
    """(date, yuan) of every payment into a pool inside [t0, t_end), in date order."""
    payments = [(t.date, t.amount_yuan) for t in pool.tranches]
    yearly = pool.yearly
    if yearly is not None:
        for year in range(yearly.first_year, yearly.last_year + 1):
            amount = yearly.amount_yuan * (1 + yearly.growth_per_year) ** (year - yearly.first_year)
            payments.append((year + yearly.in_year, amount))
    return sorted(p for p in payments if t0 <= p[0] < t_end)


def tranches(zone: Zone, key: str, pool: Pool):
    """Process: pay a pool's tranches into it on their dates."""
    env = zone.env
    for date, amount in tranche_schedule(pool, zone.t0, zone.t_end):
        if date > env.now:
            yield env.timeout(date - env.now)
        zone.pools[key].deposit(amount)
        zone.tally.tranches_received_yuan += amount


def grant_calls(zone: Zone, key: str, program: GrantProgram):
    """Process: a yearly call; applicants ranked by capability (with noise) are paid in turn
    while the pool covers their award."""
    env = zone.env
    stream = zone.streams.funding
    keyed = zone.streams.keyed  # applications keyed by (programme, firm, year)
    code = zlib.crc32(key.encode())
    pool = zone.pools[program.pool]
    eligible = stage_codes(program.eligible)
    tally = zone.tally
    tally.grants_by_program.setdefault(key, 0.0)

    def call(year: int) -> None:
        keyed_year = year + 1  # applications are keyed by the year after the call's
        apply_key = keyed.key(GRANT_APPLY, code, keyed_year)
        rank_key = keyed.key(GRANT_RANK, code, keyed_year)
        firms = zone.firms_in(eligible)
        draws = keyed.uniforms(apply_key, [firm.id for firm in firms])
        applicants = [
            (
                firm.capability + program.ranking_noise_sd * keyed.normal(rank_key, firm.id),
                firm.id,
                firm,
            )
            for firm, u in zip(firms, draws, strict=True)
            if u < program.apply_probability
        ]
        applicants.sort(key=lambda a: (-a[0], a[1]))
        for _, _, firm in applicants:
            if pool.balance <= 0:
                break
            award = program.award_yuan.sample(stream)
            if pool.pay(award):
                tally.grants_paid_yuan += award
                tally.grants_by_program[key] += award
                zone.fund(firm, "grant", award)

    yield from yearly(env, zone.t0, zone.t_end, program.in_year, call)


def institutions_at(loans: Loans, t: float) -> float:
    """Partner capital institutions at time t (linear between the given points)."""
    points = loans.institutions
    dates = [p.date for p in points]
    i = bisect_right(dates, t)
    if i == 0:
        return float(points[0].count)
    if i == len(points):
        return float(points[-1].count)
    a, b = points[i - 1], points[i]
    return a.count + (b.count - a.count) * (t - a.date) / (b.date - a.date)


def tech_loans(zone: Zone):
    """Process: tech loans as a Poisson stream of rate per-institution rate x institutions(t)
    (by thinning), each to an eligible firm chosen at random."""
    env = zone.env
    loans = zone.scenario.funding.loans
    stream = zone.streams.funding
    eligible = stage_codes(loans.eligible)
    peak = loans.loans_per_institution_per_year * max(p.count for p in loans.institutions)
    if peak <= 0:
        return
    while True:
        t = env.now + stream.exponential() / peak
        if t >= zone.t_end:
            return
        yield env.timeout(t - env.now)
        rate = loans.loans_per_institution_per_year * institutions_at(loans, env.now)
        if stream.uniform() * peak >= rate:
            continue
        count = zone.count_in(eligible)  # len(zone.firms_in(eligible)), without the list
        if not count:
            continue
        firm = zone.nth_in(eligible, min(count - 1, math.floor(stream.uniform() * count)))
        amount = loans.amount_yuan.sample(stream)
        zone.tally.loans_yuan += amount
        zone.fund(firm, "loan", amount)


def equity_round(zone: Zone, firm: Firm) -> None:
    """A firm closes an equity round (called from the firm's own process)."""
    amount = zone.scenario.funding.equity.amount_yuan.sample(zone.streams.funding)
    zone.tally.equity_yuan += amount
    zone.fund(firm, "equity", amount)
