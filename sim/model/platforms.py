"""Platforms: counts of R&D platforms the province approves in the zone, as birth–death counts.

Three kinds are modelled (scenario section ``platforms``, docs/model.md 7.18):

- ``tech_centers``: provincial enterprise technology centres and engineering (technology)
  research centres. New centres are approved once a year, a Poisson count whose mean is a
  constant part (the university and the institutes) plus a part per national high-tech
  enterprise (HTE) in the zone then (mature firms host them); each existing centre is revoked in
  a year with a fixed probability. The goal's municipal centres are a stated multiple of the
  provincial ones.
- ``academician_workstations``: the same process with a constant rate of new workstations.
- ``postdoc_workstations`` (optional): the same process; its counts are assumptions (no source
  gives the zone's).
- ``incubators`` and ``maker_spaces`` (optional): incubation carriers recognised at provincial
  level or above inside the zone's carriers. The mean of new recognitions adds a part per
  carrier open at the round, and the count is capped at ``max_per_carrier`` per open carrier
  (a recognised incubator or maker space needs premises in one of them).

Every random number is a keyed draw (``Streams.keyed``) under this module's own purposes, so the
platform rounds draw nothing from the streams of the other processes and change none of their
results; they only read the HTE count and the number of open carriers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.distributions import poisson_quantile
from sim.model.rounds import yearly

if TYPE_CHECKING:
    from sim.model.zone import Zone
    from sim.scenario.schema import PlatformCount, Platforms
    from sim.streams import KeyedStream

# purposes of keyed draws (the first part of their key); distinct from the other modules'
PLATFORM_BIRTHS, PLATFORM_CLOSURES = 71, 72
#: kinds of platform, with the code that keys their draws
KINDS: dict[str, int] = {
    "tech_centers": 1,
    "academician_workstations": 2,
    "postdoc_workstations": 3,
    "incubators": 4,
    "maker_spaces": 5,
}


class PlatformStock:
    """The platforms of one kind now in the zone: each has an id (initial ones 1..n), so that
    its yearly closure draw is keyed by the platform, not by its place in a list."""

    __slots__ = ("code", "ids", "next_id", "births", "closures", "births_this_year")

    def __init__(self, code: int, initial: int) -> None:
        self.code = code
        self.ids: list[int] = list(range(1, initial + 1))
        self.next_id = initial + 1
        self.births = 0  # run totals
        self.closures = 0
        self.births_this_year = 0  # of the latest round (its year's flow)

    @property
    def count(self) -> int:
        return len(self.ids)

    def step(
        self,
        keyed: KeyedStream,
        year: int,
        births_mean: float,
        closure: float,
        cap: int | None = None,
    ) -> None:
        """One yearly round: each platform now open closes with probability ``closure``, then
        a Poisson(``births_mean``) count of new ones opens, no more than bring the count to
        ``cap`` (when given)."""
        if closure > 0.0 and self.ids:
            draws = keyed.uniforms(keyed.key(PLATFORM_CLOSURES, self.code, year), self.ids)
            kept = [pid for pid, u in zip(self.ids, draws, strict=True) if u >= closure]
            self.closures += len(self.ids) - len(kept)
            self.ids = kept
        u = keyed.uniform(keyed.key(PLATFORM_BIRTHS, self.code, year), 0)
        born = int(poisson_quantile(np.array([births_mean]), np.array([u]))[0])
        if cap is not None:
            born = max(0, min(born, cap - len(self.ids)))
        self.births_this_year = born
        self.ids.extend(range(self.next_id, self.next_id + born))
        self.next_id += born
        self.births += born


def stocks(platforms: Platforms | None) -> dict[str, PlatformStock]:
    """The initial stocks of a scenario's platforms (none if the scenario has no section)."""
    if platforms is None:
        return {}
    return {
        kind: PlatformStock(code, getattr(platforms, kind).initial)
        for kind, code in KINDS.items()
        if getattr(platforms, kind) is not None  # an optional kind left out
    }


def births_mean(params: PlatformCount, national_hte: int, open_carriers: int = 0) -> float:
    """Expected new platforms in a year: ``births_per_year + births_per_hte_per_year · HTE +
    births_per_carrier_per_year · open carriers``."""
    return (
        params.births_per_year
        + params.births_per_hte_per_year * national_hte
        + params.births_per_carrier_per_year * open_carriers
    )


def cap_of(params: PlatformCount, open_carriers: int) -> int | None:
    """The most platforms of a kind the open carriers can hold (None: no cap)."""
    if params.max_per_carrier is None:
        return None
    return math.floor(params.max_per_carrier * open_carriers + 1e-9)


def platform_round(zone: Zone, year: int) -> None:
    """The province's yearly approvals and revocations of every kind of platform."""
    platforms = zone.scenario.platforms
    assert platforms is not None
    keyed = zone.streams.keyed
    hte = zone.tally.national_hte
    carriers = zone.carriers.open_count
    for kind, stock in zone.platforms.items():
        params: PlatformCount = getattr(platforms, kind)
        stock.step(
            keyed,
            year,
            births_mean(params, hte, carriers),
            params.closure_probability_per_year,
            cap_of(params, carriers),
        )


def platform_rounds(zone: Zone):
    """Process: a platform round at ``year + platforms.in_year`` every simulated year."""
    platforms = zone.scenario.platforms
    assert platforms is not None
    return yearly(
        zone.env, zone.t0, zone.t_end, platforms.in_year, lambda year: platform_round(zone, year)
    )


def platform_rows(zone: Zone, with_flows: bool = False) -> dict[str, float]:
    """The platform indicators now (for the yearly snapshot); none without a platforms section.
    With ``with_flows`` (every year but the start), also the approvals and recognitions of the
    year's round."""
    platforms = zone.scenario.platforms
    if platforms is None or not zone.platforms:
        return {}
    stocks_ = zone.platforms
    provincial = stocks_["tech_centers"].count
    rows = {
        "tech_centers": provincial * (1.0 + platforms.tech_centers.municipal_per_provincial),
        "tech_centers_provincial": provincial,
        "academician_workstations": stocks_["academician_workstations"].count,
    }
    if "postdoc_workstations" in stocks_:
        rows["postdoc_workstations"] = stocks_["postdoc_workstations"].count
    recognised = [kind for kind in RECOGNISED if kind in stocks_]
    for kind in recognised:
        rows[RECOGNISED[kind][0]] = stocks_[kind].count
    if len(recognised) == len(RECOGNISED):  # the sum only when every kind is modelled
        rows["incubation_carriers_provincial"] = sum(stocks_[k].count for k in recognised)
    if with_flows:
        rows["tech_center_approvals"] = stocks_["tech_centers"].births_this_year
        for kind in recognised:
            rows[RECOGNISED[kind][1]] = stocks_[kind].births_this_year
    return rows


#: Recognised incubation carriers: kind -> (stock indicator, yearly flow indicator).
RECOGNISED = {
    "incubators": ("incubators_provincial", "incubator_recognitions"),
    "maker_spaces": ("maker_spaces_provincial", "maker_space_recognitions"),
}
