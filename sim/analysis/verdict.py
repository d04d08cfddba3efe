"""The verdict in plain words: a short summary written from a goal table (which goals are on
track, which are uncertain and what decides them, which are out of reach and by how much, and
which the sources' readings split), in English or Chinese. ``run`` prints it last and the
report opens with it; nothing in it is typed by hand."""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.goals import DETERMINED, goal_years
from sim.indicators import describe
from sim.language import Language, indicator_name, joined, term
from sim.scenario.schema import Scenario, reading_label


def goal_names(scenario: Scenario, language: Language) -> dict[tuple[str, str], str]:
    """A name for each (goal, reading) of the scenario: in English the goal id as the goal
    table shows it (``goal (reading)`` where a goal has several); in Chinese the sources'
    term for what the reading counts (its indicator's Chinese name), or the goal's own words
    where it is not modelled."""
    names: dict[tuple[str, str], str] = {}
    for goal_id, goal in scenario.goals.items():
        for reading_id, read in goal.read().items():
            if language == "zh":
                if read.indicator is not None:
                    name = indicator_name(read.indicator, read.description, "zh")
                else:
                    name = goal.words or goal_id
            else:  # as the goal table names it
                name = reading_label(goal_id, reading_id)
            names[(goal_id, reading_id)] = name
    return names


def value_text(value: float, indicator: str | None) -> str:
    """A goal's value as the summary shows it: shares in per cent, counts as whole numbers."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    unit = describe(indicator).unit if indicator else ""
    if unit.startswith("share"):
        return f"{100 * value:.3g} %"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def summary(
    goals: pd.DataFrame, scenario: Scenario, replications: int, language: Language = "en"
) -> list[str]:
    """The verdict in a few sentences, from a goal table (``sim.analysis.goals.goal_table``
    or a results folder's goals.csv): the goals on track, those the inputs settle, the
    uncertain ones with what decides them (from a screening, when there is one), those out of
    reach with their median against the target and what moves them most (the screening's
    levers and assumptions: what it would take), the goals whose verdict differs between
    readings, and those not modelled. One sentence per group, groups without goals left out."""
    names = goal_names(scenario, language)
    groups: dict[str, list[str]] = {
        "on track": [],
        "determined": [],
        "uncertain": [],
        "off track": [],
        "not modelled": [],
    }
    verdicts: dict[str, set[str]] = {}
    for row in goals.itertuples(index=False):
        goal_id, reading = str(row.goal), str(row.reading)
        name = names.get((goal_id, reading), goal_id)
        status = str(row.status)
        spec = scenario.goals[goal_id].read().get(reading) if goal_id in scenario.goals else None
        indicator = spec.indicator if spec is not None else None
        p = "–" if pd.isna(row.p_met) else f"{float(row.p_met):.2f}"
        if status.startswith("not modelled") or status == "no simulated value":
            groups["not modelled"].append(name)
            continue
        verdicts.setdefault(goal_id, set()).add(status)
        if status == DETERMINED:
            met = float(row.p_met) >= 0.5
            groups["determined"].append(
                term("item met" if met else "item missed", language, name=name)
            )
        elif status == "on track":
            groups["on track"].append(term("item p", language, name=name, p=p))
        elif status == "uncertain":
            why = deciders(getattr(row, "decided_by", ""))
            if why:
                groups["uncertain"].append(term("item decided", language, name=name, p=p, why=why))
            else:
                groups["uncertain"].append(term("item p", language, name=name, p=p))
        else:
            why = deciders(getattr(row, "decided_by", ""))
            groups["off track"].append(
                term(
                    "item gap moved" if why else "item gap",
                    language,
                    name=name,
                    p=p,
                    median=value_text(row.median, indicator),
                    target=value_text(row.target, indicator),
                    why=why,
                )
            )
    zone = scenario.name
    lines = [
        term(
            "summary goals",
            language,
            zone=zone,
            count=goals["goal"].nunique(),
            years=goal_years(goals, language),
            verdicts=len(goals),
            replications=replications,
        )
    ]
    for key, phrase in (
        ("on track", "summary on track"),
        ("determined", "summary determined"),
        ("uncertain", "summary uncertain"),
        ("off track", "summary off track"),
    ):
        if groups[key]:
            lines.append(term(phrase, language, items=joined(groups[key], language)))
    split = [goal for goal, seen in verdicts.items() if len(seen) > 1]
    if split:
        split_names = [
            f"“{scenario.goals[goal].words}”"
            if language == "zh" and goal in scenario.goals and scenario.goals[goal].words
            else goal
            for goal in split
        ]
        lines.append(term("summary reading split", language, items=joined(split_names, language)))
    if groups["not modelled"]:
        lines.append(
            term(
                "summary not modelled",
                language,
                count=len(groups["not modelled"]),
                items=joined(groups["not modelled"], language),
            )
        )
    return lines


def deciders(decided_by: object, most: int = 2) -> str:
    """The first ``most`` parameters of a screening's decided-by text, without their ΔP:
    'a.b (calibrated, ΔP +0.3); c.d (lever, ΔP +0.1)' -> 'a.b, c.d'; '' for none."""
    if not isinstance(decided_by, str) or not decided_by or decided_by.startswith("none"):
        return ""
    names = [part.split(" (", 1)[0].strip() for part in decided_by.split(";")]
    return ", ".join(name for name in names[:most] if name)
