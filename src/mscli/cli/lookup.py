"""Commands that look things up: therapies, trials, search, sources, citations, any record.

No ``from __future__ import annotations`` here: Typer reads the annotations on every run.
"""

import itertools
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from mscli.cli import completion as complete
from mscli.cli.runtime import (
    LOOK_UP,
    LimitOption,
    Output,
    app,
    display,
    display_store,
    in_range,
    listed,
    load,
    output_options,
    warn_beside_data,
    write,
)
from mscli.model.choices import SEARCH_LIMIT, CiteFormat
from mscli.model.vocabularies import Design, GuidanceKind, MsType, Phase, SourceKind, Status, StudyKind
from mscli.output import views
from mscli.output.notes import undated_note
from mscli.output.render import View, line_view
from mscli.queries import core as queries
from mscli.queries import listings
from mscli.queries.core import SortKey, TrialFilter
from mscli.queries.listings import RecordFilter
from mscli.queries.streaming import StreamedSelection, stream_trial_lines, stream_trials

if TYPE_CHECKING:
    from mscli.loading.store import Store
    from mscli.model.records import Dataset


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def therapies(out: Output) -> None:
    """List the therapies: availability, whether chemotherapy is needed, trial counts.

    \b
    Examples:
      mscli therapies
      mscli therapies --json | jq '.[].id'
    """
    display(out, views.therapies_view)


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def therapy(out: Output,
    therapy_id: Annotated[str, typer.Argument(
        metavar="ID", help="Therapy id or alias, e.g. ahsct, HSCT, MSCT.", autocompletion=complete.therapy_ids)],
) -> None:
    """Everything known about one therapy, with its trials, studies, guidance and sources.

    \b
    Examples:
      mscli therapy ahsct
      mscli therapy MSCT --json
    """
    def build(store: "Store") -> View:
        ds = store.dataset()
        return views.therapy_view(queries.therapy_detail(ds, queries.find(ds, "therapies", therapy_id), store.links))

    display_store(out, build)


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def trials(out: Output,
    therapy_filter: Annotated[Optional[list[str]], typer.Option(
        "--therapy", "-t", metavar="ID[,ID]", help="Therapy id or alias (repeatable, or comma-separated).",
        autocompletion=complete.therapy_ids)] = None,
    phase: Annotated[Optional[list[Phase]], typer.Option(help="Trial phase (repeatable).")] = None,
    status: Annotated[Optional[list[Status]], typer.Option(
        case_sensitive=False, metavar="STATUS",
        help=f"Recruitment status (repeatable): {', '.join(status.value for status in Status)}.")] = None,
    ms_type: Annotated[Optional[list[MsType]], typer.Option(
        "--ms-type", case_sensitive=False, help="MS type the trial admits (repeatable).")] = None,
    country: Annotated[Optional[list[str]], typer.Option(
        metavar="COUNTRY", help="Country with a site (repeatable).", autocompletion=complete.countries)] = None,
    design: Annotated[Optional[list[Design]], typer.Option(
        case_sensitive=False, help="Design feature the trial must have (repeatable; all must hold).")] = None,
    since: Annotated[Optional[int], typer.Option(
        metavar="YEAR", callback=in_range(1900, 2100),
        help="Ran in this year or later, 1900-2100 (an ongoing trial runs to today).")] = None,
    until: Annotated[Optional[int], typer.Option(
        metavar="YEAR", callback=in_range(1900, 2100), help="Ran in this year or earlier (1900-2100).")] = None,
    include_undated: Annotated[bool, typer.Option(
        "--include-undated", help="With --since/--until, also list trials whose recorded years "
                                  "cannot place them in the range (otherwise left out and counted).")] = False,
    sort: Annotated[SortKey, typer.Option(case_sensitive=False, help="Sort order.")] = SortKey.START,
    limit: LimitOption = None,
) -> None:
    """List trials, filtered and sorted. Filters combine: all must hold.

    \b
    Examples:
      mscli trials --therapy msc
      mscli trials --phase 3 --status recruiting
      mscli trials --design randomised --design blinded --since 2015
      mscli trials --since 2024 --status recruiting --include-undated
      mscli trials --therapy msc --json | jq '.[].id'
    """
    import datetime

    wanted = TrialFilter(therapies=listed(therapy_filter), phases=phase or [], statuses=status or [],
                         ms_types=ms_type or [], countries=country or [], designs=design or [],
                         since=since, until=until, today=datetime.date.today(), include_undated=include_undated)
    left_out: list[str] = []
    streamed: list[StreamedSelection[Any]] = []

    def build(store: "Store") -> View:
        lines = stream_trial_lines(store, wanted) if sort is SortKey.START and out.whole_lines else None
        if lines is not None:  # the store's own lines, unparsed
            streamed.append(lines)
            return line_view(lambda records: views.trials_view(records, notes=left_out),
                             itertools.islice(lines.trials, limit))
        if sort is SortKey.START and out.streams:  # the order the store keeps: held one batch at a time
            streamed.append(stream_trials(store, wanted))
            return views.trials_view(itertools.islice(streamed[0].trials, limit), notes=left_out)
        selection = queries.select_trials(store, wanted)
        found = queries.sort_trials(selection.trials, sort)
        note = undated_note(selection.undated_left_out, since, until)
        left_out.extend([note] if note else [])
        return views.trials_view(found[:limit] if limit else found, notes=left_out)

    display_store(out, build)
    for selection in streamed:  # written by now: count what a --limit left unread
        selection.finish()
        note = undated_note(selection.undated_left_out, since, until)
        left_out.extend([note] if note else [])
    for note in left_out:
        warn_beside_data(out, note)


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def trial(out: Output,
    trial_id: Annotated[str, typer.Argument(
        metavar="ID", help="Trial id, acronym or any registry number.", autocompletion=complete.trial_ids)],
) -> None:
    """Everything known about one trial: design, eligibility, enrolment, results, sources.

    \b
    Examples:
      mscli trial mesems
      mscli trial NCT01854957
      mscli trial 2011-001295-19 --json
    """
    def build(store: "Store") -> View:
        ds = queries.dataset_for_trials(store, [trial_id])
        return views.trial_view(queries.trial_detail(ds, queries.find(ds, "trials", trial_id), store.links))

    display_store(out, build)


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def search(out: Output,
    words: Annotated[list[str], typer.Argument(
        metavar="WORDS...", help="Words to look for, quoted or not: all must match; 'deaths' finds 'death'.")],
    limit: Annotated[int, typer.Option(metavar="N", callback=in_range(0),
                                       help="Show at most N results (0: all).")] = SEARCH_LIMIT,
    types: Annotated[Optional[str], typer.Option(
        "--type", metavar="TYPE,TYPE", help="Only these record types: trial, therapy, study, guidance, term, "
        "red flag, outcome finding, search, source.")] = None,
) -> None:
    """Search every text of every record, best match first, with a snippet of why each matched.

    \b
    Examples:
      mscli search thyroid
      mscli search thyroid after transplant
      mscli search "MSC trial recruiting" --type trial
      mscli search "intrathecal progressive" --limit 0 --json
    """
    from mscli.queries import search as searching

    chosen = searching.parse_types(types) if types is not None else None
    text = " ".join(words)

    def build(store: "Store") -> View:
        from mscli.output.search_view import search_view

        return search_view(searching.search_store(store, text, limit or None, chosen), text)

    display_store(out, build)


SinceOption = Annotated[Optional[int], typer.Option(
    "--since", metavar="YEAR", callback=in_range(1900, 2100), help="Published in or after this year (1900-2100).")]
UntilOption = Annotated[Optional[int], typer.Option(
    "--until", metavar="YEAR", callback=in_range(1900, 2100), help="Published in or before this year (1900-2100).")]
TherapyOption = Annotated[Optional[list[str]], typer.Option(
    "--therapy", "-t", metavar="ID[,ID]", help="Therapy id or alias (repeatable, or comma-separated).",
    autocompletion=complete.therapy_ids)]


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def sources(out: Output,
    record_id: Annotated[Optional[str], typer.Argument(
        metavar="[ID]", help="Only the sources of this record.", autocompletion=complete.record_ids)] = None,
    kind: Annotated[Optional[list[SourceKind]], typer.Option(
        case_sensitive=False, help="Kind of source (repeatable).")] = None,
    since: SinceOption = None, until: UntilOption = None, limit: LimitOption = None,
) -> None:
    """List the sources behind the dataset (or behind one record), marking unverified ones.

    \b
    Examples:
      mscli sources
      mscli sources mesems --json
      mscli sources --kind registry-record --since 2020 --limit 10
    """
    wanted = RecordFilter(kinds=kind or [], since=since, until=until, limit=limit)

    def build(ds: "Dataset") -> View:
        if record_id is None:
            return views.sources_view(listings.sources(ds["sources"], wanted))
        _, record = queries.find_any(ds, record_id)
        return views.sources_view(listings.sources(queries.sources_of(ds, record), wanted))

    display(out, build)


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def studies(out: Output, therapy_filter: TherapyOption = None,
    kind: Annotated[Optional[list[StudyKind]], typer.Option(
        case_sensitive=False, help="Kind of study (repeatable).")] = None,
    since: SinceOption = None, until: UntilOption = None, limit: LimitOption = None,
) -> None:
    """List studies that are not trials: lab and animal research, cohorts, meta-analyses.

    \b
    Examples:
      mscli studies
      mscli studies --therapy ahsct --kind cohort
      mscli show nottingham-spms-msc
    """
    wanted = RecordFilter(therapies=listed(therapy_filter), kinds=kind or [], since=since, until=until,
                          limit=limit)
    display(out, lambda ds: views.listing_view(
        listings.studies(ds, wanted), "study", ("id", "kind", "therapy", "year", "title")))


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def guidance(out: Output, therapy_filter: TherapyOption = None,
    kind: Annotated[Optional[list[GuidanceKind]], typer.Option(
        case_sensitive=False, help="Kind of guidance (repeatable).")] = None,
    since: SinceOption = None, until: UntilOption = None, limit: LimitOption = None,
) -> None:
    """List guidance: consensus papers, position statements, guidelines and advice pages.

    \b
    Examples:
      mscli guidance
      mscli guidance --therapy msc --since 2015
      mscli show consensus-2010
    """
    wanted = RecordFilter(therapies=listed(therapy_filter), kinds=kind or [], since=since, until=until,
                          limit=limit)
    display(out, lambda ds: views.listing_view(
        listings.guidance(ds, wanted), "guidance", ("id", "kind", "publisher", "year", "title")))


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def glossary(out: Output,
    term: Annotated[Optional[str], typer.Argument(
        help="One term, e.g. EDSS.", autocompletion=complete.term_ids)] = None) -> None:
    """Plain-language meanings of the terms the dataset uses.

    \b
    Examples:
      mscli glossary
      mscli glossary EDSS
    """
    def build(store: "Store") -> View:
        if term is None:
            return views.glossary_view(store.meta["glossary"])
        record = queries.find(store.meta, "glossary", term)
        used_by = store.used_by(record["id"])  # kept by the compiled store: no trial is read
        return views.detail_view("glossary", queries.record_detail(
            store.meta if used_by is not None else store.dataset(), "glossary", record, store.links, used_by))

    display_store(out, build)


@app.command(rich_help_panel=LOOK_UP)
@output_options()
def show(out: Output,
    record_id: Annotated[str, typer.Argument(
        metavar="ID", help="Any record id or alias.", autocompletion=complete.record_ids)]) -> None:
    """Show any record (trial, therapy, study, guidance, source, term) by id or alias.

    \b
    Examples:
      mscli show consensus-2010
      mscli show uccelli-2021-mesems
    """
    def build(store: "Store") -> View:
        ds = store.dataset()
        collection, record = queries.find_any(ds, record_id)
        used_by = store.used_by(record["id"]) if collection == "glossary" else None
        return views.detail_view(collection, queries.record_detail(ds, collection, record, store.links, used_by))

    display_store(out, build)


@app.command(rich_help_panel=LOOK_UP)
@output_options(fmt=False, color=False, select=False)
def cite(
    out: Output,
    record_id: Annotated[str, typer.Argument(
        metavar="ID", help="Any record id, alias or registry number.", autocompletion=complete.record_ids)],
    fmt: Annotated[CiteFormat, typer.Option("--format", "-f", case_sensitive=False,
                                            help="Citation format.")] = CiteFormat.TEXT) -> None:
    """Print the sources of a record as citations (text, BibTeX, RIS or CSL-JSON).

    \b
    Examples:
      mscli cite mesems
      mscli cite NCT00273364 --format bibtex > mist.bib
    """
    from mscli.output.cite import cite as format_citations

    ds = load(out)
    collection, record = queries.find_any(ds, record_id)
    cited = [record] if collection == "sources" else queries.sources_of(ds, record)  # a source cites itself
    text = format_citations(cited, fmt)
    write(text, utf8=True)
