"""Simulated observations of points on chosen random streams (what posterior calibration
runs): the figures are those of the replications themselves, and stored points are reused."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.experiment.observe import Observer, observed_value
from sim.experiment.runner import run_one
from sim.results.units import UnitStore
from sim.scenario.space import load_space
from sim.studies.common import prepare
from tests.helpers import short_scenario

LOANS = "funding.loans.loans_per_institution_per_year"
FIGURES = pd.DataFrame(
    {
        "indicator": ["firms_in_carriers", "loans_yuan", "loans_yuan"],
        "year": [2021, 2020, 2020],
        "to_year": [np.nan, 2021, 2021],
        "aggregate": ["value", "sum", "mean"],
    }
)


def test_observed_value_takes_the_year_or_sums_or_averages_a_span() -> None:
    values = {("x", 2020): 1.0, ("x", 2021): 3.0}
    assert observed_value(values, "x", 2021, 2021, "value") == 3.0
    assert observed_value(values, "x", 2020, 2021, "sum") == 4.0
    assert observed_value(values, "x", 2020, 2021, "mean") == 2.0
    assert math.isnan(observed_value(values, "y", 2020, 2020, "value"))
    assert observed_value(values, "y", 2020, 2021, "sum") == 0.0


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    folder = tmp_path_factory.mktemp("observe")
    scenario = short_scenario(folder, "observe", 2022)
    file = folder / "space.yaml"
    file.write_text(
        f"parameters:\n  {LOANS}: {{kind: uncertain, low: 0.15, high: 2.5, scale: log}}\n",
        encoding="utf-8",
    )
    setup = prepare(scenario, file, "uncertain")
    return load_space(file, setup.tree)


def test_each_point_runs_its_own_streams_and_reports_the_replications_figures(space) -> None:
    observer = Observer(space, FIGURES, root_seed=9, end_year=2022)
    points = [{LOANS: 0.3}, {LOANS: 1.5}]
    out = observer(points, [[0, 4], [4, 7]])
    assert out.shape == (2, 3, 2)
    for n, (point, streams) in enumerate(zip(points, [[0, 4], [4, 7]], strict=True)):
        scenario = space.scenario(point, end_year=2022)
        for r, stream in enumerate(streams):
            records = run_one(scenario, stream, 9).trajectory
            values = {(name, year): value for year, name, value in records}
            loans = values[("loans_yuan", 2020)] + values[("loans_yuan", 2021)]
            assert out[n, 0, r] == values[("firms_in_carriers", 2021)]
            assert out[n, 1, r] == pytest.approx(loans)
            assert out[n, 2, r] == pytest.approx(loans / 2)
    assert observer.replications == 4 and observer.evaluations == 2
    # more loans per institution: more lent on the same stream (common random numbers)
    assert out[1, 1, 0] > out[0, 1, 1]


def test_stored_points_are_reused_not_run_again(space, tmp_path) -> None:
    identity = {"test": "observe"}
    first = Observer(space, FIGURES, 9, 2022, store=UnitStore(tmp_path, identity, False))
    before = first([{LOANS: 0.5}], [[1, 2]])
    again = Observer(space, FIGURES, 9, 2022, store=UnitStore(tmp_path, identity, True))
    after = again([{LOANS: 0.5}, {LOANS: 0.5}], [[1, 2], [2, 3]])
    assert np.array_equal(after[0], before[0])
    assert again.evaluations == 1 and again.replications == 2  # only the new streams ran
