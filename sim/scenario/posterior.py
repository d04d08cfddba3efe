"""A calibration posterior: weighted draws of uncertain scenario keys, and which draw each
replication of a run uses.

``calibrate --method history-matching|abc`` writes ``posterior.csv`` into its folder: a CSV
with a header, a column ``draw`` (the integers 0 to n-1), a column ``weight`` (non-negative,
summing to 1) and one column per varied parameter, named by its dotted scenario key as in the
space files (``arrivals.origins.maker_team.rate_per_year``), values in the key's own units::

    draw,weight,arrivals.origins.maker_team.rate_per_year,initial_state.enterprise_base_firms
    0,0.004,251.3,147
    1,0.006,188.0,203
    ...

:func:`read_posterior` checks it against the scenario it will be run with and gives a
:class:`Posterior`; every problem is one line, ``FILE: column 'x': message`` (a
:class:`~sim.scenario.errors.ScenarioError`, which the command line reports with exit code 2).

**Draws of a run.** Replications come in pairs that share one draw: replication ``i`` runs
draw ``d[i // 2]``, where ``d`` is sampled with replacement according to the weights by
``numpy.random.default_rng(numpy.random.SeedSequence([root_seed, POSTERIOR_STREAM]))`` (see
:meth:`Posterior.assignment`). It depends on the root seed and the posterior alone, never on
the executor, the worker count or the number of replications asked for (a longer run extends
a shorter one's assignment), so a run is reproducible and resumable.

**Why pairs.** The two replications of a pair share the parameters and differ only in their
random streams, so each pair gives an unbiased estimate of the variance due to chance at that
draw: for an output ``Y``, ``(y_a - y_b)**2 / 2`` has expectation ``Var(Y | θ)``. Averaged over
the pairs it estimates ``E[Var(Y | θ)]``, the chance part of the total variance ``Var(Y)``
(the variance over all replications); the rest, ``Var(E[Y | θ])``, is due to the parameters.
The goal table reports ``parameter_share = max(0, 1 - chance / total)`` and ``chance_share =
1 - parameter_share`` of each goal indicator's variance in the goal year (NaN when the total is
0); see :func:`sim.analysis.goals.variance_shares`.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydantic

from sim.scenario.errors import Problem, ScenarioError, printable
from sim.scenario.paths import get_path, missing_message, set_path
from sim.scenario.schema import Scenario, cross_check
from sim.scenario.space import Space, _invalid, as_written

#: The columns every posterior file has before its parameters.
DRAW, WEIGHT = "draw", "weight"

#: Mixed with the root seed to sample the draws of a run: a stream of its own, apart from the
#: replications' (``SeedSequence(root_seed, spawn_key=(i, k))``, see ``sim.streams``).
POSTERIOR_STREAM = 0x706F737465726F72  # "posteror" in ASCII: any fixed constant would do

#: How far the weights may sum from 1.
WEIGHT_TOLERANCE = 1e-6

#: Fewest draws a posterior must have.
MIN_DRAWS = 2


@dataclass(frozen=True)
class PosteriorProblem(Problem):
    """A problem in a posterior file: ``FILE: column 'x': message`` (``key`` says where:
    ``column 'x'``, ``line 7`` or ``(file)``)."""

    def format(self) -> str:
        return f"{printable(self.file)}: {printable(self.key)}: {printable(self.message)}"


def _problem(file: str, where: str, message: str) -> PosteriorProblem:
    """A problem at ``where`` (problems keep the order they are found in)."""
    return PosteriorProblem(file, 0, 0, where, message)


def _column(name: str) -> str:
    return f"column '{name}'"


@dataclass(frozen=True, eq=False)
class Posterior:
    """Weighted draws of scenario keys (see the module doc).

    ``values[k, j]`` is draw ``k``'s value of ``parameters[j]``; ``weights[k]`` its weight;
    ``digest`` the SHA-256 of the file's bytes (part of a run's identity, for ``--resume``).
    """

    file: str
    parameters: list[str]
    values: np.ndarray  # draws x parameters, float64
    weights: np.ndarray  # draws, float64, sum 1
    digest: str
    base_data: dict[str, Any] = field(repr=False)  # the resolved scenario data
    integers: frozenset[str] = frozenset()  # parameters rounded to whole numbers

    @property
    def draws(self) -> int:
        return len(self.weights)

    @property
    def effective_draws(self) -> float:
        """Kish's effective sample size of the weights, ``1 / sum(w**2)``."""
        return float(1.0 / np.sum(self.weights**2))

    def draw_values(self, draw: int) -> dict[str, float]:
        """Draw ``draw``'s value of each parameter."""
        return {p: float(v) for p, v in zip(self.parameters, self.values[draw], strict=True)}

    def scenario_data(self, draw: int, end_year: int | None = None) -> dict[str, Any]:
        """The resolved scenario data with draw ``draw``'s values set (a key the scenario
        writes as a whole number stays one; ``end_year`` cuts the horizon)."""
        data = copy.deepcopy(self.base_data)
        for path, value in self.draw_values(draw).items():
            set_path(data, path, as_written(get_path(data, path), value, path in self.integers))
        if end_year is not None:
            data.setdefault("horizon", {})["end_year"] = end_year
        return data

    def scenario(self, draw: int, end_year: int | None = None) -> Scenario:
        """The scenario at draw ``draw``; a scenario the draw's values make invalid raises
        ScenarioError naming the file and the draw. ``end_year`` cuts the run short (results
        up to it are those of the full horizon: the cross-checks, which would refuse dates
        after it, are then skipped, as in ``Space.scenario``)."""
        data = self.scenario_data(draw, end_year)
        try:
            scenario = Scenario.model_validate(data)
        except pydantic.ValidationError as exc:
            message = exc.errors(include_url=False)[0]["msg"]
        else:
            problems = cross_check(scenario) if end_year is None else []
            if not problems:
                return scenario
            message = problems[0][1]
        raise ScenarioError(
            [_problem(self.file, f"draw {draw}", f"the scenario is invalid here: {message}")]
        )

    def assignment(self, root_seed: int, replications: int) -> np.ndarray:
        """The draw of each replication: replication ``i`` runs ``d[i // 2]``, ``d`` sampled
        with replacement by the weights from ``SeedSequence([root_seed, POSTERIOR_STREAM])``.
        The first ``k`` entries do not depend on ``replications``."""
        if root_seed < 0:
            raise ValueError("the root seed must be non-negative")
        pairs = (max(0, replications) + 1) // 2
        rng = np.random.default_rng(np.random.SeedSequence([root_seed, POSTERIOR_STREAM]))
        uniforms = rng.random(pairs)  # one uniform per pair: a prefix of any longer run's
        cumulative = np.cumsum(self.weights)
        cumulative /= cumulative[-1]
        drawn = np.searchsorted(cumulative, uniforms, side="right")
        drawn = np.minimum(drawn, self.draws - 1)
        return np.repeat(drawn, 2)[:replications].astype(np.int64)

    def summary(self, root_seed: int | None = None, replications: int | None = None) -> dict:
        """What a results folder records of the posterior (with the run's assignment when
        its seed and replications are given)."""
        found: dict[str, Any] = {
            "file": self.file,
            "sha256": self.digest,
            "draws": self.draws,
            "effective_draws": round(self.effective_draws, 2),
            "parameters": list(self.parameters),
            "stream": POSTERIOR_STREAM,
        }
        if root_seed is not None and replications is not None:
            drawn = self.assignment(root_seed, replications)
            found["distinct_draws_used"] = len(set(drawn.tolist()))
            found["replication_draws"] = drawn.tolist()
        return found


def read_posterior(
    path: str | os.PathLike[str], scenario_data: dict[str, Any], space: Space | None = None
) -> Posterior:
    """Read a posterior file and check it against a scenario's resolved data.

    Every parameter column must name a number of the scenario (and, with ``space``, a
    parameter of it: an integer one is rounded), every value must be a finite number, the
    draws the integers 0 to n-1, the weights non-negative and summing to 1, at least two rows,
    and the scenario valid at each column's lowest and highest value. Raises ScenarioError,
    one ``FILE: column 'x': message`` per problem.
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError([_problem(file, "(file)", f"cannot read: {exc.strerror}")]) from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError([_problem(file, "(file)", "not UTF-8 text")]) from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader if row]  # blank lines skipped
    except csv.Error as exc:
        raise ScenarioError([_problem(file, f"line {reader.line_num}", str(exc))]) from None
    if not rows:
        raise ScenarioError([_problem(file, "(file)", "empty: expected a header line")])
    header = [name.strip() for name in rows[0][1]]
    body = [row for _, row in rows[1:]]
    lines = [number for number, _ in rows[1:]]
    problems = _header_problems(file, header, scenario_data, space)
    for number, row in rows[1:]:
        if len(row) != len(header):
            message = f"{len(row)} fields, the header has {len(header)}"
            problems.append(_problem(file, f"line {number}", message))
            break
    if problems:
        raise ScenarioError(problems)
    if len(body) < MIN_DRAWS:
        raise ScenarioError(
            [_problem(file, "(file)", f"{len(body)} draw rows; a posterior needs at least 2")]
        )
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        cells = [row[j] for row in body]
        parsed, message = _numbers(cells, lines)
        if message is None and name == DRAW:
            message = _draw_problem(parsed, lines)
        if message is None and name == WEIGHT:
            message = _weight_problem(parsed, lines)
        if message is not None:
            problems.append(_problem(file, _column(name), message))
        columns[name] = parsed
    if problems:
        raise ScenarioError(problems)
    order = np.argsort(columns[DRAW], kind="stable")
    parameters = [name for name in header if name not in (DRAW, WEIGHT)]
    integers = frozenset(p for p in parameters if space is not None and space.parameters[p].integer)
    for name in parameters:
        problems += _value_problems(
            file, name, columns[name], lines, scenario_data, name in integers
        )
    if problems:
        raise ScenarioError(problems)
    values = np.column_stack([columns[p][order] for p in parameters])
    if integers:
        for j, name in enumerate(parameters):
            if name in integers:
                values[:, j] = np.floor(values[:, j] + 0.5)
    weights = columns[WEIGHT][order]
    return Posterior(
        file=file,
        parameters=parameters,
        values=values,
        weights=weights / weights.sum(),
        digest=digest,
        base_data=copy.deepcopy(scenario_data),
        integers=integers,
    )


def _header_problems(
    file: str, header: list[str], data: dict[str, Any], space: Space | None
) -> list[Problem]:
    """Missing ``draw`` or ``weight``, repeated names, and parameter columns that are no
    number of the scenario (or, with ``space``, not in it)."""
    problems: list[Problem] = []

    def report(where: str, message: str) -> None:
        problems.append(_problem(file, where, message))

    for required, meaning in ((DRAW, "the integers 0 to n-1"), (WEIGHT, "weights summing to 1")):
        if required not in header:
            report(_column(required), f"missing: a posterior file needs it ({meaning})")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            report(_column(name), "appears twice in the header")
        seen.add(name)
    parameters = [n for n in dict.fromkeys(header) if n not in (DRAW, WEIGHT)]
    if not parameters and not problems:
        report("(file)", "no parameter columns: name scenario keys after draw and weight")
    for name in parameters:
        if not name:
            report(_column(name), "a column without a name")
            continue
        try:
            value = get_path(data, name)
        except KeyError:
            report(
                _column(name),
                f"not a number key of the scenario ({missing_message(data, name)})",
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = type(value).__name__ if isinstance(value, dict | list) else repr(value)
            report(_column(name), f"not a number key of the scenario (it holds {shown})")
            continue
        if space is not None and name not in space.parameters:
            report(_column(name), f"not a parameter of the space {space.file}")
    return problems


def _numbers(cells: list[str], lines: list[int]) -> tuple[np.ndarray, str | None]:
    """The cells as floats, or the first problem: not a number, NaN, infinite (``lines``:
    each cell's line in the file)."""
    values = np.empty(len(cells))
    for k, cell in enumerate(cells):
        line = lines[k]
        text = cell.strip()
        if not text:
            return values, f"empty at line {line}"
        try:
            value = float(text)
        except ValueError:
            return values, f"not a number at line {line} ({text[:40]!r})"
        if math.isnan(value):
            return values, f"NaN at line {line}: every value must be a number"
        if math.isinf(value):
            return values, f"infinite at line {line}: every value must be finite"
        values[k] = value
    return values, None


def _draw_problem(draws: np.ndarray, lines: list[int]) -> str | None:
    """Unless the draws are the integers 0 to n-1, each once: the first that is not."""
    n = len(draws)
    seen: set[float] = set()
    for k, draw in enumerate(draws):
        if not (float(draw).is_integer() and 0 <= draw < n) or draw in seen:
            again = " again" if draw in seen else ""
            return (
                f"draws must be the integers 0 to {n - 1}, each once (line {lines[k]}: "
                f"{draw:g}{again})"
            )
        seen.add(float(draw))
    return None


def _weight_problem(weights: np.ndarray, lines: list[int]) -> str | None:
    """Negative weights, or weights not summing to 1."""
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        k = int(negative[0])
        return f"negative weight at line {lines[k]} ({weights[k]:g}): weights must be 0 or more"
    total = float(weights.sum())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        return f"weights sum to {total:.9g}, not 1 (tolerance {WEIGHT_TOLERANCE:g})"
    return None


def _value_problems(
    file: str,
    name: str,
    values: np.ndarray,
    lines: list[int],
    data: dict[str, Any],
    integer: bool,
) -> list[Problem]:
    """A column's values against the scenario: the scenario valid at the column's first
    fractional value (a key that takes whole numbers only, unless ``integer``: rounded) and at
    its lowest and highest value (the others as the scenario has them)."""
    written = get_path(data, name)
    fractional = np.flatnonzero(np.floor(values) != values)
    if fractional.size and not integer:
        k = int(fractional[0])
        probe = copy.deepcopy(data)
        set_path(probe, name, as_written(written, float(values[k]), False))
        if _invalid(probe):
            message = (
                f"not a whole number at line {lines[k]} ({values[k]:g}); the scenario takes "
                "whole numbers here"
            )
            return [_problem(file, _column(name), message)]
    for where, value in (("lowest", float(values.min())), ("highest", float(values.max()))):
        probe = copy.deepcopy(data)
        set_path(probe, name, as_written(written, value, integer))
        message = _invalid(probe)
        if message:
            return [
                _problem(
                    file,
                    _column(name),
                    f"the scenario is invalid at the column's {where} value {value:g}: {message}",
                )
            ]
    return []
