"""Calibration: which values of the uncertain parameters reproduce the observed figures.

Simulated method of moments with common random numbers. For a candidate θ every observation
*i* gets the mean m_i of its simulated value over the replications, and a misfit term

    z_i² = (d_i / σ_i)²,   d_i = distance from m_i to the observed range [low_i, high_i],
    σ_i² = (tolerance_i · |value_i|)² + s_i² / R

(s_i: spread across the R replications). The loss L(θ) = Σ z_i² over the fitted observations
is minimised with optuna's TPE sampler in the unit cube of the space. Because L is a −2 log
likelihood up to a constant, the parameters' uncertainty range is the set of evaluated
candidates with L ≤ L_min + χ²₀.₉(k) (k parameters): a 90 % likelihood-ratio region, as far
as the trials cover it.

With ``fit_until`` only observations up to that year are fitted; every later one is a
hindcast: the simulated 90 % band, pooled over the accepted candidates, is compared with the
observed range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.search import UnitSearch
from sim.scenario.space import Space

Evaluate = Callable[[Mapping[str, float]], pd.DataFrame]

#: Likelihood-ratio level of the parameter uncertainty range.
RANGE_LEVEL = 0.90


def observation_end_year(observations: pd.DataFrame) -> pd.Series:
    """Last year each observation needs."""
    return observations["to_year"].fillna(observations["year"]).astype(int)


def simulated_values(
    trajectories: pd.DataFrame, observations: pd.DataFrame, replications: int
) -> np.ndarray:
    """Simulated counterpart of each observation in each replication: shape (observations,
    replications); the indicator in the year, or its sum or mean over year..to_year."""
    out = np.full((len(observations), replications), np.nan)
    by_indicator = dict(tuple(trajectories.groupby("indicator")))
    for row, obs in enumerate(observations.itertuples(index=False)):
        table = by_indicator.get(obs.indicator)
        if table is None:
            continue
        last = int(obs.year) if obs.aggregate == "value" else int(obs.to_year)
        span = table[(table["year"] >= obs.year) & (table["year"] <= last)]
        by_replication = span.groupby("replication")["value"]
        found = by_replication.mean() if obs.aggregate == "mean" else by_replication.sum()
        values = np.zeros(replications) if obs.aggregate == "sum" else np.full(replications, np.nan)
        values[found.index.to_numpy()] = found.to_numpy()
        out[row] = values
    return out


def misfit_terms(simulated: np.ndarray, observations: pd.DataFrame) -> np.ndarray:
    """z_i² of each observation (see the module docstring)."""
    replications = simulated.shape[1]
    means = simulated.mean(axis=1)
    spread = simulated.std(axis=1, ddof=1) if replications > 1 else np.zeros(len(means))
    low = observations["low"].to_numpy(float)
    high = observations["high"].to_numpy(float)
    value = observations["value"].to_numpy(float)
    distance = np.maximum.reduce([low - means, means - high, np.zeros_like(means)])
    sigma2 = (observations["tolerance"].to_numpy(float) * np.abs(value)) ** 2
    sigma2 = sigma2 + spread**2 / replications
    sigma2 = np.where(sigma2 > 0, sigma2, (1e-9 * np.maximum(1.0, np.abs(value))) ** 2)
    return np.where(np.isfinite(means), distance**2 / sigma2, np.inf)


@dataclass
class Calibration:
    """What a calibration found."""

    space: Space
    observations: pd.DataFrame  # with columns used_in_fit and informative added
    trials: pd.DataFrame  # trial, one column per parameter, loss, accepted
    best: dict[str, float]
    ranges: pd.DataFrame  # parameter, best, range_low, range_high, low, high, at_bound
    fit: pd.DataFrame  # per observation: observed vs simulated at the best and over the range
    threshold: float
    fit_until: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def informative(self) -> bool:
        """Whether any fitted observation moved with the parameters (else nothing was fitted)."""
        fitted = self.observations[self.observations["used_in_fit"]]
        return bool(fitted["informative"].any())

    @property
    def hindcast(self) -> pd.DataFrame:
        """The fit rows of the observations left out of the fit."""
        return self.fit[~self.fit["used_in_fit"]].reset_index(drop=True)


def calibrate(
    space: Space,
    observations: pd.DataFrame,
    evaluate: Evaluate,
    replications: int,
    trials: int,
    seed: int,
    fit_until: int | None = None,
    on_trial: Callable[[int, float], None] | None = None,
) -> Calibration:
    """Fit the uncertain parameters of ``space`` to ``observations`` (see the module doc).

    ``evaluate(values)`` returns the candidate's trajectories over ``replications``
    replications, the same replications (root seed) for every candidate.
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    observations = observations.reset_index(drop=True).copy()
    used_mask = fitted_mask(observations, fit_until)
    # First the scenario as written (where inside the bounds), then the centre of the space.
    own = [
        space.parameters[p].unit(v) if space.parameters[p].scale == "linear" or v > 0 else -1.0
        for p, v in space.base_values().items()
    ]
    start = [own] if all(0 <= u <= 1 for u in own) else []
    search = UnitSearch(space, seed, trials, [*start, [0.5] * space.dimension])
    rows, simulated = [], []
    for number in range(trials):
        trial, unit = search.ask()
        values = space.values(unit)
        sims = simulated_values(evaluate(values), observations, replications)
        if number == 0:
            check_simulated(sims, observations)
        loss = float(misfit_terms(sims, observations)[used_mask].sum())
        search.tell(trial, loss)
        rows.append({"trial": number, **values, "loss": loss})
        simulated.append(sims)
        if on_trial:
            on_trial(number, loss)

    table = pd.DataFrame(rows)
    losses = table["loss"].to_numpy()
    units = np.array(
        [
            [space.parameters[p].unit(v) for p, v in zip(space.paths, r, strict=True)]
            for r in table[space.paths].to_numpy()
        ]
    )
    # ties (a flat fit) go to the scenario as written (trial 0 when it is in the space), else
    # to the candidate nearest the centre of the space
    distance_to_centre = np.abs(units - 0.5).sum(axis=1)
    if start:
        distance_to_centre[0] = -1.0
    lowest = losses.min()
    ties = np.flatnonzero(losses <= lowest + 1e-9)
    best_index = int(ties[np.argmin(distance_to_centre[ties])])
    threshold = float(lowest + stats.chi2.ppf(RANGE_LEVEL, space.dimension))
    accepted = losses <= threshold
    table["accepted"] = accepted
    best = {p: float(table.at[best_index, p]) for p in space.paths}

    means = np.array([s.mean(axis=1) for s in simulated])  # trials x observations
    informative = moves_with_parameters(means, observations)
    observations["used_in_fit"] = used_mask
    observations["informative"] = informative

    ranges = _ranges(space, table, best, accepted)
    if not informative[used_mask].any():
        ranges["at_bound"] = ""  # every trial accepted: the range is the space itself
    fit = _fit_table(observations, simulated, best_index, accepted)
    notes = _notes(space, observations, ranges, trials)
    return Calibration(space, observations, table, best, ranges, fit, threshold, fit_until, notes)


def fitted_mask(observations: pd.DataFrame, fit_until: int | None) -> np.ndarray:
    """Which observations are fitted: those up to ``fit_until`` (all without it); a
    ValueError when none is."""
    ends = observation_end_year(observations)
    used = (ends <= fit_until).to_numpy() if fit_until is not None else np.ones(len(ends), bool)
    if not used.any():
        raise ValueError(f"no observation up to {fit_until} to fit")
    return used


def moves_with_parameters(means: np.ndarray, observations: pd.DataFrame) -> np.ndarray:
    """Which observations the parameters move: their simulated means (points x observations,
    common random numbers) differ between points beyond rounding."""
    scale = np.maximum(1.0, np.abs(observations["value"].to_numpy(float)))
    return np.ptp(means, axis=0) > 1e-9 * scale


def fit_head(obs: Any) -> dict[str, Any]:
    """The observation's columns of a fit table (``obs``: a row of the observations with
    ``used_in_fit`` and ``informative``)."""
    return {
        "indicator": obs.indicator,
        "year": int(obs.year),
        "to_year": None if pd.isna(obs.to_year) else int(obs.to_year),
        "observed": obs.value,
        "low": obs.low,
        "high": obs.high,
        "used_in_fit": bool(obs.used_in_fit),
        "informative": bool(obs.informative),
    }


def check_simulated(simulated: np.ndarray, observations: pd.DataFrame) -> None:
    """Every observation must have a simulated value in every run (``simulated``:
    observations x runs)."""
    missing = [
        f"{obs.indicator} {obs.year}"
        for row, obs in zip(simulated, observations.itertuples(index=False), strict=True)
        if not np.all(np.isfinite(row))
    ]
    if missing:
        raise ValueError(
            "the runs record no value for "
            + ", ".join(missing)
            + ": check the indicator names and that the years are inside the scenario's horizon"
        )


def _ranges(
    space: Space, table: pd.DataFrame, best: dict[str, float], accepted: np.ndarray
) -> pd.DataFrame:
    rows = []
    for path, parameter in space.parameters.items():
        kept = table.loc[accepted, path]
        low, high = float(kept.min()), float(kept.max())
        at_bound = []
        if parameter.unit(low) <= 0.02:
            at_bound.append("low")
        if parameter.unit(high) >= 0.98:
            at_bound.append("high")
        rows.append(
            {
                "parameter": path,
                "scenario_value": space.base_values()[path],
                "best": best[path],
                "range_low": low,
                "range_high": high,
                "low": parameter.low,
                "high": parameter.high,
                "at_bound": "/".join(at_bound),
            }
        )
    return pd.DataFrame(rows)


def _fit_table(
    observations: pd.DataFrame,
    simulated: list[np.ndarray],
    best_index: int,
    accepted: np.ndarray,
) -> pd.DataFrame:
    best = simulated[best_index]
    kept = [s for s, keep in zip(simulated, accepted, strict=True) if keep]
    pooled = np.concatenate(kept, axis=1)
    terms = misfit_terms(best, observations)
    rows = []
    for i, obs in enumerate(observations.itertuples(index=False)):
        band_low, band_high = np.nanquantile(pooled[i], [0.05, 0.95])
        rows.append(
            {
                **fit_head(obs),
                "best_mean": float(np.nanmean(best[i])),
                "best_q05": float(np.nanquantile(best[i], 0.05)),
                "best_q95": float(np.nanquantile(best[i], 0.95)),
                "band_q05": float(band_low),
                "band_q95": float(band_high),
                "inside_band": bool(obs.high >= band_low and obs.low <= band_high),
                "z2_at_best": float(terms[i]),
            }
        )
    return pd.DataFrame(rows)


def _notes(
    space: Space, observations: pd.DataFrame, ranges: pd.DataFrame, trials: int
) -> list[str]:
    notes = []
    fitted = observations[observations["used_in_fit"]]
    fixed = fitted[~fitted["informative"]]
    if len(fixed) == len(fitted):
        notes.append(
            "none of the fitted observations depends on the parameters (they are fixed by the "
            "initial state): the fit cannot narrow the bounds, every trial is accepted, the "
            "bands are the predictive distribution over the whole space, and no calibrated "
            "scenario is written"
        )
    elif len(fixed):
        names = ", ".join(f"{r.indicator} {r.year}" for r in fixed.itertuples())
        notes.append(f"not informative (the same in every trial): {names}")
    for row in ranges.itertuples():
        if row.at_bound and len(fixed) < len(fitted):
            notes.append(
                f"{row.parameter}: the range reaches the space's {row.at_bound} bound; "
                "widen the space to see where the fit stops"
            )
    if trials < 10 * space.dimension:
        notes.append(
            f"{trials} trials for {space.dimension} parameters: ranges are coarse "
            f"(use at least {10 * space.dimension})"
        )
    return notes
