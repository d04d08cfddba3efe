"""Evaluating candidates of a parameter space: ``evaluate(values) -> trajectories``.

Every candidate runs the same replications (same root seed: common random numbers), so two
candidates differ only through their parameters. Runs stop at the last year an analysis needs
(results up to it are those of the full horizon) and keep only the indicators it needs. With a
:class:`~sim.results.units.UnitStore`, each finished candidate is a stored unit, so an
interrupted command resumes without losing finished evaluations.

With a :class:`~sim.scenario.posterior.Posterior`, replication ``i`` of every candidate runs
the posterior's draw ``posterior.assignment(root_seed, n)[i]`` with the candidate's values
set on top of it (a parameter in both is the candidate's), so probabilities are over the
posterior; candidates still share their draws and random numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor

import pandas as pd

from sim.experiment.runner import check_events, run_tasks
from sim.model import ReplicationOutput
from sim.results.units import UnitStore, unit_key
from sim.scenario.posterior import Posterior
from sim.scenario.schema import Scenario
from sim.scenario.space import Space

COLUMNS = ["replication", "year", "indicator", "value"]


class Evaluator:
    """Runs candidates of ``space`` through one executor.

    ``end_year`` is the last recorded year needed; ``indicators`` the indicators kept.
    ``progress`` is called with the number of replications just finished (or reused).
    ``posterior``: each replication's values under the candidate's come from its draw (see
    the module doc).
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
        posterior: Posterior | None = None,
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
        self.posterior = posterior
        self.events = 0
        self.evaluations = 0

    def __call__(
        self, values: Mapping[str, float], replications: int | None = None
    ) -> pd.DataFrame:
        """Trajectories (replication, year, indicator, value) of the candidate ``values``."""
        return self.many([values], replications)[0]

    def many(
        self, candidates: Sequence[Mapping[str, float]], replications: int | None = None
    ) -> list[pd.DataFrame]:
        """Trajectories of each candidate, all run through the executor together (so that
        a design of many candidates with few replications each keeps every worker busy)."""
        count = replications or self.replications
        points = [{path: float(v[path]) for path in self.space.paths} for v in candidates]
        keys = [self._key(values, count) for values in points]
        tables: dict[int, pd.DataFrame] = {}
        tasks: list[tuple[Scenario, int]] = []
        owners: list[int] = []
        for n, (values, key) in enumerate(zip(points, keys, strict=True)):
            stored = self.store.get(key) if self.store is not None else None
            if stored is not None:
                tables[n] = pd.DataFrame(stored["records"], columns=COLUMNS)
                if self.progress:
                    self.progress(count)
                continue
            tasks.extend((scenario, i) for i, scenario in enumerate(self._scenarios(values, count)))
            owners.append(n)
        if tasks:
            outputs = run_tasks(tasks, self.root_seed, self.executor, self.workers, self.progress)
            for place, n in enumerate(owners):
                done = outputs[place * count : (place + 1) * count]
                tables[n] = self._table(done, points[n], keys[n])
        return [tables[n] for n in range(len(points))]

    def _scenarios(self, values: Mapping[str, float], count: int) -> list[Scenario]:
        """The scenario of each of a candidate's ``count`` replications (one object per
        distinct draw), each checked by the event guard."""
        if self.posterior is None:
            scenario = self.space.scenario(values, end_year=self.end_year)
            check_events(scenario, f"{self.space.file}: candidate {values}")
            return [scenario] * count
        draws = self.posterior.assignment(self.root_seed, count).tolist()
        made: dict[int, Scenario] = {}
        for draw in dict.fromkeys(draws):
            self.posterior.scenario(draw)  # a draw that makes the scenario invalid: one line
            under = dataclasses.replace(self.space, base_data=self.posterior.scenario_data(draw))
            made[draw] = under.scenario(values, end_year=self.end_year)
            where = f"{self.space.file}: candidate {values} at draw {draw} of {self.posterior.file}"
            check_events(made[draw], where)
        return [made[draw] for draw in draws]

    def _key(self, values: Mapping[str, float], count: int) -> str:
        unit = {
            "values": dict(values),
            "replications": count,
            "seed": self.root_seed,
            "end_year": self.end_year,
            "indicators": self.indicators,
        }
        if self.posterior is not None:
            unit["posterior_sha256"] = self.posterior.digest
        return unit_key(unit)

    def _table(
        self, outputs: Sequence[ReplicationOutput], values: Mapping[str, float], key: str
    ) -> pd.DataFrame:
        """The kept records of one candidate's replications (stored as a unit)."""
        self.events += sum(o.events for o in outputs)
        self.evaluations += 1
        wanted = set(self.indicators)
        records = [
            [i, int(year), str(name), float(value)]
            for i, output in enumerate(outputs)
            for year, name, value in output.trajectory
            if name in wanted
        ]
        if self.store is not None:
            self.store.put(key, {"values": dict(values), "records": records})
        return pd.DataFrame(records, columns=COLUMNS)
