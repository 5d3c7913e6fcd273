"""``mscli registry``: the only commands that go online (ClinicalTrials.gov's API v2).

No ``from __future__ import annotations`` here: Typer reads the annotations on every run. The
HTTP client is imported inside each command, so no other command loads it.
"""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mscli.cli import completion as complete
from mscli.cli.runtime import Output, app, emit, load, open_store, output_options, terminal, warn
from mscli.errors import ExitStatus

if TYPE_CHECKING:
    from mscli.features.ctgov_http import Client

registry_app = typer.Typer(name="registry", no_args_is_help=True, rich_markup_mode=None,
                           help="Compare the dataset with the live ClinicalTrials.gov registry (needs the network; "
                                "every other command works offline).")
app.add_typer(registry_app)

UrlOption = Annotated[Optional[str], typer.Option(
    "--registry-url", metavar="URL", help="API v2 root (default: $MSCLI_CTGOV_URL, else "
    "https://clinicaltrials.gov/api/v2).")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=1.0, max=300.0, metavar="SECONDS", help="Give up on one request after this long.")]
IntervalOption = Annotated[float, typer.Option(
    "--interval", min=0.0, max=60.0, metavar="SECONDS", help="Least time between two requests; the "
    "default keeps under the 50 requests a minute the public API is reported to allow.")]
RetriesOption = Annotated[int, typer.Option(
    "--retries", min=0, max=10, help="Retries of a request answered 429 or 5xx, or cut off, with "
    "exponential backoff that honours Retry-After.")]


def _client(url: Optional[str], timeout: float, retries: int, interval: float) -> "Client":
    from mscli.features import ctgov_http

    return ctgov_http.Client(ctgov_http.base_url(url), timeout=timeout, retries=retries, interval=interval)


@registry_app.command("check")
@output_options()
def check(out: Output,
    ids: Annotated[Optional[list[str]], typer.Argument(
        metavar="[ID...]", help="Trials by id, alias or registry number (default: every trial with an NCT number).",
        autocompletion=complete.trial_ids)] = None,
    registry_url: UrlOption = None,
    timeout: TimeoutOption = 30.0,
    retries: RetriesOption = 4,
    interval: IntervalOption = 1.2,
) -> None:
    """What changed on ClinicalTrials.gov since the dataset's review: status, enrolment, dates,
    results posted, last update; each with mscli's value and date beside the registry's.

    Fetches one API v2 record per NCT number. Exit 1 when a number is not on the registry;
    exit 5 when the registry cannot be reached or keeps failing.

    \b
    Examples:
      mscli registry check mesems
      mscli registry check --json | jq '.[] | select(.outcome == "changed") | .trial'
      MSCLI_CTGOV_URL=http://localhost:8000/api/v2 mscli registry check NCT01854957
    """
    import datetime

    from mscli.features import registry
    from mscli.queries import core

    store = open_store(out)
    dataset = core.dataset_for_trials(store, ids) if ids else store.dataset()
    pairs = registry.targets(dataset, ids or [])
    client = _client(registry_url, timeout, retries, interval)
    results = registry.check(dataset, pairs, client.study, datetime.date.today().isoformat())
    from mscli.output.registry_views import check_view  # once there is something to show
    view = check_view(results)
    emit(out, view)
    _notes_to_stderr(out, view.notes[:1])
    missing = [result["registration"] for result in results if result["outcome"] == "not-found"]
    if missing:
        warn(f"mscli: not found on ClinicalTrials.gov: {', '.join(missing)}")
        raise typer.Exit(int(ExitStatus.NOT_FOUND))


@registry_app.command("search")
@output_options()
def search(out: Output,
    include_excluded: Annotated[bool, typer.Option(
        "--include-excluded", help="Also list studies an earlier search excluded, with its reason.")] = False,
    max_pages: Annotated[int, typer.Option(
        "--max-pages", min=1, max=1000, help="Stop after this many pages of 100 studies.")] = 50,
    registry_url: UrlOption = None,
    timeout: TimeoutOption = 30.0,
    retries: RetriesOption = 4,
    interval: IntervalOption = 1.2,
) -> None:
    """Run the dataset's own ClinicalTrials.gov search strategy on the live registry and list the
    MS stem-cell studies the dataset does not have, ready for 'mscli import ctgov'.

    The strategy is the search log's (see 'mscli coverage'): MS studies whose titles,
    intervention names, keywords or sponsor match its expressions. Exit 5 when the registry
    cannot be reached or keeps failing.

    \b
    Examples:
      mscli registry search
      mscli registry search --json | jq -r '.[].registration'
      mscli registry search --include-excluded --format csv
    """
    from mscli.features import registry_search

    dataset = load(out)
    client = _client(registry_url, timeout, retries, interval)
    run = registry_search.search(dataset, lambda params: client.pages(params, max_pages), max_pages,
                                 include_excluded)
    from mscli.output.registry_views import search_view  # once there is something to show
    summary = {"studies": run.studies, "pages": run.pages, "matched": run.matched, "known": run.known,
               "excluded": run.excluded, "more": run.more, "include_excluded": include_excluded,
               "strategy": registry_search.strategy_ids(dataset)}
    view = search_view(run.finds, summary)
    emit(out, view)
    _notes_to_stderr(out, view.notes[:1] + view.notes[2:])


def _notes_to_stderr(out: Output, notes: list[str]) -> None:
    """Tables and Markdown print the view's notes; other formats keep stdout clean, so the
    summary goes to stderr instead."""
    from mscli.output.render import OutputFormat

    shown_in_output = out.fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN) or (
        out.fmt is None and terminal(out.color).is_tty)
    if not shown_in_output:
        for note in notes:
            warn(f"mscli: {note}")
