"""Scenario files that extend another and override some keys (what calibrate and tune write):
they load to the scenario that was evaluated, and their comments carry the provenance."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.scenario import SourceTree, load_scenario, load_scenario_with_tree
from sim.scenario.overrides import override_text
from sim.scenario.provenance import parameter_table
from sim.scenario.space import Parameter, Space, load_space
from tests.helpers import BASELINE, SCENARIOS

RATE = "arrivals.origins.high_level_team.rate_per_year"
BUDGET = "funding.pools.higher_level_support.yearly.amount_yuan"
HTE = "certification.hte.apply_probability"
SME = "certification.tech_sme.apply_probability"
TRANCHES = "funding.pools.national_special_fund.tranches"


@pytest.fixture(scope="module")
def baseline_tree() -> SourceTree:
    return load_scenario_with_tree(BASELINE)[1]


def write_override(
    tmp_path: Path,
    tree: SourceTree,
    values: dict[str, float],
    comments: dict[str, str] | None = None,
    name: str = "baseline_tuned",
) -> Path:
    out = tmp_path / "results" / "tune" / f"{name}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = override_text(
        BASELINE,
        out,
        tree.data,
        values,
        comments or {},
        name,
        'baseline with "tuned" levers',
        ["Written by a test.", "Second header line."],
        base_comments=tree.comments,
    )
    out.write_text(text, encoding="utf-8")
    return out


def without_names(scenario) -> dict:
    data = scenario.model_dump(mode="json")
    data.pop("name")
    data.pop("description")
    return data


def line_with(path: Path, start: str) -> str:
    """The one line of ``path`` whose stripped text starts with ``start``."""
    found = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(start)
    ]
    assert len(found) == 1, found
    return found[0]


def test_override_extends_the_base_by_a_relative_path(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    space = load_space(SCENARIOS / "spaces" / "levers.yaml", baseline_tree, kind="lever")
    values = space.values([0.37, 0.6, 0.25, 0.9, 0.5, 0.1, 0.4])
    out = write_override(tmp_path, baseline_tree, values)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["# Written by a test.", "# Second header line."]
    extends = lines[2]
    assert extends.startswith("extends: ")
    written = extends.removeprefix("extends: ").strip('"')
    assert not os.path.isabs(written)
    assert written.endswith("scenarios/baseline.yaml")
    assert (out.parent / written).resolve() == BASELINE.resolve()
    assert lines[3] == "name: baseline_tuned"
    assert lines[4] == 'description: "baseline with \\"tuned\\" levers"'

    scenario, tree = load_scenario_with_tree(out)
    assert tree.files == (str(out.parent / written), str(out))
    assert scenario.name == "baseline_tuned"
    assert scenario.description == 'baseline with "tuned" levers'
    assert without_names(scenario) == without_names(space.scenario(values))
    assert scenario.arrivals.origins["high_level_team"].rate_per_year == values[RATE]
    assert scenario.funding.pools["higher_level_support"].yearly.amount_yuan == values[BUDGET]
    # keys beside an overridden one are inherited from the base
    assert scenario.funding.pools["higher_level_support"].yearly.in_year == 0.3
    assert scenario.arrivals.origins["high_level_team"].growth_per_year == 0.0


def test_override_of_log_scale_values_reproduces_them_exactly(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    space = load_space(SCENARIOS / "spaces" / "uncertain.yaml", baseline_tree)
    values = space.values([0.123, 0.456, 0.789, 0.321, 0.5])
    out = write_override(tmp_path, baseline_tree, values, name="baseline_calibrated")
    assert without_names(load_scenario(out)) == without_names(space.scenario(values))
    origins = load_scenario(out).arrivals.origins
    assert (
        origins["maker_team"].rate_per_year == values["arrivals.origins.maker_team.rate_per_year"]
    )


def tranche_space(tree: SourceTree, indexes: tuple[int, ...]) -> Space:
    parameters = {
        f"{TRANCHES}.{i}.amount_yuan": Parameter(kind="lever", low=1e6, high=5e7) for i in indexes
    }
    return Space("tranches", "", parameters, tree.data)


def test_list_index_override_replaces_the_whole_list(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    space = tranche_space(baseline_tree, (0,))
    values = {f"{TRANCHES}.0.amount_yuan": 20000000.0}
    out = write_override(tmp_path, baseline_tree, values, {f"{TRANCHES}.0.amount_yuan": "x: y"})
    text = out.read_text(encoding="utf-8")
    assert "    national_special_fund:\n      tranches:\n" in text
    # the changed item one key per line, each with its own provenance; the others as they were
    assert "        - date: 2020.75  # data: B" in text
    assert "          amount_yuan: 20000000  # x: y\n" in text
    assert "        - {date: 2021.5, amount_yuan: 7200000}  # data: B" in text
    assert "        - {date: 2022.5, amount_yuan: 6000000}  # data: B" in text
    scenario = load_scenario(out)
    tranches = scenario.funding.pools["national_special_fund"].tranches
    assert [(t.date, t.amount_yuan) for t in tranches] == [
        (2020.75, 20000000.0),
        (2021.5, 7200000.0),
        (2022.5, 6000000.0),
    ]
    assert without_names(scenario) == without_names(space.scenario(values))
    # the base data handed in is left as it was
    base_tranche = baseline_tree.data["funding"]["pools"]["national_special_fund"]["tranches"][0]
    assert base_tranche["amount_yuan"] == 9000000


def test_two_items_of_one_list(tmp_path: Path, baseline_tree: SourceTree) -> None:
    space = tranche_space(baseline_tree, (0, 2))
    first, third = f"{TRANCHES}.0.amount_yuan", f"{TRANCHES}.2.amount_yuan"
    values = {first: 5000000.0, third: 25000000.0}
    comments = {first: "assumption: first", third: "assumption: third"}
    out = write_override(tmp_path, baseline_tree, values, comments)
    assert out.read_text(encoding="utf-8").count("tranches:") == 1
    assert without_names(load_scenario(out)) == without_names(space.scenario(values))
    assert line_with(out, "amount_yuan: 5000000").endswith("# assumption: first")
    assert line_with(out, "amount_yuan: 25000000").endswith("# assumption: third")
    assert line_with(out, "- {date: 2021.5").endswith("# data: B — as above (60 % of 12 M yuan)")


def test_two_keys_of_one_item_keep_their_own_comments(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    date, amount = f"{TRANCHES}.1.date", f"{TRANCHES}.1.amount_yuan"
    values = {date: 2021.25, amount: 13000000.0}
    comments = {date: "assumption: moved", amount: "raised"}
    out = write_override(tmp_path, baseline_tree, values, comments)
    assert line_with(out, "- date: 2021.25").endswith("  # assumption: moved")
    assert line_with(out, "amount_yuan: 13000000").endswith("  # raised")
    tranche = load_scenario(out).funding.pools["national_special_fund"].tranches[1]
    assert (tranche.date, tranche.amount_yuan) == (2021.25, 13000000.0)


def test_comments_carry_the_provenance_class(tmp_path: Path, baseline_tree: SourceTree) -> None:
    calibrated = "arrivals.origins.maker_team.rate_per_year"
    loans = "funding.loans.loans_per_institution_per_year"
    values = {calibrated: 178.9, RATE: 3.5, HTE: 0.45, loans: 0.75}
    comments = {
        calibrated: "calibrated: to observations.yaml (firms_in_carriers 2021); 90 % range 150-200",
        RATE: "assumption: policy lever found by zonesim tune",
        HTE: "Assumption: capitalised class",
        # loans: no comment
    }
    out = write_override(tmp_path, baseline_tree, values, comments)
    assert line_with(out, "rate_per_year: 178.9").endswith(f"  # {comments[calibrated]}")
    assert line_with(out, "rate_per_year: 3.5").endswith(f"  # {comments[RATE]}")
    assert (
        line_with(out, "loans_per_institution_per_year:")
        == "    loans_per_institution_per_year: 0.75"
    )

    _, tree = load_scenario_with_tree(out)
    table = parameter_table(tree).set_index("key")
    row = table.loc[calibrated]
    assert (row.value, row.provenance, row.file) == ("178.9", "calibrated", str(out))
    assert row.source == "to observations.yaml (firms_in_carriers 2021); 90 % range 150-200"
    assert row.line == int(tree.positions[tuple(calibrated.split("."))][1])
    row = table.loc[RATE]
    assert (row.value, row.provenance, row.source) == (
        "3.5",
        "assumption",
        "policy lever found by zonesim tune",
    )
    assert table.loc[HTE, "provenance"] == "assumption"
    # without a comment a key has no provenance of its own (nor an enclosing one)
    assert table.loc[loans, "provenance"] == "missing"
    assert table.loc[loans, "file"] == str(out)
    # keys not overridden keep the base's provenance and file
    untouched = table.loc["initial_state.national_hte"]
    assert (untouched.provenance, untouched.value) == ("data", "13")
    assert Path(untouched.file).resolve() == BASELINE.resolve()


def test_list_item_comment_gives_the_item_its_class(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    amount = f"{TRANCHES}.0.amount_yuan"
    out = write_override(
        tmp_path, baseline_tree, {amount: 20000000.0}, {amount: "calibrated: to B (2022)"}
    )
    table = parameter_table(load_scenario_with_tree(out)[1]).set_index("key")
    assert table.loc[amount, "provenance"] == "calibrated"
    assert table.loc[amount, "source"] == "to B (2022)"
    assert table.loc[amount, "file"] == str(out)


def test_unchanged_items_of_an_overridden_list_keep_their_provenance(
    tmp_path: Path, baseline_tree: SourceTree
) -> None:
    amount = f"{TRANCHES}.0.amount_yuan"
    out = write_override(
        tmp_path, baseline_tree, {amount: 20000000.0}, {amount: "calibrated: to B (2022)"}
    )
    table = parameter_table(load_scenario_with_tree(out)[1]).set_index("key")
    base = parameter_table(baseline_tree).set_index("key")
    for key in (f"{TRANCHES}.1.amount_yuan", f"{TRANCHES}.2.date"):
        assert base.loc[key, "provenance"] == "data"
        assert table.loc[key, "provenance"] == "data", key
