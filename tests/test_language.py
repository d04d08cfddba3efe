"""The two languages of the outputs (sim.language): every indicator, unit and term has both
names, the Chinese ones in Chinese, the fields of a phrase are the same in both, and the
language is chosen from --lang, else ZONESIM_LANG, else English."""

from __future__ import annotations

import re
import string

import pytest

from sim.analysis.goals import DETERMINED, status
from sim.indicators import INDICATORS
from sim.language import (
    INDICATOR_ZH,
    LANGUAGE_VARIABLE,
    TERMS,
    UNIT_ZH,
    indicator_name,
    joined,
    resolve_language,
    term,
    unit_name,
)

CJK = re.compile("[\u4e00-\u9fff]")

#: Terms whose Chinese text has no CJK character: "and" is the list separator, the ideographic
#: comma "、" (U+3001, outside U+4E00–U+9FFF). Every other Chinese term has at least one.
NO_CJK = {"and"}

#: Every status the goal table can give a goal (sim.analysis.goals.goal_table).
STATUSES = (
    "on track",
    "uncertain",
    "off track",
    "determined by inputs",
    "not modelled",
    "no simulated value",
)


def fields(text: str) -> set[str]:
    """The names of the ``{field}`` placeholders of a format string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_indicator_has_a_chinese_name_and_no_other_name_is_there() -> None:
    """A new indicator without a Chinese name, or a Chinese name left after an indicator is
    gone, fails here."""
    assert set(INDICATORS) - set(INDICATOR_ZH) == set()
    assert set(INDICATOR_ZH) - set(INDICATORS) == set()
    for indicator, name in INDICATOR_ZH.items():
        assert CJK.search(name), (indicator, name)


def test_every_unit_of_an_indicator_has_a_chinese_name() -> None:
    units = {indicator.unit for indicator in INDICATORS.values()}
    assert units - set(UNIT_ZH) == set()
    for unit in units:
        assert CJK.search(unit_name(unit, "zh")), unit
        assert unit_name(unit, "en") == unit


def test_every_term_has_both_texts_with_the_same_fields() -> None:
    """Both texts are there, the Chinese one in Chinese (bar the separator, see NO_CJK), and a
    field of one is a field of the other, so neither fails to format."""
    for key in NO_CJK:  # each exception is needed
        assert not CJK.search(TERMS[key][1]), key
    for key, (english, chinese) in TERMS.items():
        assert english.strip() and chinese.strip(), key
        if key not in NO_CJK:
            assert CJK.search(chinese), (key, chinese)
        assert fields(english) == fields(chinese), key
    assert fields(TERMS["status rule"][0]) == {"on", "off"}


def test_every_status_of_the_goal_table_has_a_term() -> None:
    assert DETERMINED in STATUSES
    assert {status(0.95), status(0.5), status(0.05)} <= set(STATUSES)
    for key in STATUSES:
        english, chinese = TERMS[key]
        assert english == key
        assert CJK.search(chinese)
        assert term(key, "en") == key and term(key, "zh") == chinese


def test_term_fills_the_fields_in_the_language_asked_for() -> None:
    assert term("summary not modelled", "zh", count=2, items="甲、乙") == "未建模（2项）：甲、乙。"
    assert term("summary not modelled", "en", count=2, items="a, b") == "Not modelled (2): a, b."
    rule = term("status rule", "en", on=0.8, off=0.2)
    assert "at or above 0.8;" in rule and "at or below 0.2;" in rule
    assert term("item p", "zh", name="国家高新技术企业", p="0.93") == "国家高新技术企业（概率0.93）"
    with pytest.raises(KeyError):
        term("no such term", "en")


def test_indicator_names_in_chinese_keep_the_id_of_a_variant() -> None:
    label = "Firms and teams in carriers: hpu_science_park"
    name = indicator_name("firms_in_carriers.hpu_science_park", label, "zh")
    assert name == "载体入驻企业（团队）：hpu_science_park"
    assert indicator_name("national_hte", "National HTE", "zh") == "国家高新技术企业"
    # in English the given label, variant or not
    assert indicator_name("firms_in_carriers.hpu_science_park", label, "en") == label
    assert indicator_name("national_hte", "x", "en") == "x"
    # an indicator with no Chinese name falls back to the label
    assert indicator_name("no_such_indicator", "x", "zh") == "x"


def test_joined_uses_the_language_separator() -> None:
    assert joined(["a", "b", "c"], "en") == "a, b, c"
    assert joined(["甲", "乙"], "zh") == "甲、乙"
    assert joined(["a"], "zh") == "a"


def test_the_language_comes_from_lang_else_the_variable_else_english() -> None:
    """``--lang`` wins over ZONESIM_LANG; case and surrounding spaces do not matter; an unset
    or empty variable means English."""
    assert LANGUAGE_VARIABLE == "ZONESIM_LANG"
    assert resolve_language(None, {}) == "en"
    assert resolve_language(None, {"ZONESIM_LANG": ""}) == "en"
    assert resolve_language(None, {"ZONESIM_LANG": " ZH "}) == "zh"
    assert resolve_language("zh", {}) == "zh"
    assert resolve_language(" Zh", {"ZONESIM_LANG": "en"}) == "zh"
    assert resolve_language("EN", {"ZONESIM_LANG": "zh"}) == "en"
    assert resolve_language(None, {"OTHER": "zh"}) == "en"


def test_an_unknown_language_names_the_choices_and_where_it_came_from() -> None:
    with pytest.raises(ValueError, match=r"^--lang 'fr': choose one of en, zh$"):
        resolve_language("fr", {"ZONESIM_LANG": "zh"})
    with pytest.raises(ValueError, match=r"^ZONESIM_LANG 'de': choose one of en, zh$"):
        resolve_language(None, {"ZONESIM_LANG": "DE"})
    # a bad variable does not matter when --lang is given
    assert resolve_language("en", {"ZONESIM_LANG": "fr"}) == "en"
