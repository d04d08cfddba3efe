"""The command line: ``zonesim validate`` and ``zonesim run`` (sim.cli.main)."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
import re
from pathlib import Path

import pandas as pd
import pytest

import sim.cli.run
import sim.experiment.runner
from sim.cli import main
from sim.experiment.runner import (
    EVENTS_PER_FIRM,
    EVENTS_PER_YEAR,
    MAX_EVENTS_PER_REPLICATION,
    expected_events,
)
from sim.model import FIRM_COLUMNS
from sim.results import provenance
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario, goal_of, origin_expected_count
from tests.helpers import BASELINE, SCENARIOS

TRAJECTORY_COLUMNS = ["replication", "year", "indicator", "value"]
GOAL_COLUMNS = [
    "goal",
    "reading",
    "description",
    "year",
    "target",
    "base_year",
    "base_value",
    "median",
    "p05",
    "p95",
    "p_met",
    "p_met_low",
    "p_met_high",
    "p_met_fixed",
    "parameter_share",
    "chance_share",
    "parameter_share_low",
    "parameter_share_high",
    "status",
    "decided_by",
    "includes_parameter_uncertainty",
]
MANIFEST_KEYS = {
    "scenario",
    "scenario_sha256",
    "root_seed",
    "replications",
    "versions",
    "wall_seconds",
    "events",
}
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>\S+): (?P<msg>.+)$")


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; argparse errors exit through SystemExit, everything else returns a code."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def extends(tmp_path: Path, name: str, body: str) -> Path:
    """A scenario file that extends the real baseline by absolute path; ``body`` from line 2."""
    path = tmp_path / name
    path.write_text(f"extends: {BASELINE}\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def short(tmp_path: Path) -> Path:
    """The baseline cut to 2018-2022: cheap to run, same goals."""
    return extends(tmp_path, "short.yaml", "horizon: {start_year: 2018, end_year: 2022}\n")


# ----------------------------------------------------------------------------- validate
def test_validate_accepts_every_shipped_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    assert str(BASELINE) in files
    code, out, err = cli(["validate", *files], capsys)
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == len(files)
    for path, line in zip(files, lines, strict=True):
        if path.endswith(("observations.yaml", "patterns.yaml")):
            assert line.startswith(f"ok: {path}: ") and line.endswith(" observed figures")
        elif path.endswith("holdout.yaml"):
            assert line.startswith(f"ok: {path}: ") and line.endswith(" held-out figures")
        else:
            assert line.startswith(f"ok: {path}: scenario '")
    baseline = lines[files.index(str(BASELINE))]
    assert "6 carriers, 5 arrival origins" in baseline


# Each case: file name, file body after the `extends:` line, and the one expected problem as
# (line, col, key, message fragment).
EXTENDS_CASES = {
    "negative_rate": (
        "arrivals:\n  origins:\n    maker_team:\n      rate_per_year: -1\n",
        (5, 7, "arrivals.origins.maker_team.rate_per_year", "greater than or equal to 0"),
    ),
    "probability_1_5": (
        "carriers:\n  hpu_science_park:\n    other_sector_admission_probability: 1.5\n",
        (
            4,
            5,
            "carriers.hpu_science_park.other_sector_admission_probability",
            "less than or equal to 1 (got 1.5)",
        ),
    ),
    "unknown_key": (
        "arrivals:\n  origins:\n    maker_team:\n      growth_per_yaer: 0.1\n",
        (5, 7, "arrivals.origins.maker_team.growth_per_yaer", "unknown key"),
    ),
    "duplicate_key": (
        "horizon:\n  start_year: 2018\n  end_year: 2025\n  end_year: 2026\n",
        (5, 3, "horizon.end_year", "duplicate key"),
    ),
    "nan": (
        "carriers:\n  tengyun_park:\n    area_m2: .nan\n",
        (4, 14, "carriers.tengyun_park.area_m2", "NaN and infinity are not allowed"),
    ),
    "date_outside_horizon": (
        "funding:\n  pools:\n    talent_fund:\n      tranches:\n"
        "        - {date: 2050.0, amount_yuan: 1000}\n",
        (
            6,
            12,
            "funding.pools.talent_fund.tranches.0.date",
            "date 2050.0 is outside the simulated window [2019.0, 2031.0)",
        ),
    ),
    "unknown_carrier": (
        "arrivals:\n  origins:\n    university_spinoff:\n"
        "      preferred_carriers: [hpu_sciencepark]\n",
        (
            5,
            7,
            "arrivals.origins.university_spinoff.preferred_carriers",
            "unknown carrier 'hpu_sciencepark'",
        ),
    ),
    "unknown_sector": (
        "carriers:\n  tengyun_park:\n    preferred_sectors: [digital, fintech]\n",
        (4, 5, "carriers.tengyun_park.preferred_sectors", "unknown sector 'fintech'"),
    ),
    "area_zero": (
        "carriers:\n  tengyun_park:\n    area_m2: 0\n",
        (4, 5, "carriers.tengyun_park.area_m2", "greater than 0 (got 0)"),
    ),
    "syntax_error": (
        "horizon: {start_year: 2018, end_year: 2025\nname: x\n",
        (3, 5, "(syntax)", "expected ',' or '}'"),
    ),
    "missing_required_key": (
        "carriers:\n  annex:\n    name: Annex\n    opens: 2021.0\n    area_m2: 500\n"
        "    accepts: [startup]\n    incubator: false\n",
        (3, 3, "carriers.annex.max_firm_area_m2", "Field required"),
    ),
}


def assert_problems(
    err: str, path: Path, expected: list[tuple[int, int, str, str]]
) -> list[re.Match[str]]:
    lines = err.splitlines()
    assert len(lines) == len(expected), err
    matches = []
    for text, (line, col, key, fragment) in zip(lines, expected, strict=True):
        match = PROBLEM_LINE.match(text)
        assert match, text
        assert match["file"] == str(path)
        assert (int(match["line"]), int(match["col"]), match["key"]) == (line, col, key), text
        assert fragment in match["msg"], text
        matches.append(match)
    return matches


@pytest.mark.parametrize("case", sorted(EXTENDS_CASES))
def test_validate_reports_one_located_problem(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, expected = EXTENDS_CASES[case]
    path = extends(tmp_path, f"{case}.yaml", body)
    code, out, err = cli(["validate", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert_problems(err, path, [expected])


def test_validate_reports_anchor_and_alias(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = extends(
        tmp_path,
        "alias.yaml",
        "initial_state:\n  capability: &cap {dist: beta, a: 2.0, b: 3.0}\n  firm_age_years: *cap\n",
    )
    code, _, err = cli(["validate", str(path)], capsys)
    assert code == 2
    message = "anchors and aliases are not allowed"
    assert_problems(
        err,
        path,
        [
            (3, 15, "initial_state.capability", message),
            (4, 19, "initial_state.firm_age_years", message),
        ],
    )


def test_validate_reports_a_missing_extended_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orphan.yaml"
    path.write_text("name: orphan\nextends: nowhere/base.yaml\n", encoding="utf-8")
    code, _, err = cli(["validate", str(path)], capsys)
    assert code == 2
    (match,) = assert_problems(err, path, [(2, 1, "extends", "cannot read extended file")])
    assert "nowhere/base.yaml" in match["msg"]
    assert "No such file" in match["msg"]


def baseline_copy(tmp_path: Path, pattern: str, replace: str) -> tuple[Path, int, int]:
    """A copy of baseline.yaml with the first line matching ``pattern`` rewritten by
    ``replace`` (a re.sub template); returns the path and the 1-based line and indent + 1."""
    lines = BASELINE.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(pattern, line):
            lines[index] = re.sub(pattern, replace, line)
            break
    else:  # pragma: no cover - the baseline changed shape
        pytest.fail(f"no line of baseline.yaml matches {pattern!r}")
    path = tmp_path / "baseline.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    indent = len(lines[index]) - len(lines[index].lstrip(" "))
    return path, index + 1, indent + 1


def test_validate_locates_a_defect_in_a_full_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_origin = next(iter(load_scenario(BASELINE).arrivals.origins))
    path, line, col = baseline_copy(tmp_path, r"^(\s+rate_per_year: )[0-9.]+", r"\g<1>-5")
    code, _, err = cli(["validate", str(path)], capsys)
    assert code == 2
    key = f"arrivals.origins.{first_origin}.rate_per_year"
    assert_problems(err, path, [(line, col, key, "greater than or equal to 0 (got -5)")])


def test_validate_locates_a_duplicate_in_a_full_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, line, col = baseline_copy(tmp_path, r"^(\s+end_year: .*)$", r"\g<1>\n  end_year: 2040")
    code, _, err = cli(["validate", str(path)], capsys)
    assert code == 2
    assert_problems(err, path, [(line + 1, col, "horizon.end_year", "duplicate key")])


def test_validate_checks_every_file_and_reports_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = extends(tmp_path, "bad.yaml", "carriers:\n  tengyun_park:\n    area_m2: 0\n")
    code, out, err = cli(["validate", str(bad), str(BASELINE)], capsys)
    assert code == 2
    assert out.startswith(f"ok: {BASELINE}: ")
    assert_problems(err, bad, [(4, 5, "carriers.tengyun_park.area_m2", "greater than 0")])


@pytest.mark.parametrize(
    ("pattern", "replace", "key"),
    [
        (
            r"^(\s+award_yuan: ).*$",
            r"\g<1>{dist: constant, value: -100000}",
            "funding.grants.enterprise_support.award_yuan",
        ),
        (
            r"^(\s+startup: )\{dist: lognormal.*$",
            r"\g<1>{dist: uniform, low: -200, high: 100}",
            "firms.area_m2.startup",
        ),
    ],
    ids=["negative-award", "negative-area"],
)
def test_validate_rejects_distributions_that_can_go_negative(
    pattern: str, replace: str, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, line, _ = baseline_copy(tmp_path, pattern, replace)
    code, _, err = cli(["validate", str(path)], capsys)
    assert code == 2
    problems = [PROBLEM_LINE.match(text) for text in err.splitlines()]
    assert any(m and m["line"] == str(line) and m["key"].startswith(key) for m in problems), err


# ----------------------------------------------------------------------------- event guard
def origin_expected(scenario: Scenario, key: str) -> float:
    h = scenario.horizon
    return origin_expected_count(scenario.arrivals.origins[key], h.t0, h.t0, h.t_end)


def test_run_refuses_an_absurd_event_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = extends(
        tmp_path,
        "absurd.yaml",
        "arrivals:\n  origins:\n    maker_team:\n      rate_per_year: 1.0e7\n"
        "      growth_per_year: 0.0\n",
    )
    scenario = load_scenario(path)
    baseline = load_scenario(BASELINE)
    estimate = expected_events(scenario)
    # events per firm (expected arrivals + initial occupants and base) + a per-year overhead
    init = scenario.initial_state
    initial = init.enterprise_base_firms + sum(o.firms + o.teams for o in init.carriers.values())
    assert initial == 440
    analytic = scenario.expected_arrivals()
    others = baseline.expected_arrivals() - origin_expected(baseline, "maker_team")
    assert math.isclose(analytic, 1e7 * 12 + others, rel_tol=1e-12)
    assert estimate == EVENTS_PER_FIRM * (analytic + initial) + EVENTS_PER_YEAR * 12
    assert estimate > MAX_EVENTS_PER_REPLICATION
    assert expected_events(baseline) < MAX_EVENTS_PER_REPLICATION / 100

    out_dir = tmp_path / "out"
    code, _, err = cli(
        ["run", str(path), "-n", "1", "--out", str(out_dir), "--no-progress", "--no-plots"], capsys
    )
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"zonesim: error: {path}: about {estimate:,.0f} events per replication")
    assert f"(limit {MAX_EVENTS_PER_REPLICATION:,})" in err
    assert "--force" in err
    assert not out_dir.exists()


def test_force_runs_past_the_guard(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the limit lowered below a cheap scenario's estimate, only --force runs it."""
    estimate = expected_events(load_scenario(short))
    monkeypatch.setattr(sim.experiment.runner, "MAX_EVENTS_PER_REPLICATION", int(estimate) - 1)
    args = ["run", str(short), "-n", "1", "-w", "1", "--no-progress", "--no-plots"]
    code, _, err = cli([*args, "--out", str(tmp_path / "refused")], capsys)
    assert code == 2
    assert f"about {estimate:,.0f} events per replication" in err
    assert not (tmp_path / "refused").exists()
    code, _, err = cli([*args, "--out", str(tmp_path / "forced"), "--force"], capsys)
    assert code == 0, err
    assert (tmp_path / "forced" / "trajectories.csv").is_file()


# ----------------------------------------------------------------------------- run
@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``run baseline.yaml -n 3 --workers 1 --firm-records``: the results folder and stdout."""
    out_dir = tmp_path_factory.mktemp("baseline_run") / "results"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(
            [
                "run",
                str(BASELINE),
                "-n",
                "3",
                "--workers",
                "1",
                "--seed",
                "2018",
                "--out",
                str(out_dir),
                "--firm-records",
                "--no-progress",
            ]
        )
    assert code == 0, stderr.getvalue()
    assert stderr.getvalue() == ""
    return out_dir, stdout.getvalue()


def test_run_prints_the_goal_table(baseline_run: tuple[Path, str]) -> None:
    out_dir, stdout = baseline_run
    scenario = load_scenario(BASELINE)
    goals = scenario.goal_readings()  # one row per reading of each goal
    assert len(scenario.goals) == 18 and len(goals) == 22
    assert "Goals for 2019 and 2020: scenario 'baseline', 3 replications" in stdout
    table = pd.read_csv(out_dir / "goals.csv")
    status = {
        (goal, reading): state
        for goal, reading, state in zip(
            table["goal"], table["reading"], table["status"], strict=True
        )
    }
    rows: dict[tuple[str, str], str] = {}
    for line in stdout.splitlines():
        if not (line.startswith("│") and line.count("│") > 2):
            continue
        name = line.split("│")[1].strip()  # 'goal' or 'goal (reading)'
        goal, _, reading = name.partition(" (")
        rows[(goal, reading.removesuffix(")").replace(" ", "_") or "as_written")] = line
    assert set(rows) == {(goal_of(key), goal.reading) for key, goal in goals.items()}
    for key, goal in goals.items():
        row = rows[(goal_of(key), goal.reading)]
        if goal.indicator is None:
            assert row.rstrip().rstrip("│").strip().endswith("not modelled"), row
            assert f"{key}: {goal.not_modelled_reason}" in " ".join(stdout.split())
        else:
            assert status[(goal_of(key), goal.reading)] in row
            assert "not modelled" not in row
    assert re.search(
        r"│ incubators \(any level\) +│ 2020 │ +6 │ +4 \(2018\) │ +6 │ +6–6 │ +1\.00 │ "
        r"+– │ determined by inputs +│",
        stdout,
    )
    assert "Status: on track when the 95 % Monte Carlo interval" in stdout
    # the verdict in words closes the output
    assert stdout.rstrip().splitlines()[-1].startswith("Not modelled (6): ")
    assert "What the run found" in stdout
    assert re.search(
        r"^3 replications in [0-9.]+ s \(1 worker\), [0-9,]+ SimPy events; ", stdout, re.M
    )
    assert (
        "wrote trajectories.csv, goals.csv, survival.csv, parameters.csv, observations.csv, "
        f"firms.csv, scenario.json, manifest.json and 33 plots in plots/ to {out_dir}"
    ) in stdout


def test_run_writes_the_results_folder(baseline_run: tuple[Path, str]) -> None:
    out_dir, _ = baseline_run
    assert sorted(p.name for p in out_dir.iterdir()) == [
        ".zonesim.json",
        "firms.csv",
        "goals.csv",
        "manifest.json",
        "observations.csv",
        "parameters.csv",
        "plots",
        "scenario.json",
        "survival.csv",
        "trajectories.csv",
    ]
    assert len(list((out_dir / "plots").glob("*.png"))) == 33
    trajectories = pd.read_csv(out_dir / "trajectories.csv")
    assert list(trajectories.columns) == TRAJECTORY_COLUMNS
    assert sorted(trajectories["replication"].unique()) == [0, 1, 2]
    assert sorted(trajectories["year"].unique()) == list(range(2018, 2031))
    assert trajectories["value"].notna().all()
    goals = pd.read_csv(out_dir / "goals.csv")
    assert list(goals.columns) == GOAL_COLUMNS
    assert len(goals) == 22  # 18 goals, three of them read more than one way
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= MANIFEST_KEYS
    assert manifest["scenario"] == "baseline"
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["scenario_sha256"])
    assert manifest["scenario_sha256"] == provenance.scenario_hash(load_scenario(BASELINE))
    assert manifest["root_seed"] == 2018
    assert manifest["replications"] == 3
    assert manifest["events"] > 10_000
    assert manifest["wall_seconds"] >= 0
    assert manifest["versions"]["zonesim"] and manifest["versions"]["python"]
    assert manifest["scenario_files"] == [str(BASELINE)]
    firms = pd.read_csv(out_dir / "firms.csv")
    assert list(firms.columns) == ["replication", *FIRM_COLUMNS]
    assert sorted(firms["replication"].unique()) == [0, 1, 2]
    # every initial firm and every arrival has one row per replication
    arrivals = trajectories[trajectories["indicator"] == "arrivals"]
    per_replication = arrivals.groupby("replication")["value"].sum()
    initial = firms[firms["initial"]].groupby("replication").size()
    rows = firms.groupby("replication").size()
    assert (initial == 440).all()
    assert (rows == initial + per_replication.astype(int)).all()
    assert not firms.duplicated(["replication", "firm"]).any()


def test_run_without_firm_records_writes_no_firms_csv(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = cli(
        ["run", str(short), "-n", "2", "-w", "1", "--out", str(out_dir), "--no-progress"], capsys
    )
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        ".zonesim.json",
        "goals.csv",
        "manifest.json",
        "parameters.csv",
        "plots",
        "scenario.json",
        "survival.csv",
        "trajectories.csv",
    ]
    assert (
        "wrote trajectories.csv, goals.csv, survival.csv, parameters.csv, scenario.json, "
        "manifest.json and 33 plots in plots/ to"
    ) in out
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_files"] == [str(BASELINE), str(short)]
    assert manifest["horizon"] == [2018, 2022]


def scenario_main(goal: str) -> str:
    """The id of a baseline goal's main reading."""
    return load_scenario(BASELINE).goals[goal].main.reading


def test_goal_probabilities(baseline_run: tuple[Path, str]) -> None:
    out_dir, _ = baseline_run
    table = pd.read_csv(out_dir / "goals.csv")
    keys = [
        goal if reading == scenario_main(goal) else f"{goal}:{reading}"
        for goal, reading in zip(table["goal"], table["reading"], strict=True)
    ]
    goals = table.assign(key=keys).set_index("key")
    scenario = load_scenario(BASELINE)
    readings = scenario.goal_readings()
    modelled = [k for k, g in readings.items() if g.indicator is not None]
    unmodelled = [k for k, g in readings.items() if g.indicator is None]
    assert len(modelled) == 16 and len(unmodelled) == 6
    # modelled goals first, in the scenario's order (a goal's readings together, the main one
    # first), then the others
    assert list(goals.index) == modelled + unmodelled
    for key in modelled:
        row = goals.loc[key]
        assert 0.0 <= row["p_met"] <= 1.0
        assert row["p_met"] * 3 == round(row["p_met"] * 3)  # a share of 3 replications
        assert math.isfinite(row["median"])
        assert row["p05"] <= row["median"] <= row["p95"]
        # the status must clear its threshold with the whole 95 % interval of P(met); with 3
        # replications only 0 of 3 (interval 0-0.56) or 3 of 3 (0.44-1) come near it: every
        # goal the model decides is uncertain
        low, high = row["p_met_low"], row["p_met_high"]
        if key == "incubators:any_level":  # no chance involved: no interval
            assert math.isnan(low) and math.isnan(high)
        else:
            assert low <= row["p_met"] <= high
        expected = (
            "determined by inputs"
            if key == "incubators:any_level"  # the carriers' opening dates
            else "on track"
            if low >= 0.8
            else "off track"
            if high <= 0.2
            else "uncertain"
        )
        assert row["status"] == expected
    for key in unmodelled:
        row = goals.loc[key]
        assert row["status"] == f"not modelled: {readings[key].not_modelled_reason}"
        assert math.isnan(row["median"]) and math.isnan(row["p_met"])
    assert goals.loc["incubators:any_level", "p_met"] == 1.0
    assert goals.loc["incubators:any_level", "median"] == 6.0
    assert goals.loc["incubators", "base_value"] == 1.0  # the national incubator
    assert goals.loc["national_hte", "base_value"] == 13.0
    assert goals.loc["national_hte", "base_year"] == 2018
    assert goals.loc["rd_intensity", "base_year"] == 2017  # the source's year, not the start
    assert (goals["year"] == [readings[k].year for k in modelled + unmodelled]).all()
    # the medians match the trajectories
    trajectories = pd.read_csv(out_dir / "trajectories.csv")
    hte_2020 = trajectories[
        (trajectories["indicator"] == "national_hte") & (trajectories["year"] == 2020)
    ]["value"]
    assert len(hte_2020) == 3
    assert goals.loc["national_hte", "median"] == hte_2020.median()
    assert goals.loc["national_hte", "p_met"] == (hte_2020 >= 20).mean()


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--replications", "0"], "argument --replications/-n: must be at least 1 (got 0)"),
        (["-n", "two"], "argument --replications/-n: 'two' is not a whole number"),
        (["--seed", "-1"], "argument --seed: must be 0 or more (got -1)"),
        (["--workers", "0"], "argument --workers/-w: must be at least 1 (got 0)"),
    ],
    ids=["replications-0", "replications-text", "seed-negative", "workers-0"],
)
def test_bad_arguments_exit_2(
    extra: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = cli(["run", str(BASELINE), "--out", str(out_dir), *extra], capsys)
    assert code == 2
    assert out == ""
    errors = [line for line in err.splitlines() if "error:" in line]
    assert errors == [f"zonesim run: error: {fragment}"]
    assert err.startswith("usage: zonesim run")
    assert not out_dir.exists()


def test_missing_scenario_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no_such.yaml"
    out_dir = tmp_path / "out"
    code, out, err = cli(
        ["run", str(missing), "--out", str(out_dir), "--no-progress", "--no-plots"], capsys
    )
    assert code == 2
    assert out == ""
    assert_problems(err, missing, [(1, 1, "(file)", "cannot read file: No such file")])
    assert not out_dir.exists()
    code, _, err = cli(["validate", str(missing)], capsys)
    assert code == 2
    assert_problems(err, missing, [(1, 1, "(file)", "cannot read file")])


def test_no_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli([], capsys)
    assert code == 2
    assert "zonesim: error: the following arguments are required: command" in err


# ----------------------------------------------------------------------------- output folder
def test_out_path_that_is_a_file_exits_2(short: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "results.txt"
    target.write_text("keep me\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli(
        ["run", str(short), "-n", "1", "--out", str(target), "--no-progress", "--no-plots"], capsys
    )
    assert code == 2
    assert out == ""
    assert err == f"zonesim: error: {target}: exists and is not a folder\n"
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_out_path_under_a_file_exits_2(short: Path, tmp_path: Path, capsys) -> None:
    """A folder that cannot be created (its parent is a regular file): fails even as root."""
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "results"
    code, _, err = cli(
        ["run", str(short), "-n", "1", "--out", str(target), "--no-progress", "--no-plots"], capsys
    )
    assert code == 2
    assert err.startswith(f"zonesim: error: {target}: cannot write results there (")
    assert err.count("\n") == 1
    assert blocker.read_text(encoding="utf-8") == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_out_folder_exits_2(short: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "read_only"
    target.mkdir()
    target.chmod(0o500)
    try:
        code, _, err = cli(
            ["run", str(short), "-n", "1", "--out", str(target), "--no-progress", "--no-plots"],
            capsys,
        )
        assert code == 2
        assert err.startswith(f"zonesim: error: {target}: cannot write results there (")
        assert err.count("\n") == 1
        assert list(target.iterdir()) == []
    finally:
        target.chmod(0o700)


def test_a_failing_run_leaves_no_files(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("replication 0 blew up")

    monkeypatch.setattr(sim.cli.run, "run_scenario", boom)
    out_dir = tmp_path / "out"
    code, _, err = cli(
        ["run", str(short), "-n", "1", "--out", str(out_dir), "--no-progress", "--no-plots"], capsys
    )
    assert code == 1
    assert err == "zonesim: error: RuntimeError: replication 0 blew up\n"
    assert not out_dir.exists()  # made by the run, left empty: removed


def test_a_failed_write_leaves_complete_files_only(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename of goals.csv fails (disk full): nothing appears in OUT but the stored
    replications, which a --resume run reuses to finish the job."""
    real_replace = os.replace

    def replace(src: str, dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == "goals.csv":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    out_dir = tmp_path / "out"
    code, _, err = cli(
        ["run", str(short), "-n", "2", "--out", str(out_dir), "--no-progress", "--no-plots"], capsys
    )
    assert code == 1
    assert err.startswith("zonesim: error: ")
    assert err.count("\n") == 1
    # the first file was placed before the disk filled; the marker owns it
    assert sorted(p.name for p in out_dir.iterdir()) == [
        ".zonesim.json",
        "trajectories.csv",
        "units",
    ]
    assert len(list((out_dir / "units").glob("rep-*.json"))) == 2


# ----------------------------------------------------------------------------- language
@pytest.mark.parametrize(
    ("argv", "environ", "fragment"),
    [
        (["--lang", "fr"], {}, "--lang 'fr': choose one of en, zh"),
        ([], {"ZONESIM_LANG": "de"}, "ZONESIM_LANG 'de': choose one of en, zh"),
    ],
)
def test_an_unknown_language_exits_2(
    short: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    environ: dict[str, str],
    fragment: str,
) -> None:
    """An unknown --lang (or ZONESIM_LANG): one line, exit 2, nothing written."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    out_dir = tmp_path / "out"
    code, out, err = cli(["run", str(short), "--out", str(out_dir), *argv], capsys)
    assert code == 2 and out == ""
    assert err.strip() == f"zonesim: error: {fragment}"
    assert not out_dir.exists()


def test_run_in_chinese(
    short: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    """ZONESIM_LANG=zh (or --lang zh): the goal table and the verdict in Chinese, by the
    sources' terms; the numbers as in English; plots drawn (in Chinese)."""
    monkeypatch.setenv("ZONESIM_LANG", "zh")
    out_dir = tmp_path / "zh"
    argv = ["run", str(short), "-n", "2", "-w", "1", "--seed", "3", "--no-progress"]
    code, out, err = cli([*argv, "--out", str(out_dir)], capsys)
    assert code == 0, err
    assert "2019、2020年目标：情景“baseline”，2次重复模拟" in out
    for word in ("国家高新技术企业", "实现概率", "判断规则", "模拟结论", "未建模（6项）"):
        assert word in out, word
    assert "on track" not in out and "off track" not in out
    dashboard = (out_dir / "plots" / "goal_dashboard.png").read_bytes()
    assert json.loads((out_dir / "manifest.json").read_text())["language"] == "zh"
    monkeypatch.delenv("ZONESIM_LANG")
    # plot redraws in the run's language; an English report draws its own English figures
    assert cli(["plot", str(out_dir)], capsys)[0] == 0
    assert (out_dir / "plots" / "goal_dashboard.png").read_bytes() == dashboard
    assert cli(["report", str(out_dir)], capsys)[0] == 0
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "What the run found" in page
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    folder_plots = {p.read_bytes() for p in (out_dir / "plots").glob("*.png")}
    assert embedded and not {base64.b64decode(e) for e in embedded} & folder_plots
    code, english, _ = cli([*argv, "--no-plots", "--out", str(tmp_path / "en")], capsys)
    assert code == 0 and "What the run found" in english and "实现概率" not in english
    zh_goals = pd.read_csv(out_dir / "goals.csv")
    en_goals = pd.read_csv(tmp_path / "en" / "goals.csv")
    pd.testing.assert_frame_equal(zh_goals, en_goals)  # the language changes words only
