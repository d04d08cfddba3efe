"""Posterior calibration (history matching, ABC-SMC) on a simulator whose truth is known.

Simulation-based calibration: for K synthetic data sets, each one realisation of the toy
model at parameters drawn from the prior, the known parameters should fall inside the 90 %
posterior interval in about 90 % of cases. The exact posterior (on a grid) is the yardstick.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.posterior import abc_smc, history_match, weighted_quantiles
from sim.scenario.space import Parameter, Space

SPACE = Space(
    "toy",
    "",
    {
        "a": Parameter(kind="uncertain", low=0.0, high=10.0),
        "b": Parameter(kind="uncertain", low=1.0, high=100.0, scale="log"),
    },
    {"a": 5.0, "b": 10.0},
)
NOISE_SD = np.array([2.0, 3.0])


def toy(values: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """Two outputs that move with (a, b) plus noise, and one the parameters do not move."""
    a, log_b = values["a"], np.log(values["b"])
    noise = rng.normal(0.0, NOISE_SD)
    return np.array([3 * a + 4 * log_b + noise[0], 10 * log_b - a + noise[1], 7.0])


def simulator(seed: int):
    """simulate(points, streams) of the toy: stream i of every point is the same draw."""

    def simulate(points, streams):
        return np.array(
            [
                np.array([toy(p, np.random.default_rng([seed, i])) for i in idx]).T
                for p, idx in zip(points, streams, strict=True)
            ]
        )

    return simulate


def observations(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["y1", "y2", "y3"],
            "year": [2020] * 3,
            "to_year": [np.nan] * 3,
            "value": values,
            "low": values,
            "high": values,
            "tolerance": [0.0] * 3,
        }
    )


def synthetic(k: int) -> tuple[dict[str, float], pd.DataFrame]:
    """Data set k: the truth (uniform on the unit cube) and one realisation at it."""
    truth = SPACE.values(np.random.default_rng([7, k]).random(2))
    return truth, observations(toy(truth, np.random.default_rng([1234, k])))


def exact_interval(data: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """The exact 90 % posterior intervals (uniform prior on the unit cube, on a grid)."""
    grid = np.linspace(0, 1, 301)
    u1, u2 = np.meshgrid(grid, grid)
    a, b = u1 * 10, np.exp(u2 * np.log(100))
    y = data["value"].to_numpy()
    log_l = -0.5 * ((y[0] - (3 * a + 4 * np.log(b))) / NOISE_SD[0]) ** 2
    log_l += -0.5 * ((y[1] - (10 * np.log(b) - a)) / NOISE_SD[1]) ** 2
    w = np.exp(log_l - log_l.max()).ravel()
    return {
        name: tuple(weighted_quantiles(v.ravel(), w, [0.05, 0.95]))
        for name, v in (("a", a), ("b", b))
    }


K = 30


@pytest.fixture(scope="module")
def history_matched() -> list[tuple[dict[str, float], object]]:
    out = []
    for k in range(K):
        truth, data = synthetic(k)
        post = history_match(
            SPACE, data, simulator(k), seed=k, waves=3, points=30, replications=10, draws=300
        )
        out.append((truth, post))
    return out


def coverage(results) -> float:
    hits = [
        row.interval_low <= truth[row.parameter] <= row.interval_high
        for truth, post in results
        for row in post.intervals().itertuples()
    ]
    return float(np.mean(hits))


@pytest.mark.validation(
    group="validation: calibration",
    check="simulation-based calibration of history matching on a toy with an exact posterior",
    asserts=f"the known parameters of {K} synthetic data sets (2 parameters, 3 waves x 30 "
    "points x 10 replications each) lie inside the 90 % posterior interval in about 90 % of "
    "cases",
    tolerance="coverage 0.78-1.0 over 60 intervals (90 % +- 3 binomial sd)",
)
def test_history_matching_covers_the_truth_about_90_percent(history_matched, measured) -> None:
    """K = 30 data sets x 2 parameters: 60 intervals; 90 % +- 3 binomial sd (0.039)."""
    found = coverage(history_matched)
    exact = [
        low <= truth[name] <= high
        for k, (truth, _post) in enumerate(history_matched)
        for name, (low, high) in exact_interval(synthetic(k)[1]).items()
    ]
    measured(
        f"coverage {round(found * 60)}/60 = {found:.2f}; the exact posterior's on the same "
        f"data {sum(exact)}/60"
    )
    assert 0.78 <= found <= 1.0, found


def test_history_matching_intervals_are_close_to_the_exact_posterior(history_matched) -> None:
    """Each interval's width is within a factor of two of the exact posterior's."""
    ratios = []
    for k, (_truth, post) in enumerate(history_matched[:8]):
        exact = exact_interval(synthetic(k)[1])
        for row in post.intervals().itertuples():
            low, high = exact[row.parameter]
            p = SPACE.parameters[row.parameter]
            width = p.unit(row.interval_high) - p.unit(row.interval_low)
            ratios.append(width / (p.unit(high) - p.unit(low)))
    assert 0.5 < np.median(ratios) < 1.5, ratios
    assert min(ratios) > 0.35, ratios


def test_history_matching_narrows_the_space_wave_by_wave(history_matched) -> None:
    _truth, post = history_matched[0]
    shares = post.stages["non_implausible_share"].to_numpy()
    # each share is measured on a fresh hypercube of 20,000 points (sd about 0.0013 here)
    assert len(shares) == 3 and shares[0] < 0.2
    assert shares[-1] <= shares[0] + 0.005
    assert post.replications_run == 3 * 30 * 10
    assert len(post.draws) == 300
    assert post.draws["weight"].sum() == pytest.approx(1.0)
    assert (post.draws["weight"] >= 0).all()
    assert list(post.draws.columns) == ["draw", "weight", "a", "b"]


def test_an_observation_no_parameter_moves_is_not_fitted(history_matched) -> None:
    _truth, post = history_matched[0]
    flags = post.observations.set_index("indicator")["informative"]
    assert flags.to_dict() == {"y1": True, "y2": True, "y3": False}
    assert any("y3 2020" in note for note in post.notes)


def test_draws_stay_inside_the_space(history_matched) -> None:
    for _truth, post in history_matched[:5]:
        assert post.draws["a"].between(0, 10).all()
        assert post.draws["b"].between(1, 100).all()


def test_abc_smc_recovers_the_truth_within_its_budget() -> None:
    results = []
    for k in range(6):
        truth, data = synthetic(k)
        post = abc_smc(SPACE, data, simulator(k), seed=k, population=150, budget=1500)
        assert post.replications_run <= 1500
        assert len(post.draws) == 150
        results.append((truth, post))
        widths = post.intervals()["narrowed_to"].to_numpy()
        assert np.all(widths < 0.9)  # the data narrowed the prior
    assert coverage(results) >= 0.75
    rates = results[0][1].stages["acceptance_rate"].to_numpy()
    assert rates[0] == 1.0 and np.all(rates[1:] < 1.0)


def test_abc_smc_uses_its_own_random_streams_for_each_particle() -> None:
    """Each particle runs on a stream of its own; the probe of which figures the parameters
    move runs its points on one common stream (0), so that a figure that varies by chance
    alone is not taken for one the parameters move."""
    calls: list[list[int]] = []

    def simulate(points, streams):
        calls.append([i for idx in streams for i in idx])
        values = simulator(0)(points, streams)
        noise = [np.random.default_rng([5, idx[0]]).normal() for idx in streams]
        values[:, 2, 0] = noise  # y3: chance alone
        return values

    post = abc_smc(SPACE, synthetic(0)[1], simulate, seed=0, population=20, budget=100)
    probe, *particles = calls
    assert set(probe) == {0} and len(probe) == 5
    seen = [i for call in particles for i in call]
    assert len(seen) == len(set(seen)) and min(seen) == 1
    assert post.replications_run == len(probe) + len(seen) <= 100
    flags = post.observations.set_index("indicator")["informative"]
    assert flags.to_dict() == {"y1": True, "y2": True, "y3": False}


def test_history_matching_without_informative_observations_returns_the_prior() -> None:
    flat = observations(np.array([7.0, 7.0, 7.0]))

    def simulate(points, streams):
        return np.full((len(points), 3, len(streams[0])), 7.0)

    post = history_match(SPACE, flat, simulate, seed=1, waves=2, points=20, replications=3)
    assert any("the posterior is the prior" in note for note in post.notes)
    assert np.allclose(post.draws["weight"], 1 / len(post.draws))
