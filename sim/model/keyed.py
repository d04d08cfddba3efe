"""Keyed draws for a whole round at once.

The yearly rounds (grant calls, HTE reviews, SME evaluations) draw one keyed uniform for every
live firm: ``KeyedStream.uniform(round_key, firm.id)``, SplitMix64's finaliser applied twice
and scaled to (0, 1), in pure Python. ``uniforms`` computes the same values for a list of
items at once with numpy's wrapping uint64 arithmetic, bit for bit: the integer steps are
exact modulo 2**64 in both, and the last step (an integer below 2**53, plus 0.5, times 2**-53)
is the same IEEE double arithmetic.

Each call checks its first value against ``KeyedStream.uniform`` and, should they ever differ
(were the keyed stream's formula changed), falls back to drawing item by item, so results
never depend on this shortcut.
"""

from __future__ import annotations

import numpy as np

from sim.streams import KeyedStream

_INCREMENT = np.uint64(0x9E3779B97F4A7C15)
_MULTIPLIER_1 = np.uint64(0xBF58476D1CE4E5B9)
_MULTIPLIER_2 = np.uint64(0x94D049BB133111EB)
_SHIFT_30 = np.uint64(30)
_SHIFT_27 = np.uint64(27)
_SHIFT_31 = np.uint64(31)
_SHIFT_11 = np.uint64(11)
_MASK = (1 << 64) - 1


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on an array of uint64 (``sim.streams._mix``, element-wise)."""
    x = x + _INCREMENT
    x = (x ^ (x >> _SHIFT_30)) * _MULTIPLIER_1
    x = (x ^ (x >> _SHIFT_27)) * _MULTIPLIER_2
    return x ^ (x >> _SHIFT_31)


def uniforms(keyed: KeyedStream, round_key: int, items: list[int]) -> list[float]:
    """``[keyed.uniform(round_key, item) for item in items]`` (items: non-negative ids)."""
    if not items:
        return []
    x = np.array(items, dtype=np.uint64)
    x = _mix(np.uint64(round_key & _MASK) ^ _mix(x))
    values: list[float] = (((x >> _SHIFT_11).astype(np.float64) + 0.5) * 2.0**-53).tolist()
    if values[0] != keyed.uniform(round_key, items[0]):
        return [keyed.uniform(round_key, item) for item in items]
    return values
