"""Sweeps: a full-factorial grid or a Latin hypercube over the levers, each point run with the
same replications, and the probability of meeting the goals at each point."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.analysis.space import Space
from sim.analysis.tuning import goal_met
from sim.scenario.schema import Goal

DESIGNS = ("grid", "lhs")


def design(space: Space, kind: str, samples: int, seed: int) -> np.ndarray:
    """Unit-cube points: ``grid`` has ``samples`` levels per lever (samples^k points, bounds
    included); ``lhs`` has ``samples`` points of a Latin hypercube."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    if kind == "grid":
        levels = np.linspace(0.0, 1.0, samples) if samples > 1 else np.array([0.5])
        return np.array(list(itertools.product(levels, repeat=space.dimension)))
    if kind == "lhs":
        return qmc.LatinHypercube(d=space.dimension, seed=seed).random(samples)
    raise ValueError(f"design must be one of {', '.join(DESIGNS)}, got {kind!r}")


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
