"""Figures in Chinese (``--lang zh``): every label in the sources' terms, drawn with a font that
has their glyphs (no missing-glyph warnings), and one clear error where there is no such font."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from matplotlib.text import Text

from sim.language import INDICATOR_ZH
from sim.plots import fonts
from sim.plots.dashboard import plot_goal_dashboard
from sim.plots.fan import plot_fan
from sim.plots.folder import run_figures, run_plot_names
from sim.plots.fonts import NoChineseFont, chinese_font, language_fonts
from sim.plots.style import figure_png
from sim.results import read_run

CJK = re.compile(r"[\u4e00-\u9fff]")
#: English words a Chinese figure must not show (its own labels, not names a scenario gives).
ENGLISH_LABELS = ("replications", "target", "median", "observed", "year", "goal")


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_chinese_figures_have_every_glyph(run_folder: Path) -> None:
    """Every figure of a run drawn in Chinese: the same files as in English, and not one
    missing-glyph warning while they are drawn and saved."""
    results = read_run(run_folder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = run_figures(results, "zh")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert sorted(figures) == sorted(run_plot_names(results))
    assert all(data.startswith(b"\x89PNG") for data in figures.values())


def test_chinese_dashboard_speaks_chinese(run_folder: Path) -> None:
    """The dashboard's titles, axes and target labels are Chinese: each panel names its goal
    by the sources' term and no English label is left."""
    results = read_run(run_folder)
    with language_fonts("zh"):
        fig = plot_goal_dashboard(
            {results.scenario.name: results.trajectories}, results.scenario, "src", "zh"
        )
        words = texts(fig)
        figure_png(fig)
    joined = "\n".join(words)
    assert INDICATOR_ZH["national_hte"] in joined and "实现概率" in joined
    assert "目标" in joined and "重复模拟次数" in joined
    for label in ENGLISH_LABELS:
        assert not re.search(rf"\b{label}\b", joined), label
    english = plot_goal_dashboard(
        {results.scenario.name: results.trajectories}, results.scenario, "src", "en"
    )
    assert not CJK.search("\n".join(texts(english)))


def test_chinese_fan_chart(run_folder: Path) -> None:
    """A fan chart in Chinese: the indicator's Chinese name as title, Chinese legend and axes,
    the goal mark as '2020年目标 ≥ 20'."""
    results = read_run(run_folder)
    goal = results.scenario.goals["national_hte"].main
    with language_fonts("zh"):
        fig = plot_fan(
            results.trajectories,
            "national_hte",
            observations=results.observations,
            goal=goal,
            language="zh",
        )
        words = texts(fig)
    assert INDICATOR_ZH["national_hte"] in words
    assert "2020年目标 ≥ 20" in words
    assert "年份" in words and "中位数" in words


def test_no_chinese_font_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a font that has Chinese glyphs, Chinese figures stop with one line saying
    what to install; English ones draw as before."""
    monkeypatch.setattr(fonts, "_packaged", lambda: [])
    monkeypatch.setattr(fonts, "_system", lambda: [])
    chinese_font.cache_clear()
    fonts.chinese_family.cache_clear()
    try:
        with pytest.raises(NoChineseFont) as caught:
            chinese_font()
        message = str(caught.value)
        assert "\n" not in message and "mplfonts" in message and "fonts-noto-cjk" in message
        with pytest.raises(NoChineseFont), language_fonts("zh"):
            pass
        with language_fonts("en"):
            pass
    finally:
        chinese_font.cache_clear()
        fonts.chinese_family.cache_clear()


def test_the_found_font_has_chinese_glyphs() -> None:
    """The font found (packaged or the system's) maps the characters the labels use."""
    path = chinese_font()
    assert path.is_file()
    assert fonts._has_chinese(path)
    assert not fonts._has_chinese(Path(__file__))  # not a font
