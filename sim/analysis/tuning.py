"""Backcasting: the cheapest lever settings that meet chosen goals with a stated probability.

Each candidate runs the same replications (common random numbers), so candidates differ only
through their levers. Four stages, each evaluation a row of the trials table:

1. search: optuna's TPE sampler minimises the cost under the constraint
   P(all chosen goals met) ≥ p, starting from every lever at its low and at its high bound;
2. confirm: the cheapest candidates that pass (up to six, in order of cost) are re-run with
   more replications (the first ones shared, so the estimate only sharpens); the cheapest
   that still passes is kept;
3. polish: bisection from it towards the cheapest corner of the space, then lever by lever
   (costliest first), keeping the cheapest point that passes with the confirmation's
   replications;
4. validate: the answer is re-run on as many fresh replications (another root seed): the
   replications that selected it overstate its probabilities (it was kept because it passed
   on them), so the reported probabilities, with Wilson intervals, are those of this run.

**Robust tuning** (``tune --posterior FILE``): the evaluations run each replication at its
draw of a calibration posterior (levers on top), so "P ≥ p" is over the parameters'
uncertainty as well as chance. What a planner needs to know is what that changes, so the same
search is also run at the scenario's point values, and the answer found there is re-run over
the posterior on the validation replications: :class:`Robustness` says what the policy
planned at point values would really achieve, and what meeting the goals over the posterior
costs beyond it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.goals import goal_values, met
from sim.analysis.search import UnitSearch
from sim.scenario.schema import Goal, Scenario, goal_of
from sim.scenario.space import Space

Evaluate = Callable[..., pd.DataFrame]


def select_goals(
    scenario: Scenario, names: str, reading: str | None = None, every_reading: bool = False
) -> dict[str, Goal]:
    """The goals to meet, each under one reading, by its reading key (the goal id for a main
    reading, ``goal:reading`` for another; see ``Scenario.goal_readings``).

    ``names`` is ``all`` (every modelled goal under its main reading, or under every reading
    with ``every_reading``) or goal keys separated by commas, each a goal id (its main
    reading) or ``goal:reading``. ``reading`` (``tune --reading``) reads every chosen goal
    that has a reading of that id so; at least one must."""
    readings = scenario.goal_readings()
    modelled = {k: g for k, g in readings.items() if g.indicator is not None}
    if names.strip() == "all":
        chosen = [k for k in modelled if every_reading or goal_of(k) == k]
        if not chosen:
            raise ValueError(f"scenario '{scenario.name}' has no modelled goal to meet")
    else:
        chosen = [n.strip() for n in names.split(",") if n.strip()]
    if not chosen:
        raise ValueError("no goal given: name goal keys separated by commas, or 'all'")
    unknown = [n for n in chosen if n not in readings]
    if unknown:
        known = ", ".join(k for k in modelled)
        raise ValueError(f"unknown goal(s) {', '.join(unknown)}; modelled goals: {known}")
    if reading is not None:  # it reads the goals named by their id, not a reading named
        having = [n for n in chosen if n == goal_of(n) and reading in scenario.goals[n].read()]
        if not having:
            offered = "; ".join(
                f"{goal_of(n)}: {', '.join(scenario.goals[goal_of(n)].read())}" for n in chosen
            )
            raise ValueError(f"no chosen goal has a reading {reading!r} (readings: {offered})")
        chosen = [scenario.reading_key(n, reading) if n in having else n for n in chosen]
    not_modelled = [n for n in chosen if n not in modelled]
    if not_modelled:
        raise ValueError(f"goal(s) not modelled, cannot be tuned for: {', '.join(not_modelled)}")
    return {n: modelled[n] for n in dict.fromkeys(chosen)}


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
    trials: pd.DataFrame  # trial, stage, levers, cost_yuan, replications, p_*, feasible
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
    confirm_candidates: int = 6,
    polish_steps: int = 6,
    on_trial: Callable[[int, dict], None] | None = None,
    validate: Evaluate | None = None,
) -> Tuning:
    """Search the levers of ``space`` (see the module doc). ``evaluate(values, replications)``
    returns a candidate's trajectories. ``validate`` (same signature, other replications: another
    root seed) re-estimates the answer's probabilities on replications that did not select it,
    since those that did overstate them."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if not 0 < min_probability <= 1:
        raise ValueError("the probability must be in (0, 1]")
    confirm_replications = confirm_replications or 4 * replications
    # Start from the two corners: every lever at its low and at its high bound.
    search = UnitSearch(space, seed, trials, [[0.0] * space.dimension, [1.0] * space.dimension])
    rows: list[dict] = []

    def record(stage: str, values: dict[str, float], count: int) -> dict:
        run = validate if stage == "validate" and validate is not None else evaluate
        hits = goal_met(run(values, count), goals, count)
        row = {"trial": len(rows), "stage": stage, **values, **_summary(space, values, hits, count)}
        row["feasible"] = row["p_all"] >= min_probability
        rows.append(row)
        if on_trial:
            on_trial(row["trial"], row)
        return row

    for _ in range(trials):
        trial, unit = search.ask()
        row = record("search", space.values(unit), replications)
        search.tell(trial, row["cost_yuan"], shortfall=min_probability - row["p_all"])

    notes: list[str] = []
    best: dict | None = None
    search = pd.DataFrame(rows)
    candidates = (
        search[search["feasible"]]
        .sort_values(["cost_yuan", "trial"])
        .drop_duplicates(space.paths)
        .head(confirm_candidates)
    )
    for _, candidate in candidates.iterrows():
        row = record("confirm", {p: float(candidate[p]) for p in space.paths}, confirm_replications)
        if row["feasible"]:
            best = row
            break
    if best is not None:
        best = _polish(space, best, record, confirm_replications, polish_steps)
    table = pd.DataFrame(rows)
    if best is None:
        # the most likely candidate: by P(all), then by the goals' mean probability, then cost
        ranked = search.assign(p_mean=search[[f"p_{g}" for g in goals]].mean(axis=1))
        top = ranked.sort_values(
            ["p_all", "p_mean", "cost_yuan"], ascending=[False, False, True]
        ).iloc[0]
        best_summary = {k: top[k] for k in search.columns if k == "cost_yuan" or k.startswith("p_")}
        best_summary["replications"] = replications
        best_summary["trial"] = int(top["trial"])
        notes.append(
            f"no candidate met the goals with probability ≥ {min_probability:g}"
            + (
                f" ({len(candidates)} passed the search but failed confirmation)"
                if len(candidates)
                else ""
            )
            + f"; the most likely (trial {int(top['trial'])}, "
            f"{top['cost_yuan'] / 1e6:.1f} M yuan) meets them all with probability "
            f"{top['p_all']:.2f}"
        )
        reach = {g: search[f"p_{g}"].max() for g in goals}
        notes.append(
            "highest probability of each goal in any trial: "
            + ", ".join(f"{g} {p:.2f}" for g, p in sorted(reach.items(), key=lambda i: i[1]))
        )
        return Tuning(space, dict(goals), min_probability, table, None, best_summary, notes)
    best_values = {p: float(best[p]) for p in space.paths}
    if validate is not None:
        selected = best
        best = record("validate", best_values, confirm_replications)
        if not best["feasible"]:
            notes.append(
                f"on {confirm_replications} fresh replications the answer meets the goals with "
                f"P = {best['p_all']:.2f} (it had {selected['p_all']:.2f} on the replications "
                f"that selected it): it sits at the boundary; ask for a higher "
                "--min-probability for a margin"
            )
    best_summary = {k: v for k, v in best.items() if k == "cost_yuan" or k.startswith("p_")}
    best_summary["replications"] = best["replications"]
    best_summary["trial"] = best["trial"]
    table = pd.DataFrame(rows)
    return Tuning(space, dict(goals), min_probability, table, best_values, best_summary, notes)


def _polish(
    space: Space, best: dict, record: Callable[[str, dict, int], dict], count: int, steps: int
) -> dict:
    """Make the confirmed answer cheaper while it still meets the goals, by bisection: first on
    the segment towards the cheapest corner of the space (every lever at its cheaper bound),
    then one lever at a time, the costliest first (a lever that does not serve the chosen
    goals falls to its cheaper bound). With goals that rise with the levers each bisection
    finds the boundary along its line."""
    cheap = np.array([0.0 if p.cost_per_unit_yuan >= 0 else 1.0 for p in space.parameters.values()])

    def unit_of(row: dict) -> np.ndarray:
        return np.array([space.parameters[p].unit(row[p]) for p in space.paths])

    def bisect(best: dict, direction: np.ndarray, steps: int) -> dict:
        """Points best_unit + t * direction for t in (0, 1]: try t = 1 first, then halve."""
        origin = unit_of(best)
        low, high = 0.0, 1.0  # share of the way from the answer towards the cheap end
        for step in range(steps):
            share = high if step == 0 else (low + high) / 2
            values = space.values(np.clip(origin + share * direction, 0.0, 1.0))
            if values == {p: best[p] for p in space.paths}:
                break
            row = record("polish", values, count)
            if row["feasible"] and row["cost_yuan"] <= best["cost_yuan"]:
                best, low = row, share
                if step == 0:
                    break
            else:
                high = share
        return best

    if steps <= 0:
        return best
    best = bisect(best, cheap - unit_of(best), steps)
    spend = {
        i: abs(p.cost_per_unit_yuan * (best[path] - space.base_values()[path]))
        for i, (path, p) in enumerate(space.parameters.items())
    }
    for i in sorted(spend, key=spend.get, reverse=True):
        if spend[i] == 0:
            continue
        direction = np.zeros(space.dimension)
        direction[i] = cheap[i] - unit_of(best)[i]
        if direction[i] != 0:
            best = bisect(best, direction, max(2, steps // 2))
    return best


def answer_probabilities(
    space: Space,
    goals: Mapping[str, Goal],
    evaluate: Evaluate,
    values: Mapping[str, float],
    replications: int,
) -> dict:
    """Cost and probabilities (with 90 % Wilson intervals) of one lever setting, run by
    ``evaluate`` on ``replications`` replications."""
    hits = goal_met(evaluate(dict(values), replications), goals, replications)
    return _summary(space, values, hits, replications)


@dataclass
class Robustness:
    """Tuning over a posterior against tuning at the point values.

    ``point`` is the tuning at the scenario's point values; ``point_over_posterior`` the
    probabilities over the posterior of its answer (on the robust tuning's validation
    replications; None when it found none)."""

    robust: Tuning
    point: Tuning
    point_over_posterior: dict | None
    posterior_file: str
    draws: int

    @property
    def extra_cost_yuan(self) -> float | None:
        """What meeting the goals over the posterior costs beyond the point-value answer."""
        if self.robust.best is None or self.point.best is None:
            return None
        return float(self.robust.best_summary["cost_yuan"] - self.point.best_summary["cost_yuan"])

    def lines(self) -> list[str]:
        """What tuning over the posterior changed, in sentences for the summary and the
        terminal (each answer's P(all) as validated on fresh replications)."""
        robust, point, over = self.robust, self.point, self.point_over_posterior
        p_min = robust.min_probability
        where = f"the posterior in {self.posterior_file} ({self.draws} draws)"
        lines = []
        if point.best is None:
            lines.append(
                f"at the scenario's point values no policy met the goals with P >= {p_min:g} "
                f"(the most likely: P(all) = {point.best_summary['p_all']:.2f})"
            )
        else:
            s = point.best_summary
            lines.append(
                f"planned at the scenario's point values, the cheapest policy found costs "
                f"{_yuan(s['cost_yuan'])}, with P(all) = {s['p_all']:.2f} there"
            )
            if over is not None:
                verdict = "still meets" if over["p_all"] >= p_min else "falls short of"
                lines.append(
                    f"over {where} that policy meets the goals with P(all) = "
                    f"{over['p_all']:.2f} (90 % {over['p_all_low']:.2f}–"
                    f"{over['p_all_high']:.2f}, {over['replications']} replications): it "
                    f"{verdict} P >= {p_min:g}"
                )
        if robust.best is None:
            lines.append(f"over {where} no policy met the goals with P >= {p_min:g}")
            return lines
        s = robust.best_summary
        text = (
            f"the cheapest policy found over the posterior costs {_yuan(s['cost_yuan'])}, "
            f"with P(all) = {s['p_all']:.2f} over the posterior"
        )
        extra = self.extra_cost_yuan
        if extra is not None:
            change = "more" if extra >= 0 else "less"
            text += f": {_yuan(abs(extra))} {change} than the point-value policy"
        if s["p_all"] < p_min:
            text += f" (below {p_min:g} on fresh replications: it sits at the boundary)"
        lines.append(text)
        return lines

    def summary(self) -> dict:
        """The point-value tuning and the comparison, for ``summary.json``."""
        return {
            "best": self.point.best,
            "best_summary": self.point.best_summary,
            "over_posterior": self.point_over_posterior,
            "extra_cost_yuan": self.extra_cost_yuan,
            "notes": self.point.notes,
            "comparison": self.lines(),
        }


def _yuan(amount: float) -> str:
    """An amount of money for a sentence: ``5.02 M yuan``, or ``3,700 yuan`` below a million."""
    if abs(amount) >= 1e6:
        return f"{amount / 1e6:,.2f} M yuan"
    return f"{amount:,.0f} yuan"
