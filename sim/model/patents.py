"""Innovation output: patent filings by firms, grants after a delay, and the exogenous stream of
patents granted to the university and incumbent enterprises."""

from __future__ import annotations

import math

from sim.model.firm import Firm
from sim.model.zone import Zone


def file_patent(zone: Zone, firm: Firm) -> None:
    """A firm files a patent; if it will be granted, the grant is scheduled after its delay."""
    patents = zone.scenario.patents
    stream = zone.streams.patents
    zone.tally.patents_filed += 1
    invention = stream.uniform() < patents.invention_share_of_filings
    kind = "invention" if invention else "other"
    if stream.uniform() >= getattr(patents.grant_probability, kind):
        return
    at = zone.env.now + getattr(patents.grant_delay_years, kind).sample(stream)
    if at < zone.t_end:
        schedule_grant(zone, firm, invention, at)


def schedule_grant(zone: Zone, firm: Firm, invention: bool, at: float) -> None:
    """Grant a patent at time ``at`` (inside the horizon)."""
    grant = zone.env.timeout(at - zone.env.now)
    grant.callbacks.append(lambda _event: grant_patent(zone, firm, invention))


def prime_patent_pipeline(zone: Zone, firms: list[Firm]) -> None:
    """The initial firms' patents still under examination at the start: filings at each
    firm's current rate over the past (long enough that older ones are all decided), of
    which those granted after the start are scheduled."""
    patents = zone.scenario.patents
    stream = zone.streams.patents
    delays = patents.grant_delay_years
    window = 5 * max(delays.invention.mean, delays.other.mean)
    t0, t_end = zone.t0, zone.t_end
    for firm in firms:
        if firm.filing_rate <= 0:
            continue
        for _ in range(int(stream.rng.poisson(firm.filing_rate * window))):
            filed = t0 - window * stream.uniform()
            invention = stream.uniform() < patents.invention_share_of_filings
            kind = "invention" if invention else "other"
            if stream.uniform() >= getattr(patents.grant_probability, kind):
                continue
            at = filed + getattr(delays, kind).sample(stream)
            if t0 < at < t_end:
                schedule_grant(zone, firm, invention, at)


def grant_patent(zone: Zone, firm: Firm, invention: bool) -> None:
    """A patent is granted: it counts for the zone and for the firm that filed it."""
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
