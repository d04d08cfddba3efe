"""Simulation-based calibration of history matching on the model itself.

K synthetic data sets: for each, parameters drawn from the prior (uniform on the space's unit
cube), and the observations are one replication of the model at them (streams no calibration
run uses). History matching then runs on the same observations as if they were the zone's.
The known parameters should fall inside the 90 % posterior interval in about 90 % of cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.posterior import history_match
from sim.experiment.observe import Observer
from sim.scenario.space import Space, combine, load_space
from sim.studies.common import prepare
from tests.helpers import short_scenario

LOANS = "funding.loans.loans_per_institution_per_year"
MAKERS = "arrivals.origins.maker_team.rate_per_year"
#: What the synthetic zone reports (end of 2021): the carriers' occupancy, the tech loans of
#: 2020-2021, and maker projects.
TARGETS = [
    ("firms_in_carriers", 2021, None, "value"),
    ("maker_projects", 2021, None, "value"),
    ("loans_yuan", 2020, 2021, "sum"),
]
K = 10
#: The synthetic zone's replication (stream) index: far from the calibration's 0..R-1.
TRUTH_STREAM = 10_000


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> tuple[Space, int]:
    folder = tmp_path_factory.mktemp("sbc")
    scenario = short_scenario(folder, "sbc", 2022)
    file = folder / "space.yaml"
    file.write_text(
        "parameters:\n"
        f"  {LOANS}: {{kind: uncertain, low: 0.15, high: 2.5, scale: log}}\n"
        f"  {MAKERS}: {{kind: uncertain, low: 80, high: 400, scale: log}}\n",
        encoding="utf-8",
    )
    setup = prepare(scenario, file, "uncertain")
    return combine([load_space(file, setup.tree)]), 2021


def table(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [t[0] for t in TARGETS],
            "year": [t[1] for t in TARGETS],
            "to_year": [np.nan if t[2] is None else t[2] for t in TARGETS],
            "aggregate": [t[3] for t in TARGETS],
            "value": values,
            "low": values,
            "high": values,
            "tolerance": 0.0,
        }
    )


@pytest.fixture(scope="module")
def calibrations(space) -> list[tuple[dict[str, float], pd.DataFrame]]:
    space, end_year = space
    out = []
    template = table(np.zeros(len(TARGETS)))
    for k in range(K):
        truth = space.values(np.random.default_rng([11, k]).random(space.dimension))
        root_seed = 500 + k  # each data set its own common random numbers
        observer = Observer(space, template, root_seed, end_year)
        observed = observer([truth], [[TRUTH_STREAM]])[0, :, 0]
        post = history_match(
            space,
            table(observed),
            observer,
            seed=k,
            waves=2,
            points=12,
            replications=4,
            draws=300,
        )
        out.append((truth, post.intervals()))
    return out


@pytest.mark.validation(
    group="validation: calibration",
    check="simulation-based calibration of history matching",
    asserts=f"the known parameters of {K} synthetic zones (2 parameters each: loans per "
    "institution, maker arrivals) lie inside the 90 % posterior interval in about 90 % of "
    "cases",
    tolerance=f"at least 15 of {2 * K} intervals (P = 0.011 of fewer at a true 90 %)",
)
def test_history_matching_recovers_known_parameters(calibrations, measured) -> None:
    hits = [
        row.interval_low <= truth[row.parameter] <= row.interval_high
        for truth, intervals in calibrations
        for row in intervals.itertuples()
    ]
    found = float(np.mean(hits))
    # binomial(20, 0.9): P(X <= 14) = 0.011; the interval of the coverage found (Wilson 90 %)
    n = len(hits)
    z = 1.645
    centre = (found + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(found * (1 - found) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    measured(
        f"coverage {sum(hits)}/{n} = {found:.2f} (90 % interval {centre - half:.2f}–"
        f"{centre + half:.2f})"
    )
    assert sum(hits) >= 15, hits
    narrowed = [row.narrowed_to for _, iv in calibrations for row in iv.itertuples()]
    loans = [
        row.narrowed_to
        for _, iv in calibrations
        for row in iv.itertuples()
        if row.parameter == LOANS
    ]
    measured(f"median width of the loans interval {np.median(loans):.2f} of the prior's")
    assert np.median(loans) < 0.5  # the loans observed pin the loan rate
    assert max(narrowed) <= 1.0
