"""Posterior calibration: a sample of parameter vectors consistent with the observed figures.

Two methods, both over the unit cube of a parameter space (a uniform prior there: uniform
in the value for ``linear`` parameters, in its logarithm for ``log`` ones).

**History matching** (Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015, PLoS Comput
Biol 11(1): e1003968). Each wave runs a design of points (``replications`` each, common random
numbers) inside the region not yet ruled out, fits one Gaussian-process emulator of the
ensemble mean of each observation (scikit-learn; heteroscedastic nugget s²/R), and one of the
ensemble variance (in logs), and rules out every point whose implausibility

    I_i(x) = d_i(x) / sqrt(V_em,i(x) + V_ens,i(x) + V_obs,i)

exceeds 3 for some fitted observation *i* (Pukelsheim's three-sigma rule). d_i is the
distance from the emulated mean to the observed range [low_i, high_i]; V_em the emulator's
variance; V_ens the model's own run-to-run variance (the zone is one realisation of a
stochastic process); V_obs = (tolerance_i · value_i)² the observation's error. The share of
the space still non-implausible is measured after each wave on a fresh Latin hypercube.
After the last wave, points drawn uniformly from the non-implausible region are weighted by
the emulated Gaussian likelihood of the observations (the distances d_i again): an
importance sample of the posterior, written with its weights.

**ABC-SMC** (Toni et al. 2009; Beaumont et al. 2009): first a few points of the prior on one
common random stream tell which figures the parameters move; then populations of particles,
each run once (its own replication: its own random streams), accepted when the distance
sqrt(Σ (d_i / σ_i)²) to the observations is within a threshold that falls to the previous
generation's median; particles perturbed by a Gaussian kernel of twice the previous
population's weighted covariance and weighted by prior / proposal density.

Observations that no run moves (set by the initial state) are not fitted: they cannot
inform the parameters, and a mismatch there is the model's, not the parameters'.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import digamma
from scipy.stats import qmc

from sim.analysis.calibration import (
    check_simulated,
    fit_head,
    fitted_mask,
    moves_with_parameters,
)
from sim.scenario.space import Space

#: simulate(points, streams) -> array (points, observations, replications): the simulated
#: counterpart of each observation in each replication of each point (values in the
#: parameters' units); ``streams[n]`` lists the replication indexes (random streams) of
#: point n, the same length for every point.
Simulate = Callable[[Sequence[dict[str, float]], Sequence[Sequence[int]]], np.ndarray]

#: Implausibility cut-off (three-sigma rule).
CUTOFF = 3.0
#: Fresh points per wave on which the non-implausible share is measured and drawn from.
CANDIDATES = 20_000
#: The posterior interval level reported (and checked by simulation-based calibration).
LEVEL = 0.90


@dataclass
class PosteriorSample:
    """What a posterior calibration found."""

    method: str
    space: Space
    observations: pd.DataFrame  # with used_in_fit and informative added
    draws: pd.DataFrame  # draw, weight, one column per parameter (values in its units)
    stages: pd.DataFrame  # per wave / generation: points, replications, share, threshold
    runs: pd.DataFrame  # every simulated point: stage, parameters, mean per observation
    fit: pd.DataFrame  # per observation: observed vs posterior predictive band
    replications_run: int
    notes: list[str] = field(default_factory=list)

    @property
    def weights(self) -> np.ndarray:
        return self.draws["weight"].to_numpy(float)

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size of the weighted draws."""
        w = self.weights
        return float(w.sum() ** 2 / np.square(w).sum())

    def intervals(self, level: float = LEVEL) -> pd.DataFrame:
        """Per parameter: the scenario's value, the posterior mean, median and central
        ``level`` interval, and the space's bounds."""
        rows = []
        tail = (1 - level) / 2
        base = self.space.base_values()
        for path, parameter in self.space.parameters.items():
            values = self.draws[path].to_numpy(float)
            low, median, high = weighted_quantiles(values, self.weights, [tail, 0.5, 1 - tail])
            rows.append(
                {
                    "parameter": path,
                    "scenario_value": base[path],
                    "posterior_mean": float(np.average(values, weights=self.weights)),
                    "median": median,
                    "interval_low": low,
                    "interval_high": high,
                    "low": parameter.low,
                    "high": parameter.high,
                    "narrowed_to": (parameter.unit(high) - parameter.unit(low)),
                }
            )
        return pd.DataFrame(rows)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list:
    """Quantiles of a weighted sample (inverse of the weighted empirical distribution,
    interpolated at the mid-points of each draw's weight)."""
    order = np.argsort(values)
    v, w = values[order], weights[order] / weights.sum()
    cumulative = np.cumsum(w) - w / 2
    return [float(np.interp(q, cumulative, v)) for q in qs]


def observed_ranges(observations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, observation error variance) of each observation."""
    low = observations["low"].to_numpy(float)
    high = observations["high"].to_numpy(float)
    value = observations["value"].to_numpy(float)
    error = (observations["tolerance"].to_numpy(float) * np.abs(value)) ** 2
    return low, high, error


def distance_to_range(means: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far each mean lies outside its observed range (0 inside)."""
    return np.maximum(np.maximum(low - means, means - high), 0.0)


# ------------------------------------------------------------------------------ emulators
class Emulator:
    """Gaussian-process emulators of the ensemble mean and variance of each output.

    ``units``: (n, d) design points in the unit cube; ``simulated``: (n, k, R) runs.
    """

    def __init__(self, units: np.ndarray, simulated: np.ndarray, seed: int) -> None:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        replications = simulated.shape[2]
        self.replications = replications
        means = simulated.mean(axis=2)
        variances = simulated.var(axis=2, ddof=1) if replications > 1 else np.zeros(means.shape)
        dimension = units.shape[1]
        self.mean_models, self.variance_models = [], []
        self.constant_variance: list[float | None] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)
            for k in range(means.shape[1]):
                y = means[:, k]
                spread = float(np.std(y)) or 1.0
                nugget = variances[:, k] / replications / spread**2 + 1e-8
                kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
                    np.full(dimension, 0.5), (1e-2, 1e2)
                )
                model = GaussianProcessRegressor(
                    kernel,
                    alpha=nugget,
                    normalize_y=True,
                    n_restarts_optimizer=2,
                    random_state=seed,
                )
                self.mean_models.append(model.fit(units, y))
                # log s² underestimates log σ² by ψ(f/2) - log(f/2) for f degrees of freedom
                bias = digamma((replications - 1) / 2) - math.log((replications - 1) / 2)
                logs = np.log(variances[:, k] + 1e-12) - bias
                if replications < 2 or np.ptp(logs) < 1e-9:
                    self.constant_variance.append(float(np.mean(variances[:, k])))
                    self.variance_models.append(None)
                    continue
                kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
                    np.full(dimension, 0.5), (1e-2, 1e2)
                ) + WhiteKernel(0.1, (1e-4, 10))
                model = GaussianProcessRegressor(
                    kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed
                )
                self.variance_models.append(model.fit(units, logs))
                self.constant_variance.append(None)

    def predict_total(self, units: np.ndarray, error: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(emulated mean, total variance of an observation about it): the emulator's
        variance, the run-to-run variance, the error of the mean of R runs (s²/R: with common
        random numbers it is shared by every point, so the emulator cannot see it) and the
        observation's ``error``."""
        mean, em_var, ens_var = self.predict(units)
        total = em_var + ens_var * (1 + 1 / self.replications) + error
        floor = (1e-9 * np.maximum(1.0, np.abs(mean))) ** 2
        return mean, np.maximum(total, floor)

    def predict(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(emulated mean, emulator variance, emulated run-to-run variance): (m, k) each."""
        means, em_vars, ens_vars = [], [], []
        for mean_model, variance_model, constant in zip(
            self.mean_models, self.variance_models, self.constant_variance, strict=True
        ):
            mean, sd = mean_model.predict(units, return_std=True)
            means.append(mean)
            em_vars.append(sd**2)
            if variance_model is None:
                ens_vars.append(np.full(len(units), constant))
            else:
                ens_vars.append(np.exp(variance_model.predict(units)))
        return np.array(means).T, np.array(em_vars).T, np.array(ens_vars).T


def implausibility(
    emulator: Emulator, units: np.ndarray, observations: pd.DataFrame, fitted: np.ndarray
) -> np.ndarray:
    """Largest implausibility over the fitted observations at each point: (m,)."""
    low, high, error = observed_ranges(observations)
    mean, total = emulator.predict_total(units, error)
    terms = distance_to_range(mean, low, high) / np.sqrt(total)
    return terms[:, fitted].max(axis=1)


def log_likelihood(
    emulator: Emulator, units: np.ndarray, observations: pd.DataFrame, fitted: np.ndarray
) -> np.ndarray:
    """Emulated Gaussian log likelihood of the fitted observations at each point."""
    low, high, error = observed_ranges(observations)
    mean, total = emulator.predict_total(units, error)
    distance = distance_to_range(mean, low, high)
    terms = -0.5 * distance**2 / total - 0.5 * np.log(2 * math.pi * total)
    return terms[:, fitted].sum(axis=1)


# ------------------------------------------------------------------------ history matching
def history_match(
    space: Space,
    observations: pd.DataFrame,
    simulate: Simulate,
    seed: int,
    waves: int = 4,
    points: int | None = None,
    replications: int = 10,
    draws: int = 500,
    fit_until: int | None = None,
    on_wave: Callable[[int, float], None] | None = None,
) -> PosteriorSample:
    """History-match ``space`` to ``observations`` (see the module doc): ``waves`` waves of
    ``points`` points (default 10 per parameter, at least 40) x ``replications``; returns
    ``draws`` weighted draws from the final non-implausible region."""
    if waves < 1 or replications < 2 or draws < 2:
        raise ValueError("history matching needs waves >= 1, replications >= 2, draws >= 2")
    observations, used = _prepare(observations, fit_until)
    dimension = space.dimension
    points = points or max(40, 10 * dimension)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x484D]))
    emulators: list[Emulator] = []
    fitted = used.copy()
    design = qmc.LatinHypercube(d=dimension, seed=rng).random(points)
    stage_rows, run_rows, all_units, all_sims = [], [], [], []
    notes: list[str] = []
    share = 1.0
    for wave in range(1, waves + 1):
        values = [space.values(u) for u in design]
        simulated = simulate(values, [range(replications)] * len(values))
        _check_simulated(simulated, observations)
        all_units.append(np.array([_unit(space, v) for v in values]))
        all_sims.append(simulated)
        run_rows.extend(_run_rows(space, wave, values, simulated, observations))
        if wave == 1:
            fitted = used & _informative(simulated, observations)
            if not fitted.any():
                notes.append(
                    "none of the fitted observations moves with the parameters (they are set "
                    "by the initial state): the posterior is the prior"
                )
                break
        # emulate on every run so far inside the current region
        units = np.concatenate(all_units)
        sims = np.concatenate(all_sims)
        inside = _non_implausible(emulators, units, observations, fitted)
        emulators.append(Emulator(units[inside], sims[inside], seed + wave))
        candidates, share = _region_sample(
            emulators, observations, fitted, dimension, rng, CANDIDATES
        )
        stage_rows.append(
            {
                "stage": wave,
                "points": len(values),
                "replications": len(values) * replications,
                "non_implausible_share": share,
                "threshold": CUTOFF,
                "candidates_tested": CANDIDATES,
            }
        )
        if on_wave:
            on_wave(wave, share)
        if len(candidates) == 0:
            notes.append(
                f"wave {wave}: no point of the space is non-implausible (every one is more "
                f"than {CUTOFF:g} sd from some observation): the model cannot reproduce the "
                "observations together; the draws are the points nearest to doing so"
            )
            candidates = _nearest(emulators[-1], observations, fitted, dimension, rng, draws)
            break
        if wave < waves:
            picks = rng.choice(len(candidates), size=min(points, len(candidates)), replace=False)
            design = candidates[picks]
    if not fitted.any():
        candidates = qmc.LatinHypercube(d=dimension, seed=rng).random(draws)
        log_w = np.zeros(len(candidates))
    else:
        candidates = _enough(candidates, emulators, observations, fitted, dimension, rng, draws)
        log_w = log_likelihood(emulators[-1], candidates, observations, fitted)
    sample = _draws_table(space, candidates, log_w)
    runs = pd.DataFrame(run_rows)
    observations = observations.assign(used_in_fit=used, informative=_flag(fitted, used))
    fit = _fit_table(observations, all_sims[-1])  # the last wave's runs
    result = PosteriorSample(
        "history-matching",
        space,
        observations,
        sample,
        pd.DataFrame(stage_rows),
        runs,
        fit,
        len(runs) * replications,
        notes,
    )
    result.notes.extend(_sample_notes(result))
    return result


def _non_implausible(
    emulators: list[Emulator], units: np.ndarray, observations: pd.DataFrame, fitted: np.ndarray
) -> np.ndarray:
    keep = np.ones(len(units), bool)
    for emulator in emulators:
        keep &= implausibility(emulator, units, observations, fitted) <= CUTOFF
    if keep.sum() < max(10, units.shape[1] + 2):  # too few to emulate: keep them all
        keep[:] = True
    return keep


def _region_sample(
    emulators: list[Emulator],
    observations: pd.DataFrame,
    fitted: np.ndarray,
    dimension: int,
    rng: np.random.Generator,
    count: int,
) -> tuple[np.ndarray, float]:
    """Non-implausible points of a fresh Latin hypercube of ``count``, and their share."""
    units = qmc.LatinHypercube(d=dimension, seed=rng).random(count)
    keep = np.ones(count, bool)
    for emulator in emulators:
        keep[keep] = implausibility(emulator, units[keep], observations, fitted) <= CUTOFF
    return units[keep], float(keep.mean())


def _enough(
    candidates: np.ndarray,
    emulators: list[Emulator],
    observations: pd.DataFrame,
    fitted: np.ndarray,
    dimension: int,
    rng: np.random.Generator,
    draws: int,
) -> np.ndarray:
    """``draws`` non-implausible points (more hypercubes while too few were found)."""
    found = [candidates]
    for _ in range(20):
        if sum(len(c) for c in found) >= draws:
            break
        more, _share = _region_sample(emulators, observations, fitted, dimension, rng, CANDIDATES)
        found.append(more)
    pool = np.concatenate(found)
    if len(pool) <= draws:
        return pool
    return pool[rng.choice(len(pool), size=draws, replace=False)]


def _nearest(
    emulator: Emulator,
    observations: pd.DataFrame,
    fitted: np.ndarray,
    dimension: int,
    rng: np.random.Generator,
    draws: int,
) -> np.ndarray:
    units = qmc.LatinHypercube(d=dimension, seed=rng).random(CANDIDATES)
    order = np.argsort(implausibility(emulator, units, observations, fitted))
    return units[order[:draws]]


# ------------------------------------------------------------------------------- ABC-SMC
def abc_smc(
    space: Space,
    observations: pd.DataFrame,
    simulate: Simulate,
    seed: int,
    population: int = 200,
    budget: int = 3000,
    generations: int = 10,
    fit_until: int | None = None,
    on_generation: Callable[[int, float], None] | None = None,
) -> PosteriorSample:
    """ABC-SMC (see the module doc): populations of ``population`` particles, one
    replication each, until ``generations`` or ``budget`` simulated replications."""
    if population < 2 or budget < population + max(5, 2 * space.dimension):
        raise ValueError(
            "ABC-SMC needs population >= 2 and a budget of at least the population and "
            f"{max(5, 2 * space.dimension)} probe runs"
        )
    observations, used = _prepare(observations, fit_until)
    dimension = space.dimension
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xABC]))
    low, high, error = observed_ranges(observations)
    # which figures the parameters move: a few points of the prior on one common stream (with
    # a stream each, chance alone would make every random figure look informative)
    probe = qmc.LatinHypercube(d=dimension, seed=rng).random(max(5, 2 * dimension))
    probe_sims = simulate([space.values(u) for u in probe], [[0]] * len(probe))
    _check_simulated(probe_sims, observations)
    fitted = used & _informative(probe_sims, observations)
    counter = len(probe)  # replications run so far
    next_stream = 1  # every particle its own random streams, from 1 on

    def run(units: np.ndarray) -> np.ndarray:
        nonlocal counter, next_stream
        values = [space.values(u) for u in units]
        streams = [[next_stream + n] for n in range(len(values))]
        counter += len(values)
        next_stream += len(values)
        return simulate(values, streams)[:, :, 0]

    # generation 0: the prior
    units = qmc.LatinHypercube(d=dimension, seed=rng).random(population)
    sims = run(units)
    spread = np.std(sims, axis=0)
    sigma = np.sqrt(error + spread**2)
    sigma = np.where(sigma > 0, sigma, 1.0)

    def distance(s: np.ndarray) -> np.ndarray:
        d = distance_to_range(s, low, high) / sigma
        return np.sqrt(np.square(d[:, fitted]).sum(axis=1))

    dist = distance(sims)
    weights = np.full(population, 1.0 / population)
    stage_rows = [_abc_row(0, population, population, math.inf)]
    run_rows = _abc_runs(space, 0, units, sims, observations)
    stage_sims = {0: [sims]}  # every run of each generation, for the fit table
    notes: list[str] = []
    if not fitted.any():
        notes.append(
            "none of the fitted observations moves with the parameters: the posterior is the prior"
        )
    accepted_units, accepted_dist = units, dist
    generation = 0
    while fitted.any() and generation < generations and counter < budget:
        generation += 1
        threshold = float(np.median(accepted_dist))
        cov = 2 * np.atleast_2d(np.cov(accepted_units.T, aweights=weights))
        cov += np.eye(dimension) * 1e-9
        new_units, new_dist, tried = [], [], 0
        while len(new_units) < population and counter < budget:
            batch = max(population - len(new_units), 16)
            parents = rng.choice(len(accepted_units), size=batch, p=weights)
            proposals = accepted_units[parents] + rng.multivariate_normal(
                np.zeros(dimension), cov, size=batch
            )
            proposals = proposals[np.all((proposals >= 0) & (proposals <= 1), axis=1)]
            proposals = proposals[: max(0, budget - counter)]
            if len(proposals) == 0:
                continue
            s = run(proposals)
            tried += len(proposals)
            run_rows += _abc_runs(space, generation, proposals, s, observations)
            stage_sims.setdefault(generation, []).append(s)
            d = distance(s)
            for unit, dd in zip(proposals, d, strict=True):
                if dd <= threshold and len(new_units) < population:
                    new_units.append(unit)
                    new_dist.append(dd)
        if len(new_units) < population:
            notes.append(
                f"generation {generation}: the budget of {budget} replications ran out with "
                f"{len(new_units)} of {population} particles; the previous generation is kept"
            )
            generation -= 1
            break
        new = np.array(new_units)
        inverse = np.linalg.inv(cov)
        diffs = new[:, None, :] - accepted_units[None, :, :]
        kernel = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diffs, inverse, diffs))
        new_weights = 1.0 / (kernel @ weights)
        weights = new_weights / new_weights.sum()
        accepted_units, accepted_dist = new, np.array(new_dist)
        stage_rows.append(_abc_row(generation, tried, population, threshold))
        if on_generation:
            on_generation(generation, population / tried)
    sample = _draws_table(space, accepted_units, np.log(weights))
    observations = observations.assign(used_in_fit=used, informative=_flag(fitted, used))
    fit = _fit_table(observations, np.concatenate(stage_sims[generation])[:, :, None])
    result = PosteriorSample(
        "abc",
        space,
        observations,
        sample,
        pd.DataFrame(stage_rows),
        pd.DataFrame(run_rows),
        fit,
        counter,
        notes,
    )
    result.notes.extend(_sample_notes(result))
    return result


def _abc_row(generation: int, tried: int, accepted: int, threshold: float) -> dict:
    return {
        "stage": generation,
        "points": tried,
        "replications": tried,
        "acceptance_rate": accepted / tried if tried else math.nan,
        "threshold": threshold,
    }


def _abc_runs(
    space: Space, stage: int, units: np.ndarray, sims: np.ndarray, observations: pd.DataFrame
) -> list[dict]:
    return _run_rows(space, stage, [space.values(u) for u in units], sims[:, :, None], observations)


# ----------------------------------------------------------------------------- shared
def _prepare(observations: pd.DataFrame, fit_until: int | None) -> tuple[pd.DataFrame, np.ndarray]:
    observations = observations.reset_index(drop=True).copy()
    return observations, fitted_mask(observations, fit_until)


def _informative(simulated: np.ndarray, observations: pd.DataFrame) -> np.ndarray:
    """Which observations the parameters move, from runs (points x observations x R) on
    common random numbers."""
    return moves_with_parameters(simulated.mean(axis=2), observations)


def _check_simulated(simulated: np.ndarray, observations: pd.DataFrame) -> None:
    """Every observation has a value in every run (``simulated``: points x observations x R)."""
    check_simulated(simulated.transpose(1, 0, 2).reshape(len(observations), -1), observations)


def _flag(fitted: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Informative: moved with the parameters (known only for the fitted observations)."""
    return np.where(used, fitted, False)


def _unit(space: Space, values: dict[str, float]) -> list[float]:
    return [space.parameters[p].unit(values[p]) for p in space.paths]


def _run_rows(
    space: Space,
    stage: int,
    values: list[dict[str, float]],
    simulated: np.ndarray,
    observations: pd.DataFrame,
) -> list[dict]:
    rows = []
    for point, sims in zip(values, simulated, strict=True):
        means = sims.mean(axis=1)
        rows.append(
            {"stage": stage, **point, **{f"sim_{i}": float(m) for i, m in enumerate(means)}}
        )
    return rows


def _draws_table(space: Space, units: np.ndarray, log_weights: np.ndarray) -> pd.DataFrame:
    weights = np.exp(log_weights - np.max(log_weights))
    weights = weights / weights.sum()
    rows = [space.values(u) for u in units]
    table = pd.DataFrame(rows, columns=space.paths)
    table.insert(0, "weight", weights)
    table.insert(0, "draw", np.arange(len(table)))
    return table


def _fit_table(observations: pd.DataFrame, simulated: np.ndarray) -> pd.DataFrame:
    """Observed vs the 5-95 % band of the final stage's runs (pooled)."""
    rows = []
    for i, obs in enumerate(observations.itertuples(index=False)):
        pooled = simulated[:, i, :].ravel()
        q05, median, q95 = np.nanquantile(pooled, [0.05, 0.5, 0.95])
        rows.append(
            {
                **fit_head(obs),
                "median": float(median),
                "band_q05": float(q05),
                "band_q95": float(q95),
                "inside_band": bool(obs.high >= q05 and obs.low <= q95),
            }
        )
    return pd.DataFrame(rows)


def _sample_notes(result: PosteriorSample) -> list[str]:
    notes = []
    ess = result.effective_sample_size
    if ess < 100:
        notes.append(
            f"effective sample size {ess:.0f} of {len(result.draws)} draws: a few draws carry "
            "most of the weight (more waves or points would spread it)"
        )
    fitted = result.observations[result.observations["used_in_fit"]]
    fixed = fitted[~fitted["informative"]]
    if len(fixed) and len(fixed) < len(fitted):
        names = ", ".join(f"{r.indicator} {r.year}" for r in fixed.itertuples())
        notes.append(f"not fitted (no run moves them; set by the initial state): {names}")
    for row in result.intervals().itertuples():
        p = result.space.parameters[row.parameter]
        if p.unit(row.interval_low) <= 0.02 or p.unit(row.interval_high) >= 0.98:
            side = "low" if p.unit(row.interval_low) <= 0.02 else "high"
            if p.unit(row.interval_low) <= 0.02 and p.unit(row.interval_high) >= 0.98:
                side = "low and high"
            notes.append(
                f"{row.parameter}: the 90 % interval reaches the space's {side} bound "
                "(the prior bound, not the data, limits it there)"
            )
    return notes
