"""Write ``report.html`` into a results or comparison folder."""

from __future__ import annotations

import os
from pathlib import Path

from sim.experiment.store import write_bytes_atomic
from sim.plots.folder import is_comparison
from sim.report.pages import comparison_report, run_report

REPORT = "report.html"


def write_report(folder: str | os.PathLike[str]) -> Path:
    """Write ``folder/report.html``: one self-contained page (images embedded, inline CSS, no
    scripts) for a results folder, or for a comparison folder (one with ``comparison.json``).
    Missing plots are drawn first. Returns the path written."""
    path = Path(folder)
    text = comparison_report(path) if is_comparison(path) else run_report(path)
    out = path / REPORT
    write_bytes_atomic(out, text.encode("utf-8"))
    return out
