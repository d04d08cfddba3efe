"""The calendar of the model: yearly rounds (``rounds.yearly``), year-end snapshots that come
before anything else at their time (``recorder.year_ends``), and the firm's rate equations."""

from __future__ import annotations

import math

import simpy

from sim.model import build, extract, run
from sim.model import firm as F
from sim.model.rounds import yearly
from sim.streams import Streams
from tests.helpers import quiet_data, scenario_from


def rounds_of(t0: float, t_end: float, in_year: float) -> list[tuple[int, float]]:
    env = simpy.Environment(initial_time=t0)
    calls: list[tuple[int, float]] = []
    env.process(yearly(env, t0, t_end, in_year, lambda year: calls.append((year, env.now))))
    env.run()
    return calls


def test_yearly_rounds_fall_at_their_date_inside_the_horizon() -> None:
    assert rounds_of(2019.0, 2022.0, 0.5) == [(2019, 2019.5), (2020, 2020.5), (2021, 2021.5)]
    # a date before the start is skipped; the end is excluded
    assert rounds_of(2019.5, 2021.2, 0.2) == [(2020, 2020.2)]
    assert rounds_of(2019.0, 2021.0, 0.0) == [(2019, 2019.0), (2020, 2020.0)]


def test_a_round_due_now_comes_after_the_events_already_scheduled_for_now() -> None:
    env = simpy.Environment(initial_time=2019.0)
    order: list[str] = []
    env.timeout(0.0).callbacks.append(lambda _event: order.append("earlier event"))
    env.process(yearly(env, 2019.0, 2020.0, 0.0, lambda _year: order.append("round")))
    env.run()
    assert order == ["earlier event", "round"]


def test_a_tranche_paid_at_a_year_end_counts_in_the_next_years_snapshot() -> None:
    """The snapshot of 2019 is taken at clock time 2020.0, before the tranche dated 2020.0
    (whose timeout the tranches process schedules before the snapshot's process starts)."""
    data = quiet_data(2018, 2021)
    data["funding"]["pools"] = {
        "fund": {"tranches": [{"date": 2020.0, "amount_yuan": 5.0e6}]},
    }
    zone = build(scenario_from(data), Streams(1, 0))
    run(zone)
    balance = {y: v for y, n, v in extract(zone).trajectory if n == "fund_balance_yuan"}
    assert balance == {2018: 0.0, 2019: 0.0, 2020: 5.0e6, 2021: 5.0e6}


def test_rates_of_a_firm_follow_its_stage_capability_and_funding() -> None:
    scenario = scenario_from(quiet_data(2018, 2021))
    failure = scenario.firms.failure.model_copy(update={"enterprise_relocation_per_year": 0.1})
    equity = scenario.funding.equity
    firm = F.Firm(1, "entrant", "equipment", 0.8, 2019.0, 2019.0, stage=F.INCUBATING)
    firm.funding_total_yuan = 1.0e6
    firm.set_rates(0.2, failure, equity, True, 0.3)
    reduction = failure.funding_reduction.at(1.0e6)
    expected = 0.2 * math.exp(-failure.capability_effect * 0.3) * (1.0 - reduction)
    assert firm.hazard == expected
    assert firm.relocation_rate == 0.0  # only in the enterprise base
    assert firm.equity_rate == equity.rate_per_year * 0.8**equity.capability_exponent
    assert firm.acquisition_rate == 0.3 * 0.8
    firm.stage = F.ENTERPRISE
    firm.set_rates(0.2, failure, equity, False, 0.3)
    assert (firm.relocation_rate, firm.equity_rate, firm.acquisition_rate) == (0.1, 0.0, 0.0)
