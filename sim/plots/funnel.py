"""The funnel: how many newcomers get how far over the horizon, and where they are lost."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.indicators import describe
from sim.language import Language, indicator_name, term
from sim.plots.style import LOSS, SIM, footer, format_number, new_figure, style_axes

#: Stages a firm passes, in the order of the flow (drawn top to bottom: arrivals first).
PROGRESS = ("arrivals", "admitted", "first_funded", "first_certified", "graduations")
#: Ways of dropping out of (or leaving) the pipeline.
LOSSES = ("failures", "dissolved", "turned_away", "ineligible", "left_max_stay")


def funnel_values(trajectories: pd.DataFrame) -> pd.Series:
    """For each funnel flow present: the median across replications of its sum over the years."""
    names = [*PROGRESS, *LOSSES]
    rows = trajectories[trajectories["indicator"].isin(names)]
    sums = rows.groupby(["indicator", "replication"])["value"].sum()
    medians = sums.groupby(level="indicator").median()
    return pd.Series({name: float(medians[name]) for name in names if name in medians.index})


def plot_funnel(
    trajectories: pd.DataFrame, source: str | None = None, language: Language = "en"
) -> Figure:
    """Cumulative flows over the horizon (median across replications) as horizontal bars:
    the stages firms reach, then the ways they are lost or leave."""
    values = funnel_values(trajectories)
    flows = trajectories[trajectories["indicator"].isin(values.index)]
    years = (int(flows["year"].min()), int(flows["year"].max())) if len(flows) else (0, 0)
    fig = new_figure(8.5, 5.4, footer_inches=0.3)
    ax = fig.add_subplot()
    groups = (
        (term("stages reached", language), [n for n in PROGRESS if n in values.index], SIM),
        (term("lost or leaving", language), [n for n in LOSSES if n in values.index], LOSS),
    )
    ticks: list[float] = []
    labels: list[str] = []
    position = 0.0
    peak = float(values.max()) if len(values) else 1.0
    for heading, names, colour in groups:
        if not names:
            continue
        ax.text(
            0,
            position - 0.75,
            heading,
            fontsize=9.5,
            fontweight="bold",
            color=colour,
            va="center",
            ha="left",
        )
        positions = [position + i for i in range(len(names))]
        bars = ax.barh(
            positions,
            [values[n] for n in names],
            color=colour,
            height=0.65,
            label=heading,
            gid=heading,
        )
        ax.bar_label(
            bars,
            labels=[format_number(values[n], 0) for n in names],
            padding=4,
            fontsize=8.5,
        )
        ticks.extend(positions)
        labels.extend(indicator_name(n, describe(n).label, language) for n in names)
        position += len(names) + 1.6
    ax.set_yticks(ticks, labels, fontsize=9)
    # the first stage at the top: y grows downwards, with room above for the first heading
    ax.set_ylim((ticks[-1] if ticks else 0.0) + 0.6, -1.3)
    ax.set_xlim(0, peak * 1.15 or 1.0)
    style_axes(ax, axis="x")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(False, axis="y")
    ax.set_xlabel(term("funnel axis", language), fontsize=9)
    ax.set_title(
        term("funnel title", language, first=years[0], last=years[1]),
        loc="left",
        fontsize=12,
        fontweight="bold",
    )
    ax.tick_params(axis="y", length=0)
    note = term("funnel note", language)
    if "admitted" in values.index:
        note += term("funnel note makers", language)
    footer(fig, (source or "zonesim") + " · " + note)
    return fig
