"""Year ranges: a trial runs from its start to its end, an ongoing one to today, and a trial whose
recorded years cannot place it is counted as left out, never dropped without a word."""

from __future__ import annotations

import copy
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mscli.model.records import Status
from mscli.queries import core as queries
from mscli.queries.years import ONGOING, ran_in, span
from tests.conftest import minimal

FINISHED = [status.value for status in Status if status.value not in ONGOING]
YEARS = st.none() | st.integers(1990, 2040)


def trial(start: int | None, end: int | None, status: str = "completed") -> dict[str, object]:
    return {"start_year": start, "end_year": end, "status": status}


def possible_spans(start: int | None, end: int | None) -> list[tuple[int, int]]:
    """Every span of years, within 1980-2050, that a record with these years could describe."""
    starts = [start] if start is not None else range(1980, (end if end is not None else 2050) + 1)
    return [(first, last) for first in starts
            for last in ([end] if end is not None else range(first, 2051)) if last >= first]


@given(start=YEARS, end=YEARS, since=st.none() | st.integers(1985, 2045), until=st.none() | st.integers(1985, 2045),
       status=st.sampled_from(FINISHED))
def test_a_finished_trial_is_placed_only_when_every_span_its_record_allows_agrees(start, end, since, until, status):
    if start is not None and end is not None and end < start:
        start, end = end, start
    low, high = since if since is not None else 1900, until if until is not None else 2100
    overlaps = {first <= high and last >= low for first, last in possible_spans(start, end)}
    expected = True if since is None and until is None else (overlaps.pop() if len(overlaps) == 1 else None)
    assert ran_in(trial(start, end, status), since, until, this_year=2026) is expected


@pytest.mark.parametrize("status", sorted(ONGOING))
@pytest.mark.parametrize(("start", "end", "today", "expected"), [
    (2019, None, 2026, (2019, 2026)),   # open trial: runs to today
    (2019, 2022, 2026, (2019, 2026)),   # still under way after its planned end
    (2019, 2030, 2026, (2019, 2030)),   # planned end after today
    (2028, None, 2026, (2028, 2028)),   # not started yet: from its start, not from today
    (None, None, 2026, (None, 2026)),   # under way today, start unknown
])
def test_an_ongoing_trial_runs_at_least_to_today(status, start, end, today, expected):
    assert span(trial(start, end, status), today) == expected


@pytest.mark.parametrize("status", FINISHED)
def test_a_finished_trial_never_runs_to_today(status):
    assert span(trial(2019, None, status), 2026) == (2019, None)
    assert ran_in(trial(2019, None, status), 2024, None, 2026) is None


def test_without_a_clock_an_ongoing_trial_end_is_unknown():
    assert span(trial(2019, None, "recruiting"), None) == (2019, None)
    assert ran_in(trial(2019, None, "recruiting"), 2024, None, None) is None


@pytest.mark.parametrize(("since", "until", "expected"), [
    (2019, None, True), (2020, None, True), (2026, None, True), (2027, None, False),
    (None, 2019, True), (None, 2018, False), (2018, 2018, False), (2019, 2019, True),
    (2026, 2026, True), (2027, 2030, False), (2010, 2030, True),
])
def test_date_edges_of_a_trial_running_2019_to_today(since, until, expected):
    assert ran_in(trial(2019, None, "recruiting"), since, until, this_year=2026) is expected


@pytest.mark.parametrize(("since", "until", "expected"), [
    (2015, None, True), (2019, None, True), (2020, None, False),
    (None, 2015, True), (None, 2014, False), (2019, 2019, True), (2014, 2014, False), (2016, 2017, True),
])
def test_date_edges_of_a_completed_trial_2015_to_2019(since, until, expected):
    assert ran_in(trial(2015, 2019), since, until, this_year=2026) is expected


def test_no_range_keeps_every_trial_dated_or_not():
    assert ran_in(trial(None, None), None, None, None) is True


# --- through the filter and the command ----------------------------------------------------

def dataset_with_years() -> dict[str, object]:
    data = minimal()
    base = data["trials"][0]
    rows = [("open-phase3", 2019, None, "recruiting"), ("done", 2015, 2019, "completed"),
            ("no-years", None, None, "completed"), ("start-only", 2014, None, "completed"),
            ("recent", 2025, 2027, "not-yet-recruiting")]
    data["trials"] = []
    for number, (trial_id, start, end, status) in enumerate(rows, 1):
        data["trials"].append({**copy.deepcopy(base), "id": trial_id, "acronym": None, "phase": "3",
                               "registrations": [{"id": f"NCT0000000{number}"}], "start_year": start,
                               "end_year": end, "status": status, "status_checked": "2026-11-01"})
    return data


def ids(selection: queries.Selection) -> list[str]:
    return [t["id"] for t in selection.trials]


def test_filter_counts_what_it_cannot_place_and_includes_it_on_request():
    data = dataset_with_years()
    today = datetime.date(2026, 6, 1)
    recent = queries.filter_trials(data, queries.TrialFilter(since=2024, today=today))
    assert ids(recent) == ["open-phase3", "recent"]
    assert recent.undated_left_out == 2  # no-years; start-only (2014, end unknown)
    both = queries.filter_trials(data, queries.TrialFilter(since=2024, today=today, include_undated=True))
    assert ids(both) == ["open-phase3", "no-years", "start-only", "recent"]
    assert both.undated_left_out == 0
    early = queries.filter_trials(data, queries.TrialFilter(until=2013, today=today))
    assert ids(early) == [] and early.undated_left_out == 1  # start-only had not started; no-years unknown


def test_other_filters_apply_before_the_count():
    data = dataset_with_years()
    chosen = queries.filter_trials(data, queries.TrialFilter(since=2024, statuses=[Status.RECRUITING],
                                                             today=datetime.date(2026, 1, 1)))
    assert ids(chosen) == ["open-phase3"] and chosen.undated_left_out == 0


def test_trials_since_lists_an_open_trial_and_says_what_it_left_out(run, write_dataset):
    folder = str(write_dataset(dataset_with_years()))
    recruiting = run("trials", "--data", folder, "--since", "2024", "--status", "recruiting", "--json")
    assert [t["id"] for t in recruiting.json()] == ["open-phase3"]
    assert recruiting.stderr == ""
    result = run("trials", "--data", folder, "--since", "2024", "--json")
    assert [t["id"] for t in result.json()] == ["open-phase3", "recent"]
    assert ("2 trials left out because their records lack the years to place them in 2024 or later"
            in result.stderr)
    assert "--include-undated" in result.stderr
    included = run("trials", "--data", folder, "--since", "2024", "--include-undated", "--json")
    assert {t["id"] for t in included.json()} == {"open-phase3", "recent", "no-years", "start-only"}
    assert included.stderr == ""


def test_the_table_carries_the_note_itself(run, write_dataset):
    folder = str(write_dataset(dataset_with_years()))
    result = run("trials", "--data", folder, "--until", "2013", "--format", "table")
    assert "1 trial left out because its record lacks the years to place it in 2013 or earlier" in " ".join(
        result.stdout.split())
    assert "left out" not in result.stderr


def test_timeline_chart_counts_an_open_trial_and_says_what_it_left_out(run, write_dataset):
    folder = str(write_dataset(dataset_with_years()))
    result = run("timeline", "--data", folder, "--chart", "phase", "--since", "2024", "--json")
    assert result.json()[0]["trials"] == 2
    assert "2 trials left out" in result.stderr
    included = run("timeline", "--data", folder, "--chart", "phase", "--since", "2024", "--include-undated", "--json")
    assert included.json()[0]["trials"] == 4 and included.stderr == ""
