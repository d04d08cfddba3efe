"""Numbers that would overflow or make no sense are refused when the file is loaded (exit 2,
one located line, nothing written); extreme values inside the allowed ranges run cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BASELINE, run_cli

cli = run_cli


def scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "numbers.yaml"
    path.write_text(f"extends: {BASELINE.resolve()}\nname: numbers\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        (
            "firms:\n  patience_years: {dist: lognormal, mean: 1.0e-100, sd: 1.0e+100}\n",
            "firms.patience_years.lognormal",
            "sd is more than 1,000 times the mean",
        ),
        (
            "firms:\n  patience_years: {dist: lognormal, mean: 1.0e+299, sd: 1.0e+299}\n",
            "firms.patience_years.lognormal",
            "values this large overflow",
        ),
        (
            "firms:\n  area_m2:\n    team: {dist: gamma, mean: 1.0, sd: 1.0e+9}\n",
            "firms.area_m2.team.gamma",
            "sd must lie between",
        ),
        (
            "firms:\n  area_m2:\n    team: {dist: gamma, mean: 1.0e+12, sd: 1.0e-3}\n",
            "firms.area_m2.team.gamma",
            "sd must lie between",
        ),
    ],
)
def test_an_absurd_distribution_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, key: str, message: str
) -> None:
    path = scenario(tmp_path, body)
    out_dir = tmp_path / "out"
    for argv in (
        ["validate", path],
        ["run", path, "-n", "1", "--no-progress", "--no-plots", "--out", out_dir],
    ):
        code, out, err = cli(argv, capsys)
        assert code == 2 and out == ""
        (line,) = err.splitlines()
        assert line.startswith(f"{path}:4:") or line.startswith(f"{path}:5:")
        assert f": {key}: " in line and message in line
    assert not out_dir.exists()


def test_the_fastest_growth_the_schema_allows_runs_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Revenue at the top of its growth range, with huge mature sizes: the logistic path is
    evaluated with bounded exponents and a firm's filings are capped
    (``patents.max_filings_per_firm_per_year``), so the run finishes and every value is
    finite."""
    path = scenario(
        tmp_path,
        "horizon: {start_year: 2018, end_year: 2022}\n"
        "firms:\n  revenue:\n    growth_per_year: 5\n    growth_per_capability: 5\n"
        "    mature_yuan_per_year: {dist: lognormal, mean: 1.0e+200, sd: 1.0e+200}\n"
        "    mature_per_capability: 10\n"
        "patents:\n  max_filings_per_firm_per_year: 50\n",
    )
    out_dir = tmp_path / "out"
    code, _, err = cli(
        ["run", path, "-n", "1", "-w", "1", "--no-progress", "--no-plots", "--out", out_dir],
        capsys,
    )
    assert code == 0, err
    import pandas as pd

    table = pd.read_csv(out_dir / "trajectories.csv")
    revenue = table[table["indicator"] == "revenue_yuan"]["value"]
    assert len(revenue) > 0 and revenue.notna().all()
    assert (revenue < float("inf")).all()
    filed = table[table["indicator"] == "patents_filed"]["value"]
    firms = table[table["indicator"].isin(["firms_in_carriers", "enterprise_base"])]
    assert filed.max() <= 50 * firms.groupby("year")["value"].sum().max() * 1.5
