"""Real processes: pipes, full disks, closed stdout, odd encodings and terminals, untrusted text."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import minimal

NASTY = "[/] [link=http://evil.example]click[/link] :warning: \x1b[31mred\x1b[0m \u202eevil \x07bell"


@pytest.fixture
def nasty_dataset(write_dataset):
    data = minimal()
    data["trials"][0]["title"] = NASTY
    data["trials"][0]["acronym"] = "=HYPERLINK(\"http://evil.example\")"
    data["trials"][0]["countries"] = ["+Italy", "-Spain", "@France"]
    return write_dataset(data)


def test_piped_into_head_exits_quietly(tmp_path):
    command = f"{sys.executable} -m mscli trials --format jsonl | head -c 10 > /dev/null"
    for _ in range(3):
        result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, timeout=60,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert b"Traceback" not in result.stderr and b"Exception ignored" not in result.stderr
        assert b"BrokenPipe" not in result.stderr


def test_full_disk_is_one_line_and_exit_4():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "mscli", "trials", "--json"], stdout=full,
                                stderr=subprocess.PIPE, timeout=60)
    assert result.returncode == 4
    assert result.stderr.decode().startswith("mscli: error: cannot write output")
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_closed_stdout_is_an_error_not_silence():
    result = subprocess.run(f"{sys.executable} -m mscli trials --json >&-", shell=True,  # noqa: S602
                            capture_output=True, timeout=60)
    assert result.returncode == 4
    assert b"mscli: error" in result.stderr


@pytest.mark.parametrize("env", [
    {"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}, {"LC_ALL": "C", "PYTHONUTF8": "0"},
    {"TERM": "dumb"}, {"NO_COLOR": "1"}, {"COLUMNS": "20"}, {"COLUMNS": "400"},
])
def test_odd_environments(run_process, env):
    for args in (["trials", "--therapy", "msc"], ["trials", "--therapy", "msc", "--format", "table"],
                 ["compare", "ahsct", "msc", "--format", "table"], ["--help"], ["trial", "mesems"]):
        result = run_process(*args, env=env)
        assert result.returncode == 0, (args, result.stderr)
        assert b"Traceback" not in result.stderr
        assert b"\x1b[" not in result.stdout
    payload = run_process("trials", "--json", env=env).stdout
    assert json.loads(payload.decode("utf-8"))


def test_json_is_utf8_even_with_an_ascii_locale(run_process):
    result = run_process("trial", "stems", "--json", env={"PYTHONIOENCODING": "ascii"})
    json.loads(result.stdout.decode("utf-8"))


def test_dataset_text_is_never_interpreted(nasty_dataset, run_process):
    result = run_process("trial", "trial-one", "--format", "table", "--data", str(nasty_dataset),
                         env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "[/]" in out and "[link=http://evil.example]" in out and ":warning:" in out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    tsv = run_process("trial", "trial-one", "--data", str(nasty_dataset)).stdout.decode()
    assert "\x1b" not in tsv and "\u202e" not in tsv


def test_csv_cells_cannot_run_as_formulas(nasty_dataset, run):
    out = run("trials", "--format", "csv", "--data", str(nasty_dataset)).stdout
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(out)) for cell in row)


def test_json_keeps_data_exactly(nasty_dataset, run):
    trial = run("trial", "trial-one", "--json", "--data", str(nasty_dataset)).json()
    assert trial["title"] == NASTY


def test_ctrl_c_exits_130_quietly(tmp_path):
    script = "import mscli.cli.app as c\nimport mscli.queries.core as q\n" \
             "def boom(*a, **k):\n    raise KeyboardInterrupt\nq.select_trials = boom\nc.main()\n"
    result = subprocess.run([sys.executable, "-c", script, "trials"], capture_output=True, timeout=60)
    assert result.returncode == 130
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ["trial", ""], ["trial", "x" * 100_000], ["trial", "\x1b[31m\u202eNCT\x07"], ["search", "\U0001f9e0"],
    ["trials", "--country", ""], ["therapy", "   "], ["trial", "--", "-mesems"],
])
def test_strange_arguments_never_traceback(run_process, args):
    result = run_process(*args)
    assert result.returncode in (0, 1, 2)
    assert b"Traceback" not in result.stderr
    assert len(result.stderr) < 5000
    assert b"\x1b" not in result.stderr and "\u202e".encode() not in result.stderr
