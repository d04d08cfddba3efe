"""The command line (``zonesim``): ``main`` parses and dispatches; ``common`` holds what the
commands share; one module per group of commands (``run``, ``folders``, ``analysis``) and
``tables`` for what they print."""

from sim.cli.main import main

__all__ = ["main"]
