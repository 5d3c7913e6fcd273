"""The evidence in time order, and counts of trials and participants by therapy, phase or year.

Events come only from dates and years the dataset holds: a trial's start and completion years,
the dates of its publications, the years of studies and guidance. Nothing is estimated. The
counts use the same headline enrolment figure as every other command
(``queries.enrolment_figure``) and keep actual and planned participants apart, because adding a
recruitment target to a reported total would overstate what was done. No drawing here.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mscli.errors import UsageError
from mscli.model.choices import ChartBy
from mscli.model.events import EventKind
from mscli.model.evidence_terms import EnrolmentKind
from mscli.model.vocabularies import Phase, Status
from mscli.queries import core as queries

if TYPE_CHECKING:
    from mscli.model.records import Dataset, Source, Trial

UNKNOWN_YEAR = "unknown"
_KIND_ORDER = {kind: index for index, kind in enumerate(EventKind)}
_FINISHED = {Status.COMPLETED.value, Status.TERMINATED.value}


@dataclass(frozen=True)
class Window:
    """Which events and trials to include: therapies (any of them) and a range of years.

    For the trial counts, a trial is in the range if it ran in any part of it, an ongoing one
    up to ``today``; ``include_undated`` counts those whose recorded years cannot tell.
    """

    therapies: Sequence[str] = ()
    since: int | None = None
    until: int | None = None
    today: datetime.date | None = None
    include_undated: bool = False


def _event(when: str | int, kind: EventKind, record_type: str, record_id: str, title: str,
           therapies: list[str], source: str | None = None) -> dict[str, Any]:
    date = str(when)
    return {"date": date, "year": int(date[:4]), "kind": kind.value, "record_type": record_type,
            "id": record_id, "title": title, "therapies": therapies, "source": source}


def _trial_title(trial: Trial) -> str:
    return f"{trial['acronym']}: {trial['title']}" if trial["acronym"] else trial["title"]


def _trial_events(trial: Trial, sources: dict[str, Source]) -> list[dict[str, Any]]:
    title = _trial_title(trial)
    therapies = [trial["therapy"]]
    events = []
    if trial["start_year"] is not None:
        events.append(_event(trial["start_year"], EventKind.TRIAL_START, "trial", trial["id"], title, therapies))
    if trial["end_year"] is not None:
        kind = (EventKind.TRIAL_COMPLETION if trial["status"] in _FINISHED
                else EventKind.TRIAL_COMPLETION_PLANNED)
        events.append(_event(trial["end_year"], kind, "trial", trial["id"], title, therapies))
    for source_id in trial["publications"]:
        source = sources.get(source_id)
        when = source and (source["date"] or source["year"])
        if source is None or not when:
            continue
        kind = EventKind.TRIAL_PROTOCOL if source["kind"] == "protocol" else EventKind.TRIAL_PUBLICATION
        events.append(_event(when, kind, "trial", trial["id"], title, therapies, source_id))
    return events


def events(dataset: Dataset, window: Window) -> list[dict[str, Any]]:
    """Every dated event in the window, oldest first (a bare year sorts before its dates)."""
    _check_years(window)
    wanted = set(queries.therapy_ids(dataset, window.therapies))
    found: list[dict[str, Any]] = []
    sources = queries.source_index(dataset)
    for trial in dataset["trials"]:
        found += _trial_events(trial, sources)
    for study in dataset["studies"]:
        if study["year"] is not None:
            found.append(_event(study["year"], EventKind.STUDY, "study", study["id"], study["title"],
                                [study["therapy"]]))
    for guidance in dataset["guidance"]:
        if guidance["year"] is not None:
            found.append(_event(guidance["year"], EventKind(guidance["kind"]), "guidance", guidance["id"],
                                guidance["title"], list(guidance["therapies"])))
    chosen = [event for event in found
              if (not wanted or wanted & set(event["therapies"]))
              and (window.since is None or event["year"] >= window.since)
              and (window.until is None or event["year"] <= window.until)]
    return sorted(chosen, key=lambda e: (e["year"], len(e["date"]) > 4, e["date"],
                                         _KIND_ORDER[EventKind(e["kind"])], e["id"]))


def _check_years(window: Window) -> None:
    if window.since is not None and window.until is not None and window.since > window.until:
        raise UsageError(f"--since {window.since} is after --until {window.until}")


def _group_of(trial: Trial, by: ChartBy) -> str:
    if by is ChartBy.THERAPY:
        return trial["therapy"]
    if by is ChartBy.PHASE:
        return trial["phase"]
    return str(trial["start_year"]) if trial["start_year"] is not None else UNKNOWN_YEAR


def _group_order(dataset: Dataset, by: ChartBy, groups: set[str]) -> list[str]:
    if by is ChartBy.THERAPY:
        known = [therapy["id"] for therapy in dataset["therapies"]]
        return [group for group in known if group in groups] + sorted(groups - set(known))
    if by is ChartBy.PHASE:
        return [phase.value for phase in Phase if phase.value in groups]
    years = sorted(group for group in groups if group != UNKNOWN_YEAR)
    return years + ([UNKNOWN_YEAR] if UNKNOWN_YEAR in groups else [])


def trial_counts(dataset: Dataset, by: ChartBy, window: Window) -> tuple[list[dict[str, Any]], int]:
    """Trials and participants per group, for trials of the chosen therapies running in the years,
    and how many trials the years left out because their records cannot place them.

    Participants are summed per kind of headline figure (actual, planned, analysed), never
    mixed; ``trials_without_figure`` counts trials with no enrolment figure at all.
    """
    _check_years(window)
    selection = queries.filter_trials(dataset, queries.TrialFilter(
        therapies=list(window.therapies), since=window.since, until=window.until, today=window.today,
        include_undated=window.include_undated))
    rows: dict[str, dict[str, Any]] = {}
    for trial in selection.trials:
        group = _group_of(trial, by)
        row = rows.setdefault(group, {"group": group, "trials": 0,
                                      **{f"participants_{kind.value}": 0 for kind in EnrolmentKind},
                                      "trials_without_figure": 0})
        row["trials"] += 1
        figure = queries.enrolment_figure(trial)
        if figure is None:
            row["trials_without_figure"] += 1
        else:
            row[f"participants_{figure[1]}"] += figure[0]
    return [rows[group] for group in _group_order(dataset, by, set(rows))], selection.undated_left_out
