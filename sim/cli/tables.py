"""The tables a command prints: the goal table, and a comparison's changes."""

from __future__ import annotations

import math

import pandas as pd
from rich.markup import escape
from rich.table import Table

from sim.analysis.cost import told_apart
from sim.analysis.goals import goal_years, status_rule
from sim.analysis.holdout import coverage
from sim.analysis.verdict import goal_names
from sim.language import TERMS, Language, term
from sim.scenario.errors import printable
from sim.scenario.schema import Scenario, reading_label


def goal_change_table(comparison, names: list[str]) -> Table:
    """P(goal met) per scenario with the paired change against the reference."""
    table = Table(
        title="Probability of meeting each goal in its year: P, change against the first, 95 % CI",
        title_justify="left",
    )
    table.add_column("goal", no_wrap=True)
    table.add_column(names[0], justify="right")
    for name in names[1:]:
        table.add_column(name, justify="right", no_wrap=True)
    goals = comparison.goal_comparison
    for goal in dict.fromkeys(goals["goal"]):
        rows = goals[goals["goal"] == goal].set_index("scenario")
        cells = [f"{rows['p_met_base'].iloc[0]:.2f}"]
        for name in names[1:]:
            row = rows.loc[name]
            cells.append(f"{row.p_met:.2f} {_change(row.p_diff, row.ci_low, row.ci_high, 2)}")
        table.add_row(escape(str(goal)), *cells)
    return table


def end_change_table(comparison, names: list[str], year: int) -> Table:
    """Paired differences of the compared indicators in one year."""
    table = Table(
        title=f"Change against '{names[0]}' in {year} (mean paired difference, 95 % CI)",
        title_justify="left",
    )
    table.add_column("indicator", no_wrap=True)
    table.add_column(names[0], justify="right", no_wrap=True)
    for name in names[1:]:
        table.add_column(name, justify="right", no_wrap=True)
    diffs = comparison.comparison
    diffs = diffs[diffs["year"] == year]
    for indicator in dict.fromkeys(diffs["indicator"]):
        rows = diffs[diffs["indicator"] == indicator].set_index("scenario")
        scale, label = (1e6, f"{indicator} (M)") if indicator.endswith("_yuan") else (1, indicator)
        base = rows["base_mean"].iloc[0] / scale
        digits = 1 if scale > 1 else (3 if abs(base) < 2 else 0)
        cells = [_number(base, digits)]
        for name in names[1:]:
            row = rows.loc[name]
            cells.append(
                _change(row.diff_mean / scale, row.ci_low / scale, row.ci_high / scale, digits)
            )
        table.add_row(label, *cells)
    return table


def _number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _change(mean: float, low: float, high: float, digits: int) -> str:
    if math.isnan(low):
        return f"{mean:+,.{digits}f}"
    return f"{mean:+,.{digits}f} [{low:+,.{digits}f}, {high:+,.{digits}f}]"


def goal_rich_table(
    goals: pd.DataFrame,
    name: str,
    replications: int,
    scenario: Scenario | None = None,
    language: Language = "en",
) -> Table:
    """The goal table for the terminal: each goal (``goal (reading)`` for one of several
    readings), its year, target, starting point (value and year) and, when modelled, the
    simulated median, 5–95 % and P(met) with its Monte Carlo interval in its year; reasons
    for goals not modelled go in the caption, with the status rule. Over a posterior, also
    P(met) at the point values and the parameters' share of the indicator's variance. In
    Chinese (``language`` zh, with the ``scenario``) the goals are named by the sources'
    terms and every heading and status is Chinese."""
    zh_names = goal_names(scenario, "zh") if scenario is not None and language == "zh" else {}
    table = Table(
        title=term(
            "goals for",
            language,
            years=goal_years(goals, language),
            name=escape(name),
            replications=replications,
        ),
        title_justify="left",
        caption_justify="left",
    )
    if language == "zh":  # no spaces to wrap at: fold
        table.add_column(term("goal", language), overflow="fold", max_width=30)
    else:
        table.add_column(term("goal", language), no_wrap=True)
    for column, justify in (
        ("year", "right"),
        ("target", "right"),
        ("base", "right"),
        ("median", "right"),
        ("5–95 %", "right"),
        ("P(met)", "right"),
        ("95 % MC", "right"),
    ):
        table.add_column(term(column, language), justify=justify, no_wrap=True)
    # 'determined by inputs' wraps where the window is narrow
    table.add_column(term("status", language), min_width=9)
    over_posterior = bool(goals.get("includes_parameter_uncertainty", pd.Series()).any())
    if over_posterior:
        table.add_column(term("P fixed", language), justify="right", no_wrap=True)
        table.add_column(term("param. share", language), justify="right", no_wrap=True)
    reasons = []
    for row in goals.itertuples(index=False):
        goal = zh_names.get((str(row.goal), str(row.reading)), _reading_name(row))
        head = (escape(goal), str(row.year), _given(row.target), _base(row))
        if row.status.startswith("not modelled"):
            reason = printable(row.status.removeprefix("not modelled: "))
            reasons.append(f"{escape(_reading_name(row))}: {escape(reason)}")
            table.add_row(*head, "", "", "", "", term("not modelled", language), style="dim")
            continue
        shares = (_share(row.p_met_fixed), _share(row.parameter_share)) if over_posterior else ()
        status = str(row.status)
        table.add_row(
            *head,
            _fmt(row.median),
            f"{_fmt(row.p05)}–{_fmt(row.p95)}",
            f"{row.p_met:.2f}",
            _interval(getattr(row, "p_met_low", math.nan), getattr(row, "p_met_high", math.nan)),
            escape(term(status, language) if status in TERMS else status),
            *shares,
        )
    notes = [status_rule(language)]
    if reasons:
        notes.append(term("not modelled note", language, items="; ".join(reasons)))
    texts = {
        _reading_name(row): printable(str(row.decided_by))
        for row in goals.itertuples(index=False)
        if isinstance(row.decided_by, str) and row.decided_by
    }
    if len(texts) > 1 and len(set(texts.values())) == 1:  # e.g. a stale screening: said once
        notes.append(term("decided by note", language, items=escape(next(iter(texts.values())))))
    elif texts:
        decided = [f"{escape(name)}: {escape(text)}" for name, text in texts.items()]
        notes.append(term("decided by note", language, items="; ".join(decided)))
    table.caption = "\n".join(notes)
    return table


def _interval(low: float, high: float) -> str:
    """A probability's interval, ``0.76–0.87``, or ``–``."""
    return "–" if pd.isna(low) or pd.isna(high) else f"{low:.2f}–{high:.2f}"


def _reading_name(row: object) -> str:
    """The goal table's name of a row's goal and reading (``reading_label``)."""
    return reading_label(str(row.goal), str(row.reading))  # type: ignore[attr-defined]


def _share(value: float) -> str:
    """A probability or a share with two decimals, ``–`` when missing."""
    return "–" if pd.isna(value) else f"{value:.2f}"


def _base(row: object) -> str:
    """A goal's starting point: ``13 (2018)``, or ``–``."""
    value, year = row.base_value, row.base_year  # type: ignore[attr-defined]
    if pd.isna(value) or pd.isna(year):
        return "–"
    return f"{float(value):,.4g} ({int(year)})"


def _given(value: float) -> str:
    """A figure from the sources, as written."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,g}"


def _fmt(value: float) -> str:
    """Counts and money as whole numbers, small values with a few decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    magnitude = abs(value)
    if magnitude >= 10:
        return f"{value:,.0f}"
    if magnitude >= 1 or value == 0:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.3f}"


def holdout_rich_table(scored: pd.DataFrame, path: str, over_posterior: bool) -> Table:
    """The held-out figures against the run: each figure's range (a city figure bounds the
    zone's from 0), the simulated median and 5–95 % band, whether the band overlaps, and the
    share of replications inside the range."""
    basis = "over the posterior" if over_posterior else "at the scenario's point values"
    table = Table(
        title=f"Held-out figures ({escape(printable(path))}), simulated {basis}",
        title_justify="left",
    )
    for column, justify in (
        ("figure", "left"),
        ("year", "right"),
        ("geography", "left"),
        ("range", "right"),
        ("median", "right"),
        ("5–95 %", "right"),
        ("held", "left"),
        ("inside", "right"),
    ):
        table.add_column(column, justify=justify, no_wrap=column != "held")
    for row in scored.itertuples(index=False):
        years = f"{row.year}" if pd.isna(row.to_year) else f"{row.year}–{row.to_year}"
        scored_row = not pd.isna(row.held)
        held = ("yes" if row.held else "no") if scored_row else escape(printable(row.note))
        table.add_row(
            escape(str(row.indicator))
            + ("" if row.aggregate == "value" else f" ({row.aggregate})"),
            years,
            str(row.geography).replace("_", " "),
            f"{_figure(row.low)}–{_figure(row.high)}",
            _figure(row.sim_median),
            f"{_figure(row.sim_low)}–{_figure(row.sim_high)}" if scored_row else "",
            held,
            f"{row.share_inside:.2f}" if scored_row else "",
            style=None if scored_row else "dim",
        )
    return table


def coverage_line(scored: pd.DataFrame) -> str:
    """``held-out figures: 7 of 9 inside the simulated 90 % band``, and how many were not
    scored, and why."""
    held, total = coverage(scored)
    line = f"held-out figures: {held} of {total} inside the simulated 90 % band"
    skipped = scored.loc[scored["held"].isna(), "note"]
    if len(skipped):
        reasons = skipped.map(lambda note: note.split(":")[0].split(" (")[0]).value_counts()
        told = ", ".join(f"{count} {reason}" for reason, count in reasons.items())
        line += f"; {len(skipped)} more not scored ({told})"
    return line


def _figure(value: float) -> str:
    """A figure or a simulated value, briefly (whole numbers for counts, billions as ``1.8 B``)."""
    if value is None or math.isnan(value):
        return "–"
    if abs(value) >= 1e8:
        return f"{value / 1e9:.2f} B"
    if abs(value) >= 10 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def pricing_lines(comparison) -> list[str]:
    """One line per policy: its extra cost, the levers it moves and what no lever prices."""
    lines = []
    for name, priced in (comparison.pricing or {}).items():
        moved = ", ".join(f"{path} → {value:,g}" for path, value in priced["levers"].items())
        cost = priced["cost_yuan"] / 1e6
        line = f"{name}: extra cost {cost:,.2f} M yuan ({moved or 'no lever moved'})"
        unpriced = priced["unpriced_changes"]
        if unpriced:
            line += f"; not priced (no lever of the space): {'; '.join(unpriced)}"
        lines.append(line)
    return lines


def _yuan(value: float) -> str:
    """Yuan as 1.2 M or 45,000; '–' when missing."""
    if pd.isna(value):
        return "–"
    return f"{value / 1e6:,.2f} M" if abs(value) >= 1e6 else f"{value:,.0f}"


def cost_table(comparison) -> Table:
    """Per policy and goal whose indicator it changes (the paired change's interval excludes
    zero): the change in the goal year and the cost per extra unit, each with its 95 %
    interval; the number of goals left out goes in the caption."""
    table = Table(
        title="What each policy costs per result: the change of each goal's indicator it "
        "moves (in the goal's direction), and yuan per extra unit (paired, 95 % CI)",
        title_justify="left",
        caption_justify="left",
    )
    for column, justify in (
        ("policy", "left"),
        ("goal", "left"),
        ("change", "right"),
        ("unit", "left"),
        ("yuan per unit", "right"),
    ):
        wraps = column in ("goal", "unit", "yuan per unit")
        table.add_column(column, justify=justify, no_wrap=not wraps)
    left_out = 0
    for row in comparison.costs.itertuples(index=False):
        if not told_apart(row.diff_low, row.diff_high):
            left_out += 1
            continue
        name = _reading_name(row)
        digits = 3 if abs(row.diff_mean) < 2 else 1
        change = _change(row.diff_mean, row.diff_low, row.diff_high, digits)
        if pd.isna(row.yuan_per_unit):
            per_unit = escape(str(row.note))
        else:
            low, high = _yuan(row.yuan_per_unit_low), _yuan(row.yuan_per_unit_high)
            per_unit = f"{_yuan(row.yuan_per_unit)} [{low}, {high}]"
        unit = escape(str(row.unit))
        table.add_row(escape(str(row.scenario)), escape(name), change, unit, per_unit)
    table.caption = (
        f"{left_out} goal readings left out: the policy's change of their indicator is not told "
        "apart from none (its interval includes 0), so the cost per unit is unbounded; all are "
        "in cost_effectiveness.csv"
    )
    return table


def share_table(comparison) -> Table:
    """Per policy, goal and lever: the lever's share of the policy's change (the mean of its
    effect alone and its effect last, over the whole change) and that effect's interval; goals
    whose change is not told apart from none are left out."""
    table = Table(
        title="Each lever's share of a policy's change (mean of alone and last, 95 % CI)",
        title_justify="left",
    )
    for column in ("policy", "goal", "lever", "share", "effect"):
        table.add_column(column, justify="right" if column in ("share", "effect") else "left")
    for row in comparison.shares.itertuples(index=False):
        if not told_apart(row.policy_effect_low, row.policy_effect_high):
            continue  # the policy does not change this goal's indicator
        name = _reading_name(row)
        digits = 3 if abs(row.policy_effect) < 2 else 1
        share = "–" if pd.isna(row.share) else f"{row.share:.0%}"
        effect = _change(row.effect, row.effect_low, row.effect_high, digits)
        table.add_row(escape(str(row.scenario)), escape(name), escape(row.lever), share, effect)
    return table
