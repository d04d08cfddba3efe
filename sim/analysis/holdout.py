"""The held-out track record: how the simulated band of each held-out figure compares with
the range its source allows.

A figure is *held* when the simulated central band (90 % by default: the 5th to the 95th
percentile over the replications of its simulated counterpart, aggregated as observations
are) overlaps the figure's range [low, high]; for a city figure that bounds the zone, that
range is [0, city figure]. ``share_inside``, the share of replications whose value lies in the
range, is the stricter reading (a bound the zone alone passes in many replications is held by
the band but has a low share). Over a posterior run the replications are already over the
posterior, so the band includes parameter uncertainty.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.calibration import simulated_values
from sim.scenario.holdout import HeldOut, holdout_table

SCORE_COLUMNS = [
    "indicator",
    "geography",
    "year",
    "to_year",
    "aggregate",
    "value",
    "low",
    "high",
    "sim_low",
    "sim_median",
    "sim_high",
    "held",
    "share_inside",
    "source",
    "note",
]

#: The note of a figure whose indicator the run did not record.
NOT_RECORDED = "indicator not recorded by the model: not scored"


def score_holdout(
    trajectories: pd.DataFrame,
    figures: HeldOut | pd.DataFrame,
    replications: int,
    level: float = 0.90,
) -> pd.DataFrame:
    """One row per figure (``SCORE_COLUMNS``): its range, the simulated band (``sim_low``,
    ``sim_median``, ``sim_high``: the central ``level`` band and the median over the
    replications), ``held``, whether the band overlaps the range, and ``share_inside``, the
    share of replications inside the range. ``trajectories`` is long
    (replication, year, indicator, value); ``figures`` a held-out file or its
    :func:`~sim.scenario.holdout.holdout_table`. A figure the run cannot score (indicator not
    recorded, years outside the run) has ``held`` NaN and says why in ``note``."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    table = holdout_table(figures) if isinstance(figures, HeldOut) else figures
    table = table.reset_index(drop=True)
    simulated = simulated_values(trajectories, table, replications)
    years = trajectories.groupby("indicator")["year"].agg(["min", "max"])
    tail = (1 - level) / 2
    rows = []
    for figure, values in zip(table.itertuples(index=False), simulated, strict=True):
        last = int(figure.year) if pd.isna(figure.to_year) else int(figure.to_year)
        note = _unscored(figure.indicator, int(figure.year), last, years)
        finite = values[np.isfinite(values)]
        if not note and finite.size == 0:
            note = "no replication recorded a value: not scored"
        if note:
            band = (math.nan, math.nan, math.nan)
            held: bool | float = math.nan
            inside = math.nan
        else:
            low, median, high = np.quantile(finite, [tail, 0.5, 1 - tail])
            band = (float(low), float(median), float(high))
            held = bool(band[2] >= figure.low and band[0] <= figure.high)
            inside = float(np.mean((finite >= figure.low) & (finite <= figure.high)))
        rows.append(
            (
                figure.indicator,
                figure.geography,
                int(figure.year),
                figure.to_year,
                figure.aggregate,
                figure.value,
                figure.low,
                figure.high,
                *band,
                held,
                inside,
                figure.source,
                note,
            )
        )
    scored = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    scored["to_year"] = scored["to_year"].astype("Int64")
    scored["held"] = scored["held"].astype(object)
    return scored


def _unscored(indicator: str, year: int, last: int, years: pd.DataFrame) -> str:
    """Why a figure cannot be scored against the run ('' when it can)."""
    if indicator not in years.index:
        return NOT_RECORDED
    first, final = int(years.at[indicator, "min"]), int(years.at[indicator, "max"])
    if year < first or last > final:
        return f"outside the years recorded ({first}-{final}): not scored"
    return ""


def coverage(table: pd.DataFrame) -> tuple[int, int]:
    """(figures held, figures scored) of a :func:`score_holdout` table; figures not scored
    (``held`` NaN) count in neither."""
    scored = table["held"].dropna()
    return int(scored.astype(bool).sum()), len(scored)
