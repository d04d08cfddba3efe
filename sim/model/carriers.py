"""Incubation carriers: floor-area bookkeeping, admission rules and the waiting list.

Area is plain float bookkeeping (not ``simpy.Resource``, which slows sharply at large
capacities): a carrier admits a firm when it is open, accepts the firm's kind and sector and has
the floor area free. Newcomers that find no room join one waiting list, served first come first
served whenever area is freed or added.

Each carrier keeps an index of the waiting firms it would accept (by kind and sector), in the
waiting list's order, with the floor area each would take there. When area is freed or added
there, only those firms are considered, and a tree of minimum areas finds the next one that
fits without trying the ones that do not: the same admissions, in the same order, as a scan of
the whole list.
"""

from __future__ import annotations

import math

import simpy

from sim.model.firm import Firm
from sim.scenario.schema import Carrier

_INF = math.inf


class WaitIndex:
    """Waiting firms one carrier would accept, in first-come order, each with the floor area
    it would take there.

    A minimum segment tree over the positions (leaves ``size + i``; removed and unused
    positions hold ``inf``) finds the first firm from a position on whose area is at most a
    given free area in O(log n). Positions only grow; when they run out the live entries are
    packed to the front, in order.
    """

    __slots__ = ("size", "tree", "firms", "pos", "count")

    def __init__(self) -> None:
        self.size = 16
        self.tree: list[float] = [_INF] * 32
        self.firms: list[Firm | None] = [None] * 16
        self.pos: dict[Firm, int] = {}
        self.count = 0  # positions used so far

    def __len__(self) -> int:
        return len(self.pos)

    def add(self, firm: Firm, need_m2: float) -> None:
        if self.count == self.size:
            self._repack()
        i = self.count
        self.count = i + 1
        self.firms[i] = firm
        self.pos[firm] = i
        self._set(i, need_m2)

    def discard(self, firm: Firm) -> None:
        i = self.pos.pop(firm)
        self.firms[i] = None
        self._set(i, _INF)

    def _set(self, i: int, value: float) -> None:
        tree = self.tree
        i += self.size
        tree[i] = value
        i >>= 1
        while i:
            left = tree[2 * i]
            right = tree[2 * i + 1]
            low = left if left <= right else right
            if tree[i] == low:
                break  # unchanged here, so unchanged above
            tree[i] = low
            i >>= 1

    def first_fit(self, free_m2: float, start: int) -> int:
        """The first position from ``start`` on whose area is at most ``free_m2``, or -1."""
        if start >= self.count:
            return -1
        tree = self.tree
        size = self.size
        i = start + size
        while tree[i] > free_m2:
            while i & 1:  # a right child: its parent ends where it ends
                i >>= 1
            if i == 0:
                return -1
            i += 1  # the next subtree to the right
        while i < size:
            i <<= 1
            if tree[i] > free_m2:
                i += 1
        return i - size

    def _repack(self) -> None:
        """Pack the live entries to the front, in order, with room to double."""
        size = self.size
        live = [
            (firm, self.tree[size + i]) for i, firm in enumerate(self.firms) if firm is not None
        ]
        new_size = 16
        while new_size < 2 * len(live):
            new_size *= 2
        tree = [_INF] * (2 * new_size)
        firms: list[Firm | None] = [None] * new_size
        pos: dict[Firm, int] = {}
        for i, (firm, need_m2) in enumerate(live):
            firms[i] = firm
            pos[firm] = i
            tree[new_size + i] = need_m2
        for i in range(new_size - 1, 0, -1):
            left = tree[2 * i]
            right = tree[2 * i + 1]
            tree[i] = left if left <= right else right
        self.size = new_size
        self.tree = tree
        self.firms = firms
        self.pos = pos
        self.count = len(live)


class CarrierState:
    """One carrier's live state."""

    __slots__ = (
        "id",
        "spec",
        "is_open",
        "area_m2",
        "occupied_m2",
        "teams",
        "startups",
        "queue",
        "_kinds",
    )

    def __init__(self, carrier_id: str, spec: Carrier) -> None:
        self.id = carrier_id
        self.spec = spec
        self.is_open = False
        self.area_m2 = 0.0
        self.occupied_m2 = 0.0
        self.teams = 0
        self.startups = 0
        self.queue = WaitIndex()  # the waiting firms this carrier would accept
        # indexed by is_team: (takes startups, takes teams)
        self._kinds = ("startup" in spec.accepts, "team" in spec.accepts)

    @property
    def free_m2(self) -> float:
        return self.area_m2 - self.occupied_m2

    def area_for(self, firm_area_m2: float) -> float:
        """Floor area a firm takes here: its need, capped by the carrier's per-firm limit."""
        return min(firm_area_m2, self.spec.max_firm_area_m2)

    def takes(self, firm: Firm, is_team: bool) -> bool:
        """Whether the carrier takes this kind of firm and, by its sector preference, this
        firm (fixed while the firm waits: its sector and admission draw do not change)."""
        spec = self.spec
        if not self._kinds[is_team]:
            return False
        return not (
            spec.preferred_sectors
            and firm.sector not in spec.preferred_sectors
            and firm.admission_u >= spec.other_sector_admission_probability
        )

    def accepts(self, firm: Firm, is_team: bool, area_m2: float) -> bool:
        if not self.is_open or not self.takes(firm, is_team):
            return False
        return self.area_m2 - self.occupied_m2 >= min(area_m2, self.spec.max_firm_area_m2)


class Carriers:
    """All carriers of the zone and the waiting list of newcomers."""

    def __init__(self, env: simpy.Environment, specs: dict[str, Carrier], t0: float) -> None:
        self.env = env
        self.by_id = {key: CarrierState(key, spec) for key, spec in specs.items()}
        self.order = list(self.by_id.values())
        # the waiting list, first come first served: firm -> (admission event, is_team, area
        # needed, the carriers that would take it)
        self.waiting: dict[Firm, tuple[simpy.Event, bool, float, list[CarrierState]]] = {}
        for state in self.order:
            # area added up to the start counts from the start, or from opening if later
            state.area_m2 = sum(e.add_m2 for e in state.spec.expansions if e.date <= t0)
            if state.spec.opens <= t0:
                state.is_open = True
                state.area_m2 += state.spec.area_m2

    # ------------------------------------------------------------------ placement
    def find(
        self,
        firm: Firm,
        is_team: bool,
        area_m2: float,
        preferred: list[str],
        u: float,
        sector_weight: float = 1.0,
    ) -> CarrierState | None:
        """The carrier a firm enters now, or None. Among the open carriers that take it and
        have room: the origin's preferred carriers first, in order; otherwise one chosen at
        random (by the uniform ``u``) with chance proportional to its free area, times
        ``sector_weight`` where the carrier prefers the firm's sector."""
        rank_best: CarrierState | None = None
        rank_best_index = len(preferred)
        candidates: list[tuple[CarrierState, float]] = []
        total = 0.0
        sector = firm.sector
        admission_u = firm.admission_u
        for state in self.order:  # state.accepts(firm, is_team, area_m2), inlined
            if not state.is_open or not state._kinds[is_team]:
                continue
            spec = state.spec
            if (  # state.takes, inlined
                spec.preferred_sectors
                and sector not in spec.preferred_sectors
                and admission_u >= spec.other_sector_admission_probability
            ):
                continue
            free_m2 = state.area_m2 - state.occupied_m2
            cap = spec.max_firm_area_m2
            if not free_m2 >= (area_m2 if area_m2 < cap else cap):
                continue
            if preferred and state.id in preferred:
                index = preferred.index(state.id)
                if index < rank_best_index:
                    rank_best, rank_best_index = state, index
                continue
            weight = free_m2 * (sector_weight if sector in spec.preferred_sectors else 1.0)
            candidates.append((state, weight))
            total += weight
        if rank_best is not None:
            return rank_best
        if not candidates:
            return None
        target = u * total
        for state, weight in candidates:
            target -= weight
            if target < 0:
                return state
        return candidates[-1][0]

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
        takers = [state for state in self.order if state.takes(firm, is_team)]
        for state in takers:
            state.queue.add(firm, state.area_for(area_m2))
        self.waiting[firm] = (admitted, is_team, area_m2, takers)
        return admitted

    def leave_waiting(self, firm: Firm) -> None:
        entry = self.waiting.pop(firm, None)
        if entry is not None:
            for state in entry[3]:
                state.queue.discard(firm)

    def admit_waiting(self, state: CarrierState) -> None:
        """Area was freed or added in one carrier: admit waiting firms there, first come first
        served, while it has room. (Only that carrier can have changed for them: had another
        had room for a waiting firm, the firm would have been admitted already.)

        The same as trying every waiting firm in order until the carrier has no free area
        left, admitting each it accepts: the firms it does not take are not in its queue, and
        ``first_fit`` skips exactly those whose area is more than the free area, which does not
        change until the next admission."""
        queue = state.queue
        if not queue.pos or not state.is_open:
            return
        tree = queue.tree
        waiting = self.waiting
        position = 0
        while True:
            free_m2 = state.area_m2 - state.occupied_m2
            if free_m2 <= 0 or tree[1] > free_m2:
                return
            position = queue.first_fit(free_m2, position)
            if position < 0:
                return
            firm = queue.firms[position]
            admitted, is_team, area_m2, takers = waiting.pop(firm)
            for other in takers:
                other.queue.discard(firm)
            self.occupy(state, firm, is_team, area_m2)
            admitted.succeed(state)
            position += 1

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
    def open_count(self) -> int:
        """Carriers open now."""
        return sum(1 for s in self.order if s.is_open)

    @property
    def incubators(self) -> int:
        return sum(1 for s in self.order if s.is_open and s.spec.incubator)
