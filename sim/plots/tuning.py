"""Figures of the analysis commands: calibration fit, sensitivity indices, the cost–probability
trade-off of a tune, and the probability heatmap of a sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.plots.style import GOAL, GRID, LOSS, MUTED, OBSERVED, SIM, footer, new_figure, style_axes


def _label(row: pd.Series) -> str:
    years = f"{row['year']}" if pd.isna(row["to_year"]) else f"{row['year']}–{int(row['to_year'])}"
    return f"{row['indicator']} {years}"


def plot_calibration(fit: pd.DataFrame, source: str = "") -> Figure:
    """Each observation's simulated 90 % band (pooled over the accepted parameter values) and
    the simulated mean at the best values, as a ratio to the observed figure, beside the range
    the source allows. Hollow markers: left out of the fit (hindcast)."""
    rows = fit.iloc[::-1].reset_index(drop=True)
    fig = new_figure(8.5, 0.38 * len(rows) + 1.4, footer_inches=0.3)
    ax = fig.add_subplot()
    for y, row in rows.iterrows():
        scale = row["observed"] if row["observed"] else 1.0
        ax.plot(
            [row["low"] / scale, row["high"] / scale],
            [y, y],
            color=OBSERVED,
            lw=6,
            alpha=0.25,
            solid_capstyle="butt",
        )
        colour = SIM if row["inside_band"] else LOSS
        ax.plot([row["band_q05"] / scale, row["band_q95"] / scale], [y, y], color=colour, lw=2)
        ax.plot(
            row["best_mean"] / scale,
            y,
            "o",
            color=colour,
            markerfacecolor=colour if row["used_in_fit"] else "white",
            markersize=5,
        )
    ax.axvline(1.0, color=OBSERVED, lw=0.8, ls=":")
    ax.set_yticks(range(len(rows)), [_label(r) for _, r in rows.iterrows()], fontsize=8)
    ax.set_xlabel("simulated / observed", fontsize=9)
    style_axes(ax, axis="x")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title("Calibration: simulated 90 % band vs observed range", fontsize=11, loc="left")
    footer(
        fig,
        "grey: range the source allows; line: simulated 90 % band over accepted parameters "
        "(orange: misses the range); dot: mean at the best values (hollow: not fitted, "
        "a hindcast). " + source,
    )
    return fig


def plot_sensitivity(indices: pd.DataFrame, method: str, output: str, source: str = "") -> Figure:
    """Morris μ* (with σ) or Sobol S1 and ST, with 95 % confidence intervals, largest first."""
    rows = indices.iloc[::-1].reset_index(drop=True)
    fig = new_figure(8.5, 0.45 * len(rows) + 1.5, footer_inches=0.3)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    if method == "morris":
        ax.barh(
            y,
            rows["mu_star"],
            xerr=rows["mu_star_conf"],
            color=SIM,
            height=0.6,
            label="μ* (mean |effect| over the range)",
            error_kw={"ecolor": MUTED},
        )
        ax.plot(rows["sigma"], y, "D", color=LOSS, markersize=5, label="σ (interactions)")
        ax.set_xlabel(f"effect on {output} (its units) across each parameter's range", fontsize=9)
    else:
        ax.barh(
            y + 0.18,
            rows["ST"],
            xerr=rows["ST_conf"],
            color=SIM,
            height=0.36,
            label="ST (total)",
            error_kw={"ecolor": MUTED},
        )
        ax.barh(
            y - 0.18,
            rows["S1"],
            xerr=rows["S1_conf"],
            color=LOSS,
            height=0.36,
            label="S1 (first order)",
            error_kw={"ecolor": MUTED},
        )
        ax.set_xlabel(f"share of the variance of {output}", fontsize=9)
    ax.set_yticks(y, rows["parameter"], fontsize=8)
    ax.axvline(0, color=OBSERVED, lw=0.8)
    style_axes(ax, axis="x")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    title = "Morris screening" if method == "morris" else "Sobol indices"
    ax.set_title(f"{title} of {output}", fontsize=11, loc="left")
    footer(fig, "error bars: 95 % bootstrap intervals. " + source)
    return fig


def plot_tradeoff(
    trials: pd.DataFrame, min_probability: float, best: dict | None, source: str = ""
) -> Figure:
    """Cost of each candidate against its probability of meeting all chosen goals."""
    fig = new_figure(8.5, 5.0, footer_inches=0.3)
    ax = fig.add_subplot()
    trials = trials[trials["stage"] == "search"]
    feasible = trials["feasible"].astype(bool)
    ax.scatter(
        trials.loc[~feasible, "cost_yuan"] / 1e6,
        trials.loc[~feasible, "p_all"],
        s=22,
        color=MUTED,
        alpha=0.7,
        label="candidate",
    )
    ax.scatter(
        trials.loc[feasible, "cost_yuan"] / 1e6,
        trials.loc[feasible, "p_all"],
        s=26,
        color=SIM,
        label=f"P ≥ {min_probability:g}",
    )
    ordered = trials.sort_values("cost_yuan")
    frontier = ordered["p_all"].cummax()
    ax.step(
        ordered["cost_yuan"] / 1e6,
        frontier,
        where="post",
        color=SIM,
        lw=1,
        alpha=0.6,
        label="best probability up to this cost",
    )
    ax.axhline(min_probability, color=GOAL, lw=1, ls="--")
    if best is not None:
        ax.errorbar(
            [best["cost_yuan"] / 1e6],
            [best["p_all"]],
            yerr=[[best["p_all"] - best["p_all_low"]], [best["p_all_high"] - best["p_all"]]],
            fmt="*",
            color=GOAL,
            markersize=13,
            capsize=4,
            label=f"cheapest confirmed ({best['replications']} replications)",
        )
    ax.set_xlabel("cost over the scenario as written (M yuan)", fontsize=9)
    ax.set_ylabel("P(all chosen goals met)", fontsize=9)
    ax.set_ylim(-0.03, 1.03)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(True, color=GRID)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    ax.set_title("Tune: cost against the probability of meeting the goals", fontsize=11, loc="left")
    footer(fig, "star: the answer with its 90 % Wilson interval. " + source)
    return fig


def plot_heatmap(
    x_values: np.ndarray,
    y_values: np.ndarray,
    matrix: np.ndarray,
    x: str,
    y: str,
    column: str,
    source: str = "",
    goal_names: list[str] | None = None,
    note: str = "",
) -> Figure:
    """Probability of meeting the goal(s) over two levers (mean over the others)."""
    fig = new_figure(8.5, 6.0, footer_inches=0.3)
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(
        np.arange(len(x_values) + 1),
        np.arange(len(y_values) + 1),
        matrix,
        cmap="viridis",
        vmin=0,
        vmax=1,
        shading="flat",
    )
    for (row, col), value in np.ndenumerate(matrix):
        if np.isfinite(value):
            ax.text(
                col + 0.5,
                row + 0.5,
                f"{value:.2f}",
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if value < 0.6 else "black",
            )
    ax.set_xticks(np.arange(len(x_values)) + 0.5, [f"{v:.3g}" for v in x_values], fontsize=8)
    ax.set_yticks(np.arange(len(y_values)) + 0.5, [f"{v:.3g}" for v in y_values], fontsize=8)
    ax.set_xlabel(x, fontsize=9)
    ax.set_ylabel(y, fontsize=9)
    bar = fig.colorbar(mesh, ax=ax)
    goals = ", ".join(goal_names) if goal_names else column[2:]
    bar.set_label(
        "probability of meeting " + ("all" if column == "p_all" else "the goal"), fontsize=9
    )
    ax.set_title(f"Sweep: probability of meeting {goals}", fontsize=11, loc="left")
    footer(fig, (note or "cells average over the other levers.") + " " + source)
    return fig
