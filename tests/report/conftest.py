"""Session-wide results folders (built once, shared with the other test folder's fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.report import write_report
from tests.plots.results import baseline_folder, comparison_folder


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline results folder; do not write into it (copy it first)."""
    return baseline_folder(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison folder of baseline and variant; do not write into it (copy it first)."""
    return comparison_folder(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def run_report(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a copy of the run folder made without plots (the report draws them)."""
    folder = shutil.copytree(run_folder, tmp_path_factory.mktemp("report") / "run")
    assert not (folder / "plots").exists()
    return write_report(folder)


@pytest.fixture(scope="session")
def comparison_report(compare_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a copy of the comparison folder."""
    folder = shutil.copytree(compare_folder, tmp_path_factory.mktemp("report") / "comparison")
    return write_report(folder)


@pytest.fixture(scope="session")
def run_report_zh(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Chinese report of a copy of the run folder (with its English plots drawn first)."""
    from sim.plots import plot_run

    folder = shutil.copytree(run_folder, tmp_path_factory.mktemp("report") / "run_zh")
    plot_run(folder)
    return write_report(folder, "zh")
