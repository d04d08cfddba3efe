"""The report pages: one results folder, or a comparison folder of several scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.analysis.cost import told_apart
from sim.analysis.goals import status_rule
from sim.analysis.verdict import deciders, goal_names, summary, value_text
from sim.indicators import describe
from sim.language import Language, indicator_name, joined, term, unit_name
from sim.plots.folder import (
    PLOTS,
    comparison_plot_names,
    plot_comparison,
    plot_run,
    plots_language,
    run_figures,
    run_plot_names,
)
from sim.plots.style import OPS
from sim.report.fonts import page_font
from sim.report.html import (
    PROVENANCE,
    UNKNOWN_PROVENANCE,
    badge,
    esc,
    image,
    interval,
    is_missing,
    number,
    page,
    provenance_badge,
    section,
    signed,
    status_cell,
    table,
    toc,
)
from sim.results import ComparisonFolder, OutputFolder, RunFolder, read_comparison, read_run
from sim.scenario.schema import AS_WRITTEN, Scenario, reading_label


# ----------------------------------------------------------------------------- pieces
def goal_table_html(
    goals: pd.DataFrame, scenario: Scenario | None, language: Language = "en"
) -> str:
    """The goal table with coloured statuses, narrow enough for a 1,400 px window: each goal's
    description is a second line under its name (in Chinese, the sources' term), P(met) has its
    Monte Carlo interval below it, and what decides a goal shows its parameters with the
    screening's full text as a tooltip."""
    names = goal_names(scenario, language) if scenario is not None else {}
    rows = []
    for goal in goals.itertuples(index=False):
        spec = scenario.goals.get(str(goal.goal)) if scenario is not None else None
        op = OPS.get(spec.op, spec.op) + " " if spec is not None else ""
        read = spec.read().get(str(getattr(goal, "reading", AS_WRITTEN))) if spec else None
        indicator = read.indicator if read is not None else None

        def shown(value: object, indicator: str | None = indicator) -> str:
            return "–" if is_missing(value) else esc(value_text(float(value), indicator))

        year = esc(goal.year)
        base = (
            "–"
            if is_missing(goal.base_value) or is_missing(goal.base_year)
            else f'{shown(goal.base_value)}<span class="ci">{esc(int(goal.base_year))}</span>'
        )
        p_met = probability(goal.p_met)
        low, high = getattr(goal, "p_met_low", None), getattr(goal, "p_met_high", None)
        if not is_missing(goal.p_met) and not (is_missing(low) or is_missing(high)):
            p_met += f'<span class="ci">{probability(low)}–{probability(high)}</span>'
        reading = str(getattr(goal, "reading", AS_WRITTEN))
        name = names.get((str(goal.goal), reading))
        described = name if language == "zh" and name else str(goal.description)
        rows.append(
            [
                f"<code>{esc(goal.goal)}</code>"
                f'<span class="desc" title="{esc(goal.description)}">{esc(described)}</span>',
                "–" if reading == AS_WRITTEN else esc(reading.replace("_", " ")),
                esc(op) + shown(goal.target),
                year,
                base,
                shown(goal.median),
                "–" if is_missing(goal.p05) else f"{shown(goal.p05)} – {shown(goal.p95)}",
                p_met,
                status_cell(goal.status, language, with_reason=False),
                _not_modelled(goal.status) or _decided(getattr(goal, "decided_by", None)),
            ]
        )
    headers = [
        term(key, language)
        for key in (
            "goal",
            "reading",
            "target",
            "year",
            "base",
            "median",
            "5–95 %",
            "P(met)",
            "status",
            "decided by",
        )
    ]
    return table(headers, rows, numeric=(2, 3, 4, 5, 6, 7), css_class="goals")


def readings_html(scenario: Scenario, language: Language = "en") -> str:
    """The goals whose words allow more than one reading: the words and their source, then
    each reading (the main one first) with what it counts, why and where its numbers come
    from; '' when every goal is read one way."""
    parts = []
    for goal_id, goal in scenario.goals.items():
        if not goal.readings:
            continue
        items = "".join(
            f"<li><b>{esc(key.replace('_', ' '))}</b>"
            f"{esc(term('main reading', language)) if index == 0 else ''}: "
            + esc(
                term(
                    "reading line",
                    language,
                    description=read.description,
                    op=OPS.get(read.op, read.op),
                    target=f"{read.target:,g}",
                    year=read.year,
                )
            )
            + f" <i>{esc(term('why', language))}</i> {esc(read.basis or '')} "
            f"<i>{esc(term('numbers', language))}</i> {esc(read.source or '')}</li>"
            for index, (key, read) in enumerate(goal.read().items())
        )
        words = f"“{esc(goal.words)}” ({esc(goal.source or '')})" if goal.words else ""
        parts.append(f"<p><code>{esc(goal_id)}</code>: {words}</p><ul>{items}</ul>")
    if not parts:
        return ""
    return (
        f"<h3>{esc(term('readings title', language))}</h3>"
        f"<p>{esc(term('readings intro', language))}</p>" + "".join(parts)
    )


def _not_modelled(status: object) -> str:
    """Why a goal is not modelled, clamped to a few lines with the whole reason as a tooltip
    ('' for a modelled goal)."""
    text = "" if is_missing(status) else str(status)
    if not text.startswith("not modelled:"):
        return ""
    reason = text.removeprefix("not modelled:").strip()
    return f'<span class="reason" title="{esc(reason)}">{esc(reason)}</span>'


def _decided(text: object) -> str:
    """What decides a goal (from ``zonesim screen``): its parameters, the screening's full
    text (with each effect) as a tooltip; or '–'."""
    short = deciders(text, most=3)
    if not short:
        return "–" if not (isinstance(text, str) and text) else esc(text)
    items = "".join(f"<code>{esc(name)}</code>" for name in short.split(", "))
    return f'<span class="decided" title="{esc(text)}">{items}</span>'


def probability(value: object) -> str:
    return "–" if is_missing(value) else esc(f"{float(value):.2f}")  # type: ignore[arg-type]


def status_summary(goals: pd.DataFrame, language: Language = "en") -> str:
    """'18 goals: 2 on track, 1 uncertain, …' as a sentence (verdicts counted per reading
    where a goal has several)."""
    heads = goals["status"].fillna("").astype(str).str.split(":").str[0].str.strip()
    counts = heads.value_counts()
    order = [
        "on track",
        "uncertain",
        "off track",
        "determined by inputs",
        "no simulated value",
        "not modelled",
    ]
    parts = [
        term("status count", language, count=counts[k], status=term(k, language))
        for k in order
        if k in counts.index
    ]
    distinct = goals["goal"].nunique()
    items = joined(parts, language)
    if distinct == len(goals):
        return term("status summary", language, goals=len(goals), items=items)
    return term(
        "status summary readings", language, goals=distinct, verdicts=len(goals), items=items
    )


def plot_figure(
    folder: Path, name: str, caption: str = "", figures: Mapping[str, bytes] | None = None
) -> str:
    """A plot embedded in the page: from ``figures`` (PNG bytes by name, drawn for the page)
    when given, else the folder's plot file ('' when there is neither)."""
    alt = name.removesuffix(".png").replace("_", " ")
    if figures is not None:
        return image(figures[name], alt=alt, caption=caption) if name in figures else ""
    path = folder / PLOTS / name
    if not path.is_file():
        return ""
    return image(path, alt=alt, caption=caption)


def fan_caption(name: str, scenario: Scenario, language: Language = "en") -> tuple[str, str]:
    """(indicator, caption) of a fan_<indicator>.png or overlay_<indicator>.png file."""
    indicator = name.split("_", 1)[1].removesuffix(".png")
    info = describe(indicator)
    goal = next((g for g in scenario.goal_readings().values() if g.indicator == indicator), None)
    if language != "en":
        label = indicator_name(indicator, info.label, language)
        unit = unit_name(info.unit, language)
        text = term("fan caption", language, label=label, indicator=indicator, unit=unit)
        if goal is not None:
            op = OPS.get(goal.op, goal.op)
            text += term("fan caption goal", language, op=op, target=f"{goal.target:,g}",
                         year=goal.year)  # fmt: skip
        return indicator, text
    text = f"{info.label} ({indicator}, {info.unit}, {info.kind})"
    if goal is not None:
        text += f"; goal: {goal.description} {OPS.get(goal.op, goal.op)} "
        text += f"{number(goal.target)} by {goal.year}"
    return indicator, text


#: The captions of the run's summary plots, as terms of sim.language.
CAPTION_TERMS = {
    "goal_dashboard.png": "caption dashboard",
    "funnel.png": "caption funnel",
    "carriers.png": "caption carriers",
    "survival.png": "caption survival",
}


def parameters_html(parameters: pd.DataFrame) -> str:
    """Counts per provenance class, then the parameters grouped by class."""
    counts = parameters["provenance"].value_counts()
    classes = [k for k in PROVENANCE if k in counts.index]
    classes += sorted(k for k in counts.index if k not in PROVENANCE)
    chips = " ".join(f"<span>{provenance_badge(k)} {counts[k]:,}</span>" for k in classes)
    blocks = [
        f'<p class="chips">{chips} <span>— {len(parameters):,} parameters in all</span></p>',
    ]
    has_unit = "unit" in parameters.columns
    css = "parameters with-unit" if has_unit else "parameters"
    for klass in classes:
        rows = parameters[parameters["provenance"] == klass]
        meaning = PROVENANCE.get(klass, UNKNOWN_PROVENANCE)[2]
        body = []
        for row in rows.itertuples(index=False):
            key = esc(row.key).replace(".", ".<wbr>")  # break long keys at the dots
            cells = [f"<code>{key}</code>", f"<code>{esc(row.value)}</code>"]
            if has_unit:
                cells.append(esc(row.unit))
            cells += [esc(row.source), esc(f"{row.file}:{row.line}")]
            body.append(cells)
        headers = ["key", "value", *(["unit"] if has_unit else []), "source", "written at"]
        blocks.append(
            f'<details open id="provenance-{esc(klass)}"><summary>{provenance_badge(klass)} '
            f"{len(rows):,} parameters — {esc(meaning)}</summary>"
            f"{table(headers, body, css_class=css)}</details>"
        )
    return "".join(blocks)


def observations_html(observations: pd.DataFrame) -> str:
    rows = []
    for obs in observations.itertuples(index=False):
        years = str(obs.year)
        if not is_missing(obs.to_year):
            years += f"–{int(float(obs.to_year))}"
        approx = str(obs.approx).lower() in ("true", "1")
        rows.append(
            [
                f"<code>{esc(obs.indicator)}</code>",
                esc(years),
                number(obs.value),
                interval(obs.low, obs.high) if approx else "",
                esc(
                    {"sum": "sum over the years", "mean": "mean over the years"}.get(
                        obs.aggregate, "value in the year"
                    )
                ),
                esc(obs.source),
            ]
        )
    headers = ["indicator", "year", "value", "range allowed", "kind", "source"]
    return table(headers, rows, numeric=(1, 2, 3))


def manifest_html(manifest: dict) -> str:
    """The run's manifest as a two-column table."""
    labels = {
        "scenario": "scenario",
        "description": "description",
        "scenario_files": "scenario files",
        "scenario_sha256": "SHA-256 of the resolved scenario",
        "root_seed": "root seed",
        "replications": "replications",
        "horizon": "horizon",
        "events": "SimPy events",
        "wall_seconds": "wall seconds",
        "events_per_second": "events per second",
        "created_utc": "created (UTC)",
        "versions": "versions",
    }
    rows = []
    for key, value in manifest.items():
        if key == "versions" and isinstance(value, dict):
            text = esc(" · ".join(f"{k} {v}" for k, v in value.items()))
        elif key == "horizon" and isinstance(value, list):
            text = esc("–".join(str(v) for v in value))
        elif isinstance(value, list):
            text = esc(", ".join(str(v) for v in value))
        elif key in ("events", "events_per_second", "replications") and value is not None:
            text = number(value, 0)
        elif key == "root_seed":
            text = esc(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = number(value)
        else:
            text = esc(value)
        rows.append([esc(labels.get(key, key)), text])
    return table(None, rows, css_class="manifest")


def run_meta(results: RunFolder, language: Language = "en") -> str:
    manifest = results.manifest
    parts = [term("meta replications", language, count=f"{results.replications:,}")]
    if manifest.get("root_seed") is not None:
        parts.append(term("meta seed", language, seed=manifest["root_seed"]))
    horizon = manifest.get("horizon")
    if isinstance(horizon, list) and len(horizon) == 2:
        parts.append(f"{horizon[0]}–{horizon[1]}")
    if manifest.get("created_utc"):
        parts.append(term("meta run", language, when=manifest["created_utc"]))
    return f'<p class="meta">{esc(" · ".join(parts))}</p>'


# ----------------------------------------------------------------------------- one run
def ensure_run_plots(output: OutputFolder) -> list[str]:
    """The plot files of a results folder, drawn first if any is missing."""
    folder = output.path
    names = run_plot_names(read_run(folder))
    if any(not (folder / PLOTS / name).is_file() for name in names):
        plot_run(output)
    return names


def _basis(manifest: dict, language: Language) -> str:
    """What the run's P(met) is conditional on, in ``language`` (the manifest's own line in
    English)."""
    if language == "en":
        return str(manifest.get("p_met_basis", ""))
    over = manifest.get("p_met_includes_parameter_uncertainty")
    return term("basis posterior" if over else "basis point values", language)


def verdict_html(
    goals: pd.DataFrame, scenario: Scenario, replications: int, language: Language
) -> str:
    """The plain-language summary that opens the report (``sim.analysis.verdict``)."""
    lines = summary(goals, scenario, replications, language)
    items = "".join(f"<li>{esc(line)}</li>" for line in lines[1:])
    return (
        f'<section id="verdict" class="verdict"><h2>{esc(term("summary title", language))}</h2>'
        f"<p>{esc(lines[0])}</p><ul>{items}</ul></section>"
    )


def run_report(output: OutputFolder, language: Language = "en") -> str:
    """The report of one results folder: the verdict in words first, then the goal table and
    the dashboard, the readings, trajectories, flows, observations, parameters and the run.
    In the language of the folder's plots it shows them (drawn first if missing); in another
    it draws its own in that language, leaving the folder's plots as they are."""
    folder = output.path
    results = read_run(folder)
    figures: dict[str, bytes] | None = None
    if language == plots_language(results):
        names = ensure_run_plots(output)
    else:  # the folder's plots are in another language: the page draws its own
        figures = run_figures(results, language)
        names = list(figures)
    scenario = results.scenario
    goals = pd.read_csv(folder / "goals.csv")
    replications = int(results.manifest.get("replications", 0) or 0)
    parts = [
        f"<h1>{esc(term('scenario', language))} <code>{esc(scenario.name)}</code></h1>",
        f'<p class="lead">{esc(scenario.description)}</p>',
        verdict_html(goals, scenario, replications, language),
        run_meta(results, language),
    ]
    entries = [
        ("goals", term("goals", language)),
        ("trajectories", term("trajectories", language)),
        ("flows", term("flows", language)),
    ]
    observations = results.observations
    if observations is not None and len(observations):
        entries.append(("observations", term("observed figures", language)))
    parameters_path = folder / "parameters.csv"
    if parameters_path.is_file():
        entries.append(("parameters", term("parameters", language)))
    entries.append(("manifest", term("run", language)))
    parts.append(toc(entries))
    legend = term(
        "goal legend",
        language,
        summary=status_summary(goals, language),
        rule=status_rule(language),
        basis=_basis(results.manifest, language),
    )
    dashboard_caption = term(CAPTION_TERMS["goal_dashboard.png"], language)
    goal_body = (
        f"<p>{esc(legend)}</p>"
        + goal_table_html(goals, scenario, language)
        + plot_figure(folder, "goal_dashboard.png", dashboard_caption, figures)
        + readings_html(scenario, language)
    )
    parts.append(section("goals", term("goals", language), goal_body))
    fans = []
    for name in names:
        if name.startswith("fan_"):
            _, caption = fan_caption(name, scenario, language)
            fans.append(plot_figure(folder, name, caption, figures))
    fan_note = f'<p class="note">{esc(term("fan note", language))}</p>'
    grid = f'<div class="grid">{"".join(fans)}</div>'
    parts.append(section("trajectories", term("trajectories", language), fan_note + grid))
    flows = "".join(
        plot_figure(folder, name, term(CAPTION_TERMS[name], language), figures)
        for name in ("funnel.png", "carriers.png", "survival.png")
    )
    parts.append(section("flows", term("flows", language), flows))
    if observations is not None and len(observations):
        parts.append(
            section(
                "observations",
                term("observed figures", language),
                f"<p>{esc(term('observed intro', language))}</p>" + observations_html(observations),
            )
        )
    if parameters_path.is_file():
        parameters = pd.read_csv(parameters_path, dtype=str, keep_default_na=False)
        parts.append(
            section(
                "parameters",
                term("parameters title", language),
                f"<p>{esc(term('parameters intro', language))}</p>" + parameters_html(parameters),
            )
        )
    parts.append(section("manifest", term("run", language), manifest_html(results.manifest)))
    body = "\n".join(parts)
    font = page_font(body + term("report footer", language), language)  # every glyph shown
    return page(f"zonesim: {scenario.name}", body, language, font)


# ----------------------------------------------------------------------------- comparison
def ensure_comparison_plots(output: OutputFolder) -> tuple[ComparisonFolder, list[str]]:
    folder = output.path
    comparison = read_comparison(folder)
    names = comparison_plot_names(comparison)
    if any(not (folder / PLOTS / name).is_file() for name in names):
        plot_comparison(output)
    return comparison, names


def change_cell(text: str, low: object, high: object) -> str:
    """A signed change, green (red) when its interval lies above (below) zero."""
    if is_missing(low) or is_missing(high):
        return text
    if float(low) > 0:  # type: ignore[arg-type]
        return f'<span class="up">{text}</span>'
    if float(high) < 0:  # type: ignore[arg-type]
        return f'<span class="down">{text}</span>'
    return text


def scenarios_html(comparison: ComparisonFolder) -> str:
    differences = comparison.info.get("differences", {}) or {}
    rows = []
    for index, (name, run) in enumerate(comparison.runs.items()):
        changes = differences.get(name) or []
        if index == 0:
            changed = badge("reference", ("#1e3a8a", "#dbeafe"))
        elif changes:
            items = "".join(
                f"<li><code>{esc(c).replace(' -&gt; ', ' → ')}</code></li>" for c in changes
            )
            changed = f'<ul class="diffs">{items}</ul>'
        else:
            changed = "no differences"
        link = f'<a href="#scenario-{esc(name)}"><code>{esc(name)}</code></a>'
        rows.append([link, esc(run.scenario.description), changed])
    return table(["scenario", "description", "differences from the reference"], rows)


def goal_comparison_html(table_: pd.DataFrame, scenario: Scenario) -> str:
    rows = []
    readings = scenario.goal_readings()
    for row in table_.itertuples(index=False):
        spec = readings.get(str(row.goal))
        description = spec.description if spec is not None else ""
        rows.append(
            [
                f"<code>{esc(row.goal)}</code>",
                esc(description),
                f"<code>{esc(row.scenario)}</code>",
                probability(row.p_met_base),
                probability(row.p_met),
                change_cell(signed(row.p_diff), row.ci_low, row.ci_high),
                f"{signed(row.ci_low)} to {signed(row.ci_high)}",
            ]
        )
    headers = [
        "goal",
        "description",
        "scenario",
        "P(met), reference",
        "P(met), scenario",
        "change",
        "95 % interval",
    ]
    return table(headers, rows, numeric=(3, 4, 5, 6))


def paired_differences_html(differences: pd.DataFrame, scenario: Scenario) -> str:
    """Paired differences of the goal indicators in their goal years."""
    rows = []
    for goal_id, goal in scenario.goal_readings().items():
        if goal.indicator is None:
            continue
        found = differences[
            (differences["indicator"] == goal.indicator) & (differences["year"] == goal.year)
        ]
        for row in found.itertuples(index=False):
            rows.append(
                [
                    f"<code>{esc(goal_id)}</code>",
                    esc(goal.year),
                    f"<code>{esc(row.scenario)}</code>",
                    number(row.base_mean),
                    number(row.scenario_mean),
                    change_cell(_signed_number(row.diff_mean), row.ci_low, row.ci_high),
                    f"{_signed_number(row.ci_low)} to {_signed_number(row.ci_high)}",
                    number(row.n, 0),
                ]
            )
    headers = [
        "goal",
        "year",
        "scenario",
        "mean, reference",
        "mean, scenario",
        "difference",
        "95 % interval",
        "pairs",
    ]
    return table(headers, rows, numeric=(1, 3, 4, 5, 6, 7))


def _signed_number(value: object) -> str:
    if is_missing(value):
        return "–"
    text = number(value)
    return text if text.startswith("-") or float(value) == 0 else f"+{text}"  # type: ignore[arg-type]


def cost_html(costs: pd.DataFrame, pricing: dict) -> str:
    """Each policy's extra cost and the cost per extra unit of each goal's indicator, with the
    intervals; goals the policy does not change are left out."""
    lines = []
    for name, priced in pricing.items():
        moved = ", ".join(
            f"<code>{esc(path)}</code> → {number(value)}"
            for path, value in priced["levers"].items()
        )
        text = f"<b>{esc(name)}</b>: extra cost {number(priced['cost_yuan'] / 1e6, 2)} M yuan"
        text += f" ({moved or 'no lever moved'})"
        if priced.get("unpriced_changes"):
            unpriced = "; ".join(esc(c) for c in priced["unpriced_changes"])
            text += f"; <i>not priced</i> (no lever of the space): {unpriced}"
        lines.append(f"<li>{text}</li>")
    rows = []
    for row in costs.itertuples(index=False):
        if not told_apart(row.diff_low, row.diff_high):
            continue
        name = reading_label(str(row.goal), str(row.reading))
        per_unit = esc(getattr(row, "note", "") or "–")
        if not is_missing(row.yuan_per_unit_low):
            per_unit = (
                f"{number(row.yuan_per_unit)} ({number(row.yuan_per_unit_low)} – "
                f"{number(row.yuan_per_unit_high)})"
            )
        rows.append(
            [
                esc(row.scenario),
                f"<code>{esc(name)}</code>",
                _signed_interval(row.diff_mean, row.diff_low, row.diff_high),
                esc(getattr(row, "unit", "")),
                per_unit,
            ]
        )
    headers = [
        "policy",
        "goal",
        "change in the goal year (95 %)",
        "unit",
        "yuan per extra unit (95 %)",
    ]
    return (
        f'<ul class="diffs">{"".join(lines)}</ul>'
        "<p>The change of each goal's indicator is paired (common random numbers); the cost "
        "per extra unit is the policy's cost over it (changes counted in the goal's direction, "
        "shares in percentage points), or why there is none. Goals whose change is not told "
        "apart from none (its interval includes zero) are left out.</p>"
        + table(headers, rows, numeric=(2, 4))
    )


def _signed_interval(mean: object, low: object, high: object) -> str:
    """'+12.300 (+10.100 – +14.500)'."""
    return f"{signed(mean, 3)} ({signed(low, 3)} – {signed(high, 3)})"


def shares_html(shares: pd.DataFrame) -> str:
    """Each lever's share of a policy's change of each goal's indicator."""
    rows = []
    for row in shares.itertuples(index=False):
        low, high = (
            getattr(row, "policy_effect_low", None),
            getattr(row, "policy_effect_high", None),
        )
        if not told_apart(low, high):
            continue
        name = reading_label(str(row.goal), str(row.reading))
        rows.append(
            [
                esc(row.scenario),
                f"<code>{esc(name)}</code>",
                f"<code>{esc(row.lever)}</code>",
                "–" if is_missing(row.share) else esc(f"{row.share:.0%}"),
                _signed_interval(row.effect, row.effect_low, row.effect_high),
            ]
        )
    headers = ["policy", "goal", "lever", "share", "effect (95 %)"]
    return (
        "<h3>Each lever's share</h3><p>The mean of the lever's effect alone (the reference with "
        "only that lever moved) and last (the policy against the policy without it), over the "
        "policy's whole change (a two-point Shapley estimate: with two levers the shares add "
        "to 100 % and an interaction is split equally).</p>" + table(headers, rows, numeric=(3, 4))
    )


def comparison_report(output: OutputFolder) -> str:
    """The report of a comparison folder."""
    comparison, names = ensure_comparison_plots(output)
    folder = output.path
    reference = comparison.reference
    info = comparison.info
    scenario_names = list(comparison.runs)
    parts = [
        "<h1>Comparison: "
        + " vs ".join(f"<code>{esc(n)}</code>" for n in scenario_names)
        + "</h1>",
        '<p class="lead">Each scenario is run with the same replications and random streams '
        f"(common random numbers); differences are paired against the reference, "
        f"<code>{esc(scenario_names[0])}</code>.</p>",
    ]
    meta = []
    if info.get("replications") is not None:
        meta.append(f"{int(info['replications']):,} replications per scenario")
    if info.get("root_seed") is not None:
        meta.append(f"root seed {info['root_seed']}")
    parts.append(f'<p class="meta">{esc(" · ".join(meta))}</p>')
    entries = [
        ("scenarios", "Scenarios"),
        ("goal-changes", "Goal probabilities"),
        ("differences", "Paired differences"),
        *([("costs", "Costs")] if (folder / "cost_effectiveness.csv").is_file() else []),
        ("plots", "Plots"),
        *[(f"scenario-{n}", n) for n in scenario_names],
    ]
    parts.append(toc(entries))
    scenarios = scenarios_html(comparison)
    parts.append(section("scenarios", "Scenarios and their differences", scenarios))
    goal_path = folder / "goal_comparison.csv"
    if goal_path.is_file():
        body = (
            "<p>Change in the probability of meeting each modelled goal against the reference, "
            "with its 95 % interval; green (red) where the interval lies above (below) zero.</p>"
            + goal_comparison_html(pd.read_csv(goal_path), reference.scenario)
        )
    else:
        body = "<p>No goal_comparison.csv in this folder.</p>"
    parts.append(section("goal-changes", "Goal probabilities", body))
    differences_path = folder / "comparison.csv"
    if differences_path.is_file():
        body = (
            "<p>Mean of each goal indicator in the goal year, and the mean paired difference "
            "(scenario − reference, same replication) with its 95 % interval.</p>"
            + paired_differences_html(pd.read_csv(differences_path), reference.scenario)
        )
    else:
        body = "<p>No comparison.csv in this folder.</p>"
    parts.append(section("differences", "Paired differences in the goal year", body))
    costs = comparison.optional_table("cost_effectiveness.csv")
    if costs is not None:
        shares = comparison.optional_table("lever_shares.csv")
        body = cost_html(costs, info.get("pricing") or {}) + (
            shares_html(shares) if shares is not None and len(shares) else ""
        )
        parts.append(section("costs", "What each policy costs per result", body))
    several = len(comparison.runs) > 1
    caption = term("caption chances" if several else CAPTION_TERMS["goal_dashboard.png"], "en")
    plots = [plot_figure(folder, "goal_dashboard.png", caption)]
    overlays = []
    for name in names:
        if name.startswith("overlay_"):
            _, caption = fan_caption(name, reference.scenario)
            overlays.append(plot_figure(folder, name, caption))
    plots.append(f'<div class="grid">{"".join(overlays)}</div>')
    parts.append(section("plots", "Plots", "".join(plots)))
    for name, run in comparison.runs.items():
        parts.append(section(f"scenario-{name}", f"Scenario {name}", scenario_part(run)))
    title = "zonesim comparison: " + ", ".join(scenario_names)
    return page(title, "\n".join(parts))


def scenario_part(run: RunFolder) -> str:
    """A scenario's description, goal table and a link to its own report if it has one."""
    parts = [f"<p>{esc(run.scenario.description)}</p>", run_meta(run)]
    own = run.path / "report.html"
    if own.is_file():
        href = f"{run.path.name}/report.html"
        parts.append(f'<p><a href="{esc(href)}">Full report of this scenario</a></p>')
    goals_path = run.path / "goals.csv"
    if goals_path.is_file():
        goals = pd.read_csv(goals_path)
        parts.append(f"<p>{esc(status_summary(goals))}</p>")
        unmodelled = goals["status"].fillna("").astype(str).str.startswith("not modelled")
        parts.append(goal_table_html(goals[~unmodelled], run.scenario))
        if unmodelled.any():
            names = ", ".join(str(g) for g in goals.loc[unmodelled, "goal"])
            parts.append(f'<p class="note">Not modelled: {esc(names)}.</p>')
    return "".join(parts)
