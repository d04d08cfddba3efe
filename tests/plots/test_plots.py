"""The figures carry the expected artists and labels, and a folder's plots are byte-stable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.indicators import describe
from sim.plots import (
    plot_carriers,
    plot_comparison,
    plot_fan,
    plot_fan_overlay,
    plot_funnel,
    plot_goal_dashboard,
    plot_run,
    plot_survival,
)
from sim.plots.folder import FAN_EXTRAS
from sim.plots.funnel import LOSSES, PROGRESS
from sim.scenario.observations import load_observations, observations_table
from sim.scenario.schema import Scenario, goal_of
from tests.helpers import SCENARIOS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def trajectories(run_folder: Path) -> pd.DataFrame:
    return pd.read_csv(run_folder / "trajectories.csv")


@pytest.fixture(scope="module")
def observations(run_folder: Path) -> pd.DataFrame:
    return pd.read_csv(run_folder / "observations.csv")


@pytest.fixture(scope="module")
def scenario(run_folder: Path) -> Scenario:
    with (run_folder / "scenario.json").open(encoding="utf-8") as handle:
        return Scenario.model_validate(json.load(handle))


def median_by_year(trajectories: pd.DataFrame, indicator: str) -> pd.Series:
    rows = trajectories[trajectories["indicator"] == indicator]
    return rows.groupby("year")["value"].median().sort_index()


def line(ax: Axes, gid: str) -> Line2D:
    found = [artist for artist in ax.lines if artist.get_gid() == gid]
    assert len(found) == 1, [a.get_gid() for a in ax.lines]
    return found[0]


def texts(fig: Figure) -> str:
    """All text drawn on a figure: figure texts, titles, labels, annotations, legends."""
    parts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(parts)


def visible_axes(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.axison]


# ----------------------------------------------------------------------------- fan charts
def test_fan_chart_median_bands_observations_goal(
    trajectories: pd.DataFrame, observations: pd.DataFrame, scenario: Scenario
) -> None:
    goal = scenario.goals["national_hte"]
    fig = plot_fan(trajectories, "national_hte", observations, goal, source="zonesim · test")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    median = median_by_year(trajectories, "national_hte")
    drawn = line(ax, "median")
    np.testing.assert_allclose(drawn.get_xdata(), median.index.to_numpy())
    np.testing.assert_allclose(drawn.get_ydata(), median.to_numpy())
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    observed = observations[
        (observations["indicator"] == "national_hte") & (observations["aggregate"] == "value")
    ]
    points = line(ax, "observed")
    np.testing.assert_allclose(points.get_xdata(), observed["year"].to_numpy())
    np.testing.assert_allclose(points.get_ydata(), observed["value"].to_numpy())
    star = line(ax, "goal")
    assert list(star.get_xdata()) == [goal.year]
    assert list(star.get_ydata()) == [goal.target]
    assert ax.get_title(loc="left") == describe("national_hte").label
    assert "firms" in ax.get_ylabel()
    assert ax.get_xlabel() == "year"
    drawn_text = texts(fig)
    assert "2020 goal ≥ 20" in drawn_text
    assert "zonesim · test" in drawn_text
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "median" in legend
    assert "observed (A 2018)" in legend


def test_fan_chart_marks_the_range_of_approximate_figures(
    trajectories: pd.DataFrame, observations: pd.DataFrame
) -> None:
    fig = plot_fan(trajectories, "firms_in_carriers", observations)
    (ax,) = fig.axes
    observed = observations[
        (observations["indicator"] == "firms_in_carriers") & (observations["aggregate"] == "value")
    ]
    approx = observed[observed["approx"]]
    assert len(approx) >= 1
    ranges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(ranges) == 1
    segments = sorted(
        (float(s[0][0]), float(min(s[:, 1])), float(max(s[:, 1]))) for s in ranges[0].get_segments()
    )
    expected = sorted(
        (float(r.year), float(r.low), float(r.high)) for r in approx.itertuples(index=False)
    )
    np.testing.assert_allclose(np.array(segments), np.array(expected))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "observed (A 2018; B c. 2022)" in legend


def test_fan_chart_marks_a_published_pattern_over_its_years(
    trajectories: pd.DataFrame, observations: pd.DataFrame
) -> None:
    """A pattern averaged over years (patterns.yaml, aggregate 'mean') is a hatched box from
    its first to its last year (half a year either side), from its low to its high end."""
    patterns = observations_table(load_observations(SCENARIOS / "patterns.yaml"))
    figures = pd.concat([observations, patterns], ignore_index=True)
    pattern = figures[figures["indicator"] == "hte_share_incubated"]
    assert len(pattern) == 1 and pattern.iloc[0]["aggregate"] == "mean"
    fig = plot_fan(trajectories, "hte_share_incubated", figures)
    (ax,) = fig.axes
    boxes = [c for c in ax.collections if c.get_gid() == "pattern"]
    assert len(boxes) == 1
    row = pattern.iloc[0]
    vertices = boxes[0].get_paths()[0].vertices
    assert vertices[:, 0].min() == pytest.approx(row["year"] - 0.4)
    assert vertices[:, 0].max() == pytest.approx(row["to_year"] + 0.4)
    assert vertices[:, 1].min() == pytest.approx(row["low"])
    assert vertices[:, 1].max() == pytest.approx(row["high"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(text.startswith("published pattern") for text in legend)


def test_fan_chart_shows_yuan_in_millions(trajectories: pd.DataFrame) -> None:
    fig = plot_fan(trajectories, "grants_paid_yuan")
    (ax,) = fig.axes
    assert "million yuan" in ax.get_ylabel()
    median = median_by_year(trajectories, "grants_paid_yuan")
    np.testing.assert_allclose(line(ax, "median").get_ydata(), median.to_numpy() / 1e6)


def test_fan_overlay_has_one_median_per_scenario(
    trajectories: pd.DataFrame, compare_folder: Path, scenario: Scenario
) -> None:
    variant = pd.read_csv(compare_folder / "variant" / "trajectories.csv")
    runs = {"baseline": trajectories, "variant": variant}
    goal = scenario.goals["national_hte"]
    fig = plot_fan_overlay(runs, "national_hte", goal=goal)
    (ax,) = fig.axes
    for name, frame in runs.items():
        drawn = line(ax, f"median:{name}")
        assert drawn.get_label() == name
        np.testing.assert_allclose(
            drawn.get_ydata(), median_by_year(frame, "national_hte").to_numpy()
        )
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    colours = {line(ax, f"median:{n}").get_color() for n in runs}
    assert len(colours) == 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["baseline", "variant"]
    assert list(line(ax, "goal").get_ydata()) == [goal.target]


# ----------------------------------------------------------------------------- dashboard
def test_goal_dashboard_one_panel_per_modelled_goal(
    trajectories: pd.DataFrame, scenario: Scenario, run_folder: Path
) -> None:
    table = pd.read_csv(run_folder / "goals.csv")
    readings = scenario.goal_readings()  # one panel per reading of each modelled goal
    keys = {(goal_of(k), g.reading): k for k, g in readings.items()}
    goals = table.set_index(
        [[keys[pair] for pair in zip(table["goal"], table["reading"], strict=True)]]
    )
    modelled = {k: g for k, g in readings.items() if g.indicator is not None}
    assert len(modelled) > len([g for g in scenario.goals.values() if g.main.indicator])
    fig = plot_goal_dashboard({"baseline": trajectories}, scenario)
    axes = visible_axes(fig)
    assert len(axes) == len(modelled)
    for ax, (goal_id, goal) in zip(axes, modelled.items(), strict=True):
        target = line(ax, "target")
        factor = 1e6 if "yuan" in describe(goal.indicator or "").unit else 1.0
        assert list(target.get_xdata()) == pytest.approx([goal.target / factor] * 2)
        title = ax.get_title(loc="left")
        assert f"P(met) = {goals.loc[goal_id, 'p_met']:.2f}" in title
        heights = sum(p.get_height() for p in ax.patches)
        assert heights == len(pd.unique(trajectories["replication"]))
    footer = texts(fig)
    assert "Not modelled:" in footer
    for goal_id, goal in scenario.goal_readings().items():
        if goal.indicator is None:
            assert f"({goal_id})" in footer


def test_goal_dashboard_compares_scenarios(compare_folder: Path, scenario: Scenario) -> None:
    runs = {
        name: pd.read_csv(compare_folder / name / "trajectories.csv")
        for name in ("baseline", "variant")
    }
    table = pd.read_csv(compare_folder / "goal_comparison.csv").set_index("goal")
    fig = plot_goal_dashboard(runs, scenario)
    modelled = [k for k, g in scenario.goal_readings().items() if g.indicator is not None]
    for ax, goal_id in zip(visible_axes(fig), modelled, strict=True):
        title = ax.get_title(loc="left")
        assert f"baseline {table.loc[goal_id, 'p_met_base']:.2f}" in title
        assert f"variant {table.loc[goal_id, 'p_met']:.2f}" in title
        colours = {tuple(p.get_facecolor()[:3]) for p in ax.patches}
        assert len(colours) == 2
    assert {"baseline", "variant"} <= set(texts(fig).split("\n"))


def test_comparison_dashboard_is_bars_of_each_scenarios_chance(compare_folder: Path) -> None:
    """The comparison's goal dashboard: one bar per goal reading and scenario, as long as its
    P(met) in goal_comparison.csv (the reference's from p_met_base), with the thresholds."""
    from sim.plots.dashboard import plot_goal_chances

    table = pd.read_csv(compare_folder / "goal_comparison.csv")
    fig = plot_goal_chances(table, ["baseline", "variant"], 4)
    (ax,) = fig.axes
    widths = {
        name: [
            bar.get_width()
            for container in ax.containers
            if container.get_label() == name
            for bar in container
        ]
        for name in ("baseline", "variant")
    }
    assert widths["baseline"] == pytest.approx(table["p_met_base"].tolist())
    assert widths["variant"] == pytest.approx(table["p_met"].tolist())
    thresholds = sorted(
        line.get_xdata()[0] for line in ax.lines if "threshold" in str(line.get_gid())
    )
    assert thresholds == [0.2, 0.8]


# ----------------------------------------------------------------------------- funnel
def test_funnel_bars_are_medians_of_summed_flows(trajectories: pd.DataFrame) -> None:
    fig = plot_funnel(trajectories)
    (ax,) = fig.axes
    names = [n for n in (*PROGRESS, *LOSSES) if (trajectories["indicator"] == n).any()]
    rows = trajectories[trajectories["indicator"].isin(names)]
    totals = rows.groupby(["indicator", "replication"])["value"].sum()
    expected = [float(totals[name].median()) for name in names]
    widths = [bar.get_width() for container in ax.containers for bar in container]
    assert widths == pytest.approx(expected)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [describe(n).label for n in names]
    drawn = texts(fig)
    assert f"{expected[0]:,.0f}" in drawn
    assert "Stages reached" in drawn and "Lost or leaving" in drawn


# ----------------------------------------------------------------------------- carriers
def test_carriers_panels_show_median_area(trajectories: pd.DataFrame, scenario: Scenario) -> None:
    fig = plot_carriers(trajectories, scenario)
    assert len(fig.axes) == len(scenario.carriers) + 1
    for ax, (carrier_id, carrier) in zip(fig.axes, scenario.carriers.items(), strict=False):
        assert ax.get_title(loc="left").replace("\n", " ") == carrier.name
        occupied = median_by_year(trajectories, f"carrier_occupied_m2.{carrier_id}")
        area = median_by_year(trajectories, f"carrier_area_m2.{carrier_id}")
        np.testing.assert_allclose(line(ax, f"occupied:{carrier_id}").get_ydata(), occupied)
        np.testing.assert_allclose(line(ax, f"available:{carrier_id}").get_ydata(), area)
    queue = fig.axes[-1]
    np.testing.assert_allclose(
        line(queue, "waiting").get_ydata(), median_by_year(trajectories, "waiting")
    )
    np.testing.assert_allclose(
        line(queue, "turned_away").get_ydata(), median_by_year(trajectories, "turned_away")
    )


# ----------------------------------------------------------------------------- survival
def test_survival_steps_follow_the_table(run_folder: Path) -> None:
    survival = pd.read_csv(run_folder / "survival.csv")
    fig = plot_survival(survival)
    (ax,) = fig.axes
    for outcome, curve in survival.groupby("outcome"):
        drawn = line(ax, f"survival:{outcome}")
        assert drawn.get_drawstyle() == "steps-post"
        np.testing.assert_allclose(drawn.get_xdata(), curve["time_years"].to_numpy())
        np.testing.assert_allclose(drawn.get_ydata(), curve["survival"].to_numpy())
    assert ax.get_ylabel() == "share still in incubation without that event"
    assert ax.get_xlabel() == "years since entering incubation"
    assert "Kaplan–Meier, in-house; competing outcomes censored" in texts(fig)


# ----------------------------------------------------------------------------- folders
def test_plot_run_writes_every_plot_deterministically(
    run_folder: Path, scenario: Scenario, tmp_path: Path
) -> None:
    import matplotlib.pyplot as plt

    folder = shutil.copytree(run_folder, tmp_path / "run")
    paths = plot_run(folder)
    goal_indicators = {g.indicator for g in scenario.goal_readings().values() if g.indicator}
    expected = {f"fan_{name}.png" for name in goal_indicators | set(FAN_EXTRAS)}
    expected |= {"goal_dashboard.png", "funnel.png", "carriers.png", "survival.png"}
    assert {p.name for p in paths} == expected
    assert {p.name for p in (folder / "plots").iterdir()} == expected
    first = {p.name: p.read_bytes() for p in paths}
    assert all(data.startswith(PNG_MAGIC) for data in first.values())
    assert all(len(data) > 10_000 for data in first.values())
    again = plot_run(folder)
    assert {p.name: p.read_bytes() for p in again} == first
    assert plt.get_fignums() == []  # nothing registered with pyplot


def test_plot_comparison_writes_overlays_and_dashboard(
    compare_folder: Path, scenario: Scenario, tmp_path: Path
) -> None:
    folder = shutil.copytree(compare_folder, tmp_path / "comparison")
    paths = plot_comparison(folder)
    goal_indicators = {g.indicator for g in scenario.goal_readings().values() if g.indicator}
    expected = {f"overlay_{name}.png" for name in goal_indicators} | {"goal_dashboard.png"}
    assert {p.name for p in paths} == expected
    assert all(p.parent == folder / "plots" for p in paths)
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in paths)
