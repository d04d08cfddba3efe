"""Figures of zonesim results (matplotlib, Agg; every function returns a new ``Figure`` and
never touches pyplot's global state), and the writers of a results folder's ``plots/``."""

from sim.plots.carriers import plot_carriers
from sim.plots.dashboard import plot_goal_dashboard
from sim.plots.fan import plot_fan, plot_fan_overlay
from sim.plots.folder import plot_comparison, plot_folder, plot_run
from sim.plots.funnel import plot_funnel
from sim.plots.style import figure_png, save_figure
from sim.plots.survival import plot_survival

__all__ = [
    "figure_png",
    "plot_carriers",
    "plot_comparison",
    "plot_fan",
    "plot_fan_overlay",
    "plot_folder",
    "plot_funnel",
    "plot_goal_dashboard",
    "plot_run",
    "plot_survival",
    "save_figure",
]
