"""Tune (backcasting): the cheapest lever settings that meet the goals with a given
probability; with a calibration posterior, over the parameters' uncertainty too, beside the
answer at the scenario's point values (``sim.analysis.tuning.Robustness``)."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.tuning import (
    Robustness,
    Tuning,
    answer_probabilities,
    select_goals,
    tune,
)
from sim.results import OutputFolder, claim
from sim.scenario.posterior import Posterior, read_posterior
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
    #: with a posterior: the tuning at point values and what the posterior changed
    robustness: Robustness | None = None

    def files(self, out: Path) -> dict[str, pd.DataFrame | dict | str]:
        """trials.csv, the tuned scenario (when a policy met the goals) and summary.json.
        With a posterior, trials.csv holds both searches (column ``over``: ``posterior`` or
        ``point values``) and summary.json the point-value answer and the comparison."""
        result = self.result
        trials = result.trials
        if self.robustness is not None:
            trials = pd.concat(
                [
                    trials.assign(over="posterior"),
                    self.robustness.point.trials.assign(over="point values"),
                ],
                ignore_index=True,
            )
        files: dict[str, pd.DataFrame | dict | str] = {"trials.csv": trials}
        if result.best is not None:
            name, text = self._tuned(out)
            files[name] = text
        files["summary.json"] = {
            **self.manifest,
            "best": result.best,
            "best_summary": result.best_summary,
            "point_values": self.robustness.summary() if self.robustness is not None else None,
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
        over = ""
        if self.robustness is not None:
            over = f" over the posterior {self.robustness.posterior_file}"
        comments = {
            path: (
                f"assumption: policy lever found by zonesim tune — cheapest setting meeting "
                f"{', '.join(result.goals)}{over} with P = {s['p_all']:.2f} "
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
    posterior: str | os.PathLike[str] | Posterior | None = None,
    reading: str | None = None,
) -> TuneStudy:
    """Cheapest lever settings meeting ``goals`` (``all`` or keys) with ``min_probability``,
    each goal under its main reading, or under ``reading`` where it has one of that id;
    finished candidates are kept in ``out/units`` (when ``out`` is given) for ``resume``.

    With ``posterior`` (a calibration posterior file, or one read against this scenario),
    replication ``i`` of every candidate runs at its draw (levers on top), so the probability
    is over the posterior; the same search is run at the point values too, and its answer is
    re-run over the posterior: ``TuneStudy.robustness`` (about twice the work)."""
    confirm_replications = confirm_replications or 4 * replications
    design = {
        "replications": replications,
        "root_seed": seed,
        "goals": goals,
        **({"reading": reading} if reading is not None else {}),
        "min_probability": min_probability,
        "trials": trials,
        "confirm_replications": confirm_replications,
    }
    setup = setup or prepare(scenario, space, "lever")
    chosen = select_goals(setup.scenario, goals, reading)
    if posterior is not None and not isinstance(posterior, Posterior):
        posterior = read_posterior(posterior, setup.tree.data)
    if posterior is not None:
        design["posterior_sha256"] = posterior.digest
    open_units(setup, Path(out) / "units" if out else None, "tune", design, resume)

    def search_over(drawn: Posterior | None) -> tuple[Tuning, list]:
        """The four stages (see ``sim.analysis.tuning``), over ``drawn`` or at point values."""
        search = goal_evaluator(
            setup, chosen, replications, seed, executor, workers, progress, drawn
        )
        # the answer's probabilities are re-estimated on other replications (another seed)
        validator = goal_evaluator(
            setup, chosen, replications, seed + 1, executor, workers, progress, drawn
        )
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
        return result, [search, validator]

    result, evaluators = search_over(posterior)
    robustness = None
    if posterior is not None:
        point, more = search_over(None)
        evaluators += more
        over = None
        if point.best is not None:  # the point-value answer on the validation replications
            over = answer_probabilities(
                setup.space, chosen, evaluators[1], point.best, confirm_replications
            )
        robustness = Robustness(result, point, over, posterior.file, posterior.draws)
    search = evaluators[0]
    for other in evaluators[1:]:
        search.events += other.events
        search.evaluations += other.evaluations
    settings = {
        "replications": replications,
        "trials": trials,
        "goals": list(chosen),
        "reading": reading,
        "min_probability": min_probability,
        "confirm_replications": confirm_replications,
        "p_met_includes_parameter_uncertainty": posterior is not None,
        "posterior": posterior.summary() if posterior is not None else None,
    }
    notes = list(result.notes)
    levers = [p for p in (posterior.parameters if posterior else []) if p in setup.space.paths]
    if levers:
        notes.append(
            f"{', '.join(levers)}: in the posterior and a lever here; each candidate sets it, "
            "the posterior's values of it are not used"
        )
    manifest = summary(setup, "tune", seed, settings, search, notes)
    return TuneStudy(setup, result, manifest, robustness)
