"""What every command shares: the app, the output options, loading the dataset and writing
the answer.

Commands (``lookup``, ``evidence``, ``data``) declare only their own options; ``output_options``
adds the shared ones (as sqlite-utils' ``output_options`` does) and hands the command one
``Output``. Errors are raised, never printed here: ``app.main`` is the one boundary that turns
them into a line on stderr and an exit code.

No ``from __future__ import annotations`` here: Typer reads every parameter's annotation on each
run, and string annotations would be evaluated again each time (milliseconds of start-up).
"""

import contextlib
import functools
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
import typer.core

from mscli.errors import ExitStatus, OutputError, UsageError
from mscli.model.labels import NOTICE
from mscli.output.render import MACHINE_FORMATS, OutputFormat, View
from mscli.output.terminal import Terminal, safe_stream
from mscli.queries import info as dataset_info

if TYPE_CHECKING:
    from mscli.loading.store import Store
    from mscli.model.records import Dataset

# The help panels ``mscli --help`` groups commands under, in this order (each command names its
# own with ``rich_help_panel``).
LOOK_UP = "Look up"
DECIDE = "Compare and decide"
SCRIPTS = "Scripts and data"
PANELS = (LOOK_UP, DECIDE, SCRIPTS)


class PanelGroup(typer.core.TyperGroup):
    """Lists commands under their help panels with their whole summaries, in plain text.

    Typer draws panels only with Rich; mscli's help stays plain Click (no Rich import for
    ``--help``), so the grouping is done here. Summaries are never cut with "...".
    """

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = [(name, command, panel if isinstance(panel := getattr(command, "rich_help_panel", None), str)
                     else None)
                    for name in self.list_commands(ctx)
                    if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        grouped = any(panel for _, _, panel in commands)
        for wanted in (*PANELS, None):
            rows = [(name, command.short_help or command.get_short_help_str(10_000))
                    for name, command, panel in commands if panel == wanted]
            if rows:
                with formatter.section(wanted or ("Other commands" if grouped else "Commands")):
                    formatter.write_dl(rows)


APP_SETTINGS: dict[str, Any] = {
    "cls": PanelGroup,
    "name": "mscli",
    "help": ("Evidence on stem cell therapies for multiple sclerosis: therapies, trials, studies "
             f"and guidance, with their sources.\n\n{NOTICE}"),
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**APP_SETTINGS)

FormatOption = Annotated[Optional[OutputFormat], typer.Option(
    "--format", "-f", case_sensitive=False,
    help="Output format. Default: table on a terminal, tab-separated lines when piped.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
DataOption = Annotated[Optional[str], typer.Option(
    "--data", metavar="PATH", help="Dataset directory or data file (YAML or JSON form) to use instead of the bundled "
    "one (or set MSCLI_DATA).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Read the data files; do not use or write the cache.")]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour, even on a terminal (or set NO_COLOR).")]
NoPagerOption = Annotated[bool, typer.Option(
    "--no-pager", help="Never page long output on a terminal (the pager is $MSCLI_PAGER, $PAGER or 'less -FRX').")]
FieldsOption = Annotated[Optional[str], typer.Option(
    "--fields", metavar="NAME,NAME", help="Only these fields, comma-separated, in every format; "
    "'--fields help' lists the fields.")]
QueryOption = Annotated[Optional[str], typer.Option(
    "--query", metavar="EXPR", help="JMESPath expression applied to the JSON output; prints JSON.")]


def in_range(low: int, high: int | None = None) -> Callable[..., Any]:
    """A range check for a number option, in place of Typer's ``min``/``max``.

    Those print ``[1900<=x<=2100]`` in help and "not in the range x>=1" on a bad value; this
    keeps the help to its metavar and the error to one plain line.
    """
    span = f"from {low} to {high}" if high is not None else f"{low} or more"

    def check(param: typer.CallbackParam, value: Optional[int]) -> Optional[int]:
        if value is not None and (value < low or (high is not None and value > high)):
            raise UsageError(f"{max(param.opts, key=len)} must be {span}, not {value}")
        return value

    return check


def listed(values: Optional[list[str]]) -> list[str]:
    """A repeatable option's values with comma lists split (``--therapy msc,nsc``), so every
    multi-value filter takes both forms and means any of them."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


LimitOption = Annotated[Optional[int], typer.Option(
    "--limit", metavar="N", callback=in_range(1), help="Show at most N records.")]


class Output:
    """The options every command shares: where data comes from and how the answer is shown."""

    def __init__(self, fmt: OutputFormat | None, data: str | None, use_cache: bool, color: bool,
                 fields: str | None = None, query: str | None = None, pager: bool = True) -> None:
        self.fmt, self.data, self.use_cache, self.color = fmt, data, use_cache, color
        self.fields, self.query, self.pager = fields, query, pager

    @property
    def streams(self) -> bool:
        """Whether a listing may come as a stream of records: JSON and JSON Lines write them as
        they come, and --fields cuts each as it passes; --query needs the whole list."""
        return self.fmt in (OutputFormat.JSON, OutputFormat.JSONL) and self.query is None

    @property
    def whole_lines(self) -> bool:
        """Whether the answer is JSON or JSON Lines of whole records: lines already written can go
        out as they are (JSON Lines) or re-indented without building the records in Python (JSON)."""
        return self.streams and self.fields is None

    def reading(self, data: str | None, use_cache: bool) -> "Output":
        """The same output, reading another dataset (``validate PATH``)."""
        return Output(self.fmt, data, use_cache, self.color, self.fields, self.query, self.pager)


def _make_output(fmt: OutputFormat | None = None, as_json: bool = False, data: str | None = None,
                 no_cache: bool = False, no_color: bool = False, fields: str | None = None,
                 query: str | None = None, no_pager: bool = False) -> Output:
    if as_json and fmt not in (None, OutputFormat.JSON):
        raise UsageError(f"--json and --format {fmt} contradict each other; use one")
    if query is not None and fmt not in (None, OutputFormat.JSON, OutputFormat.JSONL):
        raise UsageError(f"--query prints JSON; it cannot be combined with --format {fmt}")
    return Output(OutputFormat.JSON if as_json else fmt, data, not no_cache, not no_color, fields, query,
                  not no_pager)


# The shared options, by group: name, annotation, default. Declared once; ``output_options``
# adds the groups a command asks for.
_SHARED: dict[str, tuple[tuple[str, Any, Any], ...]] = {
    "format": (("fmt", FormatOption, None), ("as_json", JsonOption, False)),
    "data": (("data", DataOption, None), ("no_cache", NoCacheOption, False)),
    "color": (("no_color", NoColorOption, False), ("no_pager", NoPagerOption, False)),
    "select": (("fields", FieldsOption, None), ("query", QueryOption, None)),
}

# Every shared option word, and whether it takes a value: ``app.main`` accepts them before the
# command name too (``mscli --json trials``).
SHARED_FLAGS: dict[str, bool] = {"--format": True, "-f": True, "--json": False, "--data": True,
                                 "--no-cache": False, "--no-color": False, "--no-pager": False, "--fields": True,
                                 "--query": True}


def output_options(fmt: bool = True, data: bool = True, color: bool = True,
                   select: bool = True) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Add the shared output options to a command whose first parameter is ``out: Output``.

    ``fmt=False`` (and ``color=False``) for commands with their own formats (``cite``, ``report``);
    ``data=False`` for commands that name their own dataset (``validate PATH``, ``diff``) or none;
    ``select=False`` for those whose output --fields and --query cannot apply to.
    """
    wanted = {"format": fmt, "data": data, "color": color, "select": select}
    groups = [group for group in _SHARED if wanted[group]]
    shared = [entry for group in groups for entry in _SHARED[group]]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = [parameter for name, parameter in inspect.signature(command).parameters.items() if name != "out"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                 for name, annotation, default in shared]

        @functools.wraps(command)
        def run(**values: Any) -> None:
            chosen = {name: values.pop(name) for name, _, _ in shared}
            command(_make_output(**chosen), **values)

        run.__signature__ = inspect.Signature(own + added, return_annotation=None)  # type: ignore[attr-defined]
        run.__annotations__ = {**{p.name: p.annotation for p in own}, **{n: a for n, a, _ in shared}}
        del run.__wrapped__
        return run

    return decorate


def terminal(color_allowed: bool) -> Terminal:
    stream = sys.stdout
    is_tty = bool(stream is not None and stream.isatty())
    color = (is_tty and color_allowed and not os.environ.get("NO_COLOR")
             and os.environ.get("TERM") != "dumb")
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    # Clamped: COLUMNS=99999999 would otherwise draw lines gigabytes long.
    width = max(20, min(shutil.get_terminal_size((100, 24)).columns, 1000))
    return Terminal(is_tty=is_tty, width=width,
                    color=color, unicode=encoding == "utf8")


def write(text: str, utf8: bool, colour: bool = False) -> None:
    """Write the whole answer at once; a closed pipe ends quietly, a failed write loudly.

    Every answer goes through the one sanitiser (``terminal.safe_stream``): no control or bidi
    character from the data reaches the terminal; ``colour`` keeps mscli's own colour codes.
    """
    encoding = "utf-8" if utf8 else (getattr(sys.stdout, "encoding", None) or "utf-8")
    write_bytes([safe_stream(text, keep_colour=colour).encode(encoding, errors="replace")], encoding)


def write_bytes(chunks: Iterable[bytes], encoding: str = "utf-8") -> None:
    """Write encoded pieces as they are made (``render.encoded``), so a long answer is never
    held whole; the same endings as ``write``. A piece that fails to be made raises as it is."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("standard output is closed; nothing was written")
    buffer = getattr(stream, "buffer", None)
    _put(stream.flush)
    for chunk in chunks:
        _put(functools.partial(buffer.write, chunk) if buffer is not None
             else functools.partial(stream.write, chunk.decode(encoding)))
    _put(buffer.flush if buffer is not None else stream.flush)


def _put(action: Callable[[], object]) -> None:
    try:
        action()
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(int(ExitStatus.OK)) from None
    except (OSError, ValueError) as error:
        _silence_stdout()
        reason = getattr(error, "strerror", None) or str(error)
        raise OutputError(f"cannot write output: {reason}") from None


def warn(message: str) -> None:
    """One line on stderr, through the same sanitiser as every answer; a closed or failing
    stderr is ignored, so it never turns a success into a failure."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(safe_stream(message.rstrip("\n")) + "\n")
        sys.stderr.flush()


def warn_beside_data(out: Output, message: str) -> None:
    """A note that a table or Markdown shows under itself goes to stderr in every other format,
    so that data for programs stays pure and the note is still seen."""
    shown_as = out.fmt or (OutputFormat.TABLE if terminal(out.color).is_tty else None)
    if shown_as not in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
        warn(f"mscli: {message}")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


# Input smaller than this is read faster than Rich's progress bar is imported: no bar for it.
PROGRESS_FROM_BYTES = 2_000_000


def _cold_load_progress(total: int) -> Callable[[int], None] | None:
    """A progress bar on stderr while a large dataset is parsed (terminal only)."""
    if total < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task("Reading dataset (cached for next time)", total=total)
    progress.start()
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        progress.update(task, completed=done)
        if done >= total:
            progress.stop()

    return advance


def open_store(out: Output) -> "Store":
    from mscli.loading import dataset

    store = dataset.open_store(out.data, use_cache=out.use_cache, on_cold_load=_cold_load_progress)
    notice = dataset_info.stale_notice(store.meta)
    if notice:
        warn(notice)
    return store


def load(out: Output) -> "Dataset":
    return open_store(out).dataset()


def display(out: Output, build: Callable[["Dataset"], View]) -> None:
    """Load the dataset, build the view, render it: the body of most commands."""
    display_store(out, lambda store: build(store.dataset()))


def display_store(out: Output, build: Callable[["Store"], View]) -> None:
    """Like ``display``, for commands that read only the trials they need from the store."""
    emit(out, build(open_store(out)))


def emit(out: Output, view: View) -> None:
    """Apply --fields and --query (the one place they are applied), then render and write."""
    from mscli.output.render import render

    fmt = out.fmt
    if out.fields is not None or out.query is not None:
        from mscli.output import selection

        if out.fields is not None and out.fields.strip() == selection.FIELDS_HELP:
            write("".join(name + "\n" for name in selection.field_names(view)), utf8=False)
            return
        if out.fields is not None:
            view = selection.select_fields(view, selection.parse_fields(out.fields))
        if out.query is not None:
            result = selection.run_query(selection.compile_query(out.query), view.payload)
            view = View(payload=result, columns=[], rows=[])
            fmt = fmt or OutputFormat.JSON
    if fmt in (OutputFormat.JSON, OutputFormat.JSONL):
        from mscli.output.render import encoded

        write_bytes(encoded(view, fmt))
        return
    shown = terminal(out.color)
    text = render(view, fmt, shown)
    if view.aside and (fmt in (OutputFormat.CSV, OutputFormat.TSV) or (fmt is None and not shown.is_tty)):
        for note in view.notes:
            warn(note)
    if out.pager and shown.is_tty and fmt in (None, OutputFormat.TABLE, OutputFormat.MARKDOWN) and page(text):
        return
    write(text, utf8=fmt in MACHINE_FORMATS, colour=shown.color and fmt in (None, OutputFormat.TABLE))


def page(text: str) -> bool:
    """Show ``text`` through a pager if it is taller than the terminal, as git does.

    The pager is $MSCLI_PAGER, else $PAGER, else ``less -FRX`` (-R keeps colours, -F quits at
    once when the text fits, -X leaves it on the screen); an empty value or ``cat`` means none.
    Returns False when nothing was paged, so the caller writes the text itself.
    """
    if text.count("\n") < shutil.get_terminal_size((100, 24)).lines:
        return False
    command = os.environ.get("MSCLI_PAGER", os.environ.get("PAGER", "less -FRX")).strip()
    if not command or command == "cat":
        return False
    import shlex
    import subprocess

    env = {**os.environ, "LESSCHARSET": os.environ.get("LESSCHARSET", "utf-8")}
    try:
        pager = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return False
    assert pager.stdin is not None
    try:
        pager.stdin.write(text.encode("utf-8", errors="replace"))
        pager.stdin.close()
    except BrokenPipeError:
        pass
    try:
        pager.wait()
    except KeyboardInterrupt:
        pager.wait()
    return True
