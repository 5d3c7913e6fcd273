"""docs/cli-reference.md is generated from the commands' help and must be kept in sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mscli.cli.app import app
from mscli.cli.reference import reference

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "cli-reference.md"
REGENERATE = "python -m mscli.cli.reference --write docs/cli-reference.md"


def test_committed_reference_matches_the_commands_help():
    assert COMMITTED.read_text(encoding="utf-8") == reference(), (
        f"docs/cli-reference.md is out of date with the commands' help; regenerate it with: {REGENERATE}")


def test_reference_covers_every_command_option_and_example():
    text = reference()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"## mscli {name}\n" in text, name
    for option in ("--fields", "--query", "--exit-code", "--therapy", "--install-completion"):
        assert f"`{option}`" in text, option
    assert text.count("Examples:") == len(app.registered_commands)


def test_write_option_writes_the_same_text(tmp_path):
    target = tmp_path / "ref.md"
    result = subprocess.run([sys.executable, "-m", "mscli.cli.reference", "--write", str(target)],
                            capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == reference()
