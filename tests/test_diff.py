"""mscli diff: added, removed and changed records between two datasets, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mscli.errors import Problem
from mscli.features.diffing import field_changes
from mscli.loading import dataset, verdicts
from tests.conftest import minimal, verdicts_in


def write(folder: Path, data: dict) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(folder)


@pytest.fixture
def pair(tmp_path):
    old = minimal()
    new = minimal()
    new["dataset"]["version"] = "2"
    new["trials"][0]["design"]["blinding"] = "open-label"
    new["trials"][0]["countries"] = ["Italy", "Spain"]
    new["trials"][0]["status"] = "terminated"
    new["sources"].append({"id": "src-c", "kind": "web-page", "title": "New page", "publisher": "A charity",
                           "verified": True, "reviewed": "2026-11-01"})
    old["sources"].append({"id": "src-gone", "kind": "web-page", "title": "Old page", "publisher": "A charity",
                           "verified": True, "reviewed": "2026-11-01"})
    return write(tmp_path / "old", old), write(tmp_path / "new", new)


def test_diff_json_names_added_removed_and_changed_fields(run, pair):
    old, new = pair
    result = run("diff", old, new, "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["old"] == old and report["new"] == new
    assert report["added"] == [{"collection": "sources", "id": "src-c", "title": "New page"}]
    assert report["removed"] == [{"collection": "sources", "id": "src-gone", "title": "Old page"}]
    changed = {(c["collection"], c["id"]): c["changes"] for c in report["changed"]}
    assert changed[("dataset", "dataset")] == [{"field": "version", "old": "1", "new": "2"}]
    trial = {change["field"]: (change["old"], change["new"]) for change in changed[("trials", "trial-one")]}
    assert trial == {"design.blinding": ("double-blind", "open-label"),
                     "countries": (["Italy"], ["Italy", "Spain"]),
                     "status": ("completed", "terminated")}
    assert report["summary"] == {"added": 1, "removed": 1, "changed": 2}


def test_diff_table_has_a_row_per_change(run, pair):
    lines = run("diff", *pair, "--format", "tsv").stdout.splitlines()
    assert lines[0].split("\t") == ["change", "type", "id", "field", "old", "new"]
    rows = [line.split("\t") for line in lines[1:]]
    assert ["added", "source", "src-c", "", "", ""] in rows
    assert ["removed", "source", "src-gone", "", "", ""] in rows
    assert ["changed", "trial", "trial-one", "design.blinding", "double-blind", "open-label"] in rows
    assert ["changed", "trial", "trial-one", "countries", "Italy", "Italy, Spain"] in rows


def test_diff_on_a_terminal_table_says_how_many(run, pair):
    out = run("diff", *pair, "--format", "table").stdout
    assert "1 added, 1 removed, 2 changed." in out


def test_identical_datasets_have_no_differences_and_exit_0(run, pair):
    old, _ = pair
    result = run("diff", old, old, "--json", "--exit-code")
    assert result.exit_code == 0
    assert result.json()["summary"] == {"added": 0, "removed": 0, "changed": 0}


def test_exit_code_option_exits_1_on_differences(run, pair):
    assert run("diff", *pair, "--json").exit_code == 0
    result = run("diff", *pair, "--exit-code", "--query", "changed[].id")
    assert result.exit_code == 1
    assert result.json() == ["dataset", "trial-one"]


def test_renamed_id_is_a_removal_and_an_addition(run, tmp_path):
    old = minimal()
    new = minimal()
    new["therapies"][0]["id"] = "beta"
    new["trials"][0]["therapy"] = "beta"
    report = run("diff", write(tmp_path / "a", old), write(tmp_path / "b", new), "--json").json()
    assert [r["id"] for r in report["added"] if r["collection"] == "therapies"] == ["beta"]
    assert [r["id"] for r in report["removed"] if r["collection"] == "therapies"] == ["alpha"]


def test_invalid_dataset_exits_3_and_missing_path_exits_4(run, pair, tmp_path):
    old, _ = pair
    broken = minimal()
    broken["trials"][0]["phase"] = "9"
    result = run("diff", old, write(tmp_path / "broken", broken))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert str(tmp_path / "broken" / "data.yaml") in result.stderr
    assert run("diff", old, str(tmp_path / "nowhere")).exit_code == 4


def test_diff_compiles_nothing_and_remembers_only_valid_verdicts(run, pair, private_cache):
    run("diff", *pair, "--json")
    assert [path.name for path in private_cache.iterdir()] == [verdicts.FOLDER]
    assert len(verdicts_in(private_cache)) == 2
    run("diff", *pair, "--json", "--no-cache")
    assert len(verdicts_in(private_cache)) == 2


def test_the_same_files_on_both_sides_are_parsed_once(run, pair, monkeypatch):
    old, _ = pair
    calls = []
    real_check = dataset.check
    monkeypatch.setattr(dataset, "check", lambda files, *rest: calls.append(1) or real_check(files, *rest))
    assert run("diff", old, old, "--json", "--no-cache").json()["summary"] == {"added": 0, "removed": 0,
                                                                                "changed": 0}
    assert len(calls) == 1


def test_a_side_with_a_verdict_and_a_compiled_store_is_not_parsed_and_diffs_the_same(run, pair, monkeypatch):
    old, new = pair
    expected = run("diff", old, new, "--json", "--no-cache").stdout
    for side in pair:
        assert run("trials", "--data", side, "--json").exit_code == 0  # compiles each side
        assert run("validate", side).exit_code == 0  # remembers each side valid

    def check(*_):
        raise AssertionError("parsed although compiled and found valid")

    monkeypatch.setattr(dataset, "check", check)
    assert run("diff", old, new, "--json").stdout == expected


def test_a_compiled_store_without_a_verdict_is_not_trusted(run, pair, monkeypatch):
    """A store built by an older rule set (same version number) must not pass for valid."""
    old, new = pair
    for side in pair:
        assert run("trials", "--data", side, "--json").exit_code == 0
    real_check = dataset.check

    def stricter(files, *rest):
        checked, problems = real_check(files, *rest)
        return checked, [*problems, Problem("data.yaml", "a rule added since")]

    monkeypatch.setattr(dataset, "check", stricter)
    result = run("diff", old, new, "--json")
    assert result.exit_code == 3 and "a rule added since" in result.stderr


def test_field_changes_walks_nested_mappings():
    old = {"a": 1, "b": {"c": {"d": 1}, "e": [1]}, "gone": 1}
    new = {"a": 1, "b": {"c": {"d": 2}, "e": [1, 2]}, "new": 1}
    assert field_changes(old, new) == [
        {"field": "b.c.d", "old": 1, "new": 2}, {"field": "b.e", "old": [1], "new": [1, 2]},
        {"field": "gone", "old": 1, "new": None}, {"field": "new", "old": None, "new": 1}]


VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                      lambda inner: (st.lists(inner, max_size=3)
                                     | st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                      max_leaves=10)
MAPPINGS = st.dictionaries(st.text(max_size=3), VALUES, max_size=4)


@given(MAPPINGS)
def test_a_record_has_no_changes_from_itself(record):
    assert field_changes(record, record) == []


@given(MAPPINGS, MAPPINGS)
def test_changes_reversed_are_the_same_fields_with_old_and_new_swapped(old, new):
    forward = {(c["field"], repr(c["old"]), repr(c["new"])) for c in field_changes(old, new)}
    backward = {(c["field"], repr(c["new"]), repr(c["old"])) for c in field_changes(new, old)}
    assert forward == backward


def test_the_same_files_remembered_valid_are_not_read(run, pair, monkeypatch):
    old, _ = pair
    expected = run("diff", old, old, "--json", "--no-cache").stdout
    assert run("validate", old).exit_code == 0

    def refuse(*_):
        raise AssertionError("read although the same files were found valid")

    monkeypatch.setattr(dataset, "check", refuse)
    monkeypatch.setattr(dataset, "cache_key", refuse)
    assert run("diff", old, old, "--json").stdout == expected
