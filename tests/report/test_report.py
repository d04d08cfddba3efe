"""The HTML report: self-contained, complete and escaped, for a run and for a comparison."""

from __future__ import annotations

import base64
import html
import re
import shutil
from pathlib import Path

import pandas as pd

from sim.report import write_report
from tests.plots.results import SEED

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMG_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]*)"')
ATTRIBUTE_URL = re.compile(r'\b(?:src|href)="([^"]*)"')


def image_sources(text: str) -> list[str]:
    return IMG_SRC.findall(text)


def assert_self_contained(text: str) -> None:
    """Images are data URIs; links stay inside the page or the folder; no scripts, no styles
    or fonts loaded from elsewhere."""
    sources = image_sources(text)
    assert sources
    for source in sources:
        prefix = "data:image/png;base64,"
        assert source.startswith(prefix)
        assert base64.b64decode(source[len(prefix) :], validate=True).startswith(PNG_MAGIC)
    for url in ATTRIBUTE_URL.findall(text):
        assert not re.match(r"^[a-z][a-z0-9+.-]*://", url), url
        assert url.startswith(("data:", "#")) or url.endswith("report.html"), url
    assert "<script" not in text.lower()
    assert "<link" not in text.lower()
    assert "@import" not in text and "url(" not in text


def test_run_report_draws_missing_plots_and_embeds_each(run_report: Path) -> None:
    folder = run_report.parent
    assert run_report.name == "report.html"
    plots = sorted((folder / "plots").glob("*.png"))
    assert len(plots) >= 16
    text = run_report.read_text(encoding="utf-8")
    assert_self_contained(text)
    sources = image_sources(text)
    assert len(sources) == len(plots)
    embedded = {base64.b64decode(s.split(",", 1)[1]) for s in sources}
    assert embedded == {p.read_bytes() for p in plots}  # every plot, each once


def test_run_report_shows_scenario_goals_parameters_manifest(run_report: Path) -> None:
    folder = run_report.parent
    text = run_report.read_text(encoding="utf-8")
    assert "<code>baseline</code>" in text
    goals = pd.read_csv(folder / "goals.csv")
    for goal in goals["goal"]:
        assert f"<code>{goal}</code>" in text
    for status in ("on track", "off track", "not modelled"):
        if goals["status"].str.startswith(status).any():
            assert f">{status}</span>" in text
    parameters = pd.read_csv(folder / "parameters.csv", dtype=str, keep_default_na=False)
    shown = text.replace("<wbr>", "")
    for key in parameters["key"]:
        assert f"<code>{html.escape(key)}</code>" in shown
    for klass, count in parameters["provenance"].value_counts().items():
        assert f'id="provenance-{klass}"' in text
        assert f"{klass}</span> {count:,} parameters" in text
    assert f"<td>root seed</td><td>{SEED}</td>" in text
    assert "SimPy events" in text and "wall seconds" in text
    assert "Kaplan–Meier" in text


def test_run_report_escapes_text(run_report: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(run_report.parent, tmp_path / "run")
    goals = pd.read_csv(folder / "goals.csv")
    goals.loc[0, "description"] = "<b>bold</b> & 'quoted'"
    goals.to_csv(folder / "goals.csv", index=False)
    text = write_report(folder).read_text(encoding="utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;quoted&#x27;" in text
    assert "<b>bold</b>" not in text
    assert not [p for p in folder.iterdir() if p.name.startswith(".report.html")]


def test_comparison_report(comparison_report: Path) -> None:
    folder = comparison_report.parent
    text = comparison_report.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "<code>baseline</code> vs <code>variant</code>" in text
    assert "carriers.tengyun_park.area_m2: 8000.0 → 30000.0" in text
    assert "certification.hte.apply_probability: 0.3 → 0.9" in text
    assert "&lt;HTE&gt;" in text  # the variant's description, escaped
    table = pd.read_csv(folder / "goal_comparison.csv")
    for row in table.itertuples(index=False):
        cells = f"<td><code>{row.goal}</code></td>"
        assert cells in text
        assert f"{row.p_met_base:.2f}</td>" in text and f"{row.p_met:.2f}</td>" in text
        assert f"{row.p_diff:+.2f}" in text
        assert f"{row.ci_low:+.2f} to {row.ci_high:+.2f}" in text
    assert "Paired differences in the goal year" in text
    plots = sorted((folder / "plots").glob("*.png"))
    assert {p.name for p in plots} >= {"goal_dashboard.png", "overlay_national_hte.png"}
    assert len(image_sources(text)) == len(plots)
    for name in ("baseline", "variant"):
        assert f'id="scenario-{name}"' in text


def test_run_report_says_what_its_probabilities_include(run_report: Path) -> None:
    """A run without --posterior says its P(met) leaves parameter uncertainty out."""
    html = run_report.read_text(encoding="utf-8")
    assert (
        "P(met) at the scenario&#x27;s point values: parameter uncertainty not included" in html
        or "P(met) at the scenario's point values: parameter uncertainty not included" in html
    )


def test_status_summary_counts_every_verdict_once_per_reading() -> None:
    """Every row's status is counted (those set by the inputs too), and a table with more rows
    than goals says how many verdicts its readings make."""
    import pandas as pd

    from sim.report.pages import status_summary

    goals = pd.DataFrame(
        {
            "goal": ["a", "b", "b", "c"],
            "status": ["on track", "off track", "determined by inputs", "not modelled: why"],
        }
    )
    assert status_summary(goals) == (
        "3 goals, 4 verdicts (one per reading of each goal): 1 on track, 1 off track, "
        "1 determined by inputs, 1 not modelled."
    )
    assert status_summary(goals.iloc[[0, 3]]) == "2 goals: 1 on track, 1 not modelled."
