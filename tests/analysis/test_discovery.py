"""Scenario discovery (sim.analysis.discovery): PRIM recovers a known box from synthetic
samples, reports it in the parameters' units with coverage and density that match a count of
the samples, and says so, without a box, when there is nothing to find."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from sim.analysis.discovery import BOX_COLUMNS, PEELING_COLUMNS, discover, restriction_text

NAMES = ["x1", "x2", "x3", "x4", "x5"]


def unit_samples(n: int = 400, seed: int = 7) -> pd.DataFrame:
    return pd.DataFrame(qmc.LatinHypercube(d=len(NAMES), seed=seed).random(n), columns=NAMES)


def inside(x: pd.DataFrame, boxes: pd.DataFrame) -> np.ndarray:
    """Which samples the reported box holds (limits inclusive)."""
    mask = np.ones(len(x), dtype=bool)
    for row in boxes.itertuples(index=False):
        mask &= (x[row.parameter] >= row.low) & (x[row.parameter] <= row.high)
    return mask


def test_prim_recovers_a_known_box_with_its_coverage_and_density() -> None:
    x = unit_samples()
    met = ((x["x1"] > 0.6) & (x["x2"] < 0.3)).to_numpy()
    result = discover(x, met, min_density=0.8, bounds={n: (0.0, 1.0) for n in NAMES})
    assert result.cases == int(met.sum()) and result.samples == 400
    boxes = result.boxes.set_index("parameter")
    assert list(result.boxes.columns) == BOX_COLUMNS
    assert set(boxes.index) == {"x1", "x2"}
    assert boxes.at["x1", "low"] == pytest.approx(0.6, abs=0.03)
    assert boxes.at["x1", "qp_low"] < 0.01
    # PRIM may trim an empty corner of the top (by chance: its quasi-p says so)
    assert boxes.at["x1", "high"] >= 0.95
    if boxes.at["x1", "restricted"] == "both":
        assert boxes.at["x1", "qp_high"] > 0.05
    assert boxes.at["x2", "restricted"] == "high"
    assert boxes.at["x2", "high"] == pytest.approx(0.3, abs=0.03)
    assert boxes.at["x2", "low"] == 0.0  # the side not narrowed reaches the space's bound
    assert boxes.at["x2", "qp_high"] < 0.01 and np.isnan(boxes.at["x2", "qp_low"])
    # coverage, density and mass are what a count of the samples in the box gives
    held = inside(x, result.boxes)
    stats = result.chosen_stats()
    assert stats is not None and stats["res_dim"] == 2
    assert stats["coverage"] == pytest.approx((held & met).sum() / met.sum())
    assert stats["density"] == pytest.approx((held & met).sum() / held.sum())
    assert stats["mass"] == pytest.approx(held.mean())
    assert stats["coverage"] >= 0.95 and stats["density"] >= 0.95
    assert result.notes == []


def test_the_chosen_box_is_the_widest_reaching_the_density_and_is_marked() -> None:
    x = unit_samples()
    rng = np.random.default_rng(3)
    met = ((x["x1"] > 0.5) & (rng.random(len(x)) < 0.9)) | (rng.random(len(x)) < 0.03)
    result = discover(x, met.to_numpy(), min_density=0.8)
    peeling = result.peeling
    assert list(peeling.columns) == PEELING_COLUMNS
    assert peeling["chosen"].sum() == 1
    chosen = peeling[peeling["chosen"]].iloc[0]
    assert chosen["density"] >= 0.8
    dense = peeling[peeling["density"] >= 0.8]
    assert chosen["coverage"] == dense["coverage"].max()
    assert "x1 ≥" in chosen["restrictions"]
    assert result.boxes["parameter"].tolist()[0] == "x1"


def test_limits_are_in_the_parameters_units() -> None:
    unit = unit_samples()
    x = pd.DataFrame({"rate": 100 + 400 * unit["x1"], "gdp": 1e10 * (1 + unit["x2"])})
    met = ((x["rate"] > 300) & (x["gdp"] < 1.4e10)).to_numpy()
    result = discover(x, met, bounds={"rate": (100.0, 500.0), "gdp": (1e10, 2e10)})
    boxes = result.boxes.set_index("parameter")
    assert boxes.at["rate", "low"] == pytest.approx(300, rel=0.05)
    assert boxes.at["rate", "bound_high"] == 500.0
    assert boxes.at["gdp", "high"] == pytest.approx(1.4e10, rel=0.05)
    assert restriction_text("gdp", 1e10, 1.4e10, "high") == "gdp ≤ 1.4e+10"


def test_no_box_reaching_the_density_is_said_not_chosen() -> None:
    x = unit_samples(200)
    met = np.random.default_rng(1).random(200) < 0.3  # nothing decides it
    result = discover(x, met, min_density=0.95)
    assert result.chosen is None
    assert result.boxes.empty and list(result.boxes.columns) == BOX_COLUMNS
    assert not result.peeling.empty and not result.peeling["chosen"].any()
    assert len(result.notes) == 1
    assert result.notes[0].startswith("no box on the peeling trajectory reaches density 0.95")


@pytest.mark.parametrize(
    ("value", "start"),
    [(False, "the goal is met in none of the 50 samples"), (True, "the goal is met in all 50")],
)
def test_a_goal_met_nowhere_or_everywhere_gives_no_box_and_a_note(value: bool, start: str) -> None:
    x = unit_samples(50)
    result = discover(x, np.full(50, value))
    assert result.boxes.empty and result.peeling.empty and result.chosen is None
    assert result.chosen_stats() is None and result.limits() == []
    assert result.notes[0].startswith(start)


def test_a_parameter_fixed_in_every_sample_is_left_out() -> None:
    x = unit_samples(300).assign(x5=2.0)
    met = (x["x1"] > 0.5).to_numpy()
    result = discover(x, met)
    assert "x5" not in set(result.boxes["parameter"])
    assert any("x5" in note for note in result.notes)


def test_bad_inputs_raise() -> None:
    x = unit_samples(20)
    with pytest.raises(ValueError, match="20 samples but 3 outcomes"):
        discover(x, np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="min_density"):
        discover(x, np.ones(20, dtype=bool), min_density=0.0)


def noisy(seed: int, inside: float, d: int = 12, n: int = 500) -> tuple[pd.DataFrame, np.ndarray]:
    """Goal met with probability ``inside`` where x1 > 0.5 and x2 < 0.5, else 0.2."""
    names = [f"x{i}" for i in range(1, d + 1)]
    x = pd.DataFrame(qmc.LatinHypercube(d=d, seed=seed).random(n), columns=names)
    p = np.where((x["x1"] > 0.5) & (x["x2"] < 0.5), inside, 0.2)
    return x, np.random.default_rng(seed).random(n) < p


def test_restrictions_that_may_be_chance_are_dropped() -> None:
    x, met = noisy(seed=0, inside=0.85)
    result = discover(x, met, min_density=0.8)
    peeling = result.peeling
    chosen = peeling[peeling["chosen"]].iloc[0]
    assert chosen["stage"] == "pruned" and chosen["pass"] == 1
    origin = peeling[(peeling["pass"] == 1) & (peeling["box"] == chosen["from_box"])].iloc[0]
    assert origin["res_dim"] > chosen["res_dim"] == 2  # the noise dimensions went
    assert origin["density"] >= chosen["density"] >= 0.8
    assert set(result.boxes["parameter"]) == {"x1", "x2"}
    assert (result.boxes[["qp_low", "qp_high"]].min(axis=1) <= 0.05).all()
    boxes = result.boxes.set_index("parameter")
    assert boxes.at["x1", "low"] == pytest.approx(0.5, abs=0.05)
    assert boxes.at["x2", "high"] == pytest.approx(0.5, abs=0.05)


def test_a_second_peeling_over_the_decisive_parameters() -> None:
    x, met = noisy(seed=3, inside=0.8)
    result = discover(x, met, min_density=0.8)
    chosen = result.peeling[result.peeling["chosen"]].iloc[0]
    assert chosen["pass"] == 2
    assert set(
        result.peeling.loc[result.peeling["pass"] == 2, "restrictions"].str.findall(r"x\d+").sum()
    ) == {"x1", "x2"}
    assert set(result.boxes["parameter"]) == {"x1", "x2"}
    assert result.notes == [
        "peeled again over x1, x2: the parameters the widest dense box of the first peeling "
        "restricts with quasi-p ≤ 0.05"
    ]
    assert result.chosen_stats()["density"] >= 0.8
