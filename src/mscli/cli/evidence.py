"""Commands that compare and check: compare, timeline, clinic, match and report.

No ``from __future__ import annotations`` here: Typer reads the annotations on every run.
"""

import os
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mscli.cli import completion as complete
from mscli.cli.runtime import (
    DECIDE,
    Output,
    app,
    display,
    in_range,
    listed,
    open_store,
    output_options,
    terminal,
    warn,
    warn_beside_data,
    write,
)
from mscli.errors import UsageError
from mscli.model.choices import ChartBy, CompareBy
from mscli.model.evidence_terms import Sex
from mscli.model.labels import NOT_A_REFERRAL
from mscli.model.vocabularies import MsType
from mscli.output import evidence_views, views
from mscli.output.render import OutputFormat, ReportFormat, View
from mscli.queries import compare as comparing
from mscli.queries import core as queries

if TYPE_CHECKING:
    from mscli.model.records import Dataset


@app.command(rich_help_panel=DECIDE)
@output_options()
def compare(out: Output,
    therapy_ids: Annotated[list[str], typer.Argument(
        metavar="ID ID [ID...]", help="Two or more therapies.", autocompletion=complete.therapy_ids)],
    by: Annotated[CompareBy, typer.Option(
        "--by", case_sensitive=False,
        help="aspect: how they work, evidence, risks (default); outcome: relapses, disability, "
             "MRI lesions, NEDA, deaths and serious adverse events, with n, follow-up and certainty.")
    ] = CompareBy.ASPECT) -> None:
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
    def build(ds: "Dataset") -> View:
        if by is CompareBy.OUTCOME:
            from mscli.features import outcomes

            return evidence_views.outcomes_view(outcomes.by_outcome(ds, therapy_ids))
        return views.compare_view(comparing.compare(ds, therapy_ids))

    display(out, build)


@app.command(rich_help_panel=DECIDE)
@output_options()
def clinic(out: Output,
    offer: Annotated[Optional[str], typer.Option(
        "--offer", metavar="FILE|-|TEXT",
        help="Check a clinic's offer: a file, '-' for standard input, or the text itself. An existing "
             "file is read; a value that looks like a path but names no file is an error.")] = None,
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
    if offer is None:  # the list alone: the offer checks (their regexes, the HTML reader) are not needed
        display(out, lambda ds: evidence_views.red_flags_view(ds["red_flags"]))
        return
    from mscli.features import clinic as checks

    text = checks.read_offer(offer, getattr(sys.stdin, "buffer", None))
    display(out, lambda ds: evidence_views.offer_view(checks.check_offer(ds, text)))


@app.command(rich_help_panel=DECIDE)
@output_options()
def timeline(out: Output,
    therapy_filter: Annotated[Optional[list[str]], typer.Option(
        "--therapy", "-t", metavar="ID[,ID]", help="Therapy id or alias (repeatable, or comma-separated).",
        autocompletion=complete.therapy_ids)] = None,
    since: Annotated[Optional[int], typer.Option(
        metavar="YEAR", callback=in_range(1900, 2100),
        help="Events in or after this year, 1900-2100 (with --chart: trials that ran then or later, "
             "an ongoing one to today).")] = None,
    until: Annotated[Optional[int], typer.Option(
        metavar="YEAR", callback=in_range(1900, 2100),
        help="Events in or before this year, 1900-2100 (with --chart: trials that ran then or earlier).")] = None,
    include_undated: Annotated[bool, typer.Option(
        "--include-undated", help="With --chart and --since/--until, also count trials whose recorded "
                                  "years cannot place them in the range (otherwise left out and counted).")] = False,
    chart: Annotated[Optional[ChartBy], typer.Option(
        "--chart", case_sensitive=False,
        help="Instead of events, count trials and participants by therapy, phase or start year "
             "(bars on a terminal, numbers in other formats).")] = None) -> None:
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
    import datetime

    from mscli.features import timeline as evidence_timeline
    from mscli.output.notes import undated_note

    window = evidence_timeline.Window(therapies=listed(therapy_filter), since=since, until=until,
                                      today=datetime.date.today(), include_undated=include_undated)
    left_out: list[str] = []

    def build(ds: "Dataset") -> View:
        if chart is not None:
            rows, undated = evidence_timeline.trial_counts(ds, chart, window)
            note = undated_note(undated, since, until)
            left_out.extend([note] if note else [])
            return evidence_views.counts_view(rows, chart.value, left_out)
        return evidence_views.timeline_view(evidence_timeline.events(ds, window))

    display(out, build)
    for note in left_out:
        warn_beside_data(out, note)


@app.command(rich_help_panel=DECIDE)
@output_options(fmt=False, color=False, select=False)
def report(
    out: Output,
    record_ids: Annotated[list[str], typer.Argument(
        metavar="ID [ID...]", help="Therapies, trials, studies or guidance: ids, aliases or registry numbers.",
        autocompletion=complete.report_ids)],
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", help="Write the report to FILE (.md or .html) instead of stdout.")] = None,
    fmt: Annotated[Optional[ReportFormat], typer.Option(
        "--format", "-f", case_sensitive=False,
        help="Report format. Default: from the FILE suffix, else markdown.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it already exists.")] = False,
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
    from mscli.loading import files as outfile
    from mscli.output import report as report_data
    from mscli.output.report_format import SUFFIXES, write_report
    from mscli.queries import terms

    chosen = fmt
    if chosen is None and output is not None:
        chosen = SUFFIXES.get(os.path.splitext(output)[1].lower())
        if chosen is None:
            raise UsageError(f"cannot tell the report format from {output!r}; name it .md or .html, "
                             "or give --format markdown|html")
    if output is not None:
        outfile.check_new(output, force)
    store = open_store(out)
    text = write_report(report_data.build(terms.dataset_naming(store, record_ids), record_ids, links=store.links),
                        chosen or ReportFormat.MARKDOWN)
    if output is not None:
        outfile.write_atomic(output, text.encode("utf-8"), force)
    if output is None:
        write(text, utf8=True)
    else:
        warn(f"mscli: wrote {output}")


@app.command(
    rich_help_panel=DECIDE,
    help="""Pre-screen a profile against each trial's eligibility and the guidance on who benefits.

Each structured criterion gets one label (meets / does not meet / not enough information) with
the trial's own wording and its source; each trial an overall label: "may be eligible" only when
every checked criterion is met (and says how many were checked and how many only the trial
team can check), "not enough information" also when a criterion held only as text concerns a
fact you gave, "not eligible" when any is not, else "not enough information",
with the facts that would settle it. Limits are inclusive; a trial with no upper age limit never
fails on age. Only trials you can still join (recruiting, not yet recruiting, enrolling by
invitation) are screened unless --include-closed. Guidance rows are reported apart from trials.

NOTICE_HERE

\b
Examples:
  mscli match --age 34 --ms-type RRMS --edss 3.5 --years-since-onset 6
  mscli match --age 40 --ms-type SPMS --edss 6.0 --recruiting-only
  mscli match --age 30 --ms-type RRMS --relapses-last-year 2 --active-mri --trial beat-ms
  mscli match --age 45 --ms-type PPMS --json | jq '.trials[] | {id, overall}'
""".replace("NOTICE_HERE", NOT_A_REFERRAL))
@output_options()
def match(out: Output,
    age: Annotated[Optional[int], typer.Option(metavar="AGE", help="Age in whole years (0-120).")] = None,
    sex: Annotated[Optional[Sex], typer.Option(
        case_sensitive=False, metavar="female|male", help="Sex, for trials open to one sex only.")] = None,
    ms_type: Annotated[Optional[MsType], typer.Option("--ms-type", case_sensitive=False, help="Type of MS.")] = None,
    edss: Annotated[Optional[float], typer.Option(metavar="SCORE", help="EDSS score, 0 to 10 in steps of 0.5.")] = None,
    years_since_onset: Annotated[Optional[float], typer.Option(
        "--years-since-onset", metavar="YEARS", help="Years since the first MS symptoms.")] = None,
    relapses_last_year: Annotated[Optional[int], typer.Option(
        "--relapses-last-year", metavar="N", help="Relapses in the past 12 months.")] = None,
    active_mri: Annotated[Optional[bool], typer.Option(
        "--active-mri/--no-active-mri",
        help="MRI showed (or did not show) new or enhancing lesions in the past 12 months.")] = None,
    prior_treatment: Annotated[Optional[list[str]], typer.Option(
        "--prior-treatment", metavar="NAME",
        help="A disease-modifying treatment taken before (repeatable); 'none' if none.")] = None,
    recruiting_only: Annotated[bool, typer.Option(
        "--recruiting-only", help="Only trials whose status is recruiting (not yet recruiting and "
                                  "by-invitation ones left out too).")] = False,
    include_closed: Annotated[bool, typer.Option(
        "--include-closed", help="Also list trials no one can join now (completed, active not recruiting, "
                                 "...), labelled 'closed: cannot join'.")] = False,
    trial_id: Annotated[Optional[str], typer.Option(
        "--trial", metavar="ID", help="One trial in detail, a row per criterion.",
        autocompletion=complete.trial_ids)] = None) -> None:
    from mscli.features import match as matching

    profile = matching.Profile(age=age, ms_type=ms_type, edss=edss, years_since_onset=years_since_onset,
                               relapses_last_year=relapses_last_year, active_mri=active_mri,
                               prior_treatments=None if prior_treatment is None else tuple(prior_treatment),
                               sex=sex)

    def build(ds: "Dataset") -> View:
        if trial_id is None:
            answer = matching.match(ds, profile, recruiting_only, include_closed=include_closed)
            return evidence_views.match_view(answer, NOT_A_REFERRAL)
        found = queries.find(ds, "trials", trial_id)
        answer = matching.match(ds, profile, recruiting_only, trial_ids=[found["id"]])
        if not answer["trials"]:
            raise UsageError(f"trial {found['id']!r} is {found['status']}, not recruiting (--recruiting-only)")
        return evidence_views.match_detail_view(answer["trials"][0], NOT_A_REFERRAL)

    display(out, build)
    shown_as = out.fmt or (OutputFormat.TABLE if terminal(out.color).is_tty else None)
    if shown_as not in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
        warn(NOT_A_REFERRAL)
