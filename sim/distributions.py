"""Probability distributions written in scenario files as ``{dist: NAME, ...}``.

Each distribution is a frozen, validated object with ``sample(stream) -> float`` and an analytic
``mean``. ``Distribution`` is the tagged union the scenario schema uses wherever a value is
random, e.g. ``{dist: lognormal, mean: 120, sd: 60}``.
"""

from __future__ import annotations

import math
from functools import cached_property
from statistics import NormalDist
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sim.streams import Stream

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


#: Largest coefficient of variation (sd / mean) a lognormal or gamma may have.
MAX_CV = 1000.0
#: Largest value a distribution may reasonably produce (floats overflow near 1.8e308).
MAX_VALUE = 1e300


class DistributionBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    #: True when the value can equal ``lowest`` only with probability 0 (continuous laws).
    open_below: ClassVar[bool] = False

    @property
    def mean(self) -> float:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def lowest(self) -> float:  # pragma: no cover
        """The smallest value the distribution can take."""
        raise NotImplementedError

    def sample(self, stream: Stream) -> float:  # pragma: no cover
        raise NotImplementedError


class Constant(DistributionBase):
    """Always ``value`` (a deterministic quantity)."""

    dist: Literal["constant"]
    value: FiniteFloat

    @property
    def lowest(self) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, stream: Stream) -> float:
        return self.value


class Uniform(DistributionBase):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self

    @property
    def lowest(self) -> float:
        return self.low

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, stream: Stream) -> float:
        return self.low + (self.high - self.low) * stream.uniform()


class Exponential(DistributionBase):
    """Exponential with the given mean (rate = 1 / mean)."""

    open_below: ClassVar[bool] = True

    dist: Literal["exponential"]
    mean_: Positive = Field(alias="mean")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=True)

    @property
    def lowest(self) -> float:
        return 0.0

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, stream: Stream) -> float:
        return self.mean_ * stream.exponential()


class Lognormal(DistributionBase):
    """Lognormal given by the mean and standard deviation of the variable itself."""

    open_below: ClassVar[bool] = True

    dist: Literal["lognormal"]
    mean_: Positive = Field(alias="mean")
    sd: NonNegative

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=True)

    @model_validator(mode="after")
    def _finite(self) -> Lognormal:
        if self.sd > MAX_CV * self.mean_:
            raise ValueError(f"sd is more than {MAX_CV:,.0f} times the mean: an absurd spread")
        mu, sigma = self.log_params
        if mu + 8.5 * sigma > math.log(MAX_VALUE):
            raise ValueError("values this large overflow (the 1-in-10^17 quantile is above 1e300)")
        return self

    @cached_property
    def log_params(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal."""
        sigma2 = math.log1p((self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2)

    @property
    def lowest(self) -> float:
        return 0.0

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, stream: Stream) -> float:
        mu, sigma = self.log_params
        return math.exp(mu + sigma * stream.normal())


class Triangular(DistributionBase):
    """Triangular on [low, high] with the given mode."""

    dist: Literal["triangular"]
    low: FiniteFloat
    mode: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self

    @property
    def lowest(self) -> float:
        return self.low

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, stream: Stream) -> float:
        u = stream.uniform()
        low, mode, high = self.low, self.mode, self.high
        cut = (mode - low) / (high - low)
        if u < cut:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1 - u) * (high - low) * (high - mode))


class Gamma(DistributionBase):
    """Gamma given by its mean and standard deviation."""

    open_below: ClassVar[bool] = True

    dist: Literal["gamma"]
    mean_: Positive = Field(alias="mean")
    sd: Positive

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=True)

    @property
    def lowest(self) -> float:
        return 0.0

    @property
    def mean(self) -> float:
        return self.mean_

    @model_validator(mode="after")
    def _finite(self) -> Gamma:
        if self.sd > MAX_CV * self.mean_ or self.mean_ > MAX_CV * 1e6 * self.sd:
            raise ValueError(
                f"sd must lie between {1 / (MAX_CV * 1e6):g} and {MAX_CV:,.0f} times the mean"
            )
        return self

    def sample(self, stream: Stream) -> float:
        shape = (self.mean_ / self.sd) ** 2
        return float(stream.rng.gamma(shape, self.sd**2 / self.mean_))


class Beta(DistributionBase):
    """Beta(a, b) on [0, 1], e.g. a latent capability or a share."""

    dist: Literal["beta"]
    a: Positive
    b: Positive

    @property
    def lowest(self) -> float:
        return 0.0

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    def sample(self, stream: Stream) -> float:
        return float(stream.rng.beta(self.a, self.b))


Distribution = Annotated[
    Constant | Uniform | Exponential | Lognormal | Triangular | Gamma | Beta,
    Field(discriminator="dist"),
]


def _non_negative(dist: DistributionBase) -> DistributionBase:
    if dist.lowest < 0:
        raise ValueError(f"can take negative values (as low as {dist.lowest}); must be >= 0")
    return dist


def _positive(dist: DistributionBase) -> DistributionBase:
    if dist.lowest < 0 or (dist.lowest == 0 and not dist.open_below):
        raise ValueError(f"can take values <= 0 (as low as {dist.lowest}); must be > 0")
    return dist


#: A distribution of a quantity that cannot be negative (money, durations, counts).
NonNegativeDistribution = Annotated[Distribution, AfterValidator(_non_negative)]
#: A distribution of a quantity that must be positive (floor area).
PositiveDistribution = Annotated[Distribution, AfterValidator(_positive)]


# ----------------------------------------------------------------------------- Poisson counts
_NORMAL = NormalDist()


def poisson_quantile(means: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The Poisson(means) counts whose cumulative probability first reaches u (inverse
    transform, element by element); a normal approximation above a mean of 200."""
    counts = np.zeros(len(means), dtype=np.int64)
    large = means > 200.0
    if large.any():
        z = np.array([_NORMAL.inv_cdf(x) for x in u[large].tolist()])
        counts[large] = np.maximum(0, np.rint(means[large] + np.sqrt(means[large]) * z))
    small = ~large
    mean = means[small]
    k = np.zeros(len(mean), dtype=np.int64)
    term = np.exp(-mean)
    cdf = term.copy()
    target = u[small]
    active = np.flatnonzero(target > cdf)
    while len(active):
        k[active] += 1
        term[active] *= mean[active] / k[active]
        cdf[active] += term[active]
        active = active[target[active] > cdf[active]]
        if len(active) and k[active[0]] > 2000:  # rounding: cdf never reaches u
            break
    counts[small] = k
    return counts
