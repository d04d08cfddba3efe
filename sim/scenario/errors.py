"""Problems found in scenario files, each tied to a file position."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def printable(text: str) -> str:
    """``text`` with every non-printable character (newlines, ESC, BEL, ...) written as its
    Python escape, e.g. ``\\x1b``: text from input files cannot forge or colour output lines."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


@dataclass(frozen=True)
class Problem:
    """One problem at a position in a scenario file.

    ``line`` and ``col`` are 1-based. ``key`` is the dotted path of the offending entry
    (list indexes as numbers), ``"(file)"`` for file-level problems or ``"(syntax)"``
    for YAML syntax errors. ``message`` is always a single line.
    """

    file: str
    line: int
    col: int
    key: str
    message: str

    def __post_init__(self) -> None:
        # Keep the one-line-per-problem output format intact whatever the message source.
        object.__setattr__(self, "message", " ".join(self.message.split()))

    def format(self) -> str:
        """Render as ``FILE:LINE:COL: key: message``, control characters shown as escapes
        (``\\x1b``, ``\\n``) so that nothing a file holds can break or colour the line."""
        return (
            f"{printable(self.file)}:{self.line}:{self.col}: "
            f"{printable(self.key)}: {printable(self.message)}"
        )


class ScenarioError(Exception):
    """One or more problems found in scenario files."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.file, p.line, p.col))
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)
