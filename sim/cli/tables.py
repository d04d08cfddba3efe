"""The tables a command prints: the goal table, and a comparison's changes."""

from __future__ import annotations

import math

import pandas as pd
from rich.markup import escape
from rich.table import Table

from sim.analysis.goals import goal_years
from sim.analysis.holdout import coverage
from sim.scenario.errors import printable
from sim.scenario.schema import AS_WRITTEN


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


def goal_rich_table(goals: pd.DataFrame, name: str, replications: int) -> Table:
    """The goal table for the terminal: each goal's year, target, starting point (value and
    year) and, when modelled, the simulated median, 5–95 % and P(met) in its year; reasons for
    goals not modelled go in the caption. Over a posterior, also P(met) at the point values
    and the parameters' share of the indicator's variance."""
    table = Table(
        title=f"Goals for {goal_years(goals)}: scenario '{escape(name)}', "
        f"{replications} replications",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("goal", no_wrap=True)
    table.add_column("reading", max_width=18)  # a longer id wraps
    for column, justify in (
        ("year", "right"),
        ("target", "right"),
        ("base", "right"),
        ("median", "right"),
        ("5–95 %", "right"),
        ("P(met)", "right"),
        ("status", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)
    over_posterior = bool(goals.get("includes_parameter_uncertainty", pd.Series()).any())
    if over_posterior:
        table.add_column("P fixed", justify="right", no_wrap=True)
        table.add_column("param. share", justify="right", no_wrap=True)
    reasons = []
    for row in goals.itertuples(index=False):
        reading = escape(str(row.reading).replace("_", " "))
        head = (escape(str(row.goal)), reading, str(row.year), _given(row.target), _base(row))
        if row.status.startswith("not modelled"):
            reason = printable(row.status.removeprefix("not modelled: "))
            reasons.append(f"{escape(_reading_name(row))}: {escape(reason)}")
            table.add_row(*head, "", "", "", "not modelled", style="dim")
            continue
        shares = (_share(row.p_met_fixed), _share(row.parameter_share)) if over_posterior else ()
        table.add_row(
            *head,
            _fmt(row.median),
            f"{_fmt(row.p05)}–{_fmt(row.p95)}",
            f"{row.p_met:.2f}",
            escape(str(row.status)),
            *shares,
        )
    notes = []
    if reasons:
        notes.append("Not modelled: " + "; ".join(reasons) + ".")
    texts = {
        _reading_name(row): printable(str(row.decided_by))
        for row in goals.itertuples(index=False)
        if isinstance(row.decided_by, str) and row.decided_by
    }
    if len(texts) > 1 and len(set(texts.values())) == 1:  # e.g. a stale screening: said once
        notes.append(f"Decided by (zonesim screen): {escape(next(iter(texts.values())))}.")
    elif texts:
        decided = [f"{escape(name)}: {escape(text)}" for name, text in texts.items()]
        notes.append("Decided by (zonesim screen): " + "; ".join(decided) + ".")
    if notes:
        table.caption = "\n".join(notes)
    return table


def _reading_name(row: object) -> str:
    """``goal`` for a goal read one way, ``goal (reading)`` for one of several readings."""
    goal, reading = str(row.goal), str(row.reading)  # type: ignore[attr-defined]
    return goal if reading == AS_WRITTEN else f"{goal} ({reading.replace('_', ' ')})"


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
