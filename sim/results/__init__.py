"""Results folders: the one place that writes and reads them.

``claim(folder, kind, command)`` locks an output folder and checks it; the claimed
:class:`OutputFolder` writes the kind's files (``replace`` whole, or ``add`` plots and a
report) and keeps the marker naming the files it owns. ``read_run`` and ``read_comparison``
read folders back. Run units (``OUT/units``) are kept by :class:`~sim.results.units.UnitStore`.
"""

from sim.results.folder import (
    KINDS,
    LOCK_NAME,
    MARKER,
    FolderBusy,
    FolderError,
    OutputFolder,
    claim,
    read_marker,
)
from sim.results.read import (
    ComparisonFolder,
    RunFolder,
    read_comparison,
    read_run,
    read_scenario,
)

__all__ = [
    "KINDS",
    "LOCK_NAME",
    "MARKER",
    "ComparisonFolder",
    "FolderBusy",
    "FolderError",
    "OutputFolder",
    "RunFolder",
    "claim",
    "read_comparison",
    "read_marker",
    "read_run",
    "read_scenario",
]
