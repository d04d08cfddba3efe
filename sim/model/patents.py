"""Innovation output: patent filings by firms, grants after a delay, and the exogenous stream of
patents granted to the university (filers in the zone that are not modelled as firms).

A firm's filing rate is its stage's base rate plus the filings its R&D spending pays for
(R&D ratio x revenue, with diminishing returns), times its capability factor and the filing
subsidy's response. Filings are not clocks of the firm's own process: at the start of each year
every placed firm's filings for that year are drawn at its rate then (a Poisson count, dated
uniformly in the year), and each one that will be granted is scheduled (keyed draws: see
``patent_filings``). A filing dated after its firm left the zone is void: it is neither
counted nor granted.
"""

from __future__ import annotations

import math

import numpy as np

from sim.distributions import poisson_quantile
from sim.model import firm as F
from sim.model.firm import Firm
from sim.model.zone import Zone

PLACED = (F.TEAM, F.INCUBATING, F.ENTERPRISE)
# purposes of keyed draws (the first part of their key)
FILE_COUNT, FILE_DATE, FILE_KIND, FILE_GRANT = 31, 32, 33, 34


def filing_rates(zone: Zone, firms: list[Firm], t: float) -> np.ndarray:
    """Patents each firm files per year at time t: its stage's base rate plus the filings its
    R&D spending pays for, times its capability factor and the subsidy's response, capped
    (``firm.filing_rates``)."""
    if not firms:
        return np.zeros(0)
    base = zone.stage_filing_rates
    columns = np.array(
        [(base[firm.stage], firm.rd_ratio * firm.revenue(t), firm.capability) for firm in firms]
    )
    return F.filing_rates(
        columns[:, 0], columns[:, 1], columns[:, 2], zone.scenario.patents, zone.subsidy_multiplier
    )


def patent_filings(zone: Zone):
    """Process: at the start of each year, draw every placed firm's filings of the year.

    The count, date, kind and grant of each filing are keyed draws (by year, firm and filing),
    so that two scenarios run with the same seed keep them matched firm by firm however their
    histories diverge (common random numbers); grant delays come from the patents stream."""
    env = zone.env
    patents = zone.scenario.patents
    stream = zone.streams.patents
    keyed = zone.streams.keyed
    grant = patents.grant_probability
    delay_invention, delay_other = (
        patents.grant_delay_years.invention,
        patents.grant_delay_years.other,
    )
    year = zone.t0
    while year < zone.t_end:
        if year > env.now:
            yield env.timeout(year - env.now)
        now = env.now
        number = int(now)
        firms = zone.firms_in(PLACED)
        span = min(1.0, zone.t_end - now)
        if firms:
            ids = np.array([firm.id for firm in firms], dtype=np.int64)
            u = np.array(keyed.uniforms(keyed.key(FILE_COUNT, number), ids.tolist()))
            counts = poisson_quantile(filing_rates(zone, firms, now) * span, u)
        else:
            counts = np.zeros(0, dtype=np.int64)
        total = int(counts.sum())
        if total:
            filers = np.flatnonzero(counts)
            owners = np.repeat(filers, counts[filers])
            # filing k of a firm: item id * 2**20 + k
            starts = np.repeat(np.cumsum(counts[filers]) - counts[filers], counts[filers])
            items = (ids[owners] << 20) + (np.arange(total) - starts)
            items_list = items.tolist()
            dates = now + span * np.array(keyed.uniforms(keyed.key(FILE_DATE, number), items_list))
            kind_u = np.array(keyed.uniforms(keyed.key(FILE_KIND, number), items_list))
            inventions = kind_u < patents.invention_share_of_filings
            chance = np.where(inventions, grant.invention, grant.other)
            grant_u = np.array(keyed.uniforms(keyed.key(FILE_GRANT, number), items_list))
            granted = np.flatnonzero(grant_u < chance)
            zone.filings.append(([firms[i] for i in filers.tolist()], counts[filers], dates))
            for j in granted.tolist():
                invention = bool(inventions[j])
                filed = float(dates[j])
                at = filed + (delay_invention if invention else delay_other).sample(stream)
                if at < zone.t_end:
                    schedule_grant(zone, firms[owners[j]], invention, at, filed)
        year += 1.0


def schedule_grant(zone: Zone, firm: Firm, invention: bool, at: float, filed: float) -> None:
    """Grant a patent at time ``at`` (inside the horizon) if its firm filed it in the zone."""
    grant = zone.env.timeout(at - zone.env.now)
    grant.callbacks.append(lambda _event: grant_patent(zone, firm, invention, filed))


def prime_patent_pipeline(zone: Zone, firms: list[Firm]) -> None:
    """The initial firms' patents still under examination at the start: filings at each
    firm's current rate over the past (long enough that older ones are all decided), of
    which those granted after the start are scheduled."""
    patents = zone.scenario.patents
    stream = zone.streams.patents
    delays = patents.grant_delay_years
    window = 5 * max(delays.invention.mean, delays.other.mean)
    t0, t_end = zone.t0, zone.t_end
    for firm, rate in zip(firms, filing_rates(zone, firms, t0).tolist(), strict=True):
        if rate <= 0:
            continue
        for _ in range(int(stream.rng.poisson(rate * window))):
            filed = t0 - window * stream.uniform()
            invention = stream.uniform() < patents.invention_share_of_filings
            kind = "invention" if invention else "other"
            if stream.uniform() >= getattr(patents.grant_probability, kind):
                continue
            at = filed + getattr(delays, kind).sample(stream)
            if t0 < at < t_end:
                schedule_grant(zone, firm, invention, at, -math.inf)


def grant_patent(zone: Zone, firm: Firm, invention: bool, filed: float) -> None:
    """A patent is granted: it counts for the zone and for the firm that filed it (void if
    the firm had left the zone before it filed)."""
    if firm.exit_time <= filed:
        return
    tally = zone.tally
    tally.patents_granted_per_year += 1
    if invention:
        tally.invention_patents_granted += 1
        firm.inventions += 1
    else:
        firm.other_patents += 1


def exogenous_patents(zone: Zone):
    """Process: yearly Poisson counts of patents granted outside the model's firms."""
    env = zone.env
    exo = zone.scenario.patents.exogenous
    rng = zone.streams.patents.rng
    log_growth = math.log1p(exo.growth_per_year)
    year = int(zone.t0)
    while year + 1 <= zone.t_end:
        mid = year + 0.5
        if mid > env.now:
            yield env.timeout(mid - env.now)
        mean = exo.grants_per_year * math.exp(log_growth * (mid - zone.t0))
        count = int(rng.poisson(mean))
        inventions = int(rng.binomial(count, exo.invention_share))
        zone.tally.patents_granted_per_year += count
        zone.tally.invention_patents_granted += inventions
        year += 1
