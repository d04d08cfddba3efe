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
    MUTED,
    OPS,
    Scale,
    footer,
    new_figure,
    scale_for,
    scenario_colour,
    style_axes,
)
from sim.scenario.schema import Goal, Scenario

COLUMNS = 3


def replications_of(trajectories: pd.DataFrame) -> int:
    """Replications in a trajectories table (ids run from 0)."""
    if trajectories.empty:
        return 0
    return int(trajectories["replication"].max()) + 1


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


def bin_edges(values: list[np.ndarray]) -> np.ndarray:
    """Common histogram bins: one per integer for small counts, else up to 24 equal bins."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    if finite.size == 0:
        return np.array([-0.5, 0.5])
    low, high = float(finite.min()), float(finite.max())
    if np.all(np.equal(np.mod(finite, 1), 0)) and high - low <= 40:
        return np.arange(math.floor(low) - 0.5, math.ceil(high) + 1.0, 1.0)
    if high == low:
        pad = abs(low) * 0.01 or 0.5
        return np.array([low - pad, high + pad])
    count = int(np.clip(round(2 * math.sqrt(finite.size)), 8, 24))
    return np.linspace(low, high, count + 1)


def _panel(
    ax: Axes, goal_id: str, goal: Goal, runs: Mapping[str, pd.DataFrame], colours: dict[str, str]
) -> None:
    assert goal.indicator is not None
    found = {name: goal_distribution(frame, goal) for name, frame in runs.items()}
    samples = [values for values, _ in found.values()]
    scale = scale_for(goal.indicator, np.concatenate([*samples, [goal.target]]))
    scaled = [values / scale.factor for values in samples]
    edges = bin_edges(scaled)
    several = len(runs) > 1
    for (name, (values, _)), shown in zip(found.items(), scaled, strict=True):
        finite = shown[np.isfinite(shown)]
        ax.hist(
            finite,
            bins=edges,
            color=colours[name],
            alpha=0.30 if several else 0.55,
            histtype="stepfilled",
            label=name,
            gid=f"hist:{name}",
        )
        if several:
            ax.hist(finite, bins=edges, color=colours[name], histtype="step", linewidth=1.4)
    target = goal.target / scale.factor
    ax.axvline(
        target,
        color=GOAL,
        linestyle="--",
        linewidth=2,
        gid="target",
        label=f"target {OPS.get(goal.op, goal.op)} {scale.value_text(goal.target)}",
    )
    low = min(edges[0], target)
    high = max(edges[-1], target)
    margin = (high - low) * 0.08 or 1.0
    ax.set_xlim(low - margin, high + margin)
    ax.text(
        target,
        1.0,
        f" target {OPS.get(goal.op, goal.op)} {scale.value_text(goal.target)}",
        transform=ax.get_xaxis_transform(),
        color=GOAL,
        fontsize=8,
        fontweight="bold",
        va="top",
        ha="left" if target <= (low + high) / 2 else "right",
    )
    probabilities = {name: p for name, (_, p) in found.items()}
    if several:
        chances = " · ".join(f"{name} {p_met_text(p)}" for name, p in probabilities.items())
        chance_line = "\n".join(textwrap.wrap(f"P(met): {chances}", 46))
    else:
        chance_line = f"P(met) = {p_met_text(next(iter(probabilities.values())))}"
    description = textwrap.shorten(goal.description, 44, placeholder="…")
    ax.set_title(
        f"{description} ({goal.year})\n{chance_line}", loc="left", fontsize=9.5, linespacing=1.3
    )
    ax.set_xlabel(_unit(scale), fontsize=8.5)
    ax.set_ylabel("replications", fontsize=8.5)
    style_axes(ax, scale, axis="x")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))


def _unit(scale: Scale) -> str:
    return scale.unit or "value"


def not_modelled_text(scenario: Scenario, width: int) -> list[str]:
    """The footer lines listing goals without an indicator."""
    names = [
        f"{goal.description} ({goal_id})"
        for goal_id, goal in scenario.goals.items()
        if goal.indicator is None
    ]
    if not names:
        return []
    return textwrap.wrap("Not modelled: " + "; ".join(names) + ".", width)


def plot_goal_dashboard(
    runs: Mapping[str, pd.DataFrame], scenario: Scenario, source: str | None = None
) -> Figure:
    """One panel per modelled goal: the distribution across replications of its indicator in
    the goal year (one colour per run), the target line, and P(met) in the title; the goals
    that are not modelled are listed below."""
    if not runs:
        raise ValueError("no runs to draw")
    modelled = [(key, goal) for key, goal in scenario.goals.items() if goal.indicator is not None]
    colours = {name: scenario_colour(index) for index, name in enumerate(runs)}
    columns = max(1, min(COLUMNS, len(modelled)))
    rows = max(1, math.ceil(len(modelled) / columns))
    width = 4.3 * columns if modelled else 8.0
    lines = not_modelled_text(scenario, int(width * 17))
    footer_inches = 0.35 + 0.17 * len(lines)
    panel_height = 3.1 if len(runs) == 1 else 3.4
    fig = new_figure(max(width, 8.0), panel_height * rows + 0.6 + footer_inches, footer_inches)
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
    for index, line in enumerate(reversed(lines)):
        footer(fig, line, line=index + 1, size=8)
    footer(fig, source or "zonesim", line=0)
    return fig
