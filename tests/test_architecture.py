"""The package's layers (docs/architecture.md): every import points down, and what a worker
process imports stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"

#: The layers, lowest first; a module may import its own layer and those below it.
LAYERS = [
    ["sim.streams", "sim.distributions", "sim.indicators", "sim.language"],
    ["sim.scenario"],
    ["sim.results"],
    ["sim.model"],
    ["sim.experiment"],
    ["sim.analysis"],
    ["sim.studies"],
    ["sim.plots"],
    ["sim.report"],
    ["sim.cli"],
]
RANK = {room: rank for rank, rooms in enumerate(LAYERS) for room in rooms}


def room_of(module: str) -> str:
    """``sim.model.zone`` -> ``sim.model``; ``sim.streams`` -> ``sim.streams``."""
    return ".".join(module.split(".")[:2])


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ``sim`` import in a file, at any depth (lazy ones too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name == "sim" or name.startswith("sim.")]


def test_every_room_has_a_layer() -> None:
    rooms = {room_of(module_name(p)) for p in PACKAGE.rglob("*.py")} - {"sim"}
    assert rooms == set(RANK), "add new packages to LAYERS and docs/architecture.md"


def test_every_import_points_down() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = room_of(module_name(path))
        if here == "sim":  # the package's lazy front door
            continue
        for line, target in imports(path):
            if target == "sim":  # ``from sim import __version__``
                continue
            there = room_of(target)
            if RANK[there] > RANK[here]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {here} -> {there}")
    assert upward == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from sim.plots import plot_fan\n", encoding="utf-8")
    assert imports(source) == [(2, "sim.plots")]
    assert RANK[room_of("sim.plots.fan")] > RANK[room_of("sim.model.zone")]


def test_no_private_imports_across_modules() -> None:
    """``from sim.x import _name`` only within one package (``sim.cli`` shares ``common``)."""
    private = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
                if room_of(node.module) == room_of(module_name(path)):
                    continue
                private += [
                    f"{path.name}:{node.lineno}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and a.name != "__version__"
                ]
    assert private == []


@pytest.mark.parametrize("module", ["sim.model", "sim.experiment.runner", "sim"])
def test_a_worker_imports_neither_plots_nor_analyses(module: str) -> None:
    """What a process-pool or Dask worker imports to run replications loads neither
    matplotlib nor scipy.stats nor the analysis libraries."""
    heavy = ["matplotlib", "scipy.stats", "optuna", "SALib", "rich"]
    code = f"import sys, {module}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
