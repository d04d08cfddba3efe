"""Counters updated where events happen, and the yearly snapshot of the zone's indicators.

A snapshot labelled year Y is taken at the end of year Y (clock time Y + 1): stocks as they are
then, flows summed over the year. The first snapshot is the initial state (stocks only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.economy import economy_rows  # economy goals
from sim.model.firm import ENTERPRISE, INCUBATING
from sim.model.platforms import platform_rows

if TYPE_CHECKING:
    import simpy

    from sim.model.zone import Zone

#: Flow counters: reset after every snapshot.
FLOWS: tuple[str, ...] = (
    "arrivals",
    "admitted",
    "turned_away",
    "ineligible",
    "incorporations",
    "graduations",
    "left_max_stay",
    "failures",
    "failures_incubating",
    "relocations",
    "dissolved",
    "first_funded",
    "first_certified",
    "patents_filed",
    "patents_granted_per_year",
    "invention_patents_granted",
    "grants_paid_yuan",
    "loans_yuan",
    "equity_yuan",
    "talent_rewards_yuan",
    "cultivation_yuan",
    "ip_purchases",
    "ip_purchase_yuan",
    "filing_subsidies_yuan",
    "tranches_received_yuan",
    "hte_certified",
    "hte_lost",
    "high_level_team_arrivals",
)


class Tally:
    """Counters of one replication: yearly flows, running stocks and run totals."""

    __slots__ = (
        *FLOWS,
        "national_hte",
        "tech_smes",
        "enterprise_base",
        "high_level_teams",
        "leading_teams_introduced",
        "totals",
        "grants_by_program",
    )

    def __init__(self) -> None:
        for name in FLOWS:
            setattr(self, name, 0)
        self.national_hte = 0
        self.tech_smes = 0
        self.enterprise_base = 0
        self.high_level_teams = 0
        self.leading_teams_introduced = 0  # since the start: the initial state counts none
        self.totals: dict[str, float] = dict.fromkeys(FLOWS, 0)
        self.grants_by_program: dict[str, float] = {}

    def close_year(self) -> dict[str, float]:
        """The year's flows; adds them to the run totals and resets them."""
        flows = {name: getattr(self, name) for name in FLOWS}
        for name, value in flows.items():
            self.totals[name] += value
            setattr(self, name, 0)
        return flows


def snapshot(zone: Zone, year: int, with_flows: bool) -> list[tuple[int, str, float]]:
    """The indicators of ``zone`` now, as ``(year, indicator, value)`` records."""
    tally = zone.tally
    carriers = zone.carriers
    area = carriers.area_m2
    occupied = carriers.occupied_m2
    teams, startups = carriers.teams, carriers.startups
    rows: dict[str, float] = {
        "national_hte": tally.national_hte,
        "tech_smes": tally.tech_smes,
        "incubators": carriers.incubators,
        "high_level_teams": tally.high_level_teams,
        "leading_teams_introduced": tally.leading_teams_introduced,
        "firms_in_carriers": teams + startups,
        "firms_in_incubation": startups,
        "maker_projects": teams,
        "waiting": len(carriers.waiting),
        "enterprise_base": tally.enterprise_base,
        "carrier_area_m2": area,
        "carrier_occupied_m2": occupied,
        "carrier_occupancy": occupied / area if area > 0 else 0.0,
        "fund_balance_yuan": sum(pool.balance for pool in zone.pools.values()),
    }
    rows.update(firm_census(zone))
    if area > 0:
        rows["revenue_per_carrier_m2_yuan"] = rows["revenue_incubated_yuan"] / area
    rows.update(platform_rows(zone, with_flows))  # platform goals (sim/model/platforms.py)
    for state in carriers.order:
        rows[f"carrier_area_m2.{state.id}"] = state.area_m2 if state.is_open else 0.0
        rows[f"carrier_occupied_m2.{state.id}"] = state.occupied_m2
        rows[f"firms_in_carriers.{state.id}"] = state.teams + state.startups
    for key, pool in zone.pools.items():
        rows[f"fund_balance_yuan.{key}"] = pool.balance
    if with_flows:
        zone.count_filings()
        flows = tally.close_year()
        rows.update(flows)
        granted = flows["patents_granted_per_year"]
        if granted:
            rows["invention_patent_share"] = flows["invention_patents_granted"] / granted
        city = zone.scenario.patents.city.grants_in(year, zone.scenario.horizon.start_year)
        if city > 0:
            rows["zone_share_of_city_patents"] = granted / city
        if startups:
            rows["graduation_rate_incubated"] = flows["graduations"] / startups
            rows["failure_rate_incubated"] = flows["failures_incubating"] / startups
        for key, paid in tally.grants_by_program.items():
            rows[f"grants_paid_yuan.{key}"] = paid
        tally.grants_by_program = dict.fromkeys(tally.grants_by_program, 0.0)
    # --- economy goals (sim/model/economy.py): after every other row, so they keep their order
    inventions = rows["invention_patents_granted"] if with_flows else None
    rows.update(economy_rows(zone, year, inventions))
    # --- end economy goals
    return [(year, name, float(value)) for name, value in rows.items()]


def firm_census(zone: Zone) -> dict[str, float]:
    """Stocks that need a pass over the live firms: revenue (annual rate now) of the modelled
    firms and of those in incubation, and certified firms among those in incubation."""
    now = zone.env.now
    revenue = revenue_incubated = 0.0
    incubating = hte = smes = 0
    for firm in zone.alive.values():
        stage = firm.stage
        if stage == INCUBATING:
            rate = firm.revenue(now)
            revenue += rate
            revenue_incubated += rate
            incubating += 1
            hte += firm.hte_until > now
            smes += firm.sme_until > now
        elif stage == ENTERPRISE:
            revenue += firm.revenue(now)
    rows = {"revenue_yuan": revenue, "revenue_incubated_yuan": revenue_incubated}
    if incubating:
        rows["hte_share_incubated"] = hte / incubating
        rows["tech_sme_share_incubated"] = smes / incubating
        rows["revenue_per_incubated_firm_yuan"] = revenue_incubated / incubating
    return rows


def year_ends(zone: Zone) -> list[simpy.Timeout]:
    """Timeouts at the end of every simulated year after the first (clock time ``Y + 1`` for
    the snapshot of year ``Y``), for ``record_years``. Made before any other event is
    scheduled (``build`` makes them first), each is the first event of its time: SimPy takes
    the events of one time by priority, then in the order they were scheduled, and urgent ones
    (a process starting, an interrupt) are only ever scheduled for the time now. So a snapshot
    sees the year's end before anything dated at the start of the next year happens."""
    env = zone.env
    horizon = zone.scenario.horizon
    return [
        env.timeout(float(year + 1) - env.now)
        for year in range(horizon.start_year + 1, horizon.end_year + 1)
    ]


def record_years(zone: Zone, ends: list[simpy.Timeout]):
    """Process: a snapshot at the end of every simulated year, at the ``year_ends`` (``build``
    records the initial state before any process starts)."""
    first = zone.scenario.horizon.start_year
    for year, end in enumerate(ends, start=first + 1):
        yield end
        zone.records.extend(snapshot(zone, year, with_flows=True))
