"""The baseline against the published patterns of scenarios/patterns.yaml (pattern-oriented
modelling): every pattern's simulated mean inside its range, and the bounds the scenario states
(the zone's share of the city's patents, the modelled revenue) held in every year."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.calibration import simulated_values
from sim.experiment.runner import run_replications
from sim.scenario.observations import load_observations, observations_table
from tests.helpers import SCENARIOS, baseline_data, scenario_from

REPLICATIONS = 12


@pytest.fixture(scope="module")
def baseline():
    scenario = scenario_from(baseline_data())
    return scenario, run_replications(scenario, REPLICATIONS, 2018).trajectories


@pytest.mark.validation(
    group="fit to published patterns",
    check="every pattern of scenarios/patterns.yaml inside its range",
    asserts=(
        "the baseline's simulated mean (over replications, and over the pattern's years where "
        "it spans several) of each pattern lies inside the range the sources allow: incubator "
        "graduation, failure, HTE and tech-SME shares and revenue per firm (Torch Centre, "
        "Jiangsu, Xinxiang, SAIC), the zone's HTE count in 2021 (city and provincial pace), its "
        "share of the city's patents and their invention share, the revenue bound in 2030"
    ),
    tolerance="range of each pattern (12 replications)",
)
def test_every_pattern_is_inside_its_range(baseline, measured):
    _, trajectories = baseline
    patterns = observations_table(load_observations(SCENARIOS / "patterns.yaml"))
    assert len(patterns) >= 9
    simulated = simulated_values(trajectories, patterns, REPLICATIONS)
    misses = []
    for row, values in zip(patterns.itertuples(index=False), simulated, strict=True):
        assert np.isfinite(values).all(), row.indicator
        mean = float(values.mean())
        years = f"{row.year}" + (f"-{int(row.to_year)}" if row.to_year == row.to_year else "")
        measured(f"{row.indicator} {years}: {mean:.4g} in [{row.low:.4g}, {row.high:.4g}]")
        if not row.low <= mean <= row.high:
            misses.append((row.indicator, mean, row.low, row.high))
    assert not misses, misses


@pytest.mark.validation(
    group="fit to published patterns",
    check="stated bounds hold in every year",
    asserts=(
        "in every simulated year the mean zone share of the city's patents granted stays at "
        "most patents.city.max_zone_share and the mean revenue of the modelled firms at most "
        "firms.revenue.zone_revenue_bound_yuan"
    ),
    tolerance="exact (means over 12 replications)",
)
def test_the_scenario_bounds_hold_every_year(baseline, measured):
    scenario, trajectories = baseline
    by_year = trajectories.groupby(["indicator", "year"])["value"].mean()
    share = by_year["zone_share_of_city_patents"]
    revenue = by_year["revenue_yuan"]
    assert len(share) == scenario.horizon.end_year - scenario.horizon.start_year
    bound = scenario.firms.revenue.zone_revenue_bound_yuan
    measured(
        f"largest share of the city's patents {share.max():.3f} ({share.idxmax()}), bound "
        f"{scenario.patents.city.max_zone_share}; largest revenue {revenue.max() / 1e9:.1f} B "
        f"yuan ({revenue.idxmax()}), bound {bound / 1e9:.0f} B"
    )
    assert share.max() <= scenario.patents.city.max_zone_share
    assert revenue.max() <= bound
    # bounded growth: the revenue of the modelled firms grows more slowly as they mature
    growth = revenue.pct_change().dropna()
    assert growth.iloc[-3:].mean() < growth.iloc[2:5].mean()
