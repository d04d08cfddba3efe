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


# --- economy goals (sim/model/economy.py): indicators added after commit 22dd410. They draw
# no random number and schedule no event, so the indicators of 22dd410 keep the digests above
# once the new rows are filtered out; the new rows are pinned on their own below.
ECONOMY_INDICATORS = frozenset(
    {
        "rd_intensity",
        "rd_spending_yuan",
        "industrial_rd_ratio",
        "above_scale_industrial_firms",
        "valid_invention_patents",
        "invention_patents_per_10k",
    }
)
#: sha256 of the economy rows alone of the trajectories table above (``to_csv(index=False)``)
ECONOMY_TABLE = "f00e9695b8524bdae7146b0c320c59562c81105ca5ab0bc209ca48fa552cdc8f"
#: sha256 of the ``repr`` of each replication's economy records (``ReplicationOutput``)
ECONOMY_OUTPUTS = [
    "d7e5d591f04f4eb56008f0bdb5d9ba054864a28c0ef20820284f0197bf4e932a",
    "9983bf60236610159e8d95824315aa06cd532462b26c5eaac1defa05fc846422",
    "0fb965ef7df6661e425ae9c886ed9e86d282fe3cc9bba5b1a8ba2f8eb3e957fe",
]
# --- end economy goals
# --- platform goals (sim/model/platforms.py): indicators added after commit 22dd410. The
# platform rounds draw only keyed draws of their own purposes and only read the HTE count, so
# the indicators of 22dd410 keep the digests above once the new rows are filtered out; their
# process adds exactly PLATFORM_EVENTS events per replication (its start, 12 yearly rounds and
# its end), taken off the event counts above. The new rows are pinned on their own below.
PLATFORM_INDICATORS = frozenset(
    {"tech_centers", "tech_centers_provincial", "academician_workstations"}
)
PLATFORM_EVENTS = 14
#: sha256 of the platform rows alone of the trajectories table above (``to_csv(index=False)``)
PLATFORM_TABLE = "17e3e985c6877ac496b5eb621c76754149d4ae8b858ff438efdef94425fbe1a1"
#: sha256 of the ``repr`` of each replication's platform records (``ReplicationOutput``)
PLATFORM_OUTPUTS = [
    "bf534217832993a80fd3b0412aafa9343b8c26a5aa4f865344f81b2c4bbe57d7",
    "e3c957705ec0d218f2ad607d2ebc3ac28e2344be420469f63f66ea7c553f7a1c",
    "89b2c9af478143e872b8624bf7badc227f614af94671747713bceed45eb10f6a",
]
# --- end platform goals
#: indicators added since 22dd410 (filtered out before comparing with its digests)
#: postdoctoral workstations, added after the platform goals (keyed draws of their own code)
POSTDOC_INDICATORS = frozenset({"postdoc_workstations"})
#: sha256 of the postdoc rows alone of the trajectories table above
POSTDOC_TABLE = "ed0888d8cd0e10443bd2c8e161e02eb54e9ba7aa1da6615e5914fef03f03a1c5"
ADDED_INDICATORS = ECONOMY_INDICATORS | PLATFORM_INDICATORS | POSTDOC_INDICATORS


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_tables_of_the_baseline_are_unchanged(baseline) -> None:
    results = run_replications(baseline, REPLICATIONS, ROOT_SEED, firm_records=True)
    tables = {name: getattr(results, name) for name in TABLES}
    trajectories = tables["trajectories"]
    added = trajectories["indicator"].isin(ADDED_INDICATORS)
    tables["trajectories"] = trajectories[~added]
    economy = trajectories[trajectories["indicator"].isin(ECONOMY_INDICATORS)]
    assert sha256(economy.to_csv(index=False).encode()) == ECONOMY_TABLE
    platforms = trajectories[trajectories["indicator"].isin(PLATFORM_INDICATORS)]
    assert sha256(platforms.to_csv(index=False).encode()) == PLATFORM_TABLE
    postdoc = trajectories[trajectories["indicator"].isin(POSTDOC_INDICATORS)]
    assert sha256(postdoc.to_csv(index=False).encode()) == POSTDOC_TABLE
    digests = {name: sha256(table.to_csv(index=False).encode()) for name, table in tables.items()}
    assert digests == TABLES
    assert results.events - REPLICATIONS * PLATFORM_EVENTS == EVENTS


@pytest.mark.parametrize("replication", range(REPLICATIONS))
def test_model_records_of_the_baseline_are_unchanged(baseline, replication: int) -> None:
    zone = build(baseline, Streams(ROOT_SEED, replication), keep_firm_records=True)
    run(zone)
    output = extract(zone)
    economy = [row for row in output.trajectory if row[1] in ECONOMY_INDICATORS]
    assert sha256(repr(economy).encode()) == ECONOMY_OUTPUTS[replication]
    platforms = [row for row in output.trajectory if row[1] in PLATFORM_INDICATORS]
    assert sha256(repr(platforms).encode()) == PLATFORM_OUTPUTS[replication]
    records = (
        [row for row in output.trajectory if row[1] not in ADDED_INDICATORS],
        output.spells,
        output.firms,
        sorted(output.totals.items()),
        sorted(output.census.items()),
        output.events - PLATFORM_EVENTS,
    )
    assert sha256(repr(records).encode()) == OUTPUTS[replication]
