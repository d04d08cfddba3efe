"""Compare scenarios under common random numbers: each run, and the paired differences of
every other scenario against the first.

>>> from sim.studies import compare_scenarios
>>> comparison = compare_scenarios(["scenarios/baseline.yaml", "scenarios/more_funding.yaml"])
"""

from __future__ import annotations

import os
from collections.abc import Callable
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
from sim.analysis.goals import goal_table
from sim.experiment.runner import run_replications
from sim.results import OutputFolder, claim
from sim.results.provenance import versions
from sim.scenario import load_scenario_with_tree
from sim.scenario.posterior import read_posterior
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
        posterior = next(iter(self.runs.values())).posterior
        files["comparison.json"] = {
            "scenarios": self.names,
            "root_seed": first.root_seed,
            "replications": first.replications,
            "differences": self.differences,
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
) -> Comparison:
    """Run scenario files with the same root seed (common random numbers) and compare each
    with the first. ``seeds`` (one per scenario) overrides that, for independent streams.
    ``executor``, ``workers`` and ``dask`` choose where replications run, as for
    :func:`~sim.studies.run.run_scenario`; one engine serves every scenario.

    With ``posterior`` (a calibration posterior file, checked against each scenario) every
    scenario runs the same draws in the same replications (drawn from the root seed), so
    the paired differences and each goal's ``p_met`` are over the posterior; the goal tables'
    ``p_met_fixed`` stay empty (``run --posterior`` gives them)."""
    loaded = [load_scenario_with_tree(path) for path in scenarios]
    names = [scenario.name for scenario, _ in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared: {names}")
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
    return Comparison(
        runs,
        pd.concat(comparison, ignore_index=True) if comparison else pd.DataFrame(),
        pd.concat(goals, ignore_index=True) if goals else pd.DataFrame(),
        differences,
    )
