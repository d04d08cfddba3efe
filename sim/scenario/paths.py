"""Dotted paths into plain scenario data: ``funding.pools.talent_fund.yearly.amount_yuan``,
with list items by index (``funding.loans.institutions.1.count``)."""

from __future__ import annotations

import difflib
from typing import Any


def parts(path: str) -> tuple[str | int, ...]:
    """Components of a dotted path (digits are list indexes)."""
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def _steps_into(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path of plain scenario data (KeyError if absent)."""
    node = data
    for part in parts(path):
        if not _steps_into(node, part):
            raise KeyError(part)
        node = node[part]
    return node


def set_path(data: Any, path: str, value: float) -> None:
    """Set the value at a dotted path of plain scenario data in place."""
    *head, last = parts(path)
    node = data
    for part in head:
        node = node[part]
    node[last] = value


def missing_message(data: Any, path: str) -> str:
    """Why a dotted path does not name a key of the data (with a close match, if any)."""
    node, walked = data, []
    for part in parts(path):
        if _steps_into(node, part):
            node, walked = node[part], [*walked, str(part)]
        else:
            where = ".".join(walked) or "the top level"
            if isinstance(node, dict):
                close = difflib.get_close_matches(str(part), [str(k) for k in node], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                return f"no scenario key '{part}' under {where}{hint}"
            if isinstance(node, list):
                return f"{where} is a list of {len(node)} items; '{part}' is not an index of it"
            return f"{where} is a value, not a section: nothing named '{part}' in it"
    return "not found"
