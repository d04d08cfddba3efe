"""Tune (backcasting): the cheapest lever settings that meet the goals with a given
probability."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.tuning import Tuning, select_goals, tune
from sim.results import OutputFolder, claim
from sim.studies.common import (
    Progress,
    Setup,
    goal_evaluator,
    open_units,
    prepare,
    scenario_text,
    summary,
)

KIND = "tuning"


@dataclass
class TuneStudy:
    """A finished search for the cheapest policy and its summary."""

    setup: Setup
    result: Tuning
    manifest: dict[str, Any]

    def files(self, out: Path) -> dict[str, pd.DataFrame | dict | str]:
        """trials.csv, the tuned scenario (when a policy met the goals) and summary.json."""
        result = self.result
        files: dict[str, pd.DataFrame | dict | str] = {"trials.csv": result.trials}
        if result.best is not None:
            name, text = self._tuned(out)
            files[name] = text
        files["summary.json"] = {
            **self.manifest,
            "best": result.best,
            "best_summary": result.best_summary,
        }
        return files

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the tuning folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files(out.path))
        with claim(out, KIND, "python: TuneStudy.write") as folder:
            return folder.replace(self.files(folder.path))

    def _tuned(self, out: Path) -> tuple[str, str]:
        result = self.result
        s = result.best_summary
        comments = {
            path: (
                f"assumption: policy lever found by zonesim tune — cheapest setting meeting "
                f"{', '.join(result.goals)} with P = {s['p_all']:.2f} "
                f"(90 % {s['p_all_low']:.2f}-{s['p_all_high']:.2f}, {s['replications']} "
                f"replications) >= {result.min_probability:g}; cost "
                f"{s['cost_yuan'] / 1e6:.2f} M yuan; {date.today().isoformat()}"
            )
            for path in result.best
        }
        name = self.setup.scenario.name
        return scenario_text(
            self.setup,
            out,
            "tuned",
            result.best,
            comments,
            f"{name} with the cheapest lever settings found to meet {', '.join(result.goals)} "
            f"with probability >= {result.min_probability:g}",
            [f"Written by zonesim tune ({self.setup.space.file}); see trials.csv beside it."],
        )


def tune_scenario(
    scenario: str | os.PathLike[str],
    space: str | os.PathLike[str],
    goals: str,
    out: str | os.PathLike[str] | None,
    min_probability: float = 0.8,
    replications: int = 50,
    seed: int = 2018,
    trials: int = 40,
    confirm_replications: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
    setup: Setup | None = None,
) -> TuneStudy:
    """Cheapest lever settings meeting ``goals`` (``all`` or keys) with ``min_probability``;
    finished candidates are kept in ``out/units`` (when ``out`` is given) for ``resume``."""
    confirm_replications = confirm_replications or 4 * replications
    design = {
        "replications": replications,
        "root_seed": seed,
        "goals": goals,
        "min_probability": min_probability,
        "trials": trials,
        "confirm_replications": confirm_replications,
    }
    setup = setup or prepare(scenario, space, "lever")
    chosen = select_goals(setup.scenario, goals)
    open_units(setup, Path(out) / "units" if out else None, "tune", design, resume)
    search = goal_evaluator(setup, chosen, replications, seed, executor, workers, progress)
    # the answer's probabilities are re-estimated on other replications (another root seed)
    validator = goal_evaluator(setup, chosen, replications, seed + 1, executor, workers, progress)
    result = tune(
        setup.space,
        chosen,
        search,
        replications,
        trials,
        min_probability,
        seed,
        confirm_replications=confirm_replications,
        validate=validator,
    )
    search.events += validator.events
    search.evaluations += validator.evaluations
    settings = {
        "replications": replications,
        "trials": trials,
        "goals": list(chosen),
        "min_probability": min_probability,
        "confirm_replications": confirm_replications,
    }
    manifest = summary(setup, "tune", seed, settings, search, result.notes)
    return TuneStudy(setup, result, manifest)
