"""What dataset is in use: version, review date and its age, and how many records of each kind."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from mscli import SCHEMA_VERSION
from mscli.model.vocabularies import COLLECTION_NAMES
from mscli.queries import coverage as _search_log

if TYPE_CHECKING:
    from mscli.model.records import Dataset

STALE_AFTER_DAYS = 365


def info(dataset: Dataset, today: datetime.date | None = None) -> dict[str, Any]:
    """Version, review date, whether that date is over a year old, and record counts."""
    reviewed = dataset["dataset"]["reviewed"]
    age = days_since_review(dataset, today)
    sources = dataset["sources"]
    return {
        "title": dataset["dataset"]["title"],
        "version": dataset["dataset"]["version"],
        "reviewed": reviewed,
        "days_since_review": age,
        "stale": age > STALE_AFTER_DAYS,
        "counts": {name: len(dataset[name]) for name in COLLECTION_NAMES},
        "studies": _search_log.study_counts(dataset),
        "coverage": _search_log.coverage_summary(dataset),
        "unverified_sources": sum(1 for source in sources if not source["verified"]),
        "trials_by_therapy": trials_by_therapy(dataset),
        "schema_version": SCHEMA_VERSION,
    }


def trials_by_therapy(dataset: Dataset) -> dict[str, int]:
    counts = {therapy["id"]: 0 for therapy in dataset["therapies"]}
    for trial in dataset["trials"]:
        counts[trial["therapy"]] = counts.get(trial["therapy"], 0) + 1
    return counts


def days_since_review(dataset: Dataset, today: datetime.date | None = None) -> int:
    reviewed = datetime.date.fromisoformat(dataset["dataset"]["reviewed"])
    return ((today or datetime.date.today()) - reviewed).days


def stale_notice(dataset: Dataset, today: datetime.date | None = None) -> str | None:
    """Run on every command, so it looks only at the review date."""
    age = days_since_review(dataset, today)
    if age <= STALE_AFTER_DAYS:
        return None
    return (f"note: this dataset was last reviewed on {dataset['dataset']['reviewed']}, "
            f"{age} days ago; newer evidence may exist")
