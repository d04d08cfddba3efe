"""Scenario builders for tests: the baseline as a dict, and a reduced, quiet zone."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sim.scenario.loader import read_tree
from sim.scenario.schema import Scenario, cross_check

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"


def baseline_data() -> dict[str, Any]:
    """The resolved baseline scenario as plain data (a fresh copy each call)."""
    return copy.deepcopy(read_tree(BASELINE).data)


def scenario_from(data: dict[str, Any]) -> Scenario:
    """Validate data as a scenario, including the cross checks."""
    scenario = Scenario.model_validate(data)
    problems = cross_check(scenario)
    assert not problems, problems
    return scenario


def const(value: float) -> dict[str, Any]:
    return {"dist": "constant", "value": value}


def quiet_data(start_year: int = 2018, end_year: int = 2030) -> dict[str, Any]:
    """A zone where nothing happens unless a test switches it on: no arrivals, an empty initial
    state, one open carrier of 100 m² that accepts teams and startups, no failures or
    relocations (firms reaching the maximum stay stay in the zone), no patents, no funding, no
    HTE cultivation, IP purchase or copyrights, no certification applications, no graduation
    criteria that can be met (and certain take-up of those a test switches on)."""
    data = baseline_data()
    data["name"] = "quiet"
    data["horizon"] = {"start_year": start_year, "end_year": end_year}
    data["sectors"] = ["equipment", "other"]
    data["carriers"] = {
        "park": {
            "name": "Test park",
            "opens": 2000.0,
            "area_m2": 100.0,
            "expansions": [],
            "accepts": ["team", "startup"],
            "incubator": True,
            "preferred_sectors": [],
            "other_sector_admission_probability": 1.0,
            "max_firm_area_m2": 1000.0,
        }
    }
    data["arrivals"] = {
        "origins": {
            "entrant": {
                "kind": "startup",
                "rate_per_year": 0.0,
                "capability": const(0.5),
                "sectors": {"equipment": 1.0},
                "founded_years_before_arrival": const(0.0),
            }
        }
    }
    init = data["initial_state"]
    init.update(
        carriers={},
        enterprise_base_firms=0,
        national_hte=0,
        tech_smes=0,
        high_level_teams=0,
        sectors={"equipment": 1.0},
    )
    firms = data["firms"]
    firms["area_m2"] = {"team": const(1.0), "startup": const(1.0)}
    firms["patience_years"] = const(0.0)
    firms["failure"]["hazard_per_year"] = {"team": 0.0, "incubating": 0.0, "enterprise": 0.0}
    firms["failure"]["enterprise_relocation_per_year"] = 0.0
    data["incubation"]["stay_in_zone_after_max_stay"] = 1.0
    data["incubation"]["graduation_take_up"] = 1.0
    data["incubation"]["hte_graduation_take_up"] = 1.0
    data["incubation"]["max_stay_years_by_sector"] = {}
    data["incubation"]["graduation_revenue_two_years_yuan"] = 1e18
    data["incubation"]["acquisition_rate_per_year"] = 0.0
    patents = data["patents"]
    patents["filing_rate_per_year"] = {"team": 0.0, "incubating": 0.0, "enterprise": 0.0}
    patents["exogenous"]["grants_per_year"] = 0.0
    patents["rd_yuan_per_filing"] = None
    funding = data["funding"]
    funding["pools"] = {"fund": {}}
    funding["grants"] = {}
    funding["loans"]["institutions"] = [{"date": float(start_year + 1), "count": 0}]
    funding["loans"]["loans_per_institution_per_year"] = 0.0
    funding["equity"]["rate_per_year"] = 0.0
    funding["talent_rewards"] = {"pool": "fund", "award_per_team_yuan": 0.0}
    cert = data["certification"]
    cert["hte"]["apply_probability"] = 0.0
    cert["hte"]["renewal_probability"] = 0.0
    cert["tech_sme"]["apply_probability"] = 0.0
    cert["tech_sme"]["renewal_probability"] = 0.0
    cert["hte"]["software_copyrights_per_year"] = {}
    cert["hte"]["ip_purchase"]["probability"] = 0.0
    cert["hte"]["cultivation"]["firms_per_year"] = 0
    data["goals"] = {}
    return data


def queue_data(
    arrival_rate: float, mean_stay: float, servers: int, patience: float, years: int
) -> dict[str, Any]:
    """An M/M/c queue: Poisson arrivals, exponential stays, ``servers`` slots of 1 m² each,
    a fixed patience (0: no waiting room; very large: infinite patience)."""
    data = quiet_data(2018, 2018 + years)
    data["name"] = "queue"
    data["carriers"]["park"]["area_m2"] = float(servers)
    data["arrivals"]["origins"]["entrant"]["rate_per_year"] = arrival_rate
    data["firms"]["patience_years"] = const(patience)
    data["incubation"]["max_stay_years"] = {"dist": "exponential", "mean": mean_stay}
    return data


def run_cli(argv: list[object], capsys: Any) -> tuple[int, str, str]:
    """Run the command line in this process (arguments as strings); argparse errors exit
    through SystemExit, everything else returns a code. Never a traceback."""
    from sim.cli import main  # the CLI loads plotting: only tests that use it pay for it

    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def short_scenario(folder: Path, name: str = "short", end_year: int = 2022) -> Path:
    """``folder/<name>.yaml``: the baseline, named ``name``, ending in ``end_year``."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: {name}\nhorizon: {{end_year: {end_year}}}\n", encoding="utf-8"
    )
    return path


def write_posterior(
    path: Path, columns: dict[str, Any], weights: Any = None, draws: Any = None
) -> Path:
    """A posterior file (``draw``, ``weight``, one column per scenario key) at ``path``: equal
    weights unless given."""
    import numpy as np
    import pandas as pd

    size = len(next(iter(columns.values())))
    table = pd.DataFrame(
        {
            "draw": np.arange(size) if draws is None else draws,
            "weight": np.full(size, 1 / size) if weights is None else weights,
            **columns,
        }
    )
    table.to_csv(path, index=False)
    return path


def uniform_posterior(path: Path, space_file: Path, draws: int = 200, seed: int = 0) -> Path:
    """``draws`` equally weighted draws spread uniformly (on each parameter's scale) inside
    the bounds of a space file's parameters."""
    import numpy as np

    from sim.scenario.loader import load
    from sim.scenario.space import SpaceFile

    spec, _ = load(space_file, SpaceFile)
    rng = np.random.default_rng(seed)
    columns = {
        key: [parameter.value(u) for u in rng.random(draws)]
        for key, parameter in spec.parameters.items()
    }
    return write_posterior(path, columns)
