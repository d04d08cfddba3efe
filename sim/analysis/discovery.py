"""Scenario discovery: the ranges of the assumptions under which a goal is met.

Given samples of a parameter space (one row per sample, the parameters in their own units) and
whether the goal is met at each (the *cases of interest*), PRIM (Friedman & Fisher 1999, as
the EMA Workbench implements it for scenario discovery: Bryant & Lempert 2010, Kwakkel 2017)
peels the space, a few per cent of the samples at a time, towards a box in which the goal is
met in most samples. Each box on the way (the *peeling trajectory*) has

* coverage: the share of all cases of interest that fall inside it;
* density: the share of the samples inside it that are cases of interest;
* mass: the share of all samples inside it;
* restricted dimensions: the parameters whose range it narrows.

Every restriction carries its quasi-p value (Bryant & Lempert 2010): the probability, under a
one-sided binomial test, that the box without it would hold as dense a share of cases by
chance; a large value says the restriction may be noise (a few samples peeled off by luck).

The chosen box: of the boxes on the trajectory whose density reaches ``min_density``, in order
of coverage (ties: the densest first), the first that, without its restrictions of quasi-p
above ``max_qp`` (dropped one at a time, the least significant first, by the Workbench's
``drop_restriction``), still reaches ``min_density``; that pruned box is chosen (a row of
``peeling`` with stage ``pruned``). When none does (in many dimensions PRIM's greedy peels
also cut parameters that do not matter, by chance), PRIM peels a second time over only the
parameters that the widest dense box restricts significantly (pass 2 of ``peeling``) and the
box is chosen the same way there. When that fails too, the widest dense box of the first
pass is chosen as it is, with a note; when no box reaches ``min_density`` there is no chosen
box and a note says how dense the densest was.

The EMA Workbench is imported here, inside :func:`discover`, so that nothing else (a worker
process in particular) ever loads it.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

PEELING_COLUMNS = [
    "box",
    "pass",
    "stage",
    "from_box",
    "coverage",
    "density",
    "mass",
    "res_dim",
    "samples_in_box",
    "cases_in_box",
    "chosen",
    "restrictions",
]
BOX_COLUMNS = [
    "parameter",
    "low",
    "high",
    "restricted",
    "bound_low",
    "bound_high",
    "qp_low",
    "qp_high",
    "coverage",
    "density",
    "mass",
    "res_dim",
]


@dataclass
class Discovery:
    """PRIM's answer: the peeling trajectory, the chosen box's limits, and notes."""

    peeling: pd.DataFrame
    """One row per box on the trajectory (``PEELING_COLUMNS``); empty when there was no box
    to look for."""
    boxes: pd.DataFrame
    """The chosen box: one row per restricted parameter (``BOX_COLUMNS``); empty when there
    is no chosen box."""
    cases: int
    """Samples in which the goal is met (the cases of interest)."""
    samples: int
    min_density: float
    chosen: int | None = None
    """Row of ``peeling`` of the chosen box, or None."""
    notes: list[str] = field(default_factory=list)

    def chosen_stats(self) -> dict[str, Any] | None:
        """Where the chosen box is in ``peeling`` (box, pass, stage, the box it was pruned
        from) and its coverage, density, mass and restricted dimensions, or None."""
        if self.chosen is None:
            return None
        row = self.peeling.iloc[self.chosen]
        origin = row["from_box"]
        return {
            "box": int(row["box"]),
            "pass": int(row["pass"]),
            "stage": str(row["stage"]),
            "from_box": None if pd.isna(origin) else int(origin),
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "res_dim": int(row["res_dim"]),
        }

    def limits(self) -> list[dict[str, object]]:
        """The chosen box's restrictions as plain records (for ``summary.json``)."""
        return [
            {
                "parameter": str(r.parameter),
                "low": float(r.low),
                "high": float(r.high),
                "restricted": str(r.restricted),
            }
            for r in self.boxes.itertuples(index=False)
        ]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The EMA Workbench warns on import (no ipyparallel, no altair) and pandas warns about
    its calls; neither concerns a zonesim user."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ipyparallel.*")
        warnings.filterwarnings("ignore", category=ImportWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*inplace.*")
        yield


def _prim():
    with _quiet():
        from ema_workbench.analysis import prim
    return prim


def restriction_text(parameter: str, low: float, high: float, restricted: str) -> str:
    """``name ≤ 3.2``, ``name ≥ 1.5`` or ``name 1.5–3.2``."""
    if restricted == "high":
        return f"{parameter} ≤ {high:.4g}"
    if restricted == "low":
        return f"{parameter} ≥ {low:.4g}"
    return f"{parameter} {low:.4g}–{high:.4g}"


def _side(lower: float, upper: float, init_lower: float, init_upper: float) -> str:
    """Which bounds a box narrows: ``low``, ``high`` or ``both``."""
    moved_low, moved_high = lower != init_lower, upper != init_upper
    if moved_low and moved_high:
        return "both"
    return "low" if moved_low else "high"


def _restrictions(box, i: int, columns) -> str:
    """The restrictions of box ``i`` of the trajectory as text."""
    init, lims = box.box_lims[0], box.box_lims[i]
    parts = []
    for column in columns:
        lower, upper = float(lims.at[0, column]), float(lims.at[1, column])
        init_lower, init_upper = float(init.at[0, column]), float(init.at[1, column])
        if (lower, upper) != (init_lower, init_upper):
            side = _side(lower, upper, init_lower, init_upper)
            parts.append(restriction_text(column, lower, upper, side))
    return "; ".join(parts)


def _row(
    box, i: int, columns, peel: int, stage: str, origin: int | None = None
) -> dict[str, object]:
    """Box ``i`` of the trajectory as a row of ``peeling.csv``."""
    stats = box.peeling_trajectory.loc[i]
    return {
        "box": int(i),
        "pass": peel,
        "stage": stage,
        "from_box": origin,
        "coverage": float(stats["coverage"]),
        "density": float(stats["density"]),
        "mass": float(stats["mass"]),
        "res_dim": int(stats["res_dim"]),
        "samples_in_box": int(stats["n"]),
        "cases_in_box": int(stats["k"]),
        "chosen": False,
        "restrictions": _restrictions(box, i, columns),
    }


def _prune(box, i: int, max_qp: float) -> int:
    """Drop from box ``i``, one at a time and the least significant first, the restrictions
    whose quasi-p values all exceed ``max_qp`` (EMA's ``drop_restriction``, which adds each
    new box to the trajectory with its statistics); the last box's index."""
    current = i
    while True:
        worst, worst_qp = None, max_qp
        for name, values in box.qp[current].items():
            sides = [float(v) for v in values if v is not None and float(v) >= 0]
            least = min(sides) if sides else 0.0
            if least > worst_qp:
                worst, worst_qp = name, least
        if worst is None:
            return current
        box.drop_restriction(worst, i=current)
        current = len(box.peeling_trajectory) - 1


def _peel(data: pd.DataFrame, met: np.ndarray, settings: dict[str, float]):
    """One PRIM box (peeling then pasting) over ``data``: the Workbench's ``PrimBox``."""
    prim = _prim()
    with _quiet():
        # Any threshold in (0, 1] counts the same cases of interest in binary mode; the lowest
        # keeps PRIM from replacing the whole trajectory by a "dump box" when no box reaches
        # min_density: the box is chosen afterwards, on the full trajectory.
        return prim.Prim(data, met, threshold=1e-9, **settings).find_box()


def _trajectory(box, columns, peel: int) -> pd.DataFrame:
    """Every box of a peeling trajectory as rows of ``peeling.csv``."""
    rows = [_row(box, i, columns, peel, "peel") for i in range(len(box.peeling_trajectory))]
    return pd.DataFrame(rows, columns=PEELING_COLUMNS)


def peeling_columns(box) -> list[str]:
    """The parameters a box's PRIM peeled over, in order."""
    return [str(c) for c in box.box_lims[0].columns]


def _choose(
    box, peeling: pd.DataFrame, min_density: float, max_qp: float
) -> tuple[int, int | None, list[str]]:
    """(the chosen box's index in ``box``'s trajectory, the dense box it was pruned from or
    None when no pruned box stays dense, the restrictions left on the widest dense box once
    pruned). ``peeling`` is ``box``'s trajectory as rows."""
    dense = peeling[peeling["density"] >= min_density - 1e-12]
    candidates = [
        int(i) for i in dense.sort_values(["coverage", "density"], ascending=False)["box"]
    ]
    decisive: list[str] = []
    with _quiet():
        for rank, candidate in enumerate(candidates):
            pruned = _prune(box, candidate, max_qp)
            if rank == 0:
                decisive = [c for c in peeling_columns(box) if c in box.qp[pruned]]
            if box.peeling_trajectory.at[pruned, "density"] >= min_density - 1e-12:
                return pruned, candidate, decisive
    return candidates[0], None, decisive


def discover(
    x: pd.DataFrame,
    met: np.ndarray | pd.Series,
    min_density: float = 0.8,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_qp: float = 0.05,
) -> Discovery:
    """PRIM over the samples ``x`` (one column per parameter, in its units) with the cases of
    interest ``met`` (one boolean per row). ``bounds`` (parameter -> (low, high)) are the
    space's bounds, reported beside each limit (else the samples' range). A parameter that
    takes one value in every sample cannot be restricted and is left out."""
    met = np.asarray(met, dtype=bool)
    if len(met) != len(x):
        raise ValueError(f"{len(x)} samples but {len(met)} outcomes")
    if not 0 < min_density <= 1:
        raise ValueError(f"min_density must be in (0, 1] (got {min_density})")
    cases, total = int(met.sum()), len(met)
    empty = Discovery(
        pd.DataFrame(columns=PEELING_COLUMNS),
        pd.DataFrame(columns=BOX_COLUMNS),
        cases,
        total,
        min_density,
    )
    if total == 0:
        empty.notes.append("no samples: nothing to discover")
        return empty
    if cases == 0:
        empty.notes.append(
            f"the goal is met in none of the {total} samples: no box to find (every assumption "
            "in the space leaves it unmet)"
        )
        return empty
    if cases == total:
        empty.notes.append(
            f"the goal is met in all {total} samples: no box to find (no assumption in the "
            "space decides it)"
        )
        return empty
    data = x.astype(float).reset_index(drop=True)
    fixed = [c for c in data.columns if data[c].nunique() < 2]
    data = data.drop(columns=fixed)
    if data.shape[1] == 0:
        empty.notes.append("every parameter takes one value in every sample: nothing to restrict")
        return empty
    settings = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min}
    box = _peel(data, met, settings)
    peeling = _trajectory(box, data.columns, 1)
    result = Discovery(peeling, pd.DataFrame(columns=BOX_COLUMNS), cases, total, min_density)
    if fixed:
        result.notes.append(f"left out (one value in every sample): {', '.join(fixed)}")
    dense = peeling[peeling["density"] >= min_density - 1e-12]
    if dense.empty:
        best = peeling.loc[peeling["density"].idxmax()]
        result.notes.append(
            f"no box on the peeling trajectory reaches density {min_density:g}: the densest "
            f"({best['density']:.2f}, covering {best['coverage']:.0%} of the {cases} samples "
            f"that meet the goal) is box {int(best['box'])} of peeling.csv; lower --min-density "
            "or add samples"
        )
        return result
    chosen, origin, decisive = _choose(box, peeling, min_density, max_qp)
    columns = list(data.columns)
    if origin is None and decisive and len(decisive) < len(columns):
        # the widest dense box holds restrictions that may be chance: peel again over the
        # parameters it restricts significantly
        second = _peel(data[decisive], met, settings)
        again = _trajectory(second, decisive, 2)
        if (again["density"] >= min_density - 1e-12).any():
            found, from_box, _ = _choose(second, again, min_density, max_qp)
            if from_box is not None:
                box, chosen, origin, columns = second, found, from_box, decisive
                peeling = pd.concat([peeling, again], ignore_index=True)
                result.notes.append(
                    f"peeled again over {', '.join(decisive)}: the parameters the widest dense "
                    f"box of the first peeling restricts with quasi-p ≤ {max_qp:g}"
                )
    if origin is None:
        result.notes.append(
            f"every dense box keeps restrictions with quasi-p > {max_qp:g} (they may be chance): "
            "without them none reaches the density; the widest dense box is shown as it is; "
            "add samples or replications"
        )
    last = int(peeling["pass"].max())  # the pass that holds the chosen box
    if origin is not None and chosen != origin:
        peeling.loc[len(peeling)] = _row(box, chosen, columns, last, "pruned", origin)
        row = len(peeling) - 1
    else:
        row = int(np.flatnonzero(peeling["pass"].to_numpy() == last)[0]) + chosen
    peeling.loc[row, "chosen"] = True
    peeling["from_box"] = peeling["from_box"].astype("Int64")
    result.peeling = peeling
    result.chosen = row
    init = box.box_lims[0]
    lims = box.box_lims[chosen]
    qp = box.qp[chosen]
    stats = result.chosen_stats()
    records = []
    for column in columns:
        lower, upper = float(lims.at[0, column]), float(lims.at[1, column])
        init_lower, init_upper = float(init.at[0, column]), float(init.at[1, column])
        if (lower, upper) == (init_lower, init_upper):
            continue
        low_bound, high_bound = (bounds or {}).get(column, (init_lower, init_upper))
        side = _side(lower, upper, init_lower, init_upper)
        qp_low, qp_high = (float(v) for v in qp.get(column, [np.nan, np.nan]))
        records.append(
            {
                "parameter": column,
                # a side the box does not narrow reaches the space's bound
                "low": lower if side != "high" else float(low_bound),
                "high": upper if side != "low" else float(high_bound),
                "restricted": side,
                "bound_low": float(low_bound),
                "bound_high": float(high_bound),
                "qp_low": qp_low if qp_low >= 0 else np.nan,
                "qp_high": qp_high if qp_high >= 0 else np.nan,
                **{k: stats[k] for k in ("coverage", "density", "mass", "res_dim")},
            }
        )
    result.boxes = pd.DataFrame(records, columns=BOX_COLUMNS)
    if stats["res_dim"] == 0:
        result.notes.append(
            f"the whole space already has density {stats['density']:.2f} ≥ {min_density:g}: "
            "the goal is met in most samples whatever the assumptions"
        )
    return result
