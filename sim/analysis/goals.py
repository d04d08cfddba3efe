"""The goal table: each of the zone's goals against the simulated distribution in its year.

Without a posterior every probability is conditional on the scenario's point values: the
replications differ only by chance. With one (``run --posterior FILE``, see
``sim.scenario.posterior``) the replications run draws of the uncertain parameters, in pairs
sharing a draw: ``p_met`` is then over the posterior (chance and parameters), ``p_met_fixed``
is at the point values with the same random numbers, and ``parameter_share`` and
``chance_share`` split the variance of the goal's indicator in its year between the two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist

import numpy as np
import pandas as pd

from sim.indicators import INDICATORS
from sim.language import Language, term
from sim.scenario.posterior import POSTERIOR_STREAM, Posterior
from sim.scenario.schema import Goal, Scenario, goal_of

GOAL_COLUMNS = [
    "goal",
    "reading",
    "description",
    "year",
    "target",
    "base_year",
    "base_value",
    "median",
    "p05",
    "p95",
    "p_met",
    "p_met_low",
    "p_met_high",
    "p_met_fixed",
    "parameter_share",
    "chance_share",
    "parameter_share_low",
    "parameter_share_high",
    "status",
    "decided_by",
    "includes_parameter_uncertainty",
]

#: The status of a goal whose indicator the scenario's inputs set alone (no random draw).
DETERMINED = "determined by inputs"

#: Probability bands for the status column.
ON_TRACK = 0.8
OFF_TRACK = 0.2

#: Confidence of the Monte Carlo interval of P(met) that a status must clear.
P_MET_CONFIDENCE = 0.95


def met(values: np.ndarray, goal: Goal) -> np.ndarray:
    """Whether each value meets the goal (a missing value does not)."""
    with np.errstate(invalid="ignore"):
        return values >= goal.target if goal.op == ">=" else values <= goal.target


def p_met_interval(
    met_count: float, replications: float, confidence: float = P_MET_CONFIDENCE
) -> tuple[float, float]:
    """The Wilson score interval of P(met) from ``met_count`` of ``replications`` (the Monte
    Carlo error of a probability estimated from that many replications; over a posterior the
    goal table passes the number of pairs). At 95 % it takes at least 16 replications, all
    meeting the goal (or none), for the interval to clear 0.8 (or 0.2). NaN, NaN without
    replications."""
    if replications <= 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = met_count / replications
    denominator = 1 + z * z / replications
    centre = (p + z * z / (2 * replications)) / denominator
    half = z * math.sqrt(p * (1 - p) / replications + z * z / (4 * replications**2))
    half /= denominator
    low = 0.0 if met_count <= 0 else max(0.0, centre - half)
    high = 1.0 if met_count >= replications else min(1.0, centre + half)
    return low, high


def status(p_low: float, p_high: float | None = None) -> str:
    """'on track' when P(met)'s interval lies at or above ``ON_TRACK``, 'off track' when at or
    below ``OFF_TRACK``, else 'uncertain' (given one probability, it is its own interval): a
    status is not called on Monte Carlo noise. More replications narrow the interval and may
    then call it."""
    p_high = p_low if p_high is None else p_high
    if p_low >= ON_TRACK:
        return "on track"
    if p_high <= OFF_TRACK:
        return "off track"
    return "uncertain"


def status_rule(language: Language = "en") -> str:
    """The status rule in one sentence, for legends."""
    return term("status rule", language, on=ON_TRACK, off=OFF_TRACK)


def goal_values(
    trajectories: pd.DataFrame, indicator: str, year: int, replications: int
) -> np.ndarray:
    """One value per replication (NaN where a replication did not record the indicator)."""
    rows = trajectories[(trajectories["indicator"] == indicator) & (trajectories["year"] == year)]
    values = np.full(replications, np.nan)
    values[rows["replication"].to_numpy()] = rows["value"].to_numpy()
    return values


def goal_base(
    scenario: Scenario, goal: Goal, trajectories: pd.DataFrame, replications: int
) -> tuple[float, float]:
    """(year, value) a goal starts from: its ``base`` as the sources give it, else the
    indicator's median in the start year (the initial state), else NaN."""
    if goal.base is not None:
        return float(goal.base.year), float(goal.base.value)
    start = scenario.horizon.start_year
    if goal.indicator is None:
        return math.nan, math.nan
    values = goal_values(trajectories, goal.indicator, start, replications)
    finite = values[np.isfinite(values)]
    return (float(start), float(np.median(finite))) if finite.size else (math.nan, math.nan)


def determined(goal: Goal) -> bool:
    """Whether the scenario's inputs alone set the goal's indicator (see ``Indicator``)."""
    indicator = INDICATORS.get((goal.indicator or "").partition(".")[0])
    return indicator is not None and indicator.determined


def goal_table(
    scenario: Scenario,
    trajectories: pd.DataFrame,
    replications: int,
    decided_by: Mapping[str, str] | None = None,
    posterior: Posterior | None = None,
    fixed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per reading of each goal of the scenario (``reading``, the main reading first;
    ``as_written`` for a goal read one way): its year and target, where it starts from, and (for
    modelled goals) the simulated median, 5-95 % interval and probability of being met in the
    goal's year with its Monte Carlo interval (``p_met_low``/``_high``, see
    :func:`p_met_interval`; the status must clear its threshold with the whole interval), and
    what decides it (``decided_by``: goal -> text, from a screening; see
    ``sim.analysis.screening``); goals not modelled carry the reason.

    With ``posterior`` the replications ran its draws in pairs (see the module doc):
    ``p_met`` is over the posterior, ``p_met_fixed`` comes from ``fixed`` (the trajectories of
    the same replications at the scenario's point values; NaN without them) and
    ``parameter_share``/``chance_share`` split the indicator's variance (with a 90 %
    bootstrap interval of the first, ``parameter_share_low``/``_high``). Without it
    ``p_met_fixed`` is ``p_met`` and the shares are NaN. ``includes_parameter_uncertainty``
    says which."""
    rows = []
    decided_by = decided_by or {}
    over_posterior = posterior is not None
    for reading, goal in scenario.goal_readings().items():
        key = goal_of(reading)
        head = (key, goal.reading, goal.description, goal.year, goal.target)
        base = goal_base(scenario, goal, trajectories, replications)
        if goal.indicator is None:
            reason = f"not modelled: {goal.not_modelled_reason}"
            empty = (math.nan,) * 11
            rows.append((*head, *base, *empty, reason, "", over_posterior))
            continue
        values = goal_values(trajectories, goal.indicator, goal.year, replications)
        finite = values[np.isfinite(values)]
        why = decided_by.get(reading, "")
        if finite.size == 0:
            nothing = (math.nan, math.nan, math.nan, 0.0, *(math.nan,) * 7)
            rows.append((*head, *base, *nothing, "no simulated value", why, over_posterior))
            continue
        p05, median, p95 = np.percentile(finite, [5, 50, 95])
        hits = met(values, goal)
        p_met = float(np.mean(hits))
        # over a posterior the replications come in pairs sharing a draw: count the pairs (a
        # conservative effective sample size) so the interval is not too narrow
        trials = len(values) // 2 if over_posterior else len(values)
        p_low, p_high = p_met_interval(p_met * trials, trials)
        if not over_posterior:
            p_fixed, shares = p_met, (math.nan,) * 4
        else:
            p_fixed = math.nan
            if fixed is not None:
                at_point = goal_values(fixed, goal.indicator, goal.year, replications)
                p_fixed = float(np.mean(met(at_point, goal)))
            shares = (*variance_shares(values), *variance_share_interval(values))
        verdict = DETERMINED if determined(goal) else status(p_low, p_high)
        if verdict == DETERMINED:  # no chance involved: no Monte Carlo interval
            p_low = p_high = math.nan
        spread = (float(median), float(p05), float(p95))
        chance = (p_met, p_low, p_high, p_fixed)
        rows.append((*head, *base, *spread, *chance, *shares, verdict, why, over_posterior))
    table = pd.DataFrame(rows, columns=GOAL_COLUMNS)
    table["base_year"] = table["base_year"].astype("Int64")
    modelled = ~table["status"].str.startswith("not modelled")
    return pd.concat([table[modelled], table[~modelled]], ignore_index=True)


def goal_years(goals: pd.DataFrame, language: Language = "en") -> str:
    """The years of a goal table's goals, for titles: ``2020`` or ``2019 and 2020``."""
    years = [str(y) for y in sorted({int(y) for y in goals["year"]})]
    if len(years) >= 3:
        return f"{years[0]}–{years[-1]}"
    return ("、" if language == "zh" else " and ").join(years)


def probability_basis(posterior: Posterior | None) -> str:
    """One line saying what a goal table's probabilities are conditional on."""
    if posterior is None:
        return (
            "P(met) at the scenario's point values: parameter uncertainty not included; "
            "add --posterior FILE"
        )
    return (
        f"P(met) over the posterior in {posterior.file} ({posterior.draws} draws): includes "
        "parameter uncertainty; p_met_fixed at point values"
    )


def variance_shares(values: np.ndarray) -> tuple[float, float]:
    """``(parameter_share, chance_share)`` of the variance of an output over a run's
    replications (``values[i]`` of replication ``i``; replications ``2k`` and ``2k + 1`` share
    a draw): chance is the mean over the pairs of ``(y_a - y_b)**2 / 2`` (an unbiased estimate
    of ``E[Var(Y | θ)]``), the total the variance over all replications, and
    ``parameter_share = max(0, 1 - chance / total)``. Missing values (NaN) are left out, a
    pair with one with them; NaN, NaN when the total is 0 or there is no complete pair."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    pairs = len(values) // 2
    first, second = values[0 : 2 * pairs : 2], values[1 : 2 * pairs : 2]
    complete = np.isfinite(first) & np.isfinite(second)
    if finite.size < 2 or not complete.any():
        return math.nan, math.nan
    total = float(np.var(finite, ddof=1))
    if not total > 0:
        return math.nan, math.nan
    chance = float(np.mean((first[complete] - second[complete]) ** 2 / 2))
    parameter = max(0.0, 1.0 - chance / total)
    return parameter, 1.0 - parameter


#: Bootstrap resamples of the pairs behind the interval of the parameters' share.
SHARE_RESAMPLES = 2000


def variance_share_interval(
    values: np.ndarray, level: float = 0.90, resamples: int = SHARE_RESAMPLES
) -> tuple[float, float]:
    """A ``level`` bootstrap interval of ``parameter_share`` (see :func:`variance_shares`):
    the complete pairs resampled with replacement (a fixed seed: the same values give the
    same interval), the share recomputed from each resample; NaN, NaN where the share is."""
    values = np.asarray(values, dtype=np.float64)
    pairs = len(values) // 2
    first, second = values[0 : 2 * pairs : 2], values[1 : 2 * pairs : 2]
    complete = np.isfinite(first) & np.isfinite(second)
    if complete.sum() < 2 or math.isnan(variance_shares(values)[0]):
        return math.nan, math.nan
    a, b = first[complete], second[complete]
    rng = np.random.default_rng(np.random.SeedSequence([POSTERIOR_STREAM, 2]))
    picks = rng.integers(0, len(a), size=(resamples, len(a)))
    ya, yb = a[picks], b[picks]
    total = np.var(np.concatenate([ya, yb], axis=1), axis=1, ddof=1)
    chance = np.mean((ya - yb) ** 2 / 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total > 0, np.maximum(0.0, 1.0 - chance / total), 0.0)
    tail = (1 - level) / 2
    low, high = np.quantile(shares, [tail, 1 - tail])
    return float(low), float(high)
