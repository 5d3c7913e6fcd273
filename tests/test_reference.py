"""docs/cli-reference.md is generated from the commands' help and must be kept in sync."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from mscli.cli.app import app
from mscli.cli.reference import reference

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "cli-reference.md"
REGENERATE = "python -m mscli.cli.reference --write docs/cli-reference.md"


def test_committed_reference_matches_the_commands_help():
    assert COMMITTED.read_text(encoding="utf-8") == reference(), (
        f"docs/cli-reference.md is out of date with the commands' help; regenerate it with: {REGENERATE}")


def _tree(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _tree(sub, (*path, name))


def test_reference_covers_every_command_subcommand_option_and_example():
    text = reference()
    commands = [(path, command) for path, command in _tree(typer.main.get_command(app), ("mscli",))][1:]
    assert ("mscli", "registry", "search") in dict(commands) and ("mscli", "import", "ctgov") in dict(commands)
    leaves = 0
    for path, command in commands:
        name = " ".join(path)
        heading = f"## {name}\n"
        assert heading in text and f"(#{'-'.join(path)})" in text, name
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden:
                assert f"`{param.opts[0]}`" in section, (name, param.opts[0])
        if not hasattr(command, "commands"):
            leaves += 1
            assert "Examples:" in section, name
    assert text.count("Examples:") == leaves
    for option in ("--fields", "--query", "--exit-code", "--therapy", "--install-completion", "--max-pages"):
        assert f"`{option}`" in text, option


def test_a_float_option_is_not_called_an_integer():
    section = reference().split("## mscli registry check\n", 1)[1].split("\n## ", 1)[0]
    assert "| `--timeout` | number 1 to 300; default 30.0 |" in section


def test_write_option_writes_the_same_text(tmp_path):
    target = tmp_path / "ref.md"
    result = subprocess.run([sys.executable, "-m", "mscli.cli.reference", "--write", str(target)],
                            capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == reference()
