"""Draw every plot of a results folder (``plot_run``) or a comparison folder
(``plot_comparison``) into its ``plots/`` subfolder, through the folder's writer
(``sim.results``): a redraw replaces the folder's earlier plots whole."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from sim.language import LANGUAGES, Language, term
from sim.plots.carriers import plot_carriers
from sim.plots.dashboard import plot_goal_chances, plot_goal_dashboard
from sim.plots.fan import observed_sources, plot_fan, plot_fan_overlay, source_key
from sim.plots.fonts import language_fonts
from sim.plots.funnel import plot_funnel
from sim.plots.style import figure_png
from sim.plots.survival import plot_survival
from sim.results import (
    ComparisonFolder,
    FolderError,
    OutputFolder,
    RunFolder,
    claim,
    read_comparison,
    read_run,
)
from sim.scenario.schema import Goal, Scenario

PLOTS = "plots"
#: Fan charts drawn for every run besides those of the goal indicators.
FAN_EXTRAS = (
    "firms_in_carriers",
    "carrier_occupancy",
    "enterprise_base",
    "grants_paid_yuan",
    "loans_yuan",
    "fund_balance_yuan",
    # the funnel's patterns (scenarios/patterns.yaml)
    "hte_share_incubated",
    "tech_sme_share_incubated",
    "graduation_rate_incubated",
    "failure_rate_incubated",
    "revenue_per_incubated_firm_yuan",
    "revenue_yuan",
    "zone_share_of_city_patents",
)
RUN_SUMMARY_PLOTS = ("goal_dashboard.png", "funnel.png", "carriers.png", "survival.png")


def goal_for(scenario: Scenario, indicator: str) -> Goal | None:
    """The first modelled goal measured by ``indicator``."""
    return next((g for g in scenario.goal_readings().values() if g.indicator == indicator), None)


def goal_indicators(scenario: Scenario) -> list[str]:
    """Indicators of the modelled goals (every reading), each once, in the scenario's order."""
    return list(
        dict.fromkeys(g.indicator for g in scenario.goal_readings().values() if g.indicator)
    )


def fan_indicators(scenario: Scenario, recorded: Iterable[str]) -> list[str]:
    """Goal indicators, then ``FAN_EXTRAS``, those that were recorded."""
    present = set(recorded)
    wanted = dict.fromkeys([*goal_indicators(scenario), *FAN_EXTRAS])
    return [name for name in wanted if name in present]


def run_plot_names(results: RunFolder) -> list[str]:
    """File names ``plot_run`` writes for a results folder."""
    recorded = pd.unique(results.trajectories["indicator"])
    names = [f"fan_{name}.png" for name in fan_indicators(results.scenario, recorded)]
    summary = [n for n in RUN_SUMMARY_PLOTS if n != "survival.png" or results.survival is not None]
    return names + summary


def run_source(results: RunFolder, language: Language = "en") -> str:
    """The source line of a run's figures."""
    seed = results.manifest.get("root_seed")
    line = term(
        "source line",
        language,
        name=results.scenario.name,
        replications=f"{results.replications:,}",
        seed="–" if seed is None else seed,
    )
    return line if seed is not None else line.rsplit(" · ", 1)[0]


def with_observed(
    source: str, observations: pd.DataFrame | None, indicator: str, language: Language = "en"
) -> str:
    tags = observed_sources(observations, indicator)
    if not tags:
        return source
    line = f"{source} · {term('observed label', language, sources=', '.join(tags))}"
    key = source_key(observations, indicator)
    if key:
        line += " · " + "; ".join(f"{code} = {title}" for code, title in key.items())
    return line


Target = OutputFolder | str | os.PathLike[str]


@contextlib.contextmanager
def _claimed(target: Target) -> Iterator[OutputFolder]:
    """The claimed folder ``target`` is, or ``target`` claimed for this call."""
    if isinstance(target, OutputFolder):
        yield target
    else:
        with claim(target, None, "python: plot") as folder:
            yield folder


def _write(folder: OutputFolder, figures: dict[str, bytes]) -> list[Path]:
    """Write the plots (PNG bytes by name) into ``plots/``, replacing the earlier ones."""
    named = {f"{PLOTS}/{name}": data for name, data in figures.items()}
    return folder.add(named, replacing=f"{PLOTS}/*.png")


def plot_run(target: Target, language: Language | None = None) -> list[Path]:
    """Draw a results folder's plots into ``plots/`` (fan charts of the goal and key
    indicators, the goal dashboard, funnel, carriers and survival) and return their paths:
    in ``language``, by default the one the run recorded (``manifest.json``, ``language``).
    ``target`` is the folder (claimed here) or a folder a command has claimed. The same
    folder gives the same bytes."""
    with _claimed(target) as folder:
        results = read_run(folder.path)
        return _write(folder, run_figures(results, language or plots_language(results)))


def plots_language(results: RunFolder) -> Language:
    """The language a run's plots are drawn in: the one its manifest records, else English."""
    recorded = results.manifest.get("language", "en")
    return recorded if recorded in LANGUAGES else "en"  # type: ignore[return-value]


def run_figures(results: RunFolder, language: Language = "en") -> dict[str, bytes]:
    """A run's plots as PNG bytes, by file name, in ``language`` (Chinese needs a Chinese
    font: ``sim.plots.fonts``)."""
    with language_fonts(language):
        source = run_source(results, language)
        trajectories = results.trajectories
        scenario = results.scenario
        written: dict[str, bytes] = {}
        for indicator in fan_indicators(scenario, pd.unique(trajectories["indicator"])):
            figure = plot_fan(
                trajectories,
                indicator,
                observations=results.observations,
                goal=goal_for(scenario, indicator),
                source=with_observed(source, results.observations, indicator, language),
                language=language,
            )
            written[f"fan_{indicator}.png"] = figure_png(figure)
        runs = {scenario.name: trajectories}
        summary = [
            ("goal_dashboard.png", plot_goal_dashboard(runs, scenario, source, language)),
            ("funnel.png", plot_funnel(trajectories, source, language)),
            ("carriers.png", plot_carriers(trajectories, scenario, source, language)),
        ]
        if results.survival is not None:
            summary.append(("survival.png", plot_survival(results.survival, source, language)))
        return written | {name: figure_png(figure) for name, figure in summary}


# ----------------------------------------------------------------------------- comparisons
def comparison_plot_names(comparison: ComparisonFolder) -> list[str]:
    """File names ``plot_comparison`` writes."""
    recorded: set[str] = set()
    for run in comparison.runs.values():
        recorded.update(pd.unique(run.trajectories["indicator"]))
    indicators = [i for i in goal_indicators(comparison.reference.scenario) if i in recorded]
    return [f"overlay_{i}.png" for i in indicators] + ["goal_dashboard.png"]


def comparison_source(comparison: ComparisonFolder) -> str:
    info = comparison.info
    parts = ["zonesim", "comparison of " + ", ".join(comparison.runs)]
    if info.get("replications") is not None:
        parts.append(f"{int(info['replications']):,} replications each")
    if info.get("root_seed") is not None:
        parts.append(f"seed {info['root_seed']} (common random numbers)")
    return " · ".join(parts)


def plot_comparison(target: Target) -> list[Path]:
    """Draw a comparison folder's plots into ``plots/``: an overlay fan chart per goal
    indicator and the goal dashboard with one colour per scenario."""
    with _claimed(target) as folder:
        return _write(folder, comparison_figures(read_comparison(folder.path)))


def comparison_figures(comparison: ComparisonFolder, language: Language = "en") -> dict[str, bytes]:
    """A comparison's plots as PNG bytes, by file name, in ``language``."""
    with language_fonts(language):
        return _comparison_figures(comparison, language)


def _comparison_figures(comparison: ComparisonFolder, language: Language) -> dict[str, bytes]:
    reference = comparison.reference
    runs = {name: run.trajectories for name, run in comparison.runs.items()}
    source = comparison_source(comparison)
    written: dict[str, bytes] = {}
    for name in comparison_plot_names(comparison):
        if not name.startswith("overlay_"):
            continue
        indicator = name[len("overlay_") : -len(".png")]
        figure = plot_fan_overlay(
            runs,
            indicator,
            observations=reference.observations,
            goal=goal_for(reference.scenario, indicator),
            source=with_observed(source, reference.observations, indicator, language),
            language=language,
        )
        written[name] = figure_png(figure)
    replications = int(comparison.info.get("replications") or 0)
    if len(runs) > 1 and replications and len(comparison.goal_comparison):
        names = list(runs)
        dashboard = plot_goal_chances(
            comparison.goal_comparison, names, replications, source, language
        )
    else:
        dashboard = plot_goal_dashboard(runs, reference.scenario, source, language)
    return written | {"goal_dashboard.png": figure_png(dashboard)}


def plot_folder(target: Target) -> list[Path]:
    """``plot_comparison`` for a comparison folder, ``plot_run`` for a run's."""
    with _claimed(target) as folder:
        if folder.kind == "comparison":
            return plot_comparison(folder)
        if folder.kind == "run":
            return plot_run(folder)
        raise FolderError(
            f"{folder.path}: a {folder.kind} folder's plots are drawn when it is made; "
            "rerun its command"
        )
