"""The reference of every scenario key, generated from the schema (``python -m
sim.scenario.reference``), so the documentation cannot drift from the code."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.distributions import DistributionBase
from sim.scenario.schema import Scenario


def _is_model(tp: object) -> bool:
    return (
        isinstance(tp, type) and issubclass(tp, BaseModel) and not issubclass(tp, DistributionBase)
    )


def _is_distribution(tp: object) -> bool:
    args = typing.get_args(tp)
    return any(isinstance(a, type) and issubclass(a, DistributionBase) for a in args) or (
        isinstance(tp, type) and issubclass(tp, DistributionBase)
    )


def _bounds(field: FieldInfo) -> str:
    lower = upper = ""
    for meta in field.metadata:
        if isinstance(meta, annotated_types.Ge):
            lower = f"≥ {meta.ge}"
        elif isinstance(meta, annotated_types.Gt):
            lower = f"> {meta.gt}"
        elif isinstance(meta, annotated_types.Le):
            upper = f"≤ {meta.le}"
        elif isinstance(meta, annotated_types.Lt):
            upper = f"< {meta.lt}"
    return ", ".join(b for b in (lower, upper) if b)


def _type_name(tp: object, field: FieldInfo | None = None) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if _is_distribution(tp):
        return "distribution"
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" or null" if type(None) in args else "")
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of name → {_type_name(args[1])}"
    if origin is typing.Annotated:
        return _type_name(args[0])
    if _is_model(tp):
        return "mapping"
    name = {float: "number", int: "integer", str: "text", bool: "true/false"}.get(tp, str(tp))
    bounds = _bounds(field) if field is not None else ""
    return f"{name} ({bounds})" if bounds else name


def _children(tp: object) -> tuple[str, type[BaseModel]] | None:
    """(path suffix, model) when a field's values are themselves keyed mappings."""
    if _is_distribution(tp):
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if _is_model(tp):
        return "", tp  # type: ignore[return-value]
    if origin is dict and _is_model(args[1]):
        return ".<name>", args[1]
    if origin is list and _is_model(args[0]):
        return "[]", args[0]
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None) and (found := _children(arg)):
                return found
    return None


def _yaml(value: object) -> str:
    """A default value as it would be written in YAML."""
    if isinstance(value, BaseModel):
        return "see below"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def keys(
    model: type[BaseModel] = Scenario, prefix: str = ""
) -> Iterator[tuple[str, str, str, str]]:
    """(key path, type, default, meaning) for every key, depth first."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{field.alias or name}"
        default = "required" if field.is_required() else _yaml(field.get_default())
        yield path, _type_name(field.annotation, field), default, field.description or ""
        nested = _children(field.annotation)
        if nested:
            suffix, child = nested
            yield from keys(child, f"{path}{suffix}.")


def keys_markdown() -> str:
    """The key reference as a Markdown table."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for path, type_name, default, meaning in keys():
        default = "" if default == "required" else f"`{default}`"
        meaning = " ".join(meaning.split()).replace("|", "\\|")  # one table row per key
        rows.append(f"| `{path}` | {type_name} | {default} | {meaning} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(keys_markdown(), end="")
