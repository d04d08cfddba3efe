"""Write a scenario file that ``extends`` another and overrides some keys, each override with
its provenance comment (what ``calibrate`` and ``tune`` hand back to the user).

A key inside a list (``...tranches.0.amount_yuan``) overrides the whole list, because
``extends`` replaces lists whole; the changed item carries the comment.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.scenario.paths import get_path, parts, set_path

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str) and _PLAIN.match(value) and value not in ("true", "false", "null"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)}: {_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _key(key: Any) -> str:
    return str(key) if _PLAIN.match(str(key)) else json.dumps(str(key))


def override_text(
    base_file: str | os.PathLike[str],
    out_file: str | os.PathLike[str],
    base_data: Mapping[str, Any],
    values: Mapping[str, float],
    comments: Mapping[str, str],
    name: str,
    description: str,
    header: list[str],
) -> str:
    """YAML text of a scenario that extends ``base_file`` (path written relative to
    ``out_file``'s folder) with ``values`` set at their dotted paths."""
    data = copy.deepcopy(dict(base_data))
    tree: dict[str, Any] = {}
    item_comments: dict[tuple[str | int, ...], str] = {}
    for path, value in values.items():
        set_path(data, path, value)
        steps = list(parts(path))
        cut = next((i for i, p in enumerate(steps) if isinstance(p, int)), None)
        if cut is None:
            node = tree
            for part in steps[:-1]:
                node = node.setdefault(part, {})
            node[steps[-1]] = get_path(data, path)
            item_comments[tuple(steps)] = comments.get(path, "")
        else:
            head = steps[:cut]
            node = tree
            for part in head[:-1]:
                node = node.setdefault(part, {})
            node[head[-1]] = get_path(data, ".".join(map(str, head)))
            key = (*head, steps[cut])
            item_comments[key] = "; ".join(
                c for c in (item_comments.get(key, ""), comments.get(path, "")) if c
            )
    relative = os.path.relpath(Path(base_file).resolve(), Path(out_file).resolve().parent)
    lines = [f"# {line}" for line in header]
    lines += [f"extends: {_scalar(relative)}", f"name: {_scalar(name)}"]
    lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    lines.append("")
    _emit(tree, 0, (), item_comments, lines)
    return "\n".join(lines) + "\n"


def _emit(
    node: dict[str, Any],
    indent: int,
    path: tuple[str | int, ...],
    comments: Mapping[tuple[str | int, ...], str],
    lines: list[str],
) -> None:
    pad = "  " * indent
    for key, value in node.items():
        here = (*path, key)
        if isinstance(value, dict) and here not in comments:
            lines.append(f"{pad}{_key(key)}:")
            _emit(value, indent + 1, here, comments, lines)
        elif isinstance(value, list):
            lines.append(f"{pad}{_key(key)}:")
            for index, item in enumerate(value):
                note = comments.get((*here, index), "")
                lines.append(f"{pad}  - {_flow(item)}" + (f"  # {note}" if note else ""))
        else:
            note = comments.get(here, "")
            lines.append(f"{pad}{_key(key)}: {_flow(value)}" + (f"  # {note}" if note else ""))
