"""Draw every plot of a results folder (``plot_run``) or a comparison folder
(``plot_comparison``) into its ``plots/`` subfolder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.plots.carriers import plot_carriers
from sim.plots.dashboard import plot_goal_dashboard, replications_of
from sim.plots.fan import observed_points, observed_tags, plot_fan, plot_fan_overlay
from sim.plots.funnel import plot_funnel
from sim.plots.style import save_figure
from sim.plots.survival import plot_survival
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


@dataclass(frozen=True)
class ResultsFolder:
    """The tables of a results folder that the plots need."""

    path: Path
    trajectories: pd.DataFrame
    scenario: Scenario
    manifest: dict
    observations: pd.DataFrame | None
    survival: pd.DataFrame | None

    @property
    def replications(self) -> int:
        return int(self.manifest.get("replications") or replications_of(self.trajectories))


def read_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def read_scenario(folder: str | os.PathLike[str]) -> Scenario:
    """The resolved scenario of a results folder (``scenario.json``)."""
    return Scenario.model_validate(read_json(Path(folder) / "scenario.json"))


def _optional_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def read_results(folder: str | os.PathLike[str]) -> ResultsFolder:
    """Read trajectories, scenario, manifest and (when present) observations and survival."""
    path = Path(folder)
    manifest_path = path / "manifest.json"
    return ResultsFolder(
        path=path,
        trajectories=pd.read_csv(path / "trajectories.csv"),
        scenario=read_scenario(path),
        manifest=read_json(manifest_path) if manifest_path.is_file() else {},
        observations=_optional_csv(path / "observations.csv"),
        survival=_optional_csv(path / "survival.csv"),
    )


def goal_for(scenario: Scenario, indicator: str) -> Goal | None:
    """The first modelled goal measured by ``indicator``."""
    return next((g for g in scenario.goals.values() if g.indicator == indicator), None)


def goal_indicators(scenario: Scenario) -> list[str]:
    """Indicators of the modelled goals, each once, in the scenario's order."""
    return list(dict.fromkeys(g.indicator for g in scenario.goals.values() if g.indicator))


def fan_indicators(scenario: Scenario, recorded: Iterable[str]) -> list[str]:
    """Goal indicators, then ``FAN_EXTRAS``, those that were recorded."""
    present = set(recorded)
    wanted = dict.fromkeys([*goal_indicators(scenario), *FAN_EXTRAS])
    return [name for name in wanted if name in present]


def run_plot_names(results: ResultsFolder) -> list[str]:
    """File names ``plot_run`` writes for a results folder."""
    recorded = pd.unique(results.trajectories["indicator"])
    names = [f"fan_{name}.png" for name in fan_indicators(results.scenario, recorded)]
    summary = [n for n in RUN_SUMMARY_PLOTS if n != "survival.png" or results.survival is not None]
    return names + summary


def run_source(results: ResultsFolder) -> str:
    """The source line of a run's figures."""
    seed = results.manifest.get("root_seed")
    parts = [
        "zonesim",
        f"scenario {results.scenario.name}",
        f"{results.replications:,} replications",
    ]
    if seed is not None:
        parts.append(f"seed {seed}")
    return " · ".join(parts)


def with_observed(source: str, observations: pd.DataFrame | None, indicator: str) -> str:
    tags = observed_tags(observed_points(observations, indicator))
    return f"{source} · observed: {', '.join(tags)}" if tags else source


def _write(figures: list[tuple[str, Figure]], out: Path) -> list[Path]:
    return [save_figure(figure, out / name) for name, figure in figures]


def plot_run(folder: str | os.PathLike[str]) -> list[Path]:
    """Draw a results folder's plots into ``folder/plots/`` (fan charts of the goal and key
    indicators, the goal dashboard, funnel, carriers and survival) and return their paths.
    The same folder gives the same bytes."""
    results = read_results(folder)
    out = results.path / PLOTS
    source = run_source(results)
    trajectories = results.trajectories
    written: list[Path] = []
    for indicator in fan_indicators(results.scenario, pd.unique(trajectories["indicator"])):
        figure = plot_fan(
            trajectories,
            indicator,
            observations=results.observations,
            goal=goal_for(results.scenario, indicator),
            source=with_observed(source, results.observations, indicator),
        )
        written += _write([(f"fan_{indicator}.png", figure)], out)
    name = results.scenario.name
    summary = [
        ("goal_dashboard.png", plot_goal_dashboard({name: trajectories}, results.scenario, source)),
        ("funnel.png", plot_funnel(trajectories, source)),
        ("carriers.png", plot_carriers(trajectories, results.scenario, source)),
    ]
    if results.survival is not None:
        summary.append(("survival.png", plot_survival(results.survival, source)))
    return written + _write(summary, out)


# ----------------------------------------------------------------------------- comparisons
@dataclass(frozen=True)
class ComparisonFolder:
    """A comparison folder: its ``comparison.json`` and each scenario's results."""

    path: Path
    info: dict
    runs: dict[str, ResultsFolder]

    @property
    def reference(self) -> ResultsFolder:
        return next(iter(self.runs.values()))


def is_comparison(folder: str | os.PathLike[str]) -> bool:
    return (Path(folder) / "comparison.json").is_file()


def read_comparison(folder: str | os.PathLike[str]) -> ComparisonFolder:
    """Read ``comparison.json`` and the results folder of every scenario in it, in order."""
    path = Path(folder)
    info = read_json(path / "comparison.json")
    names = [str(name) for name in info.get("scenarios", [])]
    if not names:
        raise ValueError(f"{path / 'comparison.json'} lists no scenarios")
    return ComparisonFolder(path, info, {name: read_results(path / name) for name in names})


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


def plot_comparison(folder: str | os.PathLike[str]) -> list[Path]:
    """Draw a comparison folder's plots into ``folder/plots/``: an overlay fan chart per goal
    indicator and the goal dashboard with one colour per scenario."""
    comparison = read_comparison(folder)
    reference = comparison.reference
    runs = {name: run.trajectories for name, run in comparison.runs.items()}
    source = comparison_source(comparison)
    out = comparison.path / PLOTS
    written: list[Path] = []
    for name in comparison_plot_names(comparison):
        if not name.startswith("overlay_"):
            continue
        indicator = name[len("overlay_") : -len(".png")]
        figure = plot_fan_overlay(
            runs,
            indicator,
            observations=reference.observations,
            goal=goal_for(reference.scenario, indicator),
            source=with_observed(source, reference.observations, indicator),
        )
        written += _write([(name, figure)], out)
    dashboard = plot_goal_dashboard(runs, reference.scenario, source)
    return written + _write([("goal_dashboard.png", dashboard)], out)


def plot_folder(folder: str | os.PathLike[str]) -> list[Path]:
    """``plot_comparison`` for a comparison folder (one with comparison.json), else
    ``plot_run``."""
    return plot_comparison(folder) if is_comparison(folder) else plot_run(folder)
