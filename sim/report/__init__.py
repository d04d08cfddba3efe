"""The HTML report of a results folder or a comparison folder: one self-contained page."""

from sim.report.write import write_report

__all__ = ["write_report"]
