"""Tests for the scenario distributions (sim.distributions).

Moments are checked against sample moments of N = 100,000 draws from a seeded stream, with a
tolerance of 5 standard errors computed from the distribution's own moments:
- mean: 5 * sd / sqrt(N);
- variance: 5 * sqrt((mu4 - sd**4) / N), mu4 the fourth central moment (from scipy's kurtosis).
A Kolmogorov-Smirnov test against the scipy distribution with the same parameters checks the
whole shape (fixed seeds; reject only below p = 1e-3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from scipy import stats

from sim.distributions import (
    Beta,
    Constant,
    Distribution,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
)
from sim.streams import Stream

N = 100_000
ADAPTER = TypeAdapter(Distribution)


def stream(seed: int) -> Stream:
    return Stream(np.random.Generator(np.random.PCG64(seed)))


def draws(dist, seed: int, n: int = N) -> np.ndarray:
    s = stream(seed)
    return np.array([dist.sample(s) for _ in range(n)])


def parse(data: dict):
    return ADAPTER.validate_python(data)


def lognormal_log_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of log X for a lognormal X with the given mean and sd (textbook formulas)."""
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def reference(data: dict):
    """The scipy distribution a scenario entry describes, from the textbook parameterisation."""
    kind = data["dist"]
    if kind == "uniform":
        return stats.uniform(loc=data["low"], scale=data["high"] - data["low"])
    if kind == "exponential":
        return stats.expon(scale=data["mean"])
    if kind == "lognormal":
        mu, sigma = lognormal_log_params(data["mean"], data["sd"])
        return stats.lognorm(s=sigma, scale=math.exp(mu))
    if kind == "triangular":
        width = data["high"] - data["low"]
        return stats.triang(c=(data["mode"] - data["low"]) / width, loc=data["low"], scale=width)
    if kind == "gamma":
        shape = (data["mean"] / data["sd"]) ** 2
        return stats.gamma(a=shape, scale=data["sd"] ** 2 / data["mean"])
    if kind == "beta":
        return stats.beta(data["a"], data["b"])
    raise AssertionError(kind)


RANDOM_CASES = [
    {"dist": "uniform", "low": -2.0, "high": 5.0},
    {"dist": "exponential", "mean": 0.3},
    {"dist": "exponential", "mean": 250.0},
    {"dist": "lognormal", "mean": 120.0, "sd": 60.0},
    {"dist": "lognormal", "mean": 0.8, "sd": 0.8},
    {"dist": "lognormal", "mean": 500000.0, "sd": 500000.0},
    {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
    {"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 1.0},
    {"dist": "triangular", "low": 0.0, "mode": 3.0, "high": 3.0},
    {"dist": "gamma", "mean": 4.0, "sd": 2.0},
    {"dist": "gamma", "mean": 1.0, "sd": 3.0},
    {"dist": "beta", "a": 2.0, "b": 3.0},
    {"dist": "beta", "a": 0.5, "b": 0.5},
]


def case_id(data: dict) -> str:
    return "-".join(str(v) for v in data.values())


@pytest.mark.parametrize("data", RANDOM_CASES, ids=case_id)
def test_analytic_mean_matches_sample_mean(data: dict) -> None:
    dist = parse(data)
    ref = reference(data)
    # the analytic mean is the reference mean (exact up to rounding) ...
    assert dist.mean == pytest.approx(float(ref.mean()), rel=1e-12)
    # ... and the sample mean is within 5 standard errors of it
    x = draws(dist, seed=11)
    se = float(ref.std()) / math.sqrt(N)
    assert abs(x.mean() - dist.mean) <= 5 * se, (x.mean(), dist.mean, se)


@pytest.mark.parametrize("data", RANDOM_CASES, ids=case_id)
def test_sample_variance_matches(data: dict) -> None:
    ref = reference(data)
    x = draws(parse(data), seed=12)
    var = float(ref.var())
    excess_kurtosis = float(ref.stats(moments="k"))
    mu4 = (excess_kurtosis + 3.0) * var**2
    se_var = math.sqrt((mu4 - var**2) / N)
    assert abs(x.var(ddof=1) - var) <= 5 * se_var, (x.var(ddof=1), var, se_var)


@pytest.mark.parametrize("data", RANDOM_CASES, ids=case_id)
def test_whole_distribution_matches_scipy(data: dict) -> None:
    x = draws(parse(data), seed=13, n=20_000)
    result = stats.kstest(x, reference(data).cdf)
    assert result.pvalue > 1e-3, result


def test_lognormal_matches_its_mean_and_sd() -> None:
    dist = parse({"dist": "lognormal", "mean": 120, "sd": 60})
    assert isinstance(dist, Lognormal)
    assert dist.mean == 120.0 and dist.sd == 60.0
    mu, sigma = lognormal_log_params(120.0, 60.0)
    assert dist.log_params == pytest.approx((mu, sigma), rel=1e-12)
    x = draws(dist, seed=21)
    # mean within 5 SE: 5 * 60 / sqrt(1e5) = 0.95
    assert abs(x.mean() - 120.0) <= 5 * 60.0 / math.sqrt(N)
    # sd within 5 SE of the sample sd: Var(s^2) ~ (mu4 - sd^4) / N with the lognormal mu4
    m = [math.exp(k * mu + k * k * sigma * sigma / 2) for k in range(5)]
    mu4 = m[4] - 4 * m[3] * m[1] + 6 * m[2] * m[1] ** 2 - 3 * m[1] ** 4
    se_var = math.sqrt((mu4 - 60.0**4) / N)
    assert abs(x.var(ddof=1) - 3600.0) <= 5 * se_var
    assert abs(x.std(ddof=1) - 60.0) <= 5 * se_var / (2 * 60.0)  # delta method
    # and log X is normal(mu, sigma)
    logs = np.log(x)
    assert abs(logs.mean() - mu) <= 5 * sigma / math.sqrt(N)
    assert abs(logs.std(ddof=1) - sigma) <= 5 * sigma / math.sqrt(2 * N)


def test_lognormal_with_zero_sd_is_its_mean() -> None:
    dist = parse({"dist": "lognormal", "mean": 7.5, "sd": 0})
    x = draws(dist, seed=3, n=100)
    assert np.allclose(x, 7.5, rtol=1e-12)


def test_constant_is_constant() -> None:
    dist = parse({"dist": "constant", "value": -3.25})
    assert isinstance(dist, Constant)
    assert dist.mean == -3.25
    assert set(draws(dist, seed=1, n=50)) == {-3.25}


@pytest.mark.parametrize(
    "data",
    [
        {"dist": "uniform", "low": -2.0, "high": 5.0},
        {"dist": "uniform", "low": 3.0, "high": 3.0},
        {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
        {"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 1.0},
        {"dist": "triangular", "low": 0.0, "mode": 3.0, "high": 3.0},
        {"dist": "beta", "a": 0.5, "b": 0.5},
    ],
    ids=case_id,
)
def test_bounded_distributions_stay_in_bounds(data: dict) -> None:
    low, high = data.get("low", 0.0), data.get("high", 1.0)
    x = draws(parse(data), seed=5, n=50_000)
    assert x.min() >= low and x.max() <= high
    # and they reach both ends: each end's 2 % of the range holds at least 0.04 % of the mass
    # here (triangular with the mode at the other end: 0.02**2), i.e. ~20 of 50,000 draws
    width = high - low
    assert x.min() <= low + 0.02 * width and x.max() >= high - 0.02 * width


def test_degenerate_uniform_is_its_bound() -> None:
    assert set(draws(parse({"dist": "uniform", "low": 3.0, "high": 3.0}), 2, 20)) == {3.0}


def test_positive_distributions_are_positive() -> None:
    for data in RANDOM_CASES:
        if data["dist"] in ("exponential", "lognormal", "gamma"):
            assert draws(parse(data), seed=9, n=5000).min() > 0, data


@dataclass
class FixedStream:
    """A stand-in stream that returns given standard draws."""

    u: float = 0.5
    e: float = 1.0
    n: float = 0.0

    def uniform(self) -> float:
        return self.u

    def exponential(self) -> float:
        return self.e

    def normal(self) -> float:
        return self.n


@given(
    low=st.floats(-1e3, 1e3),
    width=st.floats(1e-3, 1e3),
    mode_at=st.floats(0.0, 1.0),
    u=st.floats(0.0, 1.0, exclude_max=True),
)
# high = low + width rounds, so high - low can exceed width (here 3.0 - 1.0 > 1.9999999999999998):
# the shape and scale come from high - low, as the sampler's do
@example(low=1.0, width=1.9999999999999998, mode_at=1.0, u=0.0)
def test_triangular_sample_is_the_inverse_cdf(low, width, mode_at, u) -> None:
    high = low + width
    mode = min(high, low + mode_at * width)
    dist = Triangular(dist="triangular", low=low, mode=mode, high=high)
    x = dist.sample(FixedStream(u=u))
    assert low - 1e-9 * width <= x <= high + 1e-9 * width
    scale = high - low
    c = (mode - low) / scale
    cdf = float(stats.triang(c=c, loc=low, scale=scale).cdf(x))
    assert cdf == pytest.approx(u, abs=1e-6)


@given(low=st.floats(-1e6, 1e6), width=st.floats(0.0, 1e6), u=st.floats(0.0, 1.0))
def test_uniform_sample_is_affine_in_the_standard_uniform(low, width, u) -> None:
    dist = Uniform(dist="uniform", low=low, high=low + width)
    assert dist.sample(FixedStream(u=u)) == pytest.approx(low + width * u, abs=1e-6)


def test_exponential_and_lognormal_scale_the_standard_draws() -> None:
    assert Exponential(dist="exponential", mean=2.5).sample(FixedStream(e=0.4)) == 1.0
    dist = Lognormal(dist="lognormal", mean=120.0, sd=60.0)
    mu, sigma = lognormal_log_params(120.0, 60.0)
    assert dist.sample(FixedStream(n=1.5)) == pytest.approx(math.exp(mu + 1.5 * sigma))


# ----------------------------------------------------------------------------- validation
INVALID = [
    ({"dist": "uniform", "low": 2.0, "high": 1.0}, "high must be >= low"),
    ({"dist": "uniform", "low": math.nan, "high": 1.0}, "finite"),
    ({"dist": "uniform", "low": 0.0, "high": math.inf}, "finite"),
    ({"dist": "triangular", "low": 0.0, "mode": 2.0, "high": 1.0}, "low <= mode <= high"),
    ({"dist": "triangular", "low": 0.0, "mode": -0.1, "high": 1.0}, "low <= mode <= high"),
    ({"dist": "triangular", "low": 1.0, "mode": 1.0, "high": 1.0}, "low < high"),
    ({"dist": "triangular", "low": 0.0, "mode": math.nan, "high": 1.0}, "finite"),
    ({"dist": "exponential", "mean": 0.0}, "greater than 0"),
    ({"dist": "exponential", "mean": -1.0}, "greater than 0"),
    ({"dist": "exponential", "mean": math.nan}, "finite"),
    ({"dist": "lognormal", "mean": 0.0, "sd": 1.0}, "greater than 0"),
    ({"dist": "lognormal", "mean": 1.0, "sd": -1.0}, "greater than or equal to 0"),
    ({"dist": "lognormal", "mean": 1.0, "sd": math.nan}, "finite"),
    ({"dist": "gamma", "mean": 1.0, "sd": 0.0}, "greater than 0"),
    ({"dist": "gamma", "mean": -2.0, "sd": 1.0}, "greater than 0"),
    ({"dist": "beta", "a": 0.0, "b": 1.0}, "greater than 0"),
    ({"dist": "beta", "a": 1.0, "b": math.inf}, "finite"),
    ({"dist": "constant", "value": math.nan}, "finite"),
    ({"dist": "constant", "value": -math.inf}, "finite"),
    ({"dist": "constant"}, "Field required"),
    ({"dist": "constant", "value": 1.0, "sd": 2.0}, "Extra inputs are not permitted"),
    ({"dist": "exponential", "mean": 1.0, "rate": 1.0}, "Extra inputs are not permitted"),
    ({"dist": "weibull", "shape": 1.0}, "does not match any of the expected tags"),
    ({"value": 1.0}, "Unable to extract tag"),
]


@pytest.mark.parametrize(("data", "message"), INVALID, ids=lambda v: str(v))
def test_invalid_parameters_are_rejected(data: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse(data)


def test_distributions_are_frozen() -> None:
    dist = parse({"dist": "uniform", "low": 0.0, "high": 1.0})
    with pytest.raises(ValidationError):
        dist.high = -1.0  # type: ignore[misc]
    assert dist.high == 1.0


# ----------------------------------------------------------------------------- YAML form
YAML_CASES = [
    ("{dist: constant, value: 4.0}", Constant, 4.0),
    ("{dist: uniform, low: 0.5, high: 1.5}", Uniform, 1.0),
    ("{dist: exponential, mean: 0.3}", Exponential, 0.3),
    ("{dist: lognormal, mean: 120, sd: 60}", Lognormal, 120.0),
    ("{dist: triangular, low: 0, mode: 1, high: 5}", Triangular, 2.0),
    ("{dist: gamma, mean: 3, sd: 1}", Gamma, 3.0),
    ("{dist: beta, a: 2.0, b: 3.0}", Beta, 0.4),
]


@pytest.mark.parametrize(("text", "cls", "mean"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_yaml_entries_build_the_tagged_distribution(text: str, cls: type, mean: float) -> None:
    data = YAML(typ="safe").load(text)
    dist = parse(data)
    assert type(dist) is cls
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    # a round trip through the alias gives an equal distribution
    assert parse(dist.model_dump(by_alias=True)) == dist
