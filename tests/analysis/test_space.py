"""Parameter spaces: loading the shipped spaces against the baseline, the unit-cube mapping of a
parameter, lever costs, the scenario at a point, and located problems in bad space files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pydantic
import pytest

from sim.scenario import ScenarioError, SourceTree, load_scenario_with_tree
from sim.scenario.space import Parameter, Space, load_space
from tests.helpers import BASELINE, SCENARIOS

LEVERS = SCENARIOS / "spaces" / "levers.yaml"
UNCERTAIN = SCENARIOS / "spaces" / "uncertain.yaml"
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>\S+): (?P<msg>.+)$")

RATE = "arrivals.origins.high_level_team.rate_per_year"
BUDGET = "funding.pools.higher_level_support.yearly.amount_yuan"
HTE = "certification.hte.apply_probability"
SME = "certification.tech_sme.apply_probability"
CULTIVATION = "certification.hte.cultivation.firms_per_year"
SHIPPED_LEVERS = [
    RATE,
    BUDGET,
    CULTIVATION,
    "certification.hte.cultivation.subsidy_yuan",
    "patents.filing_subsidy_yuan",
    "carriers.entrepreneurship_center.area_m2",
    SME,
]
TRANCHE = "funding.pools.national_special_fund.tranches.0.amount_yuan"


@pytest.fixture(scope="module")
def baseline_tree() -> SourceTree:
    return load_scenario_with_tree(BASELINE)[1]


@pytest.fixture(scope="module")
def levers(baseline_tree: SourceTree) -> Space:
    return load_space(LEVERS, baseline_tree, kind="lever")


# ----------------------------------------------------------------------------- shipped spaces
def test_levers_space_loads_against_the_baseline(levers: Space) -> None:
    scenario = load_scenario_with_tree(BASELINE)[0]
    assert levers.name == "levers"
    assert levers.file == str(LEVERS)
    assert levers.paths == SHIPPED_LEVERS
    assert levers.dimension == 7
    assert all(p.kind == "lever" for p in levers.parameters.values())
    assert levers.base_values()[RATE] == scenario.arrivals.origins["high_level_team"].rate_per_year
    assert (
        levers.base_values()[CULTIVATION] == scenario.certification.hte.cultivation.firms_per_year
    )
    assert levers.base_values()[SME] == scenario.certification.tech_sme.apply_probability
    assert {k: levers.base_values()[k] for k in (RATE, BUDGET, CULTIVATION, SME)} == {
        RATE: 1.2,
        BUDGET: 15210000.0,
        CULTIVATION: 5,
        SME: 0.7,
    }
    # each lever spans the baseline's value (a setting below it saves money) and costs money
    for path, parameter in levers.parameters.items():
        assert parameter.low <= levers.base_values()[path] < parameter.high, path
        assert parameter.cost_per_unit_yuan > 0
    assert levers.parameters[CULTIVATION].integer
    assert levers.parameters[RATE].cost_per_unit_yuan == 480000
    table = levers.table()
    assert [row["parameter"] for row in table] == levers.paths
    assert table[0]["scenario_value"] == 1.2 and table[0]["high"] == 8


def test_uncertain_space_loads_against_the_baseline(baseline_tree: SourceTree) -> None:
    space = load_space(UNCERTAIN, baseline_tree, kind="uncertain")
    assert space.dimension == 5
    assert all(p.kind == "uncertain" for p in space.parameters.values())
    incumbents = space.parameters["initial_state.enterprise_base_firms"]
    assert incumbents.integer and incumbents.scale == "linear"
    assert (incumbents.low, incumbents.high) == (80, 320)
    rates = [p for path, p in space.parameters.items() if path.endswith("_per_year")]
    assert len(rates) == 4 and all(p.scale == "log" for p in rates)
    assert all(p.cost_per_unit_yuan == 0 for p in space.parameters.values())
    base = space.base_values()
    assert base["arrivals.origins.maker_team.rate_per_year"] == 210
    assert base["funding.loans.loans_per_institution_per_year"] == 0.95
    for path, parameter in space.parameters.items():
        assert parameter.low < base[path] < parameter.high, path
    # without a kind, any parameter is accepted
    assert load_space(UNCERTAIN, baseline_tree).paths == space.paths


def test_shipped_space_with_the_wrong_kind_reports_every_kind_line(
    baseline_tree: SourceTree,
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_space(LEVERS, baseline_tree, kind="uncertain")
    lines = LEVERS.read_text(encoding="utf-8").splitlines()
    kind_lines = [i + 1 for i, line in enumerate(lines) if line.strip() == "kind: lever"]
    assert len(kind_lines) == 7
    problems = caught.value.problems
    assert [(p.file, p.line, p.col) for p in problems] == [(str(LEVERS), n, 5) for n in kind_lines]
    for problem, path in zip(problems, SHIPPED_LEVERS, strict=True):
        assert problem.key == f"parameters.{path}.kind"
        assert problem.message == "this command varies 'uncertain' parameters, not 'lever'"


# ----------------------------------------------------------------------------- Parameter
def test_linear_value_and_unit_round_trip() -> None:
    p = Parameter(kind="lever", low=1.2, high=8)
    assert p.value(0) == 1.2
    assert p.value(1) == 8
    assert p.value(0.5) == 4.6
    assert p.value(0.25) == 2.9
    for u in (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0):
        assert p.unit(p.value(u)) == pytest.approx(u, abs=1e-3)
    for v in (1.2, 2.5, 4.6, 7.999, 8.0):
        assert p.value(p.unit(v)) == v
    assert p.unit(4.6) == pytest.approx(0.5)


def test_log_value_and_unit_round_trip() -> None:
    p = Parameter(kind="uncertain", low=80, high=400, scale="log")
    assert p.value(0) == 80
    assert p.value(1) == 400
    assert p.value(0.5) == 178.9  # the geometric mean sqrt(80 * 400) = 178.885..., 4 s.f.
    assert p.unit(math.sqrt(80 * 400)) == pytest.approx(0.5)
    # equal steps in the unit cube are equal ratios of the value
    ratios = [p.value(u + 0.25) / p.value(u) for u in (0.0, 0.25, 0.5, 0.75)]
    assert ratios == pytest.approx([5**0.25] * 4, rel=1e-3)
    for u in (0.0, 0.1, 0.33, 0.5, 0.8, 1.0):
        assert p.unit(p.value(u)) == pytest.approx(u, abs=1e-3)
    for v in (80.0, 100.0, 178.9, 250.0, 399.9):
        assert p.value(p.unit(v)) == v


def test_integer_values_are_whole_numbers() -> None:
    p = Parameter(kind="lever", low=10, high=30, integer=True)
    assert p.value(0.37) == 17.0  # 17.4 rounded
    assert p.value(0.53) == 21.0  # 20.6 rounded
    assert p.value(0) == 10 and p.value(1) == 30
    for u in [i / 20 for i in range(21)]:
        value = p.value(u)
        assert value == int(value) and 10 <= value <= 30
    # a log-scale count too
    q = Parameter(kind="lever", low=1, high=100, scale="log", integer=True)
    assert q.value(0.5) == 10.0
    assert q.value(0.3) == 4.0  # 10**0.6 = 3.98


def test_values_are_rounded_to_four_significant_figures() -> None:
    p = Parameter(kind="lever", low=15210000, high=45000000)
    assert p.value(0.37) == 26230000.0  # 26,232,300
    small = Parameter(kind="lever", low=0.001, high=1)
    assert small.value(0.123456) == 0.1243  # 0.124332...
    for u in (0.01, 0.2, 0.37, 0.61, 0.99):
        value = p.value(u)
        assert float(f"{value:.4g}") == value


def test_values_are_clipped_to_the_bounds() -> None:
    p = Parameter(kind="lever", low=1.2, high=8)
    assert p.value(-0.5) == 1.2
    assert p.value(1.7) == 8
    # rounding never leaves the bounds (4 s.f. would give 1.234 < low and 2.000 > high)
    q = Parameter(kind="lever", low=1.23449, high=1.99996)
    assert q.low <= q.value(0) < 1.2346
    assert 1.9999 < q.value(1) <= q.high
    assert q.low <= q.value(0.5) <= q.high


def test_rounding_keeps_a_narrow_range_apart() -> None:
    """A range narrow against its values still gives distinct values (3 digits of its width)."""
    p = Parameter(kind="lever", low=1000, high=1001)
    values = {p.value(u) for u in (0.0, 0.25, 0.5, 0.75, 1.0)}
    assert values == {1000.0, 1000.25, 1000.5, 1000.75, 1001.0}


def test_integer_parameters_need_whole_bounds_and_round_half_up() -> None:
    with pytest.raises(ValueError, match="whole-number bounds"):
        Parameter(kind="lever", low=0.4, high=3.4, integer=True)
    p = Parameter(kind="lever", low=0, high=3, integer=True)
    assert [p.value(u) for u in (0, 0.5, 1)] == [0.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"low": 5, "high": 5}, "need low < high"),
        ({"low": 6, "high": 5}, "need low < high"),
        ({"low": 0, "high": 5, "scale": "log"}, "a log-scale parameter needs low > 0"),
        ({"low": 1, "high": 5, "cost_per_unit_yuan": 10, "kind": "uncertain"}, "only a lever"),
        ({"low": 1, "high": 5, "colour": "red"}, "Extra inputs are not permitted"),
        ({"low": float("inf"), "high": 5}, "finite number"),
    ],
    ids=["equal", "reversed", "log-zero", "uncertain-cost", "extra", "inf"],
)
def test_bad_parameter_is_rejected(fields: dict, fragment: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=fragment):
        Parameter.model_validate({"kind": "lever", **fields})


# ----------------------------------------------------------------------------- Space
def test_cost_is_zero_at_the_scenario_and_linear_in_each_lever(levers: Space) -> None:
    base = levers.base_values()
    assert levers.cost_yuan(base) == 0
    for path, parameter in levers.parameters.items():
        for step in (-0.1, 0.5, 1.0, 3.0):
            values = {**base, path: base[path] + step}
            assert levers.cost_yuan(values) == pytest.approx(parameter.cost_per_unit_yuan * step)
    assert levers.cost_yuan({**base, RATE: 2.2}) == pytest.approx(480000)
    assert levers.cost_yuan({**base, BUDGET: base[BUDGET] + 1e6}) == pytest.approx(2e6)
    both = {**base, RATE: 2.2, CULTIVATION: 6}
    assert levers.cost_yuan(both) == pytest.approx(480000 + 600000)
    assert levers.cost_yuan({**base, CULTIVATION: 0}) == pytest.approx(-5 * 600000)
    top = levers.values([1.0] * levers.dimension)
    expected = sum(
        p.cost_per_unit_yuan * (p.high - base[path]) for path, p in levers.parameters.items()
    )
    assert levers.cost_yuan(top) == pytest.approx(expected)


def test_scenario_sets_the_values_and_the_horizon(levers: Space) -> None:
    values = {**levers.base_values(), RATE: 3.5, CULTIVATION: 12}
    scenario = levers.scenario(values, end_year=2021)
    assert scenario.arrivals.origins["high_level_team"].rate_per_year == 3.5
    assert scenario.certification.hte.cultivation.firms_per_year == 12
    assert scenario.certification.tech_sme.apply_probability == 0.7
    assert scenario.horizon.end_year == 2021
    assert scenario.horizon.start_year == 2018
    full = levers.scenario(values)
    assert full.horizon.end_year == 2030
    assert full.arrivals.origins["high_level_team"].rate_per_year == 3.5
    # the space's own data is left as written
    assert levers.base_values()[RATE] == 1.2
    assert levers.base_data["horizon"]["end_year"] == 2030


def test_values_and_centre_follow_the_unit_cube(levers: Space) -> None:
    low = levers.values([0.0] * levers.dimension)
    high = levers.values([1.0] * levers.dimension)
    assert low == {path: p.low for path, p in levers.parameters.items()}
    assert high == {path: p.high for path, p in levers.parameters.items()}
    centre = levers.centre()
    assert centre[RATE] == 4.6 and centre[CULTIVATION] == 15
    with pytest.raises(ValueError):
        levers.values([0.5, 0.5])  # one coordinate per parameter


def test_subset_keeps_the_named_parameters(levers: Space) -> None:
    two = levers.subset([CULTIVATION, RATE])
    assert two.paths == [CULTIVATION, RATE]
    assert two.dimension == 2
    assert two.parameters[RATE] is levers.parameters[RATE]
    assert two.base_data is levers.base_data
    assert two.file == levers.file and two.name == levers.name
    assert two.base_values() == {CULTIVATION: 5, RATE: 1.2}
    assert two.digest() != levers.digest()
    assert levers.subset(levers.paths).digest() == levers.digest()
    assert levers.dimension == 7  # unchanged
    with pytest.raises(ValueError, match="arrivals.origins.nobody.rate_per_year"):
        levers.subset([RATE, "arrivals.origins.nobody.rate_per_year"])


# ----------------------------------------------------------------------------- bad files
def write_space(tmp_path: Path, parameters: str, name: str = "space.yaml") -> Path:
    """A space file: ``parameters`` is the YAML under ``parameters:`` (indented 2), line 3 on."""
    path = tmp_path / name
    path.write_text(f"name: test\nparameters:\n{parameters}", encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line whose stripped text is ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, line in enumerate(lines) if line.strip() == text)


def problems(path: Path, tree: SourceTree, kind: str | None = None) -> list[re.Match[str]]:
    """The formatted problems of loading ``path``, each parsed as FILE:LINE:COL: key: message."""
    with pytest.raises(ScenarioError) as caught:
        load_space(path, tree, kind=kind)
    lines = str(caught.value).splitlines()
    assert [p.format() for p in caught.value.problems] == lines
    matches = [PROBLEM_LINE.match(line) for line in lines]
    assert all(matches), lines
    for match in matches:
        assert match["file"] == str(path)
    return matches


def one_problem(path: Path, tree: SourceTree, kind: str | None = None) -> re.Match[str]:
    found = problems(path, tree, kind)
    assert len(found) == 1, [m.group(0) for m in found]
    return found[0]


def where(match: re.Match[str]) -> tuple[int, int, str]:
    return int(match["line"]), int(match["col"]), match["key"]


def test_unknown_path_with_a_near_miss_suggests_the_key(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    path = write_space(
        tmp_path,
        f"  {HTE}:\n    kind: lever\n    low: 0.3\n    high: 0.9\n"
        "  arrivals.origins.high_level_team.rate_per_yer:\n    kind: lever\n"
        "    low: 1\n    high: 2\n",
    )
    match = one_problem(path, baseline_tree)
    key = "arrivals.origins.high_level_team.rate_per_yer"
    assert where(match) == (line_of(path, f"{key}:"), 3, f"parameters.{key}")
    assert where(match)[0] == 7
    assert match["msg"] == (
        "no scenario key 'rate_per_yer' under arrivals.origins.high_level_team; "
        "did you mean 'rate_per_year'?"
    )


def test_unknown_path_without_a_near_miss(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(tmp_path, "  nonsense.value:\n    kind: lever\n    low: 1\n    high: 2\n")
    match = one_problem(path, baseline_tree)
    assert where(match) == (3, 3, "parameters.nonsense.value")
    assert match["msg"] == "no scenario key 'nonsense' under the top level"
    assert "did you mean" not in match["msg"]


def test_list_index_out_of_range(tmp_path: Path, baseline_tree: SourceTree) -> None:
    bad = "funding.pools.national_special_fund.tranches.5.amount_yuan"
    path = write_space(tmp_path, f"  {bad}:\n    kind: lever\n    low: 1\n    high: 2\n")
    match = one_problem(path, baseline_tree)
    assert where(match) == (3, 3, f"parameters.{bad}")
    assert match["msg"] == (
        "funding.pools.national_special_fund.tranches is a list of 3 items; "
        "'5' is not an index of it"
    )


def test_path_through_a_value(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(
        tmp_path, "  horizon.end_year.x:\n    kind: lever\n    low: 1\n    high: 2\n"
    )
    match = one_problem(path, baseline_tree)
    assert where(match) == (3, 3, "parameters.horizon.end_year.x")
    assert match["msg"] == "horizon.end_year is a value, not a section: nothing named 'x' in it"


@pytest.mark.parametrize(
    ("key", "shown"),
    [("arrivals.origins.high_level_team", "dict"), ("funding.loans.institutions", "list")],
)
def test_path_to_a_section_is_not_a_number(
    key: str, shown: str, tmp_path: Path, baseline_tree: SourceTree
) -> None:
    path = write_space(tmp_path, f"  {key}:\n    kind: lever\n    low: 1\n    high: 2\n")
    match = one_problem(path, baseline_tree)
    assert where(match) == (3, 3, f"parameters.{key}")
    assert match["msg"] == (f"scenario key is not a number (it is {shown}); name a numeric key")


def test_path_to_a_string_is_not_a_number(tmp_path: Path, baseline_tree: SourceTree) -> None:
    key = "arrivals.origins.maker_team.kind"
    path = write_space(tmp_path, f"  {key}:\n    kind: lever\n    low: 1\n    high: 2\n")
    match = one_problem(path, baseline_tree)
    assert match["msg"] == "scenario key is not a number (it is 'team'); name a numeric key"


@pytest.mark.parametrize(
    ("bounds", "fragment"),
    [
        ("    low: 5\n    high: 5\n", "need low < high (got low=5.0, high=5.0)"),
        ("    low: 300\n    high: 100\n", "need low < high (got low=300.0, high=100.0)"),
        ("    low: 0\n    high: 100\n    scale: log\n", "a log-scale parameter needs low > 0"),
        ("    low: -5\n    high: 100\n    scale: log\n", "a log-scale parameter needs low > 0"),
        (
            "    low: 100\n    high: 300\n    cost_per_unit_yuan: 1000\n",
            "only a lever has a cost (cost_per_unit_yuan)",
        ),
    ],
    ids=["low-equals-high", "low-above-high", "log-zero", "log-negative", "uncertain-cost"],
)
def test_bad_bounds_are_located_at_the_parameter(
    bounds: str, fragment: str, tmp_path: Path, baseline_tree: SourceTree
) -> None:
    key = "arrivals.origins.maker_team.rate_per_year"
    path = write_space(
        tmp_path,
        f"  {RATE}:\n    kind: uncertain\n    low: 1\n    high: 2\n"
        f"  {key}:\n    kind: uncertain\n{bounds}",
    )
    match = one_problem(path, baseline_tree)
    assert where(match) == (7, 3, f"parameters.{key}")
    assert fragment in match["msg"]


def test_bound_that_makes_the_scenario_invalid(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(
        tmp_path,
        f"  {HTE}:\n    kind: lever\n    low: 0.3\n    high: 1.5\n"
        "  certification.hte.min_score:\n    kind: lever\n    low: -10\n    high: 90\n"
        "    integer: true\n",
    )
    found = problems(path, baseline_tree)
    assert [where(m) for m in found] == [
        (6, 5, f"parameters.{HTE}.high"),
        (9, 5, "parameters.certification.hte.min_score.low"),
    ]
    assert found[0]["msg"].startswith("the scenario is invalid at high: ")
    assert "less than or equal to 1" in found[0]["msg"]
    assert found[1]["msg"].startswith("the scenario is invalid at low: ")
    assert "greater than or equal to 0" in found[1]["msg"]


def test_whole_number_key_needs_integer(tmp_path: Path, baseline_tree: SourceTree) -> None:
    key = "funding.loans.institutions.0.count"
    path = write_space(tmp_path, f"  {key}:\n    kind: lever\n    low: 10\n    high: 30\n")
    match = one_problem(path, baseline_tree)
    assert where(match) == (3, 3, f"parameters.{key}")
    assert match["msg"].startswith("the scenario rejects 17.4 here (")
    assert match["msg"].endswith("add 'integer: true' if the key takes whole numbers")
    fixed = write_space(
        tmp_path,
        f"  {key}:\n    kind: lever\n    low: 10\n    high: 30\n    integer: true\n",
        "ok.yaml",
    )
    space = load_space(fixed, baseline_tree)
    assert space.base_values() == {key: 30.0}
    data = space.scenario_data({key: 17.0})
    assert data["funding"]["loans"]["institutions"][0]["count"] == 17
    assert isinstance(data["funding"]["loans"]["institutions"][0]["count"], int)
    assert space.scenario({key: 23.0}).funding.loans.institutions[0].count == 23


def test_uncertain_parameter_with_a_cost(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(
        tmp_path,
        f"  {RATE}:\n    kind: uncertain\n    low: 0.5\n    high: 5\n"
        "    cost_per_unit_yuan: 480000\n",
    )
    match = one_problem(path, baseline_tree)
    assert where(match) == (3, 3, f"parameters.{RATE}")
    assert "only a lever has a cost (cost_per_unit_yuan)" in match["msg"]


def test_wrong_kind_for_the_command(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(
        tmp_path,
        f"  {HTE}:\n    kind: lever\n    low: 0.3\n    high: 0.9\n"
        "  funding.loans.loans_per_institution_per_year:\n    kind: uncertain\n"
        "    low: 0.2\n    high: 2\n",
    )
    match = one_problem(path, baseline_tree, kind="lever")
    assert where(match) == (8, 5, "parameters.funding.loans.loans_per_institution_per_year.kind")
    assert match["msg"] == "this command varies 'lever' parameters, not 'uncertain'"
    # the same file is fine for a command that takes both kinds
    assert load_space(path, baseline_tree).dimension == 2


def test_unknown_key_in_a_parameter(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(
        tmp_path, f"  {RATE}:\n    kind: lever\n    low: 1.2\n    high: 8\n    colour: red\n"
    )
    match = one_problem(path, baseline_tree)
    assert where(match) == (7, 5, f"parameters.{RATE}.colour")
    assert match["msg"] == "unknown key"


def test_unknown_top_level_key_and_empty_parameters(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    path = tmp_path / "top.yaml"
    path.write_text("name: x\nparamters:\n  a: 1\nparameters: {}\n", encoding="utf-8")
    found = problems(path, baseline_tree)
    assert [where(m)[:2] for m in found] == [(2, 1), (4, 1)]
    assert found[0]["key"] == "paramters" and found[0]["msg"] == "unknown key"
    assert found[1]["key"] == "parameters"


def test_every_problem_of_a_file_is_reported_in_line_order(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    path = write_space(
        tmp_path,
        f"  {RATE}:\n    kind: lever\n    low: 1.2\n    high: 8\n"
        "  nowhere:\n    kind: lever\n    low: 1\n    high: 2\n"
        f"  {HTE}:\n    kind: lever\n    low: 0.3\n    high: 1.5\n"
        "  funding.pools:\n    kind: lever\n    low: 1\n    high: 2\n",
    )
    found = problems(path, baseline_tree)
    assert [where(m) for m in found] == [
        (7, 3, "parameters.nowhere"),
        (14, 5, f"parameters.{HTE}.high"),
        (15, 3, "parameters.funding.pools"),
    ]


def test_list_index_path_works(tmp_path: Path, baseline_tree: SourceTree) -> None:
    path = write_space(
        tmp_path,
        f"  {TRANCHE}:\n    kind: lever\n    low: 1000000\n    high: 30000000\n"
        "    cost_per_unit_yuan: 1\n",
    )
    space = load_space(path, baseline_tree, kind="lever")
    assert space.paths == [TRANCHE]
    assert space.base_values() == {TRANCHE: 9000000.0}
    scenario = space.scenario({TRANCHE: 20000000.0}, end_year=2022)
    tranches = scenario.funding.pools["national_special_fund"].tranches
    assert [(t.date, t.amount_yuan) for t in tranches] == [
        (2020.75, 20000000.0),
        (2021.5, 7200000.0),
        (2022.5, 6000000.0),
    ]
    assert scenario.horizon.end_year == 2022
    assert space.cost_yuan({TRANCHE: 20000000.0}) == 11000000.0
    # the base data is untouched
    assert (
        baseline_tree.data["funding"]["pools"]["national_special_fund"]["tranches"][0][
            "amount_yuan"
        ]
        == 9000000
    )
