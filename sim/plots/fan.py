"""Fan charts: an indicator's spread across replications by year, with observed figures and
the goal target; and the overlay of several scenarios."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke

from sim.indicators import describe
from sim.plots.style import (
    GOAL,
    OBSERVED,
    SIM,
    Scale,
    footer,
    goal_text,
    new_figure,
    scale_for,
    scenario_colour,
    source_tag,
    style_axes,
    year_axis,
)
from sim.scenario.schema import Goal

#: Line styles of the scenarios' medians in an overlay (identical curves stay visible).
LINESTYLES = ("-", "--", ":", "-.")
#: Quantiles across replications drawn by the fan chart.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def yearly_quantiles(trajectories: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Quantiles (columns ``QUANTILES``) of an indicator across replications, one row per year."""
    rows = trajectories.loc[trajectories["indicator"] == indicator, ["year", "value"]]
    if rows.empty:
        raise ValueError(f"no simulated values of indicator {indicator!r}")
    table = rows.groupby("year")["value"].quantile(list(QUANTILES)).unstack()
    return table.sort_index()


def _figures(
    observations: pd.DataFrame | None, indicator: str, aggregate: str, columns: list[str]
) -> pd.DataFrame:
    """The figures of an indicator with one aggregate, ranges filled in, sorted by year."""
    if observations is None or observations.empty:
        return pd.DataFrame(columns=columns)
    rows = observations[
        (observations["indicator"] == indicator) & (observations["aggregate"] == aggregate)
    ].copy()
    rows["low"] = rows["low"].fillna(rows["value"])
    rows["high"] = rows["high"].fillna(rows["value"])
    if "approx" in columns:
        rows["approx"] = rows["approx"].astype(str).str.lower().isin(("true", "1"))
    return rows[columns].sort_values("year", kind="stable").reset_index(drop=True)


def observed_points(observations: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    """Observed single-year figures of an indicator (aggregate 'value'), sorted by year."""
    columns = ["year", "value", "low", "high", "approx", "source"]
    return _figures(observations, indicator, "value", columns)


def pattern_spans(observations: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    """Published patterns of an indicator averaged over a span of years (aggregate 'mean'):
    year, to_year, value, low, high, source; sorted by year."""
    columns = ["year", "to_year", "value", "low", "high", "source"]
    return _figures(observations, indicator, "mean", columns)


def draw_patterns(ax: Axes, spans: pd.DataFrame, scale: Scale) -> None:
    """A published pattern as a hatched box over the years it is compared in, from the low to
    the high end of its range, with its central value dashed."""
    factor = scale.factor
    for number, span in enumerate(spans.itertuples(index=False)):
        start, end = float(span.year) - 0.4, float(span.to_year) + 0.4
        low, high, value = span.low / factor, span.high / factor, span.value / factor
        ax.fill_between(
            [start, end],
            [low, low],
            [high, high],
            facecolor="none",
            edgecolor=OBSERVED,
            hatch="///",
            linewidth=0.8,
            alpha=0.55,
            zorder=4,
            label=(
                f"published pattern, mean over the years ({source_tag(span.source).split(':')[0]})"
                if number == 0
                else None
            ),
            gid="pattern",
        )
        ax.plot([start, end], [value, value], color=OBSERVED, linestyle="--", linewidth=1.0)


def observed_tags(points: pd.DataFrame) -> list[str]:
    """Distinct short source names of observed points, in order."""
    return list(dict.fromkeys(source_tag(s) for s in points["source"]))


def value_label(indicator: str, scale: Scale) -> str:
    """The y-axis label: the unit, and for a stock when it is measured."""
    kind = describe(indicator).kind
    unit = scale.unit or "value"
    return f"{unit}, end of year" if kind == "stock" else unit


def draw_observed(ax: Axes, points: pd.DataFrame, scale: Scale) -> None:
    """Observed figures as black points; a vertical bar for the range an approximate figure
    ('700余', '近200') allows."""
    if points.empty:
        return
    factor = scale.factor
    years = points["year"].to_numpy(dtype=float)
    values = points["value"].to_numpy(dtype=float) / factor
    approx = points["approx"].to_numpy(dtype=bool)
    if approx.any():
        low = points["low"].to_numpy(dtype=float)[approx] / factor
        high = points["high"].to_numpy(dtype=float)[approx] / factor
        ax.errorbar(
            years[approx],
            values[approx],
            yerr=np.vstack([values[approx] - low, high - values[approx]]),
            fmt="none",
            ecolor=OBSERVED,
            elinewidth=1.2,
            capsize=4,
            zorder=5,
            gid="observed_range",
        )
    ax.plot(
        years,
        values,
        linestyle="none",
        marker="o",
        markersize=6.5,
        markerfacecolor="white",
        markeredgecolor=OBSERVED,
        markeredgewidth=1.8,
        zorder=6,
        label=f"observed ({'; '.join(observed_tags(points))})",
        gid="observed",
    )
    for year, value, source in zip(years, values, points["source"], strict=True):
        ax.annotate(
            source_tag(source).split(" ")[0],
            (year, value),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=7.5,
            color=OBSERVED,
            va="top",
        )


def draw_goal(ax: Axes, goal: Goal | None, scale: Scale, median: pd.Series | None = None) -> None:
    """The goal target as a red star at (goal year, target) labelled e.g. '2020 goal ≥ 20';
    the label goes below the star when the median reaches the target there, else above."""
    if goal is None:
        return
    target = goal.target / scale.factor
    text = goal_text(goal.year, goal.op, goal.target, scale)
    ax.plot(
        [goal.year],
        [target],
        linestyle="none",
        marker="*",
        markersize=15,
        color=GOAL,
        markeredgecolor="white",
        markeredgewidth=0.8,
        zorder=7,
        label=text,
        gid="goal",
    )
    below = median is not None and goal.year in median.index and median[goal.year] >= target
    ax.annotate(
        text,
        (goal.year, target),
        xytext=(9, -9 if below else 9),
        textcoords="offset points",
        fontsize=8.5,
        fontweight="bold",
        color=GOAL,
        va="top" if below else "bottom",
        path_effects=[withStroke(linewidth=3, foreground="white")],
        zorder=8,
    )


def headroom(ax: Axes, non_negative: bool, goal: Goal | None, scale: Scale) -> None:
    """Start at zero for non-negative indicators; leave room above a goal star for its label."""
    if non_negative:
        ax.set_ylim(bottom=0)
    bottom, top = ax.get_ylim()
    if goal is not None:
        ax.set_ylim(top=max(top, goal.target / scale.factor + 0.12 * (top - bottom)))


def _finish(
    fig: Figure, ax: Axes, indicator: str, scale: Scale, title: str | None, source: str | None
) -> None:
    ax.set_title(title or describe(indicator).label, loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel(value_label(indicator, scale), fontsize=9)
    year_axis(ax)
    style_axes(ax, scale)
    ax.legend(fontsize=8, frameon=False, loc="best")
    footer(fig, source or "zonesim")


def plot_fan(
    trajectories: pd.DataFrame,
    indicator: str,
    observations: pd.DataFrame | None = None,
    goal: Goal | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """Median line and 50 % / 90 % bands of ``indicator`` across replications by year, with
    observed figures (and their ranges), published patterns and the goal target marked."""
    quantiles = yearly_quantiles(trajectories, indicator)
    scale = scale_for(indicator, quantiles.to_numpy())
    fig = new_figure(7.5, 4.6, footer_inches=0.3)
    ax = fig.add_subplot()
    years = quantiles.index.to_numpy(dtype=float)
    scaled = quantiles / scale.factor
    ax.fill_between(
        years,
        scaled[0.05],
        scaled[0.95],
        color=SIM,
        alpha=0.14,
        linewidth=0,
        label="90 % of replications",
        gid="band90",
    )
    ax.fill_between(
        years,
        scaled[0.25],
        scaled[0.75],
        color=SIM,
        alpha=0.30,
        linewidth=0,
        label="middle 50 %",
        gid="band50",
    )
    ax.plot(
        years,
        scaled[0.5].to_numpy(),
        color=SIM,
        linewidth=2.2,
        marker="o",
        markersize=3,
        label="median",
        gid="median",
    )
    draw_observed(ax, observed_points(observations, indicator), scale)
    draw_patterns(ax, pattern_spans(observations, indicator), scale)
    draw_goal(ax, goal, scale, scaled[0.5])
    _finish(fig, ax, indicator, scale, title, source)
    headroom(ax, bool(np.nanmin(quantiles.to_numpy()) >= 0), goal, scale)
    return fig


def plot_fan_overlay(
    runs: Mapping[str, pd.DataFrame],
    indicator: str,
    observations: pd.DataFrame | None = None,
    goal: Goal | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """One colour per scenario: the median of ``indicator`` by year and its middle 50 % band;
    observed figures and the goal target as in ``plot_fan``."""
    quantiles = {
        name: yearly_quantiles(frame, indicator)
        for name, frame in runs.items()
        if (frame["indicator"] == indicator).any()
    }
    if not quantiles:
        raise ValueError(f"no simulated values of indicator {indicator!r} in any scenario")
    everything = np.concatenate([q.to_numpy().ravel() for q in quantiles.values()])
    scale = scale_for(indicator, everything)
    fig = new_figure(7.5, 4.6, footer_inches=0.3)
    ax = fig.add_subplot()
    for index, name in enumerate(runs):
        if name not in quantiles:
            continue
        colour = scenario_colour(index)
        years = quantiles[name].index.to_numpy(dtype=float)
        scaled = quantiles[name] / scale.factor
        ax.fill_between(
            years,
            scaled[0.25],
            scaled[0.75],
            color=colour,
            alpha=0.18,
            linewidth=0,
            gid=f"band50:{name}",
        )
        ax.plot(
            years,
            scaled[0.5].to_numpy(),
            color=colour,
            linewidth=3.0 if index == 0 else 2.0,
            linestyle=LINESTYLES[index % len(LINESTYLES)],
            marker="o",
            markersize=3,
            label=name,
            gid=f"median:{name}",
        )
    draw_observed(ax, observed_points(observations, indicator), scale)
    draw_patterns(ax, pattern_spans(observations, indicator), scale)
    reference = next(iter(quantiles.values())) / scale.factor
    draw_goal(ax, goal, scale, reference[0.5])
    _finish(fig, ax, indicator, scale, title, source)
    headroom(ax, bool(np.nanmin(everything) >= 0), goal, scale)
    legend = ax.get_legend()
    if legend is not None:
        legend.set_title("median and middle 50 %", prop={"size": 8})
    return fig
