"""The analysis commands: ``calibrate``, ``sensitivity``, ``tune`` and ``sweep``. They share
``run``'s replication options (``--replications``, ``--seed``, ``--workers``) and engine, and
take ``--out`` and ``--resume``. Each checks all its input before it claims its folder."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.analysis.sensitivity import METHODS, Output
from sim.analysis.sweep import DESIGNS
from sim.analysis.tuning import select_goals
from sim.cli.common import (
    EXIT_OK,
    BadInput,
    Command,
    add_replication_options,
    open_engine,
    output_folder,
    positive_int,
    probability,
    progress_bar,
    year,
)
from sim.plots.studies import plot_study
from sim.results import OutputFolder
from sim.results.units import ResumeMismatch
from sim.scenario.errors import printable
from sim.scenario.posterior import Posterior, read_posterior
from sim.studies import calibrate, screen, sensitivity, sweep, tune
from sim.studies import calibrate as calibrate_study
from sim.studies.common import Setup, observed_table, prepare


def _common(parser: argparse.ArgumentParser, replications: int, space_help: str) -> None:
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("--space", required=True, help=space_help)
    add_replication_options(parser, default_replications=replications)
    parser.add_argument("--out", "-o", help="results folder (default results/<command>_<name>)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the finished evaluations stored in OUT/units (same scenario, seed, design)",
    )


def add_parsers(commands: argparse._SubParsersAction) -> dict[str, Command]:
    """Register the four analysis commands."""
    calibrate = commands.add_parser(
        "calibrate", help="fit uncertain parameters to the observed figures (with a hindcast)"
    )
    _common(
        calibrate,
        20,
        "uncertain parameters and their bounds (e.g. scenarios/spaces/uncertain.yaml)",
    )
    calibrate.add_argument(
        "--observations",
        required=True,
        action="append",
        help="observed figures or published patterns, fitted together when repeated (e.g. "
        "--observations scenarios/observations.yaml --observations scenarios/patterns.yaml)",
    )
    calibrate.add_argument(
        "--method",
        choices=("search", *calibrate_study.POSTERIOR_METHODS),
        default="search",
        help="search: a best point and the ranges its candidates show (optuna TPE; default); "
        "history-matching: a weighted posterior sample by waves of Gaussian-process emulators "
        "(10 replications per point unless --replications); abc: a posterior sample by ABC-SMC "
        "(one replication per particle). Both write posterior.csv for run --posterior",
    )
    calibrate.set_defaults(replications=None)
    calibrate.add_argument(
        "--trials", type=positive_int, default=60, help="search: candidates (default 60)"
    )
    calibrate.add_argument(
        "--waves", type=positive_int, default=4, help="history-matching: waves (default 4)"
    )
    calibrate.add_argument(
        "--points",
        type=positive_int,
        help="history-matching: points per wave (default 10 per parameter, at least 40)",
    )
    calibrate.add_argument(
        "--draws",
        type=positive_int,
        default=500,
        help="history-matching: weighted draws written to posterior.csv (default 500)",
    )
    calibrate.add_argument(
        "--population", type=positive_int, default=200, help="abc: particles (default 200)"
    )
    calibrate.add_argument(
        "--budget",
        type=positive_int,
        default=3000,
        help="abc: simulated replications at most (default 3000)",
    )
    calibrate.add_argument(
        "--fit-until",
        type=year,
        help="fit only the figures up to this year and test the later ones (hindcast)",
    )

    sens = commands.add_parser("sensitivity", help="Morris or Sobol indices of one output (SALib)")
    _common(sens, 20, "parameters to vary and their bounds")
    sens.add_argument("--output", required=True, help="INDICATOR@YEAR, e.g. national_hte@2020")
    sens.add_argument("--method", choices=METHODS, default="morris", help="default morris")
    sens.add_argument(
        "--samples",
        type=positive_int,
        help="base sample: Morris trajectories (default 20) or Sobol N (default 256, a power of 2)",
    )

    tune = commands.add_parser(
        "tune", help="cheapest lever settings that meet the goals with a given probability"
    )
    _common(tune, 50, "policy levers with bounds and costs (e.g. scenarios/spaces/levers.yaml)")
    tune.add_argument(
        "--goals",
        default="all",
        help="all, or goal keys separated by commas (a key may name a reading: goal:reading)",
    )
    tune.add_argument(
        "--reading",
        help="tune every chosen goal that has a reading of this id under it "
        "(default: each goal's main reading)",
    )
    tune.add_argument("--min-probability", type=probability, default=0.8, help="default 0.8")
    tune.add_argument("--trials", type=positive_int, default=40, help="candidates (default 40)")
    tune.add_argument(
        "--confirm-replications",
        type=positive_int,
        help="replications to confirm the best candidates (default 4 x --replications)",
    )
    tune.add_argument(
        "--posterior",
        metavar="FILE",
        help="a calibration posterior (posterior.csv): each replication runs at its draw, "
        "levers on top, so P >= p is over the parameters' uncertainty; the tuning at the "
        "scenario's point values is run too, for comparison (about twice the work)",
    )

    sweep = commands.add_parser("sweep", help="probability of meeting goals over a lever design")
    _common(sweep, 50, "policy levers with bounds (e.g. scenarios/spaces/levers.yaml)")
    sweep.add_argument(
        "--design",
        choices=DESIGNS,
        default="grid",
        help="grid, lhs, or oat: each lever alone at its two bounds, with its paired effect on "
        "each goal (default grid)",
    )
    sweep.add_argument(
        "--samples",
        type=positive_int,
        default=5,
        help="grid: levels per lever; lhs: points (default 5)",
    )
    sweep.add_argument("--levers", help="sweep only these levers (comma-separated paths)")
    sweep.add_argument("--goals", default="all", help="all, or goal keys separated by commas")
    sweep.add_argument("--x", help="lever on the heatmap's x axis (default: the first)")
    sweep.add_argument("--y", help="lever on the heatmap's y axis (default: the second)")
    screening = commands.add_parser(
        "screen", help="what decides each goal: each parameter alone at its two bounds"
    )
    screening.add_argument("scenario", help="scenario YAML file")
    screening.add_argument(
        "--space",
        required=True,
        action="append",
        help="parameters to screen, repeatable (e.g. --space scenarios/spaces/uncertain.yaml "
        "--space scenarios/spaces/levers.yaml)",
    )
    add_replication_options(screening, default_replications=20)
    screening.add_argument("--out", "-o", help="results folder (default results/screen_<name>)")
    screening.add_argument(
        "--resume", action="store_true", help="reuse the finished points stored in OUT/units"
    )
    screening.add_argument("--goals", default="all", help="all, or goal keys separated by commas")
    return {
        "calibrate": cmd_calibrate,
        "sensitivity": cmd_sensitivity,
        "tune": cmd_tune,
        "sweep": cmd_sweep,
        "screen": cmd_screen,
    }


@contextlib.contextmanager
def _study_folder(
    args: argparse.Namespace,
    command: str,
    kind: str,
    load: Callable[[], Setup],
    check: Callable[[Setup], Any] = lambda setup: None,
) -> Iterator[tuple[OutputFolder, Setup]]:
    """Check every input (``load`` reads the scenario and the space and runs the event guard
    at the space's bounds; ``check`` the rest), then claim the output folder (default
    ``results/<command>_<scenario file name>``); give the folder and the checked inputs, which
    the study then uses as they are."""
    try:
        setup = load()
        check(setup)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    name = Path(args.scenario).stem
    out = Path(args.out) if args.out else Path("results") / f"{command}_{name}"
    with output_folder(args, out, kind) as folder:
        folder.units()
        yield folder, setup


def _run(study_call, args: argparse.Namespace, total: int, err: Console, label: str):
    """Run a study with a progress bar over replications, turning input problems into exit 2."""
    with (
        open_engine(args) as (executor, workers),
        progress_bar(total, args.no_progress, err, label) as advance,
    ):
        try:
            return study_call(executor=executor, workers=workers, progress=advance)
        except ResumeMismatch as exc:
            raise BadInput(str(exc)) from None
        except ValueError as exc:
            raise BadInput(str(exc)) from None


def _finish(
    out: Console, study, folder: OutputFolder, args: argparse.Namespace, notes: bool = True
) -> None:
    """Write the study's folder (and its plot), and say what was run and written (and the
    study's notes, with ``notes``)."""
    written = study.write(folder)
    if not args.no_plots:
        written += plot_study(folder, study)
    manifest = study.manifest
    reused = manifest["evaluations_reused"]
    out.print(
        f"{manifest['evaluations_run']} evaluation{'' if manifest['evaluations_run'] == 1 else 's'}"
        " run"
        + (f", {reused} reused from {folder.path / 'units'}" if reused else "")
        + f", {manifest['events']:,} SimPy events, {manifest['wall_seconds']:.1f} s; "
        f"wrote {', '.join(p.name for p in written)} to {folder.path}",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    for note in manifest["notes"] if notes else []:
        out.print(f"note: {note}", highlight=False, soft_wrap=True, markup=False)


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.3g} B"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.3g} M"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def _observation_cells(row: Any) -> tuple[str, str]:
    """A fit row's observation (``loans_yuan 2020–2021``) and observed figure or range."""
    years = (
        str(row.year)
        if row.to_year is None or row.to_year != row.to_year
        else f"{row.year}–{int(row.to_year)}"
    )
    observed = _fmt(row.observed) if row.low == row.high else f"{_fmt(row.low)}–{_fmt(row.high)}"
    return f"{row.indicator} {years}", observed


def cmd_calibrate(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.method != "search":
        return _calibrate_posterior(args, out, err)
    if args.replications is None:
        args.replications = 20
    with _study_folder(
        args,
        "calibrate",
        calibrate.KIND,
        lambda: prepare(args.scenario, args.space, "uncertain"),
        lambda setup: observed_table(args.observations, setup.scenario),
    ) as (folder, setup):
        out_dir = folder.path
        study = _run(
            lambda **kw: calibrate.calibrate_scenario(
                args.scenario,
                args.space,
                args.observations,
                out_dir,
                args.replications,
                args.seed,
                args.trials,
                args.fit_until,
                resume=args.resume,
                setup=setup,
                **kw,
            ),
            args,
            args.trials * args.replications,
            err,
            "calibrate",
        )
        cal = study.calibration
        table = Table(
            title=f"Calibration of {study.setup.scenario.name}: {args.trials} trials x "
            f"{args.replications} replications",
            title_justify="left",
        )
        for column in ("parameter", "scenario", "best", "90 % range", "bounds", "note"):
            table.add_column(column, justify="left" if column in ("parameter", "note") else "right")
        for row in cal.ranges.itertuples():
            table.add_row(
                row.parameter,
                _fmt(row.scenario_value),
                _fmt(row.best),
                f"{_fmt(row.range_low)}–{_fmt(row.range_high)}",
                f"{_fmt(row.low)}–{_fmt(row.high)}",
                f"at {row.at_bound} bound" if row.at_bound else "",
            )
        out.print(table)
        fit = Table(
            title="Fit per observation (band: 5–95 % pooled over accepted parameters)",
            title_justify="left",
        )
        for column in ("observation", "observed", "best mean", "band", "in band", "use"):
            fit.add_column(column, justify="left" if column == "observation" else "right")
        for row in cal.fit.itertuples():
            label, observed = _observation_cells(row)
            use = "fitted" if row.used_in_fit else "hindcast"
            if not row.informative:
                use += " (fixed)"
            fit.add_row(
                label,
                observed,
                _fmt(row.best_mean),
                f"{_fmt(row.band_q05)}–{_fmt(row.band_q95)}",
                "yes" if row.inside_band else "NO",
                use,
            )
        out.print(fit)
        if args.fit_until is not None:
            hind = cal.hindcast
            inside = int(hind["inside_band"].sum())
            out.print(
                f"hindcast: {inside} of {len(hind)} observations after {args.fit_until} inside "
                "the simulated 90 % band",
                highlight=False,
            )
        _finish(out, study, folder, args)
        return EXIT_OK


def cmd_sensitivity(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _study_folder(
        args,
        "sensitivity",
        sensitivity.KIND,
        lambda: prepare(args.scenario, args.space, None),
        lambda setup: Output.parse(args.output),
    ) as (folder, setup):
        out_dir = folder.path
        samples = args.samples or (20 if args.method == "morris" else 256)
        space_size = setup.space.dimension
        total = sensitivity.sensitivity_points(space_size, args.method, samples) * args.replications
        study = _run(
            lambda **kw: sensitivity.sensitivity_scenario(
                args.scenario,
                args.space,
                args.output,
                out_dir,
                args.method,
                samples,
                args.replications,
                args.seed,
                resume=args.resume,
                setup=setup,
                **kw,
            ),
            args,
            total,
            err,
            "sensitivity",
        )
        result = study.result
        table = Table(
            title=f"{args.method.capitalize()} sensitivity of {result.output} "
            f"({len(result.design)} points x {args.replications} replications)",
            title_justify="left",
        )
        columns = [c for c in result.indices.columns]
        for column in columns:
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for row in result.indices.itertuples(index=False):
            table.add_row(*[v if isinstance(v, str) else f"{v:.3g}" for v in row])
        out.print(table)
        for warning in result.warnings:
            err.print(f"warning: {warning}", highlight=False, soft_wrap=True, markup=False)
        _finish(out, study, folder, args, notes=False)  # the warnings stay in summary.json
        return EXIT_OK


def cmd_tune(args: argparse.Namespace, out: Console, err: Console) -> int:
    posterior: list[Posterior] = []  # read (and checked) before the folder is claimed

    def check(setup: Setup) -> None:
        select_goals(setup.scenario, args.goals, args.reading)
        if args.posterior is not None:
            posterior.append(read_posterior(args.posterior, setup.tree.data))

    with _study_folder(
        args, "tune", tune.KIND, lambda: prepare(args.scenario, args.space, "lever"), check
    ) as (folder, setup):
        out_dir = folder.path
        confirm = args.confirm_replications or 4 * args.replications
        searches = 2 if posterior else 1  # over the posterior, then at point values
        one_search = args.trials * args.replications + (13 + 3 * setup.space.dimension) * confirm
        study = _run(
            lambda **kw: tune.tune_scenario(
                args.scenario,
                args.space,
                args.goals,
                out_dir,
                args.min_probability,
                args.replications,
                args.seed,
                args.trials,
                confirm,
                resume=args.resume,
                setup=setup,
                posterior=posterior[0] if posterior else None,
                reading=args.reading,
                **kw,
            ),
            args,
            searches * one_search + (searches - 1) * confirm,
            err,
            "tune",
        )
        result = study.result
        s = result.best_summary
        title = (
            "Cheapest policy found"
            if result.best is not None
            else "No policy met the goals; the most likely one seen"
        )
        table = Table(
            title=f"{title} ({', '.join(result.goals)}; P >= {result.min_probability:g})",
            title_justify="left",
        )
        robust = study.robustness
        columns = ["lever", "scenario", "policy"]
        if robust is not None:
            columns = ["lever", "scenario", "policy (over the posterior)", "at point values"]
            table.title += f"\nP over the posterior in {escape(robust.posterior_file)}"
        for column in columns:
            table.add_column(column, justify="left" if column == "lever" else "right")
        base = study.setup.space.base_values()
        shown = result.best or {p: float(v) for p, v in _best_seen(result).items()}
        at_point = {}
        if robust is not None:
            at_point = robust.point.best or _best_seen(robust.point)
        for path, value in shown.items():
            cells = [_fmt(base[path]), _fmt(value)]
            if robust is not None:
                cells.append(_fmt(float(at_point[path])))
            table.add_row(path, *cells)
        out.print(table)
        out.print(f"cost over the scenario: {s['cost_yuan'] / 1e6:,.2f} M yuan", highlight=False)
        for name in ["all", *result.goals]:
            out.print(
                f"P({name}) = {s[f'p_{name}']:.2f} (90 % {s[f'p_{name}_low']:.2f}–"
                f"{s[f'p_{name}_high']:.2f}, {s['replications']} replications)",
                highlight=False,
            )
        if robust is not None:
            out.print(
                "What the posterior changes (the probabilities above include parameter "
                "uncertainty):",
                highlight=False,
                markup=False,
            )
            for line in robust.lines():
                out.print(f"  {printable(line)}", highlight=False, soft_wrap=True, markup=False)
        _finish(out, study, folder, args)
        return EXIT_OK


def _best_seen(result) -> dict:
    """Lever values of the most likely candidate (when none met the goals)."""
    trials = result.trials.set_index("trial")
    return {p: trials.at[result.best_summary["trial"], p] for p in result.space.paths}


def cmd_sweep(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _study_folder(
        args,
        "sweep",
        sweep.KIND,
        lambda: prepare(args.scenario, args.space, "lever", only=_levers(args)),
    ) as (folder, setup):
        out_dir = folder.path
        levers = _levers(args)
        size = setup.space.dimension
        points = {"grid": args.samples**size, "oat": 2 * size}.get(args.design, args.samples)
        study = _run(
            lambda **kw: sweep.sweep_scenario(
                args.scenario,
                args.space,
                out_dir,
                args.design,
                args.samples,
                args.goals,
                args.x,
                args.y,
                args.replications,
                args.seed,
                levers=levers,
                resume=args.resume,
                setup=setup,
                **kw,
            ),
            args,
            points * args.replications,
            err,
            "sweep",
        )
        if study.effects is not None:
            _print_effects(out, study, args)
            _finish(out, study, folder, args)
            return EXIT_OK
        table = study.table
        best = table.sort_values(study.column, ascending=False).head(5)
        out.print(
            f"Sweep ({args.design}, {len(table)} points x {args.replications} replications): "
            f"the 5 points most likely to meet {', '.join(study.manifest['goals'])}",
            highlight=False,
            soft_wrap=True,
        )
        rich = Table()
        columns = [*study.setup.space.paths, "cost_yuan", study.column]
        for column in columns:
            rich.add_column(".".join(column.split(".")[-2:]), justify="right")
        for _, row in best.iterrows():
            rich.add_row(*[_fmt(row[c]) if c != study.column else f"{row[c]:.2f}" for c in columns])
        out.print(rich)
        _finish(out, study, folder, args)
        return EXIT_OK


def _levers(args: argparse.Namespace) -> list[str] | None:
    return [p.strip() for p in args.levers.split(",")] if args.levers else None


def _print_effects(out: Console, study, args: argparse.Namespace) -> None:
    """The one-lever-at-a-time effects: per lever and goal, P(met) at each bound and the
    paired change of P(met) and of the goal's mean, with 95 % intervals."""
    out.print(
        f"Each lever from its low to its high bound, the others as in the scenario "
        f"({args.replications} replications each, common random numbers; 95 % intervals "
        f"of the paired differences)",
        highlight=False,
        soft_wrap=True,
    )
    rich = Table()
    for column in (
        "lever",
        "low → high",
        "goal",
        "P(met) low → high",
        "ΔP (95 %)",
        "Δ mean (95 %)",
    ):
        rich.add_column(column, justify="left" if column in ("lever", "goal") else "right")
    for row in study.effects.itertuples(index=False):
        rich.add_row(
            escape(".".join(row.lever.split(".")[-2:])),
            f"{_fmt(row.low)} → {_fmt(row.high)}",
            escape(row.goal),
            f"{row.p_met_low:.2f} → {row.p_met_high:.2f}",
            f"{row.p_met_change:+.2f} ({row.p_met_change_lo95:+.2f}, {row.p_met_change_hi95:+.2f})",
            f"{_fmt(row.mean_change)} ({_fmt(row.mean_change_lo95)}, {_fmt(row.mean_change_hi95)})",
        )
    out.print(rich)


def cmd_screen(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _study_folder(
        args,
        "screen",
        screen.KIND,
        lambda: prepare(args.scenario, args.space, None, first_wins=True),
        lambda setup: select_goals(setup.scenario, args.goals),
    ) as (folder, setup):
        study = _run(
            lambda **kw: screen.screen_scenario(
                args.scenario,
                args.space,
                folder.path,
                args.goals,
                args.replications,
                args.seed,
                resume=args.resume,
                setup=setup,
                **kw,
            ),
            args,
            2 * setup.space.dimension * args.replications,
            err,
            "screen",
        )
        table = Table(
            title=f"What decides each goal: each of {setup.space.dimension} parameters alone "
            f"from its low to its high bound ({args.replications} replications each, common "
            "random numbers; ΔP with its 95 % interval)",
            title_justify="left",
        )
        for column in ("goal", "parameter", "provenance", "low → high", "P(met) low → high", "ΔP"):
            table.add_column(column, justify="left" if column in ("goal", "parameter") else "right")
        for row in study.decided.itertuples(index=False):
            table.add_row(
                escape(str(row.goal)) if row.rank == 1 else "",
                escape(str(row.parameter)),
                str(row.provenance),
                f"{_fmt(row.low)} → {_fmt(row.high)}",
                f"{row.p_met_low:.2f} → {row.p_met_high:.2f}",
                f"{row.p_met_change:+.2f} ({row.p_met_change_lo95:+.2f}, "
                f"{row.p_met_change_hi95:+.2f})",
            )
        out.print(table)
        unmoved = sorted(set(study.manifest["goals"]) - set(study.decided["goal"]))
        if unmoved:
            out.print(
                f"moved by none of the screened parameters: {', '.join(unmoved)}",
                highlight=False,
                markup=False,
            )
        _finish(out, study, folder, args)
        kept = screen.screening_file(args.scenario, study.setup.scenario)
        out.print(
            f"to show it in the goal table of every run of this scenario, copy "
            f"{folder.path / 'decided_by.csv'} to {kept}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return EXIT_OK


def _calibrate_posterior(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``calibrate --method history-matching|abc``: a weighted posterior sample."""
    history = args.method == "history-matching"
    if args.replications is None:
        args.replications = 10
    if history and args.replications < 2:
        raise BadInput("--replications: history matching needs at least 2 per point")
    with _study_folder(
        args,
        "calibrate",
        calibrate.KIND,
        lambda: prepare(args.scenario, args.space, "uncertain"),
        lambda setup: observed_table(args.observations, setup.scenario),
    ) as (folder, setup):
        points = args.points or max(40, 10 * setup.space.dimension)
        total = args.waves * points * args.replications if history else args.budget
        out_dir = folder.path
        study = _run(
            lambda **kw: calibrate.calibrate_posterior(
                args.scenario,
                args.space,
                args.observations,
                out_dir,
                method=args.method,
                replications=args.replications,
                seed=args.seed,
                waves=args.waves,
                points=points,
                population=args.population,
                budget=args.budget,
                draws=args.draws,
                fit_until=args.fit_until,
                resume=args.resume,
                setup=setup,
                **kw,
            ),
            args,
            total,
            err,
            "calibrate",
        )
        post = study.posterior
        stages = Table(
            title=f"{'History matching' if history else 'ABC-SMC'} of "
            f"{study.setup.scenario.name}: {post.replications_run:,} replications",
            title_justify="left",
        )
        if history:
            for column in ("wave", "points", "replications", "non-implausible share"):
                stages.add_column(column, justify="right")
            for row in post.stages.itertuples():
                stages.add_row(
                    str(row.stage),
                    str(row.points),
                    f"{row.replications:,}",
                    f"{row.non_implausible_share:.2%}",
                )
        else:
            for column in ("generation", "simulated", "acceptance rate", "threshold"):
                stages.add_column(column, justify="right")
            for row in post.stages.itertuples():
                stages.add_row(
                    str(row.stage),
                    f"{row.points:,}",
                    f"{row.acceptance_rate:.0%}",
                    "—" if row.threshold == float("inf") else f"{row.threshold:.3g}",
                )
        out.print(stages)
        table = Table(
            title=f"Posterior: {len(post.draws)} draws, effective sample size "
            f"{post.effective_sample_size:.0f}",
            title_justify="left",
        )
        for column in ("parameter", "scenario", "posterior median", "90 % interval", "bounds"):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for row in post.intervals().itertuples():
            table.add_row(
                row.parameter,
                _fmt(row.scenario_value),
                _fmt(row.median),
                f"{_fmt(row.interval_low)}–{_fmt(row.interval_high)}",
                f"{_fmt(row.low)}–{_fmt(row.high)}",
            )
        out.print(table)
        fit = Table(
            title="Fit per observation (band: 5–95 % of the last stage's runs)",
            title_justify="left",
        )
        for column in ("observation", "observed", "median", "band", "in band", "use"):
            fit.add_column(column, justify="left" if column == "observation" else "right")
        for row in post.fit.itertuples():
            label, observed = _observation_cells(row)
            use = "fitted" if row.used_in_fit and row.informative else "not fitted"
            if row.used_in_fit and not row.informative:
                use += " (fixed)"
            elif not row.used_in_fit:
                use = "hindcast"
            fit.add_row(
                label,
                observed,
                _fmt(row.median),
                f"{_fmt(row.band_q05)}–{_fmt(row.band_q95)}",
                "yes" if row.inside_band else "NO",
                use,
            )
        out.print(fit)
        _finish(out, study, folder, args)
        out.print(
            f"use it: run {args.scenario} --posterior {folder.path / 'posterior.csv'}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    return 0
