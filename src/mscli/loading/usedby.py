"""The records that use each glossary term, kept in the compiled store (``usedby.json``).

``mscli glossary TERM`` lists them. Found by scanning, that is every linked record's text
tested against the term's regexes; the store already knows each record's terms (``links``),
so its build writes the same answer turned around: for each term, in glossary order, the
records that use it as [type word, id], in the order of ``links.LINKED`` and then of the
dataset, which is the order the scan gives. Every glossary term has an entry, so a term with
none is damage, and the caller falls back to the scan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mscli.model.kinds import KINDS
from mscli.model.vocabularies import CollectionName

if TYPE_CHECKING:
    from mscli.model.records import Dataset


def reverse(dataset: Dataset, linked: Mapping[CollectionName, Sequence[Sequence[str]]]) -> dict[str, list[list[str]]]:
    """For each glossary term id, the [type word, id] of every record whose terms include it."""
    found: dict[str, list[list[str]]] = {term["id"]: [] for term in dataset["glossary"]}
    for collection, lists in linked.items():
        word = KINDS[collection].word
        for record, terms in zip(dataset[collection], lists, strict=True):
            for term in terms:
                found[term].append([word, record["id"]])
    return found


def read(path: Path, term_id: str) -> list[dict[str, str]] | None:
    """The records that use ``term_id``, as {type, id}; None when the file is missing or damaged."""
    try:
        stored = json.loads(path.read_bytes())
        uses: Any = stored[term_id]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    words = {kind.word for kind in KINDS.values()}
    if not isinstance(uses, list) or not all(
            isinstance(use, list) and len(use) == 2 and use[0] in words and isinstance(use[1], str) for use in uses):
        return None
    return [{"type": word, "id": record_id} for word, record_id in uses]
