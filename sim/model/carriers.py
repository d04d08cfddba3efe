"""Incubation carriers: floor-area bookkeeping, admission rules and the waiting list.

Area is plain float bookkeeping (not ``simpy.Resource``, which slows sharply at large
capacities): a carrier admits a firm when it is open, accepts the firm's kind and sector and has
the floor area free. Newcomers that find no room join one waiting list, served first come first
served whenever area is freed or added.
"""

from __future__ import annotations

import simpy

from sim.model.firm import Firm
from sim.scenario.schema import Carrier


class CarrierState:
    """One carrier's live state."""

    __slots__ = ("id", "spec", "is_open", "area_m2", "occupied_m2", "teams", "startups")

    def __init__(self, carrier_id: str, spec: Carrier) -> None:
        self.id = carrier_id
        self.spec = spec
        self.is_open = False
        self.area_m2 = 0.0
        self.occupied_m2 = 0.0
        self.teams = 0
        self.startups = 0

    @property
    def free_m2(self) -> float:
        return self.area_m2 - self.occupied_m2

    def area_for(self, firm_area_m2: float) -> float:
        """Floor area a firm takes here: its need, capped by the carrier's per-firm limit."""
        return min(firm_area_m2, self.spec.max_firm_area_m2)

    def accepts(self, firm: Firm, is_team: bool, area_m2: float) -> bool:
        spec = self.spec
        if not self.is_open or ("team" if is_team else "startup") not in spec.accepts:
            return False
        if (
            spec.preferred_sectors
            and firm.sector not in spec.preferred_sectors
            and firm.admission_u >= spec.other_sector_admission_probability
        ):
            return False
        return self.free_m2 >= self.area_for(area_m2)


class Carriers:
    """All carriers of the zone and the waiting list of newcomers."""

    def __init__(self, env: simpy.Environment, specs: dict[str, Carrier], t0: float) -> None:
        self.env = env
        self.by_id = {key: CarrierState(key, spec) for key, spec in specs.items()}
        self.order = list(self.by_id.values())
        self.waiting: dict[Firm, tuple[simpy.Event, bool, float, list[str]]] = {}
        for state in self.order:
            # area added up to the start counts from the start, or from opening if later
            state.area_m2 = sum(e.add_m2 for e in state.spec.expansions if e.date <= t0)
            if state.spec.opens <= t0:
                state.is_open = True
                state.area_m2 += state.spec.area_m2

    # ------------------------------------------------------------------ placement
    def find(
        self, firm: Firm, is_team: bool, area_m2: float, preferred: list[str]
    ) -> CarrierState | None:
        """The carrier a firm enters now, or None: the origin's preferred carriers first, then
        carriers preferring the firm's sector, then the one with most free area."""
        best: CarrierState | None = None
        best_key: tuple[int, int, float] | None = None
        for state in self.order:
            if not state.accepts(firm, is_team, area_m2):
                continue
            rank = preferred.index(state.id) if state.id in preferred else len(preferred)
            sector_match = 0 if firm.sector in state.spec.preferred_sectors else 1
            key = (rank, sector_match, -state.free_m2)
            if best_key is None or key < best_key:
                best, best_key = state, key
        return best

    def occupy(self, state: CarrierState, firm: Firm, is_team: bool, area_m2: float) -> None:
        firm.carrier = state
        firm.area_m2 = state.area_for(area_m2)
        state.occupied_m2 += firm.area_m2
        if is_team:
            state.teams += 1
        else:
            state.startups += 1

    def release(self, firm: Firm, is_team: bool) -> None:
        """Free a firm's area and admit whoever on the waiting list now fits."""
        state = firm.carrier
        if state is None:
            return
        state.occupied_m2 -= firm.area_m2
        if state.occupied_m2 < 1e-6:
            state.occupied_m2 = 0.0
        if is_team:
            state.teams -= 1
        else:
            state.startups -= 1
        firm.carrier = None
        firm.area_m2 = 0.0
        self.admit_waiting(state)

    # ------------------------------------------------------------------ waiting list
    def wait(self, firm: Firm, is_team: bool, area_m2: float, preferred: list[str]) -> simpy.Event:
        """Put a firm on the waiting list; the event fires (with the carrier) on admission."""
        admitted = self.env.event()
        self.waiting[firm] = (admitted, is_team, area_m2, preferred)
        return admitted

    def leave_waiting(self, firm: Firm) -> None:
        self.waiting.pop(firm, None)

    def admit_waiting(self, state: CarrierState) -> None:
        """Area was freed or added in one carrier: admit waiting firms there, first come first
        served, while it has room. (Only that carrier can have changed for them: had another
        had room for a waiting firm, the firm would have been admitted already.)"""
        if not self.waiting:
            return
        for firm, (admitted, is_team, area_m2, _) in list(self.waiting.items()):
            if state.free_m2 <= 0:
                break
            if state.accepts(firm, is_team, area_m2):
                del self.waiting[firm]
                self.occupy(state, firm, is_team, area_m2)
                admitted.succeed(state)

    # ------------------------------------------------------------------ growth of area
    def schedule_openings(self, t0: float, t_end: float) -> None:
        """Start processes that open carriers and add area on their dates."""
        for state in self.order:
            dates: list[tuple[float, float]] = []
            if not state.is_open and state.spec.opens <= t_end:
                dates.append((state.spec.opens, state.spec.area_m2))
            dates += [(e.date, e.add_m2) for e in state.spec.expansions if e.date > t0]
            if dates:
                self.env.process(self._grow(state, sorted(dates)))

    def _grow(self, state: CarrierState, dates: list[tuple[float, float]]):
        for date, add_m2 in dates:
            if date > self.env.now:
                yield self.env.timeout(date - self.env.now)
            if date >= state.spec.opens:
                state.is_open = True
            state.area_m2 += add_m2
            self.admit_waiting(state)

    # ------------------------------------------------------------------ totals
    @property
    def area_m2(self) -> float:
        return sum(s.area_m2 for s in self.order if s.is_open)

    @property
    def occupied_m2(self) -> float:
        return sum(s.occupied_m2 for s in self.order)

    @property
    def teams(self) -> int:
        return sum(s.teams for s in self.order)

    @property
    def startups(self) -> int:
        return sum(s.startups for s in self.order)

    @property
    def incubators(self) -> int:
        return sum(1 for s in self.order if s.is_open and s.spec.incubator)
