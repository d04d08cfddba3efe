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

from sim.analysis.goals import goal_values, met
from sim.plots.style import (
    GOAL,
    LINE_INCHES,
    MUTED,
    OPS,
    Scale,
    footer,
    new_figure,
    scale_for,
    scenario_colour,
    style_axes,
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
    ax: Axes, goal_id: str, goal: Goal, runs: Mapping[str, pd.DataFrame], colours: dict[str, str]
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
    # the dashed line stops below the label, which sits at the top on a white box; the bars
    # stay below the line's end
    ax.axvline(
        target,
        ymax=LINE_TOP,
        color=GOAL,
        linestyle="--",
        linewidth=2,
        gid="target",
        label=f"target {OPS.get(goal.op, goal.op)} {scale.value_text(goal.target)}",
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
        f"target {OPS.get(goal.op, goal.op)} {scale.value_text(goal.target)}",
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
        chance_line = "\n".join(textwrap.wrap(f"P(met): {chances}", 46))
    else:
        chance_line = f"P(met) = {p_met_text(next(iter(probabilities.values())))}"
    read = "" if goal.reading == AS_WRITTEN else f"reading '{goal.reading.replace('_', ' ')}': "
    description = "\n".join(
        textwrap.wrap(f"{read}{goal.description} ({goal.year})", 50, max_lines=2, placeholder=" …")
    )
    ax.set_title(f"{description}\n{chance_line}", loc="left", fontsize=9.5, linespacing=1.3)
    ax.set_xlabel(_unit(scale), fontsize=8.5)
    ax.set_ylabel("replications", fontsize=8.5)
    style_axes(ax, scale, axis="x")
    if integer_bins:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=7))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))


def _unit(scale: Scale) -> str:
    return scale.unit or "value"


def not_modelled_text(scenario: Scenario) -> str:
    """The footer note listing goals without an indicator ('' when there are none)."""
    names = [
        f"{goal.description} ({key})"
        for key, goal in scenario.goal_readings().items()
        if goal.indicator is None
    ]
    return "Not modelled: " + "; ".join(names) + "." if names else ""


def plot_goal_dashboard(
    runs: Mapping[str, pd.DataFrame], scenario: Scenario, source: str | None = None
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
    note = not_modelled_text(scenario)
    lines = len(wrap_footer(width, note, NOTE_SIZE)) if note else 0
    footer_inches = 0.45 + LINE_INCHES * lines
    panel_height = 3.1 if len(runs) == 1 else 3.4
    fig = new_figure(width, panel_height * rows + 0.6 + footer_inches, footer_inches)
    years = sorted({goal.year for _, goal in modelled})
    title = "Will the zone meet its goals?"
    if years:
        title = f"Will the zone meet its {', '.join(map(str, years))} goals?"
    fig.suptitle(
        f"{title} Simulated values in the goal year across replications",
        x=0.01,
        ha="left",
        fontsize=12,
        fontweight="bold",
    )
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (goal_id, goal) in zip(axes, modelled, strict=False):
        _panel(ax, goal_id, goal, runs, colours)
    for ax in axes[len(modelled) :]:
        ax.set_axis_off()
    if not modelled:
        axes[0].text(0.5, 0.5, "No modelled goals", ha="center", va="center", color=MUTED)
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
            title="scenario",
            title_fontsize=8.5,
        )
    above = footer(fig, source or "zonesim")
    if note:
        footer(fig, note, line=above, size=NOTE_SIZE)
    return fig
