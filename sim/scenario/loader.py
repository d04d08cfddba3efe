"""Strict scenario YAML loading with source positions, ``extends`` merging and error mapping.

Scenario files are read as YAML 1.2 with ruamel.yaml's round-trip parser, but the document is
built from the parse events here rather than by ruamel's constructor.  That keeps the data
plain (dict/list/str/int/float/bool/None), records where every key and list item was written,
and lets every problem in a file be reported in one pass instead of stopping at the first.

Rejected: duplicate keys, anchors/aliases/merge keys, explicit tags, NaN/infinity, non-string
keys, a top level that is not a mapping, more than one YAML document.  Timestamps such as
``2018-01-01`` are kept as strings (pydantic parses them where a date is expected).
"""

from __future__ import annotations

import copy
import math
import os
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, StreamMark, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tokens import CommentToken

from sim.scenario.errors import Problem, ScenarioError

Path = tuple[str | int, ...]
"""Location of a value in the data: mapping keys and list indexes from the top down."""

Position = tuple[str, int, int]
"""(file, line, col) with 1-based line and column."""

M = TypeVar("M", bound=pydantic.BaseModel)

EXTENDS_KEY = "extends"
#: Beside ``extends``: dotted paths of the extended file's entries this file replaces whole
#: (``replace: [carriers, goals]``) instead of merging into them key by key.
REPLACE_KEY = "replace"
#: Largest input file read (bytes): a scenario is a few tens of kilobytes.
MAX_FILE_BYTES = 2_000_000
#: Deepest nesting of flow collections (``[``, ``{``) accepted before parsing.
MAX_FLOW_DEPTH = 64
#: Suffixes of files ``extends`` may name.
EXTENDS_SUFFIXES = (".yaml", ".yml")

_ALIAS = "anchors and aliases are not allowed"
_TAG = "tags are not allowed"
_MERGE = "merge keys are not allowed"
_NON_FINITE = "NaN and infinity are not allowed"
_KEY_TYPE = "keys must be strings"
_DUPLICATE = "duplicate key"

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_INT_BASES = {"0b": 2, "0o": 8, "0x": 16}
_BRIEF_LIMIT = 60


def _dotted(path: Path) -> str:
    """Dotted form of a path (``"(file)"`` for the top level)."""
    return ".".join(str(part) for part in path) or "(file)"


@dataclass(frozen=True)
class SourceTree:
    """Merged scenario data plus where each key and list item was written.

    ``positions`` maps every mapping key and list item path to the (file, line, col) of the
    key (or the item); ``()`` maps to the top of the top-level file.  ``comments`` maps paths
    to the end-of-line comment on the line of that key or item (without ``#``).  ``files`` is
    the ``extends`` chain, base first and the top-level file last.
    """

    data: dict[str, Any]
    positions: dict[Path, Position]
    comments: dict[Path, str]
    files: tuple[str, ...]

    def locate(self, loc: tuple[str | int, ...]) -> tuple[str, int, int, str]:
        """Map a pydantic error ``loc`` to ``(file, line, col, dotted_key)``.

        Components that do not exist in the data (discriminator tags, validator names) are
        skipped; the position is that of the deepest existing path.  A final component that
        does not exist (e.g. a missing required field) is appended to the dotted key.
        """
        kept: Path = ()
        last_found = True
        for part in loc:
            candidate = (*kept, part)
            last_found = candidate in self.positions
            if last_found:
                kept = candidate
        file, line, col = self.positions[kept]
        shown = kept if last_found or not loc else (*kept, loc[-1])
        return file, line, col, _dotted(shown)


def read_tree(path: str | os.PathLike[str]) -> SourceTree:
    """Read a scenario file strictly and merge its ``extends`` chain.

    Raises ScenarioError listing every problem found in the chain.
    """
    top = str(path)
    problems: list[Problem] = []
    chain: list[_FileTree] = []  # top-level file first
    replacing: list[list[tuple[Path, Position]]] = []  # each file's replace paths
    identities: list[pathlib.Path] = []
    file = top
    named_at: Position | None = None  # where `file` was named by an `extends` key
    while True:
        if named_at is not None and pathlib.Path(file).suffix.lower() not in EXTENDS_SUFFIXES:
            problems.append(
                Problem(*named_at, EXTENDS_KEY, "extends must name a .yaml or .yml file")
            )
            break
        try:
            raw = _read_bounded(file)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if named_at is None:
                problems.append(Problem(file, 1, 1, "(file)", f"cannot read file: {reason}"))
            else:
                problems.append(
                    Problem(*named_at, EXTENDS_KEY, f"cannot read extended file '{file}': {reason}")
                )
            break
        if len(raw) > MAX_FILE_BYTES:
            where = (file, 1, 1) if named_at is None else named_at
            key = "(file)" if named_at is None else EXTENDS_KEY
            problems.append(
                Problem(*where, key, f"file is larger than {MAX_FILE_BYTES:,} bytes: refused")
            )
            break
        # an extended file that does not parse as a mapping is refused in one line, its content
        # never shown (extends could name any readable file)
        found: list[Problem] = []
        text = _decode(file, raw, found)
        tree = _parse_file(file, text, found) if text is not None else None
        if named_at is not None and tree is None:
            problems.append(
                Problem(
                    *named_at,
                    EXTENDS_KEY,
                    f"extended file '{file}' is not a valid scenario file (a YAML mapping); "
                    "validate it on its own to see why",
                )
            )
            break
        problems.extend(found)
        if tree is None:
            break
        chain.append(tree)
        identities.append(_identity(file))
        replacing.append(_pop_replace(tree, problems))
        extends = _pop_extends(tree, problems)
        if extends is None:
            if replacing[-1]:
                problems.append(Problem(*replacing[-1][0][1], REPLACE_KEY, "replace needs extends"))
            break
        value, named_at = extends
        file = str(pathlib.Path(tree.file).parent / value)
        identity = _identity(file)
        if identity in identities:
            start = identities.index(identity)
            cycle = " -> ".join([t.file for t in chain[start:]] + [file])
            problems.append(Problem(*named_at, EXTENDS_KEY, f"extends cycle: {cycle}"))
            break
    if problems:
        raise ScenarioError(problems)

    merged = chain[-1]
    for tree, paths in reversed(list(zip(chain[:-1], replacing[:-1], strict=True))):
        merged = _merge_trees(merged, tree, paths, problems)
    if problems:
        raise ScenarioError(problems)
    return SourceTree(
        data=merged.data,
        positions={(): (top, 1, 1), **merged.positions},
        comments=merged.comments,
        files=tuple(t.file for t in reversed(chain)),
    )


def validation_problems(exc: pydantic.ValidationError, tree: SourceTree) -> list[Problem]:
    """One Problem per pydantic error, placed where the offending entry was written."""
    problems = []
    for error in exc.errors(include_url=False):
        file, line, col, key = tree.locate(tuple(error["loc"]))
        problems.append(Problem(file, line, col, key, _error_message(error)))
    return problems


def load(path: str | os.PathLike[str], model_cls: type[M]) -> tuple[M, SourceTree]:
    """Read ``path`` (with its ``extends`` chain) and validate it as ``model_cls``.

    Raises ScenarioError for any problem in the files or any validation error.
    """
    tree = read_tree(path)
    try:
        model = model_cls.model_validate(tree.data)
    except pydantic.ValidationError as exc:
        raise ScenarioError(validation_problems(exc, tree)) from exc
    return model, tree


# --------------------------------------------------------------------------- single files


@dataclass
class _FileTree:
    """Data, positions and comments of one file (or of a merged chain, named after the top)."""

    file: str
    data: dict[str, Any]
    positions: dict[Path, Position]
    comments: dict[Path, str]


def _identity(file: str) -> pathlib.Path:
    """Canonical form of a file path, for cycle detection."""
    try:
        return pathlib.Path(file).resolve()
    except (OSError, RuntimeError):  # e.g. symlink loops
        return pathlib.Path(os.path.abspath(file))


def _read_bounded(file: str) -> bytes:
    """A file's bytes, at most one more than ``MAX_FILE_BYTES`` (a longer file is refused)."""
    with open(file, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


def _flow_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside quotes and comments (a cheap scan before the
    parser, which is slow and deeply recursive on pathological nesting)."""
    depth = deepest = 0
    quote = ""
    previous = "\n"
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and previous in " \t\n":
            quote = "\n"  # a comment runs to the end of the line
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return deepest


def _decode(file: str, raw: bytes, problems: list[Problem]) -> str | None:
    """UTF-8 text of a file with line breaks normalised to ``\\n``; None after a problem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                file,
                1,
                1,
                "(file)",
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} on line {line})",
            )
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_file(file: str, text: str, problems: list[Problem]) -> _FileTree | None:
    """Parse one file's text; append its problems and return its tree if it is a mapping."""
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        problems.append(
            Problem(file, 1, 1, "(file)", f"nesting is deeper than {MAX_FLOW_DEPTH} levels")
        )
        return None
    try:
        events = list(YAML(typ="rt").parse(text))
    except YAMLError as exc:
        problems.append(_syntax_problem(file, text, exc))
        return None
    except Exception as exc:  # last line of defence: never let odd input raise a traceback
        problems.append(Problem(file, 1, 1, "(syntax)", f"cannot parse YAML: {exc!r}"))
        return None

    builder = _Builder(file, events)
    try:
        data, root = builder.document()
    except RecursionError:
        problems.append(Problem(file, 1, 1, "(file)", "nesting is too deep"))
        return None
    problems.extend(builder.problems)
    if root is None or data is None:
        problems.append(Problem(file, 1, 1, "(file)", "empty scenario file"))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(
                file,
                root.line + 1,
                root.column + 1,
                "(file)",
                f"the top level must be a mapping of keys to values, not {_describe(data)}",
            )
        )
        return None
    line_comments = _eol_comments(text)
    comments = {
        path: line_comments[line]
        for path, (_, line, _) in builder.positions.items()
        if line in line_comments
    }
    return _FileTree(file, data, builder.positions, comments)


def _syntax_problem(file: str, text: str, exc: YAMLError) -> Problem:
    """Problem for a ruamel error at its mark, with ruamel's own wording."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
    elif isinstance(exc, ReaderError) and isinstance(exc.position, int):
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    else:
        line, col = 1, 1
    if isinstance(exc, MarkedYAMLError):
        message = exc.problem or exc.context or str(exc)
    else:
        message = str(exc).split("\n", 1)[0]
    return Problem(file, line, col, "(syntax)", message)


def _describe(value: Any) -> str:
    """Short description of a value's YAML kind, for messages."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


def _eol_comments(text: str) -> dict[int, str]:
    """End-of-line comment text (no ``#``, stripped) by 1-based line; full-line comments skipped."""
    found: dict[int, str] = {}
    for token in YAML(typ="rt").scan(text):
        for item in _flatten(token.comment):
            if isinstance(item, CommentToken):
                mark = item.start_mark
                if mark is None:
                    continue
                line_start = text.rfind("\n", 0, mark.index) + 1
                if not text[line_start : mark.index].strip():
                    continue  # a comment on a line of its own
                line, raw = mark.line, item.value
            elif isinstance(item, str):  # block scalar header comment: ruamel keeps no mark
                line, raw = token.start_mark.line, item
            else:
                continue
            first = raw.lstrip(" \t").split("\n", 1)[0]
            if first.startswith("#") and first[1:].strip():
                found.setdefault(line + 1, first[1:].strip())
    return found


def _flatten(value: Any) -> Iterator[Any]:
    """Leaves of ruamel's nested comment lists."""
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    elif value is not None:
        yield value


class _Builder:
    """Builds plain data, key/item positions and problems from one file's parse events."""

    def __init__(self, file: str, events: list[Event]) -> None:
        self.file = file
        self.positions: dict[Path, Position] = {}
        self.problems: list[Problem] = []
        self._events = events
        self._index = 0
        self._resolver = VersionedResolver(version=(1, 2))

    def document(self) -> tuple[Any, StreamMark | None]:
        """The single document's data and the mark of its root (None, None if no document)."""
        self._advance()  # StreamStartEvent
        if isinstance(self._peek(), StreamEndEvent):
            return None, None
        self._advance()  # DocumentStartEvent
        root = self._peek().start_mark
        data = self._node(())
        self._advance()  # DocumentEndEvent
        extra = self._peek()
        if isinstance(extra, DocumentStartEvent):
            self._report(extra.start_mark, (), "only one YAML document is allowed per file")
        return data, root

    def _peek(self) -> Event:
        return self._events[self._index]

    def _advance(self) -> Event:
        event = self._events[self._index]
        self._index += 1
        return event

    def _position(self, mark: StreamMark) -> Position:
        return self.file, mark.line + 1, mark.column + 1

    def _report(self, mark: StreamMark, path: Path, message: str) -> None:
        self.problems.append(Problem(*self._position(mark), _dotted(path), message))

    def _node(self, path: Path, *, is_key: bool = False) -> Any:
        event = self._advance()
        if isinstance(event, AliasEvent):
            self._report(event.start_mark, path, _ALIAS)
            return None
        if event.anchor is not None:
            self._report(event.start_mark, path, _ALIAS)
        if event.tag is not None:
            self._report(event.start_mark, path, _TAG)
        if isinstance(event, ScalarEvent):
            return self._scalar(event, path, is_key=is_key)
        if isinstance(event, SequenceStartEvent):
            return self._sequence(path)
        return self._mapping(path)

    def _sequence(self, path: Path) -> list[Any]:
        items: list[Any] = []
        while not isinstance(self._peek(), SequenceEndEvent):
            item_path = (*path, len(items))
            self.positions[item_path] = self._position(self._peek().start_mark)
            items.append(self._node(item_path))
        self._advance()
        return items

    def _mapping(self, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while not isinstance(self._peek(), MappingEndEvent):
            key_event = self._peek()
            label = getattr(key_event, "value", None) or "?"
            key = self._key((*path, label))
            value_path = (*path, key if key is not None else label)
            usable = key is not None and key not in result
            if key is not None and not usable:
                self._report(key_event.start_mark, value_path, _DUPLICATE)
            if usable:
                self.positions[value_path] = self._position(key_event.start_mark)
            value = self._node(value_path)  # parsed even when unusable, to report its problems
            if usable:
                result[key] = value
        self._advance()
        return result

    def _key(self, key_path: Path) -> str | None:
        """Consume a mapping key; its string value, or None after reporting a problem."""
        event = self._peek()
        if isinstance(event, CollectionStartEvent):
            self._report(event.start_mark, key_path, _KEY_TYPE)
            self._node(key_path)
            return None
        key = self._node(key_path, is_key=True)
        return key if isinstance(key, str) else None

    def _scalar(self, event: ScalarEvent, path: Path, *, is_key: bool) -> Any:
        if event.style == ">":  # ruamel's round-trip scanner marks fold points with BEL
            event.value = event.value.replace("\a", "")
        if event.tag is not None:
            return event.value  # already reported; keep the text to avoid follow-up noise
        tag = str(self._resolver.resolve(ScalarNode, event.value, event.implicit))
        kind = tag.removeprefix(_YAML_TAG_PREFIX)
        if is_key and kind == "merge":
            self._report(event.start_mark, path, _MERGE)
            return None
        try:
            value = _convert(kind, event.value)
        except ValueError:  # odd texts such as "_" that ruamel's patterns accept
            value = event.value
        if is_key and not isinstance(value, str):
            self._report(event.start_mark, path, _KEY_TYPE)
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._report(event.start_mark, path, _NON_FINITE)
            return None
        return value


def _convert(kind: str, text: str) -> Any:
    """Plain Python value of a plain scalar resolved (YAML 1.2) to ``kind``."""
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":
        body = text.replace("_", "")
        sign = -1 if body.startswith("-") else 1
        body = body.lstrip("+-")
        base = _INT_BASES.get(body[:2], 10)
        return sign * int(body[2:] if base != 10 else body, base)
    if kind == "float":
        body = text.replace("_", "").lower().replace(".inf", "inf").replace(".nan", "nan")
        return float(body)
    return text  # str, and timestamps etc. kept as written


# --------------------------------------------------------------------------- extends


def _pop_extends(tree: _FileTree, problems: list[Problem]) -> tuple[str, Position] | None:
    """Remove the top-level ``extends`` entry; its value and key position if it is usable."""
    if EXTENDS_KEY not in tree.data:
        return None
    value = tree.data.pop(EXTENDS_KEY)
    position = tree.positions[(EXTENDS_KEY,)]
    for mapping in (tree.positions, tree.comments):
        for path in [p for p in mapping if p[:1] == (EXTENDS_KEY,)]:
            del mapping[path]
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(*position, EXTENDS_KEY, "extends must be a file path (a non-empty string)")
        )
        return None
    return value, position


def _pop_replace(tree: _FileTree, problems: list[Problem]) -> list[tuple[Path, Position]]:
    """Remove the top-level ``replace`` entry: the paths it names, each with its position."""
    if REPLACE_KEY not in tree.data:
        return []
    value = tree.data.pop(REPLACE_KEY)
    position = tree.positions[(REPLACE_KEY,)]
    items = {p[1]: v for p, v in tree.positions.items() if p[:1] == (REPLACE_KEY,) and len(p) == 2}
    for mapping in (tree.positions, tree.comments):
        for path in [p for p in mapping if p[:1] == (REPLACE_KEY,)]:
            del mapping[path]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(Problem(*position, REPLACE_KEY, "replace must be a list of dotted keys"))
        return []
    return [
        (tuple(int(k) if k.isdigit() else k for k in v.split(".")), items.get(i, position))
        for i, v in enumerate(value)
    ]


def _merge_trees(
    base: _FileTree,
    over: _FileTree,
    replace: list[tuple[Path, Position]] | None = None,
    problems: list[Problem] | None = None,
) -> _FileTree:
    """Deep-merge ``over`` onto ``base``; positions and comments follow the defining file.
    The entries of ``base`` at the ``replace`` paths are dropped first (``over`` replaces them
    whole); a ``null`` in ``over`` removes the entry it names."""
    replaced: set[Path] = set()
    base_data = copy.deepcopy(base.data)
    for path, position in replace or []:
        parent = base_data
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or path[-1] not in parent:
            if problems is not None:
                problems.append(
                    Problem(*position, REPLACE_KEY, f"{_dotted(path)} is not in {base.file}")
                )
            continue
        del parent[path[-1]]
        replaced.add(path)
    data = _merge_data(base_data, over.data, (), replaced)

    def survives(path: Path) -> bool:
        return path not in over.positions and not any(
            path[:i] in replaced for i in range(1, len(path) + 1)
        )

    removed = {p for p in replaced if not _present(data, p)}  # ``key: null``

    def written(path: Path) -> bool:
        return not any(path[:i] in removed for i in range(1, len(path) + 1))

    over_positions = {p: v for p, v in over.positions.items() if written(p)}
    over_comments = {p: c for p, c in over.comments.items() if written(p)}
    return _FileTree(
        file=over.file,
        data=data,
        positions={p: v for p, v in base.positions.items() if survives(p)} | over_positions,
        comments={p: c for p, c in base.comments.items() if survives(p)} | over_comments,
    )


def _present(data: Any, path: Path) -> bool:
    """Whether ``path`` names an entry of ``data``."""
    for key in path:
        in_mapping = isinstance(data, dict) and key in data
        in_list = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if in_mapping or in_list:
            data = data[key]
        else:
            return False
    return True


def _merge_data(base: Any, over: Any, path: Path, replaced: set[Path]) -> Any:
    """Mappings merge key by key; anything else is replaced whole (recorded in ``replaced``).
    A distribution (a mapping with ``dist``) that names its law replaces the parent's whole:
    ``{dist: constant, value: 5}`` over a lognormal keeps none of its ``mean`` and ``sd``;
    one without ``dist`` (``{mean: 14}``) changes the parent's parameters."""
    if isinstance(base, dict) and isinstance(over, dict) and "dist" not in over:
        merged = dict(base)
        for key, value in over.items():
            if value is None and key in base:  # ``key: null`` removes the parent's entry
                del merged[key]
                replaced.add((*path, key))
            elif key in base:
                merged[key] = _merge_data(base[key], value, (*path, key), replaced)
            else:
                merged[key] = value
        return merged
    replaced.add(path)
    return over


# --------------------------------------------------------------------------- pydantic errors


def _error_message(error: Any) -> str:
    """One-line message for a pydantic error, with a short form of a scalar input."""
    if error["type"] == "extra_forbidden":
        return "unknown key"
    message = " ".join(str(error["msg"]).split())
    if error["type"] == "string_pattern_mismatch":
        message = _PATTERN_MESSAGES.get(error.get("ctx", {}).get("pattern", ""), message)
    value = error.get("input")
    if error["type"] != "missing" and (value is None or isinstance(value, str | int | float)):
        message += f" (got {_brief(value)})"
    return message


#: Plain words for the patterns of names and ids (sim.scenario.schema.Id, IndicatorName).
_PATTERN_MESSAGES = {
    r"^[A-Za-z0-9_-]{1,64}$": "a name or id is 1 to 64 letters, digits, _ or - (no . or /)",
    r"^[a-z0-9_]{1,64}(\.[A-Za-z0-9_-]{1,64})?$": (
        "an indicator is a recorded indicator's name, or name.<carrier, pool or programme id>"
    ),
}


def _brief(value: Any) -> str:
    """YAML-flavoured short repr of a scalar, truncated to about 60 characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= _BRIEF_LIMIT else text[: _BRIEF_LIMIT - 3] + "..."
