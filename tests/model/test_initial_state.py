"""The baseline's initial state (2018, at clock t0 = 2019.0) is reproduced exactly in every
replication: the counts the sources report, per carrier and in total, whatever the seed; only
the attributes (capability, area, age, ...) are random."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest

from sim.experiment.runner import run_one, run_replications
from sim.model import build
from sim.model import firm as F
from sim.model.certification import hte_eligible
from sim.model.simulate import FIRM_COLUMNS
from sim.model.zone import Zone
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from sim.streams import Streams
from tests.helpers import BASELINE, baseline_data, const, quiet_data, run_cli, scenario_from

#: Source A (2018) figures and their sums, as the baseline states them.
EXPECTED_2018 = {
    "national_hte": 13,
    "tech_smes": 85,
    "firms_in_carriers": 290,  # 200 firms + 90 maker projects
    "maker_projects": 90,
    "firms_in_incubation": 200,
    "enterprise_base": 150,
    "high_level_teams": 26,
    "incubators": 4,
    "waiting": 0,
}
SEEDS = [(0, 0), (1, 3), (2018, 7), (99991, 12), (7, 0)]


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def initial_records(zone: Zone) -> dict[str, float]:
    rows = [(name, value) for year, name, value in zone.records if year == 2018]
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), "one 2018 row per indicator"
    return dict(rows)


@pytest.mark.validation(
    group="initial state",
    check="2018 state at t0",
    asserts=(
        "the first record (2018) has 13 HTE, 85 tech SMEs, 290 firms and teams in carriers (200 +"
        " 90), 150 enterprises, 26 teams, 4 incubators in every replication"
    ),
    tolerance="exact",
)
@pytest.mark.parametrize(("root", "replication"), SEEDS)
def test_initial_counts_are_exact(baseline: Scenario, root: int, replication: int) -> None:
    zone = build(baseline, Streams(root, replication))
    assert zone.env.now == 2019.0 == baseline.horizon.t0
    rec = initial_records(zone)
    for name, value in EXPECTED_2018.items():
        assert rec[name] == value, name
    for key, carrier in baseline.carriers.items():
        occupants = baseline.initial_state.carriers.get(key)
        expected = occupants.firms + occupants.teams if occupants else 0
        assert rec[f"firms_in_carriers.{key}"] == expected, key
        state = zone.carriers.by_id[key]
        assert state.startups == (occupants.firms if occupants else 0)
        assert state.teams == (occupants.teams if occupants else 0)
        # occupied area never exceeds the carrier's area
        assert 0.0 <= rec[f"carrier_occupied_m2.{key}"] <= rec[f"carrier_area_m2.{key}"] + 1e-9
        assert state.occupied_m2 == pytest.approx(
            sum(f.area_m2 for f in zone.alive.values() if f.carrier is state), abs=1e-6
        )
        if expected:
            assert rec[f"carrier_occupied_m2.{key}"] > 0
        assert rec[f"carrier_area_m2.{key}"] == (carrier.area_m2 if carrier.opens <= 2019.0 else 0)
    assert rec["carrier_area_m2"] == 56000.0  # 15000 + 18000 + 8000 + 15000; two not yet open
    for pool_key, pool in baseline.funding.pools.items():
        assert rec[f"fund_balance_yuan.{pool_key}"] == pool.opening_balance_yuan


@pytest.mark.validation(
    group="initial state",
    check="2018 occupants per carrier",
    asserts="each carrier open in 2018 holds the firms and teams the baseline gives it",
    tolerance="exact",
)
def test_per_carrier_counts_as_in_the_baseline_file(baseline: Scenario) -> None:
    """The per-carrier figures the baseline gives (data and stated assumptions)."""
    rec = initial_records(build(baseline, Streams(3, 1)))
    assert {k: rec[f"firms_in_carriers.{k}"] for k in baseline.carriers} == {
        "hpu_science_park": 72,
        "entrepreneurship_center": 100,
        "tengyun_park": 38,
        "tech_hq_city": 80,
        "chuangji_zhigu": 0,
        "sino_german_park": 0,
    }


@pytest.mark.parametrize(("root", "replication"), SEEDS[:3])
def test_initial_firms_are_consistent_with_the_counts(
    baseline: Scenario, root: int, replication: int
) -> None:
    zone = build(baseline, Streams(root, replication))
    t0 = zone.t0
    firms = list(zone.alive.values())
    assert len(firms) == 290 + 150
    assert all(f.initial and f.arrived == t0 for f in firms)
    by_stage: dict[int, list[F.Firm]] = defaultdict(list)
    for firm in firms:
        by_stage[firm.stage].append(firm)
    assert len(by_stage[F.TEAM]) == 90 and len(by_stage[F.INCUBATING]) == 200
    assert len(by_stage[F.ENTERPRISE]) == 150
    # teams are not registered; incubated firms are 0-3 years old (firm_age_years U(0, 3))
    assert all(math.isinf(f.registered) and f.carrier is not None for f in by_stage[F.TEAM])
    for firm in by_stage[F.INCUBATING]:
        assert t0 - 3.0 <= firm.registered <= t0 and firm.carrier is not None
        assert t0 <= firm.stage_deadline <= t0 + 5.0  # residual of a stay of at most 5 years
    assert all(f.carrier is None for f in by_stage[F.ENTERPRISE])

    # the 13 national HTEs are enterprises, hold certificates ending within valid_years, and
    # meet the hard criteria they were certified on
    rules = baseline.certification.hte
    holders = [f for f in firms if f.hte(t0)]
    assert len(holders) == 13
    for firm in holders:
        assert firm.stage == F.ENTERPRISE
        first_round = t0 + min(rules.review_rounds_in_year)  # t0 is a whole year here
        assert first_round < firm.hte_until <= first_round + rules.valid_years
        assert hte_eligible(firm, t0, rules)
    # they are the 13 most capable enterprises
    ranked = sorted(by_stage[F.ENTERPRISE], key=lambda f: (-f.capability, f.id))
    assert {f.id for f in ranked[:13]} == {f.id for f in holders}

    # the 85 tech-based SMEs are registered firms, valid until the first evaluation (2019.4)
    smes = [f for f in firms if f.tech_sme(t0)]
    assert len(smes) == 85
    assert all(f.stage in (F.INCUBATING, F.ENTERPRISE) for f in smes)
    first_evaluation = 2019.0 + baseline.certification.tech_sme.evaluation_in_year
    assert {f.sme_until for f in smes} == {first_evaluation}


def test_attributes_differ_between_replications_but_counts_do_not(baseline: Scenario) -> None:
    records = [initial_records(build(baseline, Streams(*seed))) for seed in SEEDS]
    occupied = {rec["carrier_occupied_m2"] for rec in records}
    assert len(occupied) == len(SEEDS)  # random areas ...
    for name in EXPECTED_2018:  # ... exact counts
        assert {rec[name] for rec in records} == {EXPECTED_2018[name]}


def test_first_year_of_the_runner_output_is_the_initial_state(baseline: Scenario) -> None:
    """Through the runner: the 2018 rows of every replication, one per indicator."""
    results = run_replications(baseline, 2, 42)
    first = results.trajectories[results.trajectories["year"] == 2018]
    for replication, rows in first.groupby("replication"):
        assert rows["indicator"].is_unique, replication
        values = dict(zip(rows["indicator"], rows["value"], strict=True))
        for name, value in EXPECTED_2018.items():
            assert values[name] == value, (replication, name)
        for key, occupants in baseline.initial_state.carriers.items():
            assert values[f"firms_in_carriers.{key}"] == occupants.firms + occupants.teams
        # flows start with the first simulated year
        assert "arrivals" not in values
    assert sorted(first["replication"].unique()) == [0, 1]
    years = sorted(results.trajectories["year"].unique())
    assert years == list(range(2018, 2031))


# ----------------------------------------------------------------------------- certified firms
# placed in carriers (initial_state.carriers.<id>.hte_firms / tech_sme_firms) and capability
# per group (initial_state.capability_by_group)
def placed_data(hte: int = 3, smes: int = 5) -> dict:
    """The baseline with ``hte`` HTEs and ``smes`` tech SMEs among Tech HQ's 80 startups (the
    zone totals, 13 and 85, unchanged: the rest go to the enterprise base and the best SME
    scorers as before)."""
    data = baseline_data()
    data["initial_state"]["carriers"]["tech_hq_city"].update(hte_firms=hte, tech_sme_firms=smes)
    return data


@pytest.mark.parametrize(("root", "replication"), SEEDS[:3])
def test_certified_firms_placed_in_a_carrier_are_recorded_in_the_start_year(
    root: int, replication: int
) -> None:
    scenario = scenario_from(placed_data())
    zone = build(scenario, Streams(root, replication))
    t0 = zone.t0
    rec = initial_records(zone)
    assert rec["national_hte"] == 13 and rec["tech_smes"] == 85
    assert rec["hte_share_incubated"] == pytest.approx(3 / 200)
    firms = list(zone.alive.values())
    in_hq = [f for f in firms if f.first_carrier == "tech_hq_city" and f.stage == F.INCUBATING]
    assert len(in_hq) == 80
    hte = [f for f in firms if f.hte(t0)]
    smes = [f for f in firms if f.tech_sme(t0)]
    assert len(hte) == 13 and len(smes) == 85  # the counters are the firms' statuses
    placed = [f for f in hte if f.stage == F.INCUBATING]
    assert len(placed) == 3 and all(f.first_carrier == "tech_hq_city" for f in placed)
    assert sum(f.stage == F.ENTERPRISE for f in hte) == 10  # the rest in the enterprise base
    # the carrier's certified startups are its first ones: the 3 HTEs among its 5 tech SMEs
    first_five = sorted(in_hq, key=lambda f: f.id)[:5]
    assert {f.id for f in placed} == {f.id for f in first_five[:3]}
    assert all(f.tech_sme(t0) for f in first_five)
    # certificates as the enterprise base's: ends over one validity period from the first
    # review round, holders meet the criteria they were certified on
    rules = scenario.certification.hte
    first_round = t0 + min(rules.review_rounds_in_year)
    for firm in placed:
        assert first_round < firm.hte_until <= first_round + rules.valid_years
        assert hte_eligible(firm, t0, rules) and firm.hte_first == -math.inf
    first_evaluation = 2019.0 + scenario.certification.tech_sme.evaluation_in_year
    assert {f.sme_until for f in smes} == {first_evaluation}


def test_placed_firms_in_the_firm_records() -> None:
    """Through the runner's firm records (``run --firm-records``): the placed HTEs are initial
    firms of the carrier certified before the start."""
    scenario = scenario_from(placed_data())
    output = run_one(scenario, 0, 11, firm_records=True)
    rows = [dict(zip(FIRM_COLUMNS, row, strict=True)) for row in output.firms]
    initial = [row for row in rows if row["initial"]]
    hte = [row for row in initial if row["hte_first"] == -math.inf]
    assert len(hte) == 13
    assert sorted(row["carrier"] or "" for row in hte) == [""] * 10 + ["tech_hq_city"] * 3
    smes = [row for row in initial if row["sme_first"] == -math.inf]
    assert len(smes) == 85
    assert sum(row["carrier"] == "tech_hq_city" for row in smes) >= 5


def test_the_new_keys_at_their_defaults_change_nothing() -> None:
    """Zero placed firms and every group at ``capability`` give the baseline's draws."""
    data = placed_data(0, 0)
    data["initial_state"]["capability_by_group"] = {}
    plain = build(scenario_from(baseline_data()), Streams(5, 2))
    same = build(scenario_from(data), Streams(5, 2))
    assert plain.records == same.records
    assert [(f.id, f.capability, f.hte_until, f.sme_until) for f in plain.alive.values()] == [
        (f.id, f.capability, f.hte_until, f.sme_until) for f in same.alive.values()
    ]


def test_each_group_draws_its_own_capability() -> None:
    """By hand over many firms: each group's mean capability is its distribution's mean."""
    data = quiet_data()
    data["carriers"]["park"]["area_m2"] = 10000.0
    init = data["initial_state"]
    init["carriers"] = {
        "park": {"firms": 3000, "teams": 1000, "hte_firms": 500, "tech_sme_firms": 1500}
    }
    init.update(enterprise_base_firms=3000, national_hte=600, tech_smes=1500)
    init["capability"] = const(0.99)  # used by no group
    init["capability_by_group"] = {
        "incubated": {"dist": "beta", "a": 2.0, "b": 8.0},  # mean 0.2
        "certified_in_carriers": {"dist": "beta", "a": 8.0, "b": 2.0},  # mean 0.8
        "enterprise_base": {"dist": "beta", "a": 5.0, "b": 5.0},  # mean 0.5
    }
    zone = build(scenario_from(data), Streams(1, 0))
    t0 = zone.t0
    rec = initial_records(zone)
    assert rec["national_hte"] == 600 and rec["tech_smes"] == 1500
    firms = list(zone.alive.values())
    certified = [f for f in firms if f.stage == F.INCUBATING and f.sme_first == -math.inf]
    incubated = [f for f in firms if f.stage in (F.TEAM, F.INCUBATING) and f not in certified]
    base = [f for f in firms if f.stage == F.ENTERPRISE]
    assert (len(certified), len(incubated), len(base)) == (1500, 2500, 3000)
    assert sum(f.hte(t0) for f in certified) == 500
    assert sum(f.hte(t0) for f in base) == 100
    for group, mean in ((certified, 0.8), (incubated, 0.2), (base, 0.5)):
        values = [f.capability for f in group]
        sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        assert sum(values) / len(values) == pytest.approx(mean, abs=4 * sd / len(values) ** 0.5)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "initial_state:\n  national_hte: 50\n  carriers:\n    tengyun_park: {hte_firms: 39}\n",
            "initial_state.carriers.tengyun_park.hte_firms: more than the carrier's 38 firms",
        ),
        (
            "initial_state:\n  carriers:\n    tengyun_park: {tech_sme_firms: 40}\n",
            "initial_state.carriers.tengyun_park.tech_sme_firms: more than the carrier's 38 firms",
        ),
        (
            "initial_state:\n  national_hte: 2\n  carriers:\n    tengyun_park: {hte_firms: 3}\n",
            "initial_state.national_hte: fewer than the 3 hte_firms placed in carriers",
        ),
        (
            "initial_state:\n  national_hte: 155\n  carriers:\n    tengyun_park: {hte_firms: 3}\n",
            "initial_state.national_hte: more than enterprise_base_firms (besides the 3 in "
            "carriers)",
        ),
        (
            "initial_state:\n  tech_smes: 4\n  carriers:\n    tengyun_park: {tech_sme_firms: 5}\n",
            "initial_state.tech_smes: fewer than the 5 tech_sme_firms placed in carriers",
        ),
        (
            "initial_state:\n  carriers:\n    tengyun_park: {hte_firms: -1}\n",
            "initial_state.carriers.tengyun_park.hte_firms",
        ),
    ],
)
def test_bad_placed_counts_are_one_line_errors_at_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {BASELINE}\nname: bad\n{lines}", encoding="utf-8")
    code, stdout, err = run_cli(["validate", path], capsys)
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and message in err, err
