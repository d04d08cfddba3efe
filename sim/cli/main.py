"""The command line: ``zonesim COMMAND ...`` (also ``python run_sim.py COMMAND ...``).

The only package that parses arguments and prints. Exit codes: 0 success, 2 bad input
(scenario file, arguments, output folder), 1 anything else; never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from sim import __version__
from sim.cli import analysis, discover, folders, init, run
from sim.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    BadInput,
    Command,
    Parser,
    command_line,
    print_problems,
)
from sim.results import FolderError
from sim.scenario import ScenarioError
from sim.scenario.errors import printable


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    """The parser of every command, and the function each command runs."""
    parser = Parser(
        prog="zonesim",
        description="Discrete-event simulation of a high-tech zone's innovation ecosystem.",
    )
    parser.add_argument("--version", action="version", version=f"zonesim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    handlers: dict[str, Command] = {}
    for group in (run, folders, analysis, discover, init):
        handlers |= group.add_parsers(commands)
    return parser, handlers


def main(argv: list[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    args.command_line = command_line(sys.argv[1:] if argv is None else [str(a) for a in argv])
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    err = Console(stderr=True)
    try:
        return handlers[args.command](args, out, err)
    except ScenarioError as exc:
        print_problems(exc)
        return EXIT_BAD_INPUT
    except (BadInput, FolderError) as exc:
        print(f"zonesim: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("zonesim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        print(f"zonesim: error: {type(exc).__name__}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
