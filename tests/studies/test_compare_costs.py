"""compare --space prices each policy: on a case with a known answer (carrier area, a lever
whose effect on the floor area is exactly what it adds, at a known cost per m²) the cost per
extra m² is that cost with a zero-width interval, two area levers share the change in
proportion to what each adds, and a change no lever prices is named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import BASELINE, run_cli

COST_PER_M2 = 1200.0


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("priced")
    (folder / "ref.yaml").write_text(
        f"extends: {BASELINE}\nname: ref\nhorizon: {{start_year: 2018, end_year: 2022}}\n"
        "goals:\n  floor_area: {description: carrier floor area, target: 90000, year: 2020, "
        "indicator: carrier_area_m2}\n",
        encoding="utf-8",
    )
    (folder / "policy.yaml").write_text(
        "extends: ref.yaml\nname: policy\ncarriers:\n"
        "  entrepreneurship_center: {area_m2: 20000}\n  hpu_science_park: {area_m2: 16000}\n"
        "funding:\n  grants:\n    carrier_project: {apply_probability: 0.6}\n",
        encoding="utf-8",
    )
    (folder / "space.yaml").write_text(
        "name: areas\nparameters:\n"
        f"  carriers.entrepreneurship_center.area_m2: {{kind: lever, low: 18000, high: 40000, "
        f"cost_per_unit_yuan: {COST_PER_M2}}}\n"
        f"  carriers.hpu_science_park.area_m2: {{kind: lever, low: 10000, high: 40000, "
        f"cost_per_unit_yuan: {COST_PER_M2}}}\n",
        encoding="utf-8",
    )
    return folder, ""


def test_compare_prices_a_policy_with_a_known_answer(
    priced: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = priced
    out = folder / "out"
    argv = ["compare", folder / "ref.yaml", folder / "policy.yaml", "--space",
            folder / "space.yaml", "-n", "4", "-w", "1", "--seed", "5", "--no-progress",
            "--no-plots", "--out", out]  # fmt: skip
    code, stdout, err = run_cli(argv, capsys)
    assert code == 0, err
    costs = pd.read_csv(out / "cost_effectiveness.csv")
    floor = costs[costs["goal"] == "floor_area"].iloc[0]
    # 2,000 + 1,000 m² at 1,200 yuan each
    assert floor["cost_yuan"] == pytest.approx(3000 * COST_PER_M2)
    assert (floor["diff_mean"], floor["diff_low"], floor["diff_high"]) == (3000, 3000, 3000)
    assert floor["yuan_per_unit"] == pytest.approx(COST_PER_M2)
    assert floor["yuan_per_unit_low"] == pytest.approx(COST_PER_M2)
    assert floor["yuan_per_unit_high"] == pytest.approx(COST_PER_M2)
    shares = pd.read_csv(out / "lever_shares.csv")
    floor_shares = shares[shares["goal"] == "floor_area"].set_index("lever")["share"]
    assert floor_shares["carriers.entrepreneurship_center.area_m2"] == pytest.approx(2 / 3)
    assert floor_shares["carriers.hpu_science_park.area_m2"] == pytest.approx(1 / 3)
    info = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    pricing = info["pricing"]["policy"]
    assert pricing["cost_yuan"] == pytest.approx(3.6e6)
    assert pricing["levers"] == {
        "carriers.entrepreneurship_center.area_m2": 20000.0,
        "carriers.hpu_science_park.area_m2": 16000.0,
    }
    # the grant take-up is no lever of the space: named, not priced
    assert pricing["unpriced_changes"] == [
        "funding.grants.carrier_project.apply_probability: 0.5 -> 0.6"
    ]
    assert "policy: extra cost 3.60 M yuan" in stdout
    assert "not priced (no lever of the space): funding.grants.carrier_project" in stdout
    assert "1,200 [1,200, 1,200]" in stdout


def test_compare_refuses_a_space_of_uncertain_parameters(
    priced: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Pricing needs levers: a space of uncertain parameters is refused before anything is
    written, one line per parameter, exit 2."""
    folder, _ = priced
    out = folder / "refused"
    spaces = Path(BASELINE).parent / "spaces" / "uncertain.yaml"
    argv = ["compare", folder / "ref.yaml", folder / "policy.yaml", "--space", spaces,
            "-n", "2", "--no-progress", "--out", out]  # fmt: skip
    code, stdout, err = run_cli(argv, capsys)
    assert code == 2 and stdout == ""
    assert "this command varies 'lever' parameters, not 'uncertain'" in err
    assert not out.exists()
