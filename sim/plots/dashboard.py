"""The goal dashboard: for each modelled goal, the simulated distribution of its indicator in
the goal year, the target and the probability of meeting it (one colour per scenario)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.goals import OFF_TRACK, ON_TRACK, goal_values, met, p_met_interval
from sim.language import Language, indicator_name, term
from sim.plots.style import (
    GOAL,
    LINE_INCHES,
    MUTED,
    OPS,
    footer,
    new_figure,
    scale_for,
    scenario_colour,
    style_axes,
    unit_text,
    wrap_footer,
)
from sim.results.read import replications_of
from sim.scenario.schema import AS_WRITTEN, Goal, Scenario

COLUMNS = 3
NOTE_SIZE = 8.0
#: Where the target's dashed line ends and its label sits (share of the panel's height), and
#: how high the tallest bar reaches: the line stops short of the label, the bars below both.
LINE_TOP = 0.84
LABEL_Y = 0.92
BARS_TOP = 0.8


def goal_distribution(trajectories: pd.DataFrame, goal: Goal) -> tuple[np.ndarray, float]:
    """The goal indicator's value in the goal year in each replication (NaN where missing) and
    the probability of meeting the goal, as in the goal table."""
    if goal.indicator is None:
        raise ValueError("the goal is not modelled")
    replications = replications_of(trajectories)
    values = goal_values(trajectories, goal.indicator, goal.year, replications)
    p_met = float(np.mean(met(values, goal))) if replications else math.nan
    return values, p_met


def p_met_text(p_met: float) -> str:
    return "–" if not math.isfinite(p_met) else f"{p_met:.2f}"


def bin_edges(values: list[np.ndarray]) -> tuple[np.ndarray, bool]:
    """Common histogram bins, and whether they are one per integer (small counts); otherwise
    up to 24 equal bins."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    if finite.size == 0:
        return np.array([-0.5, 0.5]), True
    low, high = float(finite.min()), float(finite.max())
    if np.all(np.equal(np.mod(finite, 1), 0)) and high - low <= 40:
        return np.arange(math.floor(low) - 0.5, math.ceil(high) + 1.0, 1.0), True
    if high == low:
        pad = abs(low) * 0.01 or 0.5
        return np.array([low - pad, high + pad]), False
    count = int(np.clip(round(2 * math.sqrt(finite.size)), 8, 24))
    return np.linspace(low, high, count + 1), False


def _panel(
    ax: Axes,
    goal_id: str,
    goal: Goal,
    runs: Mapping[str, pd.DataFrame],
    colours: dict[str, str],
    language: Language = "en",
) -> None:
    assert goal.indicator is not None
    found = {name: goal_distribution(frame, goal) for name, frame in runs.items()}
    samples = [values for values, _ in found.values()]
    scale = scale_for(goal.indicator, np.concatenate([*samples, [goal.target]]))
    scaled = [values / scale.factor for values in samples]
    edges, integer_bins = bin_edges(scaled)
    several = len(runs) > 1
    widths = np.diff(edges) / len(runs)
    peak = 0
    for index, (name, shown) in enumerate(zip(found, scaled, strict=True)):
        counts, _ = np.histogram(shown[np.isfinite(shown)], bins=edges)
        peak = max(peak, int(counts.max(initial=0)))
        ax.bar(
            edges[:-1] + index * widths,
            counts,
            width=widths * (0.92 if several else 1.0),
            align="edge",
            color=colours[name],
            alpha=0.85 if several else 0.6,
            linewidth=0,
            label=name,
            gid=f"hist:{name}",
        )
    target = goal.target / scale.factor
    op = OPS.get(goal.op, goal.op)
    target_text = term("target mark", language, op=op, value=scale.value_text(goal.target))
    # the dashed line stops below the label, which sits at the top on a white box; the bars
    # stay below the line's end
    ax.axvline(
        target,
        ymax=LINE_TOP,
        color=GOAL,
        linestyle="--",
        linewidth=2,
        gid="target",
        label=target_text,
    )
    low = min(edges[0], target)
    high = max(edges[-1], target)
    if integer_bins and high - low < 6:
        middle = (low + high) / 2
        low, high = middle - 3, middle + 3
    margin = (high - low) * 0.08 or 1.0
    ax.set_xlim(low - margin, high + margin)
    ax.set_ylim(0, max(peak, 1) / BARS_TOP)
    right = target <= (low + high) / 2
    ax.text(
        target,
        LABEL_Y,
        target_text,
        transform=ax.get_xaxis_transform(),
        color=GOAL,
        fontsize=8,
        fontweight="bold",
        va="center",
        ha="left" if right else "right",
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        zorder=5,
        gid="target_label",
    )
    probabilities = {name: p for name, (_, p) in found.items()}
    if several:
        chances = " · ".join(f"{name} {p_met_text(p)}" for name, p in probabilities.items())
        chance_line = "\n".join(textwrap.wrap(term("p met list", language, chances=chances), 46))
    else:
        p = p_met_text(next(iter(probabilities.values())))
        chance_line = term("p met is", language, p=p)
    reading = goal.reading.replace("_", " ")
    read = "" if goal.reading == AS_WRITTEN else term("reading prefix", language, reading=reading)
    if language == "zh":  # the sources' term; no spaces to wrap at
        name = indicator_name(goal.indicator, goal.description, language)
        description = "\n".join(textwrap.wrap(f"{read}{name}（{goal.year}）", 24, max_lines=2))
    else:
        text = f"{read}{goal.description} ({goal.year})"
        description = "\n".join(textwrap.wrap(text, 50, max_lines=2, placeholder=" …"))
    ax.set_title(f"{description}\n{chance_line}", loc="left", fontsize=9.5, linespacing=1.3)
    ax.set_xlabel(unit_text(scale, language), fontsize=8.5)
    ax.set_ylabel(term("replications axis", language), fontsize=8.5)
    style_axes(ax, scale, axis="x")
    if integer_bins:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=7))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))


def not_modelled_text(scenario: Scenario, language: Language = "en") -> str:
    """The footer note listing goals without an indicator ('' when there are none); in
    Chinese, by the sources' words."""
    names = [
        goal.words or key if language == "zh" else f"{goal.description} ({key})"
        for key, goal in scenario.goal_readings().items()
        if goal.indicator is None
    ]
    separator = "；" if language == "zh" else "; "
    return term("not modelled note", language, items=separator.join(names)) if names else ""


def plot_goal_dashboard(
    runs: Mapping[str, pd.DataFrame],
    scenario: Scenario,
    source: str | None = None,
    language: Language = "en",
) -> Figure:
    """One panel per modelled goal and reading: the distribution across replications of its
    indicator in the goal year (one colour per run), the target line, and P(met) in the title;
    the goals that are not modelled are listed below."""
    if not runs:
        raise ValueError("no runs to draw")
    modelled = [
        (key, goal) for key, goal in scenario.goal_readings().items() if goal.indicator is not None
    ]
    colours = {name: scenario_colour(index) for index, name in enumerate(runs)}
    columns = max(1, min(COLUMNS, len(modelled)))
    rows = max(1, math.ceil(len(modelled) / columns))
    width = 4.3 * columns if modelled else 8.0
    width = max(width, 8.0)
    note = not_modelled_text(scenario, language)
    lines = len(wrap_footer(width, note, NOTE_SIZE)) if note else 0
    footer_inches = 0.45 + LINE_INCHES * lines
    panel_height = 3.1 if len(runs) == 1 else 3.4
    fig = new_figure(width, panel_height * rows + 0.6 + footer_inches, footer_inches)
    years = sorted({goal.year for _, goal in modelled})
    title = term("dashboard title", language)
    if years:
        joined_years = ("、" if language == "zh" else ", ").join(map(str, years))
        title = term("dashboard title years", language, years=joined_years)
    fig.suptitle(
        title,
        x=0.01,
        ha="left",
        fontsize=12,
        fontweight="bold",
    )
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (goal_id, goal) in zip(axes, modelled, strict=False):
        _panel(ax, goal_id, goal, runs, colours, language)
    for ax in axes[len(modelled) :]:
        ax.set_axis_off()
    if not modelled:
        text = term("no modelled goals", language)
        axes[0].text(0.5, 0.5, text, ha="center", va="center", color=MUTED)
    if len(runs) > 1 and modelled:
        handles, labels = axes[0].get_legend_handles_labels()
        keep = [(h, lab) for h, lab in zip(handles, labels, strict=True) if lab in runs]
        fig.legend(
            [h for h, _ in keep],
            [lab for _, lab in keep],
            loc="outside upper right",
            ncols=len(keep),
            fontsize=8.5,
            frameon=False,
            title=term("scenario legend", language),
            title_fontsize=8.5,
        )
    above = footer(fig, source or "zonesim")
    if note:
        footer(fig, note, line=above, size=NOTE_SIZE)
    return fig


def plot_goal_chances(
    goals: pd.DataFrame,
    names: list[str],
    replications: int,
    source: str | None = None,
    language: Language = "en",
) -> Figure:
    """A comparison's P(met) per goal (one row per reading) and scenario as grouped horizontal
    bars (``goals``: a comparison's goal_comparison.csv, the reference's P in ``p_met_base``),
    each with its 95 % Monte Carlo interval, and the status thresholds as dashed lines."""
    keys = list(dict.fromkeys(goals["goal"]))
    per_scenario = {names[0]: {}}
    for row in goals.itertuples(index=False):
        per_scenario[names[0]][row.goal] = float(row.p_met_base)
        per_scenario.setdefault(str(row.scenario), {})[row.goal] = float(row.p_met)
    count = len(names)
    height = 0.8 / max(count, 1)
    fig = new_figure(9.0, 0.9 + 0.28 * count * len(keys) + 0.5, footer_inches=0.3)
    ax = fig.add_subplot()
    for index, name in enumerate(names):
        chances = [per_scenario.get(name, {}).get(key, math.nan) for key in keys]
        positions = np.arange(len(keys)) + index * height
        hits = [round(p * replications) if math.isfinite(p) else 0 for p in chances]
        intervals = [p_met_interval(h, replications) for h in hits]
        pairs = list(zip(chances, intervals, strict=True))
        lower = [max(0.0, p - lo) if math.isfinite(p) else 0.0 for p, (lo, _) in pairs]
        upper = [max(0.0, hi - p) if math.isfinite(p) else 0.0 for p, (_, hi) in pairs]
        ax.barh(
            positions,
            np.nan_to_num(chances),
            height=height * 0.9,
            color=scenario_colour(index),
            xerr=[lower, upper],
            error_kw={"elinewidth": 0.8, "capsize": 1.5, "ecolor": MUTED},
            label=name,
            gid=f"chance:{name}",
        )
    for threshold in (OFF_TRACK, ON_TRACK):
        gid = f"threshold:{threshold}"
        ax.axvline(threshold, color=GOAL, linestyle="--", linewidth=1, gid=gid)
    middles = np.arange(len(keys)) + height * (count - 1) / 2
    ax.set_yticks(middles, [k.replace(":", " · ") for k in keys], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(term("p met axis", language), fontsize=9)
    style_axes(ax, axis="x")
    ax.grid(False, axis="y")
    ax.legend(
        fontsize=8.5,
        frameon=False,
        loc="lower right",
        title=term("scenario legend", language),
        title_fontsize=8.5,
    )
    ax.set_title(term("chances title", language), loc="left", fontsize=12, fontweight="bold")
    footer(fig, source or "zonesim")
    return fig
