"""Calibration posteriors (sim.scenario.posterior): reading and checking a posterior file, the
deterministic assignment of draws to replications, and the pairwise variance split."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest

from sim.scenario import ScenarioError, load_scenario_with_tree, read_posterior
from sim.scenario.posterior import POSTERIOR_STREAM
from sim.scenario.space import load_space
from tests.helpers import BASELINE, SCENARIOS, uniform_posterior, write_posterior

UNCERTAIN = SCENARIOS / "spaces" / "uncertain.yaml"
MAKERS = "arrivals.origins.maker_team.rate_per_year"
BASE_FIRMS = "initial_state.enterprise_base_firms"
POOL = "funding.pools.higher_level_support"


@pytest.fixture(scope="module")
def tree():
    return load_scenario_with_tree(BASELINE)[1]


def problem_lines(exc: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return str(exc.value).splitlines()


def test_reads_a_uniform_posterior_and_sets_a_draw(tmp_path: Path, tree) -> None:
    path = uniform_posterior(tmp_path / "posterior.csv", UNCERTAIN, draws=50, seed=3)
    posterior = read_posterior(path, tree.data)
    assert posterior.file == str(path)
    assert posterior.draws == 50
    assert posterior.parameters[0] == MAKERS and BASE_FIRMS in posterior.parameters
    assert posterior.values.shape == (50, 5)
    assert posterior.weights.sum() == pytest.approx(1.0)
    assert posterior.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert posterior.effective_draws == pytest.approx(50.0)
    scenario = posterior.scenario(7)
    values = posterior.draw_values(7)
    assert scenario.arrivals.origins["maker_team"].rate_per_year == values[MAKERS]
    # a key the scenario writes as an integer stays one (the schema is strict)
    count = scenario.initial_state.enterprise_base_firms
    assert isinstance(count, int) and count == values[BASE_FIRMS]
    # the scenario's own data is not touched
    assert tree.data["initial_state"]["enterprise_base_firms"] == 150
    assert posterior.scenario(7, end_year=2020).horizon.end_year == 2020  # cut short


def test_rows_may_come_in_any_order_of_draws(tmp_path: Path, tree) -> None:
    path = write_posterior(
        tmp_path / "p.csv", {MAKERS: [300.0, 100.0, 200.0]}, [0.5, 0.2, 0.3], draws=[2, 0, 1]
    )
    posterior = read_posterior(path, tree.data)
    assert posterior.values[:, 0].tolist() == [100.0, 200.0, 300.0]
    assert posterior.weights.tolist() == pytest.approx([0.2, 0.3, 0.5])


def test_space_rounds_its_integer_parameters_and_refuses_other_columns(
    tmp_path: Path, tree
) -> None:
    space = load_space(UNCERTAIN, tree)
    path = write_posterior(tmp_path / "p.csv", {BASE_FIRMS: [150.4, 200.6]})
    posterior = read_posterior(path, tree.data, space)
    assert posterior.values[:, 0].tolist() == [150.0, 201.0]
    # without the space a fraction where the schema takes whole numbers is refused
    with pytest.raises(ScenarioError) as exc:
        read_posterior(path, tree.data)
    assert problem_lines(exc) == [
        f"{path}: column '{BASE_FIRMS}': not a whole number at line 2 (150.4); the scenario "
        "takes whole numbers here"
    ]
    other = write_posterior(tmp_path / "q.csv", {"patents.filing_subsidy_yuan": [0.0, 1.0]})
    with pytest.raises(ScenarioError) as exc:
        read_posterior(other, tree.data, space)
    assert problem_lines(exc) == [
        f"{other}: column 'patents.filing_subsidy_yuan': not a parameter of the space {UNCERTAIN}"
    ]


BAD = [
    # (file text, column, message start)
    (f"weight,{MAKERS}\n0.5,100\n0.5,200\n", "draw", "missing: a posterior file needs it"),
    (f"draw,{MAKERS}\n0,100\n1,200\n", "weight", "missing: a posterior file needs it"),
    (
        "draw,weight,arrivals.origins.maker_team.rate\n0,0.5,1\n1,0.5,2\n",
        "arrivals.origins.maker_team.rate",
        "not a number key of the scenario (no scenario key 'rate' under "
        "arrivals.origins.maker_team)",
    ),
    (
        "draw,weight,name\n0,0.5,1\n1,0.5,2\n",
        "name",
        "not a number key of the scenario (it holds 'baseline')",
    ),
    (f"draw,weight,{MAKERS}\n0,0.5,abc\n1,0.5,2\n", MAKERS, "not a number at line 2 ('abc')"),
    (f"draw,weight,{MAKERS}\n0,0.5,nan\n1,0.5,2\n", MAKERS, "NaN at line 2"),
    (f"draw,weight,{MAKERS}\n0,0.5,100\n1,0.5,inf\n", MAKERS, "infinite at line 3"),
    (f"draw,weight,{MAKERS}\n0,0.5,\n1,0.5,2\n", MAKERS, "empty at line 2"),
    (f"draw,weight,{MAKERS}\n0,1.5,100\n1,-0.5,200\n", "weight", "negative weight at line 3"),
    (f"draw,weight,{MAKERS}\n0,0.5,100\n1,0.4,200\n", "weight", "weights sum to 0.9, not 1"),
    (f"draw,weight,{MAKERS}\n0,0.5,100\n0,0.5,200\n", "draw", "draws must be the integers 0 to 1"),
    (f"draw,weight,{MAKERS}\n0,0.5,100\n2,0.5,200\n", "draw", "draws must be the integers 0 to 1"),
    (
        f"draw,weight,{MAKERS}\n0,0.5,-5\n1,0.5,200\n",
        MAKERS,
        "the scenario is invalid at the column's lowest value -5:",
    ),
    (
        "draw,weight,certification.tech_sme.apply_probability\n0,0.5,0.5\n1,0.5,1.5\n",
        "certification.tech_sme.apply_probability",
        "the scenario is invalid at the column's highest value 1.5:",
    ),
    (f"draw,weight,{MAKERS},{MAKERS}\n0,0.5,1,1\n1,0.5,2,2\n", MAKERS, "appears twice"),
]


@pytest.mark.parametrize(("text", "column", "message"), BAD)
def test_a_bad_posterior_is_one_line_naming_file_and_column(
    tmp_path: Path, tree, text: str, column: str, message: str
) -> None:
    path = tmp_path / "posterior.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        read_posterior(path, tree.data)
    lines = problem_lines(exc)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: column '{column}': {message}"), lines[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"draw,weight,{MAKERS}\n0,1,100\n", "(file): 1 draw rows; a posterior needs at least 2"),
        ("", "(file): empty: expected a header line"),
        ("draw,weight\n0,0.5\n1,0.5\n", "(file): no parameter columns"),
        (f"draw,weight,{MAKERS}\n0,0.5,100\n1,0.5\n", "line 3: 2 fields, the header has 3"),
    ],
)
def test_file_level_problems_are_one_line(tmp_path: Path, tree, text: str, message: str) -> None:
    path = tmp_path / "posterior.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        read_posterior(path, tree.data)
    lines = problem_lines(exc)
    assert len(lines) == 1 and lines[0].startswith(f"{path}: {message}"), lines
    with pytest.raises(ScenarioError) as exc:
        read_posterior(tmp_path / "missing.csv", tree.data)
    assert problem_lines(exc)[0].startswith(f"{tmp_path / 'missing.csv'}: (file): cannot read")


def test_a_draw_that_makes_the_scenario_invalid_is_named(tmp_path: Path, tree) -> None:
    """Each column alone is valid at its bounds; a draw combining them may not be: reading
    passes, building that draw's scenario names the file and the draw."""
    first = f"{POOL}.yearly.first_year"
    last = f"{POOL}.yearly.last_year"
    path = write_posterior(tmp_path / "p.csv", {first: [2019, 2025], last: [2030, 2022]})
    posterior = read_posterior(path, tree.data)
    posterior.scenario(0)
    with pytest.raises(ScenarioError) as exc:
        posterior.scenario(1)
    lines = problem_lines(exc)
    assert len(lines) == 1 and lines[0].startswith(f"{path}: draw 1: the scenario is invalid here:")


# ----------------------------------------------------------------------------- assignment
def test_assignment_is_deterministic_paired_and_prefix_stable(tmp_path: Path, tree) -> None:
    path = uniform_posterior(tmp_path / "p.csv", UNCERTAIN, draws=30)
    posterior = read_posterior(path, tree.data)
    drawn = posterior.assignment(2018, 101)
    assert drawn.shape == (101,)
    assert np.array_equal(drawn, posterior.assignment(2018, 101))
    assert np.array_equal(drawn[0:100:2], drawn[1:101:2])  # pairs share their draw
    assert np.array_equal(posterior.assignment(2018, 40), drawn[:40])  # a longer run extends
    assert not np.array_equal(posterior.assignment(2019, 101), drawn)
    # the documented recipe
    rng = np.random.default_rng(np.random.SeedSequence([2018, POSTERIOR_STREAM]))
    expected = np.searchsorted(np.cumsum(posterior.weights), rng.random(51), side="right")
    assert np.array_equal(drawn, np.repeat(expected, 2)[:101])


def test_assignment_follows_the_weights(tmp_path: Path, tree) -> None:
    weights = np.array([0.0, 0.1, 0.6, 0.3])
    path = write_posterior(tmp_path / "p.csv", {MAKERS: [100.0, 150.0, 200.0, 250.0]}, weights)
    posterior = read_posterior(path, tree.data)
    pairs = posterior.assignment(7, 40_000)[::2]
    shares = np.bincount(pairs, minlength=4) / len(pairs)
    assert shares[0] == 0  # a zero weight is never drawn
    # three standard errors of a proportion of 20,000 pairs
    assert shares == pytest.approx(weights, abs=3 * math.sqrt(0.25 / len(pairs)))


# ----------------------------------------------------------------------------- variance split
