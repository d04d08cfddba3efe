"""What the commands share: exit codes, the parser, argument types, the replication options,
the progress bar, the engine, and claiming the output folder."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sim.experiment import engines
from sim.language import LANGUAGE_VARIABLE, LANGUAGES, Language, resolve_language
from sim.results import OutputFolder, claim
from sim.scenario import ScenarioError
from sim.scenario.errors import printable

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

#: A command: parsed arguments, the console for results, the console for progress -> exit code.
Command = Callable[[argparse.Namespace, Console, Console], int]


class BadInput(Exception):
    """A problem with the user's input: printed as is, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse's parser, exiting with code 2 and one line on bad arguments."""

    def error(self, message: str) -> None:  # argparse prints usage + message, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {printable(message)}\n")


def _whole_number(text: str, least: int, wording: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {wording} (got {value})")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "at least 1")


def seed(text: str) -> int:
    return _whole_number(text, 0, "0 or more")


def probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1] (got {value})")
    return value


def year(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a year")
    return int(text)


def add_replication_options(
    parser: argparse.ArgumentParser, default_replications: int = 200
) -> None:
    """The options every command that runs replications shares."""
    parser.add_argument(
        "--replications",
        "-n",
        type=positive_int,
        default=default_replications,
        help=f"replications (per scenario or candidate; default {default_replications})",
    )
    parser.add_argument("--seed", type=seed, default=2018, help="root seed (default 2018)")
    parser.add_argument(
        "--workers",
        "-w",
        type=positive_int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS|local",
        help="run the replications on Dask: 'local' starts a local cluster of --workers "
        "processes; a scheduler address such as tcp://HOST:8786 uses that cluster's workers "
        "(--workers is then ignored). Results are identical on every engine. Needs the "
        "cluster extra: pip install 'zonesim[cluster]'",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-plots", action="store_true", help="do not draw plots")


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of tables, summaries, plots and pages."""
    parser.add_argument(
        "--lang",
        help=f"language of the output: {' or '.join(LANGUAGES)} (default: ${LANGUAGE_VARIABLE}, "
        "else en)",
    )


def language_of(args: argparse.Namespace) -> Language:
    """The language a command was asked for (``--lang``, else ``ZONESIM_LANG``, else en);
    anything else is bad input (exit 2, before anything is written)."""
    try:
        return resolve_language(getattr(args, "lang", None))
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def chinese_font_or_bad_input() -> None:
    """Drawing or writing in Chinese needs a font with Chinese glyphs: without one, one line
    saying what to install (exit 2)."""
    from sim.plots.fonts import NoChineseFont, chinese_font

    try:
        chinese_font()
    except NoChineseFont as exc:
        raise BadInput(str(exc)) from None


class progress_bar:
    """A rich progress bar over replications (or nothing); entering gives the callback that
    advances it (or None)."""

    def __init__(self, total: int, disabled: bool, console: Console, name: str) -> None:
        self.progress = (
            None
            if disabled
            else Progress(
                TextColumn(f"[bold]{printable(name).replace('[', '(')}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("replications"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
        )
        self.total = total

    def __enter__(self) -> Callable[[int], None] | None:
        if self.progress is None:
            return None
        self.progress.start()
        task = self.progress.add_task("run", total=self.total)
        return lambda done: self.progress.advance(task, done)

    def __exit__(self, *exc_info: object) -> None:
        if self.progress is not None:
            self.progress.stop()


@contextlib.contextmanager
def open_engine(
    args: argparse.Namespace, workers: int | None = None
) -> Iterator[tuple[Executor | None, int]]:
    """The executor the replication options ask for (``--workers``, or ``workers``; ``--dask``)
    and how many replications it runs at once; closed on exit."""
    try:
        with engines.open_engine(workers or args.workers, getattr(args, "dask", None)) as engine:
            yield engine.executor, engine.workers
    except engines.EngineError as exc:
        raise BadInput(str(exc)) from None


def command_line(argv: list[str]) -> str:
    """The command as typed (for the folder's marker), control characters escaped."""
    return printable(shlex.join(["zonesim", *argv]))


@contextlib.contextmanager
def output_folder(
    args: argparse.Namespace, path: str | os.PathLike[str], kind: str | None
) -> Iterator[OutputFolder]:
    """Claim the output folder for this command (see ``sim.results.claim``); the marker names
    the command line ``main`` keeps in ``args.command_line``."""
    with claim(Path(path), kind, getattr(args, "command_line", "zonesim")) as folder:
        yield folder


def print_problems(exc: ScenarioError) -> None:
    """One line per problem of a scenario, observation or space file, on stderr."""
    for problem in exc.problems:
        print(problem.format(), file=sys.stderr)
