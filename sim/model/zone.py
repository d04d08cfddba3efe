"""The Zone: the SimPy environment and the shared state every process works on.

One ``Zone`` per replication owns the environment, the carriers, the fund pools, the registry of
live firms, the counters and the random streams. Processes (in ``arrivals``, ``lifecycle``,
``funding``, ``patents``, ``certification`` and ``recorder``) are generator functions that take
the zone and what else they need explicitly. The zone never plots or writes files.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.model import firm as F
from sim.model.carriers import Carriers
from sim.model.economy import EconomyState  # economy goals
from sim.model.firm import Firm
from sim.model.platforms import PlatformStock, stocks
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


class _Left:
    """Holds the place, in the registry, of a firm that has left the zone (so that the registry
    does not keep gone firms in memory)."""

    __slots__ = ()
    stage = F.GONE


_LEFT = _Left()


class Registry:
    """The live firms' stages over the order they joined the registry, in blocks, so that the
    k-th live firm in some stages is found without going through every live firm.

    Each firm that joins gets the next position (``Firm.seq``); for each stage code and each
    block of ``BLOCK`` positions the registry counts the firms now in that stage. Firms that
    leave the zone are in stage ``GONE``: they drop out of the other stages' counts and their
    place holds ``_LEFT``.
    """

    BLOCK = 128
    SHIFT = 7  # log2(BLOCK)

    __slots__ = ("firms", "blocks", "totals")

    def __init__(self) -> None:
        self.firms: list[Firm | _Left] = []  # by position
        stages = max(F.WAITING, F.TEAM, F.INCUBATING, F.ENTERPRISE, F.GONE) + 1
        self.blocks: list[list[int]] = [[] for _ in range(stages)]  # [stage][block] -> count
        self.totals: list[int] = [0] * stages  # [stage] -> count

    def add(self, firm: Firm) -> None:
        seq = len(self.firms)
        firm.seq = seq
        self.firms.append(firm)
        if not seq & (self.BLOCK - 1):
            for counts in self.blocks:
                counts.append(0)
        self.blocks[firm.stage][seq >> self.SHIFT] += 1
        self.totals[firm.stage] += 1

    def move(self, firm: Firm, old: int, new: int) -> None:
        seq = firm.seq
        if new == F.GONE:
            self.firms[seq] = _LEFT
        block = seq >> self.SHIFT
        self.blocks[old][block] -= 1
        self.blocks[new][block] += 1
        self.totals[old] -= 1
        self.totals[new] += 1

    def count(self, stages: tuple[int, ...]) -> int:
        totals = self.totals
        return sum(totals[stage] for stage in stages)

    def nth(self, stages: tuple[int, ...], k: int) -> Firm:
        """The ``k``-th (from 0) firm in ``stages``, in registry order (``k < count(stages)``;
        ``stages`` without ``GONE``)."""
        if len(stages) == 1:
            per_block = self.blocks[stages[0]]
        else:
            columns = (self.blocks[stage] for stage in stages)
            per_block = [sum(counts) for counts in zip(*columns, strict=True)]
        block = 0
        while block < len(per_block) - 1 and k >= per_block[block]:
            k -= per_block[block]
            block += 1
        start = block << self.SHIFT
        for firm in self.firms[start : start + self.BLOCK]:
            if firm.stage in stages:
                if not k:
                    assert isinstance(firm, Firm)
                    return firm
                k -= 1
        raise IndexError("fewer firms in these stages than asked for")


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
        self.registry = Registry()  # the same firms, by stage (see ``register``, ``set_stage``)
        self.records: list[tuple[int, str, float]] = []
        self.keep_firm_records = keep_firm_records
        self.firm_log: list[Firm] = []
        self._next_id = 0
        self.gone_arrivals = 0  # arrivals (not initial firms) that have left the zone
        self.recorder: simpy.Process | None = None
        self.events_processed = 0  # SimPy events processed by ``run``
        # incubation spells of arrivals: (entered, left, outcome) for survival analysis
        self.spells: list[tuple[float, float, str]] = []
        # per stage code: base failure hazard, base patent filing rate, equity eligibility
        failure, patents = scenario.firms.failure, scenario.patents
        self._stage_rates: dict[int, tuple[float, float, bool]] = {
            code: (
                getattr(failure.hazard_per_year, name),
                getattr(patents.filing_rate_per_year, name),
                name in scenario.funding.equity.eligible,
            )
            for code, name in F.STAGE_NAMES.items()
        }
        #: what ``Firm.set_rates`` takes besides the stage's rates
        self._rate_terms = (
            failure,
            scenario.funding.equity,
            scenario.incubation.acquisition_rate_per_year,
        )
        #: base patent filing rate (per year) by stage code
        self.stage_filing_rates = {code: rates[1] for code, rates in self._stage_rates.items()}
        patents = scenario.patents
        #: filing-rate multiplier of the zone's per-filing subsidy
        self.subsidy_multiplier = 1.0 + patents.subsidy_response.at(patents.filing_subsidy_yuan)
        #: the filings drawn for this year (filing firms, their counts, the filings' dates in
        #: firm order), until the snapshot counts them
        self.filings: list[tuple[list[Firm], np.ndarray, np.ndarray]] = []
        # --- platform goals: the platforms of each kind now in the zone (sim/model/platforms.py)
        self.platforms: dict[str, PlatformStock] = stocks(scenario.platforms)
        # --- end platform goals
        # --- economy goals: set by ``build`` after the initial firms (sim/model/economy.py)
        self.economy: EconomyState | None = None
        # --- end economy goals

    # ------------------------------------------------------------------ helpers
    def count_filings(self) -> None:
        """Count the filings drawn for the year that ends now whose firm was still in the zone
        when it filed (for the yearly snapshot), with the filing subsidies paid for them."""
        counted = 0
        for filers, counts, dates in self.filings:
            left = np.array([firm.exit_time for firm in filers])  # nan: still here
            counted += int(np.count_nonzero(~(np.repeat(left, counts) <= dates)))
        self.filings = []
        self.tally.patents_filed += counted
        self.tally.filing_subsidies_yuan += counted * self.scenario.patents.filing_subsidy_yuan

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # ------------------------------------------------------------------ state changes
    def register(self, firm: Firm) -> None:
        """Put a firm placed in the zone in the registry of live firms (if not already in)."""
        if firm.id not in self.alive:
            self.alive[firm.id] = firm
            self.registry.add(firm)

    def set_stage(self, firm: Firm, stage: int) -> None:
        """Change a firm's stage (every change of ``Firm.stage`` goes through here)."""
        if firm.seq >= 0:
            self.registry.move(firm, firm.stage, stage)
        firm.stage = stage

    def refresh_rates(self, firm: Firm) -> None:
        """Recompute a firm's competing-risk rates for its stage, capability and funding
        (``Firm.set_rates``)."""
        # the stage's base hazard, base filing rate and equity eligibility
        hazard, _, equity_eligible = self._stage_rates[firm.stage]
        failure, equity, acquisition_per_capability = self._rate_terms
        firm.set_rates(hazard, failure, equity, equity_eligible, acquisition_per_capability)

    def wake(self, firm: Firm) -> None:
        """Make a firm's process redraw its clocks after its state changed from outside."""
        process = firm.process
        if process is not None and process.is_alive and process is not self.env.active_process:
            process.interrupt()

    def fund(self, firm: Firm, kind: str, amount_yuan: float) -> None:
        """Record funding received: by its amount in all, it raises growth and lowers the
        failure hazard (saturating dose-responses)."""
        now = self.env.now
        if not firm.funding_yuan:
            self.tally.first_funded += 1
        firm.funding_yuan[kind] = firm.funding_yuan.get(kind, 0.0) + amount_yuan
        firm.funding_total_yuan += amount_yuan
        boost = self.scenario.firms.revenue.funding_growth.at(firm.funding_total_yuan)
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
        self.set_stage(firm, stage)
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
            if firm.stage == F.INCUBATING:
                tally.failures_incubating += 1
        elif exit_kind == F.RELOCATED:
            tally.relocations += 1
        elif exit_kind == F.DISSOLVED:
            tally.dissolved += 1
        if not firm.initial:
            self.gone_arrivals += 1
        self.set_stage(firm, F.GONE)
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

    def count_in(self, stages: tuple[int, ...]) -> int:
        """How many live firms are in the given stages: ``len(firms_in(stages))``."""
        return self.registry.count(stages)

    def nth_in(self, stages: tuple[int, ...], k: int) -> Firm:
        """``firms_in(stages)[k]`` without building the list."""
        return self.registry.nth(stages, k)
