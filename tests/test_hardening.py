"""Regression tests for the adversarial findings of issue 16, each through the CLI."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

# 1. --output writes only to a regular file or a new path.

@pytest.mark.parametrize("kind", ["fifo", "socket", "directory"])
def test_output_refuses_special_files(run: Any, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.md"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    else:
        target.mkdir()
    before = os.lstat(target).st_mode
    result = run("report", "msc", "-o", str(target), "--force")
    assert result.exit_code == 4
    assert "regular file" in result.stderr and len(result.stderr.splitlines()) == 1
    assert os.lstat(target).st_mode == before


def test_output_through_symlink_to_fifo_is_refused(run: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.md"
    link.symlink_to(fifo)
    result = run("report", "msc", "-o", str(link), "--force")
    assert result.exit_code == 4
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_force_keeps_mode_and_symlink(run: Any, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    result = run("report", "msc", "-o", str(link), "--force")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert "msc" in real.read_text().lower()


def test_force_refuses_to_break_hard_links(run: Any, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    os.link(real, tmp_path / "other.md")
    result = run("report", "msc", "-o", str(real), "--force")
    assert result.exit_code == 4 and "hard link" in result.stderr
    assert real.read_text() == "old"


def test_output_name_too_long_is_one_line(run: Any, tmp_path: Path) -> None:
    result = run("report", "msc", "-o", str(tmp_path / ("a" * 300 + ".md")))
    assert result.exit_code == 4 and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


# 2 and 3. The cache owns only what it made; any damage is a rebuild, never a wrong answer.

def _entry(cache: Path) -> Path:
    (entry,) = [path for path in cache.iterdir() if path.name.startswith("mscli-")]
    return entry


def test_shared_cache_folder_keeps_other_files(run: Any, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    strangers = [shared / f"{number:064x}" for number in range(9)]
    for index, path in enumerate(strangers):
        if index % 2:
            path.mkdir()
        else:
            path.write_text("not mscli's")
    (shared / ("." + "b" * 64 + ".1.x.tmp")).mkdir()
    for data in ("a", "b"):
        for count in range(10):
            folder = tmp_path / f"data-{data}{count}"
            folder.mkdir()
            (folder / "d.yaml").write_bytes(Path(_bundled_first()).read_bytes())
            (folder / "x.yaml").write_text(f"# {count}\n" + Path(_bundled_first()).read_text())
            run("therapies", "--json", "--data", str(folder / "d.yaml"), env={"MSCLI_CACHE_DIR": str(shared)})
    assert all(path.exists() for path in strangers)
    assert (shared / ("." + "b" * 64 + ".1.x.tmp")).exists()


def _bundled_first() -> str:
    import yaml

    from tests.conftest import MINIMAL

    target = Path(os.environ["MSCLI_CACHE_DIR"]).parent / "minimal.yaml"
    if not target.exists():
        target.write_text(yaml.safe_dump(MINIMAL, sort_keys=False))
    return str(target)


@pytest.mark.parametrize("damage", ["empty-trials", "truncate-search", "meta-shape", "index-shape",
                                    "search-fields", "postings-garbage", "trials-garbage"])
def test_damaged_cache_is_a_rebuild(run: Any, private_cache: Path, damage: str) -> None:
    expected = {args: run(*args).stdout for args in
                (("trial", "mesems", "--json"), ("compare", "ahsct", "msc", "--json"), ("search", "stem", "--json"),
                 ("trials", "--therapy", "msc", "--json"))}
    entry = _entry(private_cache)
    if damage == "empty-trials":
        (entry / "trials.jsonl").write_bytes(b"")
    elif damage == "truncate-search":
        text = (entry / "terms.txt").read_bytes()
        (entry / "terms.txt").write_bytes(text[: len(text) // 2])
    elif damage == "meta-shape":
        from mscli.loading.metafile import meta_bytes, read_meta

        meta = read_meta(entry / "meta.bin")
        meta["dataset"]["therapies"] = {"not": "a list"}
        (entry / "meta.bin").write_bytes(meta_bytes(meta))
    elif damage == "index-shape":
        (entry / "index.json").write_text('{"offsets": "x", "kinds": 1, "kind_of": null}')
    elif damage == "search-fields":
        text = (entry / "terms.txt").read_bytes()  # the same size, every count and offset unreadable
        (entry / "terms.txt").write_bytes(bytes(b"x"[0] if chr(byte).isdigit() else byte for byte in text))
    elif damage == "postings-garbage":
        size = (entry / "postings.bin").stat().st_size
        (entry / "postings.bin").write_bytes(b"\xff" * size)
    else:
        size = (entry / "trials.jsonl").stat().st_size
        (entry / "trials.jsonl").write_bytes(b"[" * size)
    for args, answer in expected.items():
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == answer, args


def test_foreign_compiled_folder_is_not_served(run: Any, private_cache: Path, write_dataset: Any) -> None:
    from tests.conftest import minimal

    folder = write_dataset(minimal())
    run("trials", "--json", "--data", str(folder))
    bundled_answer = run("trials", "--json").stdout
    entries = sorted(private_cache.glob("mscli-*"), key=lambda path: path.stat().st_mtime)
    small, big = entries
    import shutil
    shutil.rmtree(big)
    shutil.copytree(small, big)
    assert run("trials", "--json").stdout == bundled_answer


def test_killed_build_folder_is_reclaimed(run: Any, private_cache: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = private_cache / f".mscli-{'c' * 64}.{gone.stdout.strip()}.abc.tmp"
    leftover.mkdir()
    (leftover / "trials.jsonl").write_text("x" * 1000)
    running = private_cache / f".mscli-{'d' * 64}.{os.getpid() + 0}.abc.tmp"
    running.mkdir()
    assert run("therapies", "--json").exit_code == 0
    assert not leftover.exists()
    assert running.exists()


# 7. Text from data is made safe for where it goes.

HOSTILE = "Evil\x1b]0;pwned\x07 \x1b[2J\u202eright\x9b31m <script>x</script> <img onerror=y>"


def _hostile(write_dataset: Any) -> Path:
    from tests.conftest import minimal

    data = minimal()
    data["trials"][0]["title"] = HOSTILE
    data["sources"][0]["title"] = HOSTILE
    return write_dataset(data)


@pytest.mark.parametrize("args", [["cite", "trial-one"], ["cite", "trial-one", "--format", "bibtex"],
                                  ["cite", "trial-one", "--format", "ris"], ["trials", "--format", "csv"],
                                  ["trials", "--format", "tsv"], ["trials"], ["trials", "--format", "markdown"],
                                  ["trial", "trial-one"]])
def test_human_formats_carry_no_escapes(run: Any, write_dataset: Any, args: list[str]) -> None:
    result = run(*args, "--data", str(_hostile(write_dataset)))
    assert result.exit_code == 0, result.stderr
    for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert bad not in result.stdout, (args, bad)


def test_markdown_escapes_html(run: Any, write_dataset: Any) -> None:
    result = run("sources", "--format", "markdown", "--data", str(_hostile(write_dataset)))
    assert result.exit_code == 0, result.stderr
    assert "<script>" not in result.stdout and "<img" not in result.stdout
    assert "&lt;script&gt;" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "yaml", "jsonl"])
def test_machine_formats_escape_c1_and_bidi(run: Any, write_dataset: Any, fmt: str) -> None:
    import json

    import yaml

    result = run("trial", "trial-one", "--format", fmt, "--data", str(_hostile(write_dataset)))
    assert result.exit_code == 0, result.stderr
    for bad in ("\x1b", "\u202e", "\x9b"):
        assert bad not in result.stdout
    parsed = (yaml.safe_load(result.stdout) if fmt == "yaml" else json.loads(result.stdout) if fmt == "json"
              else json.loads(result.stdout.splitlines()[0]))
    assert parsed["title"] == HOSTILE


def test_error_messages_carry_no_escapes(run: Any, tmp_path: Path) -> None:
    result = run("trials", "--data", str(tmp_path / "no\x1b]0;x\x07such\u202e"))
    assert result.exit_code == 4
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr


# 8. Explicit YAML tags are located data errors, not tracebacks.

@pytest.mark.parametrize("value", ["!!bool maybe", "!!int ''", "!!float ''", "!!binary aGk=",
                                   "!!python/name:os.system x", "1" * 5000])
def test_explicit_tags_and_huge_numbers_are_located_errors(run: Any, write_dataset: Any, value: str) -> None:
    import json

    folder = write_dataset(f"dataset:\n  title: {value}\n  version: '1'\n  reviewed: '2026-01-01'\n")
    result = run("validate", str(folder), "--json")
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    problems = json.loads(result.stdout)
    assert any(problem["line"] == 2 for problem in problems)
    assert run("trials", "--data", str(folder)).exit_code == 3


# 10. Streams: failures exit with the I/O code; usage errors are one line plus the hint.

def _shell(command: str) -> Any:
    import subprocess
    import sys

    return subprocess.run(["sh", "-c", f"{sys.executable} -m mscli {command}"], capture_output=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("args", ["--help", "--version", "trials --help"])
def test_help_and_version_to_a_closed_stdout_exit_4(args: str) -> None:
    result = _shell(f"{args} >&-")
    assert result.returncode == 4, result.stderr
    assert b"Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_closed_stderr_keeps_success() -> None:
    result = _shell("therapies --json 2>&-")
    assert result.returncode == 0 and result.stdout


@pytest.mark.parametrize("args", [["trials", "--limt", "3"], ["trials", "--phase", "9"], ["trial"]])
def test_click_usage_errors_are_one_line_and_the_hint(run: Any, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("mscli: error: ") and lines[1].startswith("Try ")


def test_contradictory_flags_are_refused(run: Any) -> None:
    result = run("match", "--age", "30", "--active-mri", "--no-active-mri")
    assert result.exit_code == 2 and "contradict" in result.stderr


# 9. --query runs with a recursion, time and size budget; every error is one line.

@pytest.mark.parametrize("query", ["to_number('nan')", "`1e400`", "floor(`-1e400`)", "[::0]",
                                   "[" * 5000 + "@" + "]" * 5000, " | ".join(["@"] + ["[@,@]"] * 22)])
def test_hostile_queries_are_one_line_usage_errors(run: Any, query: str) -> None:
    result = run("therapies", "--query", query)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("mscli: error: --query") and len(result.stderr.splitlines()) == 2


# 6. Widths are clamped.

def test_huge_columns_is_clamped(run: Any) -> None:
    result = run("therapies", "--format", "table", env={"COLUMNS": "99999999"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 1000
