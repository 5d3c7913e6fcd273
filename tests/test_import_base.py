"""`mscli import ctgov` checks new files against the bundled dataset it already has in memory
(from the compiled store), and only parses every file again to word a problem exactly."""

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
