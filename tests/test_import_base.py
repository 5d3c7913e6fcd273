"""`mscli import ctgov` checks new files against the bundled dataset it already has in memory
(from the compiled store), only parses every file again to word a problem exactly, and
remembers a check that found nothing, as `mscli validate` does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mscli.loading import dataset
from tests.conftest import minimal

SINGLE = Path(__file__).parent / "fixtures" / "ctgov" / "single-msc.json"


@pytest.fixture
def checked_files(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The names of the files each call of ``dataset.check`` was given."""
    calls: list[list[str]] = []
    real = dataset.check

    def check(files, *args, **kwargs):
        calls.append([file.name for file in files])
        return real(files, *args, **kwargs)

    monkeypatch.setattr(dataset, "check", check)
    return calls


def test_a_clean_import_parses_only_the_new_file(run, tmp_path, checked_files):
    assert run("trials", "--data", str(dataset.bundled_data_dir()), "--json").exit_code == 0  # compiled
    checked_files.clear()
    result = run("import", "ctgov", str(SINGLE), "--into", str(tmp_path / "user"), "--json")
    assert result.exit_code == 0, result.stderr
    assert [row["action"] for row in result.json()] == ["added"]
    assert checked_files == [[str(tmp_path / "user" / "imported" / "nct09900001.yaml")]]


def test_a_problem_with_a_bundled_record_is_worded_as_a_full_check_words_it(run, tmp_path, monkeypatch,
                                                                            checked_files):
    """The new trial's id is a bundled source's id: the reason names that source's file and line."""
    bundled = minimal()
    bundled["sources"].append({"id": "nct09900001", "kind": "web-page", "title": "Same id", "publisher": "A",
                               "verified": True, "reviewed": "2026-11-01"})
    bundled["therapies"][0]["id"] = "msc"
    bundled["trials"][0]["therapy"] = "msc"
    folder = tmp_path / "bundled"
    folder.mkdir()
    (folder / "data.yaml").write_text(yaml.safe_dump(bundled, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(dataset, "bundled_data_dir", lambda: folder)
    result = run("import", "ctgov", str(SINGLE), "--into", str(tmp_path / "user"), "--json")
    assert result.exit_code == 1, result.stderr
    reason = result.json()[0]["reason"]
    assert "duplicate id (first defined at data.yaml:" in reason and "compiled" not in reason
    new = str(tmp_path / "user" / "imported" / "nct09900001.yaml")
    assert checked_files[:2] == [[new], ["data.yaml", new]]  # fast, then full (the cold load is streamed)
    assert not (tmp_path / "user" / "imported").exists()


def test_a_dry_run_then_the_import_checks_the_new_file_once(run, tmp_path, checked_files):
    """A check that found nothing is remembered, keyed on the bundled store and the user's files."""
    into = tmp_path / "user"
    assert run("trials", "--data", str(dataset.bundled_data_dir()), "--json").exit_code == 0  # compiled
    checked_files.clear()
    dry = run("import", "ctgov", str(SINGLE), "--into", str(into), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert checked_files == [[str(into / "imported" / "nct09900001.yaml")]]
    checked_files.clear()
    done = run("import", "ctgov", str(SINGLE), "--into", str(into), "--json")
    assert done.exit_code == 0, done.stderr
    assert checked_files == []
    assert done.json() == dry.json() and (into / "imported" / "nct09900001.yaml").is_file()
    assert run("validate", str(into), "--json").json() == []  # a full check agrees


def test_a_user_file_that_changed_after_a_check_is_checked_again(run, tmp_path, checked_files):
    into = tmp_path / "user"
    assert run("import", "ctgov", str(SINGLE), "--into", str(into), "--dry-run", "--json").exit_code == 0
    (into / "imported").mkdir(parents=True)
    (into / "imported" / "other.yaml").write_text("trials:\n  - id: Not A Slug\n", encoding="utf-8")
    checked_files.clear()
    again = run("import", "ctgov", str(SINGLE), "--into", str(into), "--dry-run", "--json")
    assert checked_files, "the remembered verdict was used for a different directory"
    assert again.exit_code != 0 and "other.yaml" in again.stderr


@pytest.mark.parametrize("cache", ["usable", "unusable"])
def test_a_bundled_trial_is_found_by_its_registration_from_the_store_or_from_memory(run, tmp_path, monkeypatch,
                                                                                     cache):
    """A study already in the bundled dataset is skipped whether the compiled store's name index or
    a scan of the trials in memory (no cache folder can be made) finds it."""
    if cache == "unusable":
        blocker = tmp_path / "a-file"
        blocker.write_text("", encoding="utf-8")
        monkeypatch.setenv("MSCLI_CACHE_DIR", str(blocker))
    page = Path(__file__).parent / "fixtures" / "ctgov_replay" / "search-ms-portland.json"
    result = run("import", "ctgov", str(page), "--into", str(tmp_path / "user"), "--dry-run", "--json")
    rows = {row["study"]: row for row in result.json()}
    assert rows["NCT04047628"]["reason"] == "already in the bundled dataset as beat-ms"
    assert rows["NCT06441617"]["action"] == "added"


def test_a_bundled_alias_that_is_a_new_trials_number_is_not_a_claim_on_it(run, tmp_path, monkeypatch):
    """The name index also holds aliases; only an id or a registration number claims a study."""
    bundled = minimal()
    bundled["therapies"][0]["id"] = "msc"
    bundled["trials"][0]["therapy"] = "msc"
    bundled["trials"][0]["aliases"] = ["NCT09900001"]
    folder = tmp_path / "bundled"
    folder.mkdir()
    (folder / "data.yaml").write_text(yaml.safe_dump(bundled, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(dataset, "bundled_data_dir", lambda: folder)
    result = run("import", "ctgov", str(SINGLE), "--into", str(tmp_path / "user"), "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert [row["action"] for row in result.json()] == ["added"]
