"""The compiled cache: same answers as the YAML, never stale, never trusted when damaged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mscli.loading import dataset
from tests.conftest import minimal


def cache_files(cache: Path) -> list[Path]:
    """Every file of every compiled dataset in the cache."""
    return sorted(path for path in cache.glob("*/*") if path.parent.name.startswith("mscli-"))


@pytest.mark.parametrize("args", [["trials", "--json"], ["trial", "mesems", "--format", "yaml"],
                                  ["compare", "ahsct", "msc", "--format", "csv"], ["search", "stem", "--json"],
                                  ["therapies", "--format", "markdown"]])
def test_cached_answer_is_byte_for_byte_the_yaml_answer(run, private_cache, args):
    fresh = run(*args, "--no-cache").stdout
    assert cache_files(private_cache) == []
    first = run(*args).stdout
    assert cache_files(private_cache)
    second = run(*args).stdout
    assert fresh == first == second


def test_edited_file_is_never_served_stale(run, write_dataset, private_cache):
    data = minimal()
    folder = write_dataset(data)
    assert run("trial", "trial-one", "--json", "--data", str(folder)).json()["phase"] == "2"
    data["trials"][0]["phase"] = "3"
    write_dataset(data)
    assert run("trial", "trial-one", "--json", "--data", str(folder)).json()["phase"] == "3"


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 999, "dataset": {}}', b"[1, 2]",
                                    b'{"format": 2, "dataset": []}', b'{"offsets": [0]}', b"\n\n"])
@pytest.mark.parametrize("args", [["trials", "--json"], ["trials", "--therapy", "msc", "--json"],
                                  ["search", "marrow", "--json"], ["therapies", "--json"]])
def test_corrupt_cache_is_a_miss(run, private_cache, damage, args):
    expected = run(*args).stdout
    for entry in cache_files(private_cache):
        entry.write_bytes(damage)
    assert run(*args).stdout == expected


def test_missing_cache_file_is_a_miss(run, private_cache):
    expected = run("trials", "--phase", "3", "--json").stdout
    for entry in cache_files(private_cache):
        if entry.name == "index.json":
            entry.unlink()
    assert run("trials", "--phase", "3", "--json").stdout == expected


def test_unwritable_cache_directory_still_answers(run, tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    monkeypatch.setenv("MSCLI_CACHE_DIR", str(blocked / "cache"))
    result = run("trials", "--json")
    assert result.exit_code == 0 and result.json()
    assert blocked.read_text() == "x"


def test_no_home_and_no_cache_dir_still_works(run_process, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("HOME", "XDG_CACHE_HOME",
                                                                          "MSCLI_CACHE_DIR")}
    result = subprocess.run([sys.executable, "-m", "mscli", "info", "--json"], env=env, capture_output=True,
                            timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_cache_never_changes_what_validation_reports(run, write_dataset):
    data = minimal()
    folder = write_dataset(data)
    assert run("trials", "--json", "--data", str(folder)).exit_code == 0
    data["trials"][0]["phase"] = "9"
    write_dataset(data)
    assert run("validate", str(folder)).exit_code == 1
    assert run("trials", "--data", str(folder)).exit_code == 3


def test_concurrent_runs_agree_and_leave_no_temp_files(private_cache, tmp_path):
    env = {**os.environ, "MSCLI_CACHE_DIR": str(private_cache)}
    processes = [subprocess.Popen([sys.executable, "-m", "mscli", "trials", "--json"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env) for _ in range(10)]
    outputs = {process.communicate(timeout=120)[0] for process in processes}
    assert len(outputs) == 1
    assert all(process.returncode == 0 for process in processes)
    assert not list(private_cache.glob(".*"))


def test_atomic_write_keeps_old_bytes_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "entry.json"
    target.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        dataset.write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]


def test_old_entries_are_pruned(run, write_dataset, private_cache):
    data = minimal()
    folder = write_dataset(data)
    for year in range(2000, 2012):
        data["trials"][0]["start_year"] = year
        write_dataset(data)
        run("trials", "--data", str(folder))
    assert 1 <= len({path.parent for path in cache_files(private_cache)}) <= 8
