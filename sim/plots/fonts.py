"""A font with Chinese glyphs for figures and pages in Chinese (``--lang zh``).

Found in this order: the Noto Sans CJK SC face that the ``mplfonts`` package installs with
zonesim (a dependency, so a fresh machine has it), then a Simplified Chinese sans face of the
system (fontconfig's choice for ``sans:lang=zh-cn``). Where there is none, drawing in Chinese
stops with one line saying what to install, never with boxes for missing glyphs.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import matplotlib
from matplotlib import font_manager

#: Font files tried first: the Simplified Chinese faces mplfonts ships.
PACKAGED_FONTS = ("NotoSansCJKsc-Regular.otf", "SourceHanSansSC-Regular.otf")

#: A character every Chinese label uses, to check a face has Chinese glyphs.
PROBE = "国"


class NoChineseFont(RuntimeError):
    """No font with Chinese glyphs could be found."""


@functools.cache
def chinese_font() -> Path:
    """The font file of a face with Simplified Chinese glyphs (see the module doc); raises
    NoChineseFont with what to install."""
    for candidate in _packaged() + _system():
        if _has_chinese(candidate):
            return candidate
    raise NoChineseFont(
        "no font with Chinese glyphs found for --lang zh: pip install mplfonts (installed with "
        "zonesim; it brings Noto Sans CJK SC) or install a Chinese font (Debian/Ubuntu: apt "
        "install fonts-noto-cjk)"
    )


@functools.cache
def chinese_family() -> str:
    """The family name of :func:`chinese_font`, registered with matplotlib's font manager."""
    path = chinese_font()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _packaged() -> list[Path]:
    try:
        folder = importlib.resources.files("mplfonts") / "fonts"
    except ModuleNotFoundError:
        return []
    found = []
    for name in PACKAGED_FONTS:
        path = Path(str(folder / name))
        if path.is_file():
            found.append(path)
    return found


def _system() -> list[Path]:
    if shutil.which("fc-match") is None:
        return []
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    path = Path(result.stdout.strip())
    # matplotlib reads the first face of a collection (.ttc), which may be the Japanese one
    return [path] if result.returncode == 0 and path.is_file() else []


def _has_chinese(path: Path) -> bool:
    """Whether the font's first face maps the probe character."""
    try:
        from fontTools.ttLib import TTCollection, TTFont

        if path.suffix.lower() == ".ttc":
            with TTCollection(str(path), lazy=True) as collection:
                cmap = collection.fonts[0].getBestCmap() or {}
        else:
            with TTFont(str(path), lazy=True) as font:
                cmap = font.getBestCmap() or {}
    except Exception:  # noqa: BLE001 - an unreadable font is no candidate
        return False
    return ord(PROBE) in cmap


@contextlib.contextmanager
def language_fonts(language: str) -> Iterator[None]:
    """Within: figures drawn and saved have the glyphs of ``language``: Latin text in
    matplotlib's DejaVu Sans and Chinese in :func:`chinese_family` (matplotlib falls back from
    one to the next glyph by glyph), in English too when there is such a font (a scenario's
    names may be Chinese). Raises NoChineseFont for Chinese without one."""
    try:
        family = chinese_family()
    except NoChineseFont:
        if language == "zh":
            raise
        yield  # English needs none: its labels are ASCII apart from names a scenario gives
        return
    # the packaged face has one weight: bold text is drawn in it without saying so each time
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context({"font.family": ["DejaVu Sans", family]}):
            yield
    finally:
        log.setLevel(level)
