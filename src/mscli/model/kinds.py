"""The registry of record types: everything the rest of mscli needs to know about each kind of
record, in one table.

A record type is wired in here once: which collection holds it, what one record is called, the
command that lists them, which fields name it (for ``show``, ``cite`` and completion), which
fields ``search`` reads and how much each counts, what it is titled, and which output type
(``model.outputs``) its detail view publishes. Code elsewhere asks this table instead of
branching on a collection name, so a new type cannot be half-wired: ``KINDS`` must have an
entry for every ``CollectionName`` (checked at import and by mypy through ``assert_never``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_args

from mscli.model.records import COLLECTIONS, CollectionName


@dataclass(frozen=True)
class RecordKind:
    """What mscli knows about one record type."""

    collection: CollectionName
    word: str                  # one record, in output: "trial", "red flag"
    plural: str                # several records, in plain words
    command: str               # the command that lists them ("see 'mscli clinic' for the list")
    detail_type: str           # the output type a detail view publishes (``mscli schema``)
    title_field: str           # the field a record is titled by
    name_fields: tuple[str, ...]  # fields besides id and aliases that find a record
    search_fields: tuple[tuple[str, int], ...]  # searched fields and their weights (10: names)
    lookup_order: int          # order tried when an id could be any type (``show``, ``cite``)
    links_terms: bool = False  # its text is scanned for glossary terms (``terms``, ``used_by``)

    @property
    def record_type(self) -> type:
        return COLLECTIONS[self.collection][0]


_RISK = (("main_risks", 2), ("strongest_evidence", 1), ("who_benefits", 1), ("who_does_not_benefit", 1))

KINDS: dict[CollectionName, RecordKind] = {kind.collection: kind for kind in (
    RecordKind("trials", "trial", "trials", "trials", "trial-detail", "title",
               ("acronym", "registrations"),
               (("id", 10), ("acronym", 10), ("aliases", 10), ("registrations", 10), ("title", 5),
                ("result", 1), ("primary_endpoint", 1), ("countries", 1), ("eligibility", 1)),
               0, links_terms=True),
    RecordKind("therapies", "therapy", "therapies", "therapies", "therapy-detail", "name", ("name",),
               (("id", 10), ("aliases", 10), ("name", 5), ("summary", 1), ("mechanism", 1),
                ("cell_source", 1), *_RISK),
               1, links_terms=True),
    RecordKind("studies", "study", "studies", "studies", "study-detail", "title", (),
               (("id", 10), ("aliases", 10), ("title", 5), ("summary", 1), ("finding", 1)),
               2, links_terms=True),
    RecordKind("guidance", "guidance", "guidance documents", "guidance", "guidance-detail", "title", (),
               (("id", 10), ("title", 5), ("publisher", 3), ("summary", 1), ("key_points", 1)),
               3, links_terms=True),
    RecordKind("glossary", "term", "glossary terms", "glossary", "term-detail", "term", ("term",),
               (("id", 10), ("term", 10), ("aliases", 10), ("definition", 1)),
               4, links_terms=True),
    RecordKind("red_flags", "red flag", "red flags", "clinic", "red-flag-detail", "title", (),
               (("id", 10), ("title", 5), ("why", 1), ("questions", 1)),
               5, links_terms=True),
    RecordKind("outcomes", "outcome finding", "outcome findings", "compare --by outcome", "outcome-detail",
               "measure", (),
               (("id", 10), ("measure", 5), ("outcome", 3), ("evidence", 1), ("finding", 1),
                ("figures", 1)),
               6),
    RecordKind("searches", "search", "searches", "coverage", "search-detail", "query", (),
               (("id", 10), ("database", 5), ("query", 3), ("note", 1)),
               7),
    RecordKind("sources", "source", "sources", "sources", "source-detail", "title",
               ("doi", "pmid", "registry_id"),
               (("id", 10), ("registry_id", 10), ("doi", 10), ("pmid", 10), ("title", 5),
                ("publisher", 3), ("authors", 2)),
               8),
)}

if set(KINDS) != set(get_args(CollectionName)):  # pragma: no cover - a wiring mistake, found at import
    raise RuntimeError(f"record kinds out of step with CollectionName: {set(KINDS) ^ set(get_args(CollectionName))}")

# Collections in the order an id of unknown type is looked up: trials and therapies first.
LOOKUP_ORDER: tuple[CollectionName, ...] = tuple(sorted(KINDS, key=lambda name: KINDS[name].lookup_order))


def kind_of_word(word: str) -> RecordKind:
    """The kind whose singular word is ``word`` (as search hits and diffs name their type)."""
    for kind in KINDS.values():
        if kind.word == word:
            return kind
    raise KeyError(word)


def names_of(collection: CollectionName, record: Any) -> list[str]:
    """Every name a record can be found by: id, aliases and its kind's name fields."""
    names = [record["id"], *(record.get("aliases") or [])]
    for field in KINDS[collection].name_fields:
        value = record.get(field)
        if isinstance(value, list):
            names.extend(item["id"] if isinstance(item, dict) else str(item) for item in value)
        elif value:
            names.append(str(value))
    return names


def normalise_key(text: str) -> str:
    """The form ids, aliases and registry numbers are compared in (and the store indexes them in)."""
    text = text.strip().lower()
    text = re.sub(r"^(eudract|eudract number|euctr)[\s:#-]*", "", text)
    return re.sub(r"[\s_]+", " ", text)


def field_text(value: Any) -> str:
    """A field's value as searchable text (lists and mappings joined with " | ")."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return " | ".join(field_text(item) for key, item in value.items() if key != "source")
    if isinstance(value, list):
        return " | ".join(_list_item_text(item) for item in value)
    return str(value)


def _list_item_text(item: Any) -> str:
    """A record in a list reads as its id; other mappings (criterion wording) as their text."""
    if isinstance(item, dict):
        return str(item["id"]) if "id" in item else field_text(item)
    return str(item)


# What search needs of a record: its title, and the lower-cased text of each searched field in
# the kind's order. The compiled cache stores one per trial, so no trial is parsed to search.
SearchEntry = tuple[str, list[str]]


def search_entry(collection: CollectionName, record: Any) -> SearchEntry:
    fields = KINDS[collection].search_fields
    values = [field_text(record.get(name)) for name, _ in fields]
    return title_of(collection, record), [value.lower() for value in values]


def title_of(collection: CollectionName, record: Any) -> str:
    """The title a record is listed under (a trial's acronym first)."""
    title = field_text(record.get(KINDS[collection].title_field))
    if collection == "trials" and record.get("acronym"):
        return f"{record['acronym']}: {title}"
    return title
