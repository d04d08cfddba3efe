"""Yearly rounds: the processes that act once a year at a fixed point of the year."""

from __future__ import annotations

from collections.abc import Callable, Generator
from itertools import count

import simpy


def yearly(
    env: simpy.Environment,
    t0: float,
    t_end: float,
    in_year: float,
    round_: Callable[[int], object],
) -> Generator[simpy.Event, object, None]:
    """Process body: call ``round_(year)`` at clock time ``year + in_year`` (``in_year`` a
    fraction of a year) for each year from ``int(t0)`` on whose date is not before the time now
    and before ``t_end`` (clock times in years), in order. A round due at the time now is
    still waited for (a zero timeout), after the events already scheduled for that time."""
    for year in count(int(t0)):
        at = year + in_year
        if at < env.now:
            continue
        if at >= t_end:
            return
        yield env.timeout(at - env.now)
        round_(year)
