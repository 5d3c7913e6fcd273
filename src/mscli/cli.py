"""The mscli commands. Each one parses its options, asks ``queries``, and hands a View to
``render``; errors from either become one line on stderr and a documented exit code.

No ``from __future__ import annotations`` here: Typer reads every parameter's annotation on each
run, and string annotations would be evaluated again each time (milliseconds of start-up).
"""

import gc
import os
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from mscli import __version__, queries, views
from mscli import completion as complete
from mscli.choices import ChartBy, CiteFormat, CompareBy
from mscli.errors import ExitStatus, MscliError, OutputError, UsageError
from mscli.model import Dataset, Design, MsType, Phase, Status
from mscli.queries import SortKey, TrialFilter
from mscli.render import MACHINE_FORMATS, NOT_A_REFERRAL, NOTICE, OutputFormat, ReportFormat, Terminal, View

if TYPE_CHECKING:
    from mscli.store import Store

_APP_SETTINGS: dict[str, Any] = {
    "name": "mscli",
    "help": ("Evidence on stem cell therapies for multiple sclerosis: therapies, trials, studies "
             f"and guidance, with their sources.\n\n{NOTICE}"),
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_APP_SETTINGS)

FormatOption = Annotated[Optional[OutputFormat], typer.Option(
    "--format", "-f", case_sensitive=False,
    help="Output format. Default: table on a terminal, tab-separated lines when piped.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
DataOption = Annotated[Optional[str], typer.Option(
    "--data", metavar="PATH", help="Dataset directory or YAML file to use instead of the bundled "
    "one (or set MSCLI_DATA).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Read the YAML; do not use or write the cache.")]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour, even on a terminal (or set NO_COLOR).")]
FieldsOption = Annotated[Optional[str], typer.Option(
    "--fields", metavar="NAME,NAME", help="Only these fields, comma-separated, in every format; "
    "'--fields help' lists the fields.")]
QueryOption = Annotated[Optional[str], typer.Option(
    "--query", metavar="EXPR", help="JMESPath expression applied to the JSON output; prints JSON.")]


class Output:
    """The options every command shares: where data comes from and how the answer is shown."""

    def __init__(self, fmt: OutputFormat | None, data: str | None, use_cache: bool, color: bool,
                 fields: str | None = None, query: str | None = None) -> None:
        self.fmt, self.data, self.use_cache, self.color = fmt, data, use_cache, color
        self.fields, self.query = fields, query


def _output(fmt: OutputFormat | None, as_json: bool, data: str | None, no_cache: bool,
            no_color: bool, fields: str | None = None, query: str | None = None) -> Output:
    if as_json and fmt not in (None, OutputFormat.JSON):
        _fail(UsageError(f"--json and --format {fmt} contradict each other; use one"))
    if query is not None and fmt not in (None, OutputFormat.JSON, OutputFormat.JSONL):
        _fail(UsageError(f"--query prints JSON; it cannot be combined with --format {fmt}"))
    return Output(OutputFormat.JSON if as_json else fmt, data, not no_cache, not no_color, fields, query)


def _fail(error: MscliError) -> NoReturn:
    message = " ".join(views.text(str(error)).split())
    sys.stderr.write(f"mscli: error: {message[:2000]}\n")
    if error.status is ExitStatus.USAGE:
        sys.stderr.write("Try 'mscli --help' or 'mscli COMMAND --help'.\n")
    raise typer.Exit(int(error.status))


def _terminal(color_allowed: bool) -> Terminal:
    stream = sys.stdout
    is_tty = bool(stream is not None and stream.isatty())
    color = (is_tty and color_allowed and not os.environ.get("NO_COLOR")
             and os.environ.get("TERM") != "dumb")
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return Terminal(is_tty=is_tty, width=shutil.get_terminal_size((100, 24)).columns,
                    color=color, unicode=encoding == "utf8")


def write(text: str, utf8: bool) -> None:
    """Write the whole answer at once; a closed pipe ends quietly, a failed write loudly."""
    stream = sys.stdout
    if stream is None:
        _fail(OutputError("standard output is closed; nothing was written"))
    encoding = "utf-8" if utf8 else (getattr(stream, "encoding", None) or "utf-8")
    data = text.encode(encoding, errors="replace")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(data)
            buffer.flush()
        else:
            stream.write(data.decode(encoding))
            stream.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(int(ExitStatus.OK)) from None
    except (OSError, ValueError) as error:
        _silence_stdout()
        reason = getattr(error, "strerror", None) or str(error)
        _fail(OutputError(f"cannot write output: {reason}"))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _cold_load_progress(total: int) -> Callable[[int], None] | None:
    """A progress bar on stderr while a large dataset is parsed (terminal only)."""
    if total < 2_000_000 or not sys.stderr.isatty():
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


def _open(out: Output) -> "Store":
    from mscli import dataset

    store = dataset.open_store(out.data, use_cache=out.use_cache, on_cold_load=_cold_load_progress)
    notice = queries.stale_notice(store.meta)
    if notice:
        sys.stderr.write(notice + "\n")
    return store


def _load(out: Output) -> Dataset:
    return _open(out).dataset()


def _show(out: Output, build: Callable[[Dataset], View]) -> None:
    """Load the dataset, build the view, render it: the body of most commands."""
    _show_store(out, lambda store: build(store.dataset()))


def _show_store(out: Output, build: Callable[["Store"], View]) -> None:
    """Like ``_show``, for commands that read only the trials they need from the store."""
    try:
        view = build(_open(out))
    except MscliError as error:
        _fail(error)
    _emit(out, view)


def _emit(out: Output, view: View) -> None:
    """Apply --fields and --query (the one place they are applied), then render and write."""
    from mscli.render import render

    fmt = out.fmt
    if out.fields is not None or out.query is not None:
        from mscli import selection

        try:
            if out.fields is not None and out.fields.strip() == selection.FIELDS_HELP:
                write("".join(name + "\n" for name in selection.field_names(view)), utf8=False)
                return
            if out.fields is not None:
                view = selection.select_fields(view, selection.parse_fields(out.fields))
            if out.query is not None:
                result = selection.run_query(selection.compile_query(out.query), view.payload)
                view = View(payload=result, columns=[], rows=[])
                fmt = fmt or OutputFormat.JSON
        except MscliError as error:
            _fail(error)
    write(render(view, fmt, _terminal(out.color)), utf8=fmt in MACHINE_FORMATS)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mscli {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Evidence on stem cell therapies for MS, with sources. mscli informs; it does not advise."""


@app.command()
def therapies(fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
              no_cache: NoCacheOption = False, no_color: NoColorOption = False,
              fields: FieldsOption = None, query: QueryOption = None) -> None:
    """List the therapies: availability, whether chemotherapy is needed, trial counts.

    \b
    Examples:
      mscli therapies
      mscli therapies --json | jq '.[].id'
    """
    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), views.therapies_view)


@app.command()
def therapy(
    therapy_id: Annotated[str, typer.Argument(
        metavar="ID", help="Therapy id or alias, e.g. ahsct, HSCT, MSCT.", autocompletion=complete.therapy_ids)],
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Everything known about one therapy, with its trials, studies, guidance and sources.

    \b
    Examples:
      mscli therapy ahsct
      mscli therapy MSCT --json
    """
    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), lambda ds: views.therapy_view(
        queries.therapy_detail(ds, queries.find(ds, "therapies", therapy_id))))


@app.command()
def trials(
    therapy_filter: Annotated[Optional[list[str]], typer.Option(
        "--therapy", "-t", metavar="ID", help="Therapy id or alias (repeatable).",
        autocompletion=complete.therapy_ids)] = None,
    phase: Annotated[Optional[list[Phase]], typer.Option(help="Trial phase (repeatable).")] = None,
    status: Annotated[Optional[list[Status]], typer.Option(case_sensitive=False,
                                                           help="Recruitment status (repeatable).")] = None,
    ms_type: Annotated[Optional[list[MsType]], typer.Option(
        "--ms-type", case_sensitive=False, help="MS type the trial admits (repeatable).")] = None,
    country: Annotated[Optional[list[str]], typer.Option(
        metavar="COUNTRY", help="Country with a site (repeatable).", autocompletion=complete.countries)] = None,
    design: Annotated[Optional[list[Design]], typer.Option(
        case_sensitive=False, help="Design feature the trial must have (repeatable; all must hold).")] = None,
    since: Annotated[Optional[int], typer.Option(min=1900, max=2100, help="Running in or after this year.")] = None,
    until: Annotated[Optional[int], typer.Option(min=1900, max=2100, help="Running in or before this year.")] = None,
    sort: Annotated[SortKey, typer.Option(case_sensitive=False, help="Sort order.")] = SortKey.START,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Show at most this many trials.")] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """List trials, filtered and sorted. Filters combine: all must hold.

    \b
    Examples:
      mscli trials --therapy msc
      mscli trials --phase 3 --status recruiting
      mscli trials --design randomised --design blinded --since 2015
      mscli trials --therapy msc --json | jq '.[].id'
    """
    wanted = TrialFilter(therapies=therapy_filter or [], phases=phase or [], statuses=status or [],
                         ms_types=ms_type or [], countries=country or [], designs=design or [],
                         since=since, until=until)

    def build(store: "Store") -> View:
        found = queries.sort_trials(queries.select_trials(store, wanted), sort)
        return views.trials_view(found[:limit] if limit else found)

    _show_store(_output(fmt, as_json, data, no_cache, no_color, fields, query), build)


@app.command()
def trial(
    trial_id: Annotated[str, typer.Argument(
        metavar="ID", help="Trial id, acronym or any registry number.", autocompletion=complete.trial_ids)],
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Everything known about one trial: design, eligibility, enrolment, results, sources.

    \b
    Examples:
      mscli trial mesems
      mscli trial NCT01854957
      mscli trial 2011-001295-19 --json
    """
    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), lambda ds: views.trial_view(
        queries.trial_detail(ds, queries.find(ds, "trials", trial_id))))


@app.command()
def compare(
    therapy_ids: Annotated[list[str], typer.Argument(
        metavar="ID ID [ID...]", help="Two or more therapies.", autocompletion=complete.therapy_ids)],
    by: Annotated[CompareBy, typer.Option(
        "--by", case_sensitive=False,
        help="aspect: how they work, evidence, risks (default); outcome: relapses, disability, "
             "MRI lesions, NEDA, deaths and serious adverse events, with n, follow-up and certainty.")
    ] = CompareBy.ASPECT,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Compare therapies side by side: how they work, evidence, risks, who benefits.

    With --by outcome, each row is an outcome and each cell what the trials and studies found,
    strongest design first, with a certainty grade only where a cited review gave one.

    \b
    Examples:
      mscli compare ahsct msc
      mscli compare ahsct msc nsc --format markdown
      mscli compare ahsct msc --by outcome
      mscli compare ahsct msc msc-ntf --by outcome --json | jq '.[0].therapies[0].findings'
    """
    def build(ds: Dataset) -> View:
        if by is CompareBy.OUTCOME:
            from mscli import outcomes

            return views.outcomes_view(outcomes.by_outcome(ds, therapy_ids))
        return views.compare_view(queries.compare(ds, therapy_ids))

    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), build)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to look for (all must match).")],
    limit: Annotated[Optional[int], typer.Option(min=1, help="Show at most this many results.")] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Search every record type; shows type, id and the fields that matched, best first.

    \b
    Examples:
      mscli search nottingham
      mscli search "intrathecal progressive" --limit 5
    """
    _show_store(_output(fmt, as_json, data, no_cache, no_color, fields, query),
                lambda store: views.search_view(queries.search_store(store, text, limit), text))


@app.command()
def sources(
    record_id: Annotated[Optional[str], typer.Argument(
        metavar="[ID]", help="Only the sources of this record.", autocompletion=complete.record_ids)] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """List the sources behind the dataset (or behind one record), marking unverified ones.

    \b
    Examples:
      mscli sources
      mscli sources mesems --json
    """
    def build(ds: Dataset) -> View:
        if record_id is None:
            return views.sources_view(ds["sources"])
        _, record = queries.find_any(ds, record_id)
        return views.sources_view(queries.sources_of(ds, record))

    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), build)


@app.command()
def studies(fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
            no_cache: NoCacheOption = False, no_color: NoColorOption = False,
            fields: FieldsOption = None, query: QueryOption = None) -> None:
    """List studies that are not trials: lab and animal research, cohorts, meta-analyses.

    \b
    Examples:
      mscli studies
      mscli show nottingham-spms-msc
    """
    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), lambda ds: views.listing_view(
        ds["studies"], "study", ("id", "kind", "therapy", "year", "title")))


@app.command()
def guidance(fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
             no_cache: NoCacheOption = False, no_color: NoColorOption = False,
             fields: FieldsOption = None, query: QueryOption = None) -> None:
    """List guidance: consensus papers, position statements, guidelines and advice pages.

    \b
    Examples:
      mscli guidance
      mscli show consensus-2010
    """
    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), lambda ds: views.listing_view(
        ds["guidance"], "guidance", ("id", "kind", "publisher", "year", "title")))


@app.command()
def glossary(
    term: Annotated[Optional[str], typer.Argument(
        help="One term, e.g. EDSS.", autocompletion=complete.term_ids)] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Plain-language meanings of the terms the dataset uses.

    \b
    Examples:
      mscli glossary
      mscli glossary EDSS
    """
    def build(ds: Dataset) -> View:
        if term is None:
            return views.glossary_view(ds["glossary"])
        return views.detail_view("glossary", queries.record_detail(
            ds, "glossary", queries.find(ds, "glossary", term)))

    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), build)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(
        metavar="ID", help="Any record id or alias.", autocompletion=complete.record_ids)],
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Show any record (trial, therapy, study, guidance, source, term) by id or alias.

    \b
    Examples:
      mscli show consensus-2010
      mscli show uccelli-2021-mesems
    """
    def build(ds: Dataset) -> View:
        collection, record = queries.find_any(ds, record_id)
        return views.detail_view(collection, queries.record_detail(ds, collection, record))

    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), build)


@app.command()
def info(fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
         no_cache: NoCacheOption = False, no_color: NoColorOption = False,
         fields: FieldsOption = None, query: QueryOption = None) -> None:
    """Dataset version, review date, where it is read from, and record counts.

    \b
    Examples:
      mscli info
      mscli info --json | jq .reviewed
    """
    from mscli.dataset import data_locations

    out = _output(fmt, as_json, data, no_cache, no_color, fields, query)
    where = " + ".join(str(path) for path in data_locations(out.data))
    _show(out, lambda ds: views.info_view(queries.info(ds), where))


@app.command()
def validate(
    path: Annotated[Optional[str], typer.Argument(
        help="Dataset directory or file (default: the bundled one with your imported records).")] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Check a dataset and list every problem with file, line, record and field. Exit 1 if any.

    \b
    Examples:
      mscli validate
      mscli validate ./my-data --json
    """
    from mscli import dataset

    out = _output(fmt, as_json, path, True, no_color, fields, query)
    try:
        _, problems = dataset.check(dataset.dataset_files(path))
    except MscliError as error:
        _fail(error)
    if (not problems and out.fmt in (None, OutputFormat.TABLE) and out.fields is None and out.query is None
            and _terminal(out.color).is_tty):
        write("The dataset is valid.\n", utf8=False)
    else:
        _emit(out, views.problems_view(problems))
    if problems:
        sys.stderr.write(f"mscli: {len(problems)} problem(s) found\n")
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


@app.command()
def cite(
    record_id: Annotated[str, typer.Argument(
        metavar="ID", help="Any record id, alias or registry number.", autocompletion=complete.record_ids)],
    fmt: Annotated[CiteFormat, typer.Option("--format", "-f", case_sensitive=False,
                                            help="Citation format.")] = CiteFormat.TEXT,
    data: DataOption = None, no_cache: NoCacheOption = False,
) -> None:
    """Print the sources of a record as citations (text, BibTeX, RIS or CSL-JSON).

    \b
    Examples:
      mscli cite mesems
      mscli cite NCT00273364 --format bibtex > mist.bib
    """
    from mscli.cite import cite as format_citations

    out = Output(None, data, not no_cache, False)
    try:
        ds = _load(out)
        _, record = queries.find_any(ds, record_id)
        text = format_citations(queries.sources_of(ds, record), fmt)
    except MscliError as error:
        _fail(error)
    write(text, utf8=True)


@app.command()
def clinic(
    offer: Annotated[Optional[str], typer.Option(
        "--offer", metavar="FILE|-|TEXT",
        help="Check a clinic's offer: a file, '-' for standard input, or the text itself. An existing "
             "file is read; a value that looks like a path but names no file is an error.")] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """Questions to ask anyone offering stem cell treatment, and red flags in an offer.

    With --offer, lists the registry numbers the text quotes (and whether mscli's dataset has
    them), the therapies it names with their availability, and the phrases that raise each
    red flag, with the matched text. These are keyword checks for a person to read; nothing
    is written anywhere.

    \b
    Examples:
      mscli clinic
      mscli clinic --offer advert.txt
      mscli clinic --offer "Guaranteed cure with MSC, fee USD 20,000"
      pbpaste | mscli clinic --offer - --json | jq .raised
    """
    from mscli import clinic as checks

    out = _output(fmt, as_json, data, no_cache, no_color, fields, query)
    if offer is None:
        _show(out, lambda ds: views.red_flags_view(ds["red_flags"]))
        return
    try:
        text = checks.read_offer(offer, getattr(sys.stdin, "buffer", None))
    except MscliError as error:
        _fail(error)
    _show(out, lambda ds: views.offer_view(checks.check_offer(ds, text)))


@app.command()
def timeline(
    therapy_filter: Annotated[Optional[list[str]], typer.Option(
        "--therapy", "-t", metavar="ID", help="Therapy id or alias (repeatable).")] = None,
    since: Annotated[Optional[int], typer.Option(min=1900, max=2100, help="Events in or after this year.")] = None,
    until: Annotated[Optional[int], typer.Option(min=1900, max=2100, help="Events in or before this year.")] = None,
    chart: Annotated[Optional[ChartBy], typer.Option(
        "--chart", case_sensitive=False,
        help="Instead of events, count trials and participants by therapy, phase or start year "
             "(bars on a terminal, numbers in other formats).")] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """The evidence in time order: trials starting, completing and publishing, studies, guidance.

    With --chart, counts of trials and participants (actual and planned kept apart) drawn as
    bars that fit the terminal and read without colour.

    \b
    Examples:
      mscli timeline
      mscli timeline --therapy msc --since 2010
      mscli timeline --chart therapy
      mscli timeline --chart year --therapy ahsct --json
    """
    from mscli import timeline as evidence_timeline

    window = evidence_timeline.Window(therapies=therapy_filter or [], since=since, until=until)

    def build(ds: Dataset) -> View:
        if chart is not None:
            return views.counts_view(evidence_timeline.trial_counts(ds, chart, window), chart.value)
        return views.timeline_view(evidence_timeline.events(ds, window))

    _show(_output(fmt, as_json, data, no_cache, no_color, fields, query), build)


@app.command()
def report(
    record_ids: Annotated[list[str], typer.Argument(
        metavar="ID [ID...]", help="Therapies, trials, studies or guidance: ids, aliases or registry numbers.")],
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", help="Write the report to FILE (.md or .html) instead of stdout.")] = None,
    fmt: Annotated[Optional[ReportFormat], typer.Option(
        "--format", "-f", case_sensitive=False,
        help="Report format. Default: from the FILE suffix, else markdown.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it already exists.")] = False,
    data: DataOption = None, no_cache: NoCacheOption = False,
) -> None:
    """Write a printable summary of chosen therapies and trials, with numbered sources.

    The report carries the dataset's review date and the notice that mscli informs and does
    not advise. HTML reports are one file that opens in a browser with no network.

    \b
    Examples:
      mscli report ahsct msc
      mscli report ahsct mesems --output for-my-neurologist.html
      mscli report NCT01854957 --output mesems.md --force
    """
    from mscli import outfile
    from mscli import report as report_data
    from mscli.report_format import SUFFIXES, write_report

    chosen = fmt
    if chosen is None and output is not None:
        chosen = SUFFIXES.get(os.path.splitext(output)[1].lower())
        if chosen is None:
            _fail(UsageError(f"cannot tell the report format from {output!r}; name it .md or .html, "
                             "or give --format markdown|html"))
    try:
        if output is not None:
            outfile.check_new(output, force)
        text = write_report(report_data.build(_load(Output(None, data, not no_cache, False)), record_ids),
                             chosen or ReportFormat.MARKDOWN)
        if output is not None:
            outfile.write_atomic(output, text.encode("utf-8"), force)
    except MscliError as error:
        _fail(error)
    if output is None:
        write(text, utf8=True)
    else:
        sys.stderr.write(f"mscli: wrote {output}\n")


import_app = typer.Typer(name="import", no_args_is_help=True, rich_markup_mode=None,
                         help="Add records from registry files to your own dataset directory.")
app.add_typer(import_app)


@import_app.command("ctgov")
def import_ctgov(
    files: Annotated[list[str], typer.Argument(
        metavar="FILE...", help="ClinicalTrials.gov API v2 JSON: a study, a page of studies, or a "
        "directory of them.")],
    into: Annotated[Optional[str], typer.Option(
        "--into", metavar="DIR", help="Dataset directory to write to (default: $MSCLI_USER_DATA, else "
        "$XDG_DATA_HOME/mscli, else ~/.local/share/mscli).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace records that exist with different content.")] = False,
    fmt: FormatOption = None, as_json: JsonOption = False, no_color: NoColorOption = False,
) -> None:
    """Import ClinicalTrials.gov studies as trials (one YAML file each) into your dataset.

    Records are validated before they are written and never replaced without --force. Exit 1
    when any study was skipped (the report says why); what could be imported is kept.

    \b
    Examples:
      mscli import ctgov study.json
      mscli import ctgov pages/ --json
      mscli import ctgov page-1.json page-2.json --into ./my-data --force
    """
    import datetime
    from pathlib import Path

    from mscli import dataset
    from mscli.importer import import_ctgov as run_import
    from mscli.render import render

    out = _output(fmt, as_json, None, True, no_color)
    try:
        target = Path(into) if into else dataset.user_data_dir()
        if target is None or (into is not None and not into.strip()):
            raise UsageError("--into: no directory given and no home directory to default to")
        rows = run_import([Path(name) for name in files], target, force, datetime.date.today().isoformat())
    except MscliError as error:
        _fail(error)
    write(render(views.import_view(rows, str(target)), out.fmt, _terminal(out.color)),
          utf8=out.fmt in MACHINE_FORMATS)
    counts = {action: sum(1 for row in rows if row.action == action)
              for action in ("added", "changed", "unchanged", "skipped")}
    sys.stderr.write("mscli: " + ", ".join(f"{count} {action}" for action, count in counts.items()) + "\n")
    if counts["skipped"]:
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


@app.command(help="""Pre-screen a profile against each trial's eligibility and the guidance on who benefits.

Each structured criterion gets one label (meets / does not meet / not enough information) with
the trial's own wording and its source; each trial an overall label: "may be eligible" only when
every checked criterion is met, "not eligible" when any is not, else "not enough information",
with the facts that would settle it. Limits are inclusive; a trial with no upper age limit never
fails on age. Guidance rows are reported apart from trials.

NOTICE_HERE

\b
Examples:
  mscli match --age 34 --ms-type RRMS --edss 3.5 --years-since-onset 6
  mscli match --age 40 --ms-type SPMS --edss 6.0 --recruiting-only
  mscli match --age 30 --ms-type RRMS --relapses-last-year 2 --active-mri --trial beat-ms
  mscli match --age 45 --ms-type PPMS --json | jq '.trials[] | {id, overall}'
""".replace("NOTICE_HERE", NOT_A_REFERRAL))
def match(
    age: Annotated[Optional[int], typer.Option(help="Age in whole years (0-120).")] = None,
    ms_type: Annotated[Optional[MsType], typer.Option("--ms-type", case_sensitive=False, help="Type of MS.")] = None,
    edss: Annotated[Optional[float], typer.Option(help="EDSS score, 0 to 10 in steps of 0.5.")] = None,
    years_since_onset: Annotated[Optional[float], typer.Option(
        "--years-since-onset", help="Years since the first MS symptoms.")] = None,
    relapses_last_year: Annotated[Optional[int], typer.Option(
        "--relapses-last-year", help="Relapses in the past 12 months.")] = None,
    active_mri: Annotated[Optional[bool], typer.Option(
        "--active-mri/--no-active-mri",
        help="MRI showed (or did not show) new or enhancing lesions in the past 12 months.")] = None,
    prior_treatment: Annotated[Optional[list[str]], typer.Option(
        "--prior-treatment", metavar="NAME",
        help="A disease-modifying treatment taken before (repeatable); 'none' if none.")] = None,
    recruiting_only: Annotated[bool, typer.Option(
        "--recruiting-only", help="Only trials whose status is recruiting.")] = False,
    trial_id: Annotated[Optional[str], typer.Option(
        "--trial", metavar="ID", help="One trial in detail, a row per criterion.")] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, data: DataOption = None,
    no_cache: NoCacheOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    from mscli import match as matching

    out = _output(fmt, as_json, data, no_cache, no_color, fields, query)
    try:
        profile = matching.Profile(age=age, ms_type=ms_type, edss=edss, years_since_onset=years_since_onset,
                                   relapses_last_year=relapses_last_year, active_mri=active_mri,
                                   prior_treatments=None if prior_treatment is None else tuple(prior_treatment))
    except MscliError as error:
        _fail(error)

    def build(ds: Dataset) -> View:
        if trial_id is None:
            return views.match_view(matching.match(ds, profile, recruiting_only), NOT_A_REFERRAL)
        found = queries.find(ds, "trials", trial_id)
        answer = matching.match(ds, profile, recruiting_only, trial_ids=[found["id"]])
        if not answer["trials"]:
            raise UsageError(f"trial {found['id']!r} is {found['status']}, not recruiting (--recruiting-only)")
        return views.match_detail_view(answer["trials"][0], NOT_A_REFERRAL)

    _show(out, build)
    shown_as = out.fmt or (OutputFormat.TABLE if _terminal(out.color).is_tty else None)
    if shown_as not in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
        sys.stderr.write(NOT_A_REFERRAL + "\n")


@app.command()
def schema(
    type_name: Annotated[Optional[str], typer.Argument(
        metavar="[TYPE]", help="A type name from 'mscli schema'; without one, list the types.",
        autocompletion=complete.schema_types)] = None,
    fmt: FormatOption = None, as_json: JsonOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
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
    from mscli import outputs

    out = _output(fmt, as_json, None, True, no_color, fields, query)
    if type_name is None:
        _emit(out, views.schema_types_view([
            {"name": name, "description": description, "emitted_by": emitted_by}
            for name, (_, description, emitted_by) in outputs.SCHEMA_TYPES.items()]))
        return
    if out.fmt not in (None, OutputFormat.JSON, OutputFormat.YAML) or out.fields is not None:
        _fail(UsageError("a schema is JSON: use --json, --format yaml or --query"))
    from mscli.schema import schema_for

    try:
        document = schema_for(type_name)
    except MscliError as error:
        _fail(error)
    _emit(Output(out.fmt or OutputFormat.JSON, None, True, out.color, None, out.query),
          View(payload=document, columns=[], rows=[]))


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The earlier dataset: a directory or YAML file.")],
    new: Annotated[str, typer.Argument(help="The later dataset: a directory or YAML file.")],
    exit_code: Annotated[bool, typer.Option(
        "--exit-code", help="Exit 1 when there are differences, 0 when there are none (as git diff).")] = False,
    fmt: FormatOption = None, as_json: JsonOption = False, no_color: NoColorOption = False,
    fields: FieldsOption = None, query: QueryOption = None,
) -> None:
    """What changed between two datasets: records added, removed and changed, field by field.

    Records are matched by type and id; nested fields are named by dotted path
    (design.blinding) and lists are compared whole. Both datasets are validated first (exit 3
    if either is invalid); the cache is not used. Exit 0 whether or not anything changed,
    unless --exit-code is given.

    \b
    Examples:
      mscli diff ./data-2025 ./data
      mscli diff old.yaml new.yaml --json | jq '.summary'
      mscli diff ./before ./after --exit-code --query 'changed[].id'
    """
    from mscli import diffing

    out = _output(fmt, as_json, None, True, no_color, fields, query)
    try:
        report = diffing.diff(diffing.load(old), diffing.load(new), old, new)
    except MscliError as error:
        _fail(error)
    _emit(out, views.diff_view(report))
    if exit_code and diffing.has_differences(report):
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


@app.command()
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
        _fail(UsageError(f"no completion for shell {shell!r}; shells: {', '.join(complete.SHELLS)}"))
    write(complete.script(shell) + "\n", utf8=False)


def _app_for(argv: list[str]) -> typer.Typer:
    """The app with only the command being run, when one is named.

    Typer builds a Click command for every registered command on each run; building just the
    one asked for keeps start-up fast (and completion quick: the shell runs mscli on every Tab).
    Help and unknown names get the full app.
    """
    if not argv or argv[0].startswith("-"):
        return app
    chosen = [command for command in app.registered_commands
              if (command.name or getattr(command.callback, "__name__", None)) == argv[0]]
    if not chosen:
        return app
    single = typer.Typer(**_APP_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = chosen
    return single


def main() -> None:
    """Console-script entry point.

    The cyclic garbage collector is switched off: mscli runs for a moment, the records it
    parses hold no reference cycles, and collection passes over them cost up to a third of a
    large query or search. Reference counting still frees everything as usual.
    """
    gc.disable()
    words = complete.finished_words(os.environ)
    try:
        _app_for(sys.argv[1:] if words is None else words)(prog_name="mscli")
    except KeyboardInterrupt:
        sys.stderr.write("mscli: interrupted\n")
        sys.exit(int(ExitStatus.INTERRUPTED))
