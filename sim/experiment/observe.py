"""Simulated observations: for points of a parameter space and the replications (random
streams) each should run, the simulated counterpart of every observed figure.

What posterior calibration needs: history matching runs every point on the same streams
(common random numbers), ABC-SMC each particle on its own. Runs stop at the last year the
observations need. With a :class:`~sim.results.units.UnitStore` every finished point is a
stored unit, so an interrupted calibration resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from sim.experiment.runner import check_events, run_tasks
from sim.model import ReplicationOutput
from sim.results.units import UnitStore, unit_key
from sim.scenario.schema import Scenario
from sim.scenario.space import Space


def observed_value(
    values: Mapping[tuple[str, int], float], indicator: str, year: int, last: int, aggregate: str
) -> float:
    """One observation's simulated counterpart in one replication: the indicator in the
    year, or its sum or mean over year..last (NaN when not recorded)."""
    if aggregate == "value":
        return values.get((indicator, year), np.nan)
    span = [values[(indicator, y)] for y in range(year, last + 1) if (indicator, y) in values]
    if aggregate == "sum":
        return float(sum(span))
    return float(np.mean(span)) if span else np.nan


#: Points per worker run together before they are stored.
CHUNK_POINTS_PER_WORKER = 4


class Observer:
    """Runs points of ``space`` and returns their simulated observations.

    ``observations``: the observed table (indicator, year, to_year, aggregate, ...).
    ``progress`` is called with the number of replications just finished (or reused).
    """

    def __init__(
        self,
        space: Space,
        observations: pd.DataFrame,
        root_seed: int,
        end_year: int,
        executor: Executor | None = None,
        workers: int = 1,
        store: UnitStore | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.space = space
        self.targets = [
            (
                str(o.indicator),
                int(o.year),
                int(o.year) if pd.isna(o.to_year) else int(o.to_year),
                str(o.aggregate),
            )
            for o in observations.itertuples(index=False)
        ]
        self.root_seed = root_seed
        self.end_year = end_year
        self.executor = executor
        self.workers = workers
        self.store = store
        self.progress = progress
        self.events = 0
        self.evaluations = 0
        self.replications = 0

    def __call__(
        self, points: Sequence[Mapping[str, float]], streams: Sequence[Sequence[int]]
    ) -> np.ndarray:
        """Simulated observations: shape (points, observations, replications); point n runs
        the replications ``streams[n]`` (the same number for every point)."""
        count = len(streams[0]) if streams else 0
        out = np.full((len(points), len(self.targets), count), np.nan)
        tasks: list[tuple[Scenario, int]] = []
        owners: list[tuple[int, str, dict[str, float]]] = []
        for n, (point, indexes) in enumerate(zip(points, streams, strict=True)):
            values = {path: float(point[path]) for path in self.space.paths}
            key = unit_key(
                {
                    "values": values,
                    "streams": [int(i) for i in indexes],
                    "seed": self.root_seed,
                    "end_year": self.end_year,
                    "targets": self.targets,
                }
            )
            stored = self.store.get(key) if self.store is not None else None
            if stored is not None:
                out[n] = np.array(stored["observed"], dtype=float)
                if self.progress:
                    self.progress(count)
                continue
            scenario = self.space.scenario(values, end_year=self.end_year)
            check_events(scenario, f"{self.space.file}: candidate {values}")
            tasks.extend((scenario, int(i)) for i in indexes)
            owners.append((n, key, values))
        # in chunks of a few points per worker, each point stored as its chunk returns: an
        # interruption loses at most one chunk
        chunk = max(1, CHUNK_POINTS_PER_WORKER * self.workers)
        for start in range(0, len(owners), chunk):
            part = owners[start : start + chunk]
            batch = tasks[start * count : (start + len(part)) * count]
            outputs = run_tasks(batch, self.root_seed, self.executor, self.workers, self.progress)
            for place, (n, key, values) in enumerate(part):
                out[n] = self._observed(outputs[place * count : (place + 1) * count])
                if self.store is not None:
                    self.store.put(key, {"values": values, "observed": out[n].tolist()})
        return out

    def _observed(self, outputs: Sequence[ReplicationOutput]) -> np.ndarray:
        """(observations, replications) of one point's runs."""
        self.events += sum(o.events for o in outputs)
        self.evaluations += 1
        self.replications += len(outputs)
        columns = []
        for output in outputs:
            values = {(name, int(year)): value for year, name, value in output.trajectory}
            columns.append([observed_value(values, *target) for target in self.targets])
        return np.array(columns, dtype=float).T
