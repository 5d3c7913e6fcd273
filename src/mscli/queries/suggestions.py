"""Did-you-mean suggestions: the closest real ids and values to something nobody has."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mscli.errors import unknown
from mscli.model.kinds import KINDS, names_of, normalise_key
from mscli.model.vocabularies import CollectionName

if TYPE_CHECKING:
    from mscli.model.records import Dataset


def suggest(query: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Close spellings of ``query`` among ``candidates``, best first."""
    import difflib

    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(normalise_key(candidate), candidate)
    close = difflib.get_close_matches(normalise_key(query[:200]), list(by_key), n=limit, cutoff=0.6)
    return [by_key[key] for key in close]


def suggest_ids(query: str, named: Iterable[tuple[str, Iterable[str]]], limit: int = 3) -> list[str]:
    """Ids of the records whose id, alias or name is closest to ``query``, best first.

    Suggesting the id (not the alias or name that matched) gives a person the word that works
    next time, and one record is never offered twice under different names. A query written
    inside a name without its spaces ("stemcell" in "neural stem cells") counts as close too.
    """
    import difflib

    wanted = normalise_key(query[:200])
    packed_query = re.sub(r"[\W_]+", "", wanted)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(wanted)
    scores: dict[str, float] = {}
    for record_id, names in named:
        best = 0.0
        for name in names:
            key = normalise_key(name)
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
                best = max(best, matcher.ratio())
            packed = re.sub(r"[\W_]+", "", key)
            if len(packed_query) >= 3 and packed_query in packed:
                best = max(best, 0.6 + 0.4 * len(packed_query) / len(packed))
        if best >= 0.6:
            scores[record_id] = max(scores.get(record_id, 0.0), best)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [record_id for record_id, _ in ranked[:limit]]


def not_found_message(dataset: Dataset, collection: CollectionName, query: str) -> str:
    """The one-line error for an id nobody has, with the ids closest to it and where to look."""
    suggestions = suggest_ids(query, ((record["id"], names_of(collection, record))
                                      for record in dataset[collection]))
    return unknown(KINDS[collection].word, query, suggestions,
                   f"see 'mscli {KINDS[collection].command}' for the list")
