"""``zonesim plot``, ``report``, ``describe`` and ``validate``: redraw and report a results
folder, list a scenario's parameters, check input files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    BadInput,
    Command,
    add_language_option,
    chinese_font_or_bad_input,
    language_of,
    output_folder,
    print_problems,
)
from sim.experiment.runner import check_events, expected_events
from sim.indicators import INDICATORS
from sim.plots import plot_folder
from sim.report import write_report
from sim.results import MARKER
from sim.results.files import write_atomic
from sim.scenario import ScenarioError, load_scenario_with_tree
from sim.scenario.errors import Problem, printable
from sim.scenario.holdout import load_holdout
from sim.scenario.loader import load, read_tree
from sim.scenario.observations import load_observations
from sim.scenario.provenance import CLASSES, parameter_table
from sim.scenario.space import SpaceFile


def add_parsers(commands: argparse._SubParsersAction) -> dict[str, Command]:
    """Register ``plot``, ``report``, ``describe`` and ``validate``."""
    plot = commands.add_parser("plot", help="redraw the plots of a results or comparison folder")
    plot.add_argument("folder", help="a folder written by run or compare")

    report = commands.add_parser("report", help="write OUT/report.html, one self-contained page")
    report.add_argument("folder", help="a folder written by run, compare or discover")
    add_language_option(report)

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

    validate = commands.add_parser(
        "validate", help="check scenario, observation and parameter-space files without running"
    )
    validate.add_argument("scenarios", nargs="+", help="YAML files")
    return {
        "plot": cmd_plot,
        "report": cmd_report,
        "describe": cmd_describe,
        "validate": cmd_validate,
    }


def cmd_plot(args: argparse.Namespace, out: Console, err: Console) -> int:
    with output_folder(args, args.folder, None) as folder:
        paths = plot_folder(folder)
    out.print(
        f"drew {len(paths)} plots in {Path(args.folder) / 'plots'}", highlight=False, markup=False
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: Console, err: Console) -> int:
    language = language_of(args)
    if language == "zh":  # before the folder is claimed: one line, nothing written
        chinese_font_or_bad_input()
    with output_folder(args, args.folder, None) as folder:
        path = write_report(folder, language)
    out.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False, markup=False)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Check scenario, observation, pattern and parameter-space files (recognised by their
    top-level keys)."""
    status = EXIT_OK
    for path in args.scenarios:
        try:
            out.print(_validate_one(path), highlight=False, soft_wrap=True, markup=False)
        except ScenarioError as exc:
            print_problems(exc)
            status = EXIT_BAD_INPUT
    return status


def _validate_one(path: str) -> str:
    """Check one file as the command that reads it would: a scenario (schema, cross-checks and
    the event guard of ``run``), observations or patterns (schema and known indicators),
    held-out figures (schema, known indicators, no figure twice), or a parameter space
    (schema; its keys are checked against a scenario by the commands that use it). The kind
    is recognised by the file's top-level keys."""
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
        return f"ok: {printable(path)}: {len(observations.observations)} observed figures"
    if "held_out" in tree.data and "arrivals" not in tree.data:
        held = load_holdout(path)
        return f"ok: {printable(path)}: {len(held.held_out)} held-out figures"
    if "parameters" in tree.data and "arrivals" not in tree.data:
        space = load(path, SpaceFile)[0]
        return (
            f"ok: {printable(path)}: parameter space of {len(space.parameters)} parameters "
            "(their keys are checked against the scenario by the command that uses it)"
        )
    scenario, tree = load_scenario_with_tree(path)
    try:
        check_events(scenario, "(file)")
    except ValueError as exc:
        message = str(exc).removeprefix("(file): ")
        raise ScenarioError(
            [Problem(path, 1, 1, "(file)", f"{message} (run refuses it without --force)")]
        ) from None
    chain = " <- ".join(reversed(tree.files))
    return printable(
        f"ok: {path}: scenario '{scenario.name}' ({chain}); {len(scenario.carriers)} carriers, "
        f"{len(scenario.arrivals.origins)} arrival origins, "
        f"about {scenario.expected_arrivals():,.0f} arrivals and "
        f"{expected_events(scenario):,.0f} events per replication"
    )


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
        content = text if text is not None else table.to_string(index=False)
        _check_own_file(Path(args.out), content)
        write_atomic(Path(args.out), content)
        out.print(
            f"wrote {len(table)} parameters ({summary}) to {args.out}",
            highlight=False,
            markup=False,
        )
    elif text is not None:
        sys.stdout.write(text)
    else:
        rich = Table(
            title=f"Parameters of '{escape(scenario.name)}' ({summary})", title_justify="left"
        )
        for column in ("key", "value", "unit", "provenance", "source", "file"):
            rich.add_column(column, overflow="fold")
        for row in table.itertuples(index=False):
            cells = [row.key, row.value, row.unit, row.provenance, row.source]
            rich.add_row(
                *(escape(printable(str(c))) for c in cells),
                escape(printable(f"{row.file}:{row.line}")),
            )
        out.print(rich)
    return EXIT_OK


def _check_own_file(path: Path, content: str) -> None:
    """``describe --out`` replaces only a file ``describe`` wrote (same first line): never a
    scenario or anything else of the user's."""
    if path.is_dir():
        raise BadInput(f"{path}: is a folder; give a file name")
    if (path.parent / MARKER).exists():
        raise BadInput(f"{path}: is in a zonesim results folder; choose another --out")
    if not path.exists():
        return
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        first = ""
    if not _describe_header(first) or not _describe_header(content.split("\n", 1)[0]):
        raise BadInput(
            f"{path}: exists and was not written by zonesim describe; choose another --out"
        )


def _describe_header(line: str) -> bool:
    """Whether a first line is one ``describe`` writes (markdown, CSV or table)."""
    words = line.replace(",", " ").split()
    return line.startswith("# Parameters of scenario ") or words[:3] == ["key", "value", "unit"]


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
