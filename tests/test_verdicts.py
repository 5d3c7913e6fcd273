"""A remembered "valid" verdict: what its key covers, and that only "valid" is ever remembered."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from mscli.errors import Problem
from mscli.loading import dataset, verdicts
from tests.conftest import minimal, verdicts_in


def _refuse_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    def check(*_: object, **__: object) -> None:
        raise AssertionError("the dataset was checked again")

    monkeypatch.setattr(dataset, "check", check)


def test_the_same_bytes_are_not_checked_twice(run, write_dataset, monkeypatch, private_cache):
    folder = write_dataset(minimal())
    first = run("validate", str(folder), "--json")
    assert (first.exit_code, first.json()) == (0, [])
    assert len(verdicts_in(private_cache)) == 1
    _refuse_checks(monkeypatch)
    again = run("validate", str(folder), "--json")
    assert (again.exit_code, again.json()) == (0, [])


def test_an_edited_file_is_checked_again_and_its_problems_reported(run, write_dataset):
    folder = write_dataset(minimal())
    assert run("validate", str(folder), "--json").exit_code == 0
    broken = minimal()
    broken["trials"][0]["phase"] = "7"
    write_dataset(broken)
    result = run("validate", str(folder), "--json")
    assert result.exit_code == 1
    assert any("not one of" in problem["message"] for problem in result.json())


def test_problems_are_never_remembered(run, write_dataset, private_cache):
    broken = minimal()
    broken["trials"][0]["phase"] = "7"
    folder = write_dataset(broken)
    for _ in range(2):
        assert run("validate", str(folder), "--json").exit_code == 1
    assert verdicts_in(private_cache) == []


def test_no_cache_checks_anyway_and_warnings_always_check(run, write_dataset, monkeypatch):
    folder = write_dataset(minimal())
    assert run("validate", str(folder)).exit_code == 0
    real_check = dataset.check

    def check_with_a_new_rule(files, *args):
        checked, problems = real_check(files, *args)
        return checked, [*problems, Problem("data.yaml", "a rule added since")]

    monkeypatch.setattr(dataset, "check", check_with_a_new_rule)
    assert run("validate", str(folder), "--json").exit_code == 0  # remembered
    for option in ("--no-cache", "--warnings"):
        result = run("validate", str(folder), option, "--json")
        assert result.exit_code == 1, option
        assert "a rule added since" in result.stdout


def _copied_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of mscli's sources that the verdict key reads in place of the package's."""
    real = verdicts._package_sources()
    copies = tmp_path / "src"
    for name, path in real:
        (copies / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copies / name)
    monkeypatch.setattr(verdicts, "_package_sources", lambda: [(name, str(copies / name)) for name, _ in real])
    return copies


def _counted_hashing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = verdicts._hash_sources

    def counted(sources):
        calls.append(len(sources))
        return real(sources)

    monkeypatch.setattr(verdicts, "_hash_sources", counted)
    return calls


def test_a_changed_rule_misses_the_remembered_verdict(tmp_path, monkeypatch):
    """The key covers the bytes of the code: copy mscli's sources, remember a verdict, then
    change one rule's wording in the copy."""
    copies = _copied_sources(tmp_path, monkeypatch)
    files = [dataset.DataFile("data.yaml", yaml.safe_dump(minimal()).encode())]
    key = verdicts.verdict_key(files)
    verdicts.remember_valid(key)
    assert verdicts.is_remembered_valid(verdicts.verdict_key(files))
    rules = copies / "loading" / "rules.py"
    rules.write_text(rules.read_text().replace("needs a published result", "needs a result"))
    assert verdicts.verdict_key(files) != key
    assert not verdicts.is_remembered_valid(verdicts.verdict_key(files))


def test_the_sources_digest_is_remembered_until_a_source_changes_even_in_the_same_size(tmp_path, monkeypatch):
    """Read once, then known by each file's size, inode and times; an edit that keeps the size
    and puts the modification time back still changes the file's ctime, so it is read again."""
    copies = _copied_sources(tmp_path, monkeypatch)
    now = verdicts.time.time_ns
    monkeypatch.setattr(verdicts.time, "time_ns", lambda: now() + 10_000_000_000)  # copies not "just made"
    calls = _counted_hashing(monkeypatch)
    files = [dataset.DataFile("data.yaml", b"trials: []\n")]
    key = verdicts.verdict_key(files)
    assert verdicts.verdict_key(files) == key and len(calls) == 1
    rules = copies / "loading" / "rules.py"
    before = rules.stat()
    text = rules.read_text()
    rules.write_text(text.replace("needs a published result", "needs a published resulT"))
    os.utime(rules, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert rules.stat().st_size == before.st_size and rules.stat().st_mtime_ns == before.st_mtime_ns
    assert verdicts.verdict_key(files) != key and len(calls) == 2


def test_sources_changed_in_the_last_two_seconds_are_read_every_time(tmp_path, monkeypatch):
    """A same-size edit within the file system's time resolution could hide: nothing is remembered."""
    _copied_sources(tmp_path, monkeypatch)
    calls = _counted_hashing(monkeypatch)
    files = [dataset.DataFile("data.yaml", b"trials: []\n")]
    assert verdicts.verdict_key(files) == verdicts.verdict_key(files)
    assert len(calls) == 2


def test_the_key_covers_names_bytes_the_date_and_python(monkeypatch):
    files = [dataset.DataFile("data.yaml", b"trials: []\n")]
    key = verdicts.verdict_key(files)
    assert verdicts.verdict_key([dataset.DataFile("other.yaml", b"trials: []\n")]) != key
    assert verdicts.verdict_key([dataset.DataFile("data.yaml", b"trials: [] \n")]) != key
    monkeypatch.setattr(verdicts.time, "strftime", lambda _: "2999-01-01")
    assert verdicts.verdict_key(files) != key
    monkeypatch.undo()
    monkeypatch.setattr(verdicts.sys, "version", "3.99.0")
    assert verdicts.verdict_key(files) != key


def test_the_key_covers_pyyaml(monkeypatch, tmp_path: Path):
    files = [dataset.DataFile("data.yaml", b"trials: []\n")]
    key = verdicts.verdict_key(files)
    fake = tmp_path / "yaml" / "__init__.py"
    fake.parent.mkdir()
    fake.write_text("__version__ = '0.1'\n")

    class Spec:
        origin = str(fake)

    monkeypatch.setattr("importlib.util.find_spec", lambda name: Spec())
    assert verdicts.verdict_key(files) != key


def test_only_the_newest_verdicts_are_kept_and_other_files_are_left(private_cache):
    folder = private_cache / verdicts.FOLDER
    folder.mkdir()
    (folder / "notes.txt").write_text("not mscli's")
    for number in range(verdicts.KEEP + 3):
        verdicts.remember_valid(f"{number:064x}")
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == verdicts.KEEP + 1 and "notes.txt" in kept
    assert f"{verdicts.KEEP + 2:064x}" in kept


def test_an_unwritable_cache_only_means_checking_again(run, write_dataset, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("MSCLI_CACHE_DIR", str(blocker))
    folder = write_dataset(minimal())
    for _ in range(2):
        assert run("validate", str(folder), "--json").exit_code == 0


def test_an_install_without_sources_remembers_nothing(monkeypatch):
    monkeypatch.setattr(verdicts, "_package_sources", lambda: [])
    assert verdicts.verdict_key([dataset.DataFile("data.yaml", b"trials: []\n")]) is None
