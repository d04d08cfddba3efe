"""The plots of scenario discovery: PRIM's peeling trajectory (coverage against density,
coloured by the number of restricted parameters, the chosen box marked) and the samples on the
chosen box's first two restricted parameters, the box drawn over them."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from sim.plots.style import GOAL, GRID, MUTED, figure_png, footer, format_number, new_figure
from sim.plots.tuning import readable_key
from sim.results import OutputFolder
from sim.studies.discover import DiscoverStudy

MET = "#009E73"
UNMET = "#bbbbbb"
#: Markers of the first peeling (over every parameter) and the second (over the decisive ones).
PASS_MARKERS = ("o", "s")
PASS_LABELS = {1: "peeling over every parameter", 2: "peeling over the decisive parameters"}


def compact(value: float) -> str:
    """A tick label: ``16 B``, ``2.5 M``, ``120,000``, ``0.05``."""
    for factor, suffix in ((1e9, " B"), (1e6, " M")):
        if abs(value) >= factor:
            return format_number(value / factor) + suffix
    return format_number(value)


def _goal_label(goals: list[str]) -> str:
    return goals[0] if len(goals) == 1 else "all of " + ", ".join(goals)


def plot_peeling(
    peeling: pd.DataFrame,
    min_density: float,
    goals: list[str],
    note: str = "",
) -> Figure:
    """Coverage against density of every box on the peeling trajectory, coloured by how many
    parameters it restricts; the chosen box ringed, the density threshold dashed."""
    fig = new_figure(7.5, 5.5, footer_inches=0.3)
    ax = fig.add_subplot()
    dims = peeling["res_dim"].astype(int).to_numpy()
    top = max(int(dims.max()) if len(dims) else 0, 1)
    cmap = colormaps["viridis_r"].resampled(top + 1)
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    passes = peeling["pass"].astype(int) if "pass" in peeling else pd.Series(1, peeling.index)
    stages = peeling["stage"] if "stage" in peeling else pd.Series("peel", peeling.index)
    points = None
    for number in sorted(passes.unique()):
        rows = peeling[(passes == number) & (stages == "peel")]
        ax.plot(rows["coverage"], rows["density"], color=GRID, lw=1, zorder=2)
        points = ax.scatter(
            rows["coverage"],
            rows["density"],
            c=rows["res_dim"].astype(int),
            cmap=cmap,
            norm=norm,
            s=28,
            marker=PASS_MARKERS[(number - 1) % len(PASS_MARKERS)],
            edgecolors="#555555",
            linewidths=0.4,
            zorder=3,
            label=PASS_LABELS.get(number, f"pass {number}") if passes.nunique() > 1 else None,
        )
    pruned = peeling[stages == "pruned"]
    if not pruned.empty:
        ax.scatter(
            pruned["coverage"],
            pruned["density"],
            c=pruned["res_dim"].astype(int),
            cmap=cmap,
            norm=norm,
            s=90,
            marker="*",
            edgecolors="#555555",
            linewidths=0.4,
            zorder=4,
            label="without the restrictions that may be chance",
        )
    ax.axhline(min_density, color=GOAL, ls="--", lw=1, zorder=1)
    ax.text(
        0.01,
        min_density,
        f" minimum density {min_density:g}",
        color=GOAL,
        fontsize=8,
        va="bottom",
        transform=ax.get_yaxis_transform(),
    )
    chosen = peeling[peeling["chosen"].astype(bool)]
    for row in chosen.itertuples(index=False):
        ax.scatter([row.coverage], [row.density], s=180, facecolors="none", edgecolors=GOAL, lw=1.6)
        ax.annotate(
            f"chosen box: coverage {row.coverage:.2f}, density {row.density:.2f},\n"
            f"mass {row.mass:.2f}, {row.res_dim} restricted",
            (row.coverage, row.density),
            xytext=(-12, -28),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color=GOAL,
        )
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("coverage (share of the samples meeting the goal that the box holds)", fontsize=9)
    ax.set_ylabel("density (share of the box's samples that meet the goal)", fontsize=9)
    ax.grid(color=GRID, lw=0.6)
    if passes.nunique() > 1 or not pruned.empty:
        ax.legend(fontsize=8, loc="lower left", frameon=False)
    bar = fig.colorbar(points, ax=ax, ticks=np.arange(top + 1))
    bar.set_label("restricted parameters", fontsize=9)
    title = textwrap.wrap(f"Scenario discovery: when is {_goal_label(goals)} met?", 70)
    ax.set_title("\n".join([*title, "PRIM peeling trajectory"]), fontsize=11, loc="left")
    if note:
        footer(fig, note)
    return fig


def plot_box(
    samples: pd.DataFrame,
    boxes: pd.DataFrame,
    goals: list[str],
    log_scale: Mapping[str, bool] | None = None,
    labels: Mapping[str, str] | None = None,
    note: str = "",
) -> Figure:
    """The samples on the chosen box's first two restricted parameters (one: that parameter
    against P(met)), those meeting the goal in colour, the box's limits drawn over them."""
    log_scale = log_scale or {}
    labels = labels or {}
    fig = new_figure(7.5, 5.5, footer_inches=0.3)
    ax = fig.add_subplot()
    met = samples["met"].astype(bool).to_numpy()
    names = list(boxes["parameter"])[:2]
    x = names[0]
    limits = boxes.set_index("parameter")
    if len(names) >= 2:
        y = names[1]
        y_values = samples[y]
        y_label = labels.get(y) or readable_key(y)
    else:
        rng = np.random.default_rng(0)
        y_values = samples["p_met"] + rng.uniform(-0.02, 0.02, len(samples))
        y_label = "P(met) of the sample (jittered)"
    ax.scatter(samples[x][~met], y_values[~met], s=14, color=UNMET, label="goal not met", zorder=2)
    ax.scatter(samples[x][met], y_values[met], s=16, color=MET, label="goal met", zorder=3)
    x_low, x_high = limits.at[x, "low"], limits.at[x, "high"]
    if len(names) >= 2:
        y_low, y_high = limits.at[names[1], "low"], limits.at[names[1], "high"]
        ax.add_patch(
            Rectangle(
                (x_low, y_low),
                x_high - x_low,
                y_high - y_low,
                fill=False,
                edgecolor=GOAL,
                lw=1.8,
                zorder=4,
            )
        )
    else:
        ax.axvspan(x_low, x_high, color=GOAL, alpha=0.08, zorder=1)
        for edge in (x_low, x_high):
            ax.axvline(edge, color=GOAL, lw=1.4)
    plain = FuncFormatter(lambda value, _: compact(value))
    if log_scale.get(x):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(plain)
    if len(names) >= 2 and log_scale.get(names[1]):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
    if len(names) < 2:
        ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(labels.get(x) or readable_key(x), fontsize=9)
    ax.set_ylabel(y_label, fontsize=9)
    ax.grid(color=GRID, lw=0.6)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    row = boxes.iloc[0]
    others = len(boxes) - len(names)
    subtitle = f"chosen box: coverage {row['coverage']:.2f}, density {row['density']:.2f}"
    if others:
        subtitle += f"; {others} more restricted parameter{'s' if others > 1 else ''} not shown"
    title = textwrap.wrap(f"Where {_goal_label(goals)} is met", 70)
    ax.set_title("\n".join([*title, subtitle]), fontsize=11, loc="left")
    ax.tick_params(which="both", labelsize=8, labelcolor=MUTED)
    if not log_scale.get(x):
        ax.xaxis.set_major_formatter(plain)
    if len(names) >= 2 and not log_scale.get(names[1]):
        ax.yaxis.set_major_formatter(plain)
    if note:
        footer(fig, note)
    return fig


def discovery_figures(study: DiscoverStudy) -> dict[str, bytes]:
    """peeling.png and (with a chosen box) box.png, as PNG bytes by file name; none when
    there was no box to look for (the goal met in no sample, or in all)."""
    result = study.result
    if result.peeling.empty:
        return {}
    manifest = study.manifest
    note = (
        f"{manifest['samples']} Latin-hypercube samples of {study.setup.space.dimension} "
        f"parameters x {manifest['replications']} replications (common random numbers); a "
        f"sample meets the goal when P(met) ≥ {manifest['threshold']:g}: {result.cases} do. "
        f"Scenario {study.setup.scenario.name}."
    )
    figures = {
        "peeling.png": figure_png(
            plot_peeling(result.peeling, result.min_density, study.goals, note)
        )
    }
    if result.chosen is not None and not result.boxes.empty:
        parameters = study.setup.space.parameters
        logs = {path: p.scale == "log" for path, p in parameters.items()}
        labels = {path: p.description for path, p in parameters.items() if p.description}
        figure = plot_box(study.samples, result.boxes, study.goals, logs, labels, note)
        figures["box.png"] = figure_png(figure)
    return figures


def plot_discovery(folder: OutputFolder, study: DiscoverStudy) -> list[Path]:
    """Draw a discovery's plots into its claimed folder."""
    return folder.add(discovery_figures(study))
