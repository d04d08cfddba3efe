"""The baseline against the observed figures of the sources (an in-sample check: the values
marked *calibrated* in the baseline were tuned by hand to the c. 2022 figures)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.runner import run_replications
from sim.scenario.observations import load_observations
from tests.helpers import SCENARIOS, baseline_data, scenario_from

REPLICATIONS = 12


@pytest.fixture(scope="module")
def trajectories():
    data = baseline_data()
    data["horizon"] = {"start_year": 2018, "end_year": 2022}
    return run_replications(scenario_from(data), REPLICATIONS, 2018).trajectories


@pytest.mark.validation(
    group="fit to observations (in-sample)",
    check="2018 and c. 2022 figures inside the simulated 90 % band",
    asserts=(
        "every observed figure of scenarios/observations.yaml (its range where the source says "
        "余/近: e.g. 700-799 firms and teams) overlaps the 5-95 % band of the baseline's "
        "simulated values in its year (summed over its years for flows)"
    ),
    tolerance="band overlap (12 replications)",
)
def test_observed_figures_fall_in_the_simulated_band(trajectories, measured):
    observations = load_observations(SCENARIOS / "observations.yaml").observations
    misses = []
    for obs in observations:
        rows = trajectories[trajectories["indicator"] == obs.indicator]
        last = obs.to_year if obs.to_year is not None else obs.year
        rows = rows[rows["year"].between(obs.year, last)]
        values = rows.groupby("replication")["value"].sum().to_numpy()
        assert len(values) == REPLICATIONS, obs.indicator
        p05, p95 = np.percentile(values, [5, 95])
        low = obs.value if obs.low is None else obs.low
        high = obs.value if obs.high is None else obs.high
        inside = high >= p05 and low <= p95
        measured(
            f"{obs.indicator} {obs.year}{'-' + str(obs.to_year) if obs.to_year else ''}: "
            f"observed {low:,.0f}–{high:,.0f}, simulated {p05:,.0f}–{p95:,.0f}"
        )
        if not inside:
            misses.append((obs.indicator, obs.year, (low, high), (p05, p95)))
    assert not misses, misses
