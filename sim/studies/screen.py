"""Screen: what decides each goal. Every parameter of the given spaces (the uncertain
assumptions and the policy levers) moves alone from its low to its high bound, the others as
the scenario has them, with common random numbers; per goal, the one or two parameters that
move P(met) the most are its ``decided_by`` (``sim.analysis.screening``).

The table is kept beside the scenarios (``scenarios/screening/<name>.csv``) so that every run
of that scenario shows it in its goal table; it names the scenario's SHA-256, and a run of a
changed scenario says the screening is stale.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.screening import decided_by, decided_by_text
from sim.analysis.sweep import one_at_a_time
from sim.analysis.tuning import select_goals
from sim.results import OutputFolder, claim
from sim.results.provenance import scenario_hash
from sim.scenario import Scenario
from sim.scenario.provenance import parameter_table
from sim.studies.common import Progress, Setup, goal_evaluator, open_units, prepare, summary

KIND = "screening"
#: Where a scenario's screening is kept: ``<scenario folder>/screening/<name>.csv``.
SCREENING_FOLDER = "screening"


@dataclass
class ScreenStudy:
    """A finished screening: every parameter's paired effect on each goal, and the one or two
    that decide each goal."""

    setup: Setup
    effects: pd.DataFrame
    decided: pd.DataFrame
    manifest: dict[str, Any]

    def files(self, out: Path | None = None) -> dict[str, pd.DataFrame | dict]:
        """effects.csv, decided_by.csv (with the scenario's SHA-256) and summary.json."""
        return {
            "effects.csv": self.effects,
            "decided_by.csv": self.decided.assign(
                scenario_sha256=scenario_hash(self.setup.scenario)
            ),
            "summary.json": self.manifest,
        }

    def write(self, out: str | os.PathLike[str] | OutputFolder) -> list[Path]:
        """Write the screening folder, replacing an earlier one's."""
        if isinstance(out, OutputFolder):
            return out.replace(self.files())
        with claim(out, KIND, "python: ScreenStudy.write") as folder:
            return folder.replace(self.files())


def screen_scenario(
    scenario: str | os.PathLike[str],
    spaces: list[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None,
    goals: str = "all",
    replications: int = 20,
    seed: int = 2018,
    top: int = 2,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress = None,
    setup: Setup | None = None,
) -> ScreenStudy:
    """Screen the parameters of ``spaces`` (any kinds; a parameter in two files is screened
    once, as the first has it) for their effect on ``goals``; finished points are kept in
    ``out/units`` (when ``out`` is given) for ``resume``."""
    setup = setup or prepare(scenario, list(spaces), None, first_wins=True)
    chosen = select_goals(setup.scenario, goals, every_reading=True)
    identity = {"replications": replications, "root_seed": seed, "goals": goals}
    open_units(setup, Path(out) / "units" if out else None, "screen", identity, resume)
    points = goal_evaluator(setup, chosen, replications, seed, executor, workers, progress)
    _, effects = one_at_a_time(setup.space, chosen, points, replications)
    effects = effects.rename(columns={"lever": "parameter"})
    kinds = {path: p.kind for path, p in setup.space.parameters.items()}
    provenance = dict(
        parameter_table(setup.tree)[["key", "provenance"]].itertuples(index=False, name=None)
    )
    decided = decided_by(effects, kinds, provenance, top)
    settings = {
        "replications": replications,
        "goals": list(chosen),
        "points": 2 * setup.space.dimension,
        "spaces": [str(s) for s in spaces],
    }
    manifest = summary(setup, "screen", seed, settings, points, [])
    return ScreenStudy(setup, effects, decided, manifest)


def screening_file(scenario_path: str | os.PathLike[str], scenario: Scenario) -> Path:
    """Where the screening of a scenario is kept: ``screening/<name>.csv`` beside its file."""
    return Path(scenario_path).parent / SCREENING_FOLDER / f"{scenario.name}.csv"


def decided_by_for(
    scenario_path: str | os.PathLike[str], scenario: Scenario
) -> dict[str, str] | None:
    """The goal table's ``decided_by`` texts from the scenario's kept screening, or None when
    it has none; a screening of another version of the scenario gives ``stale screening``."""
    path = screening_file(scenario_path, scenario)
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    goals = [key for key, goal in scenario.goal_readings().items() if goal.indicator]
    if set(table.get("scenario_sha256", pd.Series(dtype=str))) != {scenario_hash(scenario)}:
        stale = f"stale screening ({path.name} is of another version of the scenario)"
        return dict.fromkeys(goals, stale)
    return decided_by_text(table, goals)
