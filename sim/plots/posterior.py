"""The plot of a posterior calibration: the pairs plot of its weighted draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from sim.plots.style import GOAL, MUTED, SIM, footer, format_number, new_figure
from sim.scenario.space import Space


def _short(path: str) -> str:
    """``arrivals.origins.maker_team.rate_per_year`` -> ``maker_team.rate_per_year``."""
    parts = path.split(".")
    return ".".join(parts[-2:])


def _ticks(ax, which: str, parameter) -> None:
    """Three labelled ticks on the ``x`` or ``y`` axis (the bounds and their middle on the
    parameter's scale)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    if parameter.scale == "log":
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        middle = float(np.sqrt(parameter.low * parameter.high))
    else:
        middle = (parameter.low + parameter.high) / 2
    ticks = [parameter.low, middle, parameter.high]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FixedFormatter([format_number(t) for t in ticks]))
    axis.set_minor_locator(NullLocator())


def plot_pairs(draws: pd.DataFrame, space: Space, method: str, source: str = "") -> Figure:
    """Every pair of parameters: the draws (darker for more weight) in the space's bounds,
    with the scenario's own values marked; the diagonal holds each parameter's weighted
    histogram. Axes are on the parameter's scale (log for log-scale parameters)."""
    paths = space.paths
    d = len(paths)
    size = max(6.0, 1.9 * d)
    fig = new_figure(size, size + 0.3, footer_inches=0.45)
    weights = draws["weight"].to_numpy(float)
    alpha = 0.15 + 0.85 * weights / weights.max()
    base = space.base_values()
    order = np.argsort(weights)
    for row, y_path in enumerate(paths):
        for col, x_path in enumerate(paths):
            ax = fig.add_subplot(d, d, row * d + col + 1)
            x_par = space.parameters[x_path]
            _ticks(ax, "x", x_par)
            ax.set_xlim(x_par.low, x_par.high)
            if row == col:
                bins = (
                    np.geomspace(x_par.low, x_par.high, 21)
                    if x_par.scale == "log"
                    else np.linspace(x_par.low, x_par.high, 21)
                )
                ax.hist(draws[x_path], bins=bins, weights=weights, color=SIM, alpha=0.8)
                ax.axvline(base[x_path], color=GOAL, lw=1)
                ax.set_yticks([])
            else:
                y_par = space.parameters[y_path]
                _ticks(ax, "y", y_par)
                ax.set_ylim(y_par.low, y_par.high)
                colours = np.zeros((len(order), 4))
                colours[:, :3] = (0.0, 0.447, 0.698)
                colours[:, 3] = alpha[order]
                ax.scatter(
                    draws[x_path].to_numpy()[order],
                    draws[y_path].to_numpy()[order],
                    s=6,
                    c=colours,
                    linewidths=0,
                )
                ax.plot(base[x_path], base[y_path], "x", color=GOAL, ms=6, mew=1.5)
            ax.tick_params(labelsize=6)
            if row == d - 1:
                ax.set_xlabel(_short(x_path), fontsize=6.5)
            else:
                ax.tick_params(labelbottom=False)
            if col == 0 and row != col:
                ax.set_ylabel(_short(y_path), fontsize=6.5)
            elif row != col:
                ax.tick_params(labelleft=False)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
    fig.suptitle(
        f"Posterior of {len(paths)} parameters ({method}, {len(draws)} weighted draws)",
        fontsize=10,
        x=0.02,
        ha="left",
    )
    line = footer(
        fig,
        "Blue: posterior draws (darker: more weight); red: the scenario's own values. "
        "Axes span the space's bounds (the prior).",
        size=7,
    )
    if source:
        footer(fig, f"Scenario: {source}", line=line, size=7)
    for ax in fig.axes:
        ax.tick_params(colors=MUTED)
    return fig
