"""Evaluating candidates of a parameter space: ``evaluate(values) -> trajectories``.

Every candidate runs the same replications (same root seed: common random numbers), so two
candidates differ only through their parameters. Runs stop at the last year an analysis needs
(results up to it are those of the full horizon) and keep only the indicators it needs. With a
:class:`~sim.results.units.UnitStore`, each finished candidate is a stored unit, so an
interrupted command resumes without losing finished evaluations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor

import pandas as pd

from sim.experiment.runner import check_events, run_replications
from sim.results.units import UnitStore, unit_key
from sim.scenario.space import Space

COLUMNS = ["replication", "year", "indicator", "value"]


class Evaluator:
    """Runs candidates of ``space`` through one executor.

    ``end_year`` is the last recorded year needed; ``indicators`` the indicators kept.
    ``progress`` is called with the number of replications just finished (or reused).
    """

    def __init__(
        self,
        space: Space,
        replications: int,
        root_seed: int,
        end_year: int,
        indicators: Iterable[str],
        executor: Executor | None = None,
        workers: int = 1,
        store: UnitStore | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if replications < 1:
            raise ValueError("replications must be at least 1")
        self.space = space
        self.replications = replications
        self.root_seed = root_seed
        self.end_year = end_year
        self.indicators = sorted(set(indicators))
        self.executor = executor
        self.workers = workers
        self.store = store
        self.progress = progress
        self.events = 0
        self.evaluations = 0

    def __call__(
        self, values: Mapping[str, float], replications: int | None = None
    ) -> pd.DataFrame:
        """Trajectories (replication, year, indicator, value) of the candidate ``values``."""
        count = replications or self.replications
        values = {path: float(values[path]) for path in self.space.paths}
        key = unit_key(
            {
                "values": values,
                "replications": count,
                "seed": self.root_seed,
                "end_year": self.end_year,
                "indicators": self.indicators,
            }
        )
        stored = self.store.get(key) if self.store is not None else None
        if stored is not None:
            if self.progress:
                self.progress(count)
            return pd.DataFrame(stored["records"], columns=COLUMNS)
        scenario = self.space.scenario(values, end_year=self.end_year)
        check_events(scenario, f"{self.space.file}: candidate {values}")
        results = run_replications(
            scenario,
            count,
            self.root_seed,
            executor=self.executor,
            workers=self.workers,
            progress=self.progress,
        )
        self.events += results.events
        self.evaluations += 1
        table = results.trajectories
        table = table[table["indicator"].isin(self.indicators)].reset_index(drop=True)
        if self.store is not None:
            records = [
                [int(r), int(y), str(i), float(v)] for r, y, i, v in table.itertuples(index=False)
            ]
            self.store.put(key, {"values": values, "records": records})
        return table
