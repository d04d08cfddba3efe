"""``discover``: scenario discovery. Samples the spaces (a Latin hypercube), runs every sample
with the same few replications, and reports with PRIM the ranges of the assumptions under
which a goal is met (``sim.studies.discover``). Shares the analysis commands' options and
checks all its input before it claims its folder."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.analysis.tuning import select_goals
from sim.cli.analysis import _fmt, _run, _study_folder
from sim.cli.common import (
    EXIT_OK,
    Command,
    add_replication_options,
    positive_int,
    probability,
)
from sim.plots.discovery import plot_discovery
from sim.report import write_report
from sim.scenario.posterior import read_posterior
from sim.studies import discover
from sim.studies.common import Setup, prepare


def add_parsers(commands: argparse._SubParsersAction) -> dict[str, Command]:
    """Register ``discover``."""
    parser = commands.add_parser(
        "discover",
        help="scenario discovery: the ranges of the assumptions under which a goal is met (PRIM)",
    )
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument(
        "--space",
        required=True,
        action="append",
        help="parameters to sample, repeatable (e.g. --space scenarios/spaces/uncertain.yaml "
        "--space scenarios/spaces/assumptions.yaml); a parameter in two files is kept as the "
        "first has it",
    )
    parser.add_argument(
        "--goal",
        required=True,
        help="the goal key (several separated by commas: all of them met)",
    )
    parser.add_argument(
        "--samples", type=positive_int, default=500, help="Latin-hypercube samples (default 500)"
    )
    add_replication_options(parser, default_replications=4)
    parser.add_argument(
        "--threshold",
        type=probability,
        default=0.5,
        help="a sample meets the goal when the share of its replications meeting it is at "
        "least this (default 0.5)",
    )
    parser.add_argument(
        "--min-density",
        type=probability,
        default=0.8,
        help="PRIM's density threshold: the chosen box is the widest whose density (share of "
        "its samples meeting the goal) reaches this once its restrictions that may be chance "
        "(quasi-p > 0.05) are dropped (default 0.8)",
    )
    parser.add_argument(
        "--posterior",
        metavar="FILE",
        help="a calibration's posterior.csv: its parameters (which must be in the spaces) are "
        "drawn from it, jointly and by weight, instead of the hypercube",
    )
    parser.add_argument("--out", "-o", help="results folder (default results/discover_<name>)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the finished samples stored in OUT/units (same scenario, spaces, seed, "
        "samples, replications and goal; --threshold and --min-density may change)",
    )
    return {"discover": cmd_discover}


def _check(args: argparse.Namespace, setup: Setup) -> None:
    """The goal, and the posterior file against the scenario and the spaces (kept on
    ``args``), before the folder is claimed."""
    select_goals(setup.scenario, args.goal)
    args.posterior_draws = (
        read_posterior(args.posterior, setup.tree.data, setup.space) if args.posterior else None
    )


def cmd_discover(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _study_folder(
        args,
        "discover",
        discover.KIND,
        lambda: prepare(args.scenario, args.space, None, first_wins=True),
        lambda setup: _check(args, setup),
    ) as (folder, setup):
        study = _run(
            lambda **kw: discover.discover_scenario(
                args.scenario,
                args.space,
                folder.path,
                args.goal,
                args.samples,
                args.replications,
                args.seed,
                args.threshold,
                args.min_density,
                resume=args.resume,
                setup=setup,
                posterior=args.posterior_draws,
                **kw,
            ),
            args,
            args.samples * args.replications,
            err,
            "discover",
        )
        result = study.result
        manifest = study.manifest
        goals = ", ".join(study.goals)
        out.print(
            f"Scenario discovery of {goals} in {setup.scenario.name}: {args.samples} samples of "
            f"{setup.space.dimension} parameters x {args.replications} replications; "
            f"{result.cases} samples meet it (P(met) >= {args.threshold:g})",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
        stats = result.chosen_stats()
        if stats is not None and not result.boxes.empty:
            table = Table(
                title=f"The goal is met (density {stats['density']:.2f}) in this box, which "
                f"holds {stats['coverage']:.0%} of the samples that meet it (coverage) and "
                f"{stats['mass']:.0%} of all samples (mass)",
                title_justify="left",
            )
            for column in ("parameter", "box", "space's bounds", "quasi-p low / high"):
                table.add_column(column, justify="left" if column == "parameter" else "right")
            for row in result.boxes.itertuples(index=False):
                box = {
                    "low": f">= {_fmt(row.low)}",
                    "high": f"<= {_fmt(row.high)}",
                }.get(row.restricted, f"{_fmt(row.low)}–{_fmt(row.high)}")
                qp = " / ".join("–" if v != v else f"{v:.2g}" for v in (row.qp_low, row.qp_high))
                table.add_row(
                    escape(row.parameter),
                    box,
                    f"{_fmt(row.bound_low)}–{_fmt(row.bound_high)}",
                    qp,
                )
            out.print(table)
            out.print(
                f"mean P(met) of the samples inside the box {manifest['p_met_inside']:.2f}, "
                f"outside it {_or_dash(manifest['p_met_outside'])}",
                highlight=False,
                markup=False,
            )
        elif stats is not None:
            out.print(
                "no parameter needs restricting: the goal is met in most samples anywhere in "
                "the space",
                highlight=False,
                markup=False,
            )
        written = study.write(folder)
        if not args.no_plots:
            written += plot_discovery(folder, study)
        written.append(write_report(folder))
        reused = manifest["evaluations_reused"]
        run = manifest["evaluations_run"]
        out.print(
            f"{run} evaluation{'' if run == 1 else 's'} run"
            + (f", {reused} reused from {folder.path / 'units'}" if reused else "")
            + f", {manifest['events']:,} SimPy events, {manifest['wall_seconds']:.1f} s; "
            f"wrote {', '.join(p.name for p in written)} to {folder.path}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
        for note in manifest["notes"]:
            out.print(f"note: {note}", highlight=False, soft_wrap=True, markup=False)
        return EXIT_OK


def _or_dash(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
