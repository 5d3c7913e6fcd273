"""Filters for the listings that are not trials: studies, guidance and sources.

Each filter given must hold; several values of one filter mean any of them, as ``mscli
trials`` does, so a person learns one rule for every listing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from mscli.errors import UsageError
from mscli.queries.core import therapy_ids

if TYPE_CHECKING:
    from mscli.model.records import Dataset, Guidance, Source, Study

Record = TypeVar("Record", "Study", "Guidance", "Source")


class RecordFilter:
    """What a listing may be narrowed by; empty or None means no filter on it."""

    def __init__(self, therapies: Sequence[str] = (), kinds: Sequence[str] = (),
                 since: int | None = None, until: int | None = None, limit: int | None = None) -> None:
        if since is not None and until is not None and since > until:
            raise UsageError(f"--since {since} is after --until {until}")
        self.therapies, self.kinds = list(therapies), {str(kind) for kind in kinds}
        self.since, self.until, self.limit = since, until, limit


def _select(records: Sequence[Record], wanted: RecordFilter, therapies: set[str],
            therapies_of: Callable[[Record], list[str]] | None) -> list[Record]:
    def keep(record: Any) -> bool:
        year = record.get("year")
        if (wanted.since is not None or wanted.until is not None) and year is None:
            return False  # an undated record cannot be shown to fall in the years asked for
        return ((not wanted.kinds or str(record["kind"]) in wanted.kinds)
                and (not therapies or therapies_of is None or bool(therapies & set(therapies_of(record))))
                and (wanted.since is None or year >= wanted.since)
                and (wanted.until is None or year <= wanted.until))

    kept = [record for record in records if keep(record)]
    return kept[:wanted.limit] if wanted.limit else kept


def studies(dataset: Dataset, wanted: RecordFilter) -> list[Study]:
    therapies = set(therapy_ids(dataset, wanted.therapies))
    return _select(dataset["studies"], wanted, therapies, lambda study: [study["therapy"]])


def guidance(dataset: Dataset, wanted: RecordFilter) -> list[Guidance]:
    therapies = set(therapy_ids(dataset, wanted.therapies))
    return _select(dataset["guidance"], wanted, therapies, lambda item: list(item["therapies"]))


def sources(records: Sequence[Source], wanted: RecordFilter) -> list[Source]:
    """Sources have no therapy of their own; ``mscli sources ID`` narrows them to one record's."""
    return _select(records, wanted, set(), None)
