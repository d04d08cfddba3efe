"""HTML building blocks of the report: escaping, tables, embedded images, the page shell."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from sim.language import TERMS, Language, term
from sim.plots.style import format_number

#: Colours of the goal statuses (text, background).
STATUS_COLOURS = {
    "on track": ("#14532d", "#dcfce7"),
    "uncertain": ("#713f12", "#fef3c7"),
    "off track": ("#7f1d1d", "#fee2e2"),
    "no simulated value": ("#374151", "#e5e7eb"),
    "not modelled": ("#4b5563", "#f3f4f6"),
    "determined by inputs": ("#1e3a8a", "#dbeafe"),
}

#: Provenance classes: colours (text, background) and what they mean.
PROVENANCE = {
    "data": ("#14532d", "#dcfce7", "a figure from a source, with its year"),
    "rule": ("#1e3a8a", "#dbeafe", "a national or local threshold, naming the measure"),
    "calibrated": ("#581c87", "#f3e8ff", "tuned to reproduce the observation named"),
    "assumption": (
        "#713f12",
        "#fef3c7",
        "a judgement not in the sources, stated so that it can be challenged",
    ),
}
UNKNOWN_PROVENANCE = ("#7f1d1d", "#fee2e2", "no provenance given")

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "zonesim CJK", "Noto Sans CJK SC", sans-serif; color: #1f2937;
  background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7rem; margin: 0.2em 0 0.3em; }
h2 { font-size: 1.3rem; margin: 2em 0 0.6em; padding-bottom: 0.25em;
  border-bottom: 2px solid #e5e7eb; }
h3 { font-size: 1.08rem; margin: 1.4em 0 0.5em; }
p.lead { font-size: 1.05rem; color: #374151; max-width: 60em; }
p.meta, p.note, figcaption { color: #6b7280; font-size: 0.88rem; }
nav.toc { background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 6px;
  padding: 8px 14px; font-size: 0.92rem; }
nav.toc a { margin-right: 1.1em; color: #1d4ed8; text-decoration: none; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.88rem; width: 100%; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 5px 8px; text-align: left;
  vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafafa; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.86em; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.82rem;
  font-weight: 600; white-space: nowrap; }
.reason { display: block; color: #6b7280; font-size: 0.8rem; margin-top: 2px; }
.up { color: #15803d; font-weight: 600; }
.down { color: #b91c1c; font-weight: 600; }
figure { margin: 0.8em 0 1.4em; }
figure img { max-width: 100%; height: auto; border: 1px solid #e5e7eb; border-radius: 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr));
  gap: 6px 22px; }
table.parameters { table-layout: fixed; }
table.parameters th:nth-child(1) { width: 28%; }
table.parameters th:nth-child(2) { width: 15%; }
table.with-unit th:nth-child(3) { width: 8%; }
table.parameters th:last-child { width: 15%; }
table.parameters td:nth-child(2) { overflow-wrap: anywhere; }
table.parameters td:last-child { white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-size: 0.8rem; color: #4b5563; }
table.manifest td:first-child { width: 24%; color: #4b5563; }
.chips span { margin-right: 0.6em; }
details { margin: 0.5em 0 1em; }
summary { cursor: pointer; font-weight: 600; }
ul.diffs { margin: 0; padding-left: 1.1em; }
footer { margin-top: 3em; color: #9ca3af; font-size: 0.8rem; }
table.goals { table-layout: fixed; }
table.goals th:nth-child(1) { width: 19%; }
table.goals th:nth-child(2) { width: 8%; }
table.goals th:nth-child(3) { width: 6%; }
table.goals th:nth-child(4) { width: 5%; }
table.goals th:nth-child(5) { width: 7%; }
table.goals th:nth-child(6) { width: 7%; }
table.goals th:nth-child(7) { width: 10%; }
table.goals th:nth-child(8) { width: 7%; }
table.goals th:nth-child(9) { width: 9%; }
table.goals th:nth-child(10) { width: 22%; }
table.goals .badge { white-space: normal; }
table.goals .reason { overflow: hidden; display: -webkit-box; -webkit-line-clamp: 3;
  -webkit-box-orient: vertical; }
table.goals td { overflow-wrap: anywhere; }
table.goals td.num, table.goals th.num { white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
table.goals .desc { display: block; color: #6b7280; font-size: 0.78rem; margin-top: 2px;
  overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
table.goals .ci { display: block; color: #6b7280; font-size: 0.76rem; }
table.goals .decided code { display: block; font-size: 0.74rem; color: #374151;
  overflow-wrap: anywhere; }
section.verdict { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 6px;
  padding: 4px 18px 8px; margin: 1em 0; }
section.verdict h2 { border: none; margin-top: 0.6em; }
section.verdict li { margin: 0.25em 0; }
"""


def esc(value: object) -> str:
    """HTML-escaped text of any value."""
    return escape(str(value), quote=True)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: object, decimals: int | None = None) -> str:
    """A number as escaped text ('–' for missing)."""
    if is_missing(value):
        return "–"
    try:
        return esc(format_number(float(value), decimals))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return esc(value)


def signed(value: object, decimals: int = 2) -> str:
    if is_missing(value):
        return "–"
    return esc(f"{float(value):+,.{decimals}f}")  # type: ignore[arg-type]


def interval(low: object, high: object, decimals: int | None = None) -> str:
    if is_missing(low) or is_missing(high):
        return "–"
    return f"{number(low, decimals)} – {number(high, decimals)}"


def badge(text: str, colours: tuple[str, ...]) -> str:
    return (
        f'<span class="badge" style="color:{colours[0]};background:{colours[1]}">{esc(text)}</span>'
    )


def status_cell(status: object, language: Language = "en", with_reason: bool = True) -> str:
    """A goal status as a coloured badge in ``language`` (with the reason when the goal is
    not modelled, unless ``with_reason`` is False)."""
    text = "" if is_missing(status) else str(status)
    head, _, reason = text.partition(":")
    key = head.strip() if head.strip() in STATUS_COLOURS else text
    colours = STATUS_COLOURS.get(key, ("#374151", "#e5e7eb"))
    shown = term(key, language) if key in TERMS else key
    cell = badge(shown or "–", colours)
    if reason.strip() and with_reason:
        cell += f'<span class="reason">{esc(reason.strip())}</span>'
    return cell


def provenance_badge(klass: str) -> str:
    return badge(klass, PROVENANCE.get(klass, UNKNOWN_PROVENANCE))


def table(
    headers: Sequence[str] | None,
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    css_class: str = "",
) -> str:
    """A table of already-escaped cells (no header row when ``headers`` is None);
    ``numeric`` columns are right-aligned."""
    right = set(numeric)
    attrs = f' class="{esc(css_class)}"' if css_class else ""

    def cells(tag: str, values: Sequence[str]) -> str:
        return "".join(
            f'<{tag} class="num">{v}</{tag}>' if i in right else f"<{tag}>{v}</{tag}>"
            for i, v in enumerate(values)
        )

    head = (
        ""
        if headers is None
        else f"<thead><tr>{cells('th', [esc(h) for h in headers])}</tr></thead>"
    )
    body = "".join(f"<tr>{cells('td', list(row))}</tr>" for row in rows)
    return f"<table{attrs}>{head}<tbody>{body}</tbody></table>"


def png_data_uri(png: Path | bytes) -> str:
    data = png if isinstance(png, bytes) else png.read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def image(path: Path | bytes, alt: str, caption: str = "") -> str:
    """A figure with the PNG embedded as a data URI."""
    text = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{png_data_uri(path)}" alt="{esc(alt)}">{text}</figure>'


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def toc(entries: Sequence[tuple[str, str]]) -> str:
    links = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in entries)
    return f'<nav class="toc">{links}</nav>'


def page(title: str, body: str, language: Language = "en", font_css: str = "") -> str:
    """The whole document: inline CSS (``font_css``: an embedded font's ``@font-face``), no
    scripts, no external resources."""
    lang = "zh-CN" if language == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{font_css}{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n"
        f"<footer>{esc(term('report footer', language))}"
        "</footer>\n</main>\n</body>\n</html>\n"
    )
