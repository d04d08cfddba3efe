"""The SimPy model of a zone, split into build / run / extract (see ``simulate``).

>>> zone = build(scenario, Streams(root_seed, replication))
>>> run(zone)
>>> output = extract(zone)
"""

from sim.model.simulate import FIRM_COLUMNS, ReplicationOutput, build, census, extract, run
from sim.model.zone import Zone

__all__ = ["build", "run", "extract", "census", "ReplicationOutput", "FIRM_COLUMNS", "Zone"]
