"""``zonesim init``: write a new zone's scenario skeleton, or copy an example zone."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from sim.cli.common import EXIT_OK, BadInput, Command, positive_int
from sim.scenario.errors import printable
from sim.scenario.scaffold import (
    EXAMPLE_SCENARIOS,
    EXAMPLES,
    OBSERVATIONS_FILE,
    ScaffoldError,
    assumption_count,
    example_files,
    scaffold,
)


def add_parsers(commands: argparse._SubParsersAction) -> dict[str, Command]:
    """Register ``init``."""
    init = commands.add_parser(
        "init",
        help="write a commented scenario skeleton and an observations file for a new zone, "
        "or copy an example zone (--example)",
    )
    init.add_argument(
        "name",
        nargs="?",
        help="the new zone's name (scenario name and zone id); with --example, the folder to "
        "copy the example into",
    )
    init.add_argument(
        "--carriers", type=positive_int, default=3, help="generic carriers to write (default 3)"
    )
    init.add_argument(
        "--start-year",
        type=int,
        help="year of the initial state; dates, goal years and the horizon move with it "
        "(default: the Jiaozuo example's, 2018)",
    )
    init.add_argument("--out", "-o", help="folder to write into (default ./NAME)")
    init.add_argument(
        "--example",
        choices=sorted(EXAMPLES),
        help="copy this example zone's scenarios and observed figures instead",
    )
    return {"init": cmd_init}


def cmd_init(args: argparse.Namespace, out: Console, err: Console) -> int:
    try:
        if args.example:
            target = Path(args.out or args.name or args.example)
            files = {rel: path.read_bytes() for rel, path in example_files(args.example).items()}
        else:
            if not args.name:
                raise BadInput("init needs a NAME for the new zone (or --example ZONE)")
            target = Path(args.out or args.name)
            texts = scaffold(args.name, args.carriers, args.start_year)
            files = {rel: text.encode() for rel, text in texts.items()}
    except ScaffoldError as exc:
        raise BadInput(str(exc)) from None
    write_new(target, files)
    shown = ", ".join(printable(str(target / rel)) for rel in files)
    if args.example:
        out.print(f"copied the example zone '{args.example}' to {shown}", markup=False)
        scenario = EXAMPLE_SCENARIOS[args.example]
    else:
        scenario = f"{args.name}.yaml"
        count = assumption_count(files[scenario].decode())
        out.print(
            f"wrote {shown}: {args.carriers} carriers, {count} values marked 'assumption: set "
            f"for your zone', no observed figures yet ({OBSERVATIONS_FILE})",
            markup=False,
            soft_wrap=True,
        )
    if scenario in files:
        path = printable(str(target / scenario))
        out.print(f"next: zonesim validate {path}; zonesim run {path}", markup=False)
    return EXIT_OK


def write_new(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` under ``folder``, none of which may exist (init never overwrites)."""
    existing = [folder / rel for rel in files if (folder / rel).exists()]
    if existing:
        raise BadInput(f"{existing[0]} exists; init never overwrites a file (choose another --out)")
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} exists and is not a folder")
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as handle:
                handle.write(content)
        except FileExistsError:
            raise BadInput(f"{path} exists; init never overwrites a file") from None
        except OSError as exc:
            raise BadInput(f"cannot write {path}: {exc.strerror}") from None
