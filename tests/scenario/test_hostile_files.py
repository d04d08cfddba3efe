"""Hostile files: ``extends`` names only YAML files and never shows a file that is not a scenario;
oversized and pathologically nested files are refused at once, in one located line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.scenario.loader import MAX_FILE_BYTES, MAX_FLOW_DEPTH, _flow_depth
from tests.helpers import BASELINE, SCENARIOS, run_cli

SECRET = "hunter2-do-not-show"


cli = run_cli


@pytest.mark.parametrize(
    ("target", "content", "message"),
    [
        ("secret.txt", f"token: {SECRET}\n", "extends must name a .yaml or .yml file"),
        ("secret", f"token: {SECRET}\n", "extends must name a .yaml or .yml file"),
        ("notes.yaml", f"{SECRET}\nsecond line {SECRET}\n", "is not a valid scenario file"),
        ("list.yml", f"- {SECRET}\n- two\n", "is not a valid scenario file"),
        ("broken.yaml", f"a: [{SECRET}\n", "is not a valid scenario file"),
        ("binary.yaml", None, "is not a valid scenario file"),
    ],
)
def test_extends_shows_nothing_of_a_file_that_is_not_a_scenario(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    content: str | None,
    message: str,
) -> None:
    other = tmp_path / target
    if content is None:
        other.write_bytes(b"\xff\xfe" + SECRET.encode() + b"\x00\x81")
    else:
        other.write_text(content, encoding="utf-8")
    top = tmp_path / "top.yaml"
    top.write_text(f"extends: {target}\nname: x\n", encoding="utf-8")
    code, out, err = cli(["validate", top], capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{top}:1:1: extends: ")
    assert message in lines[0]
    assert SECRET not in err


def test_a_file_above_the_size_limit_is_refused_without_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "#" * (MAX_FILE_BYTES + 10) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, _, err = cli(["validate", big], capsys)
    assert time.perf_counter() - started < 5
    assert code == 2
    assert err == f"{big}:1:1: (file): file is larger than {MAX_FILE_BYTES:,} bytes: refused\n"
    # the same limit holds for a file named by extends, reported at the extends key
    top = tmp_path / "top.yaml"
    top.write_text("extends: big.yaml\nname: x\n", encoding="utf-8")
    code, _, err = cli(["validate", top], capsys)
    assert code == 2
    assert err.startswith(f"{top}:1:1: extends: file is larger than")


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opening: str
) -> None:
    closing = "]" if opening == "[" else "}"
    deep = tmp_path / "deep.yaml"
    deep.write_text(f"name: x\nv: {opening * 10000}1{closing * 10000}\n", encoding="utf-8")
    started = time.perf_counter()
    code, _, err = cli(["validate", deep], capsys)
    assert time.perf_counter() - started < 5
    assert code == 2
    assert err == f"{deep}:1:1: (file): nesting is deeper than {MAX_FLOW_DEPTH} levels\n"


def test_brackets_in_quotes_and_comments_are_not_nesting(tmp_path: Path) -> None:
    assert _flow_depth("a: '[[[[['\nb: \"{{{{\"\nc: 1  # [[[[[[\nd: [[1]]\n") == 2
    assert _flow_depth("x: " + "[" * 65 + "]" * 65) == 65


# ----------------------------------------------------------------------------- validate = run
def test_validate_applies_the_event_guard_of_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_text(
        f"extends: {BASELINE}\nname: huge\narrivals:\n  origins:\n    maker_team:\n"
        "      rate_per_year: 1.0e+9\n",
        encoding="utf-8",
    )
    code, out, err = cli(["validate", huge], capsys)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"{huge}:1:1: (file): about ")
    assert "events per replication expected (limit 20,000,000)" in line
    code, _, err = cli(["run", huge, "-n", "1", "--out", tmp_path / "out"], capsys)
    assert code == 2 and not (tmp_path / "out").exists()


def test_validate_checks_the_indicators_of_observations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    observations = tmp_path / "observations.yaml"
    observations.write_text(
        "zone: x\nobservations:\n"
        "  - {indicator: national_hte, year: 2018, value: 13, source: s}\n"
        "  - {indicator: firms_in_carriers.park, year: 2019, value: 1, source: s}\n"
        "  - {indicator: no_such_thing, year: 2019, value: 1, source: s}\n",
        encoding="utf-8",
    )
    code, out, err = cli(["validate", observations], capsys)
    assert code == 2 and out == ""
    assert (
        err == f"{observations}:5:6: observations.2.indicator: unknown indicator 'no_such_thing'\n"
    )


def test_validate_recognises_a_parameter_space(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(["validate", SCENARIOS / "spaces" / "levers.yaml"], capsys)
    assert code == 0
    assert out.startswith(f"ok: {SCENARIOS / 'spaces' / 'levers.yaml'}: parameter space of 7")
    bad = tmp_path / "space.yaml"
    bad.write_text(
        "parameters:\n  a.b:\n    kind: lever\n    low: 1\n    hihg: 2\n", encoding="utf-8"
    )
    code, out, err = cli(["validate", bad], capsys)
    assert code == 2
    lines = err.splitlines()
    # the space's own problems, not a scenario's dozen "Field required" lines
    assert all("Field required" not in line or "high" in line for line in lines), lines
    assert any(line.startswith(f"{bad}:5:5: parameters.a.b.hihg: unknown key") for line in lines)
