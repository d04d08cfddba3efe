"""The analysis commands of the command line: calibrate, sensitivity, tune and sweep
(sim.cli.main), with tiny settings, and their handling of bad input (exit 2, one line)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.scenario import load_scenario_with_tree
from sim.scenario.provenance import parameter_table
from tests.helpers import BASELINE, SCENARIOS

LEVERS = SCENARIOS / "spaces" / "levers.yaml"
UNCERTAIN = SCENARIOS / "spaces" / "uncertain.yaml"
OBSERVATIONS = SCENARIOS / "observations.yaml"
RATE = "arrivals.origins.high_level_team.rate_per_year"
HTE = "certification.hte.cultivation.firms_per_year"
TINY = ["-n", "2", "-w", "1", "--no-progress", "--no-plots"]
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>\S+): (?P<msg>.+)$")
FINISHED = re.compile(
    r"^(?P<run>\d+) evaluations? run(?:, (?P<reused>\d+) reused from (?P<units>\S+))?, "
    r"[\d,]+ SimPy events, [\d.]+ s; wrote (?P<files>.+) to (?P<out>\S+)$",
    re.M,
)


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; argparse errors exit through SystemExit, everything else returns a code."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def finished(out: str) -> re.Match[str]:
    match = FINISHED.search(out)
    assert match, out
    return match


def calibrate_args(out: Path, *extra: str) -> list:
    return [
        "calibrate",
        BASELINE,
        "--space",
        UNCERTAIN,
        "--observations",
        OBSERVATIONS,
        "--trials",
        "3",
        *TINY,
        "--out",
        out,
        *extra,
    ]


def sensitivity_args(out: Path, *extra: str, output: str = "national_hte@2020") -> list:
    return [
        "sensitivity",
        BASELINE,
        "--space",
        UNCERTAIN,
        "--output",
        output,
        "--samples",
        "2",
        *TINY,
        "--out",
        out,
        *extra,
    ]


def tune_args(out: Path, *extra: str, goals: str = "high_level_teams") -> list:
    return [
        "tune",
        BASELINE,
        "--space",
        LEVERS,
        "--goals",
        goals,
        "--trials",
        "3",
        "--confirm-replications",
        "2",
        *TINY,
        "--out",
        out,
        *extra,
    ]


def sweep_args(out: Path, *extra: str) -> list:
    return [
        "sweep",
        BASELINE,
        "--space",
        LEVERS,
        "--samples",
        "2",
        "--levers",
        f"{RATE},{HTE}",
        "--goals",
        "high_level_teams",
        *TINY,
        "--out",
        out,
        *extra,
    ]


# ----------------------------------------------------------------------------- commands run
def test_calibrate_runs_and_writes_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "calibrate"
    code, stdout, err = cli(calibrate_args(out, "--fit-until", "2021"), capsys)
    assert code == 0, err
    assert err == ""
    done = finished(stdout)
    assert done["run"] == "3" and done["reused"] is None
    written = [
        "trials.csv",
        "ranges.csv",
        "fit.csv",
        "hindcast.csv",
        "baseline_calibrated.yaml",
        "summary.json",
    ]
    assert done["files"] == ", ".join(written)
    assert sorted(p.name for p in out.iterdir()) == sorted([*written, ".zonesim.json", "units"])
    assert "Calibration of baseline: 3 trials x 2 replications" in stdout
    assert "note: 3 trials for 5 parameters" in stdout
    assert re.search(r"^hindcast: \d+ of \d+ observations after 2021 inside", stdout, re.M)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "calibrate"
    assert (summary["trials"], summary["replications"], summary["root_seed"]) == (3, 2, 2018)
    assert summary["fit_until"] == 2021
    assert summary["evaluations_run"] == 3
    assert summary["calibrated_scenario"] == "baseline_calibrated.yaml"
    assert len(pd.read_csv(out / "trials.csv")) == 3
    ranges = pd.read_csv(out / "ranges.csv")
    assert set(ranges["parameter"]) == set(summary["best"])
    fit = pd.read_csv(out / "fit.csv")
    assert not fit.loc[fit["year"] > 2021, "used_in_fit"].any()
    # the calibrated scenario validates, holds the best values and marks them calibrated
    calibrated = out / "baseline_calibrated.yaml"
    code, stdout, err = cli(["validate", calibrated], capsys)
    assert code == 0, err
    assert stdout.startswith(f"ok: {calibrated}: scenario 'baseline_calibrated' ")
    scenario, tree = load_scenario_with_tree(calibrated)
    assert scenario.horizon.end_year == 2030
    assert scenario.arrivals.origins["maker_team"].rate_per_year == pytest.approx(
        summary["best"]["arrivals.origins.maker_team.rate_per_year"]
    )
    table = parameter_table(tree).set_index("key")
    for path in summary["best"]:
        assert table.loc[path, "provenance"] == "calibrated", path
        assert table.loc[path, "file"] == str(calibrated)


def test_calibrate_without_informative_figures_writes_no_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing up to 2020 moves with the parameters (the loans are summed to 2021): nothing is
    fitted, so no calibrated scenario is written, and the note says so."""
    out = tmp_path / "calibrate"
    code, stdout, err = cli(calibrate_args(out, "--fit-until", "2020"), capsys)
    assert code == 0, err
    assert "no calibrated scenario is written" in stdout
    assert not (out / "baseline_calibrated.yaml").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["calibrated_scenario"] is None
    trials = pd.read_csv(out / "trials.csv")
    # a flat fit keeps the scenario as written (trial 0) as its best values
    assert summary["best"] == {p: trials.at[0, p] for p in summary["best"]}


def test_sensitivity_runs_and_writes_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sensitivity"
    code, stdout, err = cli(sensitivity_args(out), capsys)
    assert code == 0, err
    # 2 Morris trajectories of 5 + 1 points
    assert err == (
        "warning: 2 Morris trajectories: the ranking is unstable (use --samples 10 or more)\n"
    )
    done = finished(stdout)
    assert done["run"] == "12"
    assert done["files"] == "indices.csv, design.csv, summary.json"
    assert "Morris sensitivity of national_hte@2020 (12 points x 2 replications)" in stdout
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["parameter"]) == set(load_space_paths(UNCERTAIN))
    assert {"mu_star", "mu_star_conf", "mu", "sigma"} <= set(indices.columns)
    assert (indices["mu_star"] >= 0).all()
    design = pd.read_csv(out / "design.csv")
    assert len(design) == 12 and "national_hte@2020" in design.columns
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["method"], summary["points"], summary["output"]) == (
        "morris",
        12,
        "national_hte@2020",
    )


def load_space_paths(path: Path) -> list[str]:
    from sim.scenario.space import load_space

    return load_space(path, load_scenario_with_tree(BASELINE)[1]).paths


def test_tune_runs_resumes_and_refuses_a_changed_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tune"
    code, stdout, err = cli(tune_args(out), capsys)
    assert code == 0, err
    assert err == ""
    first = finished(stdout)
    assert int(first["run"]) >= 3 and first["reused"] is None
    assert first["files"] == "trials.csv, baseline_tuned.yaml, summary.json"
    assert "Cheapest policy found (high_level_teams; P >= 0.8)" in stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    best = summary["best"]
    assert set(best) == set(load_space_paths(LEVERS))
    trials = pd.read_csv(out / "trials.csv")
    assert {"search", "confirm"} <= set(trials["stage"])
    # the tuned scenario reproduces the answer, marked as assumptions
    tuned = out / "baseline_tuned.yaml"
    scenario, tree = load_scenario_with_tree(tuned)
    assert scenario.arrivals.origins["high_level_team"].rate_per_year == best[RATE]
    assert scenario.certification.hte.cultivation.firms_per_year == best[HTE]
    table = parameter_table(tree).set_index("key")
    assert (table.loc[list(best), "provenance"] == "assumption").all()
    units = sorted(p.name for p in (out / "units").iterdir())

    # the same settings with --resume: nothing is run again, the same answer comes back
    code, stdout, err = cli(tune_args(out, "--resume"), capsys)
    assert code == 0, err
    again = finished(stdout)
    assert again["run"] == "0"
    assert int(again["reused"]) >= int(first["run"])
    assert again["units"] == str(out / "units")
    resumed = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert resumed["best"] == best
    assert resumed["evaluations_run"] == 0
    assert sorted(p.name for p in (out / "units").iterdir()) == units

    # another seed cannot reuse them
    code, stdout, err = cli(tune_args(out, "--resume", "--seed", "7"), capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"zonesim: error: {out}: cannot resume: root_seed changed")
    assert "rerun without --resume" in err
    assert sorted(p.name for p in (out / "units").iterdir()) == units


def test_sweep_one_lever_at_a_time_prints_and_writes_the_effects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "oat"
    args = sweep_args(out, "--design", "oat")
    code, stdout, err = cli(args, capsys)
    assert code == 0, err
    done = finished(stdout)
    assert done["run"] == "4"  # 2 levers x 2 bounds
    assert done["files"] == "sweep.csv, effects.csv, summary.json"
    assert "Each lever from its low to its high bound" in stdout
    effects = pd.read_csv(out / "effects.csv")
    assert effects[["lever", "goal"]].values.tolist() == [
        [RATE, "high_level_teams"],
        [HTE, "high_level_teams"],
    ]
    assert {"p_met_change", "p_met_change_lo95", "mean_change", "mean_change_hi95"} <= set(
        effects.columns
    )
    teams = effects.set_index("lever").loc[RATE]
    assert teams["mean_high"] > teams["mean_low"]
    assert teams["mean_change_lo95"] <= teams["mean_change"] <= teams["mean_change_hi95"]
    assert not (out / "heatmap.png").exists()


def test_sweep_runs_and_writes_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    code, stdout, err = cli(sweep_args(out), capsys)
    assert code == 0, err
    assert err == ""
    done = finished(stdout)
    assert done["run"] == "4"
    assert done["files"] == "sweep.csv, summary.json"
    assert "Sweep (grid, 4 points x 2 replications)" in stdout
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4
    assert list(table.columns) == ["point", RATE, HTE, "cost_yuan", "p_high_level_teams", "p_all"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["design"], summary["points"], summary["goals"]) == (
        "grid",
        4,
        ["high_level_teams"],
    )
    # resumed with the same settings: every point is reused
    code, stdout, err = cli(sweep_args(out, "--resume"), capsys)
    assert code == 0, err
    again = finished(stdout)
    assert (again["run"], again["reused"]) == ("0", "4")
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), table)
    # a changed design cannot resume
    changed = [a if a != "2" else "3" for a in sweep_args(out, "--resume")]
    assert changed.count("3") == 2  # --samples 3 and -n 3
    code, _, err = cli(changed, capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot resume: replications, samples changed" in err


# ----------------------------------------------------------------------------- bad input
def bad_space(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "bad_space.yaml"
    path.write_text(
        "name: bad\nparameters:\n"
        f"  {RATE}:\n    kind: {kind}\n    low: 0.5\n    high: 8\n"
        "  arrivals.origins.high_level_team.rate_per_yer:\n"
        f"    kind: {kind}\n    low: 1\n    high: 2\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (calibrate_args, "uncertain"),
        (sensitivity_args, "uncertain"),
        (tune_args, "lever"),
        (sweep_args, "lever"),
    ],
    ids=["calibrate", "sensitivity", "tune", "sweep"],
)
def test_space_with_an_unknown_key_path_exits_2(
    args, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    space = bad_space(tmp_path, kind)
    argv = args(tmp_path / "out")
    argv[argv.index("--space") + 1] = space
    if args is sweep_args:
        argv[argv.index("--levers") + 1] = RATE + ",arrivals.origins.high_level_team.rate_per_yer"
    code, stdout, err = cli(argv, capsys)
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    match = PROBLEM_LINE.match(err.rstrip("\n"))
    assert match, err
    assert (match["file"], match["line"], match["col"]) == (str(space), "7", "3")
    assert match["key"] == "parameters.arrivals.origins.high_level_team.rate_per_yer"
    assert match["msg"].endswith("did you mean 'rate_per_year'?")
    assert not (tmp_path / "out" / "units").exists()


def test_missing_space_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = sweep_args(tmp_path / "out")
    missing = tmp_path / "no_such_space.yaml"
    argv[argv.index("--space") + 1] = missing
    code, _, err = cli(argv, capsys)
    assert code == 2
    assert err == f"{missing}:1:1: (file): cannot read file: No such file or directory\n"


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        (
            "national_hte",
            "output must be INDICATOR@YEAR (e.g. national_hte@2020), got 'national_hte'",
        ),
        ("national_hte@", "output must be INDICATOR@YEAR"),
        ("national_hte@2040", "output year 2040 is outside the scenario's horizon"),
        ("national_hte@2018", "output year 2018 is outside the scenario's horizon"),
    ],
    ids=["no-year", "empty-year", "after-horizon", "start-year"],
)
def test_sensitivity_with_a_bad_output_exits_2(
    output: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = cli(sensitivity_args(tmp_path / "out", output=output), capsys)
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert err.startswith("zonesim: error: ")
    assert fragment in err


@pytest.mark.parametrize(
    ("goals", "fragment"),
    [
        ("no_such_goal", "unknown goal(s) no_such_goal; modelled goals: national_hte, "),
        ("national_hte,nohte", "unknown goal(s) nohte;"),
        ("fiscal_st_share", "goal(s) not modelled, cannot be tuned for: fiscal_st_share"),
    ],
    ids=["unknown", "one-unknown", "not-modelled"],
)
def test_tune_with_a_bad_goal_exits_2(
    goals: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = cli(tune_args(tmp_path / "out", goals=goals), capsys)
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert err.startswith("zonesim: error: ")
    assert fragment in err


def test_sweep_with_an_unknown_axis_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(sweep_args(tmp_path / "out", "--x", "certification.tech_sme"), capsys)
    assert code == 2
    assert err == (f"zonesim: error: --x certification.tech_sme is not a lever of {LEVERS}\n")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["tune", BASELINE, "--space", LEVERS, "--min-probability", "1.5"], "must be in (0, 1]"),
        (["tune", BASELINE, "--space", LEVERS, "--trials", "0"], "must be at least 1 (got 0)"),
        (["sweep", BASELINE, "--space", LEVERS, "--design", "sobol"], "invalid choice: 'sobol'"),
        (["sensitivity", BASELINE, "--space", UNCERTAIN], "required: --output"),
        (["calibrate", BASELINE, "--space", UNCERTAIN, "--fit-until", "soon"], "not a year"),
    ],
    ids=["probability", "trials", "design", "no-output", "fit-until"],
)
def test_bad_analysis_arguments_exit_2(
    argv: list, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, stdout, err = cli([*argv, "--out", out], capsys)
    assert code == 2
    assert stdout == ""
    assert err.startswith(f"usage: zonesim {argv[0]}")
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and fragment in errors[0], err
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
@pytest.mark.parametrize("args", [calibrate_args, sensitivity_args, tune_args, sweep_args])
def test_read_only_out_folder_exits_2(
    args, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "read_only"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, stdout, err = cli(args(out), capsys)
        assert code == 2
        assert stdout == ""
        assert err.startswith(f"zonesim: error: {out}: cannot write results there (")
        assert err.count("\n") == 1
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


@pytest.mark.parametrize("args", [calibrate_args, sensitivity_args, tune_args, sweep_args])
def test_out_folder_under_a_file_exits_2(
    args, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that cannot be made (its parent is a file): fails even as root."""
    blocker = tmp_path / "blocker"
    blocker.write_text("keep\n", encoding="utf-8")
    out = blocker / "results"
    code, stdout, err = cli(args(out), capsys)
    assert code == 2
    assert stdout == ""
    assert err.startswith(f"zonesim: error: {out}: cannot write results there (")
    assert err.count("\n") == 1
    assert blocker.read_text(encoding="utf-8") == "keep\n"


def test_tune_for_a_named_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``tune --reading leading_level`` tunes high_level_teams under that reading (10 leading
    teams introduced), not under the main one (36 in all): the trials carry its key, and the
    probabilities are of its indicator."""
    out = tmp_path / "tune"
    code, stdout, err = cli(tune_args(out, "--reading", "leading_level"), capsys)
    assert code == 0, err
    key = "high_level_teams:leading_level"
    assert f"({key}; P >= 0.8)" in stdout
    trials = pd.read_csv(out / "trials.csv")
    assert f"p_{key}" in trials.columns and "p_high_level_teams" not in trials.columns
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reading"] == "leading_level"
    assert summary["goals"] == [key]
    # the goals reached are the reading's: 10 leading teams, from none in 2018
    assert set(json.loads((out / "summary.json").read_text())["best_summary"]) >= {f"p_{key}"}


def test_tune_for_an_unknown_reading_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = cli(tune_args(tmp_path / "out", "--reading", "nope"), capsys)
    assert code == 2 and stdout == ""
    assert err == (
        "zonesim: error: no chosen goal has a reading 'nope' "
        "(readings: high_level_teams: ten_more, leading_level)\n"
    )
