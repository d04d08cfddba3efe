"""Every parameter of every shipped scenario carries its provenance."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.scenario import load_scenario_with_tree
from sim.scenario.provenance import CLASSES, parameter_table, parse, unit_of
from tests.helpers import SCENARIOS

SHIPPED = sorted(
    p
    for p in [
        *SCENARIOS.glob("*.yaml"),
        *SCENARIOS.glob("examples/*/*.yaml"),
        *SCENARIOS.glob("zones/*/*.yaml"),
    ]
    if p.name not in ("observations.yaml", "patterns.yaml", "holdout.yaml")
)


@pytest.mark.validation(
    group="provenance",
    check="every parameter has provenance",
    asserts=(
        "each parameter of every shipped scenario carries data / rule / calibrated / assumption"
    ),
    tolerance="exact",
)
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_every_parameter_of_a_shipped_scenario_has_provenance(path):
    _, tree = load_scenario_with_tree(path)
    table = parameter_table(tree)
    missing = table.loc[~table["provenance"].isin(CLASSES), "key"].tolist()
    assert not missing, f"{path.name}: parameters without provenance: {missing}"
    assert len(table) > 250


def test_provenance_follows_extends_and_the_overriding_file():
    _, tree = load_scenario_with_tree(SCENARIOS / "talent_push.yaml")
    table = parameter_table(tree).set_index("key")
    rate = table.loc["arrivals.origins.high_level_team.rate_per_year"]
    assert rate.value == "5.0" and rate.provenance == "assumption"
    assert rate.file.endswith("talent_push.yaml")
    inherited = table.loc["initial_state.national_hte"]
    assert (inherited.value, inherited.provenance) == ("13", "data")
    assert inherited.file.endswith("baseline.yaml")
    # a list of rule bands inherits the provenance of the key above it
    band = table.loc["certification.tech_sme.st_staff_points.0.points"]
    assert band.provenance == "rule"


def test_parse_and_units():
    assert parse("data: A (2018) — 13 firms") == ("data", "A (2018) — 13 firms")
    assert parse("assumption") == ("assumption", "")
    assert parse("just a comment") is None
    assert unit_of(("carriers", "x", "area_m2")) == "m²"
    assert unit_of(("firms", "area_m2", "team")) == "m²"
    assert unit_of(("funding", "grants", "g", "award_yuan")) == "yuan"
    assert unit_of(("arrivals", "origins", "o", "rate_per_year")) == "per year"


def test_describe_command_formats(tmp_path, capsys):
    assert main(["describe", str(SCENARIOS / "baseline.yaml"), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "key,value,unit,provenance,source,file,line"
    assert any(line.startswith("initial_state.national_hte,13,,data,") for line in lines)
    out = tmp_path / "params.md"
    assert (
        main(
            [
                "describe",
                str(SCENARIOS / "baseline.yaml"),
                "--format",
                "markdown",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert text.startswith("# Parameters of scenario 'baseline'")
    assert "| initial_state.tech_smes | 85 |" in text


def test_results_carry_the_parameter_table(tmp_path):
    import json

    import pandas as pd

    from sim.studies import run_scenario

    data = SCENARIOS / "baseline.yaml"
    run = run_scenario(data, replications=1, seed=3)
    run.write(tmp_path)
    table = pd.read_csv(tmp_path / "parameters.csv", keep_default_na=False, dtype=str)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest["parameters"]) == len(table) > 250
    first = manifest["parameters"][0]
    assert first["key"] == table.iloc[0]["key"] == "horizon.start_year"
    assert first["provenance"] == "data"
    keys = {row["key"]: row for row in manifest["parameters"]}
    assert keys["initial_state.national_hte"]["value"] == "13"
