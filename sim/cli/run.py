"""``zonesim run`` and ``zonesim compare``: run scenarios and write their results folders."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sim.analysis.goals import probability_basis
from sim.analysis.verdict import summary
from sim.cli.common import (
    EXIT_OK,
    BadInput,
    Command,
    add_language_option,
    add_replication_options,
    chinese_font_or_bad_input,
    language_of,
    open_engine,
    output_folder,
    progress_bar,
)
from sim.cli.tables import (
    cost_table,
    coverage_line,
    end_change_table,
    goal_change_table,
    goal_rich_table,
    holdout_rich_table,
    pricing_lines,
    share_table,
)
from sim.experiment.runner import TooManyEvents, check_events, open_run_units
from sim.language import term
from sim.plots import plot_comparison, plot_run
from sim.results import OutputFolder
from sim.results.units import ResumeMismatch, discard_units
from sim.scenario import load_scenario_with_tree
from sim.scenario.errors import printable
from sim.scenario.holdout import load_holdout
from sim.scenario.observations import check_zone
from sim.scenario.posterior import Posterior, read_posterior
from sim.scenario.schema import Scenario
from sim.scenario.space import load_space
from sim.studies.common import observations_beside
from sim.studies.compare import compare_scenarios, share_variants
from sim.studies.run import (
    POINT_VALUE_UNITS,
    TABLE_FORMATS,
    open_point_value_units,
    posterior_scenarios,
    run_scenario,
)


def add_parsers(commands: argparse._SubParsersAction) -> dict[str, Command]:
    """Register ``run`` and ``compare``."""
    run = commands.add_parser("run", help="run replications of a scenario and print the goal table")
    run.add_argument("scenario", help="scenario YAML file")
    add_replication_options(run)
    run.add_argument("--out", "-o", help="results folder (default results/<scenario name>)")
    run.add_argument(
        "--firm-records",
        action="store_true",
        help="also write firms.csv, one row per firm and replication",
    )
    run.add_argument(
        "--format",
        choices=TABLE_FORMATS,
        default="csv",
        help="csv (default), or parquet for the long tables trajectories and firms (needs "
        "pip install 'zonesim[parquet]')",
    )
    run.add_argument(
        "--force", action="store_true", help="run even when the expected event count looks absurd"
    )
    run.add_argument(
        "--observations",
        action="append",
        help="observed figures or published patterns to mark on the plots, repeatable "
        "(default: observations.yaml and patterns.yaml beside the scenario, those present "
        "that name the scenario's zone); 'none': no observed figures",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="reuse the replications an interrupted run stored in OUT/units (same scenario, "
        "seed, --firm-records and --posterior) and run only the missing ones",
    )
    run.add_argument(
        "--posterior",
        metavar="FILE",
        help="a calibration posterior (posterior.csv: draw, weight, one column per scenario "
        "key): replications run its draws in pairs, so P(met) includes parameter "
        "uncertainty; the same replications also run at the scenario's values (p_met_fixed)",
    )
    run.add_argument(
        "--holdout",
        metavar="FILE",
        help="held-out figures of the scenario's zone (top-level key held_out): score the "
        "run against them (holdout.csv) and print which fall inside the simulated 90 %% band",
    )
    add_language_option(run)

    compare = commands.add_parser(
        "compare", help="run scenarios with common random numbers and compare them with the first"
    )
    compare.add_argument("scenarios", nargs="+", help="scenario files; the first is the reference")
    add_replication_options(compare)
    compare.add_argument("--out", "-o", help="comparison folder (default results/compare_<names>)")
    compare.add_argument(
        "--posterior",
        metavar="FILE",
        help="a calibration posterior: every scenario runs the same draws in the same "
        "replications (its columns must be keys of each scenario)",
    )
    compare.add_argument(
        "--space",
        metavar="LEVERS",
        help="a levers file (e.g. scenarios/spaces/levers.yaml): price each policy against the "
        "first scenario: its extra cost, the cost per extra unit of each goal's indicator "
        "(cost_effectiveness.csv) and, for a policy moving several levers, each lever's share "
        "of the change (lever_shares.csv; 2 more runs a lever)",
    )
    return {"run": cmd_run, "compare": cmd_compare}


#: Folder names a comparison folder keeps for itself: no scenario compared may have them.
RESERVED_NAMES = frozenset({"plots", "units"})


def _event_guard(scenario: Scenario, path: str, force: bool | None = None) -> None:
    """Refuse a scenario expecting absurdly many events (``--force``, where offered, runs it)."""
    try:
        check_events(scenario, path)
    except TooManyEvents as exc:
        if not force:
            hint = ", or pass --force" if force is not None else ""
            raise BadInput(f"{exc}{hint}") from None


def _observations(args: argparse.Namespace, scenario: Scenario, err: Console) -> list[str]:
    """The observation files of a run: ``--observations`` as given (``none``: no files), else
    those beside the scenario of its zone, with a warning for each of another zone. Files of
    another zone given explicitly are refused (exit 2) when they are read."""
    given = args.observations
    if given is None:
        files, warnings = observations_beside(args.scenario, scenario)
        for warning in warnings:
            err.print(f"warning: {warning}", highlight=False, markup=False, soft_wrap=True)
        return [str(path) for path in files]
    if "none" in given:
        if len(given) > 1:
            raise BadInput("--observations none cannot be combined with observation files")
        return []
    for path in given:  # before the folder is claimed
        check_zone(path, scenario)
    return given


def _posterior(
    path: str | None, data: dict, seed: int, replications: int, force: bool | None = None
) -> Posterior | None:
    """The ``--posterior`` file read against a scenario's data, and every draw the run will use
    checked (invalid scenario: exit 2 naming the draw; the event guard, as for the scenario)."""
    if path is None:
        return None
    posterior = read_posterior(path, data)
    try:
        posterior_scenarios(posterior, seed, replications)
    except TooManyEvents as exc:
        if not force:
            hint = ", or pass --force" if force is not None else ""
            raise BadInput(f"{exc}{hint}") from None
    return posterior


def cmd_run(args: argparse.Namespace, out: Console, err: Console) -> int:
    args.language = language_of(args)
    if args.language == "zh" and not args.no_plots:  # one line before anything is written
        chinese_font_or_bad_input()
    scenario, tree = load_scenario_with_tree(args.scenario)
    _event_guard(scenario, args.scenario, args.force)
    args.posterior = _posterior(args.posterior, tree.data, args.seed, args.replications, args.force)
    args.observations = _observations(args, scenario, err)
    if args.holdout is not None:  # before the folder is claimed
        load_holdout(args.holdout, scenario)
    if args.format == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise BadInput("--format parquet needs pyarrow: pip install 'zonesim[parquet]'")
    out_dir = Path(args.out) if args.out else Path("results") / scenario.name
    with output_folder(args, out_dir, "run") as folder:
        return _run_into(args, out, err, scenario, folder)


def _run_into(
    args: argparse.Namespace, out: Console, err: Console, scenario: Scenario, folder: OutputFolder
) -> int:
    """The run of ``cmd_run``, its output folder claimed."""
    # Finished replications are stored in OUT/units as they complete, so that an interrupted
    # run can be resumed; they are deleted once the tables are written.
    units_dir = folder.units()
    posterior = args.posterior
    if args.resume:  # check the stored units before starting an engine
        digest = posterior.digest if posterior is not None else None
        try:
            open_run_units(units_dir, scenario, args.seed, args.firm_records, True, digest)
            if posterior is not None:
                open_point_value_units(units_dir, scenario, args.seed, resume=True)
        except ResumeMismatch as exc:
            raise BadInput(str(exc)) from None
    total = args.replications * (2 if posterior is not None else 1)
    try:
        with (
            open_engine(args, min(args.workers, args.replications)) as (executor, workers),
            progress_bar(total, args.no_progress, err, scenario.name) as advance,
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
                posterior=posterior,
                holdout=args.holdout,
            )
    except KeyboardInterrupt:
        kept = len(list(units_dir.glob("rep-*.json")))
        print(
            f"zonesim: {kept} finished replication{'s are' if kept != 1 else ' is'} kept in "
            f"{units_dir}; rerun the same command with --resume to run only the others",
            file=sys.stderr,
        )
        raise
    run = dataclasses.replace(run, language=args.language)  # the plots' language, recorded
    try:
        written = run.write(folder, args.format)
    except OSError as exc:
        kept = len(list(units_dir.glob("rep-*.json")))
        raise OSError(
            exc.errno,
            f"{exc.strerror or exc}; the {kept} finished replication"
            f"{'s are' if kept != 1 else ' is'} kept in {units_dir}: make room and rerun the "
            "same command with --resume",
        ) from None
    discard_units(units_dir / POINT_VALUE_UNITS)
    discard_units(units_dir)
    plots = [] if args.no_plots else plot_run(folder, args.language)
    out.print(goal_rich_table(run.goals, scenario.name, args.replications, scenario, args.language))
    basis = probability_basis(posterior)
    out.print(printable(basis), highlight=False, soft_wrap=True, markup=False)
    if run.holdout is not None:
        out.print(holdout_rich_table(run.holdout, args.holdout, posterior is not None))
        out.print(coverage_line(run.holdout), highlight=False, soft_wrap=True, markup=False)
    results = run.results
    drawn = f" and {len(plots)} plots in plots/" if plots else ""
    reused = ""
    if args.resume:
        count = results.reused + (run.fixed.reused if run.fixed is not None else 0)
        reused = f"; {count} reused from {units_dir}" if count else ""
        reused = reused or f"; nothing to reuse in {units_dir}"
    seconds, events, at_point = results.wall_seconds, results.events, ""
    if run.fixed is not None:
        seconds += run.fixed.wall_seconds
        events += run.fixed.events
        at_point = f" over the posterior and {run.fixed.replications} at point values"
    out.print(
        f"{results.replications} replications{at_point} in {seconds:.1f} s "
        f"({workers} worker{'s' if workers > 1 else ''}"
        f"{f', Dask {args.dask}' if args.dask else ''}), {events:,} SimPy events"
        f"{reused}; wrote {', '.join(p.name for p in written)}{drawn} to {folder.path}",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    out.print(f"\n[bold]{escape(term('summary title', args.language))}[/bold]", highlight=False)
    for line in summary(run.goals, scenario, args.replications, args.language):
        out.print(printable(line), highlight=False, soft_wrap=True, markup=False)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    if len(args.scenarios) < 2:
        raise BadInput("compare needs at least two scenario files")
    trees = [load_scenario_with_tree(path) for path in args.scenarios]
    loaded = [scenario for scenario, _ in trees]
    names = [scenario.name for scenario in loaded]
    if len(set(names)) != len(names):
        raise BadInput(f"scenario names must differ to be compared: {', '.join(names)}")
    reserved = sorted(set(names) & RESERVED_NAMES)
    if reserved:
        raise BadInput(
            f"scenario name {reserved[0]!r} is the name of a folder a comparison keeps "
            f"({', '.join(sorted(RESERVED_NAMES))}); rename the scenario"
        )
    for path, (scenario, tree) in zip(args.scenarios, trees, strict=True):
        _event_guard(scenario, path)
        _posterior(args.posterior, tree.data, args.seed, args.replications)
        for warning in observations_beside(path, scenario)[1]:
            err.print(f"warning: {warning}", highlight=False, markup=False, soft_wrap=True)
    extra_runs = 0
    if args.space is not None:  # checked before the folder is claimed
        levers = load_space(args.space, trees[0][1], "lever")
        for path, (_, tree) in zip(args.scenarios[1:], trees[1:], strict=True):
            try:
                extra_runs += len(share_variants(levers, trees[0][1].data, tree.data))
            except ValueError as exc:
                raise BadInput(f"{path}: {exc}") from None
    out_dir = Path(args.out) if args.out else Path("results") / ("compare_" + "_vs_".join(names))
    with output_folder(args, out_dir, "comparison") as folder:
        total = args.replications * (len(names) + extra_runs)
        with (
            open_engine(args, min(args.workers, args.replications)) as (executor, workers),
            progress_bar(total, args.no_progress, err, "compare") as advance,
        ):
            comparison = compare_scenarios(
                args.scenarios,
                args.replications,
                args.seed,
                workers=workers,
                executor=executor,
                progress=advance,
                posterior=args.posterior,
                space=args.space,
            )
        written = comparison.write(folder)
        if not args.no_plots:
            written += plot_comparison(folder)
        out.print(
            f"Compared with '{names[0]}' under common random numbers "
            f"(seed {args.seed}, {args.replications} replications each):",
            highlight=False,
            markup=False,
        )
        if args.posterior is not None:
            out.print(
                printable(
                    f"Every scenario ran the same draws of the posterior in {args.posterior} in "
                    "the same replications: probabilities and differences include parameter "
                    "uncertainty"
                ),
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        for name, lines in comparison.differences.items():
            out.print(f"\n{name} differs from {names[0]} in:", highlight=False, markup=False)
            for line in lines:
                out.print(f"  {printable(line)}", highlight=False, soft_wrap=True, markup=False)
        out.print(goal_change_table(comparison, names))
        end_year = max(scenario.horizon.end_year for scenario in loaded)
        out.print(end_change_table(comparison, names, end_year))
        if comparison.costs is not None:
            for line in pricing_lines(comparison):
                out.print(printable(line), highlight=False, soft_wrap=True, markup=False)
            out.print(cost_table(comparison))
            if comparison.shares is not None and len(comparison.shares):
                out.print(share_table(comparison))
        out.print(f"wrote {len(written)} files to {folder.path}", highlight=False, markup=False)
        return EXIT_OK
