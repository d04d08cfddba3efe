"""Kaplan–Meier estimates of incubated firms' time to graduation and to failure.

Each outcome's curve treats the other ways of leaving incubation (the competing outcomes, the
maximum stay, the end of the run) as censoring: it is the cause-specific survival function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Outcomes of an incubation spell that count as each curve's event.
EVENTS = {
    "graduation": (
        "graduated_hte",
        "graduated_revenue",
        "graduated_acquired",
        "graduated_investment",
    ),
    "failure": ("failed",),
}


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> pd.DataFrame:
    """The product-limit estimator: one row per distinct event time (plus time 0), with the
    survival probability just after it, the number at risk just before it and the events."""
    order = np.argsort(durations, kind="stable")
    durations = np.asarray(durations, dtype=float)[order]
    observed = np.asarray(observed, dtype=bool)[order]
    times, index = np.unique(durations, return_index=True)
    at_risk = len(durations) - index
    events = np.add.reduceat(observed.astype(int), index) if len(durations) else np.array([])
    keep = events > 0
    times, at_risk, events = times[keep], at_risk[keep], events[keep]
    survival = np.cumprod(1.0 - events / at_risk)
    return pd.DataFrame(
        {
            "time_years": np.concatenate([[0.0], times]),
            "survival": np.concatenate([[1.0], survival]),
            "at_risk": np.concatenate([[len(durations)], at_risk]),
            "events": np.concatenate([[0], events]),
        }
    )


def on_grid(curve: pd.DataFrame, times: np.ndarray) -> pd.DataFrame:
    """A Kaplan–Meier step function read at given times (right-continuous)."""
    index = np.searchsorted(curve["time_years"].to_numpy(), times, side="right") - 1
    return pd.DataFrame(
        {
            "time_years": times,
            "survival": curve["survival"].to_numpy()[index],
            "events": np.cumsum(curve["events"].to_numpy())[index],
        }
    )


def survival_table(spells: pd.DataFrame, step_years: float = 1 / 12) -> pd.DataFrame:
    """Cause-specific Kaplan–Meier curves for every outcome in ``EVENTS``, pooled over
    replications, read monthly: columns outcome, time_years, survival, events (cumulative),
    spells (how many spells the curve is estimated from)."""
    durations = spells["duration_years"].to_numpy()
    top = float(durations.max()) if len(durations) else 0.0
    times = np.round(np.arange(0.0, top + step_years, step_years), 6)
    tables = []
    for outcome, kinds in EVENTS.items():
        curve = kaplan_meier(durations, spells["outcome"].isin(kinds).to_numpy())
        table = on_grid(curve, times)
        table.insert(0, "outcome", outcome)
        table["spells"] = len(durations)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
