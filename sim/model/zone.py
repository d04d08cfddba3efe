"""The Zone: the SimPy environment and the shared state every process works on.

One ``Zone`` per replication owns the environment, the carriers, the fund pools, the registry of
live firms, the counters and the random streams. Processes (in ``arrivals``, ``lifecycle``,
``funding``, ``patents``, ``certification`` and ``recorder``) are generator functions that take
the zone and what else they need explicitly. The zone never plots or writes files.
"""

from __future__ import annotations

import math

import simpy
from simpy.events import URGENT

from sim.model import firm as F
from sim.model.carriers import Carriers
from sim.model.firm import Firm
from sim.model.recorder import Tally
from sim.scenario.schema import Scenario
from sim.streams import Streams


class FundPool:
    """A budget: tranches pay in, awards pay out, and nothing is paid from an empty pool."""

    __slots__ = ("balance", "received", "paid")

    def __init__(self, opening_balance_yuan: float) -> None:
        self.balance = opening_balance_yuan
        self.received = 0.0
        self.paid = 0.0

    def deposit(self, amount_yuan: float) -> None:
        self.balance += amount_yuan
        self.received += amount_yuan

    def pay(self, amount_yuan: float) -> bool:
        """Pay an award if the balance covers it in full."""
        if amount_yuan < 0:
            raise ValueError(f"negative award {amount_yuan}")
        if amount_yuan > self.balance:
            return False
        self.balance -= amount_yuan
        self.paid += amount_yuan
        return True


class Zone:
    """Shared state of one replication of a scenario."""

    def __init__(self, scenario: Scenario, streams: Streams, keep_firm_records: bool = False):
        self.scenario = scenario
        self.streams = streams
        self.t0 = scenario.horizon.t0
        self.t_end = scenario.horizon.t_end
        self.env = simpy.Environment(initial_time=self.t0)
        self.carriers = Carriers(self.env, scenario.carriers, self.t0)
        self.pools = {
            key: FundPool(pool.opening_balance_yuan) for key, pool in scenario.funding.pools.items()
        }
        self.tally = Tally()
        self.alive: dict[int, Firm] = {}  # registered firms and teams placed in the zone
        self.records: list[tuple[int, str, float]] = []
        self.keep_firm_records = keep_firm_records
        self.firm_log: list[Firm] = []
        self._next_id = 0
        self.gone_arrivals = 0  # arrivals (not initial firms) that have left the zone
        self.recorder: simpy.Process | None = None
        self.events_processed = 0  # SimPy events processed by ``run``
        # incubation spells of arrivals: (entered, left, outcome) for survival analysis
        self.spells: list[tuple[float, float, str]] = []

    # ------------------------------------------------------------------ helpers
    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def at_boundary(self, delay: float) -> simpy.Event:
        """An event ``delay`` years ahead that fires before anything else at that time."""
        event = simpy.Event(self.env)
        event._ok = True
        event._value = None
        self.env.schedule(event, URGENT, delay)
        return event

    # ------------------------------------------------------------------ state changes
    def refresh_rates(self, firm: Firm) -> None:
        """Recompute a firm's competing-risk rates for its stage, capability and funding."""
        sc = self.scenario
        stage = F.STAGE_NAMES[firm.stage]
        cap = firm.capability
        funded = firm.funded
        failure = sc.firms.failure
        firm.hazard = (
            getattr(failure.hazard_per_year, stage)
            * math.exp(-failure.capability_effect * (cap - 0.5))
            * (failure.funded_multiplier if funded else 1.0)
        )
        patents = sc.patents
        firm.filing_rate = (
            getattr(patents.filing_rate_per_year, stage)
            * max(0.0, 1.0 + patents.capability_effect * (cap - 0.5))
            * (patents.funded_multiplier if funded else 1.0)
        )
        equity = sc.funding.equity
        firm.equity_rate = (
            equity.rate_per_year * cap**equity.capability_exponent
            if stage in equity.eligible
            else 0.0
        )
        firm.acquisition_rate = (
            sc.incubation.acquisition_rate_per_year * cap if firm.stage == F.INCUBATING else 0.0
        )

    def wake(self, firm: Firm) -> None:
        """Make a firm's process redraw its clocks after its state changed from outside."""
        process = firm.process
        if process is not None and process.is_alive and process is not self.env.active_process:
            process.interrupt()

    def fund(self, firm: Firm, kind: str, amount_yuan: float) -> None:
        """Record funding received: it raises growth and lowers the failure hazard."""
        now = self.env.now
        if not firm.funding_yuan:
            self.tally.first_funded += 1
        firm.funding_yuan[kind] = firm.funding_yuan.get(kind, 0.0) + amount_yuan
        revenue = self.scenario.firms.revenue
        total_m = sum(firm.funding_yuan.values()) / 1e6
        boost = min(revenue.max_growth_boost, revenue.growth_boost_per_million_yuan * total_m)
        firm.set_growth_boost(now, boost)
        if firm.stage in F.STAGE_NAMES:
            self.refresh_rates(firm)
            self.wake(firm)

    def certified(self, firm: Firm, hte: bool) -> None:
        """Note a certificate: counts the firm's first certification of either kind."""
        now = self.env.now
        if math.isnan(firm.hte_first) and math.isnan(firm.sme_first):
            self.tally.first_certified += 1
        if hte and math.isnan(firm.hte_first):
            firm.hte_first = now
        if not hte and math.isnan(firm.sme_first):
            firm.sme_first = now

    def end_spell(self, firm: Firm, outcome: str) -> None:
        """Close an arrival's incubation spell (for survival analysis)."""
        if not firm.initial and not math.isnan(firm.incubated):
            self.spells.append((firm.incubated, self.env.now, outcome))

    def enter_stage(self, firm: Firm, stage: int, deadline: float = math.inf) -> None:
        if firm.stage == F.ENTERPRISE:
            self.tally.enterprise_base -= 1
        if stage == F.INCUBATING:
            firm.incubated = self.env.now
        firm.stage = stage
        firm.stage_deadline = deadline
        if stage == F.ENTERPRISE:
            self.tally.enterprise_base += 1
        if stage in F.STAGE_NAMES:
            self.refresh_rates(firm)

    def leave_carrier(self, firm: Firm, exit_kind: str) -> None:
        """An incubating firm leaves its carrier for the enterprise base."""
        self.carriers.release(firm, is_team=False)
        self.end_spell(firm, exit_kind)
        firm.left_carrier = self.env.now
        firm.carrier_exit = exit_kind
        if exit_kind == F.LEFT_MAX_STAY:
            self.tally.left_max_stay += 1
        else:
            self.tally.graduations += 1
        self.enter_stage(firm, F.ENTERPRISE)

    def remove(self, firm: Firm, exit_kind: str) -> None:
        """A firm fails, dissolves or leaves the zone."""
        now = self.env.now
        tally = self.tally
        if firm.carrier is not None:
            if firm.stage == F.INCUBATING:
                self.end_spell(firm, exit_kind)
            self.carriers.release(firm, is_team=firm.stage == F.TEAM)
            firm.left_carrier = now
        if firm.hte(now):
            tally.national_hte -= 1
        if firm.tech_sme(now):
            tally.tech_smes -= 1
        if firm.stage == F.ENTERPRISE:
            tally.enterprise_base -= 1
        if exit_kind == F.FAILED:
            tally.failures += 1
        elif exit_kind == F.DISSOLVED:
            tally.dissolved += 1
        if not firm.initial:
            self.gone_arrivals += 1
        firm.stage = F.GONE
        firm.hte_until = firm.sme_until = -math.inf
        firm.exit = exit_kind
        firm.exit_time = now
        self.alive.pop(firm.id, None)
        if self.keep_firm_records:
            self.firm_log.append(firm)

    def firms_in(self, stages: tuple[int, ...]) -> list[Firm]:
        """Live firms in the given stages, in the order they joined the registry (initial firms,
        then arrivals in order of admission): deterministic."""
        return [f for f in self.alive.values() if f.stage in stages]
