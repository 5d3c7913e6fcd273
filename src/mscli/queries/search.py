"""Search over every record type: all words must match; ids, names and registry numbers count most.

Which fields each record type offers, and their weights, come from ``model.kinds``.
"""

from __future__ import annotations

import itertools
import operator
import re
from typing import Any

from mscli.errors import UsageError
from mscli.model.kinds import KINDS, SearchEntry, search_entry
from mscli.model.records import CollectionName, Dataset
from mscli.queries.core import TrialSource, normalise_key

# Per collection: field names, their weights, and the fields (weight 10: ids, names, registry
# numbers) where the whole query matching a value exactly earns a bonus. Tuples, so a search
# scores each record with a few C-level calls instead of a Python loop over its fields.
_SEARCH_SHAPE: dict[CollectionName, tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]] = {
    collection: (tuple(name for name, _ in kind.search_fields), tuple(weight for _, weight in kind.search_fields),
                 tuple(index for index, (_, weight) in enumerate(kind.search_fields) if weight == 10))
    for collection, kind in KINDS.items()}


def _search_words(text: str) -> list[str]:
    words = [word for word in re.split(r"\W+", text.lower()) if word]
    if not words:
        raise UsageError("search needs at least one letter or digit")
    return list(dict.fromkeys(words))  # a repeated word counts once, and costs one pass


# A hit before it is shown: (-score, type, id, title, names of the fields, each field's count),
# so that hits sort by plain tuple comparison and only those shown become dicts.
_RawHit = tuple[int, str, str, str, tuple[str, ...], tuple[int, ...]]


def _hits(collection: CollectionName, entries: list[SearchEntry], words: list[str],
          phrase: str) -> list[_RawHit]:
    """The search hits among one collection's records: those with every word in some field.

    A hit scores each field's weight once per word it holds, plus 100 for each id-like field
    (weight 10) one of whose values is the whole query. The work is done a field at a time
    across all records, with C-level calls, so 100,000 trials score in a fraction of a second.
    Ids are lower-case slugs, so the lower-cased id field is the id itself.
    """
    if not entries:
        return []
    names, weights, exact = _SEARCH_SHAPE[collection]
    columns = list(zip(*(texts for _, texts in entries), strict=True))
    counts: list[list[int]] = [[0] * len(entries) for _ in columns]
    everywhere = [True] * len(entries)
    for word in words:
        present = [[word in value for value in column] for column in columns]
        everywhere = list(map(operator.and_, everywhere, map(any, zip(*present, strict=True))))
        counts = [list(map(operator.add, old, new)) for old, new in zip(counts, present, strict=True)]
    scores = [0] * len(entries)
    for weight, column_counts in zip(weights, counts, strict=True):
        scores = list(map(operator.add, scores, map(operator.mul, itertools.repeat(weight), column_counts)))
    if phrase:
        for index in exact:
            for row, count in enumerate(counts[index]):
                if count and phrase in (normalise_key(part) for part in columns[index][row].split(" | ")):
                    scores[row] += 100
    kind = KINDS[collection].word
    return [(-scores[row], kind, columns[0][row], entries[row][0], names, row_counts)
            for row, row_counts in enumerate(zip(*counts, strict=True)) if everywhere[row]]


def search(dataset: Dataset, text: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Records of every type containing all words of ``text``, best matches first."""
    return _ranked({collection: [search_entry(collection, record) for record in dataset[collection]]
                    for collection in KINDS}, text, limit)


def search_store(source: TrialSource, text: str, limit: int | None = None) -> list[dict[str, Any]]:
    """``search`` over a store: only the stored entries of trials holding every word are read."""
    entries: dict[CollectionName, list[SearchEntry]] = {
        collection: [search_entry(collection, record) for record in source.meta[collection]]
        for collection in KINDS if collection != "trials"}
    entries["trials"] = source.trial_search_entries(_search_words(text))
    return _ranked(entries, text, limit)


def _ranked(entries: dict[CollectionName, list[SearchEntry]], text: str, limit: int | None) -> list[dict[str, Any]]:
    words = _search_words(text)
    phrase = normalise_key(text)
    hits = [hit for collection in KINDS for hit in _hits(collection, entries[collection], words, phrase)]
    hits.sort()
    return [{"type": kind, "id": record_id, "title": title, "score": -negative_score,
             "matched": list(itertools.compress(names, counts))}
            for negative_score, kind, record_id, title, names, counts in (hits[:limit] if limit else hits)]
