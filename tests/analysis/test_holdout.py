"""Scoring held-out figures (sim.analysis.holdout) on hand-made trajectories: the simulated
band is the 5th to 95th percentile over the replications of the figure's aggregate; a figure is
held when that band overlaps its range; figures the run cannot score count nowhere."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.holdout import NOT_RECORDED, SCORE_COLUMNS, coverage, score_holdout
from sim.scenario.holdout import HeldOut, holdout_table

REPLICATIONS = 20
REPS = np.arange(REPLICATIONS)


def trajectories() -> pd.DataFrame:
    """national_hte (stock) = replication in 2020; hte_certified (flow) = replication + k in
    2020 + k (k = 0, 1, 2); rd_intensity = 0.01 * (replication + k) in the same years."""
    rows = [(r, 2020, "national_hte", float(r)) for r in REPS]
    for k in range(3):
        rows += [(r, 2020 + k, "hte_certified", float(r + k)) for r in REPS]
        rows += [(r, 2020 + k, "rd_intensity", 0.01 * (r + k)) for r in REPS]
    return pd.DataFrame(rows, columns=["replication", "year", "indicator", "value"])


def figure(indicator: str, year: int, low: float, high: float, **more: object) -> dict:
    return {
        "indicator": indicator,
        "year": year,
        "geography": "zone",
        "value": high,
        "low": low,
        "high": high,
        "words": "原文",
        "source": f"source of {indicator}",
        **more,
    }


def held_out(*figures: dict) -> HeldOut:
    return HeldOut.model_validate({"zone": "z", "held_out": list(figures)})


def test_a_band_overlapping_the_range_is_held_and_one_beside_it_is_not() -> None:
    table = score_holdout(
        trajectories(), held_out(figure("national_hte", 2020, 18, 40)), REPLICATIONS
    )
    assert list(table.columns) == SCORE_COLUMNS
    row = table.iloc[0]
    assert row.sim_low == pytest.approx(0.95)  # values 0..19: band 0.95-18.05
    assert row.sim_median == pytest.approx(9.5)
    assert row.sim_high == pytest.approx(18.05)
    assert row.held is True  # the band reaches 18
    assert row.share_inside == pytest.approx(2 / 20)  # values 18 and 19 of 0..19
    assert (row.geography, row.source, row.note) == ("zone", "source of national_hte", "")
    assert coverage(table) == (1, 1)
    for low, high in ((18.1, 40), (0, 0.9)):  # above the band, below it
        table = score_holdout(
            trajectories(), held_out(figure("national_hte", 2020, low, high)), REPLICATIONS
        )
        assert table.iloc[0].held is False, (low, high)
        assert coverage(table) == (0, 1)


def test_a_city_bound_is_held_unless_the_whole_band_is_above_it() -> None:
    bound = {**figure("national_hte", 2020, 0, 18), "geography": "city_bound"}
    table = score_holdout(trajectories(), held_out(bound), REPLICATIONS)
    assert table.iloc[0].held is True and table.iloc[0].geography == "city_bound"
    bound = {**figure("national_hte", 2020, 0, 0.5), "geography": "city_bound"}
    assert score_holdout(trajectories(), held_out(bound), REPLICATIONS).iloc[0].held is False


def test_sum_and_mean_aggregate_each_replication_over_the_years() -> None:
    figures = held_out(
        figure("hte_certified", 2020, 0, 100, to_year=2022, aggregate="sum"),
        figure("rd_intensity", 2020, 0.5, 1.0, to_year=2022, aggregate="mean"),
        figure("hte_certified", 2021, 0, 100, to_year=2022, aggregate="sum"),
    )
    table = score_holdout(trajectories(), figures, REPLICATIONS)
    sums = 3 * REPS + 3  # r + (r + 1) + (r + 2)
    means = 0.01 * (REPS + 1)
    later = 2 * REPS + 3  # 2021-2022 only
    for row, values in zip(table.itertuples(), (sums, means, later), strict=True):
        assert row.sim_low == pytest.approx(np.quantile(values, 0.05))
        assert row.sim_median == pytest.approx(np.median(values))
        assert row.sim_high == pytest.approx(np.quantile(values, 0.95))
        assert row.to_year == 2022
    assert table["held"].tolist() == [True, False, True]  # means reach 0.2 only
    assert coverage(table) == (2, 3)


def test_the_level_sets_the_band() -> None:
    figures = held_out(figure("national_hte", 2020, 16, 40))
    assert score_holdout(trajectories(), figures, REPLICATIONS).iloc[0].held is True
    narrow = score_holdout(trajectories(), figures, REPLICATIONS, level=0.5).iloc[0]
    assert (narrow.sim_low, narrow.sim_high) == pytest.approx((4.75, 14.25))
    assert narrow.held is False
    with pytest.raises(ValueError, match="level"):
        score_holdout(trajectories(), figures, REPLICATIONS, level=1.0)


def test_a_figure_the_run_did_not_record_is_not_scored_nor_counted() -> None:
    figures = held_out(
        figure("national_hte", 2020, 0, 40),
        {**figure("tech_center_approvals", 2020, 0, 36), "geography": "city_bound"},
        figure("national_hte", 2024, 0, 40),  # the run recorded 2020 only
        figure("hte_certified", 2021, 0, 100, to_year=2023, aggregate="sum"),
    )
    table = score_holdout(trajectories(), figures, REPLICATIONS)
    missing = table.iloc[1]
    assert missing.note == NOT_RECORDED
    assert isinstance(missing.held, float) and math.isnan(missing.held)
    assert all(math.isnan(missing[c]) for c in ("sim_low", "sim_median", "sim_high"))
    for row in table.iloc[2:].itertuples():
        assert math.isnan(row.held) and row.note.startswith("outside the years recorded (2020-")
    assert coverage(table) == (1, 1)


def test_the_table_of_a_held_out_file_scores_like_the_file() -> None:
    figures = held_out(
        figure("national_hte", 2020, 18, 40),
        figure("hte_certified", 2020, 0, 100, to_year=2022, aggregate="sum"),
    )
    from_file = score_holdout(trajectories(), figures, REPLICATIONS)
    from_table = score_holdout(trajectories(), holdout_table(figures), REPLICATIONS)
    pd.testing.assert_frame_equal(from_file, from_table)
