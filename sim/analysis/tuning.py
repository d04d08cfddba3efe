"""Backcasting: the cheapest lever settings that meet chosen goals with a stated probability.

Each candidate runs the same replications (common random numbers), so candidates differ only
through their levers. optuna's TPE sampler minimises the cost under the constraint
P(all chosen goals met) ≥ p. The cheapest candidates that pass are then re-run with more
replications (the first ones shared, so the estimate only sharpens) and the cheapest whose
confirmed probability still reaches p is the answer, reported with a Wilson interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import optuna
import pandas as pd
from scipy import stats

from sim.analysis.goals import goal_values, met
from sim.analysis.space import Space
from sim.scenario.schema import Goal, Scenario

Evaluate = Callable[..., pd.DataFrame]


def select_goals(scenario: Scenario, names: str) -> dict[str, Goal]:
    """``all`` (every modelled goal) or a comma-separated list of goal keys."""
    modelled = {k: g for k, g in scenario.goals.items() if g.indicator is not None}
    if names.strip() == "all":
        return modelled
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in scenario.goals]
    if unknown:
        raise ValueError(
            f"unknown goal(s) {', '.join(unknown)}; modelled goals: {', '.join(modelled)}"
        )
    not_modelled = [n for n in chosen if n not in modelled]
    if not_modelled:
        raise ValueError(f"goal(s) not modelled, cannot be tuned for: {', '.join(not_modelled)}")
    return {n: modelled[n] for n in chosen}


def goal_met(trajectories: pd.DataFrame, goals: Mapping[str, Goal], replications: int) -> dict:
    """Per goal and for ``all``: a boolean array, one entry per replication."""
    found = {
        name: met(goal_values(trajectories, goal.indicator, goal.year, replications), goal)
        for name, goal in goals.items()
    }
    found["all"] = np.logical_and.reduce(list(found.values()))
    return found


def wilson(successes: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


@dataclass
class Tuning:
    space: Space
    goals: dict[str, Goal]
    min_probability: float
    trials: pd.DataFrame  # trial, levers, cost_yuan, p_all, p_<goal>..., feasible, confirmed
    best: dict[str, float] | None  # lever values of the answer (None: none found)
    best_summary: dict  # cost, probabilities with intervals, replications
    notes: list[str] = field(default_factory=list)


def _summary(space: Space, values: Mapping[str, float], hits: dict, replications: int) -> dict:
    summary = {"cost_yuan": space.cost_yuan(values), "replications": replications}
    for name, array in hits.items():
        successes = int(array.sum())
        low, high = wilson(successes, replications)
        summary[f"p_{name}"] = successes / replications
        summary[f"p_{name}_low"] = low
        summary[f"p_{name}_high"] = high
    return summary


def tune(
    space: Space,
    goals: Mapping[str, Goal],
    evaluate: Evaluate,
    replications: int,
    trials: int,
    min_probability: float,
    seed: int,
    confirm_replications: int | None = None,
    confirm_candidates: int = 3,
    on_trial: Callable[[int, dict], None] | None = None,
) -> Tuning:
    """Search the levers of ``space`` (see the module doc). ``evaluate(values, replications)``
    returns a candidate's trajectories."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if not 0 < min_probability <= 1:
        raise ValueError("the probability must be in (0, 1]")
    confirm_replications = confirm_replications or 4 * replications
    names = [f"u{j}" for j in range(space.dimension)]
    distributions = {n: optuna.distributions.FloatDistribution(0.0, 1.0) for n in names}

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=max(4, trials // 3), multivariate=True
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    # The corners most users ask about first: the plan as written, and every lever at its top.
    for corner in (0.0, 1.0):
        study.enqueue_trial(dict.fromkeys(names, corner))
    rows = []
    for number in range(trials):
        trial = study.ask(distributions)
        values = space.values([trial.params[n] for n in names])
        hits = goal_met(evaluate(values, replications), goals, replications)
        summary = _summary(space, values, hits, replications)
        trial.set_constraint("shortfall", min_probability - summary["p_all"])
        study.tell(trial, summary["cost_yuan"])
        row = {"trial": number, **values, **summary}
        row["feasible"] = summary["p_all"] >= min_probability
        rows.append(row)
        if on_trial:
            on_trial(number, row)
    table = pd.DataFrame(rows)
    table["confirmed"] = pd.NA

    notes: list[str] = []
    best, best_summary = None, {}
    candidates = (
        table[table["feasible"]]
        .sort_values(["cost_yuan", "trial"])
        .drop_duplicates(space.paths)
        .head(confirm_candidates)
    )
    for index, row in candidates.iterrows():
        values = {p: float(row[p]) for p in space.paths}
        hits = goal_met(evaluate(values, confirm_replications), goals, confirm_replications)
        summary = _summary(space, values, hits, confirm_replications)
        passed = summary["p_all"] >= min_probability
        table.at[index, "confirmed"] = passed
        if passed:
            best, best_summary = values, summary
            break
    if best is None:
        top = table.sort_values(["p_all", "cost_yuan"], ascending=[False, True]).iloc[0]
        values = {p: float(top[p]) for p in space.paths}
        best_summary = _summary(
            space,
            values,
            goal_met(evaluate(values, replications), goals, replications),
            replications,
        )
        notes.append(
            f"no candidate met the goals with probability ≥ {min_probability:g}"
            + (" after confirmation" if len(candidates) else "")
            + f"; the highest seen is {top['p_all']:.2f} at a cost of "
            f"{top['cost_yuan'] / 1e6:.1f} M yuan (trial {int(top['trial'])})"
        )
        weakest = min((g for g in goals), key=lambda g: table[f"p_{g}"].max())
        notes.append(
            f"hardest goal: {weakest} (at most {table[f'p_{weakest}'].max():.2f} in any trial)"
        )
    return Tuning(space, dict(goals), min_probability, table, best, best_summary, notes)
