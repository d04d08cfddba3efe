"""The shared look of zonesim's figures: colours, number formats, units, the source line, and
writing PNGs whose bytes depend only on what is drawn."""

from __future__ import annotations

import io
import math
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from sim.indicators import describe
from sim.language import Language, term, unit_name
from sim.results.files import write_bytes_atomic

#: Resolution of every saved figure (dots per inch).
DPI = 110

#: Colours used across figures (colour-blind safe, Okabe–Ito based).
SIM = "#0072B2"
OBSERVED = "#1a1a1a"
GOAL = "#C0392B"
LOSS = "#D55E00"
AREA = "#7f8c8d"
MUTED = "#666666"
GRID = "#e3e3e3"

#: One colour per scenario, in the order the scenarios are given.
SCENARIO_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#8C564B",
)

OPS = {">=": "≥", "<=": "≤"}
SHARE_UNITS = ("share", "share of area")


def scenario_colour(index: int) -> str:
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def step_of(locs: object) -> float:
    """The smallest positive gap between tick locations (NaN when there is none)."""
    values = np.sort(np.asarray(locs, dtype=float).ravel())
    steps = np.diff(values)
    steps = steps[steps > 0]
    return float(steps.min()) if steps.size else math.nan


class Thousands(Formatter):
    """Tick labels with thousands separators and as many decimals as the tick step needs."""

    def __init__(self) -> None:
        self.decimals: int | None = None

    def set_locs(self, locs: object) -> None:
        super().set_locs(locs)
        step = step_of(locs)
        self.decimals = decimals_for_step(step) if math.isfinite(step) else None

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_number(x, self.decimals, strip=self.decimals is None)


class Percent(Thousands):
    """Shares as percentages ('25 %'), with as many decimals as the tick step needs."""

    def set_locs(self, locs: object) -> None:
        super().set_locs(100 * np.asarray(locs, dtype=float))

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{format_number(100 * x, self.decimals, strip=self.decimals is None)} %"


def decimals_for_step(step: float) -> int:
    """The fewest decimals (at most 6) that show a multiple of ``step`` exactly."""
    if not math.isfinite(step) or step <= 0:
        return 0
    for decimals in range(7):
        if abs(round(step, decimals) - step) <= 1e-9 * step:
            return decimals
    return 6


def format_number(value: float, decimals: int | None = None, strip: bool = True) -> str:
    """``1,234``; ``0.25``; three significant digits when ``decimals`` is None; '–' for NaN.
    Trailing zeros after the decimal point are dropped unless ``strip`` is False."""
    if value is None or not math.isfinite(value):
        return "–"
    if decimals is None:
        if float(value).is_integer() or abs(value) >= 100:
            decimals = 0
        else:
            decimals = min(4, max(0, 2 - math.floor(math.log10(abs(value)))))
    text = f"{value:,.{decimals}f}"
    if strip and decimals > 0 and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


@dataclass(frozen=True)
class Scale:
    """How an indicator is shown: values are divided by ``factor`` and labelled ``unit``."""

    factor: float
    unit: str
    share: bool = False

    def value_text(self, value: float) -> str:
        """A value (in the indicator's own unit) as text in the displayed unit."""
        if self.share:
            return f"{format_number(100 * value)} %"
        return format_number(value / self.factor)


def scale_for(indicator: str, values: np.ndarray | pd.Series | None = None) -> Scale:
    """Yuan in millions when the values reach a million; shares as percentages."""
    unit = describe(indicator).unit
    if unit in SHARE_UNITS:
        return Scale(1.0, unit, share=True)
    if "yuan" in unit:
        finite = np.asarray(values if values is not None else [], dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size == 0 or np.abs(finite).max() >= 1e6:
            return Scale(1e6, unit.replace("yuan", "million yuan"))
    return Scale(1.0, unit)


def style_axes(ax: Axes, scale: Scale | None = None, axis: str = "y") -> None:
    """Light grid, no top/right frame, readable tick labels in the scale's format."""
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8.5)
    target = ax.yaxis if axis == "y" else ax.xaxis
    if scale is not None and scale.share:
        target.set_major_formatter(Percent())
    else:
        target.set_major_formatter(Thousands())


def year_axis(ax: Axes, language: Language = "en") -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    ax.set_xlabel(term("year axis", language), fontsize=9)


def unit_text(scale: Scale, language: Language = "en") -> str:
    """The displayed unit of a scale in ``language`` ('value' when it has none)."""
    return unit_name(scale.unit, language) if scale.unit else term("value", language)


#: Height of one footer line and the margin below the first (inches).
LINE_INCHES = 0.17
FOOTER_MARGIN = 0.06


def new_figure(width: float, height: float, footer_inches: float = 0.0) -> Figure:
    """A Figure (not registered with pyplot) laid out by constrained layout, leaving
    ``footer_inches`` free at the bottom for notes (``footer`` reserves more if needed)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.set_facecolor("white")
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06)
    reserve_bottom(fig, footer_inches)
    return fig


def reserve_bottom(fig: Figure, inches: float) -> None:
    """Keep at least ``inches`` free below the axes (constrained layout's rect)."""
    engine = fig.get_layout_engine()
    bottom = min(0.5, inches / fig.get_figheight())
    current = engine.get().get("rect", (0.0, 0.0, 1.0, 1.0))[1]
    if bottom > current:
        engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom))


def wrap_footer(width_inches: float, text: str, size: float = 7.5) -> list[str]:
    """A note split into lines that fit a figure ``width_inches`` wide at font ``size``."""
    characters = int(width_inches * 17.5 * 7.5 / size)
    if any(ord(c) >= 0x2E80 for c in text):  # Chinese characters are about twice as wide
        characters //= 2
    return textwrap.wrap(text, max(20, characters)) or [""]


def footer(fig: Figure, text: str, line: int = 0, size: float = 7.5) -> int:
    """A small grey note at the bottom left, wrapped to the figure's width, starting ``line``
    lines up from the bottom; reserves the room it needs. Returns the next free line."""
    height = fig.get_figheight()
    lines = wrap_footer(fig.get_figwidth(), text, size)
    for index, part in enumerate(reversed(lines)):
        y = (FOOTER_MARGIN + (line + index) * LINE_INCHES) / height
        fig.text(0.01, y, part, fontsize=size, color=MUTED, ha="left", va="bottom")
    used = line + len(lines)
    reserve_bottom(fig, FOOTER_MARGIN + used * LINE_INCHES + 0.1)
    return used


def source_tag(source: str) -> str:
    """Short name of an observation's source: 'A (2018): 13 firms' -> 'A 2018'."""
    head = str(source).split(":", 1)[0].strip()
    match = re.fullmatch(r"(.*?)\s*\((.*)\)", head)
    return f"{match.group(1)} {match.group(2)}".strip() if match else head


def goal_text(year: int, op: str, target: float, scale: Scale, language: Language = "en") -> str:
    return term(
        "goal mark", language, year=year, op=OPS.get(op, op), value=scale.value_text(target)
    )


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, without the software/date metadata, so bytes are stable."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Save a figure as a PNG (fixed dpi, no metadata; atomic). Returns the path."""
    out = Path(path)
    write_bytes_atomic(out, figure_png(fig))
    return out
