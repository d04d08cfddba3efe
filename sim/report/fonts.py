"""The Chinese font a page in Chinese carries with it: the characters the page uses, cut from
the font figures use (``sim.plots.fonts``) and embedded as a data URI, so the page renders on a
machine without Chinese fonts and stays one file."""

from __future__ import annotations

import base64
import io

#: The family name the page's CSS gives the embedded font.
EMBEDDED_FAMILY = "zonesim CJK"


def embedded_font_css(text: str) -> str:
    """An ``@font-face`` rule embedding the glyphs of ``text``'s non-ASCII characters ('' when
    it has none). Raises ``sim.plots.fonts.NoChineseFont`` without a Chinese font."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    from sim.plots.fonts import chinese_font

    characters = "".join(sorted({c for c in text if ord(c) > 127}))
    if not characters:
        return ""
    path = chinese_font()
    collection = path.suffix.lower() == ".ttc"
    font = TTCollection(str(path)).fonts[0] if collection else TTFont(str(path))
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; '
        f'src: url(data:font/otf;base64,{data}) format("opentype"); }}\n'
    )


def page_font(body: str, language: str) -> str:
    """The ``@font-face`` a page needs: the glyphs of its non-ASCII characters. Without a
    Chinese font an English page goes without (its Chinese words fall back to the reader's
    fonts); a Chinese page raises ``NoChineseFont``."""
    from sim.plots.fonts import NoChineseFont

    if not any(ord(c) >= 0x2E80 for c in body):  # no CJK character: nothing to embed
        return ""
    try:
        return embedded_font_css(body)
    except NoChineseFont:
        if language == "zh":
            raise
        return ""
