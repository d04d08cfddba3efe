"""Scenarios: the typed schema and strict loading of scenario YAML files."""

from __future__ import annotations

import os

import pydantic

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SourceTree, read_tree, validation_problems
from sim.scenario.schema import Scenario, cross_check


def load_scenario_with_tree(path: str | os.PathLike[str]) -> tuple[Scenario, SourceTree]:
    """Read, merge (``extends``) and validate a scenario file; also return its source tree."""
    tree = read_tree(path)
    try:
        scenario = Scenario.model_validate(tree.data)
    except pydantic.ValidationError as exc:
        raise ScenarioError(validation_problems(exc, tree)) from None
    problems = []
    for loc, message in cross_check(scenario):
        file, line, col, key = tree.locate(loc)
        problems.append(Problem(file, line, col, key, message))
    if problems:
        raise ScenarioError(problems)
    return scenario, tree


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, merge and validate a scenario file. Raises ScenarioError with one line per problem."""
    return load_scenario_with_tree(path)[0]


__all__ = [
    "Scenario",
    "ScenarioError",
    "Problem",
    "SourceTree",
    "load_scenario",
    "load_scenario_with_tree",
]
