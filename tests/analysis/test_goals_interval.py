"""The Monte Carlo interval of P(met) and the status it decides (sim.analysis.goals): the
Wilson score interval against the textbook formula, and statuses that need the whole interval
past a threshold, so that a verdict does not flip with the number of replications alone."""

from __future__ import annotations

import math
import re
from itertools import pairwise

import pytest

from sim.analysis.goals import OFF_TRACK, ON_TRACK, p_met_interval, status, status_rule

#: The 97.5 % point of the standard normal distribution.
Z95 = 1.959963984540054


def wilson(met: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval in its count form, (x + z²/2 ± z·√(x(n − x)/n + z²/4)) /
    (n + z²), written apart from the code under test."""
    centre = (met + z * z / 2) / (n + z * z)
    half = z * math.sqrt(met * (n - met) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("met", "n", "low", "high"),
    [
        # reference values (statsmodels' proportion_confint, method="wilson")
        (41, 200, 0.154862, 0.266257),
        (16, 100, 0.100953, 0.244203),
        (0, 100, 0.0, 0.036993),
        (100, 100, 0.963007, 1.0),
        (164, 200, 0.760885, 0.867054),
    ],
)
def test_the_interval_is_wilsons(met: int, n: int, low: float, high: float) -> None:
    interval = p_met_interval(met, n)
    assert interval == pytest.approx((low, high), abs=1e-6)
    assert interval == pytest.approx(wilson(met, n), abs=1e-12)


def test_the_interval_holds_the_estimate_and_lies_in_zero_one() -> None:
    """Up to rounding (the ends, exactly, in the next test)."""
    for n in (1, 2, 10, 100, 200, 1000):
        for met in {0, 1, n // 3, n // 2, n - 1, n}:
            low, high = p_met_interval(met, n)
            assert 0.0 <= low <= high <= 1.0, (met, n)
            assert low - 1e-12 <= met / n <= high + 1e-12, (met, n)


@pytest.mark.parametrize("n", [10, 100, 200])
def test_none_or_all_met_reach_the_ends_exactly(n: int) -> None:
    """No replication meeting the goal gives a lower end of exactly 0, every one an upper end
    of exactly 1: the interval holds the estimate itself, not a rounding of it."""
    assert p_met_interval(0, n)[0] == 0.0
    assert p_met_interval(n, n)[1] == 1.0


def test_the_interval_narrows_with_more_replications() -> None:
    """The same proportion, 0.2, from ever more replications."""
    widths = []
    for n in (50, 100, 200, 400, 1600):
        low, high = p_met_interval(n // 5, n)
        widths.append(high - low)
    assert all(wider > narrower for wider, narrower in pairwise(widths))
    # about 1/√n: four times the replications, about half the width
    assert widths[3] / widths[1] == pytest.approx(0.5, abs=0.02)


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    low90, high90 = p_met_interval(41, 200, 0.90)
    low95, high95 = p_met_interval(41, 200)
    assert low95 < low90 and high90 < high95
    assert (low90, high90) == pytest.approx(wilson(41, 200, 1.6448536269514722), abs=1e-12)


def test_no_replications_no_interval() -> None:
    assert all(math.isnan(x) for x in p_met_interval(0, 0))


def test_the_thresholds() -> None:
    assert (ON_TRACK, OFF_TRACK) == (0.8, 0.2)
    # a single probability is its own interval; the thresholds themselves count
    assert status(0.8) == "on track" and status(0.2) == "off track"
    assert status(0.79) == "uncertain" and status(0.21) == "uncertain"
    assert status(0.8, 1.0) == "on track" and status(0.0, 0.2) == "off track"


def test_a_verdict_does_not_flip_with_the_replications_alone() -> None:
    """The issue's case: P 0.21 of 200 replications and P 0.16 of 100 are the same goal within
    Monte Carlo error, so both are uncertain (on the point estimates alone the second would
    have been off track)."""
    assert status(*p_met_interval(42, 200)) == "uncertain"
    assert status(*p_met_interval(16, 100)) == "uncertain"
    assert status(0.16) == "off track"  # what the point estimate alone would say


def test_statuses_from_the_interval() -> None:
    assert status(*p_met_interval(200, 200)) == "on track"
    assert status(*p_met_interval(0, 200)) == "off track"
    # P 0.82 is above 0.8, but its interval reaches below it
    low, high = p_met_interval(164, 200)
    assert low < ON_TRACK < 164 / 200
    assert status(low, high) == "uncertain"
    assert status(164 / 200) == "on track"


def test_the_status_rule_names_the_thresholds_and_the_confidence() -> None:
    english = status_rule("en")
    assert "0.8" in english and "0.2" in english and "95 %" in english
    assert status_rule() == english
    chinese = status_rule("zh")
    assert re.search("[\u4e00-\u9fff]", chinese)
    assert "0.8" in chinese and "0.2" in chinese


def test_sixteen_replications_are_needed_to_call_a_status() -> None:
    """At 95 % the interval of all (or none) of n replications clears 0.8 (0.2) from n = 16."""
    assert status(*p_met_interval(16, 16)) == "on track"
    assert status(*p_met_interval(15, 15)) == "uncertain"
    assert status(*p_met_interval(0, 16)) == "off track"
    assert status(*p_met_interval(0, 15)) == "uncertain"
