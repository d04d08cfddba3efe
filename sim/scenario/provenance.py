"""Every resolved parameter of a scenario with its provenance, read from the comment beside it.

A comment that starts with ``data:``, ``rule:``, ``calibrated:`` or ``assumption:`` gives the
provenance of the value on its line; values without one inherit it from the nearest enclosing
key that has one (a list of rule bands under ``# rule: ...``). Keys merged from an extended
file keep the provenance and file they were written in.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from sim.scenario.loader import SourceTree

CLASSES = ("data", "rule", "calibrated", "assumption")
#: Keys that describe rather than parameterise (no provenance needed).
DESCRIPTIVE = {"name", "description", "name_zh", "extends", "zone"}


def parse(comment: str | None) -> tuple[str, str] | None:
    """(class, source) from a provenance comment, or None if it is not one."""
    if not comment:
        return None
    head, _, rest = comment.partition(":")
    head = head.strip().lower()
    if head not in CLASSES:
        return None
    return head, rest.strip()


def _is_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return "dist" in value
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "null" if value is None else str(value)


#: Units read off key names (the schema's naming convention), most specific first.
UNIT_SUFFIXES = (
    ("_yuan_per_year", "yuan per year"),
    ("_per_million_yuan", "per million yuan"),
    ("_per_institution_per_year", "per institution per year"),
    ("_per_year", "per year"),
    ("_per_capability", "per unit of capability"),
    ("_yuan", "yuan"),
    ("_m2", "m²"),
    ("_years", "years"),
    ("probability", "probability"),
    ("_share", "share"),
    ("share_of_filings", "share"),
    ("_ratio", "share"),
    ("in_year", "fraction of a year"),
    ("date", "year (decimal)"),
    ("opens", "year (decimal)"),
    ("_year", "year"),
)


def unit_of(path: tuple) -> str:
    """The unit of a parameter, from its own key or the nearest enclosing key that has one."""
    for part in reversed([p for p in path if isinstance(p, str)]):
        for suffix, unit in UNIT_SUFFIXES:
            if part.endswith(suffix):
                return unit
    return ""


def parameter_table(tree: SourceTree) -> pd.DataFrame:
    """One row per parameter: key, value, unit, provenance, source, file, line."""
    rows: list[tuple[str, str, str, str, str, str, int]] = []

    def visit(value: Any, path: tuple, inherited: tuple[str, str] | None) -> None:
        own = parse(tree.comments.get(path)) if path else None
        provenance = own or inherited
        if path and _is_leaf(value):
            if str(path[-1]) in DESCRIPTIVE or path[0] == "goals":
                return
            file, line, _ = tree.positions.get(path, (tree.files[-1], 0, 0))
            klass, source = provenance or ("missing", "")
            key = ".".join(str(p) for p in path)
            rows.append((key, _text(value), unit_of(path), klass, source, file, line))
            return
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            visit(child, (*path, key), provenance)

    visit(tree.data, (), None)
    columns = ["key", "value", "unit", "provenance", "source", "file", "line"]
    return pd.DataFrame(rows, columns=columns)
