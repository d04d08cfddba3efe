"""Carrier space: occupied against available floor area per carrier, and the queue for room."""

from __future__ import annotations

import math
import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.language import Language, term
from sim.plots.style import AREA, LOSS, SIM, Scale, footer, new_figure, style_axes, year_axis
from sim.scenario.schema import Scenario

AREA_PREFIX = "carrier_area_m2."
OCCUPIED_PREFIX = "carrier_occupied_m2."
COLUMNS = 4


def carrier_ids(trajectories: pd.DataFrame, scenario: Scenario | None = None) -> list[str]:
    """Carriers with a recorded area, in the scenario's order when it is given."""
    indicators = pd.unique(trajectories["indicator"])
    found = [str(i)[len(AREA_PREFIX) :] for i in indicators if str(i).startswith(AREA_PREFIX)]
    if scenario is not None:
        order = list(scenario.carriers)
        found.sort(key=lambda c: order.index(c) if c in order else len(order))
    return found


def yearly_median(trajectories: pd.DataFrame, indicator: str) -> pd.Series:
    """Median across replications by year (empty when the indicator is not recorded)."""
    rows = trajectories[trajectories["indicator"] == indicator]
    return rows.groupby("year")["value"].median().sort_index()


def _carrier_panel(
    ax: Axes, trajectories: pd.DataFrame, carrier: str, name: str, language: Language = "en"
) -> None:
    area = yearly_median(trajectories, AREA_PREFIX + carrier)
    occupied = yearly_median(trajectories, OCCUPIED_PREFIX + carrier)
    if not occupied.empty:
        ax.fill_between(
            occupied.index.to_numpy(dtype=float),
            0,
            occupied.to_numpy(),
            color=SIM,
            alpha=0.35,
            linewidth=0,
        )
        ax.plot(
            occupied.index.to_numpy(dtype=float),
            occupied.to_numpy(),
            color=SIM,
            linewidth=1.8,
            label=term("occupied", language),
            gid=f"occupied:{carrier}",
        )
    ax.plot(
        area.index.to_numpy(dtype=float),
        area.to_numpy(),
        color=AREA,
        linewidth=1.8,
        linestyle="--",
        label=term("available", language),
        gid=f"available:{carrier}",
    )
    wrapped = "\n".join(textwrap.wrap(name, 15 if language == "zh" else 30))
    ax.set_title(wrapped, loc="left", fontsize=9.5)
    style_axes(ax, Scale(1.0, "m²"))
    year_axis(ax, language)
    ax.set_xlabel("")


def _queue_panel(ax: Axes, trajectories: pd.DataFrame, language: Language = "en") -> None:
    waiting = yearly_median(trajectories, "waiting")
    turned = yearly_median(trajectories, "turned_away")
    if not waiting.empty:
        ax.plot(
            waiting.index.to_numpy(dtype=float),
            waiting.to_numpy(),
            color=SIM,
            linewidth=2,
            marker="o",
            markersize=3,
            label=term("waiting", language),
            gid="waiting",
        )
    if not turned.empty:
        ax.plot(
            turned.index.to_numpy(dtype=float),
            turned.to_numpy(),
            color=LOSS,
            linewidth=2,
            marker="s",
            markersize=3,
            label=term("turned away", language),
            gid="turned_away",
        )
    ax.set_title(term("queue title", language), loc="left", fontsize=9.5, fontweight="bold")
    ax.set_ylabel(term("firms and teams", language), fontsize=8.5)
    ax.set_ylim(bottom=0)
    style_axes(ax, Scale(1.0, "firms"))
    year_axis(ax, language)
    ax.set_xlabel("")
    ax.legend(fontsize=7.5, frameon=False, loc="upper left")


def plot_carriers(
    trajectories: pd.DataFrame,
    scenario: Scenario | None = None,
    source: str | None = None,
    language: Language = "en",
) -> Figure:
    """One small panel per carrier with the median occupied and available floor area over
    time, and a panel with the median number waiting and turned away."""
    carriers = carrier_ids(trajectories, scenario)
    panels = len(carriers) + 1
    columns = min(COLUMNS, panels)
    rows = math.ceil(panels / columns)
    fig = new_figure(3.3 * columns, 2.5 * rows + 0.8, footer_inches=0.3)
    grid = fig.add_gridspec(rows, columns)
    first: Axes | None = None
    for index, carrier in enumerate(carriers):
        row, column = divmod(index, columns)
        ax = fig.add_subplot(grid[row, column], sharey=first)
        first = first or ax
        name = carrier
        if scenario is not None and carrier in scenario.carriers:
            spec = scenario.carriers[carrier]
            name = (spec.name_zh or spec.name) if language == "zh" else spec.name
        _carrier_panel(ax, trajectories, carrier, name, language)
        if column == 0:
            ax.set_ylabel(term("floor area", language), fontsize=8.5)
    row, column = divmod(len(carriers), columns)
    _queue_panel(fig.add_subplot(grid[row, column:]), trajectories, language)
    if first is not None:
        first.set_ylim(bottom=0)
        handles, labels = first.get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside upper right",
            ncols=len(labels),
            fontsize=8.5,
            frameon=False,
        )
    fig.suptitle(
        term("carriers title", language),
        x=0.01,
        ha="left",
        fontsize=12,
        fontweight="bold",
    )
    footer(fig, source or "zonesim")
    return fig
