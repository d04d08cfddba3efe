"""Write ``report.html`` into a results or comparison folder."""

from __future__ import annotations

import os
from pathlib import Path

from sim.language import Language
from sim.report.discovery import discovery_report
from sim.report.pages import comparison_report, run_report
from sim.results import FolderError, OutputFolder, claim

REPORT = "report.html"


def write_report(target: OutputFolder | str | os.PathLike[str], language: Language = "en") -> Path:
    """Write ``report.html`` into a run's or a comparison's folder: one self-contained page
    (images embedded, inline CSS, no scripts). Missing plots are drawn first. ``target`` is
    the folder (claimed here) or a folder a command has claimed. Returns the path written."""
    if not isinstance(target, OutputFolder):
        with claim(target, None, "python: write_report") as folder:
            return write_report(folder, language)
    if language != "en" and target.kind != "run":
        raise FolderError(
            f"{target.path}: a {target.kind} folder's report is in English only for now; "
            "run report without --lang (or with --lang en)"
        )
    if target.kind == "discovery":
        return target.add({REPORT: discovery_report(target)})[0]
    if target.kind not in ("run", "comparison"):
        raise FolderError(f"{target.path}: a {target.kind} folder has no report; see its tables")
    if target.kind == "comparison":
        text = comparison_report(target)
    else:
        text = run_report(target, language)
    return target.add({REPORT: text})[0]
