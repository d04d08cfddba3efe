"""The model's results, pinned: SHA-256 digests of what three replications of the baseline give
at root seed 2018, so that a refactoring that changes any number (or the order of any draw or
event) fails here.

The digests were computed at commit 22dd410. Change them only when the model's results change
on purpose (and say so in the commit message).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sim.experiment.runner import run_replications
from sim.model import build, extract, run
from sim.scenario import load_scenario
from sim.streams import Streams

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
ROOT_SEED = 2018
REPLICATIONS = 3

#: sha256 of ``table.to_csv(index=False)`` of ``run_replications(baseline, 3, 2018,
#: firm_records=True)`` (computed at commit 22dd410)
TABLES = {
    "trajectories": "5012e791a1ac8723bd693461a2f4b7667bd80fa6a1b442c754e130db49a974f4",
    "firms": "407bc6dda2ca8ee209293274c09357c135cb0823fd19286bd455653b63bd1d30",
    "spells": "c6885e3a8bc93ed6ebe20be093fcb146638eb2676416788efd2bf9c97567ec7f",
    "totals": "5a473a4859882c0a8ad3a57e237c800ff9f4a6e90c824bc985feb1f2b0407a6f",
}
#: SimPy events of those three replications (computed at commit 22dd410)
EVENTS = 138207

#: sha256 of the ``repr`` of each replication's ``ReplicationOutput`` records, straight from
#: ``sim.model`` (computed at commit 22dd410)
OUTPUTS = [
    "aca9638e9727f55beb8e4a6f087a4f981a7571971643a63e3778e35e47632de3",
    "68222ca44c736f7516a2a04c42c35a2cdb31e6519cdf3530140640f5be8498ce",
    "950b3680e1b56448ba5abdad23afb9f5aa17d9c6ad443c8b93f061f854c45767",
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_tables_of_the_baseline_are_unchanged(baseline) -> None:
    results = run_replications(baseline, REPLICATIONS, ROOT_SEED, firm_records=True)
    tables = {name: getattr(results, name) for name in TABLES}
    digests = {name: sha256(table.to_csv(index=False).encode()) for name, table in tables.items()}
    assert digests == TABLES
    assert results.events == EVENTS


@pytest.mark.parametrize("replication", range(REPLICATIONS))
def test_model_records_of_the_baseline_are_unchanged(baseline, replication: int) -> None:
    zone = build(baseline, Streams(ROOT_SEED, replication), keep_firm_records=True)
    run(zone)
    output = extract(zone)
    records = (
        output.trajectory,
        output.spells,
        output.firms,
        sorted(output.totals.items()),
        sorted(output.census.items()),
        output.events,
    )
    assert sha256(repr(records).encode()) == OUTPUTS[replication]
