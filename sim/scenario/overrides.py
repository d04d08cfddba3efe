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
#: Words a YAML reader may take for booleans or null: always quoted.
_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str) and _PLAIN.match(value) and value.lower() not in _WORDS:
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
    base_comments: Mapping[tuple[str | int, ...], str] | None = None,
) -> str:
    """YAML text of a scenario that extends ``base_file`` (path written relative to
    ``out_file``'s folder) with ``values`` set at their dotted paths, each with its comment
    from ``comments``. A list holding a changed key is written whole: its other items and keys
    keep their comments from ``base_comments`` (the base tree's ``comments``)."""
    data = copy.deepcopy(dict(base_data))
    tree: dict[str, Any] = {}
    notes: dict[tuple[str | int, ...], str] = dict(base_comments or {})
    for path, value in values.items():
        set_path(data, path, value)
        steps = parts(path)
        notes[steps] = comments.get(path, "")
        cut = next((i for i, p in enumerate(steps) if isinstance(p, int)), len(steps) - 1)
        node = tree
        for part in steps[: cut - 1] if isinstance(steps[cut], int) else steps[:-1]:
            node = node.setdefault(part, {})
        if isinstance(steps[cut], int):
            head = steps[:cut]
            node[head[-1]] = get_path(data, ".".join(map(str, head)))
        else:
            node[steps[-1]] = get_path(data, path)
    changed = {parts(path) for path in values}
    relative = os.path.relpath(Path(base_file).resolve(), Path(out_file).resolve().parent)
    lines = [f"# {line}" for line in header]
    lines += [f"extends: {_scalar(relative)}", f"name: {_scalar(name)}"]
    lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    lines.append("")
    _emit(tree, 0, (), notes, changed, lines)
    return "\n".join(lines) + "\n"


def _comment(note: str) -> str:
    return f"  # {note}" if note else ""


def _emit(
    node: dict[str, Any],
    indent: int,
    path: tuple[str | int, ...],
    notes: Mapping[tuple[str | int, ...], str],
    changed: set[tuple[str | int, ...]],
    lines: list[str],
) -> None:
    pad = "  " * indent
    for key, value in node.items():
        here = (*path, key)
        if isinstance(value, dict):
            lines.append(f"{pad}{_key(key)}:")
            _emit(value, indent + 1, here, notes, changed, lines)
        elif isinstance(value, list):
            lines.append(f"{pad}{_key(key)}:" + _comment(notes.get(here, "")))
            for index, item in enumerate(value):
                item_path = (*here, index)
                touched = any(c[: len(item_path)] == item_path for c in changed)
                if isinstance(item, dict) and touched:
                    # one key per line, so each keeps its own provenance
                    for number, (field, entry) in enumerate(item.items()):
                        note = notes.get((*item_path, field)) or notes.get(item_path, "")
                        if (*item_path, field) in changed:
                            note = notes[(*item_path, field)]
                        lead = "- " if number == 0 else "  "
                        lines.append(f"{pad}  {lead}{_key(field)}: {_flow(entry)}" + _comment(note))
                else:
                    lines.append(f"{pad}  - {_flow(item)}" + _comment(notes.get(item_path, "")))
        else:
            lines.append(f"{pad}{_key(key)}: {_flow(value)}" + _comment(notes.get(here, "")))
