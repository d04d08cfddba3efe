"""The plots of the analysis commands, drawn from their results: calibration fit, sensitivity
indices, the cost-probability trade-off of tuning, and the sweep heatmap."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.sweep import heatmap
from sim.plots.posterior import plot_pairs
from sim.plots.style import figure_png
from sim.plots.tuning import plot_calibration, plot_heatmap, plot_sensitivity, plot_tradeoff
from sim.results import OutputFolder
from sim.studies.calibrate import CalibrationStudy, PosteriorStudy
from sim.studies.screen import ScreenStudy
from sim.studies.sensitivity import SensitivityStudy
from sim.studies.sweep import SweepStudy
from sim.studies.tune import TuneStudy

Study = CalibrationStudy | PosteriorStudy | SensitivityStudy | TuneStudy | SweepStudy | ScreenStudy


def study_figures(study: Study) -> dict[str, bytes]:
    """A study's plot (PNG bytes) by file name; none for a one-at-a-time sweep or a
    screening (their tables are the result)."""
    name = study.setup.scenario.name
    if isinstance(study, CalibrationStudy):
        return {"calibration.png": figure_png(plot_calibration(study.calibration.fit, name))}
    if isinstance(study, PosteriorStudy):
        post = study.posterior
        return {"pairs.png": figure_png(plot_pairs(post.draws, post.space, post.method, name))}
    if isinstance(study, SensitivityStudy):
        result = study.result
        figure = plot_sensitivity(
            result.indices, result.method, str(result.output), name, notes=result.warnings
        )
        return {"sensitivity.png": figure_png(figure)}
    if isinstance(study, TuneStudy):
        result = study.result
        figure = plot_tradeoff(
            result.trials,
            result.min_probability,
            result.best_summary if result.best is not None else None,
            name,
        )
        return {"tradeoff.png": figure_png(figure)}
    if isinstance(study, ScreenStudy) or study.effects is not None:
        return {}
    xs, ys, matrix = heatmap(study.table, study.x, study.y, study.column)
    figure = plot_heatmap(
        xs,
        ys,
        matrix,
        study.x,
        study.y,
        study.column,
        name,
        study.manifest["goals"],
        note="" if study.setup.space.dimension > 2 else "other keys as in the scenario.",
    )
    return {"heatmap.png": figure_png(figure)}


def plot_study(folder: OutputFolder, study: Study) -> list[Path]:
    """Draw a study's plot into its claimed folder."""
    return folder.add(study_figures(study))
