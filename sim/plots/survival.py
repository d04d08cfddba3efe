"""Kaplan–Meier curves of incubated firms' time to graduation and to failure."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.language import Language, term
from sim.plots.style import LOSS, SIM, Scale, footer, format_number, new_figure, style_axes

COLOURS = {"graduation": SIM, "failure": LOSS}
LABELS = {"graduation": "time to graduation", "failure": "time to failure"}


def plot_survival(
    survival: pd.DataFrame, source: str | None = None, language: Language = "en"
) -> Figure:
    """Step plots of the cause-specific survival curves in ``survival`` (columns outcome,
    time_years, survival, events, spells): the share of incubated firms still in incubation
    without graduating (failing) by years since entry."""
    fig = new_figure(7.5, 4.6, footer_inches=0.5)
    ax = fig.add_subplot()
    spells = 0
    for index, (outcome, curve) in enumerate(survival.groupby("outcome", sort=False)):
        curve = curve.sort_values("time_years", kind="stable")
        events = int(curve["events"].iloc[-1]) if len(curve) else 0
        spells = max(spells, int(curve["spells"].iloc[-1]) if len(curve) else 0)
        ax.step(
            curve["time_years"].to_numpy(),
            curve["survival"].to_numpy(),
            where="post",
            color=COLOURS.get(str(outcome), f"C{index}"),
            linewidth=2.2,
            label=term(
                "events",
                language,
                label=_outcome(outcome, language),
                count=format_number(events, 0),
            ),
            gid=f"survival:{outcome}",
        )
    ax.set_ylim(0, 1.03)
    ax.set_xlim(left=0)
    ax.set_xlabel(term("survival x", language), fontsize=9)
    ax.set_ylabel(term("survival y", language), fontsize=9)
    ax.set_title(
        term("survival title", language),
        loc="left",
        fontsize=12,
        fontweight="bold",
    )
    style_axes(ax, Scale(1.0, "share", share=True))
    ax.legend(fontsize=8.5, frameon=False, loc="lower left")
    above = footer(fig, source or "zonesim")
    footer(
        fig,
        term("survival note", language, spells=format_number(spells, 0)),
        line=above,
        size=8,
    )
    return fig


def _outcome(outcome: object, language: Language) -> str:
    label = LABELS.get(str(outcome))
    return term(label, language) if label is not None else str(outcome)
