"""Random-number streams: one numpy Generator per source of randomness.

Replication ``i`` of a run with root seed ``s`` draws from streams derived from ``(s, i, source)``
alone (``numpy.random.SeedSequence(s, spawn_key=(i, k))``), so replications are independent of
each other and of how they are scheduled, and two scenarios run with the same root seed share
common random numbers source by source.

Scalar draws from a numpy Generator cost about a microsecond each; a :class:`Stream` draws its
standard uniforms, exponentials and normals in blocks and hands them out one by one. Each kind
comes from its own child generator (``Generator.spawn``), so the sequence of one kind does not
depend on how many of another, or of ``rng``'s own draws, were used.
"""

from __future__ import annotations

from collections.abc import Iterator
from statistics import NormalDist

import numpy as np

#: The sources of randomness, in a fixed order: the order fixes each source's spawn key, so
#: append new sources at the end to keep existing streams unchanged. ("certification" is kept
#: for that reason: its decisions now use the keyed draws, ``Streams.keyed``.)
SOURCES: tuple[str, ...] = (
    "initial",
    "arrivals",
    "admission",
    "funding",
    "patents",
    "certification",
    "lifecycle",
)

_BLOCK = 1024


class Stream:
    """A numpy Generator with block-buffered standard draws.

    ``uniform()``, ``exponential()`` and ``normal()`` return Python floats from U(0, 1),
    Exp(1) and N(0, 1). ``rng`` is the underlying Generator for less frequent draws
    (beta, gamma, Poisson counts, choices); the standard draws come from three generators
    spawned from it.
    """

    __slots__ = ("rng", "_uniforms", "_exponentials", "_normals", "_u", "_e", "_n")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._uniforms, self._exponentials, self._normals = rng.spawn(3)
        # iterators over the current block of each kind (a new block is drawn when one ends:
        # the same draws, in the same order, as indexing into the block)
        self._u: Iterator[float] = iter(())
        self._e: Iterator[float] = iter(())
        self._n: Iterator[float] = iter(())

    def uniform(self) -> float:
        try:
            return next(self._u)
        except StopIteration:
            self._u = iter(self._uniforms.random(_BLOCK).tolist())
            return next(self._u)

    def exponential(self) -> float:
        try:
            return next(self._e)
        except StopIteration:
            self._e = iter(self._exponentials.standard_exponential(_BLOCK).tolist())
            return next(self._e)

    def normal(self) -> float:
        try:
            return next(self._n)
        except StopIteration:
            self._n = iter(self._normals.standard_normal(_BLOCK).tolist())
            return next(self._n)

    def bernoulli(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.uniform() < p


_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """SplitMix64's finaliser: a fast, well-spread 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


_NORMAL = NormalDist()


def _mix_array(x: np.ndarray) -> np.ndarray:
    """:func:`_mix` element-wise on uint64 (numpy's uint64 arithmetic wraps modulo 2**64)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class KeyedStream:
    """Counter-based draws: the value for a key (e.g. firm id, review round) is fixed by the
    key alone, whatever else happened before. Decisions drawn this way stay matched between
    scenarios run with the same seed (common random numbers) even after the firms' histories
    diverge."""

    __slots__ = ("_base",)

    def __init__(self, rng: np.random.Generator) -> None:
        self._base = int(rng.integers(0, 2**63))

    def key(self, *parts: int) -> int:
        """A round's key (e.g. purpose, year): combine once, then draw per firm."""
        x = self._base
        for part in parts:
            x = _mix(x ^ _mix(part & _MASK))
        return x

    def uniform(self, round_key: int, item: int) -> float:
        """U(0, 1) for an item (a firm id) in a round."""
        x = _mix(round_key ^ _mix(item & _MASK))
        return ((x >> 11) + 0.5) * 2.0**-53

    def uniforms(self, round_key: int, items: list[int]) -> list[float]:
        """``[self.uniform(round_key, item) for item in items]`` in one numpy pass (a round
        draws one per live firm): the same integer steps with wrapping uint64 arithmetic and
        the same final double arithmetic, so bit for bit the same values."""
        if not items:
            return []
        x = _mix_array(np.array([item & _MASK for item in items], dtype=np.uint64))
        x = _mix_array(np.uint64(round_key & _MASK) ^ x)
        return (((x >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53).tolist()

    def normal(self, round_key: int, item: int) -> float:
        """N(0, 1) for an item in a round (inverse CDF of the keyed uniform)."""
        return _NORMAL.inv_cdf(self.uniform(round_key, item))


class Streams:
    """The named streams of one replication (attribute access: ``streams.arrivals``)."""

    def __init__(self, root_seed: int, replication: int) -> None:
        if root_seed < 0 or replication < 0:
            raise ValueError("root seed and replication must be non-negative")
        self.root_seed = root_seed
        self.replication = replication
        for index, source in enumerate(SOURCES):
            seq = np.random.SeedSequence(root_seed, spawn_key=(replication, index))
            setattr(self, source, Stream(np.random.Generator(np.random.PCG64(seq))))
        keyed_seq = np.random.SeedSequence(root_seed, spawn_key=(replication, len(SOURCES)))
        self.keyed = KeyedStream(np.random.Generator(np.random.PCG64(keyed_seq)))

    def __getattr__(self, name: str) -> Stream:  # pragma: no cover - only for type checkers
        raise AttributeError(f"no random stream named {name!r}; sources are {SOURCES}")
