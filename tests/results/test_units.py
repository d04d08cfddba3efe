"""Resumable work: the unit store (finished units on disk, resume checks) and the evaluator of
candidates that stores its results there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiment.evaluate import COLUMNS, Evaluator
from sim.experiment.runner import run_replications
from sim.results.provenance import RESULT_CODE, code_identity, source_digest
from sim.results.units import HASHES, MANIFEST, ResumeMismatch, UnitStore, unit_key
from sim.scenario import load_scenario_with_tree
from sim.scenario.space import Space, load_space
from tests.helpers import BASELINE, SCENARIOS

IDENTITY = {"command": "test", "scenario_sha256": "abc", "root_seed": 2018, "replications": 3}
RATE = "arrivals.origins.high_level_team.rate_per_year"


def unit_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in (MANIFEST, HASHES))


# ----------------------------------------------------------------------------- UnitStore
def test_unit_key_is_stable_and_file_name_safe() -> None:
    a = unit_key({"values": {"x": 1.5, "y": 2.0}, "seed": 1})
    b = unit_key({"seed": 1, "values": {"y": 2.0, "x": 1.5}})
    assert a == b
    assert len(a) == 20 and a.isalnum()
    assert unit_key({"values": {"x": 1.5, "y": 2.0}, "seed": 2}) != a
    assert unit_key({"values": {"x": 1.5001, "y": 2.0}, "seed": 1}) != a


def test_put_and_get_round_trip(tmp_path: Path) -> None:
    store = UnitStore(tmp_path / "units", IDENTITY, resume=False)
    data = {
        "values": {RATE: 1.2},
        "records": [[0, 2018, "national_hte", 13.0], [1, 2019, "x", 0.1]],
    }
    assert store.get("k1") is None
    store.put("k1", data)
    assert store.get("k1") == data
    assert store.get("k1") == data
    assert (store.computed, store.reused) == (1, 0)  # made here: not counted as reused
    assert unit_files(tmp_path / "units") == ["k1.json"]
    assert json.loads((tmp_path / "units" / "k1.json").read_text(encoding="utf-8")) == data
    # written atomically: no temporary file left beside it
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == [HASHES, "k1.json", MANIFEST]


def test_manifest_names_the_work(tmp_path: Path) -> None:
    UnitStore(tmp_path / "units", IDENTITY, resume=False)
    manifest = json.loads((tmp_path / "units" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["identity"] == {**IDENTITY, **code_identity()}
    assert manifest["versions"]["python"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "",
        lambda text: text + "}garbage",
    ],
    ids=["truncated", "empty", "trailing-garbage"],
)
def test_torn_unit_is_missing_and_deleted(tmp_path: Path, damage) -> None:
    store = UnitStore(tmp_path / "units", IDENTITY, resume=False)
    store.put("torn", {"records": [[0, 2018, "national_hte", 13.0]] * 20})
    store.put("whole", {"records": []})
    path = store.path("torn")
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    resumed = UnitStore(tmp_path / "units", IDENTITY, resume=True)
    assert resumed.get("torn") is None
    assert not path.exists()
    assert resumed.get("whole") == {"records": []}
    assert resumed.reused == 1


def test_torn_unit_with_bad_bytes_is_missing(tmp_path: Path) -> None:
    store = UnitStore(tmp_path / "units", IDENTITY, resume=False)
    store.path("bad").write_bytes(b'{"records": [\xff\xfe')
    assert store.get("bad") is None
    assert not store.path("bad").exists()


def test_without_resume_the_folder_is_cleared_of_its_units_only(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    first = UnitStore(folder, IDENTITY, resume=False)
    first.put("a", {"n": 1})
    first.put("b", {"n": 2})
    (folder / "stray.txt").write_text("someone else's", encoding="utf-8")
    second = UnitStore(folder, IDENTITY, resume=False)
    assert unit_files(folder) == ["stray.txt"]  # not the store's: kept
    assert second.get("a") is None and second.get("b") is None
    assert second.reused == 0
    # also when the identity changed: no resume means no check
    UnitStore(folder, {**IDENTITY, "root_seed": 1}, resume=False)
    assert unit_files(folder) == ["stray.txt"]


def test_with_resume_and_the_same_identity_units_are_reused(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    first = UnitStore(folder, IDENTITY, resume=False)
    for key in ("a", "b", "c"):
        first.put(key, {"key": key})
    second = UnitStore(folder, dict(IDENTITY), resume=True)
    assert second.get("a") == {"key": "a"}
    assert second.get("c") == {"key": "c"}
    assert second.get("d") is None
    assert (second.reused, second.computed) == (2, 0)
    second.put("d", {"key": "d"})
    assert second.get("d") == {"key": "d"}
    assert (second.reused, second.computed) == (2, 1)
    assert unit_files(folder) == ["a.json", "b.json", "c.json", "d.json"]


def test_resume_checks_only_the_keys_both_identities_have(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    UnitStore(folder, IDENTITY, resume=False).put("a", {"n": 1})
    more = UnitStore(folder, {**IDENTITY, "design": "grid"}, resume=True)
    assert more.get("a") == {"n": 1}
    assert more.reused == 1


def test_resume_without_a_manifest_starts_afresh(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    UnitStore(folder, IDENTITY, resume=False).put("a", {"n": 1})
    (folder / MANIFEST).unlink()
    store = UnitStore(folder, IDENTITY, resume=True)
    assert store.get("a") is None
    assert (folder / MANIFEST).is_file()


@pytest.mark.parametrize("key", ["root_seed", "scenario_sha256", "replications"])
def test_resume_with_a_changed_identity_is_refused(tmp_path: Path, key: str) -> None:
    folder = tmp_path / "out" / "units"
    UnitStore(folder, IDENTITY, resume=False).put("a", {"n": 1})
    changed = {**IDENTITY, key: "something else"}
    with pytest.raises(ResumeMismatch) as caught:
        UnitStore(folder, changed, resume=True)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'out'}: cannot resume: {key} changed since ")
    assert "rerun without --resume" in message
    # the stored units and manifest are left alone
    assert unit_files(folder) == ["a.json"]
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["identity"] == {**IDENTITY, **code_identity()}


def test_resume_names_every_changed_key(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    UnitStore(folder, IDENTITY, resume=False)
    with pytest.raises(ResumeMismatch, match="cannot resume: root_seed, replications changed"):
        UnitStore(folder, {**IDENTITY, "root_seed": 1, "replications": 4}, resume=True)


def test_a_unit_found_twice_is_reused_once(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    UnitStore(folder, IDENTITY, resume=False).put("a", {"n": 1})
    resumed = UnitStore(folder, IDENTITY, resume=True)
    assert resumed.get("a") == {"n": 1}
    assert resumed.get("a") == {"n": 1}
    assert resumed.reused == 1


# ----------------------------------------------------------------------------- Evaluator
@pytest.fixture(scope="module")
def levers() -> Space:
    tree = load_scenario_with_tree(BASELINE)[1]
    return load_space(SCENARIOS / "spaces" / "levers.yaml", tree, kind="lever")


INDICATORS = ["national_hte", "high_level_teams", "tech_smes"]


def test_same_values_twice_give_identical_frames_the_second_from_the_store(
    tmp_path: Path, levers: Space
) -> None:
    folder = tmp_path / "units"
    store = UnitStore(folder, IDENTITY, resume=False)
    reported: list[int] = []
    evaluate = Evaluator(levers, 2, 2018, 2020, INDICATORS, store=store, progress=reported.append)
    values = {**levers.base_values(), RATE: 3.0}
    first = evaluate(values)
    second = evaluate(values)
    pd.testing.assert_frame_equal(first, second, check_dtype=True)
    assert list(first.columns) == COLUMNS
    assert list(first.dtypes) == list(second.dtypes)
    assert first["replication"].dtype.kind == "i" and first["year"].dtype.kind == "i"
    assert first["value"].dtype.kind == "f"
    assert sorted(first["indicator"].unique()) == sorted(INDICATORS)
    assert sorted(first["year"].unique()) == [2018, 2019, 2020]
    assert sorted(first["replication"].unique()) == [0, 1]
    assert evaluate.evaluations == 1
    assert (store.computed, store.reused) == (1, 0)
    assert sum(reported) == 4  # 2 replications run, 2 served from the store
    assert len(unit_files(folder)) == 1

    # a resumed store serves it without running anything
    resumed = UnitStore(folder, IDENTITY, resume=True)
    again = Evaluator(levers, 2, 2018, 2020, INDICATORS, store=resumed)
    third = again({path: values[path] for path in reversed(levers.paths)})
    pd.testing.assert_frame_equal(first, third, check_dtype=True)
    assert (again.evaluations, again.events, resumed.reused) == (0, 0, 1)


def test_the_unit_key_covers_what_changes_the_result(tmp_path: Path, levers: Space) -> None:
    store = UnitStore(tmp_path / "units", IDENTITY, resume=False)
    base = levers.base_values()
    Evaluator(levers, 1, 2018, 2019, INDICATORS, store=store)(base)
    Evaluator(levers, 1, 2018, 2019, INDICATORS, store=store)(base, replications=2)
    Evaluator(levers, 1, 7, 2019, INDICATORS, store=store)(base)
    Evaluator(levers, 1, 2018, 2020, INDICATORS, store=store)(base)
    Evaluator(levers, 1, 2018, 2019, ["national_hte"], store=store)(base)
    Evaluator(levers, 1, 2018, 2019, INDICATORS, store=store)({**base, RATE: 2.0})
    assert store.computed == 6 and len(unit_files(tmp_path / "units")) == 6
    # the order of the indicators and the type of the values do not matter
    evaluate = Evaluator(levers, 1, 2018, 2019, list(reversed(INDICATORS)), store=store)
    evaluate({path: int(v) if v.is_integer() else v for path, v in base.items()})
    assert evaluate.evaluations == 0 and store.computed == 6


def test_a_short_run_equals_the_full_horizon_up_to_its_end(levers: Space) -> None:
    scenario = load_scenario_with_tree(BASELINE)[0]
    full = run_replications(scenario, 2, 2018).trajectories
    indicators = sorted(full["indicator"].unique())
    assert len(indicators) > 40
    short = Evaluator(levers, 2, 2018, 2020, indicators)(levers.base_values())
    assert short["year"].max() == 2020
    expected = full[full["year"] <= 2020]
    key = ["replication", "year", "indicator"]
    left = short.sort_values(key).reset_index(drop=True)
    right = expected.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=True)


def test_evaluator_needs_a_replication(levers: Space) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Evaluator(levers, 0, 2018, 2020, INDICATORS)


def test_resume_after_the_model_code_changed_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "units"
    UnitStore(folder, IDENTITY, resume=False).put("a", {"n": 1})
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["identity"]["model_code_sha256"] == code_identity()["model_code_sha256"]
    manifest["identity"]["model_code_sha256"] = "0" * 64  # made by other model code
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ResumeMismatch, match="cannot resume: model_code_sha256 changed"):
        UnitStore(folder, IDENTITY, resume=True)
    assert unit_files(folder) == ["a.json"]


def test_the_source_digest_follows_every_model_file(tmp_path: Path) -> None:
    package = Path(sim.__file__).resolve().parent
    copy = tmp_path / "sim"
    for part in RESULT_CODE:
        source = package / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / part)
    assert source_digest(copy) == source_digest(package)
    for changed in (copy / "model" / "lifecycle.py", copy / "streams.py"):
        original = changed.read_bytes()
        changed.write_bytes(original + b"# edited\n")
        assert source_digest(copy) != source_digest(package)
        changed.write_bytes(original)
    (copy / "model" / "new_module.py").write_text("X = 1\n", encoding="utf-8")
    assert source_digest(copy) != source_digest(package)
