"""The model's indexes give the same answers as the plain scans they replace.

- ``WaitIndex.first_fit`` against a scan of the live entries in order;
- ``Carriers.admit_waiting`` (per-carrier queues) against the whole-list scan it replaced,
  on random sequences of waits, departures, releases and added area;
- ``Zone.count_in`` / ``Zone.nth_in`` against ``Zone.firms_in`` during a congested run;
- ``KeyedStream.uniforms`` against ``KeyedStream.uniform``.
"""

from __future__ import annotations

import math
import random

import simpy

from sim.model import build
from sim.model import firm as F
from sim.model.carriers import Carriers, WaitIndex
from sim.model.firm import Firm
from sim.streams import Streams
from tests.helpers import baseline_data, scenario_from


def test_wait_index_first_fit_matches_scan() -> None:
    rng = random.Random(1)
    index = WaitIndex()
    live: dict[Firm, float] = {}  # insertion order = queue order
    next_id = 0
    for _ in range(5000):
        op = rng.random()
        if op < 0.5 or not live:
            next_id += 1
            firm = Firm(
                id=next_id, origin="o", sector="s", capability=0.5, arrived=0.0, registered=math.inf
            )
            need = rng.choice([1.0, 2.0, 2.5, rng.uniform(0.1, 50.0)])
            index.add(firm, need)
            live[firm] = need
        elif op < 0.8:
            firm = rng.choice(list(live))
            index.discard(firm)
            del live[firm]
        assert len(index) == len(live)
        order = list(live.items())
        positions = {firm: index.pos[firm] for firm in live}
        assert [positions[f] for f, _ in order] == sorted(positions.values())
        free = rng.choice([0.0, 1.0, 2.0, 2.5, rng.uniform(0.0, 60.0)])
        start_firm = rng.choice(order)[0] if order and rng.random() < 0.5 else None
        start = positions[start_firm] if start_firm is not None else 0
        expected = next(
            (positions[f] for f, need in order if positions[f] >= start and need <= free), -1
        )
        assert index.first_fit(free, start) == expected


def _old_admit_waiting(carriers: Carriers, state) -> None:
    """The whole-list scan that ``admit_waiting`` replaced."""
    for firm, (admitted, is_team, area_m2, _) in list(carriers.waiting.items()):
        if state.free_m2 <= 0:
            break
        if state.accepts(firm, is_team, area_m2):
            del carriers.waiting[firm]
            carriers.occupy(state, firm, is_team, area_m2)
            admitted.succeed(state)


def test_admit_waiting_matches_whole_list_scan() -> None:
    data = baseline_data()
    # small carriers (so that firms wait), a per-firm area limit in one of them, two that open
    # late (``admit_waiting`` on a closed carrier admits no one)
    for carrier in data["carriers"].values():
        carrier["area_m2"] /= 20
        for expansion in carrier.get("expansions", []):
            expansion["add_m2"] /= 20
    data["carriers"]["tengyun_park"]["max_firm_area_m2"] = 60.0
    scenario = scenario_from(data)
    sectors = list(scenario.sectors)
    for seed in range(5):
        rng = random.Random(seed)
        new = Carriers(simpy.Environment(2019.0), scenario.carriers, 2019.0)
        old = Carriers(simpy.Environment(2019.0), scenario.carriers, 2019.0)
        old.admit_waiting = lambda state, c=old: _old_admit_waiting(c, state)  # type: ignore[method-assign]
        firms: dict[int, tuple[Firm, Firm, bool]] = {}
        events: dict[int, tuple[simpy.Event, simpy.Event]] = {}
        placed: list[tuple[Firm, Firm, bool]] = []
        for step in range(3000):
            op = rng.random()
            if op < 0.55:
                is_team = rng.random() < 0.4
                area = rng.choice([20.0, 50.0, 100.0, rng.uniform(10.0, 400.0)])
                sector = rng.choice(sectors)
                pair = []
                for _ in range(2):
                    firm = Firm(
                        id=step,
                        origin="o",
                        sector=sector,
                        capability=0.5,
                        arrived=0.0,
                        registered=math.inf,
                    )
                    pair.append(firm)
                u = rng.random()
                for firm in pair:
                    firm.admission_u = u
                a, b = pair
                u_place = rng.random()
                state_new = new.find(a, is_team, area, [], u_place, 2.0)
                state_old = old.find(b, is_team, area, [], u_place, 2.0)
                assert (state_new and state_new.id) == (state_old and state_old.id)
                if state_new is not None:
                    new.occupy(state_new, a, is_team, area)
                    old.occupy(state_old, b, is_team, area)
                    placed.append((a, b, is_team))
                else:
                    firms[step] = (a, b, is_team)
                    events[step] = (new.wait(a, is_team, area, []), old.wait(b, is_team, area, []))
            elif op < 0.57:
                if not firms:
                    continue
                key = rng.choice(list(firms))
                a, b, _ = firms.pop(key)
                new.leave_waiting(a)
                old.leave_waiting(b)
            elif op < 0.97:
                if not placed:
                    continue
                a, b, is_team = placed.pop(rng.randrange(len(placed)))
                new.release(a, is_team)
                old.release(b, is_team)
            else:
                key = rng.choice(list(new.by_id))
                for carriers in (new, old):
                    state = carriers.by_id[key]
                    state.is_open = True
                    state.area_m2 += 150.0
                    carriers.admit_waiting(state)
            # the same firms admitted, to the same carriers, in the same order
            for key in list(firms):
                ev_new, ev_old = events[key]
                assert ev_new.triggered == ev_old.triggered
                if ev_new.triggered:
                    assert ev_new.value.id == ev_old.value.id
                    placed.append(firms.pop(key))
            assert [f.id for f in new.waiting] == [f.id for f in old.waiting]
            for s_new, s_old in zip(new.order, old.order, strict=True):
                assert s_new.occupied_m2 == s_old.occupied_m2
                assert (s_new.teams, s_new.startups) == (s_old.teams, s_old.startups)


def test_registry_matches_firms_in() -> None:
    data = baseline_data()
    for origin in data["arrivals"]["origins"].values():
        origin["rate_per_year"] *= 3
    data["horizon"]["end_year"] = 2023
    zone = build(scenario_from(data), Streams(5, 0))
    stage_sets = [
        (F.INCUBATING, F.ENTERPRISE),
        (F.TEAM, F.INCUBATING),
        (F.INCUBATING,),
        (F.ENTERPRISE,),
        (F.TEAM,),
        (F.TEAM, F.INCUBATING, F.ENTERPRISE),
    ]
    t = zone.t0
    while t < zone.t_end:
        t += 0.37
        zone.env.run(until=min(t, zone.t_end))
        for stages in stage_sets:
            firms = zone.firms_in(stages)
            assert zone.count_in(stages) == len(firms)
            assert [zone.nth_in(stages, k) for k in range(len(firms))] == firms


def test_keyed_uniforms_match_keyed_stream() -> None:
    keyed = Streams(11, 3).keyed
    rng = random.Random(2)
    ids = [0, 1, 2, 3, 2**31, 2**53 + 1, 2**63 - 1, *(rng.randrange(1, 10**6) for _ in range(2000))]
    for parts in [(1, 0), (2, 5, 1), (3, 2030), (12, 4021, 2021)]:
        round_key = keyed.key(*parts)
        assert keyed.uniforms(round_key, ids) == [keyed.uniform(round_key, i) for i in ids]
    assert keyed.uniforms(keyed.key(1), []) == []
