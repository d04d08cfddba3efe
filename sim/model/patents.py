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
    if stream.uniform() >= patents.grant_probability[kind]:
        return
    delay = getattr(patents.grant_delay_years, kind).sample(stream)
    if zone.env.now + delay >= zone.t_end:
        return
    grant = zone.env.timeout(delay)
    grant.callbacks.append(lambda _event: grant_patent(zone, firm, invention))


def grant_patent(zone: Zone, firm: Firm, invention: bool) -> None:
    """A patent is granted: it counts for the zone and, if the firm lives on, for the firm."""
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
