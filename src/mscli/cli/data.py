"""Commands about the data itself: info, validate, import, schema, diff and shell completion.

No ``from __future__ import annotations`` here: Typer reads the annotations on every run.
"""

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from mscli.cli import completion as complete
from mscli.cli.runtime import (
    PROGRESS_FROM_BYTES,
    SCRIPTS,
    Output,
    PanelGroup,
    app,
    display,
    emit,
    output_options,
    terminal,
    warn,
    write,
)
from mscli.errors import ExitStatus, UsageError
from mscli.output import views
from mscli.output.render import MACHINE_FORMATS, OutputFormat, View
from mscli.queries import info as dataset_info

if TYPE_CHECKING:
    from mscli.errors import Problem
    from mscli.loading.dataset import DataFile


@app.command(rich_help_panel=SCRIPTS, short_help="The searches behind the dataset: databases, queries, dates, "
             "what each found and included, and every exclusion.")
@output_options()
def coverage(out: Output) -> None:
    """The searches behind the dataset: which databases, with what query, on what date, how many
    registrations each found and included, and every exclusion with its reason.

    \b
    Examples:
      mscli coverage
      mscli coverage --json | jq '.exclusions_by_reason'
    """
    from mscli.output import evidence_views
    from mscli.queries import coverage as search_log

    display(out, lambda ds: evidence_views.coverage_view(search_log.coverage(ds)))


@app.command(rich_help_panel=SCRIPTS)
@output_options()
def info(out: Output) -> None:
    """Dataset version, review date, where it is read from, and record counts.

    \b
    Examples:
      mscli info
      mscli info --json | jq .reviewed
    """
    from mscli.loading.dataset import data_locations

    where = " + ".join(str(path) for path in data_locations(out.data))
    display(out, lambda ds: views.info_view(dataset_info.info(ds), where))


@app.command(rich_help_panel=SCRIPTS)
@output_options(data=False)
def validate(out: Output,
    path: Annotated[Optional[str], typer.Argument(
        help="Dataset directory or file (default: the bundled one with your imported records).")] = None,
    warnings: Annotated[bool, typer.Option(
        "--warnings", help="Also list what is worth fixing but not an error (journal articles "
                           "without a DOI or PMID); warnings alone do not fail.")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Check the files even if these same bytes were found valid today by this "
                           "same mscli, PyYAML and Python (and remember nothing).")] = False,
) -> None:
    """Check a dataset and list every problem with file, line, record and field. Exit 1 if any.

    A valid verdict is remembered in the cache folder, keyed on the names and bytes of the
    dataset's files, the bytes of mscli's own code, PyYAML's files, the Python version and
    today's date; only when all of them are the same is the check skipped. Problems are never
    remembered, and --warnings always checks.

    \b
    Examples:
      mscli validate
      mscli validate ./my-data --json
      mscli validate --warnings
      mscli validate --no-cache
    """
    from mscli.loading import dataset, verdicts

    out = out.reading(path, use_cache=False)
    files = dataset.dataset_files(path)
    key = None if no_cache else verdicts.verdict_key(files)
    if warnings or not verdicts.is_remembered_valid(key):
        notes, problems = _check(files, warnings)
        if not problems:
            verdicts.remember_valid(key)
    else:
        notes, problems = [], []  # the same bytes, code and day as a check that found nothing
    for note in notes:
        note.message = f"warning: {note.message}"
    shown = [*problems, *notes]
    if (not shown and out.fmt in (None, OutputFormat.TABLE) and out.fields is None and out.query is None
            and terminal(out.color).is_tty):
        write("The dataset is valid.\n", utf8=False)
    else:
        emit(out, views.problems_view(shown))
    if notes:
        sys.stderr.write(f"mscli: {len(notes)} warning(s)\n")
    if problems:
        warn(f"mscli: {len(problems)} problem(s) found")
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


def _check(files: "list[DataFile]", warnings: bool) -> "tuple[list[Problem], list[Problem]]":
    """The warnings (when asked for) and the problems of a real check of ``files``."""
    from mscli.loading import dataset
    from mscli.loading.rules import source_warnings

    checked, problems = dataset.check(files)
    return (source_warnings(checked) if warnings else []), problems


import_app = typer.Typer(name="import", no_args_is_help=True, rich_markup_mode=None, cls=PanelGroup,
                         help="Add records from registry files to your own dataset directory.")
app.add_typer(import_app, rich_help_panel=SCRIPTS)


@import_app.command("ctgov")
@output_options(data=False, select=False)
def import_ctgov(out: Output,
    files: Annotated[list[str], typer.Argument(
        metavar="FILE...", help="ClinicalTrials.gov API v2 JSON: a study, a page of studies, or a "
        "directory of them.")],
    into: Annotated[Optional[str], typer.Option(
        "--into", metavar="DIR", help="Dataset directory to write to (default: $MSCLI_USER_DATA, else "
        "$XDG_DATA_HOME/mscli, else ~/.local/share/mscli).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace records that exist with different content.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read, convert and validate, but write nothing.")] = False,
    form: Annotated[str, typer.Option(
        "--form", metavar="yaml|json", help="Form of the files written: yaml (default, for editing by "
        "hand) or json (one record per line; loads several times faster at scale).")] = "yaml",
) -> None:
    """Import ClinicalTrials.gov studies as trials, one file each, into your dataset.

    Records are validated before they are written and never replaced without --force. Exit 1
    when any study was skipped (the report says why); what could be imported is kept. Files are
    YAML unless --form json; --force also rewrites a record kept in the other form.

    \b
    Examples:
      mscli import ctgov study.json
      mscli import ctgov pages/ --json
      mscli import ctgov page-1.json page-2.json --into ./my-data --force
      mscli import ctgov ms-studies.jsonl --dry-run
      mscli import ctgov pages/ --form json
    """
    import datetime
    from pathlib import Path

    from mscli.features.importer import import_ctgov as run_import
    from mscli.loading import dataset
    from mscli.output.render import render

    target = Path(into) if into else dataset.user_data_dir()
    if target is None or (into is not None and not into.strip()):
        raise UsageError("--into: no directory given and no home directory to default to")
    if form not in ("yaml", "json"):
        raise UsageError(f"--form {form}: choose yaml or json")
    with _progress_bar() as progress:
        rows = run_import([Path(name) for name in files], target, force, datetime.date.today().isoformat(),
                          dry_run, progress, form)
    write(render(views.import_view(rows, str(target)), out.fmt, terminal(out.color)),
          utf8=out.fmt in MACHINE_FORMATS)
    counts = {action: sum(1 for row in rows if row.action == action)
              for action in ("added", "changed", "unchanged", "skipped")}
    warn("mscli: " + ("dry run, nothing written: " if dry_run else "")
         + ", ".join(f"{count} {action}" for action, count in counts.items()))
    if counts["skipped"]:
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


def _progress_bar() -> Any:
    """A byte progress bar on a terminal's stderr once the input is large; a silent stand-in
    otherwise (pipes, tests, a file or two: Rich's progress bar costs more to import than
    reading them takes)."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar() -> Any:
        shown: Any = None
        task: Any = None

        def update(done: int, total: int) -> None:
            nonlocal shown, task
            if shown is None:
                if total < PROGRESS_FROM_BYTES:
                    return
                from rich.progress import Progress

                shown = Progress(transient=True)
                shown.start()
                task = shown.add_task("reading", total=total)
            shown.update(task, completed=done, total=total)

        try:
            yield update
        finally:
            if shown is not None:
                shown.stop()
    return bar()


@app.command(rich_help_panel=SCRIPTS)
@output_options(data=False)
def schema(out: Output,
    type_name: Annotated[Optional[str], typer.Argument(
        metavar="[TYPE]", help="A type name from 'mscli schema'; without one, list the types.",
        autocompletion=complete.schema_types)] = None) -> None:
    """JSON Schema (draft 2020-12) of the records mscli reads and writes, or the list of types.

    The schema is generated from the same types the validator uses. Its version is in every
    document ("x-schema-version") and in 'mscli info --json' ("schema_version"). With a TYPE,
    the schema is printed as JSON (or YAML with --format yaml).

    \b
    Examples:
      mscli schema
      mscli schema trial > trial.schema.json
      mscli schema trial-detail --query 'required'
    """
    from mscli.model import outputs

    if type_name is None:
        emit(out, views.schema_types_view([
            {"name": name, "description": description, "emitted_by": emitted_by}
            for name, (_, description, emitted_by) in outputs.SCHEMA_TYPES.items()]))
        return
    if out.fmt not in (None, OutputFormat.JSON, OutputFormat.YAML) or out.fields is not None:
        raise UsageError("a schema is JSON: use --json, --format yaml or --query")
    from mscli.output.schema import schema_for

    document = schema_for(type_name)
    emit(Output(out.fmt or OutputFormat.JSON, None, True, out.color, None, out.query),
          View(payload=document, columns=[], rows=[]))


@app.command(rich_help_panel=SCRIPTS)
@output_options(data=False)
def diff(out: Output,
    old: Annotated[str, typer.Argument(help="The earlier dataset: a directory or data file.")],
    new: Annotated[str, typer.Argument(help="The later dataset: a directory or data file.")],
    exit_code: Annotated[bool, typer.Option(
        "--exit-code", help="Exit 1 when there are differences, 0 when there are none (as git diff).")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Parse and check both datasets' YAML, whatever the cache holds (and "
                           "remember nothing).")] = False,
) -> None:
    """What changed between two datasets: records added, removed and changed, field by field.

    Records are matched by type and id; nested fields are named by dotted path
    (design.blinding) and lists are compared whole. Both datasets are validated first (exit 3
    if either is invalid), as 'mscli validate' does: two paths with the same files are read
    once, and a dataset whose same bytes were found valid today by this same mscli is read
    from its compiled cache when there is one. Exit 0 whether or not anything changed, unless
    --exit-code is given.

    \b
    Examples:
      mscli diff ./data-2025 ./data
      mscli diff old.yaml new.yaml --json | jq '.summary'
      mscli diff ./before ./after --exit-code --query 'changed[].id'
    """
    from mscli.features import diffing

    pair = diffing.load_pair(old, new, use_cache=not no_cache)
    report = diffing.no_differences(old, new) if pair is None else diffing.diff(*pair, old, new)
    emit(out, views.diff_view(report))
    if exit_code and diffing.has_differences(report):
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


@app.command(rich_help_panel=SCRIPTS)
def completion(
    shell: Annotated[str, typer.Argument(
        metavar="SHELL", help="bash, zsh or fish.", autocompletion=complete.complete_shells)],
) -> None:
    """Print the shell completion script for bash, zsh or fish (ids and filter values complete too).

    'mscli --install-completion' installs it for the shell you are using; this command prints
    it for the shell you name, to save where your shell looks for completions.

    \b
    Examples:
      mscli completion bash > ~/.local/share/bash-completion/completions/mscli
      mscli completion zsh > ~/.zfunc/_mscli
      mscli completion fish > ~/.config/fish/completions/mscli.fish
    """
    if shell not in complete.SHELLS:
        raise UsageError(f"no completion for shell {shell!r}; shells: {', '.join(complete.SHELLS)}")
    write(complete.script(shell) + "\n", utf8=False)
