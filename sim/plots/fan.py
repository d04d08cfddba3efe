"""Fan charts: an indicator's spread across replications by year, with observed figures and
the goal target; and the overlay of several scenarios."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from sim.indicators import describe
from sim.language import Language, indicator_name, term, unit_name
from sim.plots.style import (
    GOAL,
    OBSERVED,
    SIM,
    Scale,
    footer,
    format_number,
    goal_text,
    new_figure,
    scale_for,
    scenario_colour,
    source_tag,
    style_axes,
    unit_text,
    year_axis,
)
from sim.scenario.observations import source_code
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


def draw_patterns(ax: Axes, spans: pd.DataFrame, scale: Scale, language: Language = "en") -> None:
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
                term("pattern mean", language, source=source_tag(span.source).split(":")[0])
                if number == 0
                else None
            ),
            gid="pattern",
        )
        ax.plot([start, end], [value, value], color=OBSERVED, linestyle="--", linewidth=1.0)


def sum_spans(observations: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    """Published totals over a span of years (aggregate 'sum') of ``indicator`` or of one of its
    parts (``indicator.<id>``, e.g. ``grants_paid_yuan.carrier_project`` on the fan of
    ``grants_paid_yuan``): indicator, year, to_year, value, low, high, approx, source; sorted
    by year, then indicator."""
    columns = ["indicator", "year", "to_year", "value", "low", "high", "approx", "source"]
    if observations is None or observations.empty:
        return pd.DataFrame(columns=columns)
    names = observations["indicator"].astype(str)
    rows = observations[
        ((names == indicator) | names.str.startswith(indicator + "."))
        & (observations["aggregate"] == "sum")
    ].copy()
    rows["low"] = rows["low"].fillna(rows["value"])
    rows["high"] = rows["high"].fillna(rows["value"])
    rows["to_year"] = rows["to_year"].fillna(rows["year"])
    rows["approx"] = rows["approx"].astype(str).str.lower().isin(("true", "1"))
    return rows[columns].sort_values(["year", "indicator"], kind="stable").reset_index(drop=True)


def simulated_sum(
    trajectories: pd.DataFrame | None, indicator: str, first: int, last: int
) -> float:
    """Median across replications of the indicator's sum over ``first``..``last`` (as the
    calibration compares a summed figure); NaN when it was not recorded."""
    if trajectories is None:
        return float("nan")
    rows = trajectories[
        (trajectories["indicator"] == indicator)
        & (trajectories["year"] >= first)
        & (trajectories["year"] <= last)
    ]
    if rows.empty:
        return float("nan")
    return float(rows.groupby("replication")["value"].sum().median())


def total_unit(scale: Scale, language: Language = "en") -> str:
    """The unit of a total over years: 'million yuan per year' -> 'M yuan'."""
    unit = scale.unit.replace(" per year", "")
    if language == "zh":
        return unit_name(unit, language) if unit else ""
    unit = unit.replace("million yuan", "M yuan")
    return f" {unit}" if unit else ""


def draw_sums(
    ax: Axes,
    spans: pd.DataFrame,
    scale: Scale,
    trajectories: pd.DataFrame | None = None,
    language: Language = "en",
) -> None:
    """A published total over several years, shown per year on the yearly axis: a black bar
    over its years at the total divided by the number of years (a grey box for the range an
    approximate figure allows), its legend entry giving the total, its years, its source and,
    when the run recorded it, the simulated median of the same total. A part's figure
    (``indicator.<id>``) is named."""
    factor = scale.factor
    for span in spans.itertuples(index=False):
        first, last = int(span.year), int(span.to_year)
        years = last - first + 1
        start, end = first - 0.4, last + 0.4
        level = span.value / factor / years
        if span.low != span.high:
            low, high = span.low / factor / years, span.high / factor / years
            ax.fill_between(
                [start, end],
                [low, low],
                [high, high],
                facecolor=OBSERVED,
                alpha=0.15,
                linewidth=0,
                zorder=5,
                gid="observed_sum_range",
            )
        ax.plot(
            [start, end],
            [level, level],
            color=OBSERVED,
            linewidth=2.4,
            solid_capstyle="butt",
            marker="|",
            markersize=9,
            markeredgewidth=2.0,
            zorder=6,
            label=sum_label(span, scale, trajectories, language),
            gid="observed_sum",
        )


def sum_label(
    span: object,
    scale: Scale,
    trajectories: pd.DataFrame | None = None,
    language: Language = "en",
) -> str:
    """Legend text of a total over years: what was observed, over which years, from which
    source; its per-year level as drawn; and the simulated median of the same total."""
    first, last = int(span.year), int(span.to_year)
    factor = scale.factor
    part = str(span.indicator).partition(".")[2].replace("_", " ")
    about = "≈ " if span.approx else ""
    text = term(
        "observed total",
        language,
        part=part + " " if part else "",
        first=first,
        last=last,
        about=about,
        value=format_number(span.value / factor),
        unit=total_unit(scale, language),
        source=source_tag(span.source),
        per_year=format_number(span.value / factor / (last - first + 1)),
    )
    simulated = simulated_sum(trajectories, str(span.indicator), first, last)
    if np.isfinite(simulated):
        text += term("simulated total", language, value=format_number(simulated / factor))
    return text


def observed_tags(points: pd.DataFrame) -> list[str]:
    """Distinct short source names of observed points, in order."""
    return list(dict.fromkeys(source_tag(s) for s in points["source"]))


def observed_sources(observations: pd.DataFrame | None, indicator: str) -> list[str]:
    """Short source names of every observed figure a fan chart of ``indicator`` marks: the
    single-year figures, then the totals over years (its own and its parts')."""
    points = observed_points(observations, indicator)
    spans = sum_spans(observations, indicator)
    return list(dict.fromkeys([*observed_tags(points), *observed_tags(spans)]))


def source_key(observations: pd.DataFrame | None, indicator: str) -> dict[str, str]:
    """The titles of the source codes a fan chart of ``indicator`` shows (code: title), from
    the observation files' ``sources`` keys; codes without a title are left out."""
    if observations is None or "source_title" not in observations.columns:
        return {}
    shown = {tag.split(" ")[0] for tag in observed_sources(observations, indicator)}
    key: dict[str, str] = {}
    for source, title in zip(observations["source"], observations["source_title"], strict=True):
        code = source_code(source)
        if code in shown and isinstance(title, str) and title and code not in key:
            key[code] = title
    return key


def value_label(indicator: str, scale: Scale, language: Language = "en") -> str:
    """The y-axis label: the unit, and for a stock when it is measured."""
    kind = describe(indicator).kind
    unit = unit_text(scale, language)
    return term("end of year", language, unit=unit) if kind == "stock" else unit


def draw_observed(ax: Axes, points: pd.DataFrame, scale: Scale, language: Language = "en") -> None:
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
        label=term("observed points", language, sources="; ".join(observed_tags(points))),
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


#: Where a goal label may go around its star: offsets (points), alignments; tried in order.
RIGHT, LEFT = (9, "left"), (-9, "right")
ABOVE, BELOW = (9, "bottom"), (-9, "top")


def draw_goal(
    ax: Axes,
    goal: Goal | None,
    scale: Scale,
    median: pd.Series | None = None,
    language: Language = "en",
) -> Annotation | None:
    """The goal target as a red star at (goal year, target) labelled e.g. '2020 goal ≥ 20' on
    a white box, right of the star and below it when the median reaches the target there,
    else above (``place_goal_label`` then moves it off observed figures). Returns the label."""
    if goal is None:
        return None
    target = goal.target / scale.factor
    text = goal_text(goal.year, goal.op, goal.target, scale, language)
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
    (dx, ha), (dy, va) = RIGHT, BELOW if below else ABOVE
    return ax.annotate(
        text,
        (goal.year, target),
        xytext=(dx, dy),
        textcoords="offset points",
        fontsize=8.5,
        fontweight="bold",
        color=GOAL,
        ha=ha,
        va=va,
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none"},
        zorder=8,
        gid="goal_label",
    )


def _point_boxes(line: Line2D, pad: float) -> list[Bbox]:
    """Display boxes around a line's data points (its markers)."""
    points = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    radius = line.get_markersize() * line.figure.dpi / 72 / 2 + pad
    return [
        Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
        for x, y in points
        if np.isfinite(x) and np.isfinite(y)
    ]


def _path_boxes(line: Line2D, step: float = 3.0, half: float = 1.5) -> list[Bbox]:
    """Small display boxes every ``step`` pixels along a line (what a label would cut)."""
    points = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    points = points[np.all(np.isfinite(points), axis=1)]
    boxes: list[Bbox] = []
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
        count = max(1, int(np.hypot(x1 - x0, y1 - y0) / step))
        for t in np.linspace(0.0, 1.0, count, endpoint=False):
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    return boxes


def _obstacles(ax: Axes, label: Annotation, renderer: object) -> list[tuple[Bbox, float]]:
    """What a goal label should not cover, with weights: observed figures (points, their
    ranges and source tags, totals over years, patterns) and the median (points and line)."""
    found: list[tuple[Bbox, float]] = []
    for line in ax.lines:
        gid = str(line.get_gid() or "")
        if gid == "observed":
            found += [(box, 1.0) for box in _point_boxes(line, 2.0)]
        elif gid.startswith("median"):
            found += [(box, 0.5) for box in _point_boxes(line, 1.0)]
            found += [(box, 0.5) for box in _path_boxes(line)]
        elif gid == "observed_sum":
            found.append((line.get_window_extent(renderer), 1.0))
    for collection in ax.collections:
        gid = str(collection.get_gid() or "")
        if gid == "observed_range":
            transform = collection.get_transform()
            for segment in collection.get_segments():
                box = Bbox(transform.transform(np.asarray(segment, dtype=float)))
                found.append((box.expanded(1.0, 1.0).padded(4.0), 1.0))
        elif gid in ("pattern", "observed_sum_range"):
            found.append((collection.get_window_extent(renderer), 0.5))
    for text in ax.texts:
        if text is not label and text.get_text():
            found.append((text.get_window_extent(renderer), 1.0))
    return found


def _overlap(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, width) * max(0.0, height)


def place_goal_label(fig: Figure, ax: Axes, label: Annotation | None) -> None:
    """Put a goal label where it covers the least of the observed figures (and stays inside
    the axes): right or left of its star, on its side of the star first (below when the
    median reaches the target), then on the other. Measured on the laid-out figure, so the
    choice depends only on what is drawn."""
    if label is None:
        return
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = canvas.get_renderer()
    obstacles = _obstacles(ax, label, renderer)
    frame = ax.get_window_extent(renderer)
    vertical = (BELOW, ABOVE) if label.get_va() == "top" else (ABOVE, BELOW)
    best: tuple[float, tuple] | None = None
    for dy, va in vertical:
        for dx, ha in (RIGHT, LEFT):
            label.set_position((dx, dy))
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            covered = sum(weight * _overlap(box, other) for other, weight in obstacles)
            outside = box.width * box.height - _overlap(box, frame)
            score = covered + 2.0 * outside
            if best is None or score < best[0] - 1e-6:
                best = (score, (dx, dy, ha, va))
    assert best is not None
    dx, dy, ha, va = best[1]
    label.set_position((dx, dy))
    label.set_horizontalalignment(ha)
    label.set_verticalalignment(va)


def headroom(ax: Axes, non_negative: bool, goal: Goal | None, scale: Scale) -> None:
    """Start at zero for non-negative indicators; leave room above a goal star for its label."""
    if non_negative:
        ax.set_ylim(bottom=0)
    bottom, top = ax.get_ylim()
    if goal is not None:
        ax.set_ylim(top=max(top, goal.target / scale.factor + 0.12 * (top - bottom)))


def _finish(
    fig: Figure,
    ax: Axes,
    indicator: str,
    scale: Scale,
    title: str | None,
    source: str | None,
    language: Language = "en",
) -> None:
    name = indicator_name(indicator, describe(indicator).label, language)
    ax.set_title(title or name, loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel(value_label(indicator, scale, language), fontsize=9)
    year_axis(ax, language)
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
    language: Language = "en",
) -> Figure:
    """Median line and 50 % / 90 % bands of ``indicator`` across replications by year, with
    observed figures (and their ranges), totals observed over several years (shown per year,
    with the simulated median of the same total), published patterns and the goal target
    marked."""
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
        label=term("band 90", language),
        gid="band90",
    )
    ax.fill_between(
        years,
        scaled[0.25],
        scaled[0.75],
        color=SIM,
        alpha=0.30,
        linewidth=0,
        label=term("band 50", language),
        gid="band50",
    )
    ax.plot(
        years,
        scaled[0.5].to_numpy(),
        color=SIM,
        linewidth=2.2,
        marker="o",
        markersize=3,
        label=term("median line", language),
        gid="median",
    )
    points = observed_points(observations, indicator)
    sums = sum_spans(observations, indicator)
    draw_observed(ax, points, scale, language)
    draw_patterns(ax, pattern_spans(observations, indicator), scale, language)
    draw_sums(ax, sums, scale, trajectories, language)
    label = draw_goal(ax, goal, scale, scaled[0.5], language)
    _finish(fig, ax, indicator, scale, title, source, language)
    headroom(ax, bool(np.nanmin(quantiles.to_numpy()) >= 0), goal, scale)
    place_goal_label(fig, ax, label)
    return fig


def plot_fan_overlay(
    runs: Mapping[str, pd.DataFrame],
    indicator: str,
    observations: pd.DataFrame | None = None,
    goal: Goal | None = None,
    title: str | None = None,
    source: str | None = None,
    language: Language = "en",
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
    points = observed_points(observations, indicator)
    sums = sum_spans(observations, indicator)
    draw_observed(ax, points, scale, language)
    draw_patterns(ax, pattern_spans(observations, indicator), scale, language)
    draw_sums(ax, sums, scale, language=language)
    reference = next(iter(quantiles.values())) / scale.factor
    label = draw_goal(ax, goal, scale, reference[0.5], language)
    _finish(fig, ax, indicator, scale, title, source, language)
    headroom(ax, bool(np.nanmin(everything) >= 0), goal, scale)
    place_goal_label(fig, ax, label)
    legend = ax.get_legend()
    if legend is not None:
        legend.set_title(term("median and band", language), prop={"size": 8})
    return fig
