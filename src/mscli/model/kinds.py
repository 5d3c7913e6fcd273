"""The registry of record types: everything the rest of mscli needs to know about each kind of
record, in one table.

A record type is wired in here once: which collection holds it, what one record is called, the
command that lists them, which fields name it (for ``show``, ``cite`` and completion), which
fields ``search`` reads and how much each counts, what it is titled, and which output type
(``model.outputs``) its detail view publishes. Code elsewhere asks this table instead of
branching on a collection name, so a new type cannot be half-wired: ``KINDS`` must have an
entry for every ``CollectionName`` (checked at import and by mypy through ``assert_never``).
"""

import re
from typing import Any, NamedTuple, cast, get_args

from mscli.model.vocabularies import CollectionName


class RecordKind(NamedTuple):
    """What mscli knows about one record type (a named tuple: immutable like a frozen
    dataclass, built in a fifth of the time, and without importing dataclasses on every run)."""

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
        from mscli.model.records import COLLECTIONS  # the record types: only for their fields

        return COLLECTIONS[self.collection][0]


# Searched fields per record type, with weights: 10 for names (ids, aliases, registry numbers,
# DOIs), 5 for titles, 2-3 for what a record is about or found, 1 for the rest. Every field of
# text a person might remember a record by is here; ``tests/test_search.py`` checks that no
# text field of a record type is left out.
_TRIAL_FIELDS = (("id", 10), ("acronym", 10), ("aliases", 10), ("registrations", 10), ("title", 5),
                 ("therapy", 3), ("status", 2), ("result", 2), ("adverse_events", 2), ("primary_endpoint", 2),
                 ("conditions", 1), ("interventions", 1), ("arms", 1), ("eligibility", 1), ("dose", 1),
                 ("why_stopped", 1), ("countries", 1), ("locations", 1), ("sponsor", 1), ("collaborators", 1),
                 ("differences", 1), ("posted_outcomes", 1))
_THERAPY_FIELDS = (("id", 10), ("aliases", 10), ("name", 5), ("summary", 2), ("main_risks", 2),
                   ("strongest_evidence", 1), ("mechanism", 1), ("cell_source", 1), ("who_benefits", 1),
                   ("who_does_not_benefit", 1))

KINDS: dict[CollectionName, RecordKind] = {kind.collection: kind for kind in (
    RecordKind("trials", "trial", "trials", "trials", "trial-detail", "title",
               ("acronym", "registrations"), _TRIAL_FIELDS, 0, links_terms=True),
    RecordKind("therapies", "therapy", "therapies", "therapies", "therapy-detail", "name", ("name",),
               _THERAPY_FIELDS, 1, links_terms=True),
    RecordKind("studies", "study", "studies", "studies", "study-detail", "title", (),
               (("id", 10), ("aliases", 10), ("title", 5), ("therapy", 3), ("finding", 2), ("summary", 1),
                ("countries", 1)),
               2, links_terms=True),
    RecordKind("guidance", "guidance", "guidance documents", "guidance", "guidance-detail", "title", (),
               (("id", 10), ("title", 5), ("publisher", 3), ("therapies", 3), ("summary", 1), ("key_points", 1),
                ("benefit_profile", 1), ("countries", 1)),
               3, links_terms=True),
    RecordKind("glossary", "term", "glossary terms", "glossary", "term-detail", "term", ("term",),
               (("id", 10), ("term", 10), ("aliases", 10), ("definition", 2)),
               4, links_terms=True),
    RecordKind("red_flags", "red flag", "red flags", "clinic", "red-flag-detail", "title", (),
               (("id", 10), ("title", 5), ("why", 1), ("questions", 1), ("check_note", 1), ("phrases", 1)),
               5, links_terms=True),
    RecordKind("outcomes", "outcome finding", "outcome findings", "compare --by outcome", "outcome-detail",
               "measure", (),
               (("id", 10), ("measure", 5), ("therapy", 3), ("outcome", 3), ("finding", 2), ("evidence", 1),
                ("figures", 1), ("follow_up", 1), ("certainty", 1)),
               6),
    RecordKind("searches", "search", "searches", "coverage", "search-detail", "query", (),
               (("id", 10), ("database", 5), ("query", 3), ("note", 1), ("excluded", 1)),
               7),
    RecordKind("sources", "source", "sources", "sources", "source-detail", "title",
               ("doi", "pmid", "registry_id"),
               (("id", 10), ("registry_id", 10), ("doi", 10), ("pmid", 10), ("title", 5),
                ("publisher", 3), ("authors", 2)),
               8),
)}

# Searched fields that hold names, slugs or lists of them rather than sentences: a snippet
# comes from one of these only when no sentence holds the words.
TERSE_FIELDS = frozenset({"id", "acronym", "aliases", "registrations", "therapy", "therapies", "status",
                          "countries", "term", "registry_id", "doi", "pmid", "outcome", "database",
                          "collaborators", "sponsor", "conditions"})
# Fields whose name says what their text is about, searched with that name before the text, so
# "aHSCT risks" and "who benefits from aHSCT" find the fields that answer them.
FIELD_TOPICS = {"main_risks": "risks", "who_benefits": "who benefits", "who_does_not_benefit": "who does not benefit",
                "adverse_events": "adverse events", "why_stopped": "why stopped",
                "posted_outcomes": "posted results"}
# Fields whose value is one slug of a vocabulary and must match whole: a search for
# "recruiting" finds trials that are recruiting, not those "active-not-recruiting".
WHOLE_SLUG_FIELDS = frozenset({"status"})

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


_EUDRACT_PREFIX = re.compile(r"^(eudract|eudract number|euctr)[\s:#-]*")
_SPACES = re.compile(r"[\s_]+")


def normalise_key(text: str) -> str:
    """The form ids, aliases and registry numbers are compared in (and the store indexes them in)."""
    text = text.strip().lower()
    if text.startswith(("eudract", "euctr")):  # the only texts the prefix pattern can match
        text = _EUDRACT_PREFIX.sub("", text)
    return _SPACES.sub(" ", text)


def field_text(value: Any) -> str:
    """A field's value as searchable text (lists and mappings joined with " | ")."""
    kind = type(value)
    if kind is str:  # most values: tested first, by exact type, since a compile asks millions of times
        return cast(str, value)
    if value is None:
        return ""
    if kind is list or isinstance(value, list):
        return " | ".join([item if type(item) is str else _list_item_text(item) for item in value])
    if isinstance(value, dict):
        return " | ".join([item if type(item) is str else "" if item is None else field_text(item)
                           for key, item in value.items() if key != "source"])
    return str(value)


def _list_item_text(item: Any) -> str:
    """A record in a list reads as its id; other mappings (criterion wording) as their text."""
    if isinstance(item, dict):
        return str(item["id"]) if "id" in item else field_text(item)
    return str(item)


# How each searched field's text is made from its value: 0 as it is, 1 a whole slug, 2 after its topic.
_AS_IS, _WHOLE_SLUG, _TOPIC = 0, 1, 2
_HOW = {collection: tuple((name, _WHOLE_SLUG if name in WHOLE_SLUG_FIELDS else _TOPIC if name in FIELD_TOPICS
                           else _AS_IS) for name, _ in kind.search_fields)
        for collection, kind in KINDS.items()}


def search_texts(collection: CollectionName, record: Any) -> list[str]:
    """The text of each searched field of a record, in its kind's order, as written (not lowered).

    The index is built from these and snippets are cut from them, so what is marked in a
    snippet is always what was indexed. A compile needs them twice for each trial (index and
    hit texts): a caller holding both can compute them once here and hand the list to each.
    """
    texts = []
    get = record.get
    for name, how in _HOW[collection]:
        value = get(name)
        text = value if type(value) is str else "" if value is None else field_text(value)
        if how == _WHOLE_SLUG:
            text = text.replace("-", "_")
        elif how == _TOPIC and text:
            text = f"{FIELD_TOPICS[name]}: {text}"
        texts.append(text)
    return texts


def search_text(name: str, value: Any) -> str:
    """One searched field's text (see ``search_texts``)."""
    text = field_text(value)
    if name in WHOLE_SLUG_FIELDS:
        return text.replace("-", "_")
    if text and name in FIELD_TOPICS:
        return f"{FIELD_TOPICS[name]}: {text}"
    return text


def title_of(collection: CollectionName, record: Any) -> str:
    """The title a record is listed under (a trial's acronym first)."""
    title = field_text(record.get(KINDS[collection].title_field))
    if collection == "trials" and record.get("acronym"):
        return f"{record['acronym']}: {title}"
    return title
