"""Write the CLI reference (docs/cli-reference.md) from the commands' own help.

Every command's description, usage, arguments, options and examples come from the Click
commands Typer builds, never from a second copy, and tests/test_reference.py fails when the
committed file differs from what this produces. Regenerate with:

    python -m mscli.cli.reference --write docs/cli-reference.md
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import typer

HEADER = ("# mscli command reference\n\nGenerated from the commands' own help by "
          "`python -m mscli.cli.reference --write docs/cli-reference.md`; do not edit by hand.\n")


def reference() -> str:
    """The whole reference as Markdown: every command, and every subcommand of a group."""
    from mscli.cli.app import full_app

    app = full_app()

    group: Any = typer.main.get_command(app)
    root = typer.Context(group, info_name="mscli")
    commands = list(_commands(group, root, ["mscli"]))
    parts = [HEADER, _description(group.help or ""), "## Global options\n", _params(group, root), "## Commands\n"]
    parts.append("".join(f"{'  ' * (len(path) - 2)}- [`{' '.join(path)}`](#{'-'.join(path)})\n"
                         for path, _, _ in commands))
    for path, command, context in commands:
        usage = " ".join([*path, *command.collect_usage_pieces(context)])
        parts += [f"## {' '.join(path)}\n", f"```text\n{usage}\n```\n", _description(command.help or ""),
                  _params(command, context)]
    return "\n".join(part.rstrip("\n") + "\n" for part in parts if part)


def _commands(group: Any, parent: Any, path: list[str]) -> Iterator[tuple[list[str], Any, Any]]:
    """Each command under ``group`` with its full name and context, a group before its own."""
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        context = typer.Context(command, info_name=name, parent=parent)
        yield [*path, name], command, context
        if hasattr(command, "list_commands"):
            yield from _commands(command, context, [*path, name])


def _description(help_text: str) -> str:
    """Help text as Markdown: paragraphs as they are, the Examples section as a shell block."""
    text = inspect.cleandoc(help_text).replace("\b\n", "").replace("\b", "")
    body, _, examples = text.partition("Examples:")
    out = body.strip() + "\n"
    if examples.strip():
        lines = [line.strip() for line in examples.strip().splitlines() if line.strip()]
        out += "\nExamples:\n\n```sh\n" + "\n".join(lines) + "\n```\n"
    return out


def _params(command: Any, context: Any) -> str:
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            name = f"`{param.metavar or param.name.upper()}`"
        else:
            name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        rows.append(f"| {name} | {_value(param)} | {_cell(getattr(param, 'help', None) or '')} |")
    if not rows:
        return ""
    return "| argument or option | value | description |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n"


def _value(param: Any) -> str:
    """What a parameter takes: flag, choices, a range, a metavar; repeatable; its default."""
    if param.param_type_name == "argument":
        text = "required" if param.required else "optional"
        return text + (", one or more" if param.nargs == -1 else "")
    if getattr(param, "is_flag", False):
        return "flag"
    choices = getattr(param.type, "choices", None)
    if choices:
        text = " | ".join(str(getattr(choice, "value", choice)) for choice in choices)
    elif getattr(param.type, "min", None) is not None:
        low, high = param.type.min, param.type.max
        kind = "number" if "float" in param.type.name else "integer"
        text = f"{kind} {low:g} to {high:g}" if high is not None else f"{kind}, at least {low:g}"
    else:
        text = param.metavar or param.type.name
    repeat = ", repeatable" if getattr(param, "multiple", False) else ""
    default = param.default.value if isinstance(param.default, Enum) else param.default
    shown = f"; default {default}" if default not in (None, False, (), []) and not callable(default) else ""
    return _cell(f"{text}{repeat}{shown}")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mscli.cli.reference", description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="PATH", help="write the reference to PATH (atomically) "
                        "instead of standard output")
    options = parser.parse_args(argv)
    text = reference()
    if options.write:
        from mscli.loading.dataset import write_atomically

        write_atomically(Path(options.write), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
