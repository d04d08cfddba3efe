"""The README and the pages under docs/ stay in step with the code and with each other.

The README is the front page (at most 250 lines); the rest of the documentation lives in
docs/*.md. Every relative link in them must point to a file (and heading) that exists. The
key reference in docs/scenarios.md is generated from the schema.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

# The user guide's pages (linked from the README) and the pages other work owns.
GUIDE = ("cli", "scenarios", "outputs", "analysis", "cluster", "performance")
ALL_PAGES = (*GUIDE, "model", "validation")

# Every command of the command line, as the README's command table names it.
COMMANDS = (
    "run",
    "compare",
    "plot",
    "report",
    "describe",
    "validate",
    "calibrate",
    "sensitivity",
    "tune",
    "sweep",
    "screen",
    "discover",
    "init",
)

# Pages with measured timings: each says once, in one line, what machine they are from.
TIMED_PAGES = ("cli", "analysis", "cluster", "performance")
TIMINGS_LINE = "Timings on this page:"

LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def section(text: str, name: str) -> str:
    start = f"<!-- {name}:start -->"
    end = f"<!-- {name}:end -->"
    return text[text.index(start) + len(start) : text.index(end)].strip("\n")


def prose_lines(text: str) -> list[str]:
    """The lines outside code: fenced blocks and indented (4-space) blocks dropped."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith(("    ", "\t")):
            continue
        lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for line in prose_lines(read(path)):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(path: Path) -> list[str]:
    found = []
    for line in prose_lines(read(path)):
        found.extend(LINK.findall(INLINE_CODE.sub("", line)))
    return found


def documents() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_key_reference_matches_the_schema():
    from sim.scenario.reference import keys_markdown

    page = read(DOCS / "scenarios.md")
    assert section(page, "keys") == keys_markdown().strip("\n")


def test_key_reference_documents_every_key():
    from sim.scenario.reference import keys_markdown

    for line in keys_markdown().splitlines()[2:]:
        assert line.startswith("| `") and line.endswith(" |"), f"not one table row: {line!r}"
        meaning = line.rstrip(" |").rsplit("|", 1)[-1].strip()
        assert meaning, f"undocumented key: {line}"


def test_quick_start_is_two_commands():
    readme = read(README)
    quick = readme[readme.index("## Quick start") :]
    quick = quick[: quick.index("\n## ", 1)]
    commands = [
        line.split("#", 1)[0].strip() for line in quick.splitlines() if line.startswith("    ")
    ]
    assert commands == ["make run", "make test"]


def test_readme_is_a_front_page():
    lines = read(README).splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; move detail into docs/"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_readme_links_every_docs_page(page):
    assert (DOCS / f"{page}.md").is_file()
    assert f"docs/{page}.md" in links(README), f"README.md does not link docs/{page}.md"


def test_readme_command_table_names_every_command():
    readme = read(README)
    table = readme[readme.index("## Commands") :]
    table = table[: table.index("\n## ", 1)]
    cli = read(DOCS / "cli.md")
    from sim.cli.main import build_parser

    assert set(build_parser()[1]) == set(COMMANDS), "a command is missing from COMMANDS"
    for command in COMMANDS:
        row = f"| `{command} "
        assert table.count(row) == 1, f"README's command table: one row for {command!r}"
        assert row in cli, f"docs/cli.md's command table has no row for {command!r}"


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(path):
    targets = links(path)
    if path in (README, DOCS / "cli.md"):
        assert targets, "no links found: the link pattern is broken"
    for target in targets:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name}: {target} names no file"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{path.name}: {target} names no heading"


@pytest.mark.parametrize("page", TIMED_PAGES)
def test_timings_say_their_machine_once(page):
    lines = read(DOCS / f"{page}.md").splitlines()
    assert sum(line.startswith(TIMINGS_LINE) for line in lines) == 1


@pytest.mark.parametrize("page", GUIDE)
def test_long_pages_have_contents(page):
    text = read(DOCS / f"{page}.md")
    if len(text.splitlines()) > 100:
        assert "## Contents" in text, f"docs/{page}.md is long and has no table of contents"
