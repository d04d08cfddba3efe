"""What decides each goal: a one-at-a-time screening of the uncertain parameters and the
levers. Each parameter moves alone from its low to its high bound (common random numbers);
the one or two that move the goal's P(met) the most are the goal's ``decided_by``, each with
its provenance (data, rule, calibrated, assumption) or ``lever``, so a reader sees what a
verdict rests on."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

DECIDED_BY_COLUMNS = [
    "goal",
    "rank",
    "parameter",
    "kind",
    "provenance",
    "low",
    "high",
    "p_met_low",
    "p_met_high",
    "p_met_change",
    "p_met_change_lo95",
    "p_met_change_hi95",
]


def decided_by(
    effects: pd.DataFrame,
    kinds: Mapping[str, str],
    provenance: Mapping[str, str],
    top: int = 2,
) -> pd.DataFrame:
    """The ``top`` parameters that move each goal's P(met) the most (by the absolute paired
    change from the low to the high bound; ties by the change of the goal's mean relative to
    its size), those that move it at all. ``effects`` is ``sweep.one_at_a_time``'s effects
    table with its ``lever`` column named ``parameter``."""
    rows = []
    for goal, group in effects.groupby("goal", sort=False):
        scale = group["mean_low"].abs().clip(lower=1e-12)
        ranked = group.assign(
            _p=group["p_met_change"].abs(), _m=(group["mean_change"] / scale).abs()
        ).sort_values(["_p", "_m"], ascending=False, kind="stable")
        ranked = ranked[ranked["_p"] > 0]
        for rank, row in enumerate(ranked.head(top).itertuples(index=False), start=1):
            kind = kinds[row.parameter]
            origin = "lever" if kind == "lever" else provenance.get(row.parameter, "missing")
            rows.append(
                (
                    goal,
                    rank,
                    row.parameter,
                    kind,
                    origin,
                    row.low,
                    row.high,
                    row.p_met_low,
                    row.p_met_high,
                    row.p_met_change,
                    row.p_met_change_lo95,
                    row.p_met_change_hi95,
                )
            )
    return pd.DataFrame(rows, columns=DECIDED_BY_COLUMNS)


def decided_by_text(table: pd.DataFrame, goals: list[str]) -> dict[str, str]:
    """Per goal, e.g. ``initial_state.enterprise_base_firms (assumption, ΔP +0.45);
    ...``; goals the screening saw no parameter move: ``none of the screened parameters``."""
    texts = {}
    for goal in goals:
        rows = table[table["goal"] == goal].sort_values("rank")
        if rows.empty:
            texts[goal] = "none of the screened parameters"
            continue
        texts[goal] = "; ".join(
            f"{row.parameter} ({row.provenance}, ΔP {row.p_met_change:+.2f})"
            for row in rows.itertuples(index=False)
        )
    return texts
