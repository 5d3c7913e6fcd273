"""The entry point: builds the app with the command asked for, and is the one error boundary.

Every ``MscliError`` raised anywhere below becomes one line on stderr and its documented exit
code here; any other exception is a bug, reported in one line that names the command and asks
for a report (``MSCLI_DEBUG=1`` shows the traceback instead), with exit code 70.
"""

import contextlib
import gc
import importlib
import os
import sys
from typing import Annotated, Any

import typer

from mscli import __version__
from mscli.cli import completion as complete
from mscli.cli.runtime import APP_SETTINGS, SHARED_FLAGS, write
from mscli.cli.runtime import app as _app
from mscli.errors import ExitStatus, MscliError, OutputError, UsageError
from mscli.output.terminal import clean

# The module under mscli.cli that defines each command and group, in the order help lists
# them. Running a command imports only its module (a third of start-up went on importing the
# others); help and unknown names import all. tests/test_cli.py checks this against what the
# modules register.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "lookup": ("therapies", "therapy", "trials", "trial", "search", "sources", "studies", "guidance", "glossary",
               "show", "cite"),
    "evidence": ("compare", "clinic", "timeline", "report", "match"),
    "data": ("coverage", "info", "validate", "schema", "diff", "completion", "import"),
    "registry": ("registry",),
}
_HELP_ORDER = [name for names in COMMAND_MODULES.values() for name in names]

START_PAGE = """mscli: sourced evidence on stem cell therapies for multiple sclerosis

Therapies (aHSCT, mesenchymal and neural stem cells, ...), the trials and studies behind them,
what guidance says, and the questions to ask a clinic, each with its sources.

Five commands to try first:
  mscli therapies                   the therapies, what each aims at and how available it is
  mscli trials --status recruiting  trials open now (add --therapy msc)
  mscli compare ahsct msc           two therapies side by side
  mscli search thyroid              every record that mentions a word
  mscli clinic                      red flags and questions to ask about a stem cell offer

'mscli --help' lists every command; 'mscli COMMAND --help' explains one.

{notice}
"""


def _full_summary(command: typer.models.CommandInfo) -> None:
    """Give each command its docstring's first paragraph as the summary ``mscli --help`` lists,
    so Click does not cut it at 45 characters with "..."."""
    doc = (command.help or getattr(command.callback, "__doc__", None) or "").strip()
    if command.short_help is None and doc:
        command.short_help = " ".join(doc.split("\n\n", 1)[0].split())


def _name(entry: typer.models.CommandInfo | typer.models.TyperInfo) -> str:
    name = entry.name
    if not isinstance(name, str) and isinstance(entry, typer.models.TyperInfo) and entry.typer_instance:
        name = entry.typer_instance.info.name  # a group names itself in its own Typer(name=...)
    return name if isinstance(name, str) else getattr(getattr(entry, "callback", None), "__name__", "")


def _import_commands(modules: list[str]) -> None:
    """Import command modules; importing one registers its commands on the app."""
    for module in modules:
        importlib.import_module(f"mscli.cli.{module}")


def full_app() -> typer.Typer:
    """The app with every command, in help order, each with its whole summary."""
    _import_commands(list(COMMAND_MODULES))
    rank = {name: index for index, name in enumerate(_HELP_ORDER)}
    _app.registered_commands.sort(key=lambda command: rank.get(_name(command), len(rank)))
    _app.registered_groups.sort(key=lambda group: rank.get(_name(group), len(rank)))
    for command in _app.registered_commands:
        _full_summary(command)
    return _app


def __getattr__(name: str) -> Any:
    """``mscli.cli.app.app`` is the whole app (for the reference, completion and tests)."""
    if name == "app":
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

BUG_REPORT = "please report this bug, with the command you ran, to the mscli developers"


def _version(value: bool) -> None:
    if value:
        write(f"mscli {__version__}\n", utf8=False)
        raise typer.Exit()


@_app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Evidence on stem cell therapies for MS, with sources. mscli informs; it does not advise."""


def shared_options_after_command(argv: list[str]) -> list[str]:
    """Move shared output options given before the command name to after it.

    ``mscli --json trials`` then means ``mscli trials --json``; anything that is not a shared
    option (``--help``, ``--version``, an unknown word) is left where it is.
    """
    moved: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        flag = word.split("=", 1)[0]
        if flag not in SHARED_FLAGS:
            break
        takes_value = SHARED_FLAGS[flag] and "=" not in word
        if takes_value and index + 1 >= len(argv):
            break
        moved.extend(argv[index:index + 1 + takes_value])
        index += 1 + takes_value
    if not moved or index >= len(argv) or argv[index].startswith("-"):
        return argv
    return [argv[index], *moved, *argv[index + 1:]]


def _app_for(argv: list[str]) -> typer.Typer:
    """The app with only the command being run, when one is named.

    Typer builds a Click command for every registered command on each run; building just the
    one asked for keeps start-up fast (and completion quick: the shell runs mscli on every Tab).
    Help and unknown names get the full app.
    """
    module = next((module for module, names in COMMAND_MODULES.items() if argv[:1] and argv[0] in names), None)
    if module is None:
        return full_app()
    _import_commands([module])
    chosen = [command for command in _app.registered_commands if _name(command) == argv[0]]
    groups = [group for group in _app.registered_groups if _name(group) == argv[0]]
    if not chosen and not groups:
        return full_app()
    # --install-completion and --show-completion belong before a command name, so the app for
    # one command goes without them (Typer builds both from a function's signature on every
    # run), unless a shell is asking for completions: building them sets up Typer's completion.
    single = typer.Typer(**{**APP_SETTINGS, "add_completion": complete.COMPLETE_VAR in os.environ})
    single.registered_callback = _app.registered_callback
    single.registered_commands = chosen
    single.registered_groups = groups
    return single


def _fail(error: MscliError) -> int:
    message = " ".join(clean(str(error)).split())
    _stderr(f"mscli: error: {message[:2000]}\n")
    if error.status is ExitStatus.USAGE:
        _stderr("Try 'mscli --help' or 'mscli COMMAND --help'.\n")
    return int(error.status)


def _stderr(text: str) -> None:
    """Write to stderr; a closed or failing stderr must not change the exit status."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def contradictions(argv: list[str]) -> None:
    """Refuse ``--flag`` given together with ``--no-flag``: Click silently keeps the last one."""
    words = argv[:argv.index("--")] if "--" in argv else argv
    given = set(words)
    for word in words:
        if word.startswith("--no-") and "--" + word[5:] in given:
            raise UsageError(f"--{word[5:]} and {word} contradict each other; give one of them")


def _run(argv: list[str]) -> int:
    """Run the app without Click's own error printing, so usage errors are one line too.

    Help and the version are written by Click or by ``write``; a failure to write them, or to
    flush stdout at the end, is an I/O error (exit 4) rather than a traceback or a silent 0.
    """
    from typer._click import exceptions as click_errors  # what Typer's bundled Click raises

    wants_text = not argv or any(word in ("--help", "-h", "--version") for word in argv)
    if sys.stdout is None and wants_text:
        raise OutputError("standard output is closed; nothing was written")
    contradictions(argv)
    if "--install-completion" in argv or "--show-completion" in argv:
        complete.use_own_scripts()
    if wants_text:
        _wrap_help_at_spaces()
    try:
        result = _app_for(argv)(prog_name="mscli", args=argv, standalone_mode=False)
    except click_errors.NoArgsIsHelpError as error:  # a group named alone (``mscli import``)
        command = error.ctx.command if error.ctx is not None else None
        names = sorted(getattr(command, "commands", None) or {})
        if not names:
            _stderr(error.format_message() + "\n")
            return int(ExitStatus.USAGE)
        raise UsageError(f"'{' '.join(argv[:1])}' needs a command: {', '.join(names)}") from None
    except click_errors.BadParameter as error:
        raise UsageError(_choice_message(error, argv) or error.format_message()) from None
    except click_errors.ClickException as error:  # usage errors: one line, then the "Try" hint
        raise UsageError(error.format_message()) from None
    except typer.Abort:
        raise KeyboardInterrupt from None
    except BrokenPipeError:
        write_nothing_more()
        return int(ExitStatus.OK)
    except OSError as error:
        if error.filename is not None:  # a path the command met, not a stream it wrote to
            raise OutputError(f"cannot use {error.filename}: {error.strerror or error}") from None
        write_nothing_more()  # help text that could not be written
        raise OutputError(f"cannot write output: {error.strerror or error}") from None
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        write_nothing_more()
    except (OSError, ValueError) as error:
        write_nothing_more()
        raise OutputError(f"cannot write output: {getattr(error, 'strerror', None) or error}") from None
    return result if isinstance(result, int) else 0


def _wrap_help_at_spaces() -> None:
    """Help wraps only at spaces: Click's wrapper also breaks after hyphens, which splits the
    values people copy from help ("not-yet- / recruiting", "--no-active- / mri")."""
    with contextlib.suppress(ImportError, AttributeError):
        from typer._click import _textwrap

        click_wrapper: Any = _textwrap.TextWrapper
        if getattr(click_wrapper, "spaces_only", False):
            return

        class SpacesOnly(click_wrapper):  # type: ignore[misc]
            spaces_only = True

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **{**kwargs, "break_on_hyphens": False})

        _textwrap.TextWrapper = SpacesOnly  # type: ignore[misc]


# What a choice option's value is called in "unknown ... 'x'" (the option name otherwise).
_CHOICE_WORDS = {"--ms-type": "MS type", "--sort": "sort order", "--by": "comparison", "-f": "format"}


def _choice_message(error: Exception, argv: list[str]) -> str | None:
    """Click's "Invalid value for '--phase': '5' is not one of ..." in mscli's one form for
    unknown values (``unknown phase '5'; did you mean ...?``), or None if it is not a choice."""
    from typer._types import TyperChoice

    from mscli.errors import unknown
    from mscli.queries.suggestions import suggest

    param = getattr(error, "param", None)
    if param is None or not isinstance(param.type, TyperChoice):
        return None
    choices = [str(choice) for choice in param.type.choices]
    given = [word.split("=", 1)[1] if "=" in word else following
             for word, following in zip(argv, [*argv[1:], ""], strict=True)
             if word.split("=", 1)[0] in param.opts]
    bad = next((value for value in given if value.lower() not in {c.lower() for c in choices}), None)
    if bad is None:
        return None
    name = max(param.opts, key=len)
    word = _CHOICE_WORDS.get(name, name.lstrip("-").replace("-", " "))
    return unknown(word, bad, suggest(bad, choices), f"choose from: {', '.join(choices)}")


def write_nothing_more() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main() -> None:
    """Console-script entry point, and the one place errors become exit codes.

    The cyclic garbage collector is switched off: mscli runs for a moment, the records it
    parses hold no reference cycles, and collection passes over them cost up to a third of a
    large query or search. Reference counting still frees everything as usual.
    """
    gc.disable()
    if sys.stderr is None:  # started with stderr closed: messages are lost, exit codes are not
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    words = complete.finished_words(os.environ)
    argv = shared_options_after_command(sys.argv[1:] if words is None else words)
    if not argv and words is None:
        from mscli.model.labels import NOTICE

        sys.stdout.write(START_PAGE.format(notice=NOTICE))
        return
    if argv[:1] == ["help"]:
        argv = [*argv[1:], "--help"]
    try:
        sys.exit(_run(argv))
    except KeyboardInterrupt:
        _stderr("mscli: interrupted\n")
        sys.exit(int(ExitStatus.INTERRUPTED))
    except MscliError as error:
        sys.exit(_fail(error))
    except Exception as error:  # the boundary: anything else is a bug, never a traceback
        if os.environ.get("MSCLI_DEBUG") == "1":
            raise
        command = argv[0] if argv and not argv[0].startswith("-") else "mscli"
        detail = " ".join(clean(f"{type(error).__name__}: {error}").split())[:300]
        _stderr(f"mscli: internal error in '{command}' ({detail}); {BUG_REPORT} "
                "(set MSCLI_DEBUG=1 to see the traceback)\n")
        sys.exit(int(ExitStatus.INTERNAL))
