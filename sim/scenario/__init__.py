"""Scenarios: the typed schema and strict loading of scenario YAML files."""

from __future__ import annotations

import copy
import os

import pydantic

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SourceTree, read_tree, validation_problems
from sim.scenario.posterior import Posterior, read_posterior
from sim.scenario.schema import Scenario, cross_check


def load_scenario_with_tree(path: str | os.PathLike[str]) -> tuple[Scenario, SourceTree]:
    """Read, merge (``extends``) and validate a scenario file; also return its source tree.

    Every problem comes in one pass: when the schema finds some, the cross-checks (dates in
    the window, known carriers and sectors, ...) still run on the scenario without the
    offending entries, where it is valid without them (an unknown key, a value with a
    default)."""
    tree = read_tree(path)
    try:
        scenario = Scenario.model_validate(tree.data)
    except pydantic.ValidationError as exc:
        problems = validation_problems(exc, tree)
        repaired = _without_offending(tree.data, exc)
        if repaired is not None:
            problems += _cross_problems(repaired, tree, {(p.line, p.col) for p in problems})
        raise ScenarioError(problems) from None
    problems = _cross_problems(scenario, tree, set())
    if problems:
        raise ScenarioError(problems)
    return scenario, tree


def _cross_problems(
    scenario: Scenario, tree: SourceTree, reported: set[tuple[int, int]]
) -> list[Problem]:
    """The cross-checks' problems, placed in the files, except at positions already reported."""
    problems = []
    for loc, message in cross_check(scenario):
        file, line, col, key = tree.locate(loc)
        if (line, col) not in reported:
            problems.append(Problem(file, line, col, key, message))
    return problems


def _without_offending(data: dict, exc: pydantic.ValidationError) -> Scenario | None:
    """The scenario without the entries the schema refused, if that is valid (their
    defaults apply), else None."""
    data = copy.deepcopy(data)
    for error in exc.errors(include_url=False):
        parent = data
        for part in error["loc"][:-1]:
            in_mapping = isinstance(parent, dict) and part in parent
            in_list = isinstance(parent, list) and isinstance(part, int) and part < len(parent)
            if in_mapping or in_list:
                parent = parent[part]
            else:
                parent = None
                break
        if isinstance(parent, dict) and error["loc"]:
            parent.pop(error["loc"][-1], None)
    try:
        return Scenario.model_validate(data)
    except pydantic.ValidationError:
        return None


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, merge and validate a scenario file. Raises ScenarioError with one line per problem."""
    return load_scenario_with_tree(path)[0]


__all__ = [
    "Posterior",
    "Scenario",
    "ScenarioError",
    "Problem",
    "SourceTree",
    "load_scenario",
    "load_scenario_with_tree",
    "read_posterior",
]
