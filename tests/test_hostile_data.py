"""Hostile and malformed dataset files: a located one-line error, exit 3 or 4, files untouched."""

from __future__ import annotations

import hashlib
import os
import sys

import pytest
import yaml

from mscli.errors import DatasetError, DatasetPathError
from mscli.loading import dataset
from tests.conftest import minimal

VALID = yaml.safe_dump(minimal(), sort_keys=False)

HOSTILE: list[tuple[str, bytes, str]] = [
    ("syntax error", b"trials: [\n  - id: x\n", "YAML syntax error"),
    ("tab indentation", b"trials:\n\t- id: x\n", "tab"),
    ("python object tag", b"trials: !!python/object/apply:os.system ['touch /tmp/mscli-pwned']\n",
     "not allowed"),
    ("billion laughs", b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
     b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n", "aliases"),
    ("self alias", b"trials: &a [*a]\n", "alias"),
    ("deep nesting", b"trials: " + b"[" * 500 + b"]" * 500 + b"\n", "nesting deeper"),
    ("duplicate key", VALID.replace("  phase: '2'\n", "  phase: '2'\n  phase: '3'\n").encode(),
     "duplicate key 'phase'"),
    ("non-string key", b"trials:\n  - 1: x\n", "is not text"),
    ("null key", b"~: x\n", "is not text"),
    ("second document", VALID.encode() + b"---\ntrials: []\n", "second YAML document"),
    ("top-level list", b"- id: x\n", "expected a mapping"),
    ("empty file", b"", "file is empty"),
    ("comments only", b"# nothing here\n", "file is empty"),
    ("not utf-8", b"dataset:\n  title: caf\xe9\n", "not valid UTF-8"),
    ("utf-8 bom", b"\xef\xbb\xbf" + VALID.encode(), "byte-order mark"),
    ("utf-16 bom", b"\xff\xfe" + VALID.encode("utf-16-le"), "byte-order mark"),
    ("nul byte", b"dataset:\n  title: a\x00b\n", "not readable as YAML"),
    ("nan", VALID.replace("  start_year: 2015\n", "  start_year: .nan\n").encode(), "finite"),
    ("inf", VALID.replace("  start_year: 2015\n", "  start_year: .inf\n").encode(), "finite"),
    ("huge integer", VALID.replace("  start_year: 2015\n", "  start_year: " + "9" * 5000 + "\n").encode(),
     "bad value"),
    ("norway", VALID.replace("  - Italy\n", "  - NO\n").encode(), "quote it"),
    ("octal", VALID.replace("  start_year: 2015\n", "  start_year: 0777\n").encode(), "start_year"),
    ("sexagesimal", VALID.replace("  phase: '2'\n", "  phase: 1:20\n").encode(), "quote it"),
    ("float phase", VALID.replace("  phase: '2'\n", "  phase: 1.0e+3\n").encode(), "quote it"),
    ("merge key", b"x: &x {a: 1}\ntrials:\n  - <<: *x\n", "not allowed"),
]


@pytest.mark.parametrize("name,content,expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_gives_a_located_error(write_dataset, run, name, content, expected):
    folder = write_dataset(content)
    before = hashlib.sha256((folder / "data.yaml").read_bytes()).hexdigest()
    with pytest.raises(DatasetError) as caught:
        dataset.load(str(folder), use_cache=False)
    assert expected in str(caught.value), str(caught.value)
    assert str(caught.value).startswith("data.yaml")
    result = run("trials", "--data", str(folder))
    assert result.exit_code == 3
    assert result.stderr.startswith("mscli: error: data.yaml")
    assert len(result.stderr.strip().splitlines()) == 1
    assert hashlib.sha256((folder / "data.yaml").read_bytes()).hexdigest() == before
    assert not os.path.exists("/tmp/mscli-pwned")  # noqa: S108


def test_unquoted_dates_stay_text_and_json_still_works(write_dataset, run):
    folder = write_dataset(VALID.replace("reviewed: '2026-11-01'", "reviewed: 2026-11-01"))
    result = run("trials", "--json", "--data", str(folder))
    assert result.exit_code == 0
    assert result.json()[0]["reviewed"] == "2026-11-01"


@pytest.mark.parametrize("make,expected", [
    (lambda tmp: tmp / "missing", "no such file"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no data files (.yaml, .yml or .json)"),
])
def test_path_faults_exit_4(run, tmp_path, make, expected):
    result = run("trials", "--data", str(make(tmp_path)))
    assert result.exit_code == 4
    assert expected in result.stderr


def test_symlink_loop_and_fifo_do_not_hang(tmp_path, run):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop.yaml")
    result = run("trials", "--data", str(loop))
    assert result.exit_code == 4
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(DatasetPathError, match="not a regular file"):
        dataset.read_files(fifo)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path, write_dataset, run):
    folder = write_dataset(minimal())
    (folder / "data.yaml").chmod(0)
    assert run("trials", "--data", str(folder)).exit_code == 4


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text("# x\n" * 400)
    with pytest.raises(DatasetPathError, match="larger than"):
        dataset.read_files(big)


def test_one_bad_file_fails_the_whole_load(write_dataset):
    folder = write_dataset(minimal())
    (folder / "broken.yaml").write_text("trials: [\n")
    with pytest.raises(DatasetError, match="broken.yaml"):
        dataset.load(str(folder), use_cache=False)


def test_alias_bomb_and_deep_nesting_are_refused_under_a_memory_limit(tmp_path):
    import resource
    import subprocess

    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode() for i in range(8))
    (tmp_path / "bomb.yaml").write_bytes(bomb)
    (tmp_path / "deep.yaml").write_bytes(b"x: " + b"[" * 100_000 + b"]" * 100_000 + b"\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))

    for name in ("bomb.yaml", "deep.yaml"):
        result = subprocess.run([sys.executable, "-m", "mscli", "validate", str(tmp_path / name)],
                                capture_output=True, timeout=60, preexec_fn=limit)  # noqa: PLW1509
        assert result.returncode == 1, result.stderr
        assert b"Traceback" not in result.stderr and b"MemoryError" not in result.stderr
