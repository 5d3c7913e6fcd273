"""The installed ``mscli`` as a person sees it: run in a real terminal (tmux) 80 and 100 columns
wide, and the screen read back.

The layout tests (test_layout.py, test_readable.py) check the renderer; this checks what reaches
a terminal through the console script, Click's help formatter, the terminal-size probe and the
pager switch, none of which a CliRunner exercises. ``.ci/run`` installs tmux and sets
MSCLI_REQUIRE_TMUX=1, so there a missing tmux fails instead of skipping.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

WIDTHS = (80, 100)
_RUNS = itertools.count()
MSCLI = Path(sys.executable).with_name("mscli")

LISTINGS = [
    ("therapies",), ("trials",), ("trials", "--therapy", "msc"), ("studies",), ("guidance",),
    ("sources", "mesems"), ("glossary",), ("search", "thyroid"), ("timeline", "--therapy", "nsc"),
]
DETAILS = [
    ("trial", "mesems"), ("trial", "NCT01606215"), ("therapy", "msc"), ("show", "consensus-2010"),
    ("show", "nottingham-spms-msc"), ("glossary", "edss"),
]


def tmux_binary() -> str:
    found = shutil.which("tmux")
    if found:
        return found
    if os.environ.get("MSCLI_REQUIRE_TMUX") == "1":
        pytest.fail("tmux is not installed but MSCLI_REQUIRE_TMUX is set")
    pytest.skip("tmux is not installed (.ci/run installs it; set MSCLI_REQUIRE_TMUX=1 to make this a failure)")


def capture(tmp_path: Path, width: int, *args: str, height: int = 50) -> list[str]:
    """The screen and scroll-back of ``mscli ARGS`` run in a detached tmux of ``width`` columns.

    A private server (its own socket, no user config) so nobody's tmux is touched; lines the
    terminal itself wrapped are joined back (``-J``), so a value is split only if mscli split it.
    """
    tmux = tmux_binary()
    run_id = next(_RUNS)
    socket = str(tmp_path / f"tmux-{run_id}")
    status_file = tmp_path / f"status-{run_id}"
    command = " ".join([str(MSCLI), *(f"'{arg}'" for arg in args), f"; echo $? > '{status_file}'"])
    env = {**os.environ, "MSCLI_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    base = [tmux, "-S", socket, "-f", os.devnull]
    subprocess.run([*base, "start-server", ";", "set-option", "-g", "history-limit", "20000", ";",
                    "set-option", "-g", "remain-on-exit", "on", ";",
                    "new-session", "-d", "-x", str(width), "-y", str(height), command],
                   check=True, env=env, timeout=30)
    try:
        deadline = time.monotonic() + 60  # a guard against a hung command, not a speed test
        while True:
            dead = subprocess.run([*base, "display-message", "-p", "#{pane_dead}"],
                                  capture_output=True, text=True, check=True).stdout.strip()
            if dead == "1" and status_file.exists():
                break
            assert time.monotonic() < deadline, f"mscli {' '.join(args)} did not finish in tmux"
            time.sleep(0.1)
        status = status_file.read_text().strip()
        screen = subprocess.run([*base, "capture-pane", "-p", "-J", "-S", "-", "-E", "-"],
                                capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, check=False)
    assert status == "0", f"mscli {' '.join(args)} exited {status} in tmux:\n{screen}"
    lines = [line for line in screen.rstrip("\n").split("\n") if not line.startswith("Pane is dead")]
    while lines and not lines[-1].strip():
        lines.pop()
    assert "Traceback" not in screen
    return lines


def as_json(*args: str) -> Any:
    result = subprocess.run([str(MSCLI), *args, "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def whole_on_a_line(lines: list[str], value: str) -> bool:
    return any(value in line for line in lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_every_listed_id_is_whole_on_one_line(tmp_path, width, args):
    lines = capture(tmp_path, width, *args, "--no-pager")
    records = as_json(*args)
    # Glossary terms are words, wrapped at spaces like prose: each word must stay whole.
    keys = ([record["id"] for record in records] if args[0] != "glossary"
            else [word for record in records for word in record["term"].split()])
    assert keys, "a listing with nothing in it proves nothing"
    split = [key for key in keys if not whole_on_a_line(lines, key)]
    assert not split, f"split or missing at {width} columns: {split[:5]}"
    assert all(len(line) <= width for line in lines)
    assert lines[-1].startswith("mscli informs") or "neurologist" in lines[-1]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", DETAILS, ids=" ".join)
def test_detail_views_keep_ids_dois_and_links_whole_and_read_in_order(tmp_path, width, args):
    lines = capture(tmp_path, width, *args, "--no-pager")
    detail = as_json(*args)
    wanted = [source["id"] for source in detail.get("cited_sources", [])]
    wanted += [registration["id"] for registration in detail.get("registrations", [])]
    wanted += [source["doi"] for source in detail.get("cited_sources", []) if source.get("doi")]
    split = [value for value in wanted if not whole_on_a_line(lines, value)]
    assert not split, f"split or missing at {width} columns: {split[:5]}"
    assert not any(line.split() == ["field", "value"] for line in lines), "no field/value header"
    title = detail.get("title") or detail.get("name") or detail.get("term")
    assert sum(line.startswith(title[:30]) for line in lines) <= 1, "the title is printed once"
    labels = [line.split("  ")[0] for line in lines if line and not line.startswith(" ")]
    if args[0] == "trial":
        assert labels.index("status") < labels.index("eligibility") < labels.index("design") \
            < labels.index("registrations") < labels.index("sources")
        assert whole_on_a_line(lines, "https://clinicaltrials.gov/study/")


@pytest.mark.parametrize("width", WIDTHS)
def test_help_is_grouped_and_no_summary_is_cut(tmp_path, width):
    lines = capture(tmp_path, width, "--help")
    for panel in ("Look up:", "Compare and decide:", "Scripts and data:"):
        assert panel in lines
    summaries = [line for line in lines if line.startswith("  ")]
    assert len(summaries) >= 20 and not any(line.rstrip().endswith("...") for line in summaries)
    assert not any("<int" in line or "<=x" in line or "x>=" in line for line in lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_command_help_has_readable_metavars(tmp_path, width):
    for command in ("trials", "timeline", "match", "studies"):
        lines = capture(tmp_path, width, "help", command)
        assert not any("<int" in line or "<float" in line or "<=x" in line or "x>=" in line for line in lines)
        assert not any(line.rstrip().endswith("-") for line in lines), "help wraps at spaces only"


def test_mscli_alone_is_a_start_page(tmp_path):
    lines = capture(tmp_path, 80, height=40)
    assert lines[0].startswith("mscli: sourced evidence")
    assert any(line.strip().startswith("mscli trials") for line in lines)
    assert "neurologist" in lines[-1]
