"""Tests for strict scenario YAML loading (sim.scenario.loader)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SourceTree, load, read_tree, validation_problems


def write(directory: Path, name: str, text: str) -> str:
    """Write dedented ``text`` to ``directory/name`` and return the path as a string."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def problems(path: str) -> list[tuple[str, int, int, str, str]]:
    """The problems read_tree reports for ``path``, as plain tuples."""
    with pytest.raises(ScenarioError) as info:
        read_tree(path)
    return [(p.file, p.line, p.col, p.key, p.message) for p in info.value.problems]


def assert_plain(value: Any) -> None:
    """Fail if any ruamel (or other non-builtin) type is left in the data."""
    assert type(value) in (dict, list, str, int, float, bool, type(None)), type(value)
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str
            assert_plain(item)
    elif isinstance(value, list):
        for item in value:
            assert_plain(item)


# --------------------------------------------------------------------------- errors module


def test_problem_format_and_error_sorting() -> None:
    late = Problem("b.yaml", 1, 1, "x", "late file")
    second = Problem("a.yaml", 3, 2, "y.0", "second")
    first = Problem("a.yaml", 3, 1, "z", "first\nline")
    error = ScenarioError([late, second, first])
    assert [p.message for p in error.problems] == ["first line", "second", "late file"]
    assert str(error) == (
        "a.yaml:3:1: z: first line\na.yaml:3:2: y.0: second\nb.yaml:1:1: x: late file"
    )


# --------------------------------------------------------------------------- scalars


def test_yaml_1_2_scalars_are_plain_python(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        words: [no, yes, on, off, n, y]
        small: 1e-3
        big: 2E5
        plus: 3e+2
        dotted: 1.5e-3
        octal: 0o17
        hex: 0x1F
        leading_zero: 017
        grouped: 1_000
        negative: -4
        flags: [true, False]
        nothing: ~
        empty:
        date: 2018-01-01
        quoted: "12"
        text: plain words
        """,
    )
    tree = read_tree(path)
    assert tree.data == {
        "words": ["no", "yes", "on", "off", "n", "y"],
        "small": 0.001,
        "big": 200000.0,
        "plus": 300.0,
        "dotted": 0.0015,
        "octal": 15,
        "hex": 31,
        "leading_zero": 17,
        "grouped": 1000,
        "negative": -4,
        "flags": [True, False],
        "nothing": None,
        "empty": None,
        "date": "2018-01-01",
        "quoted": "12",
        "text": "plain words",
    }
    assert type(tree.data["small"]) is float
    assert type(tree.data["big"]) is float
    assert type(tree.data["plus"]) is float
    assert_plain(tree.data)


# --------------------------------------------------------------------------- positions


def test_positions_of_keys_and_items(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        """\
        # leading comment
        carriers:
          hpu_science_park:
            area_m2: 1200
        pools:
          grants:
            tranches:
              - amount_yuan: 5
              -   amount_yuan: 6
            flow: [1, 2]
        """,
    )
    tree = read_tree(path)
    assert tree.files == (path,)
    assert tree.positions[()] == (path, 1, 1)
    assert tree.positions[("carriers",)] == (path, 2, 1)
    assert tree.positions[("carriers", "hpu_science_park")] == (path, 3, 3)
    assert tree.positions[("carriers", "hpu_science_park", "area_m2")] == (path, 4, 5)
    assert tree.positions[("pools", "grants", "tranches", 0)] == (path, 8, 9)
    assert tree.positions[("pools", "grants", "tranches", 0, "amount_yuan")] == (path, 8, 9)
    assert tree.positions[("pools", "grants", "tranches", 1)] == (path, 9, 11)
    assert tree.positions[("pools", "grants", "flow", 1)] == (path, 10, 15)
    assert len(tree.positions) == 14


# --------------------------------------------------------------------------- strictness


def test_duplicate_key_nested(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.yaml",
        """\
        carriers:
          park:
            area_m2: 1
            staff: 2
            area_m2: 3
          lab: {}
        """,
    )
    assert problems(path) == [(path, 5, 5, "carriers.park.area_m2", "duplicate key")]


def test_anchor_and_alias(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        """\
        base: &shared
          x: 1
        other: *shared
        """,
    )
    assert problems(path) == [
        (path, 1, 7, "base", "anchors and aliases are not allowed"),
        (path, 3, 8, "other", "anchors and aliases are not allowed"),
    ]


def test_anchor_alone_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "items:\n  - &first 1\n  - 2\n")
    assert problems(path) == [(path, 2, 5, "items.0", "anchors and aliases are not allowed")]


def test_merge_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.yaml",
        """\
        defaults: &d
          rate: 1
        park:
          <<: *d
          size: 2
        lab:
          <<: {rate: 3}
        """,
    )
    assert problems(path) == [
        (path, 1, 11, "defaults", "anchors and aliases are not allowed"),
        (path, 4, 3, "park.<<", "merge keys are not allowed"),
        (path, 4, 7, "park.<<", "anchors and aliases are not allowed"),
        (path, 7, 3, "lab.<<", "merge keys are not allowed"),
    ]


def test_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        """\
        a: !!str 5
        b:
          c: !!python/object:os.system echo
        d: !foo [1]
        """,
    )
    assert problems(path) == [
        (path, 1, 4, "a", "tags are not allowed"),
        (path, 3, 6, "b.c", "tags are not allowed"),
        (path, 4, 4, "d", "tags are not allowed"),
    ]


def test_nan_and_infinity(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "n.yaml",
        """\
        rate: .nan
        bounds:
          - -.inf
          - .inf
        huge: 1e999
        fine: 1.0
        """,
    )
    message = "NaN and infinity are not allowed"
    assert problems(path) == [
        (path, 1, 7, "rate", message),
        (path, 3, 5, "bounds.0", message),
        (path, 4, 5, "bounds.1", message),
        (path, 5, 7, "huge", message),
    ]


def test_non_string_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "k.yaml",
        """\
        ok: 1
        2018: year
        nested:
          true: yes
          null: x
          "3": quoted keys are strings
          [1, 2]: flow sequence key
        """,
    )
    message = "keys must be strings"
    assert problems(path) == [
        (path, 2, 1, "2018", message),
        (path, 4, 3, "nested.true", message),
        (path, 5, 3, "nested.null", message),
        (path, 7, 3, "nested.?", message),
    ]


def test_all_problems_of_a_file_in_one_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "many.yaml", "a: .nan\nb: !!int 3\nc: 1\nc: 2\n1: x\n")
    assert [(line, key) for _, line, _, key, _ in problems(path)] == [
        (1, "a"),
        (2, "b"),
        (4, "c"),
        (5, "1"),
    ]


def test_syntax_error_position(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: zone\nrate: a: b\n")
    assert problems(path) == [
        (path, 2, 8, "(syntax)", "mapping values are not allowed here"),
    ]


def test_syntax_error_tab_indent(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "a:\n\tb: 1\n")
    [(file, line, col, key, message)] = problems(path)
    assert (file, line, col, key) == (path, 2, 1, "(syntax)")
    assert "\n" not in message and "'\\t'" in message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "e.yaml", text)
    assert problems(path) == [(path, 1, 1, "(file)", "empty scenario file")]


def test_top_level_list(tmp_path: Path) -> None:
    path = write(tmp_path, "l.yaml", "# a list\n- a\n- b\n")
    assert problems(path) == [
        (path, 2, 1, "(file)", "the top level must be a mapping of keys to values, not a list"),
    ]


def test_several_documents(tmp_path: Path) -> None:
    path = write(tmp_path, "docs.yaml", "a: 1\n---\nb: 2\n")
    assert problems(path) == [
        (path, 2, 1, "(file)", "only one YAML document is allowed per file"),
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere.yaml")
    assert problems(path) == [
        (path, 1, 1, "(file)", "cannot read file: No such file or directory"),
    ]


def test_relative_paths_are_kept_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "base.yaml", "rate: .inf\n")
    write(tmp_path, "top.yaml", "extends: base.yaml\n")
    write(tmp_path, "ok_base.yaml", "a: 1\n")
    write(tmp_path, "ok_top.yaml", "extends: ok_base.yaml\n")
    monkeypatch.chdir(tmp_path)
    assert problems("top.yaml") == [
        ("base.yaml", 1, 7, "rate", "NaN and infinity are not allowed"),
    ]
    assert read_tree(Path("ok_top.yaml")).files == ("ok_base.yaml", "ok_top.yaml")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: zone\ncity: Jiaozuo \u00e9\n".encode("latin-1"))
    assert problems(str(path)) == [
        (str(path), 1, 1, "(file)", "file is not valid UTF-8 (byte 0xe9 on line 2)"),
    ]


def test_control_character_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "a: b\x00c\n")
    [(_, line, col, key, message)] = problems(path)
    assert (line, col, key) == (1, 5, "(syntax)")
    assert "unacceptable character" in message


# --------------------------------------------------------------------------- comments


def test_comments_per_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yaml",
        """\
        # file header, not attached
        arrivals:   # arrivals block
          stay_years: 4  # assumption: mean stay of maker teams
          label: "a # inside quotes"
          # a full-line comment
          origins:
            - spinoff    # from the university
            - |  # block scalar
                text # not a comment
          bare: 1 #
        """,
    )
    tree = read_tree(path)
    assert tree.comments == {
        ("arrivals",): "arrivals block",
        ("arrivals", "stay_years"): "assumption: mean stay of maker teams",
        ("arrivals", "origins", 0): "from the university",
        ("arrivals", "origins", 1): "block scalar",
    }
    assert tree.data["arrivals"]["label"] == "a # inside quotes"
    assert tree.data["arrivals"]["origins"][1] == "text # not a comment\n"


# --------------------------------------------------------------------------- extends


def make_chain(tmp_path: Path) -> tuple[str, str, str]:
    base = write(
        tmp_path,
        "base.yaml",
        """\
        name: base          # base name
        carriers:
          park:
            area_m2: 100    # base area
            staff: 3        # base staff
          lab:
            area_m2: 50     # lab area
        tags: [a, b, c]
        horizon: 10         # base horizon
        """,
    )
    mid = write(
        tmp_path,
        "mid.yaml",
        """\
        extends: base.yaml  # the base
        carriers:
          park:
            area_m2: 200    # mid area
          new:
            area_m2: 5
        tags: [x]
        """,
    )
    top = write(
        tmp_path,
        "top.yaml",
        """\
        # top of the chain
        extends: mid.yaml
        horizon: 20
        carriers:
          lab: 7            # lab replaced by a scalar
        """,
    )
    return base, mid, top


def test_extends_chain_of_three(tmp_path: Path) -> None:
    base, mid, top = make_chain(tmp_path)
    tree = read_tree(top)
    assert tree.files == (base, mid, top)
    assert tree.data == {
        "name": "base",
        "carriers": {"park": {"area_m2": 200, "staff": 3}, "lab": 7, "new": {"area_m2": 5}},
        "tags": ["x"],
        "horizon": 20,
    }
    assert list(tree.data) == ["name", "carriers", "tags", "horizon"]
    assert_plain(tree.data)
    pos = tree.positions
    assert pos == {
        (): (top, 1, 1),
        ("name",): (base, 1, 1),
        ("carriers",): (top, 4, 1),
        ("carriers", "park"): (mid, 3, 3),
        ("carriers", "park", "area_m2"): (mid, 4, 5),
        ("carriers", "park", "staff"): (base, 5, 5),
        ("carriers", "lab"): (top, 5, 3),
        ("carriers", "new"): (mid, 5, 3),
        ("carriers", "new", "area_m2"): (mid, 6, 5),
        ("tags",): (mid, 7, 1),
        ("tags", 0): (mid, 7, 8),
        ("horizon",): (top, 3, 1),
    }
    # Comments follow the file that defined the value; replaced subtrees lose theirs.
    assert tree.comments == {
        ("name",): "base name",
        ("carriers", "park", "area_m2"): "mid area",
        ("carriers", "park", "staff"): "base staff",
        ("carriers", "lab"): "lab replaced by a scalar",
    }


def test_extends_path_is_joined_to_the_naming_file(tmp_path: Path) -> None:
    base = write(tmp_path, "common/base.yaml", "rate: .nan\n")
    top = write(tmp_path, "runs/top.yaml", "extends: ../common/base.yaml\n")
    joined = str(Path(top).parent / "../common/base.yaml")
    assert joined != base
    assert problems(top) == [(joined, 1, 7, "rate", "NaN and infinity are not allowed")]


def test_extends_cycle(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nx: 1\n")
    b = write(tmp_path, "b.yaml", "y: 2\nextends: a.yaml\n")
    assert problems(a) == [(b, 2, 1, "extends", f"extends cycle: {a} -> {b} -> {a}")]


def test_extends_itself(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "x: 1\nextends: a.yaml\n")
    assert problems(a) == [(a, 2, 1, "extends", f"extends cycle: {a} -> {a}")]


def test_missing_extends_target(tmp_path: Path) -> None:
    top = write(tmp_path, "top.yaml", "# header\nname: zone\nextends: nope.yaml\n")
    missing = str(tmp_path / "nope.yaml")
    assert problems(top) == [
        (
            top,
            3,
            1,
            "extends",
            f"cannot read extended file '{missing}': No such file or directory",
        ),
    ]


def test_extends_must_be_a_string(tmp_path: Path) -> None:
    top = write(tmp_path, "top.yaml", "name: zone\nextends: [a.yaml]\n")
    assert problems(top) == [
        (top, 2, 1, "extends", "extends must be a file path (a non-empty string)"),
    ]


def test_problems_collected_across_the_chain(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", "a: 1\na: 2\n")
    top = write(tmp_path, "top.yaml", "extends: base.yaml\nb: -.inf\n")
    assert problems(top) == [
        (base, 2, 1, "a", "duplicate key"),
        (top, 2, 4, "b", "NaN and infinity are not allowed"),
    ]


# --------------------------------------------------------------------------- pydantic mapping


class Lognormal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dist: Literal["a"]
    mean: float = Field(ge=0)


class Uniform(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dist: Literal["b"]
    low: float
    high: float


class Carrier(BaseModel):
    model_config = ConfigDict(extra="forbid")
    area_m2: Annotated[Lognormal | Uniform, Field(discriminator="dist")]


class Tranche(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_yuan: int = Field(ge=0)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    carriers: dict[str, Carrier]
    tranches: list[Tranche] = []


def make_model_chain(tmp_path: Path) -> tuple[str, str]:
    base = write(
        tmp_path,
        "base.yaml",
        """\
        carriers:
          park:
            area_m2:
              dist: a
              mean: 10
          lab:
            area_m2: {dist: b, low: 1, high: 2}
        tranches:
          - amount_yuan: 5
        """,
    )
    top = write(
        tmp_path,
        "top.yaml",
        """\
        extends: base.yaml
        carriers:
          park:
            area_m2:
              mean: -3
            colour: red
          shed:
            area_m2:
              dist: b
              high: 2
        """,
    )
    return base, top


def test_load_maps_validation_errors_to_files(tmp_path: Path) -> None:
    base, top = make_model_chain(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load(top, Scenario)
    got = [(p.file, p.line, p.col, p.key, p.message) for p in info.value.problems]
    assert got == [
        (top, 5, 7, "carriers.park.area_m2.mean",
         "Input should be greater than or equal to 0 (got -3)"),
        (top, 6, 5, "carriers.park.colour", "unknown key"),
        (top, 8, 5, "carriers.shed.area_m2.low", "Field required"),
    ]  # fmt: skip
    lines = str(info.value).splitlines()
    assert lines == [
        f"{top}:5:7: carriers.park.area_m2.mean: "
        "Input should be greater than or equal to 0 (got -3)",
        f"{top}:6:5: carriers.park.colour: unknown key",
        f"{top}:8:5: carriers.shed.area_m2.low: Field required",
    ]
    assert all(re.fullmatch(r".+:\d+:\d+: \S+: .+", line) for line in lines)


def test_locate_skips_union_tags(tmp_path: Path) -> None:
    base, top = make_model_chain(tmp_path)
    tree = read_tree(top)
    assert tree.locate(("carriers", "park", "area_m2", "a", "mean")) == (
        top, 5, 7, "carriers.park.area_m2.mean",
    )  # fmt: skip
    assert tree.locate(("carriers", "park", "area_m2", "function-after[check(), a]", "dist")) == (
        base, 4, 7, "carriers.park.area_m2.dist",
    )  # fmt: skip
    assert tree.locate(("carriers", "shed", "area_m2", "b", "low")) == (
        top, 8, 5, "carriers.shed.area_m2.low",
    )  # fmt: skip
    assert tree.locate(("carriers", "lab", "area_m2", "b", "low")) == (
        base, 7, 24, "carriers.lab.area_m2.low",
    )  # fmt: skip
    assert tree.locate(("tranches", 0, "amount_yuan")) == (base, 9, 5, "tranches.0.amount_yuan")
    assert tree.locate(("horizon",)) == (top, 1, 1, "horizon")
    assert tree.locate(()) == (top, 1, 1, "(file)")


def test_validation_problems_in_base_file_and_list_items(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "base.yaml",
        """\
        carriers: {}
        tranches:
          - amount_yuan: 1
          - amount_yuan: -7
        """,
    )
    top = write(tmp_path, "top.yaml", "extends: base.yaml\n")
    tree = read_tree(top)
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(tree.data)
    assert validation_problems(info.value, tree) == [
        Problem(base, 4, 5, "tranches.1.amount_yuan",
                "Input should be greater than or equal to 0 (got -7)"),
    ]  # fmt: skip


def test_long_inputs_are_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", f"carriers: {{}}\ntranches:\n  - amount_yuan: {'9x' * 80}\n")
    with pytest.raises(ScenarioError) as info:
        load(path, Scenario)
    [problem] = info.value.problems
    assert (problem.line, problem.col, problem.key) == (3, 5, "tranches.0.amount_yuan")
    assert problem.message.startswith("Input should be a valid integer")
    got = problem.message.split(" (got ", 1)[1]
    assert got.endswith("...)") and len(got) <= 62


def test_load_returns_model_and_tree(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml", "carriers:\n  lab:\n    area_m2: {dist: a, mean: 2.5}\n")
    model, tree = load(path, Scenario)
    assert isinstance(model, Scenario)
    assert model.carriers["lab"].area_m2 == Lognormal(dist="a", mean=2.5)
    assert isinstance(tree, SourceTree) and tree.files == (path,)


# --------------------------------------------------------------------------- round trip

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=12)
)
_keys = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8)
_top_keys = _keys.filter(lambda key: key != "extends")
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(data=st.dictionaries(_top_keys, _values, min_size=1, max_size=5))
def test_dumped_data_reads_back_unchanged(tmp_path_factory: pytest.TempPathFactory, data) -> None:
    path = tmp_path_factory.mktemp("rt") / "d.yaml"
    with path.open("w", encoding="utf-8") as stream:
        YAML(typ="rt").dump(data, stream)  # block style: flow output has dumper bugs
    tree = read_tree(path)
    assert tree.data == data
    assert_plain(tree.data)


def test_folded_block_scalar_is_plain_text(tmp_path):
    path = tmp_path / "folded.yaml"
    path.write_text("description: >-\n  one two\n  three four\n")
    assert read_tree(path).data["description"] == "one two three four"


# ----------------------------------------------------------------------------- extends
def test_a_childs_distribution_with_its_law_replaces_the_parents_whole(tmp_path: Path) -> None:
    """``{dist: constant, value: 5}`` over a lognormal is a constant (not a constant with the
    parent's ``mean`` and ``sd`` reported as unknown keys at the parent's line); a child's
    ``{mean: 14}`` without ``dist`` changes the parent's parameter and keeps its law."""
    from sim.distributions import Constant, Lognormal
    from sim.scenario import load_scenario
    from tests.helpers import BASELINE

    replaced = tmp_path / "replaced.yaml"
    replaced.write_text(
        f"extends: {BASELINE}\nname: child\n"
        "initial_state:\n  enterprise_age_years: {dist: constant, value: 5}\n",
        encoding="utf-8",
    )
    age = load_scenario(replaced).initial_state.enterprise_age_years
    assert isinstance(age, Constant) and age.value == 5
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        f"extends: {BASELINE}\nname: child\ninitial_state:\n  enterprise_age_years: {{mean: 14}}\n",
        encoding="utf-8",
    )
    age = load_scenario(changed).initial_state.enterprise_age_years
    assert isinstance(age, Lognormal) and (age.mean, age.sd) == (14, 8.0)
    tree = read_tree(replaced)
    assert tree.locate(("initial_state", "enterprise_age_years", "value"))[0] == str(replaced)


def test_null_removes_an_inherited_entry_and_replace_drops_a_section(tmp_path: Path) -> None:
    """``carriers: {chuangji_zhigu: null}`` deletes a carrier; ``replace: [goals]`` keeps none
    of the parent's goals; a path ``replace`` names that the parent lacks is an error at its
    item; ``replace`` without ``extends`` is refused."""
    from sim.scenario import load_scenario
    from tests.helpers import BASELINE

    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {BASELINE}\nname: one\nreplace: [goals]\n"
        "carriers:\n  chuangji_zhigu: null\n"
        "goals:\n  hte: {description: HTE, target: 25, year: 2022, indicator: national_hte}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(child)
    assert "chuangji_zhigu" not in scenario.carriers and len(scenario.carriers) == 5
    assert list(scenario.goals) == ["hte"]
    tree = read_tree(child)
    assert not any(p[:2] == ("carriers", "chuangji_zhigu") for p in tree.positions)
    assert all(p[1] == "hte" for p in tree.positions if p[:1] == ("goals",) and len(p) > 1)

    missing = tmp_path / "missing.yaml"
    missing.write_text(f"extends: {BASELINE}\nreplace:\n  - goals\n  - no.such\n", "utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_tree(missing)
    assert [p.format() for p in caught.value.problems] == [
        f"{missing}:4:5: replace: no.such is not in {BASELINE}"
    ]
    alone = tmp_path / "alone.yaml"
    alone.write_text("name: x\nreplace: [goals]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="replace needs extends"):
        read_tree(alone)
