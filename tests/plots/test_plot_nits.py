"""The nits of issue 'A house to live in': funnel order, observed totals over years on fan
charts, goal and target labels that cover nothing, readable parameter labels, a trade-off line
that agrees with its star, and the sensitivity plot's caution note."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from sim.indicators import describe
from sim.plots import plot_fan, plot_funnel, plot_goal_dashboard
from sim.plots.dashboard import LINE_TOP
from sim.plots.fan import observed_sources, plot_fan_overlay, sum_spans
from sim.plots.style import figure_png
from sim.plots.tuning import (
    best_up_to,
    plot_heatmap,
    plot_sensitivity,
    plot_tradeoff,
    readable_key,
)
from sim.scenario.schema import Scenario

LOANS_TOTAL = 34_500_000.0  # scenarios/observations.yaml: loans_yuan, 2020-2021, sum
GRANTS_TOTAL = 37_000_000.0  # a total of one programme's grants, 2020-2022 (added below)


# ----------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def trajectories(run_folder: Path) -> pd.DataFrame:
    return pd.read_csv(run_folder / "trajectories.csv")


@pytest.fixture(scope="module")
def observations(run_folder: Path) -> pd.DataFrame:
    """The run's observed figures, and one total of a part (one grant programme) over three
    years, which the shipped files no longer observe."""
    observed = pd.read_csv(run_folder / "observations.csv")
    part = observed.iloc[[0]].assign(
        indicator="grants_paid_yuan.carrier_project",
        year=2020,
        to_year=2022,
        value=GRANTS_TOTAL,
        low=36_500_000.0,
        high=GRANTS_TOTAL,
        approx=True,
        aggregate="sum",
        source="carrier project total 2020–2022",
    )
    return pd.concat([observed, part], ignore_index=True)


@pytest.fixture(scope="module")
def scenario(run_folder: Path) -> Scenario:
    with (run_folder / "scenario.json").open(encoding="utf-8") as handle:
        return Scenario.model_validate(json.load(handle))


def texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def lines(ax: Axes, gid: str) -> list[Line2D]:
    return [line for line in ax.lines if line.get_gid() == gid]


def renderer_of(fig: Figure) -> object:
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return canvas.get_renderer()


def overlap(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, width) * max(0.0, height)


# ----------------------------------------------------------------------------- 1. funnel
def test_funnel_lists_the_stages_top_down_in_the_order_of_the_flow(
    trajectories: pd.DataFrame,
) -> None:
    fig = plot_funnel(trajectories)
    (ax,) = fig.axes
    renderer_of(fig)
    ticks = list(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True))
    # top of the figure first: largest display y first
    shown = [
        label
        for y, label in sorted(ticks, key=lambda item: -ax.transData.transform((0, item[0]))[1])
    ]
    assert shown[0] == describe("arrivals").label
    assert shown[1] == describe("admitted").label
    assert shown.index(describe("graduations").label) > shown.index(describe("admitted").label)
    assert "admissions can exceed arrivals" in texts(fig)


# ----------------------------------------------------------------------------- 2. totals
def test_sum_spans_take_the_indicator_and_its_parts(observations: pd.DataFrame) -> None:
    loans = sum_spans(observations, "loans_yuan")
    assert list(loans["value"]) == [LOANS_TOTAL]
    assert (int(loans["year"][0]), int(loans["to_year"][0])) == (2020, 2021)
    grants = sum_spans(observations, "grants_paid_yuan")
    assert list(grants["indicator"]) == ["grants_paid_yuan.carrier_project"]
    assert sum_spans(observations, "grants_paid").empty  # a prefix is not a part
    assert "B c. 2022" in observed_sources(observations, "loans_yuan")


@pytest.mark.parametrize(
    ("indicator", "total", "first", "last", "words"),
    [
        ("loans_yuan", LOANS_TOTAL, 2020, 2021, "34.5 M yuan"),
        ("grants_paid_yuan", GRANTS_TOTAL, 2020, 2022, "carrier project total 2020–2022: ≈ 37"),
    ],
)
def test_fan_chart_marks_a_total_observed_over_years(
    trajectories: pd.DataFrame,
    observations: pd.DataFrame,
    indicator: str,
    total: float,
    first: int,
    last: int,
    words: str,
) -> None:
    fig = plot_fan(trajectories, indicator, observations)
    (ax,) = fig.axes
    (bar,) = lines(ax, "observed_sum")
    years = last - first + 1
    # drawn per year (millions of yuan) over the years it covers
    np.testing.assert_allclose(bar.get_ydata(), [total / 1e6 / years] * 2)
    assert min(bar.get_xdata()) < first and max(bar.get_xdata()) > last
    legend = "\n".join(t.get_text() for t in ax.get_legend().get_texts())
    assert words in legend
    assert "simulated median total" in legend
    overlay = plot_fan_overlay({"a": trajectories, "b": trajectories}, indicator, observations)
    assert len(lines(overlay.axes[0], "observed_sum")) == 1


def test_fan_chart_with_totals_is_byte_stable(
    trajectories: pd.DataFrame, observations: pd.DataFrame
) -> None:
    first = figure_png(plot_fan(trajectories, "loans_yuan", observations))
    assert figure_png(plot_fan(trajectories, "loans_yuan", observations)) == first


# ----------------------------------------------------------------------------- 3. labels
def teams_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reported case: high-level teams 2018-2030, the goal of 36 in 2020 and the c. 2022
    figure '30余' (30 to 39) in 2021 just right of it."""
    years = np.arange(2018, 2031)
    frames = [
        pd.DataFrame(
            {
                "replication": r,
                "year": years,
                "indicator": "high_level_teams",
                "value": 26.0 + (1.2 + 0.1 * r) * (years - 2018),
            }
        )
        for r in range(5)
    ]
    observed = pd.DataFrame(
        [
            ("high_level_teams", 2018, None, 26.0, 26.0, 26.0, False, "value", "A (2018): 26"),
            ("high_level_teams", 2021, None, 30.0, 30.0, 39.0, True, "value", "B (c. 2022): 30余"),
        ],
        columns=["indicator", "year", "to_year", "value", "low", "high", "approx", "aggregate"]
        + ["source"],
    )
    return pd.concat(frames, ignore_index=True), observed


def goal_label_cases(
    trajectories: pd.DataFrame, observations: pd.DataFrame, scenario: Scenario
) -> list[tuple[str, Figure]]:
    cases = []
    for indicator in ("high_level_teams", "national_hte", "incubators"):
        goal = next(g for g in scenario.goal_readings().values() if g.indicator == indicator)
        cases.append((indicator, plot_fan(trajectories, indicator, observations, goal)))
    synthetic, observed = teams_case()
    goal = scenario.goals["high_level_teams"].main
    cases.append(("reported", plot_fan(synthetic, "high_level_teams", observed, goal)))
    overlay = plot_fan_overlay({"a": synthetic, "b": synthetic}, "high_level_teams", observed, goal)
    cases.append(("overlay", overlay))
    return cases


def test_goal_label_covers_no_observed_figure(
    trajectories: pd.DataFrame, observations: pd.DataFrame, scenario: Scenario
) -> None:
    for indicator, fig in goal_label_cases(trajectories, observations, scenario):
        (ax,) = fig.axes
        renderer = renderer_of(fig)
        (label,) = [t for t in ax.texts if t.get_gid() == "goal_label"]
        box = label.get_window_extent(renderer)
        assert label.get_bbox_patch() is not None  # on a white box
        assert overlap(box, ax.get_window_extent(renderer)) == pytest.approx(box.width * box.height)
        (points,) = lines(ax, "observed")
        for x, y in points.get_transform().transform(points.get_xydata()):
            assert not box.contains(x, y), indicator
        for collection in ax.collections:
            if collection.get_gid() == "observed_range":
                for segment in collection.get_segments():
                    whisker = Bbox(collection.get_transform().transform(segment))
                    assert overlap(box, whisker.padded(2.0)) == 0.0, indicator
        for text in ax.texts:
            if text is not label and text.get_text():
                assert overlap(box, text.get_window_extent(renderer)) == 0.0, indicator


def test_dashboard_target_lines_stop_below_their_labels(
    trajectories: pd.DataFrame, scenario: Scenario
) -> None:
    fig = plot_goal_dashboard({"baseline": trajectories}, scenario)
    renderer = renderer_of(fig)
    panels = [ax for ax in fig.axes if ax.axison]
    assert panels
    for ax in panels:
        (target,) = lines(ax, "target")
        assert max(target.get_ydata()) == pytest.approx(LINE_TOP)
        top = ax.transAxes.transform((0, max(target.get_ydata())))[1]
        (label,) = [t for t in ax.texts if t.get_gid() == "target_label"]
        assert label.get_window_extent(renderer).y0 > top
        assert label.get_bbox_patch() is not None
        tallest = max(p.get_height() for p in ax.patches if p.get_gid())
        assert tallest <= LINE_TOP * ax.get_ylim()[1]


# ----------------------------------------------------------------------------- 4. keys
@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("carriers.chuangji_zhigu.capacity_firms", "chuangji zhigu: capacity firms"),
        ("carriers.entrepreneurship_center.area_m2", "entrepreneurship center: area (m²)"),
        ("arrivals.origins.maker_team.rate_per_year", "maker team: rate (per year)"),
        (
            "funding.pools.higher_level_support.yearly.amount_yuan",
            "higher level support: amount (yuan)",
        ),
        ("patents.filing_subsidy_yuan", "patents: filing subsidy (yuan)"),
        ("plain", "plain"),
    ],
)
def test_readable_key(key: str, label: str) -> None:
    assert readable_key(key) == label


KEYS = [
    "carriers.chuangji_zhigu.capacity_firms",
    "arrivals.origins.maker_team.rate_per_year",
    "funding.loans.loans_per_institution_per_year",
]


def sobol_indices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parameter": KEYS,
            "S1": [0.5, 0.2, 0.05],
            "S1_conf": [0.1, 0.1, 0.05],
            "ST": [0.6, 0.3, 0.1],
            "ST_conf": [0.1, 0.1, 0.05],
        }
    )


def test_sensitivity_and_heatmap_axes_show_no_dotted_keys() -> None:
    fig = plot_sensitivity(sobol_indices(), "sobol", "national_hte@2020")
    shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert shown and all("." not in s and s for s in shown)
    assert "chuangji zhigu: capacity firms" in shown
    morris = pd.DataFrame(
        {
            "parameter": KEYS,
            "mu_star": [3.0, 2.0, 1.0],
            "mu_star_conf": [1.0] * 3,
            "sigma": [1.0] * 3,
        }
    )
    fig = plot_sensitivity(morris, "morris", "national_hte@2020", labels={KEYS[0]: "room"})
    assert "room" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    fig = plot_heatmap(
        np.array([1.2, 4.6]),
        np.array([18000.0, 40000.0]),
        np.array([[0.1, 0.2], [0.3, 0.4]]),
        "arrivals.origins.high_level_team.rate_per_year",
        "carriers.entrepreneurship_center.area_m2",
        "p_all",
    )
    ax = fig.axes[0]
    assert "." not in ax.get_xlabel() and "." not in ax.get_ylabel()
    assert ax.get_ylabel() == "entrepreneurship center: area (m²)"
    assert "18,000" in [t.get_text() for t in ax.get_yticklabels()]


# ----------------------------------------------------------------------------- 5. tradeoff
def tune_trials() -> tuple[pd.DataFrame, dict]:
    """A tune like 'baseline, goals national_hte and high_level_teams': the search finds only
    dear candidates; polish finds a cheap one; validation re-estimates it (the star)."""
    rows = [
        # trial, stage, lever, cost, replications, p_all
        (0, "search", 0.0, -4.0e6, 10, 0.0),
        (1, "search", 1.0, 115.7e6, 10, 0.9),
        (2, "search", 0.6, 41.9e6, 10, 1.0),
        (3, "search", 0.5, 35.5e6, 10, 0.9),
        (4, "confirm", 0.5, 35.5e6, 40, 0.9),
        (5, "polish", 0.05, 4.2e6, 40, 0.0),
        (6, "polish", 0.07, 4.98e6, 40, 0.775),
        (7, "polish", 0.08, 5.29e6, 40, 0.85),  # on the replications that selected it
        (8, "validate", 0.08, 5.29e6, 40, 0.8),  # on fresh ones: the star
    ]
    trials = pd.DataFrame(
        rows, columns=["trial", "stage", "a.lever_yuan", "cost_yuan", "replications", "p_all"]
    )
    trials["p_goal"] = trials["p_all"]
    trials["feasible"] = trials["p_all"] >= 0.8
    best = {
        "cost_yuan": 5.29e6,
        "p_all": 0.8,
        "p_all_low": 0.68,
        "p_all_high": 0.88,
        "replications": 40,
        "trial": 8,
    }
    return trials, best


def test_tradeoff_running_best_meets_the_star() -> None:
    trials, best = tune_trials()
    assert best_up_to(trials, best["cost_yuan"]) == pytest.approx(best["p_all"])
    fig = plot_tradeoff(trials, 0.8, best, "baseline")
    ax = fig.axes[0]
    (step,) = lines(ax, "running_best")
    xs, ys = np.asarray(step.get_xdata(), float), np.asarray(step.get_ydata(), float)
    at = int(np.searchsorted(xs, best["cost_yuan"] / 1e6, side="right")) - 1
    assert at >= 0
    assert ys[at] == pytest.approx(best["p_all"])
    assert "different estimates" in texts(fig)
    assert figure_png(plot_tradeoff(trials, 0.8, best, "baseline")) == figure_png(fig)


def test_tradeoff_without_an_answer() -> None:
    trials, _ = tune_trials()
    search = trials[trials["stage"] == "search"]
    fig = plot_tradeoff(search, 0.95, None)
    (step,) = lines(fig.axes[0], "running_best")
    assert max(step.get_ydata()) == pytest.approx(1.0)


# ----------------------------------------------------------------------------- 6. notes
def test_sensitivity_prints_the_analysis_warnings() -> None:
    warning = "Sobol base sample 8 < 256: indices are unstable (use --samples 256 or more)"
    fig = plot_sensitivity(sobol_indices(), "sobol", "national_hte@2020", notes=[warning])
    drawn = texts(fig)
    assert "Caution:" in drawn and "indices are unstable" in drawn
    assert [t for t in fig.texts if t.get_gid() == "notes"]
    quiet = plot_sensitivity(sobol_indices(), "sobol", "national_hte@2020")
    assert "Caution:" not in texts(quiet)
    assert figure_png(
        plot_sensitivity(sobol_indices(), "sobol", "national_hte@2020", notes=[warning])
    ) == figure_png(fig)
