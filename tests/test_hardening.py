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
