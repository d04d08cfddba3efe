"""The README's generated parts stay in step with the code."""

from __future__ import annotations

from sim.scenario.reference import keys_markdown
from tests.helpers import ROOT


def section(text: str, name: str) -> str:
    start = f"<!-- {name}:start -->"
    end = f"<!-- {name}:end -->"
    return text[text.index(start) + len(start) : text.index(end)].strip("\n")


def test_key_reference_matches_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert section(readme, "keys") == keys_markdown().strip("\n")


def test_key_reference_documents_every_key():
    for line in keys_markdown().splitlines()[2:]:
        assert line.startswith("| `") and line.endswith(" |"), f"not one table row: {line!r}"
        meaning = line.rstrip(" |").rsplit("|", 1)[-1].strip()
        assert meaning, f"undocumented key: {line}"


def test_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
