"""The report in a real browser (Debian's Chromium through Playwright): no console or page
errors, every image decodes, and the page renders to a non-trivial screenshot."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "no Chromium found at /usr/bin/chromium: .ci/run installs Debian's chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    if CHROMIUM.is_file():
        return str(CHROMIUM)
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"playwright is not importable ({exc}): install the dev extra")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def reports(run_report: Path, comparison_report: Path) -> dict[str, Path]:
    return {"run": run_report, "comparison": comparison_report}


@pytest.mark.parametrize("kind", ["run", "comparison"])
def test_report_renders_without_errors(
    browser: Any, reports: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    report = reports[kind]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.resolve().as_uri(), wait_until="load")
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    shot = tmp_path / f"{kind}_report.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    assert errors == []
    assert widths and all(w > 0 for w in widths), widths
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("language", ["en", "zh"])
def test_report_fits_a_1400_px_window(
    browser: Any, run_report: Path, run_report_zh: Path, language: str
) -> None:
    """At a 1,400 px window the page never scrolls sideways (the goal table included), in
    both languages; the Chinese page loads the font it carries (that the font has a glyph for
    every Chinese character of the page is checked in test_report.py)."""
    report = run_report_zh if language == "zh" else run_report
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(report.resolve().as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    table = page.eval_on_selector("table.goals", "t => t.getBoundingClientRect().right")
    fonts = page.evaluate(
        "Array.from(document.fonts).filter(f => f.status == 'loaded').map(f => f.family)"
    )
    page.close()
    assert scroll <= 1400, scroll
    assert table <= 1400, table
    if language == "zh":
        assert any("zonesim CJK" in family for family in fonts), fonts
