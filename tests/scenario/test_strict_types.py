"""Strict types, as the README promises: YAML 1.2 scalars and no coercion by pydantic. Numbers
are numbers (an integer is a number), booleans are ``true``/``false``, integers are integers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario
from tests.helpers import BASELINE


def scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "strict.yaml"
    path.write_text(f"extends: {BASELINE.resolve()}\nname: strict\n{body}", encoding="utf-8")
    return path


ORIGIN = "arrivals:\n  origins:\n    maker_team:\n"


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        (ORIGIN + '      rate_per_year: "210"\n', "rate_per_year", "a valid number (got '210')"),
        (ORIGIN + '      rate_per_year: "1e-3"\n', "rate_per_year", "a valid number"),
        (ORIGIN + "      high_level_team: no\n", "high_level_team", "a valid boolean (got 'no')"),
        (ORIGIN + "      high_level_team: off\n", "high_level_team", "a valid boolean"),
        (ORIGIN + '      high_level_team: "true"\n', "high_level_team", "a valid boolean"),
        (ORIGIN + "      high_level_team: 1\n", "high_level_team", "a valid boolean"),
        ("horizon:\n  end_year: 2030.0\n", "horizon.end_year", "a valid integer (got 2030.0)"),
        ("horizon:\n  end_year: true\n", "horizon.end_year", "a valid integer"),
        ("initial_state:\n  national_hte: 13.5\n", "initial_state.national_hte", "integer"),
        (
            "certification:\n  hte:\n    cultivation:\n      firms_per_year: '5'\n",
            "firms_per_year",
            "integer",
        ),
        ("firms:\n  patience_years: {dist: exponential, mean: '0.5'}\n", "mean", "a valid number"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(
    tmp_path: Path, body: str, key: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario(tmp_path, body))
    problems = caught.value.problems
    assert len(problems) == 1, [p.format() for p in problems]
    (problem,) = problems
    assert problem.file == str(tmp_path / "strict.yaml") and problem.line >= 3
    assert key in problem.key
    assert message in problem.message


def test_integers_are_numbers_and_true_false_are_booleans(tmp_path: Path) -> None:
    loaded = load_scenario(
        scenario(
            tmp_path,
            ORIGIN + "      rate_per_year: 210\n      high_level_team: false\n"
            "incubation:\n  graduate_on_hte: true\n  acquisition_rate_per_year: 1.0e-3\n",
        )
    )
    origin = loaded.arrivals.origins["maker_team"]
    assert origin.rate_per_year == 210.0 and origin.high_level_team is False
    assert loaded.incubation.graduate_on_hte is True
    assert loaded.incubation.acquisition_rate_per_year == 0.001
