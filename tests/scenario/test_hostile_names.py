"""Hostile names and text in scenario files: ids that would become paths are refused with one
located line and exit 2 before anything is written; text that reaches the terminal cannot forge
lines, carry escape sequences or be read as rich markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.scenario.errors import Problem, printable
from tests.helpers import BASELINE, run_cli

LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<key>[^\n]+?): (?P<msg>.+)$")
ID_MESSAGE = "a name or id is 1 to 64 letters, digits, _ or - (no . or /)"


def scenario(tmp_path: Path, body: str, name: str = "hostile.yaml") -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"extends: {BASELINE.resolve()}\n{body}", encoding="utf-8")
    return path


cli = run_cli


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


CARRIER = (
    "    name: X\n    opens: 2019.5\n    area_m2: 100\n    accepts: [startup]\n"
    "    incubator: true\n    max_firm_area_m2: 1000\n"
)


@pytest.mark.parametrize(
    ("body", "line", "col", "key", "message"),
    [
        ('name: ".."\n', 2, 1, "name", ID_MESSAGE),
        ('name: "."\n', 2, 1, "name", ID_MESSAGE),
        ('name: ".hidden"\n', 2, 1, "name", ID_MESSAGE),
        ('name: "../../outside"\n', 2, 1, "name", ID_MESSAGE),
        ('name: "a/b"\n', 2, 1, "name", ID_MESSAGE),
        ('name: ""\n', 2, 1, "name", ID_MESSAGE),
        (f"name: {'a' * 65}\n", 2, 1, "name", ID_MESSAGE),
        (
            'name: ok\ncarriers:\n  "x/../../../ESCAPED":\n' + CARRIER,
            4,
            3,
            "carriers.x/../../../ESCAPED.[key]",
            ID_MESSAGE,
        ),
        (
            "name: ok\ngoals:\n  national_hte:\n    indicator: firms_in_carriers.x/../../E\n",
            5,
            5,
            "goals.national_hte.indicator",
            "an indicator is a recorded indicator's name, or name.<carrier, pool or programme id>",
        ),
        (
            'name: ok\ngoals:\n  "../goal":\n    description: d\n    target: 1\n    year: 2020\n'
            "    indicator: national_hte\n",
            4,
            3,
            "goals.../goal.[key]",
            ID_MESSAGE,
        ),
        (
            'name: ok\nfunding:\n  pools:\n    "..": {opening_balance_yuan: 0}\n',
            5,
            5,
            "funding.pools....[key]",
            ID_MESSAGE,
        ),
    ],
)
def test_an_id_that_could_be_a_path_is_refused_before_anything_is_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    line: int,
    col: int,
    key: str,
    message: str,
) -> None:
    path = scenario(tmp_path, body)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the default results folder would be results/<name> here
    before = files_under(tmp_path)
    for argv in (["validate", path], ["run", path, "-n", "1", "--no-progress", "--no-plots"]):
        code, out, err = cli(argv, capsys)
        assert code == 2
        assert out == ""
        lines = err.splitlines()
        assert any(
            (m := LINE.match(text))
            and (m["file"], int(m["line"]), int(m["col"]), m["key"]) == (str(path), line, col, key)
            and m["msg"].startswith(message)
            for text in lines
        ), lines
    assert files_under(tmp_path) == before  # nothing created, changed or deleted


def test_a_key_cannot_forge_a_second_line_or_colour_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario(
        tmp_path,
        "name: ok\n"
        '"bad\\nforged.yaml:1:1: name: everything is fine": 1\n'
        '"bell\\x07and\\x1b[31mred": 2\n',
    )
    code, out, err = cli(["validate", path], capsys)
    assert code == 2
    lines = err.splitlines()
    assert lines == [
        f"{path}:3:1: bad\\nforged.yaml:1:1: name: everything is fine: unknown key",
        f"{path}:4:1: bell\\x07and\\x1b[31mred: unknown key",
    ]
    assert "\x1b" not in err and "\x07" not in err


def test_printable_escapes_control_characters_only() -> None:
    assert printable("plain text, 中文 and ü") == "plain text, 中文 and ü"
    assert printable("a\nb\tc\x1b[0m\x07") == "a\\nb\\tc\\x1b[0m\\x07"
    problem = Problem("f\n.yaml", 1, 2, "k\x1b", "two\nlines")
    assert problem.format() == "f\\n.yaml:1:2: k\\x1b: two lines"
    assert "\n" not in problem.format()


def test_goal_reasons_are_printed_as_text_not_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reason with rich markup (a link, a closing tag with nothing open) is printed as it is
    written, and the run finishes normally."""
    reason = "see [link=http://example.invalid]this[/link] and [/] [bold]x"
    path = scenario(
        tmp_path,
        "name: markup\nhorizon: {start_year: 2018, end_year: 2022}\ngoals:\n"
        f"  leading_talents:\n    not_modelled_reason: '{reason}'\n",
    )
    out_dir = tmp_path / "out"
    code, out, err = cli(
        ["run", path, "-n", "1", "--no-progress", "--no-plots", "--out", out_dir], capsys
    )
    assert code == 0, err
    flat = " ".join(out.split())
    assert "[link=http://example.invalid]this[/link] and [/] [bold]x" in flat
