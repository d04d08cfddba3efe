"""A new zone's files: a commented, valid scenario skeleton built from the schema and the
Jiaozuo example, and the shipped example zones (``zonesim init``).

The skeleton has every key of the schema. Behaviour values (rates, distributions, national
rules) are the Jiaozuo example's; the zone's own parts (name, carriers, their occupants, goals)
are generic; dates, goal years and the horizon are shifted to the new start year. Every value
carries the comment ``# assumption: set for your zone (Jiaozuo's value: ...)`` until the user
replaces it with the value's provenance. This module builds text; it neither prints nor writes.

The example zones are shipped inside the package (``sim/examples/<zone>/``, copied from
``scenarios/`` when the package is built, see ``setup.py``); in a checkout they are read from
``scenarios/`` directly.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import __version__
from sim.distributions import DistributionBase
from sim.indicators import INDICATORS
from sim.scenario.loader import read_tree
from sim.scenario.schema import CarrierOccupants, Goal, Scenario, cross_check

#: Example zones: name -> (folder in a checkout, relative to the repository root; the glob
#: patterns of its files). ``setup.py`` ships the same files as ``sim/examples/<name>/``
#: (a test keeps the two in step).
EXAMPLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "jiaozuo": ("scenarios", ("*.yaml", "spaces/*.yaml")),
    "incubator": ("scenarios/examples/incubator", ("*.yaml",)),
}
#: The main scenario of each example zone.
EXAMPLE_SCENARIOS = {"jiaozuo": "baseline.yaml", "incubator": "incubator.yaml"}
#: The example the skeleton takes its values from, and its scenario file.
REFERENCE = ("jiaozuo", "baseline.yaml")
#: Where the skeleton's observations go (the name ``run`` looks for beside a scenario).
OBSERVATIONS_FILE = "observations.yaml"
MAX_CARRIERS = 50
WIDTH = 100

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


class ScaffoldError(ValueError):
    """A bad request (name, carriers, start year) or a missing example."""


# ----------------------------------------------------------------------------- examples
def example_dir(name: str) -> Path:
    """The folder of an example zone: the package's copy, else the checkout's ``scenarios/``."""
    if name not in EXAMPLES:
        raise ScaffoldError(f"unknown example {name!r} (examples: {', '.join(EXAMPLES)})")
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "examples" / name
    if packaged.is_dir():
        return packaged
    checkout = here.parents[2] / EXAMPLES[name][0]
    if checkout.is_dir():
        return checkout
    raise ScaffoldError(f"example {name!r} is not installed (looked in {packaged})")


def example_files(name: str, folder: Path | None = None) -> dict[str, Path]:
    """The files of an example zone: relative path (``/``-separated) -> file."""
    folder = example_dir(name) if folder is None else folder
    files: dict[str, Path] = {}
    for pattern in EXAMPLES[name][1]:
        for path in sorted(folder.glob(pattern)):
            if path.is_file():
                files[path.relative_to(folder).as_posix()] = path
    return files


# ----------------------------------------------------------------------------- schema walk
def _is_distribution(tp: object) -> bool:
    if isinstance(tp, type) and issubclass(tp, DistributionBase):
        return True
    return any(_is_distribution(a) for a in typing.get_args(tp))


def _model(tp: object) -> type[BaseModel] | None:
    """The model a field holds (also ``Model | None``), not a distribution."""
    if _is_distribution(tp):
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is not type(None) and (found := _model(arg)):
                return found
    return None


def _container(tp: object) -> tuple[type, type[BaseModel]] | None:
    """(dict or list, model) for ``dict[str, Model]`` and ``list[Model]``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is dict and (model := _model(args[1])):
        return dict, model
    if origin is list and (model := _model(args[0])):
        return list, model
    return None


def _is_date(field: FieldInfo) -> bool:
    """A calendar year or date: a number bounded below by 1900 (``Year`` and its kin)."""

    def bounded(metadata: list[Any]) -> bool:
        return any(isinstance(m, annotated_types.Ge) and m.ge == 1900 for m in metadata)

    def search(tp: object) -> bool:
        if typing.get_origin(tp) is typing.Annotated:
            extra = typing.get_args(tp)[1:]
            if any(isinstance(m, FieldInfo) and bounded(m.metadata) for m in extra):
                return True
            if bounded(list(extra)):
                return True
        return any(search(a) for a in typing.get_args(tp) if a is not type(None))

    return bounded(field.metadata) or search(field.annotation)


def _default(field: FieldInfo) -> Any:
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value))


def _complete(model: type[BaseModel], data: dict[str, Any], shift: int) -> dict[str, Any]:
    """``data`` with every missing key at its default and every date moved by ``shift``."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        value = data[name] if name in data else _default(field)
        if value is not None:
            child = _model(field.annotation)
            container = _container(field.annotation)
            if child is not None and isinstance(value, dict):
                value = _complete(child, value, shift)
            elif container is not None and container[0] is dict:
                value = {k: _complete(container[1], v, shift) for k, v in value.items()}
            elif container is not None:
                value = [_complete(container[1], v, shift) for v in value]
            elif _is_date(field) and isinstance(value, int | float):
                value = value + shift
        out[name] = value
    return out


# ----------------------------------------------------------------------------- the skeleton
def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _check_request(name: str, carriers: int, start_year: int | None) -> None:
    if not _ID.match(name):
        raise ScaffoldError(
            f"zone name {name!r}: use 1 to 64 letters, digits, _ or - (it names the scenario, "
            "its results folder and the zone)"
        )
    if not 1 <= carriers <= MAX_CARRIERS:
        raise ScaffoldError(f"--carriers must be 1 to {MAX_CARRIERS} (got {carriers})")
    if start_year is not None and not 1900 <= start_year <= 2150:
        raise ScaffoldError(f"--start-year must be 1900 to 2150 (got {start_year})")


def skeleton_data(
    name: str, carriers: int = 3, start_year: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the skeleton's values, the Jiaozuo value of each, in the same shape where it has one)."""
    _check_request(name, carriers, start_year)
    folder = example_dir(REFERENCE[0])
    base = _plain(read_tree(folder / REFERENCE[1]).data)
    base_start = base.get("horizon", {}).get("start_year", 2018)
    start = base_start if start_year is None else start_year
    shift = start - base_start
    data = _complete(Scenario, base, shift)
    reference = _complete(Scenario, base, 0)

    data["name"] = name
    data["zone"] = name
    data["description"] = f"The zone {name} from its {start} state (replace with a description)."

    # carriers: generic, open before the clock starts, each with a few occupants
    ref_carriers = reference["carriers"]
    template = next(iter(ref_carriers.values()))
    new_carriers = {}
    for k in range(1, carriers + 1):
        carrier = dict(template)
        carrier.update(
            name=f"Carrier {k}",
            name_zh="",
            opens=float(start - 1),
            area_m2=10000,
            expansions=[],
            accepts=["team", "startup"],
            incubator=True,
            preferred_sectors=[],
            other_sector_admission_probability=1.0,
            max_firm_area_m2=1000,
        )
        new_carriers[f"carrier_{k}"] = carrier
    data["carriers"] = new_carriers
    occupants = CarrierOccupants(firms=20, teams=10).model_dump(mode="json")  # every key
    data["initial_state"]["carriers"] = {key: dict(occupants) for key in new_carriers}
    for origin in data["arrivals"]["origins"].values():
        origin["preferred_carriers"] = []

    # goals: the Jiaozuo goals that the model records, at the same distance from the start
    # year, without Jiaozuo's observed bases; and one goal the model does not represent
    goals: dict[str, Any] = {}
    goal_year = start + 2
    for key, goal in data["goals"].items():
        if goal.get("readings"):  # a goal read several ways: the skeleton keeps its main reading
            main = next(iter(goal["readings"].values()))
            goal = {**goal, "readings": {}, "target": main["target"]}
            goal["indicator"] = main.get("indicator")
        indicator = goal.get("indicator")
        if indicator is None:
            continue
        kind = indicator.partition(".")[0]
        if kind in ("rd_intensity", "industrial_rd_ratio", "invention_patents_per_10k") and (
            data.get("economy") is None
        ):
            continue
        goal = dict(goal)
        goal["description"] = INDICATORS[kind].label if kind in INDICATORS else key
        goal["base"] = None
        goal["words"] = goal["source"] = None  # the zone's own sources say them
        goal_year = goal["year"]
        goals[key] = goal
    goals["example_not_modelled"] = Goal(
        description="a goal the model does not represent (replace or delete)",
        target=1,
        year=goal_year,
        not_modelled_reason="say why the model does not represent it",
    ).model_dump(mode="json")  # every key
    data["goals"] = goals
    return data, reference


def _check(data: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(data)
    problems = cross_check(scenario)
    if problems:
        raise ScaffoldError(
            "the skeleton does not validate (the Jiaozuo example changed?): "
            + "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems)
        )


# ----------------------------------------------------------------------------- YAML text
def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ScaffoldError(f"not a finite number: {value}")
        return repr(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    """A value in YAML flow style (what the strict loader reads back to the same value)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return _scalar(value)


def _jiaozuo(value: Any, limit: int = 70) -> str:
    text = flow(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MISSING = object()


class _Writer:
    """Writes a scenario's values as commented YAML; ``note`` gives each value's comment."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.assumptions = 0

    def note(self, path: tuple[str | int, ...], value: Any, ref: Any) -> str:
        text = "assumption: set for your zone"
        if ref is not _MISSING:
            text += f" (Jiaozuo's value: {_jiaozuo(ref)})"
        return text

    def comment(self, text: str, indent: int) -> None:
        prefix = " " * indent + "# "
        for paragraph in text.split("\n\n"):
            wrapped = textwrap.wrap(" ".join(paragraph.split()), WIDTH - len(prefix))
            self.lines.extend(prefix + line for line in wrapped)

    def leaf(self, path: tuple[str | int, ...], head: str, value: Any, ref: Any) -> None:
        self.lines.append(f"{head}{flow(value)}  # {self.note(path, value, ref)}")

    def model(
        self, model: type[BaseModel], data: dict, ref: Any, indent: int, path: tuple = ()
    ) -> None:
        ref = ref if isinstance(ref, dict) else {}
        pad = " " * indent
        for name, field in model.model_fields.items():
            if field.description:
                self.comment(field.description, indent)
            self.field(
                (*path, name), f"{pad}{name}: ", field, data[name], ref.get(name, _MISSING), indent
            )

    def field(
        self, path: tuple, head: str, field: FieldInfo, value: Any, ref: Any, indent: int
    ) -> None:
        child = _model(field.annotation)
        container = _container(field.annotation)
        if child is not None and isinstance(value, dict):
            self.lines.append(head.rstrip())
            self.model(child, value, ref, indent + 2, path)
        elif container is not None and container[0] is dict and value:
            self.lines.append(head.rstrip())
            refs = ref if isinstance(ref, dict) else {}
            first_key = next(iter(refs), None)
            for key, entry in value.items():
                self.lines.append(f"{' ' * (indent + 2)}{_scalar(key)}:")
                if key in refs:
                    entry_ref = refs[key]
                elif first_key is not None:
                    entry_ref = refs[first_key]
                    self.comment(f"(Jiaozuo's values below: its {first_key})", indent + 4)
                else:
                    entry_ref = _MISSING
                self.model(container[1], entry, entry_ref, indent + 4, (*path, key))
        elif container is not None and container[0] is list and value:
            self.lines.append(head.rstrip())
            refs = ref if isinstance(ref, list) else []
            for i, item in enumerate(value):
                item_ref = refs[i] if i < len(refs) else _MISSING
                self.leaf((*path, i), f"{' ' * (indent + 2)}- ", item, item_ref)
        else:
            self.leaf(path, head, value, ref)


HEADER = """\
# Scenario of the zone {name}: a skeleton written by `zonesim init` (zonesim {version}).
#
# Every key of the schema is here, with its meaning above it. The values are the Jiaozuo
# High-tech Zone's (the example zone, `zonesim init --example jiaozuo`), shifted to the start
# year {start}, except the zone's own parts: {carriers} generic carriers with a few occupants, and
# goals {goal_year} on the indicators the model records. Each value says
#     # assumption: set for your zone (Jiaozuo's value: ...)
# until you set it. Replace that comment with the value's provenance, starting with its class
# (docs/scenarios.md): `data:` a figure from a source, with its year; `rule:` a national
# threshold, naming the measure; `calibrated:` tuned to reproduce the observation named;
# `assumption:` a judgement not in the sources, stated so that it can be challenged.
#
# Sectors, carriers, pools and origins are referred to by id elsewhere in the file: rename them
# everywhere at once. Then `zonesim validate {file}` and `zonesim run {file}`.
# Units: years are calendar years as decimals (2020.6 = early August 2020); money in yuan; floor
# area in m²; rates per year.
"""

OBSERVATIONS = """\
# Observed figures of the zone {name}, for the fan charts and calibration (docs/scenarios.md,
# "Observed figures"). `zonesim run` reads this file when it is beside the scenario and names
# the scenario's zone. One line per figure a source gives, for example:
#   - {{indicator: national_hte, year: {start}, value: 12, source: "the source, its year"}}
#   - {{indicator: firms_in_carriers, year: {later}, value: 120, low: 120, high: 129, approx: true,
#      source: "120余 firms"}}
zone: {name}  # the scenario's zone (its `zone:` key)
observations: []
"""


def scaffold(name: str, carriers: int = 3, start_year: int | None = None) -> dict[str, str]:
    """The files of a new zone: ``{NAME}.yaml`` (the scenario skeleton) and
    ``observations.yaml`` (no figures yet), as file name -> text. Raises ScaffoldError."""
    data, reference = skeleton_data(name, carriers, start_year)
    _check(data)
    start = data["horizon"]["start_year"]
    years = sorted({goal["year"] for goal in data["goals"].values()})
    writer = _Writer()
    file = f"{name}.yaml"
    writer.lines.extend(
        HEADER.format(
            name=name,
            version=__version__,
            start=start,
            carriers=carriers,
            goal_year="for " + " and ".join(map(str, years)),
            file=file,
        ).splitlines()
    )
    writer.lines.append("")
    writer.model(Scenario, data, reference, 0)
    scenario_text = "\n".join(writer.lines) + "\n"
    observations = OBSERVATIONS.format(name=name, start=start, later=start + 2)
    return {file: scenario_text, OBSERVATIONS_FILE: observations}


def assumption_count(text: str) -> int:
    """How many values of a skeleton still say ``assumption: set for your zone``."""
    return text.count("# assumption: set for your zone")


__all__ = [
    "EXAMPLES",
    "EXAMPLE_SCENARIOS",
    "ScaffoldError",
    "assumption_count",
    "example_dir",
    "example_files",
    "flow",
    "scaffold",
    "skeleton_data",
]
