"""A printable summary of chosen records, as plain data: what ``mscli report`` writes.

The report is built here and written by ``report_format``, so the content (which facts, in
which order, citing which sources) is decided once for every output format, and the writers
never see the dataset. Every fact keeps the numbers of the sources behind it; the sources are
numbered in the order the report first cites them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, assert_never

from mscli.model.labels import NOTICE
from mscli.output.copies import copy_text
from mscli.output.views import design_text, eligibility_text, text, years_text
from mscli.queries import core as queries
from mscli.queries import info as dataset_info

if TYPE_CHECKING:
    from mscli.model.records import CollectionName, Dataset, Source

REPORT_TITLE = "Stem cell therapies for multiple sclerosis: evidence summary"
PURPOSE = ("This summary lists what the cited sources say about the chosen therapies and "
           "trials, and marks what could not be checked. It was printed from the mscli "
           "dataset to bring to an appointment; it is not a recommendation.")
QUESTIONS_HEADING = "Questions to discuss with my neurologist"
QUESTION_LINES = 6
AVAILABILITY = {
    "standard-care-some-countries": "standard care in some countries",
    "trials-only": "only in clinical trials",
    "research-only": "research only",
    "unproven": "unproven",
}


class Entry(NamedTuple):
    """One piece of text from the dataset, the sources it rests on, and whether it was checked."""

    text: str
    refs: tuple[int, ...] = ()
    unverified: bool = False


class Fact(NamedTuple):
    """A labelled value; ``listed`` facts are shown as a list even with a single entry."""

    label: str
    entries: tuple[Entry, ...]
    listed: bool = False


class Table(NamedTuple):
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Entry, ...], ...]


class Section(NamedTuple):
    """One chosen record: its kind ("therapy", "trial", ...), facts and tables."""

    kind: str
    record_id: str
    heading: str
    facts: tuple[Fact, ...]
    tables: tuple[Table, ...]
    refs: tuple[int, ...]


class CitedSource(NamedTuple):
    number: int
    source: Source


class Report(NamedTuple):
    title: str
    generated: str
    dataset_title: str
    dataset_version: str
    dataset_reviewed: str
    stale_note: str | None
    notice: str
    purpose: str
    sections: tuple[Section, ...]
    sources: tuple[CitedSource, ...]
    questions_heading: str
    question_lines: int


class _Citations:
    """Numbers sources in the order first cited, so [1] is the first source the reader meets."""

    def __init__(self, dataset: Dataset) -> None:
        self.index = queries.source_index(dataset)
        self.numbers: dict[str, int] = {}

    def refs(self, source_ids: Iterable[str]) -> tuple[int, ...]:
        found: list[int] = []
        for source_id in source_ids:
            if source_id not in self.index:
                continue
            number = self.numbers.setdefault(source_id, len(self.numbers) + 1)
            if number not in found:
                found.append(number)
        return tuple(found)

    def cited(self) -> tuple[CitedSource, ...]:
        return tuple(CitedSource(number, self.index[source_id])
                     for source_id, number in sorted(self.numbers.items(), key=lambda item: item[1]))


def words(value: str) -> str:
    """A vocabulary value (``not-yet-recruiting``) as words."""
    return value.replace("-", " ")


def _text(value: Any) -> str:
    """``views.text``, except that a list always stays on one line (a report cell is inline)."""
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return text(value)


def _unverified(record: Any, *fields: str) -> bool:
    return bool(set(fields) & set(record.get("unverified") or []))


def _fact(record: Any, label: str, name: str, value: Any = None) -> Fact | None:
    """The field ``name`` of ``record`` (or ``value`` shown for it) as a fact; None if empty.

    Facts rest on the record's own sources, listed once under its heading, so they carry no
    references of their own; only values with a source of their own (enrolment, eligibility)
    do.
    """
    shown = _text(record.get(name) if value is None else value)
    if not shown:
        return None
    return Fact(label, (Entry(shown, (), _unverified(record, name)),))


def _listed(record: Any, label: str, name: str, items: Sequence[Any]) -> Fact | None:
    if not items:
        return None
    flag = _unverified(record, name)
    return Fact(label, tuple(Entry(_text(item), (), flag) for item in items), listed=True)


def _present(facts: Iterable[Fact | None]) -> tuple[Fact, ...]:
    return tuple(fact for fact in facts if fact is not None)


def build(dataset: Dataset, record_queries: Sequence[str], today: datetime.date | None = None,
          links: Mapping[str, Sequence[str]] | None = None) -> Report:
    """The report on the records named by ``record_queries`` (ids, aliases, registry numbers).

    Unknown names raise ``NotFoundError`` with suggestions; a record named twice (say by id and
    by registry number) appears once, where it was first named. ``links``: the glossary terms
    the store kept (``Store.links``), so a trial's details need no text matching.
    """
    chosen: list[tuple[CollectionName, Any]] = []
    for query in record_queries:
        collection, record = queries.find_any(dataset, query)
        if all(record["id"] != seen["id"] for _, seen in chosen):
            chosen.append((collection, record))
    citations = _Citations(dataset)
    sections = tuple(_section(dataset, collection, record, citations, links) for collection, record in chosen)
    info = dataset["dataset"]
    return Report(
        title=REPORT_TITLE,
        generated=(today or datetime.date.today()).isoformat(),
        dataset_title=info["title"], dataset_version=info["version"], dataset_reviewed=info["reviewed"],
        stale_note=dataset_info.stale_notice(dataset, today),
        notice=NOTICE, purpose=PURPOSE, sections=sections, sources=citations.cited(),
        questions_heading=QUESTIONS_HEADING, question_lines=QUESTION_LINES,
    )


def _section(dataset: Dataset, collection: CollectionName, record: Any, citations: _Citations,
             links: Mapping[str, Sequence[str]] | None) -> Section:
    match collection:
        case "therapies":
            return _therapy_section(dataset, record, citations)
        case "trials":
            return _trial_section(dataset, record, citations, links)
        case "studies":
            return _study_section(dataset, record, citations)
        case "guidance":
            return _guidance_section(dataset, record, citations)
        case "glossary":
            return _plain_section(record, citations, "term", f"Term: {record['term']}",
                                  (("Meaning", "definition"),))
        case "red_flags":
            return _plain_section(record, citations, "red flag", f"Warning sign: {record['title']}",
                                  (("Why it matters", "why"), ("Questions to ask", "questions")))
        case "outcomes":
            return _plain_section(record, citations, "outcome finding", f"Finding: {record['measure']}",
                                  (("Therapy", "therapy"), ("Evidence", "evidence"), ("What was found", "finding"),
                                   ("Participants", "n"), ("Follow-up", "follow_up"), ("Figures", "figures")))
        case "searches":
            return _plain_section(record, citations, "search", f"Search of {record['database']}",
                                  (("Query", "query"), ("Run on", "date"), ("Registrations found", "found"),
                                   ("Trials included", "included")))
        case "sources":
            return _source_section(record, citations)
        case _:
            assert_never(collection)


def _plain_section(record: Any, citations: _Citations, kind: str, heading: str,
                   fields: tuple[tuple[str, str], ...]) -> Section:
    """A section listing some fields of a record, for types with no section of their own."""
    facts = _present([_fact(record, label, name) for label, name in fields])
    return Section(kind, record["id"], heading, facts, (), citations.refs(record["sources"]))


def _therapy_name(dataset: Dataset, therapy_id: str) -> str:
    for therapy in dataset["therapies"]:
        if therapy["id"] == therapy_id:
            return therapy["name"]
    return therapy_id


def _therapy_section(dataset: Dataset, therapy: Any, citations: _Citations) -> Section:
    refs = citations.refs(therapy["sources"])
    guidance = [g for g in dataset["guidance"] if therapy["id"] in g["therapies"]]
    guidance_entries = tuple(
        Entry(f"{g['publisher']}{' (' + str(g['year']) + ')' if g['year'] else ''}, "
              f"{g['title']}: {g['summary']}", citations.refs(g["sources"]),
              _unverified(g, "publisher", "year", "title", "summary"))
        for g in guidance)
    facts = _present([
        _fact(therapy, "Also called", "aliases"),
        _fact(therapy, "Availability", "availability", AVAILABILITY.get(therapy["availability"])),
        _fact(therapy, "What it is", "summary"),
        _fact(therapy, "Where the cells come from", "cell_source"),
        _fact(therapy, "How it is meant to work", "mechanism"),
        _fact(therapy, "Chemotherapy", "chemotherapy", words(therapy["chemotherapy"])),
        _fact(therapy, "Strongest evidence so far", "strongest_evidence"),
        _listed(therapy, "Main risks", "main_risks", therapy["main_risks"]),
        _fact(therapy, "Who benefits, per current evidence", "who_benefits"),
        _fact(therapy, "Who is unlikely to benefit", "who_does_not_benefit"),
        Fact("What guidance says", guidance_entries, listed=True) if guidance_entries else None,
    ])
    trials = queries.sort_trials([t for t in dataset["trials"] if t["therapy"] == therapy["id"]],
                                 queries.SortKey.START)
    tables = []
    if trials:
        tables.append(Table(
            f"Trials of {therapy['name']} in this dataset",
            ("Trial", "Registry numbers", "Phase", "Status", "Years", "Enrolment", "Design", "Outcome"),
            tuple(_trial_row(dataset, trial, citations) for trial in trials)))
    studies = [s for s in dataset["studies"] if s["therapy"] == therapy["id"]]
    if studies:
        tables.append(Table(
            f"Other studies of {therapy['name']} in this dataset",
            ("Study", "Kind", "Year", "Finding"),
            tuple((Entry(s["title"], citations.refs(s["sources"]), _unverified(s, "title")),
                   Entry(words(s["kind"])), Entry(_text(s["year"]), (), _unverified(s, "year")),
                   Entry(s["finding"], (), _unverified(s, "finding"))) for s in studies)))
    return Section("therapy", therapy["id"], f"Therapy: {therapy['name']}", facts, tuple(tables), refs)


def _trial_row(dataset: Dataset, trial: Any, citations: _Citations) -> tuple[Entry, ...]:
    figure = queries.enrolment_figure(trial)
    enrolment = f"{figure[0]} ({figure[1]})" if figure else ""
    return (
        Entry(trial["acronym"] or trial["id"], citations.refs(s["id"] for s in queries.sources_of(dataset, trial))),
        Entry(", ".join(r["id"] for r in trial["registrations"])),
        Entry(trial["phase"], (), _unverified(trial, "phase")),
        Entry(words(trial["status"]), (), _unverified(trial, "status")),
        Entry(years_text(trial), (), _unverified(trial, "start_year", "end_year")),
        Entry(enrolment, (), bool(enrolment) and _unverified(trial, "enrolment")),
        Entry(design_text(trial), (), _unverified(trial, "design")),
        Entry(words(trial["outcome"]), (), _unverified(trial, "outcome")),
    )


def _trial_section(dataset: Dataset, trial: Any, citations: _Citations,
                   links: Mapping[str, Sequence[str]] | None) -> Section:
    detail = queries.trial_detail(dataset, trial, links)
    refs = citations.refs(trial["sources"])
    registrations = tuple(
        Entry(f"{r['id']} ({r['registry'] or 'registry not recognised'})" + (f": {r['note']}" if r["note"] else ""))
        for r in detail["registrations"])
    eligibility = trial["eligibility"]
    enrolment = tuple(
        Entry(f"{e['count']} {e['kind']} (as of {e['as_of']})" + (f": {e['note']}" if e["note"] else ""),
              citations.refs([e["source"]]), _unverified(trial, "enrolment"))
        for e in detail["enrolment"])
    differences = tuple(
        Entry(f"{d['field']}: {d['value']} (as of {d['as_of']})" + (f": {d['note']}" if d["note"] else ""),
              citations.refs([d["source"]]))
        for d in detail["differences"])
    comparator = trial["design"]["comparator"]
    facts = _present([
        _fact(trial, "Official title", "title"),
        Fact("Therapy", (Entry(_therapy_name(dataset, trial["therapy"])),)),
        Fact("Registry numbers", registrations, listed=True) if registrations else None,
        _fact(trial, "Phase", "phase"),
        _fact(trial, "Status", "status", words(trial["status"])),
        Fact("Years", (Entry(years_text(trial), (), _unverified(trial, "start_year", "end_year")),))
        if years_text(trial) else None,
        _fact(trial, "Design", "design",
              design_text(trial) + (f"; compared with {comparator}" if comparator else "")),
        Fact("Who could take part", (Entry(eligibility_text(eligibility, cite=False),
                                           citations.refs([eligibility["source"]]),
                                           _unverified(trial, "eligibility")),)) if eligibility else None,
        Fact("Enrolment", enrolment, listed=True) if enrolment else None,
        _fact(trial, "Sites", "sites"),
        _fact(trial, "Countries", "countries"),
        _fact(trial, "How the cells are given", "routes"),
        _fact(trial, "Dose", "dose"),
        _fact(trial, "Primary endpoint", "primary_endpoint"),
        _fact(trial, "Results", "result"),
        _fact(trial, "Outcome", "outcome", words(trial["outcome"])),
        _fact(trial, "Adverse events", "adverse_events"),
        Fact("Where sources differ", differences, listed=True) if differences else None,
        Fact("Publications", (Entry("see sources", citations.refs(trial["publications"])),))
        if trial["publications"] else None,
    ])
    return Section("trial", trial["id"], f"Trial: {trial['acronym'] or trial['title']}", facts, (), refs)


def _study_section(dataset: Dataset, study: Any, citations: _Citations) -> Section:
    refs = citations.refs(study["sources"])
    facts = _present([
        _fact(study, "Kind", "kind", words(study["kind"])),
        Fact("Therapy", (Entry(_therapy_name(dataset, study["therapy"])),)),
        _fact(study, "Year", "year"),
        _fact(study, "Countries", "countries"),
        _fact(study, "Participants", "participants"),
        _fact(study, "What was done", "summary"),
        _fact(study, "What was found", "finding"),
    ])
    return Section("study", study["id"], f"Study: {study['title']}", facts, (), refs)


def _guidance_section(dataset: Dataset, guidance: Any, citations: _Citations) -> Section:
    refs = citations.refs(guidance["sources"])
    facts = _present([
        _fact(guidance, "Kind", "kind", words(guidance["kind"])),
        _fact(guidance, "Publisher", "publisher"),
        _fact(guidance, "Year", "year"),
        _fact(guidance, "Countries", "countries"),
        _fact(guidance, "Therapies", "therapies",
              [_therapy_name(dataset, therapy_id) for therapy_id in guidance["therapies"]]),
        _fact(guidance, "Summary", "summary"),
        _listed(guidance, "Key points", "key_points", guidance["key_points"]),
    ])
    return Section("guidance", guidance["id"], f"Guidance: {guidance['title']}", facts, (), refs)


def _source_section(source: Source, citations: _Citations) -> Section:
    refs = citations.refs([source["id"]])
    facts = _present([
        _fact(source, "Kind", "kind", words(source["kind"])),
        _fact(source, "Publisher", "publisher"),
        _fact(source, "Authors", "authors"),
        _fact(source, "Year", "year"),
        Fact("Seen at", tuple(Entry(copy_text(copy)) for copy in source["seen_at"]), listed=True)
        if source["seen_at"] else None,
        Fact("Checked against the primary record", (Entry("yes" if source["verified"] else "no"),)),
    ])
    return Section("source", source["id"], f"Source: {source['title']}", facts, (), refs)
