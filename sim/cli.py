"""The command line: ``zonesim run|validate ...`` (also ``python run_sim.py ...``).

The only module that parses arguments and prints. Exit codes: 0 success, 2 bad input (scenario
file, arguments, output folder), 1 anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.analysis.space import SpaceFile
from sim.api import compare_scenarios, run_scenario
from sim.experiment import engines
from sim.experiment.runner import expected_events, open_run_units
from sim.experiment.store import FolderBusy, folder_lock, write_atomic
from sim.experiment.units import ResumeMismatch
from sim.indicators import INDICATORS
from sim.plots import plot_comparison, plot_folder, plot_run
from sim.report import write_report
from sim.scenario import ScenarioError, load_scenario_with_tree
from sim.scenario.errors import Problem, printable
from sim.scenario.loader import load, read_tree
from sim.scenario.observations import load_observations
from sim.scenario.provenance import CLASSES, parameter_table
from sim.scenario.schema import Scenario

#: A replication expected to process more SimPy events than this needs --force.
MAX_EVENTS_PER_REPLICATION = 20_000_000

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """A problem with the user's input: printed as is, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage + message, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {value})")
    return value


def _add_replication_options(
    parser: argparse.ArgumentParser, default_replications: int = 200
) -> None:
    """The options every command that runs replications shares."""
    parser.add_argument(
        "--replications",
        "-n",
        type=_positive_int,
        default=default_replications,
        help=f"replications (per scenario or candidate; default {default_replications})",
    )
    parser.add_argument("--seed", type=_seed, default=2018, help="root seed (default 2018)")
    parser.add_argument(
        "--workers",
        "-w",
        type=_positive_int,
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zonesim",
        description="Discrete-event simulation of a high-tech zone's innovation ecosystem.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run replications of a scenario and print the goal table")
    run.add_argument("scenario", help="scenario YAML file")
    _add_replication_options(run)
    run.add_argument("--out", "-o", help="results folder (default results/<scenario name>)")
    run.add_argument(
        "--firm-records",
        action="store_true",
        help="also write firms.csv, one row per firm and replication",
    )
    run.add_argument(
        "--force", action="store_true", help="run even when the expected event count looks absurd"
    )
    run.add_argument(
        "--observations",
        action="append",
        help="observed figures or published patterns to mark on the plots, repeatable "
        "(default: observations.yaml and patterns.yaml beside the scenario, those present)",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="reuse the replications an interrupted run stored in OUT/units (same scenario, "
        "seed and --firm-records) and run only the missing ones",
    )

    compare = commands.add_parser(
        "compare", help="run scenarios with common random numbers and compare them with the first"
    )
    compare.add_argument("scenarios", nargs="+", help="scenario files; the first is the reference")
    _add_replication_options(compare)
    compare.add_argument("--out", "-o", help="comparison folder (default results/compare_<names>)")

    plot = commands.add_parser("plot", help="redraw the plots of a results or comparison folder")
    plot.add_argument("folder", help="a folder written by run or compare")

    report = commands.add_parser("report", help="write OUT/report.html, one self-contained page")
    report.add_argument("folder", help="a folder written by run or compare")

    describe = commands.add_parser(
        "describe", help="list every resolved parameter with its unit and provenance"
    )
    describe.add_argument("scenario", help="scenario YAML file")
    describe.add_argument(
        "--format",
        choices=("table", "csv", "markdown"),
        default="table",
        help="table (terminal, default), csv or markdown",
    )
    describe.add_argument("--out", "-o", help="write to this file instead of printing")

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")

    from sim import cli_analysis  # imports this module's helpers

    cli_analysis.add_parsers(commands)
    return parser


# ----------------------------------------------------------------------------- commands
def cmd_validate(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Check scenario, observation, pattern and parameter-space files (recognised by their
    top-level keys)."""
    status = EXIT_OK
    for path in args.scenarios:
        try:
            out.print(_validate_one(path), highlight=False, soft_wrap=True)
        except ScenarioError as exc:
            _print_problems(exc)
            status = EXIT_BAD_INPUT
    return status


def _validate_one(path: str) -> str:
    """Check one file as the command that reads it would: a scenario (schema, cross-checks and
    the event guard of ``run``), observations or patterns (schema and known indicators), or a
    parameter space (schema; its keys are checked against a scenario by the commands that
    use it). The kind is recognised by the file's top-level keys."""
    tree = read_tree(path)
    if "observations" in tree.data and "arrivals" not in tree.data:
        observations = load_observations(path)
        unknown = [
            Problem(*tree.locate(("observations", i, "indicator")), f"unknown indicator {o!r}")
            for i, o in enumerate(o.indicator for o in observations.observations)
            if o.partition(".")[0] not in INDICATORS
        ]
        if unknown:
            raise ScenarioError(unknown)
        return f"ok: {path}: {len(observations.observations)} observed figures"
    if "parameters" in tree.data and "arrivals" not in tree.data:
        space = load(path, SpaceFile)[0]
        return (
            f"ok: {path}: parameter space of {len(space.parameters)} parameters (their keys "
            "are checked against the scenario by the command that uses it)"
        )
    scenario, tree = load_scenario_with_tree(path)
    events = expected_events(scenario)
    if events > MAX_EVENTS_PER_REPLICATION:
        raise ScenarioError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "(file)",
                    f"about {events:,.0f} events per replication expected (limit "
                    f"{MAX_EVENTS_PER_REPLICATION:,}); check the arrival rates and the horizon "
                    "(run refuses it without --force)",
                )
            ]
        )
    chain = " <- ".join(reversed(tree.files))
    return (
        f"ok: {path}: scenario '{scenario.name}' ({chain}); {len(scenario.carriers)} carriers, "
        f"{len(scenario.arrivals.origins)} arrival origins, "
        f"about {scenario.expected_arrivals():,.0f} arrivals and "
        f"{events:,.0f} events per replication"
    )


def cmd_run(args: argparse.Namespace, out: Console, err: Console) -> int:
    scenario, tree = load_scenario_with_tree(args.scenario)
    estimate = expected_events(scenario)
    if estimate > MAX_EVENTS_PER_REPLICATION and not args.force:
        raise BadInput(
            f"{args.scenario}: about {estimate:,.0f} events per replication expected "
            f"(limit {MAX_EVENTS_PER_REPLICATION:,}); check the arrival rates and the horizon, "
            "or pass --force"
        )
    out_dir = Path(args.out) if args.out else Path("results") / scenario.name
    _check_writable(out_dir)
    with folder_lock(out_dir):
        return _run_into(args, out, err, scenario, out_dir)


def _run_into(
    args: argparse.Namespace, out: Console, err: Console, scenario: Scenario, out_dir: Path
) -> int:
    """The run of ``cmd_run``, its output folder locked."""
    # Finished replications are stored in OUT/units as they complete, so that an interrupted
    # run can be resumed; the folder is deleted once the tables are written.
    units_dir = out_dir / "units"
    if args.resume:  # check the stored units before starting an engine
        try:
            open_run_units(units_dir, scenario, args.seed, args.firm_records, resume=True)
        except ResumeMismatch as exc:
            raise BadInput(str(exc)) from None
    try:
        with (
            open_engine(args, min(args.workers, args.replications)) as (executor, workers),
            _progress(args.replications, args.no_progress, err, scenario.name) as advance,
        ):
            run = run_scenario(
                args.scenario,
                args.replications,
                args.seed,
                workers=workers,
                executor=executor,
                firm_records=args.firm_records,
                progress=advance,
                observations=args.observations,
                units_dir=units_dir,
                resume=args.resume,
            )
    except KeyboardInterrupt:
        kept = len(list(units_dir.glob("rep-*.json")))
        print(
            f"zonesim: {kept} finished replication{'s are' if kept != 1 else ' is'} kept in "
            f"{units_dir}; rerun the same command with --resume to run only the others",
            file=sys.stderr,
        )
        raise
    written = _write_run(run, out_dir, units_dir)
    shutil.rmtree(units_dir, ignore_errors=True)
    plots = [] if args.no_plots else plot_run(out_dir)
    out.print(goal_rich_table(run.goals, scenario.name, args.replications))
    results = run.results
    drawn = f" and {len(plots)} plots in plots/" if plots else ""
    reused = ""
    if args.resume:
        reused = f"; {results.reused} reused from {units_dir}" if results.reused else ""
        reused = reused or f"; nothing to reuse in {units_dir}"
    out.print(
        f"{results.replications} replications in {results.wall_seconds:.1f} s "
        f"({workers} worker{'s' if workers > 1 else ''}"
        f"{f', Dask {args.dask}' if args.dask else ''}), {results.events:,} SimPy events"
        f"{reused}; wrote {', '.join(p.name for p in written)}{drawn} to {out_dir}",
        highlight=False,
        soft_wrap=True,
    )
    return EXIT_OK


def _write_run(run, out_dir: Path, units_dir: Path) -> list[Path]:
    """Write a run's tables into a hidden folder inside ``out_dir``, then rename them into
    place: a write that fails (a full disk) leaves the earlier results there as they were,
    and the stored replications for ``--resume``."""
    moved: list[Path] = []
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=out_dir))
        for path in run.write(staging):
            os.replace(path, out_dir / path.name)
            moved.append(out_dir / path.name)
    except OSError as exc:
        state = (
            f"{len(moved)} of the new files were already in place"
            if moved
            else "the files there are unchanged"
        )
        kept = len(list(units_dir.glob("rep-*.json")))
        raise OSError(
            exc.errno,
            f"{exc.strerror or exc}: cannot write the results to {out_dir} ({state}); the "
            f"{kept} finished replication{'s are' if kept != 1 else ' is'} kept in "
            f"{units_dir}: make room and rerun the same command with --resume",
        ) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return moved


def cmd_compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    if len(args.scenarios) < 2:
        raise BadInput("compare needs at least two scenario files")
    loaded = [load_scenario_with_tree(path)[0] for path in args.scenarios]
    names = [scenario.name for scenario in loaded]
    if len(set(names)) != len(names):
        raise BadInput(f"scenario names must differ to be compared: {', '.join(names)}")
    for path, scenario in zip(args.scenarios, loaded, strict=True):
        if expected_events(scenario) > MAX_EVENTS_PER_REPLICATION:
            raise BadInput(f"{path}: about {expected_events(scenario):,.0f} events per replication")
    out_dir = Path(args.out) if args.out else Path("results") / ("compare_" + "_vs_".join(names))
    _check_writable(out_dir)
    with folder_lock(out_dir):
        total = args.replications * len(names)
        with (
            open_engine(args, min(args.workers, args.replications)) as (executor, workers),
            _progress(total, args.no_progress, err, "compare") as advance,
        ):
            comparison = compare_scenarios(
                args.scenarios,
                args.replications,
                args.seed,
                workers=workers,
                executor=executor,
                progress=advance,
            )
        written = comparison.write(out_dir)
        if not args.no_plots:
            written += plot_comparison(out_dir)
        out.print(
            f"Compared with '{names[0]}' under common random numbers "
            f"(seed {args.seed}, {args.replications} replications each):",
            highlight=False,
        )
        for name, lines in comparison.differences.items():
            out.print(f"\n[bold]{name}[/bold] differs from {names[0]} in:", highlight=False)
            for line in lines:
                out.print(f"  {line}", highlight=False, soft_wrap=True, markup=False)
        out.print(goal_change_table(comparison, names))
        end_year = max(scenario.horizon.end_year for scenario in loaded)
        out.print(end_change_table(comparison, names, end_year))
        out.print(f"wrote {len(written)} files and folders to {out_dir}", highlight=False)
        return EXIT_OK


def goal_change_table(comparison, names: list[str]) -> Table:
    """P(goal met) per scenario with the paired change against the reference."""
    table = Table(
        title="Probability of meeting each 2020 goal: P, change against the first, 95 % CI",
        title_justify="left",
    )
    table.add_column("goal", no_wrap=True)
    table.add_column(names[0], justify="right")
    for name in names[1:]:
        table.add_column(name, justify="right", no_wrap=True)
    goals = comparison.goal_comparison
    for goal in dict.fromkeys(goals["goal"]):
        rows = goals[goals["goal"] == goal].set_index("scenario")
        cells = [f"{rows['p_met_base'].iloc[0]:.2f}"]
        for name in names[1:]:
            row = rows.loc[name]
            cells.append(f"{row.p_met:.2f} {_change(row.p_diff, row.ci_low, row.ci_high, 2)}")
        table.add_row(goal, *cells)
    return table


def end_change_table(comparison, names: list[str], year: int) -> Table:
    """Paired differences of the compared indicators in one year."""
    table = Table(
        title=f"Change against '{names[0]}' in {year} (mean paired difference, 95 % CI)",
        title_justify="left",
    )
    table.add_column("indicator", no_wrap=True)
    table.add_column(names[0], justify="right", no_wrap=True)
    for name in names[1:]:
        table.add_column(name, justify="right", no_wrap=True)
    diffs = comparison.comparison
    diffs = diffs[diffs["year"] == year]
    for indicator in dict.fromkeys(diffs["indicator"]):
        rows = diffs[diffs["indicator"] == indicator].set_index("scenario")
        scale, label = (1e6, f"{indicator} (M)") if indicator.endswith("_yuan") else (1, indicator)
        base = rows["base_mean"].iloc[0] / scale
        digits = 1 if scale > 1 else (3 if abs(base) < 2 else 0)
        cells = [_number(base, digits)]
        for name in names[1:]:
            row = rows.loc[name]
            cells.append(
                _change(row.diff_mean / scale, row.ci_low / scale, row.ci_high / scale, digits)
            )
        table.add_row(label, *cells)
    return table


def _number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _change(mean: float, low: float, high: float, digits: int) -> str:
    if math.isnan(low):
        return f"{mean:+,.{digits}f}"
    return f"{mean:+,.{digits}f} [{low:+,.{digits}f}, {high:+,.{digits}f}]"


def _results_folder(folder: str) -> Path:
    path = Path(folder)
    if not (path / "trajectories.csv").is_file() and not (path / "comparison.json").is_file():
        raise BadInput(f"{folder}: not a results folder (no trajectories.csv or comparison.json)")
    return path


def cmd_plot(args: argparse.Namespace, out: Console, err: Console) -> int:
    paths = plot_folder(_results_folder(args.folder))
    out.print(f"drew {len(paths)} plots in {Path(args.folder) / 'plots'}", highlight=False)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: Console, err: Console) -> int:
    path = write_report(_results_folder(args.folder))
    out.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)
    return EXIT_OK


def cmd_describe(args: argparse.Namespace, out: Console, err: Console) -> int:
    scenario, tree = load_scenario_with_tree(args.scenario)
    table = parameter_table(tree)
    counts = table["provenance"].value_counts()
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in (*CLASSES, "missing") if counts.get(k))
    if args.format == "csv":
        text = table.to_csv(index=False, lineterminator="\n")
    elif args.format == "markdown":
        text = _markdown(scenario.name, tree.files, table, summary)
    else:
        text = None
    if args.out:
        write_atomic(Path(args.out), text if text is not None else table.to_string(index=False))
        out.print(f"wrote {len(table)} parameters ({summary}) to {args.out}", highlight=False)
    elif text is not None:
        sys.stdout.write(text)
    else:
        rich = Table(title=f"Parameters of '{scenario.name}' ({summary})", title_justify="left")
        for column in ("key", "value", "unit", "provenance", "source", "file"):
            rich.add_column(column, overflow="fold")
        for row in table.itertuples(index=False):
            rich.add_row(
                row.key, row.value, row.unit, row.provenance, row.source, f"{row.file}:{row.line}"
            )
        out.print(rich)
    return EXIT_OK


def _markdown(name: str, files: tuple[str, ...], table: pd.DataFrame, summary: str) -> str:
    lines = [
        f"# Parameters of scenario '{name}'",
        "",
        f"Files: {' <- '.join(reversed(files))}. Provenance: {summary}.",
        "",
        "| key | value | unit | provenance | source | file:line |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        cells = [row.key, row.value, row.unit, row.provenance, row.source, f"{row.file}:{row.line}"]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- printing
def goal_rich_table(goals: pd.DataFrame, name: str, replications: int) -> Table:
    """The goal table for the terminal; reasons for goals not modelled go in the caption."""
    table = Table(
        title=f"2020 goals: scenario '{escape(name)}', {replications} replications",
        title_justify="left",
        caption_justify="left",
    )
    for column, justify in (
        ("goal", "left"),
        ("target", "right"),
        ("2018", "right"),
        ("2020 median", "right"),
        ("5–95 %", "right"),
        ("P(met)", "right"),
        ("status", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)
    reasons = []
    for row in goals.itertuples(index=False):
        if row.status.startswith("not modelled"):
            reason = printable(row.status.removeprefix("not modelled: "))
            reasons.append(f"{escape(row.goal)}: {escape(reason)}")
            table.add_row(
                escape(row.goal),
                _given(row.target),
                _given(row.baseline_2018),
                "",
                "",
                "",
                "not modelled",
                style="dim",
            )
            continue
        table.add_row(
            escape(row.goal),
            _given(row.target),
            _given(row.baseline_2018),
            _fmt(row.median_2020),
            f"{_fmt(row.p05_2020)}–{_fmt(row.p95_2020)}",
            f"{row.p_met:.2f}",
            row.status,
        )
    if reasons:
        table.caption = "Not modelled: " + "; ".join(reasons) + "."
    return table


def _given(value: float) -> str:
    """A figure from the sources, as written."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,g}"


def _fmt(value: float) -> str:
    """Counts and money as whole numbers, small values with a few decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    magnitude = abs(value)
    if magnitude >= 10:
        return f"{value:,.0f}"
    if magnitude >= 1 or value == 0:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.3f}"


def _print_problems(exc: ScenarioError) -> None:
    for problem in exc.problems:
        print(problem.format(), file=sys.stderr)


class _progress:
    """A rich progress bar over replications (or nothing)."""

    def __init__(self, total: int, disabled: bool, console: Console, name: str) -> None:
        self.progress = (
            None
            if disabled
            else Progress(
                TextColumn(f"[bold]{name}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("replications"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
        )
        self.total = total

    def __enter__(self):
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


def _check_writable(out_dir: Path) -> None:
    """Fail before running if the results folder cannot be written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"{out_dir}: exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise BadInput(f"{out_dir}: cannot write results there ({exc.strerror or exc})") from None


# ----------------------------------------------------------------------------- entry point
COMMANDS = {
    "run": cmd_run,
    "compare": cmd_compare,
    "describe": cmd_describe,
    "plot": cmd_plot,
    "report": cmd_report,
    "validate": cmd_validate,
}


def main(argv: list[str] | None = None) -> int:
    from sim.cli_analysis import COMMANDS as ANALYSIS_COMMANDS

    COMMANDS.update(ANALYSIS_COMMANDS)
    args = build_parser().parse_args(argv)
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    err = Console(stderr=True)
    try:
        return COMMANDS[args.command](args, out, err)
    except ScenarioError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    except (BadInput, FolderBusy) as exc:
        print(f"zonesim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("zonesim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        print(f"zonesim: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
