"""Whether a trial ran in a range of years, from the years its record holds.

A trial runs from its start year to its end year. A trial still under way (recruiting, not yet
recruiting, active, enrolling by invitation) runs at least to today, whatever end it planned:
treating it as ending in its start year hid open trials from every later range. "Today" is
passed in, never read from a clock here, so the same question always gets the same answer.

A record with a year missing can still settle some ranges (a trial that started in 2015 ran
in 2015, and had not yet run in 2010); where it cannot, the answer is None, so that callers
count such trials as left out instead of dropping them without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mscli.model.vocabularies import Status

ONGOING = frozenset({Status.RECRUITING.value, Status.NOT_YET_RECRUITING.value,
                     Status.ACTIVE_NOT_RECRUITING.value, Status.ENROLLING_BY_INVITATION.value})


def span(trial: Mapping[str, Any], this_year: int | None) -> tuple[int | None, int | None]:
    """First and last year the trial ran, None where the record cannot tell."""
    start, end = trial["start_year"], trial["end_year"]
    if trial["status"] in ONGOING and this_year is not None:
        end = max(year for year in (start, end, this_year) if year is not None)
    return start, end


def ran_in(trial: Mapping[str, Any], since: int | None, until: int | None, this_year: int | None) -> bool | None:
    """True if the trial ran in any part of ``since``..``until`` (both inclusive, either open),
    False if it certainly did not, None if its recorded years cannot tell."""
    if since is None and until is None:
        return True
    low = since if since is not None else -10_000
    high = until if until is not None else 10_000
    start, end = span(trial, this_year)
    if start is not None and end is not None:
        return start <= high and end >= low
    if start is not None:  # ran in its start year, perhaps later too
        if start > high:
            return False
        return True if start >= low else None
    if end is not None:  # ran in its end year, perhaps earlier too
        if end < low:
            return False
        return True if end <= high else None
    return None
