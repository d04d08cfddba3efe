"""The HTML report: self-contained, complete and escaped, for a run and for a comparison."""

from __future__ import annotations

import base64
import html
import io
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
    assert "@import" not in text
    # the one url() allowed: a font embedded as a data URI
    assert all(
        url.startswith("data:font/otf;base64,") for url in re.findall(r"url\(([^)]*)\)", text)
    )


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


def test_run_report_opens_with_the_verdict(run_report: Path) -> None:
    """The report says what the run found before anything else: the summary written from the
    goal table (the same sentences run prints), then the goal table, the dashboard right
    after it, and the readings after that."""
    from sim.analysis.verdict import summary
    from sim.results import read_run

    folder = run_report.parent
    text = run_report.read_text(encoding="utf-8")
    results = read_run(folder)
    goals = pd.read_csv(folder / "goals.csv")
    lines = summary(goals, results.scenario, results.replications, "en")
    for line in lines:
        assert html.escape(line) in text
    verdict = text.index('id="verdict"')
    table = text.index('class="goals"')
    dashboard = text.index('alt="goal dashboard"')
    readings = text.index("Goals read more than one way")
    assert verdict < table < dashboard < readings
    assert text.index("What the run found") < text.index('<nav class="toc">')


def test_goal_table_shows_the_monte_carlo_interval_and_the_rule(run_report: Path) -> None:
    """Each modelled goal's P(met) has its 95 % interval under it, and the legend states the
    rule the status follows."""
    folder = run_report.parent
    text = run_report.read_text(encoding="utf-8")
    goals = pd.read_csv(folder / "goals.csv")
    modelled = goals.dropna(subset=["p_met_low"])
    assert len(modelled) > 5
    for row in modelled.itertuples():
        assert f'<span class="ci">{row.p_met_low:.2f}–{row.p_met_high:.2f}</span>' in text
    assert "95 % Monte Carlo interval of P(met) lies at or above 0.8" in text


def test_chinese_report(run_report_zh: Path) -> None:
    """--lang zh: a Chinese page (lang zh-CN) whose summary, headings, table headers and
    statuses are Chinese, carrying a subset of a Chinese font so that it renders on a machine
    without one; the figures it embeds are drawn in Chinese, the folder's own plots untouched."""
    text = run_report_zh.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text
    assert "模拟结论" in text and "实现概率" in text and "决定因素" in text
    assert "国家高新技术企业" in text
    assert '@font-face { font-family: "zonesim CJK"' in text
    assert_self_contained(text)
    folder = run_report_zh.parent
    plots = {p.read_bytes() for p in (folder / "plots").glob("*.png")}
    embedded = {base64.b64decode(s.split(",", 1)[1]) for s in image_sources(text)}
    assert embedded and not embedded & plots  # its own figures, in Chinese
    # no boxes: the embedded font has a glyph for every Chinese character of the page
    from fontTools.ttLib import TTFont

    data = re.search(r"url\(data:font/otf;base64,([^)]*)\)", text).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    page_text = re.sub(r"data:[^\"')]*", "", text)
    chinese = {c for c in page_text if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"}
    assert chinese and all(ord(c) in cmap for c in chinese), sorted(
        c for c in chinese if ord(c) not in cmap
    )


def test_report_refuses_an_unknown_language(run_folder: Path, tmp_path: Path, capsys) -> None:
    """--lang xx: one line naming the choices, exit 2, nothing written."""
    from sim.cli import main

    folder = shutil.copytree(run_folder, tmp_path / "run")
    before = sorted(p.name for p in folder.rglob("*"))
    assert main(["report", str(folder), "--lang", "fr"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'fr'" in err and "en, zh" in err
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_a_comparison_report_in_chinese_is_refused(
    compare_folder: Path, tmp_path: Path, capsys
) -> None:
    """The comparison report is English only for now: --lang zh says so in one line, exit 2,
    and writes nothing."""
    from sim.cli import main

    folder = shutil.copytree(compare_folder, tmp_path / "comparison")
    before = sorted(p.name for p in folder.rglob("*"))
    assert main(["report", str(folder), "--lang", "zh"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "English only for now" in err
    assert sorted(p.name for p in folder.rglob("*")) == before
