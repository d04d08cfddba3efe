"""Small results folders for the plot and report tests: a baseline run, and a comparison folder
(baseline and a variant: larger carrier, keener HTE applicants) in the comparison contract. Each is
built once per test session; tests that write into a folder work on a copy."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.goals import goal_values, met
from sim.results import claim, read_marker
from sim.scenario import load_scenario
from sim.studies import run_scenario
from tests.helpers import BASELINE, SCENARIOS

REPLICATIONS = 4
SEED = 11
WORKERS = 2
#: The test runs stop here (the goals are for 2020; the observations reach 2021).
END_YEAR = 2023
OBSERVATIONS = SCENARIOS / "observations.yaml"
VARIANT_AREA = 30000.0
VARIANT_HTE_APPLY = 0.9
Z95 = 1.959964


def _runs_dir(base: Path) -> Path:
    return base / "zonesim_results"


def baseline_file(base: Path) -> Path:
    """The baseline scenario, shortened to ``END_YEAR`` to keep the tests quick."""
    path = _runs_dir(base) / "baseline.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"extends: {BASELINE.resolve()}\nhorizon:\n  end_year: {END_YEAR}\n", encoding="utf-8"
    )
    return path


def run_into(scenario: Path, folder: Path) -> Path:
    run = run_scenario(
        scenario,
        replications=REPLICATIONS,
        seed=SEED,
        workers=WORKERS,
        observations=OBSERVATIONS,
    )
    run.write(folder)
    return folder


def baseline_folder(base: Path) -> Path:
    """A results folder of the (shortened) baseline scenario, built once under ``base``."""
    folder = _runs_dir(base) / "baseline"
    if not (folder / "manifest.json").is_file():
        run_into(baseline_file(base), folder)
    return folder


def variant_file(base: Path) -> Path:
    path = _runs_dir(base) / "variant.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"extends: {baseline_file(base).name}\n"
        "name: variant\n"
        "description: The baseline with a larger Tengyun park & eager <HTE> applicants.\n"
        "carriers:\n"
        "  tengyun_park:\n"
        f"    area_m2: {VARIANT_AREA}\n"
        "certification:\n"
        "  hte:\n"
        f"    apply_probability: {VARIANT_HTE_APPLY}\n",
        encoding="utf-8",
    )
    return path


def paired_differences(name: str, base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """comparison.csv rows of one scenario against the reference."""
    keys = ["replication", "year", "indicator"]
    merged = base.merge(other, on=keys, suffixes=("_base", "_scenario"))
    merged["diff"] = merged["value_scenario"] - merged["value_base"]
    stats = (
        merged.groupby(["indicator", "year"])
        .agg(
            base_mean=("value_base", "mean"),
            scenario_mean=("value_scenario", "mean"),
            diff_mean=("diff", "mean"),
            sd=("diff", "std"),
            n=("diff", "size"),
        )
        .reset_index()
    )
    half = Z95 * stats["sd"].fillna(0.0) / np.sqrt(stats["n"])
    stats["ci_low"] = stats["diff_mean"] - half
    stats["ci_high"] = stats["diff_mean"] + half
    stats.insert(0, "scenario", name)
    columns = ["scenario", "indicator", "year", "base_mean", "scenario_mean", "diff_mean"]
    return stats[[*columns, "ci_low", "ci_high", "n"]]


def goal_differences(name: str, base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """goal_comparison.csv rows of one scenario against the reference."""
    scenario = load_scenario(BASELINE)
    rows = []
    for goal_id, goal in scenario.goal_readings().items():  # one row per reading
        if goal.indicator is None:
            continue
        reference = met(goal_values(base, goal.indicator, goal.year, REPLICATIONS), goal)
        changed = met(goal_values(other, goal.indicator, goal.year, REPLICATIONS), goal)
        diff = changed.astype(float) - reference.astype(float)
        half = Z95 * float(np.std(diff, ddof=1)) / math.sqrt(len(diff))
        rows.append(
            (
                goal_id,
                goal.reading,
                name,
                float(reference.mean()),
                float(changed.mean()),
                float(diff.mean()),
                float(diff.mean()) - half,
                float(diff.mean()) + half,
            )
        )
    columns = ["goal", "reading", "scenario", "p_met_base", "p_met", "p_diff", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


def comparison_folder(base: Path) -> Path:
    """A comparison folder: baseline/ and variant/ results folders, comparison.csv,
    goal_comparison.csv and comparison.json (built once under ``base``)."""
    folder = _runs_dir(base) / "comparison"
    if (folder / "comparison.json").is_file():
        return folder
    reference = baseline_folder(base)
    files: dict[str, object] = {
        f"baseline/{name}": (reference / name).read_bytes()
        for name in read_marker(reference).files
        if "/" not in name and name != "report.html"
    }
    run = run_scenario(variant_file(base), replications=REPLICATIONS, seed=SEED, workers=WORKERS)
    files |= {f"variant/{name}": content for name, content in run.files().items()}
    base_traj = pd.read_csv(reference / "trajectories.csv")
    variant_traj = run.trajectories
    files["comparison.csv"] = paired_differences("variant", base_traj, variant_traj)
    files["goal_comparison.csv"] = goal_differences("variant", base_traj, variant_traj)
    files["comparison.json"] = {
        "scenarios": ["baseline", "variant"],
        "root_seed": SEED,
        "replications": REPLICATIONS,
        "differences": {
            "baseline": [],
            "variant": [
                "name: baseline -> variant",
                f"carriers.tengyun_park.area_m2: 8000.0 -> {VARIANT_AREA}",
                f"certification.hte.apply_probability: 0.3 -> {VARIANT_HTE_APPLY}",
            ],
        },
    }
    with claim(folder, "comparison", "tests: comparison_folder") as out:
        out.replace(files)
    return folder


def copy_folder(source: Path, target: Path) -> Path:
    """A fresh copy of a results or comparison folder (tests may write into it)."""
    shutil.copytree(source, target)
    return target
