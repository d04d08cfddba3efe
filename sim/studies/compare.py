"""Compare scenarios under common random numbers: each run, and the paired differences of
every other scenario against the first.

>>> from sim.studies import compare_scenarios
>>> comparison = compare_scenarios(["scenarios/baseline.yaml", "scenarios/more_funding.yaml"])
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.compare import (
    KEY_INDICATORS,
    goal_changes,
    paired_differences,
    scenario_differences,
)
from sim.analysis.cost import COST_COLUMNS, SHARE_COLUMNS, cost_effectiveness, lever_shares
from sim.analysis.goals import goal_table
from sim.experiment.engines import Engine
from sim.experiment.runner import run_replications
from sim.results import OutputFolder, claim
from sim.results.provenance import versions
from sim.scenario import load_scenario_with_tree
from sim.scenario.paths import get_path, set_path
from sim.scenario.posterior import Posterior, read_posterior
from sim.scenario.schema import Scenario, cross_check
from sim.scenario.space import Space, as_written, load_space
from sim.studies.common import default_observations, engine_for, observed_table
from sim.studies.run import ScenarioRun, posterior_scenarios
from sim.studies.screen import decided_by_for


@dataclass(frozen=True)
class Comparison:
    """Scenarios run with common random numbers and their paired differences against the
    first one."""

    runs: dict[str, ScenarioRun]
    comparison: pd.DataFrame  # paired differences per indicator and year
    goal_comparison: pd.DataFrame  # change in each goal's probability of being met
    differences: dict[str, list[str]]  # resolved scenario keys that differ from the first
    #: what each policy costs per result (``sim.analysis.cost``), with ``space`` given
    costs: pd.DataFrame | None = None
    #: each moved lever's share of each policy's changes (policies moving two levers or more)
    shares: pd.DataFrame | None = None
    #: per policy: its cost, the levers it moves and the changes no lever of the space prices
    pricing: dict[str, dict] | None = None

    @property
    def names(self) -> list[str]:
        return list(self.runs)

    def files(self) -> dict[str, pd.DataFrame | dict]:
        """One run's files per scenario (in a folder of its name), comparison.csv,
        goal_comparison.csv and comparison.json."""
        files: dict[str, pd.DataFrame | dict] = {}
        for name, run in self.runs.items():
            files |= {f"{name}/{file}": content for file, content in run.files().items()}
        first = next(iter(self.runs.values())).results
        files["comparison.csv"] = self.comparison
        files["goal_comparison.csv"] = self.goal_comparison
        if self.costs is not None:
            files["cost_effectiveness.csv"] = self.costs
        if self.shares is not None:
            files["lever_shares.csv"] = self.shares
        posterior = next(iter(self.runs.values())).posterior
        files["comparison.json"] = {
            "scenarios": self.names,
            "root_seed": first.root_seed,
            "replications": first.replications,
            "differences": self.differences,
            "pricing": self.pricing,
            "p_met_includes_parameter_uncertainty": posterior is not None,
            "posterior": (
                posterior.summary(first.root_seed, first.replications) if posterior else None
            ),
            "versions": versions(),
        }
        return files

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the comparison folder (see :meth:`files`), replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files())
        with claim(out, "comparison", "python: Comparison.write") as folder:
            return folder.replace(self.files())


def compare_scenarios(
    scenarios: list[str | os.PathLike[str]],
    replications: int = 200,
    seed: int = 2018,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    seeds: list[int] | None = None,
    dask: str | None = None,
    posterior: str | os.PathLike[str] | None = None,
    space: str | os.PathLike[str] | None = None,
) -> Comparison:
    """Run scenario files with the same root seed (common random numbers) and compare each
    with the first. ``seeds`` (one per scenario) overrides that, for independent streams.
    ``executor``, ``workers`` and ``dask`` choose where replications run, as for
    :func:`~sim.studies.run.run_scenario`; one engine serves every scenario.

    With ``posterior`` (a calibration posterior file, checked against each scenario) every
    scenario runs the same draws in the same replications (drawn from the root seed), so
    the paired differences and each goal's ``p_met`` are over the posterior; the goal tables'
    ``p_met_fixed`` stay empty (``run --posterior`` gives them).

    With ``space`` (a levers file, e.g. ``scenarios/spaces/levers.yaml``) each policy is priced
    against the first scenario: its extra cost from the levers it moves, the cost per extra
    unit of each goal's indicator, and, for a policy moving two levers or more, each lever's
    share of the change, from runs of each lever alone and of the policy without it (2 runs a
    lever, the same random numbers); see ``sim.analysis.cost``."""
    loaded = [load_scenario_with_tree(path) for path in scenarios]
    names = [scenario.name for scenario, _ in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared: {names}")
    levers = load_space(space, loaded[0][1], "lever") if space is not None else None
    seeds = seeds or [seed] * len(loaded)
    posteriors = [
        read_posterior(posterior, tree.data) if posterior is not None else None
        for _, tree in loaded
    ]
    runs: dict[str, ScenarioRun] = {}
    with engine_for(executor, workers, dask) as engine:
        for path, (scenario, tree), run_seed, drawn in zip(
            scenarios, loaded, seeds, posteriors, strict=True
        ):
            observed = default_observations(path, scenario)
            results = run_replications(
                scenario,
                replications,
                run_seed,
                executor=engine.executor,
                workers=engine.workers,
                progress=progress,
                scenario_of=posterior_scenarios(drawn, run_seed, replications),
            )
            decided = decided_by_for(path, scenario)
            runs[scenario.name] = ScenarioRun(
                results,
                goal_table(scenario, results.trajectories, replications, decided, drawn),
                tree,
                observed_table(observed, scenario) if observed else None,
                drawn,
            )
        priced = None
        if levers is not None:  # on the same engine
            priced = _price(levers, loaded, runs, replications, seeds[0], posteriors[0], engine,
                            progress)  # fmt: skip
    base_name = names[0]
    base_scenario, base_tree = loaded[0]
    base = runs[base_name].trajectories
    indicators = list(
        dict.fromkeys(g.indicator for g in base_scenario.goal_readings().values() if g.indicator)
    )
    indicators += [name for name in KEY_INDICATORS if name not in indicators]
    comparison, goals, differences = [], [], {}
    for (_, tree), name in zip(loaded[1:], names[1:], strict=True):
        other = runs[name].trajectories
        comparison.append(paired_differences(name, base, other, indicators))
        goals.append(goal_changes(name, base_scenario, base, other, replications))
        differences[name] = scenario_differences(base_tree.data, tree.data)
    costs, shares, pricing = priced if priced is not None else (None, None, None)
    return Comparison(
        runs,
        pd.concat(comparison, ignore_index=True) if comparison else pd.DataFrame(),
        pd.concat(goals, ignore_index=True) if goals else pd.DataFrame(),
        differences,
        costs,
        shares,
        pricing,
    )


def policy_levers(levers: Space, data: dict) -> dict[str, float]:
    """The levers of ``levers`` a scenario's data sets away from the reference's (the space's
    base), with the scenario's values."""
    reference = levers.base_values()
    moved = {}
    for path in levers.paths:
        value = float(get_path(data, path))
        if value != reference[path]:
            moved[path] = value
    return moved


def unpriced_changes(levers: Space, data: dict) -> list[str]:
    """Keys a scenario changes from the reference that are not levers of the space (their
    cost is not counted)."""
    lines = scenario_differences(levers.base_data, data)
    return [line for line in lines if line.split(":", 1)[0] not in levers.parameters]


def share_variants(levers: Space, reference: dict, policy: dict) -> list[tuple[str, str, Scenario]]:
    """The scenarios a policy's lever shares need, as (``alone`` or ``without``, lever,
    scenario): each lever it moves alone from the reference, and the policy without it; none
    when it moves fewer than two levers. Raises ValueError when a setting gives an invalid
    scenario (``compare`` checks this before it writes anything)."""
    moved = policy_levers(levers, policy)
    if len(moved) < 2:
        return []
    base = levers.base_values()
    found = []
    for path, value in moved.items():
        found.append(("alone", path, variant(reference, {path: value}, levers)))
        found.append(("without", path, variant(policy, {path: base[path]}, levers)))
    return found


def variant(data: dict, changes: Mapping[str, float], levers: Space) -> Scenario:
    """A scenario from resolved ``data`` with lever ``changes`` set (checked as a scenario
    file is)."""
    changed = copy.deepcopy(data)
    for path, value in changes.items():
        integral = levers.parameters[path].integer
        set_path(changed, path, as_written(get_path(changed, path), value, integral))
    scenario = Scenario.model_validate(changed)
    problems = cross_check(scenario)
    if problems:
        raise ValueError(f"a lever setting gives an invalid scenario: {problems[0][1]}")
    return scenario


def _price(
    levers: Space,
    loaded: list,
    runs: dict[str, ScenarioRun],
    replications: int,
    seed: int,
    drawn: Posterior | None,
    engine: Engine,
    progress: Callable[[int], None] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """Cost-effectiveness and lever shares of every policy against the first scenario (the
    runs of each moved lever alone and of the policy without it on ``engine``)."""
    reference_scenario, reference_tree = loaded[0]
    reference = runs[reference_scenario.name].trajectories
    base_values = levers.base_values()
    costs, shares, pricing = [], [], {}
    for scenario, tree in loaded[1:]:
        moved = policy_levers(levers, tree.data)
        cost = levers.cost_yuan({**base_values, **moved})
        pricing[scenario.name] = {
            "cost_yuan": cost,
            "levers": moved,
            "unpriced_changes": unpriced_changes(levers, tree.data),
        }
        policy = runs[scenario.name].trajectories
        costs.append(
            cost_effectiveness(
                scenario.name, cost, reference_scenario, reference, policy, replications
            )
        )
        variants = share_variants(levers, reference_tree.data, tree.data)
        if not variants:
            continue
        found: dict[str, dict[str, pd.DataFrame]] = {"alone": {}, "without": {}}
        for kind, path, setting in variants:
            results = run_replications(
                setting,
                replications,
                seed,
                executor=engine.executor,
                workers=engine.workers,
                progress=progress,
                scenario_of=posterior_scenarios(drawn, seed, replications),
            )
            found[kind][path] = results.trajectories
        alone, without = found["alone"], found["without"]
        shares.append(
            lever_shares(
                scenario.name,
                reference_scenario,
                reference,
                policy,
                alone,
                without,
                replications,
            )
        )
    return (
        pd.concat(costs, ignore_index=True) if costs else pd.DataFrame(columns=COST_COLUMNS),
        pd.concat(shares, ignore_index=True) if shares else pd.DataFrame(columns=SHARE_COLUMNS),
        pricing,
    )
