"""The report page of a discovery folder (``zonesim discover``): under which ranges of the
assumptions the goal is met, PRIM's chosen box and its peeling trajectory, and the samples."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.report.html import esc, image, is_missing, number, page, section, table, toc
from sim.report.pages import manifest_html
from sim.results import OutputFolder

#: What the discovery section shows of summary.json (left out of the run table).
SHOWN = ("chosen_box", "box_limits", "notes")
FIGURES = {
    "peeling.png": "PRIM's peeling trajectory: each box's coverage against its density, coloured "
    "by the number of parameters it restricts; the chosen box ringed.",
    "box.png": "The samples on the chosen box's first two restricted parameters (one: against "
    "the sample's P(met)); those meeting the goal in green, the box in red.",
}


def _figure(folder: Path, name: str) -> str:
    path = folder / name
    return image(path, name.removesuffix(".png"), FIGURES[name]) if path.is_file() else ""


def _origin(chosen: dict) -> str:
    """Where the chosen box comes from, as a clause."""
    text = ""
    if chosen.get("pass") == 2:
        text += ", from the second peeling (over the decisive parameters only)"
    if chosen.get("stage") == "pruned":
        text += f", box {chosen['from_box']} without its restrictions that may be chance"
    return text


def _value(value: object) -> str:
    """A limit: billions and millions shortened (``16.9 B``)."""
    if not is_missing(value):
        for factor, suffix in ((1e9, " B"), (1e6, " M")):
            if abs(float(value)) >= factor:  # type: ignore[arg-type]
                return number(float(value) / factor) + suffix  # type: ignore[arg-type]
    return number(value)


def _qp(value: object) -> str:
    return "–" if is_missing(value) else esc(f"{float(value):.2g}")  # type: ignore[arg-type]


def _limit(value: object, side: str, restricted: str) -> str:
    """A box limit; the side the box does not narrow (it reaches the bound) in grey."""
    text = _value(value)
    if restricted not in (side, "both"):
        return f'<span style="color:#6b7280">{text}</span>'
    return f"<strong>{text}</strong>"


def boxes_html(boxes: pd.DataFrame) -> str:
    """The chosen box: one row per restricted parameter, its limits and the space's bounds."""
    rows = [
        [
            f"<code>{esc(r.parameter)}</code>",
            _limit(r.low, "low", str(r.restricted)),
            _limit(r.high, "high", str(r.restricted)),
            f"{_value(r.bound_low)} – {_value(r.bound_high)}",
            f"{_qp(r.qp_low)} / {_qp(r.qp_high)}",
        ]
        for r in boxes.itertuples(index=False)
    ]
    headers = ["parameter", "box low", "box high", "space's bounds", "quasi-p (low / high)"]
    return table(headers, rows, numeric=(1, 2, 3, 4))


def discovery_section(folder: Path) -> str:
    """The 'Scenario discovery' section of a discovery folder's report."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    boxes = pd.read_csv(folder / "boxes.csv")
    goals = ", ".join(summary.get("goals", []))
    samples, cases = summary.get("samples"), summary.get("cases_of_interest")
    lead = (
        f"<p>{esc(samples)} Latin-hypercube samples of the parameters of "
        f"{esc(', '.join(summary.get('spaces', [])))}, each run {esc(summary.get('replications'))} "
        "times with the same root seed (common random numbers) up to the goal's year. A sample "
        f"meets <code>{esc(goals)}</code> when the share of its replications meeting it is at "
        f"least {esc(summary.get('threshold'))}: {esc(cases)} of {esc(samples)} do. PRIM (EMA "
        "Workbench) peels the space towards the samples that meet it; the chosen box is the one "
        "of highest coverage whose density reaches "
        f"{esc(summary.get('min_density'))} once the restrictions that may be chance (quasi-p "
        "above 0.05) are dropped (see <code>sim/analysis/discovery.py</code>).</p>"
    )
    chosen = summary.get("chosen_box")
    if chosen:
        stats = (
            f"<p>Chosen box: <strong>coverage {chosen['coverage']:.2f}</strong> (share of the "
            f"samples meeting the goal inside it), <strong>density {chosen['density']:.2f}"
            f"</strong> (share of the samples inside it that meet it), mass {chosen['mass']:.2f}"
            f" (share of all samples inside it), {chosen['res_dim']} restricted "
            f"parameter{'s' if chosen['res_dim'] != 1 else ''}{_origin(chosen)}. Limits in each "
            "parameter's own "
            "units; a limit in grey is the space's bound (the box does not narrow that side). "
            "A small quasi-p value says the restriction is unlikely to be chance.</p>"
        )
        if summary.get("p_met_inside") is not None:
            outside = summary.get("p_met_outside")
            stats += (
                f"<p>On average the samples inside the box meet the goal in "
                f"{summary['p_met_inside']:.2f} of their replications, those outside it in "
                f"{'–' if outside is None else f'{outside:.2f}'}.</p>"
            )
        body = lead + stats + (boxes_html(boxes) if not boxes.empty else "")
    else:
        body = lead
    notes = summary.get("notes") or []
    if notes:
        body += "".join(f'<p class="note">{esc(n)}</p>' for n in notes)
    body += _figure(folder, "peeling.png") + _figure(folder, "box.png")
    return section("discovery", "Scenario discovery", body)


def peeling_html(folder: Path) -> str:
    """The peeling trajectory as a table (every box, its statistics and restrictions; pass 2:
    the second peeling, over the decisive parameters only)."""
    peeling = pd.read_csv(folder / "peeling.csv")
    if peeling.empty:
        return "<p>No peeling trajectory (no box was looked for).</p>"
    rows = []
    for r in peeling.to_dict("records"):
        what = f"{int(r['box'])}"
        if r.get("stage") == "pruned":
            what += f" (box {int(r['from_box'])} pruned)"
        if bool(r["chosen"]):
            what += " ◀ chosen"
        rows.append(
            [
                esc(int(r.get("pass", 1))),
                esc(what),
                number(r["coverage"], 2),
                number(r["density"], 2),
                number(r["mass"], 2),
                esc(int(r["res_dim"])),
                esc("" if is_missing(r["restrictions"]) else r["restrictions"]),
            ]
        )
    headers = ["pass", "box", "coverage", "density", "mass", "restricted", "restrictions"]
    return table(headers, rows, numeric=(2, 3, 4, 5))


def discovery_report(output: OutputFolder) -> str:
    """The report of a discovery folder."""
    folder = output.path
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    goals = ", ".join(summary.get("goals", []))
    parts = [
        f"<h1>Scenario discovery: <code>{esc(goals)}</code> in "
        f"<code>{esc(summary.get('scenario'))}</code></h1>",
        f'<p class="meta">{esc(summary.get("samples"))} samples · '
        f"{esc(summary.get('replications'))} replications each · root seed "
        f"{esc(summary.get('root_seed'))} · run {esc(summary.get('created_utc'))}</p>",
        toc(
            [
                ("discovery", "Scenario discovery"),
                ("peeling", "Peeling trajectory"),
                ("manifest", "Run"),
            ]
        ),
        discovery_section(folder),
        section("peeling", "Peeling trajectory", peeling_html(folder)),
        section(
            "manifest", "Run", manifest_html({k: summary[k] for k in summary if k not in SHOWN})
        ),
    ]
    return page(f"zonesim: discovery of {goals}", "\n".join(parts))
