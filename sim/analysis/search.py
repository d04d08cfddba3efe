"""Noisy search over the unit cube of a parameter space with optuna's TPE sampler (what
calibration and tuning share)."""

from __future__ import annotations

from collections.abc import Sequence

import optuna

from sim.scenario.space import Space


class UnitSearch:
    """Minimise over the unit cube of ``space``: ``ask()`` a point, ``tell()`` its value.

    The first points asked are ``start`` (in order); then TPE, with ``trials // 3`` (at least
    4) random startup points, multivariate, seeded so a search is reproducible.
    """

    def __init__(self, space: Space, seed: int, trials: int, start: Sequence[Sequence[float]]):
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.names = [f"u{j}" for j in range(space.dimension)]
        self.distributions = {
            n: optuna.distributions.FloatDistribution(0.0, 1.0) for n in self.names
        }
        sampler = optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=max(4, trials // 3), multivariate=True
        )
        self.study = optuna.create_study(direction="minimize", sampler=sampler)
        for point in start:
            self.study.enqueue_trial(dict(zip(self.names, point, strict=True)))

    def ask(self) -> tuple[optuna.trial.Trial, list[float]]:
        trial = self.study.ask(self.distributions)
        return trial, [trial.params[n] for n in self.names]

    def tell(self, trial: optuna.trial.Trial, value: float, shortfall: float | None = None):
        """Report the value (and, for constrained search, how far the point falls short of
        the constraint: feasible when <= 0)."""
        if shortfall is not None:
            trial.set_constraint("shortfall", shortfall)
        self.study.tell(trial, value)
