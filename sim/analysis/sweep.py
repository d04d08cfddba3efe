"""Sweeps: a full-factorial grid, a Latin hypercube or one lever at a time over the levers,
each point run with the same replications, and the probability of meeting the goals at each
point. One lever at a time also gives each lever's paired effect (high bound minus low bound,
the others as the scenario has them) on each goal, with 95 % intervals: under common random
numbers the differences are paired replication by replication."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from sim.analysis.goals import goal_values, met
from sim.analysis.tuning import goal_met
from sim.scenario.schema import Goal
from sim.scenario.space import Space

DESIGNS = ("grid", "lhs", "oat")


def design(space: Space, kind: str, samples: int, seed: int) -> np.ndarray:
    """Unit-cube points: ``grid`` has ``samples`` levels per lever (samples^k points, bounds
    included); ``lhs`` has ``samples`` points of a Latin hypercube. (``oat`` is
    :func:`one_at_a_time`.)"""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    if kind == "grid":
        levels = np.linspace(0.0, 1.0, samples) if samples > 1 else np.array([0.5])
        return np.array(list(itertools.product(levels, repeat=space.dimension)))
    if kind == "lhs":
        return qmc.LatinHypercube(d=space.dimension, seed=seed).random(samples)
    raise ValueError(f"design must be one of grid, lhs, got {kind!r}")


def sweep(
    space: Space,
    goals: Mapping[str, Goal],
    evaluate: Callable[..., pd.DataFrame],
    replications: int,
    kind: str,
    samples: int,
    seed: int,
    on_point: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per design point: lever values, cost, and the probability of meeting each goal
    and all of them."""
    points = design(space, kind, samples, seed)
    rows = []
    for number, point in enumerate(points):
        values = space.values(point)
        hits = goal_met(evaluate(values, replications), goals, replications)
        row = {"point": number, **values, "cost_yuan": space.cost_yuan(values)}
        row.update({f"p_{name}": float(array.mean()) for name, array in hits.items()})
        rows.append(row)
        if on_point:
            on_point(number, len(points))
    return pd.DataFrame(rows)


def one_at_a_time(
    space: Space,
    goals: Mapping[str, Goal],
    evaluate: Callable[..., pd.DataFrame],
    replications: int,
    on_point: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each lever at its low and at its high bound, the others as the scenario has them.

    Returns the sweep table (one row per point, with the lever moved and its level) and the
    effects table: per lever and goal, P(met) and the mean of the goal's indicator at each
    bound, and their paired differences (high minus low) with 95 % t intervals over the
    replications, with the cost of moving the lever from its low to its high bound."""
    base = space.base_values()
    points = []
    for path, parameter in space.parameters.items():
        for level, value in (("low", parameter.low), ("high", parameter.high)):
            points.append((path, level, {**base, path: float(value)}))
    rows, outcomes = [], []
    for number, (path, level, values) in enumerate(points):
        trajectories = evaluate(values, replications)
        found = {
            name: goal_values(trajectories, goal.indicator, goal.year, replications)
            for name, goal in goals.items()
        }
        hits = goal_met(trajectories, goals, replications)
        outcomes.append(found)
        row = {"point": number, "lever": path, "level": level, **values}
        row["cost_yuan"] = space.cost_yuan(values)
        row.update({f"p_{name}": float(array.mean()) for name, array in hits.items()})
        rows.append(row)
        if on_point:
            on_point(number, len(points))
    effects = []
    for i, (path, parameter) in enumerate(space.parameters.items()):
        low, high = outcomes[2 * i], outcomes[2 * i + 1]
        for name, goal in goals.items():
            met_low, met_high = met(low[name], goal), met(high[name], goal)
            d_met = paired_interval(met_high.astype(float) - met_low.astype(float))
            d_value = paired_interval(high[name] - low[name])
            effects.append(
                {
                    "lever": path,
                    "goal": name,
                    "year": goal.year,
                    "low": float(parameter.low),
                    "high": float(parameter.high),
                    "cost_yuan": parameter.cost_per_unit_yuan * (parameter.high - parameter.low),
                    "p_met_low": float(met_low.mean()),
                    "p_met_high": float(met_high.mean()),
                    "p_met_change": d_met[0],
                    "p_met_change_lo95": d_met[1],
                    "p_met_change_hi95": d_met[2],
                    "mean_low": float(np.nanmean(low[name])),
                    "mean_high": float(np.nanmean(high[name])),
                    "mean_change": d_value[0],
                    "mean_change_lo95": d_value[1],
                    "mean_change_hi95": d_value[2],
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(effects)


def paired_interval(differences: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired differences and its t interval (the mean itself when all are equal)."""
    d = differences[np.isfinite(differences)]
    if len(d) == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(d.mean())
    if len(d) < 2 or float(d.std(ddof=1)) == 0.0:
        return (mean, mean, mean)
    half = float(stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    return (mean, mean - half, mean + half)


def heatmap(
    table: pd.DataFrame, x: str, y: str, column: str, bins: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of ``column`` over the other levers on an x-by-y grid: (x edges or levels,
    y levels, matrix[y, x]). Grid designs use their levels; others are binned."""
    xs, ys = np.sort(table[x].unique()), np.sort(table[y].unique())
    if bins is None and len(xs) * len(ys) <= len(table):
        matrix = table.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
        return xs, ys, matrix.reindex(index=ys, columns=xs).to_numpy()
    bins = bins or max(2, int(np.sqrt(len(table) / 2)))
    x_edges = np.linspace(table[x].min(), table[x].max(), bins + 1)
    y_edges = np.linspace(table[y].min(), table[y].max(), bins + 1)
    xi = np.clip(np.digitize(table[x], x_edges) - 1, 0, bins - 1)
    yi = np.clip(np.digitize(table[y], y_edges) - 1, 0, bins - 1)
    sums = np.zeros((bins, bins))
    counts = np.zeros((bins, bins))
    np.add.at(sums, (yi, xi), table[column].to_numpy())
    np.add.at(counts, (yi, xi), 1)
    with np.errstate(invalid="ignore"):
        matrix = sums / counts
    centres = lambda e: (e[:-1] + e[1:]) / 2  # noqa: E731
    return centres(x_edges), centres(y_edges), matrix
