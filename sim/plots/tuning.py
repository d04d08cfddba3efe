"""Figures of the analysis commands: calibration fit, sensitivity indices, the cost–probability
trade-off of a tune, and the probability heatmap of a sweep."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.plots.style import (
    GOAL,
    GRID,
    LOSS,
    MUTED,
    OBSERVED,
    SIM,
    footer,
    format_number,
    new_figure,
    style_axes,
)

#: Unit suffixes of parameter keys and how an axis label shows them, longest first.
KEY_UNITS = (
    ("_yuan_per_year", "yuan per year"),
    ("_per_year", "per year"),
    ("_yuan", "yuan"),
    ("_m2", "m²"),
    ("_years", "years"),
)
#: Path parts that only group others ('pools.x.yearly.amount_yuan'): skipped when naming.
GROUPING_PARTS = frozenset({"yearly", "origins", "pools", "carriers", "funding", "parameters"})


def readable_key(key: str) -> str:
    """An axis label for a dotted parameter key: its last part, after the part that says whose
    it is, underscores as spaces and the unit suffix in brackets, e.g.
    'carriers.chuangji_zhigu.area_m2' -> 'chuangji zhigu: area (m²)' and
    'arrivals.origins.maker_team.rate_per_year' -> 'maker team: rate (per year)'."""
    parts = [part for part in str(key).split(".") if part]
    if not parts:
        return str(key)
    name, unit = parts[-1], ""
    for suffix, shown in KEY_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            name, unit = name[: -len(suffix)], shown
            break
    owners = [part for part in parts[:-1] if part not in GROUPING_PARTS]
    text = name.replace("_", " ")
    if owners:
        text = f"{owners[-1].replace('_', ' ')}: {text}"
    return f"{text} ({unit})" if unit else text


def _labels(keys: object, labels: Mapping[str, str] | None) -> list[str]:
    """Axis labels of parameter keys: the given ones (e.g. a space's descriptions), else
    ``readable_key``."""
    given = labels or {}
    return [given.get(str(key)) or readable_key(str(key)) for key in keys]


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


def plot_sensitivity(
    indices: pd.DataFrame,
    method: str,
    output: str,
    source: str = "",
    notes: list[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Morris μ* (with σ) or Sobol S1 and ST, with 95 % confidence intervals, largest first;
    parameters named by ``labels`` (key -> text) or ``readable_key``. ``notes``: the analysis'
    warnings (``Sensitivity.warnings``, e.g. an unstable Sobol sample), printed on the figure."""
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
    ax.set_yticks(y, _labels(rows["parameter"], labels), fontsize=8)
    ax.axvline(0, color=OBSERVED, lw=0.8)
    style_axes(ax, axis="x")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    title = "Morris screening" if method == "morris" else "Sobol indices"
    ax.set_title(f"{title} of {output}", fontsize=11, loc="left")
    line = footer(fig, "error bars: 95 % bootstrap intervals. " + source)
    if notes:
        first = len(fig.texts)
        footer(fig, caution_text(notes), line=line, size=8.0)
        for text in fig.texts[first:]:  # the note's lines, in the colour of a warning
            text.set_color(LOSS)
            text.set_gid("notes")
    return fig


def caution_text(notes: list[str]) -> str:
    """The analysis' warnings as one short note ('Caution: a; b')."""
    shown = [textwrap.shorten(str(n), 160, placeholder=" …") for n in notes if str(n).strip()]
    return "Caution: " + "; ".join(shown)


#: Columns of a tune's trials table besides the lever values.
TRIAL_COLUMNS = frozenset({"trial", "stage", "cost_yuan", "replications", "feasible"})
#: How refined each stage's estimate of a setting's probability is (higher: later, more
#: replications; 'validate' uses fresh replications that did not select the answer).
STAGE_RANK = {"search": 0, "confirm": 1, "polish": 1, "validate": 2}


def latest_estimates(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct lever setting: its most refined estimate (validate, else the last
    confirm or polish run, else the search), sorted by cost then trial."""
    if trials.empty:
        return trials
    levers = [c for c in trials.columns if c not in TRIAL_COLUMNS and not c.startswith("p_")]
    ranked = trials.assign(_rank=trials["stage"].map(STAGE_RANK).fillna(0))
    ranked = ranked.sort_values(["_rank", "trial"], kind="stable")
    latest = ranked.drop_duplicates(levers, keep="last") if levers else ranked
    return latest.drop(columns="_rank").sort_values(["cost_yuan", "trial"], kind="stable")


def running_best(trials: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The best probability of meeting all chosen goals among settings costing at most each
    cost (each setting by its latest estimate): costs in yuan, ascending, and the probability
    up to each (a step function, constant after each cost)."""
    latest = latest_estimates(trials)
    if latest.empty:
        return np.array([]), np.array([])
    return latest["cost_yuan"].to_numpy(float), latest["p_all"].cummax().to_numpy(float)


def best_up_to(trials: pd.DataFrame, cost_yuan: float) -> float:
    """The running best (``running_best``) at ``cost_yuan``; NaN below every candidate."""
    costs, best = running_best(trials)
    index = int(np.searchsorted(costs, cost_yuan, side="right")) - 1
    return float(best[index]) if index >= 0 else float("nan")


def plot_tradeoff(
    trials: pd.DataFrame, min_probability: float, best: dict | None, source: str = ""
) -> Figure:
    """Cost of each candidate against its probability of meeting all chosen goals: the search's
    candidates, the settings the confirmation and polish ran on more replications, the answer
    (star, re-estimated on fresh replications) and the best probability reached up to each
    cost, where every setting counts with its latest estimate (so the line meets the star)."""
    fig = new_figure(8.5, 5.0, footer_inches=0.3)
    ax = fig.add_subplot()
    search = trials[trials["stage"] == "search"]
    refined = trials[trials["stage"].isin(("confirm", "polish"))]
    feasible = search["feasible"].astype(bool)
    ax.scatter(
        search.loc[~feasible, "cost_yuan"] / 1e6,
        search.loc[~feasible, "p_all"],
        s=22,
        color=MUTED,
        alpha=0.7,
        label="candidate (search)",
        gid="search",
    )
    ax.scatter(
        search.loc[feasible, "cost_yuan"] / 1e6,
        search.loc[feasible, "p_all"],
        s=26,
        color=SIM,
        label=f"P ≥ {min_probability:g} (search)",
        gid="search_feasible",
    )
    search_n = _replications(search)
    refined_n = _replications(refined)
    if not refined.empty:
        ax.scatter(
            refined["cost_yuan"] / 1e6,
            refined["p_all"],
            s=30,
            facecolors="none",
            edgecolors=SIM,
            linewidths=1.1,
            label=f"confirmed or polished ({refined_n} replications)",
            gid="refined",
        )
    costs, frontier = running_best(trials)
    if len(costs):
        ax.step(
            costs / 1e6,
            frontier,
            where="post",
            color=SIM,
            lw=1.2,
            alpha=0.7,
            label="best probability up to this cost",
            gid="running_best",
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
            label=f"answer ({best['replications']} fresh replications)",
            gid="answer",
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
    note = (
        f"Dots: the search's estimates ({search_n} replications each)"
        + (f"; circles: re-runs on {refined_n}" if not refined.empty else "")
        + "; star: the answer re-estimated on fresh replications (another seed), with its 90 % "
        "Wilson interval. These are different estimates: the line takes each setting's latest."
    )
    footer(fig, note + " " + source)
    return fig


def _replications(rows: pd.DataFrame) -> str:
    """The replications of a stage's rows ('10', or '10–40' when they differ)."""
    if rows.empty:
        return "–"
    low, high = int(rows["replications"].min()), int(rows["replications"].max())
    return f"{low}" if low == high else f"{low}–{high}"


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
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Probability of meeting the goal(s) over two levers (mean over the others); the levers
    named by ``labels`` (key -> text) or ``readable_key``."""
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
    ax.set_xticks(np.arange(len(x_values)) + 0.5, [format_number(v) for v in x_values], fontsize=8)
    ax.set_yticks(np.arange(len(y_values)) + 0.5, [format_number(v) for v in y_values], fontsize=8)
    x_label, y_label = _labels([x, y], labels)
    ax.set_xlabel(x_label, fontsize=9)
    ax.set_ylabel(y_label, fontsize=9)
    bar = fig.colorbar(mesh, ax=ax)
    goals = ", ".join(goal_names) if goal_names else column[2:]
    bar.set_label(
        "probability of meeting " + ("all" if column == "p_all" else "the goal"), fontsize=9
    )
    title = textwrap.wrap(f"Sweep: probability of meeting {goals}", 80, max_lines=2)
    ax.set_title("\n".join(title), fontsize=11, loc="left")
    footer(fig, (note or "cells average over the other levers.") + " " + source)
    return fig
