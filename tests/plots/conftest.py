"""Session-wide results folders (built once, shared with the other test folder's fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plots.results import baseline_folder, comparison_folder


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline results folder; do not write into it (copy it first)."""
    return baseline_folder(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison folder of baseline and variant; do not write into it (copy it first)."""
    return comparison_folder(tmp_path_factory.getbasetemp())
