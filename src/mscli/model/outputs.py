"""The record types mscli writes as JSON, beside the dataset's own types in ``model``.

Commands print either dataset records as they are (``trials --json`` prints ``Trial`` records)
or the shapes below: a record with its sources resolved, a search hit, a comparison row. They
are TypedDicts for the same reason the model is: one definition gives ``--fields`` its list of
field names and ``mscli schema`` its JSON Schema, so neither can drift from the other.

Output records are normalised: every field is present, ``null`` or ``[]`` when unknown.
"""


from enum import StrEnum
from typing import Any, TypedDict

from mscli import SCHEMA_VERSION as SCHEMA_VERSION  # the version of the shapes below (kept beside mscli's)
from mscli.model.events import EventKind
from mscli.model.evidence_outputs import MatchResult, OfferCheck, OutcomeRow, TrialScreen
from mscli.model.records import (
    Aim,
    Availability,
    Chemotherapy,
    Dataset,
    GlossaryTerm,
    Guidance,
    OutcomeFinding,
    RedFlag,
    Registration,
    Search,
    Source,
    Study,
    Therapy,
    Trial,
)
from mscli.model.registry_outputs import RegistryCheck, SearchFind


class RegistrationDetail(Registration):
    registry: str | None


class TrialDetail(Trial):
    """``mscli trial ID``: a trial with registries named and its sources resolved."""

    # Same field as Trial's, with each registration's registry added; Python allows the
    # narrowing, mypy does not know it is compatible.
    registrations: list[RegistrationDetail]  # type: ignore[misc]
    cited_sources: list[Source]
    terms: list[str]


class TherapyDetail(Therapy):
    """``mscli therapy ID``: a therapy with its trials, studies, guidance and sources."""

    trial_ids: list[str]
    study_ids: list[str]
    guidance_ids: list[str]
    cited_sources: list[Source]
    terms: list[str]


class StudyDetail(Study):
    cited_sources: list[Source]
    terms: list[str]


class GuidanceDetail(Guidance):
    cited_sources: list[Source]
    terms: list[str]


class SourceDetail(Source):
    cited_sources: list[Source]


class TermUse(TypedDict):
    type: str
    id: str


class TermDetail(GlossaryTerm):
    cited_sources: list[Source]
    terms: list[str]
    used_by: list[TermUse]


class RedFlagDetail(RedFlag):
    cited_sources: list[Source]
    terms: list[str]


class OutcomeDetail(OutcomeFinding):
    cited_sources: list[Source]


class SearchDetail(Search):
    cited_sources: list[Source]


class TimelineEvent(TypedDict):
    """One dated event of ``mscli timeline``."""

    date: str
    year: int
    kind: EventKind
    record_type: str
    id: str
    title: str
    therapies: list[str]
    source: str | None


class TrialCount(TypedDict):
    """One group of ``mscli timeline --chart``: trials and participants, planned and actual apart."""

    group: str
    trials: int
    participants_planned: int
    participants_actual: int
    participants_analysed: int
    trials_without_figure: int


class Comparison(TypedDict):
    """One therapy's column of ``mscli compare``, with counts taken from the dataset."""

    id: str
    name: str
    summary: str
    cell_source: str
    mechanism: str
    chemotherapy: Chemotherapy
    aim: Aim
    availability: Availability
    strongest_evidence: str
    trials: int
    randomised_trials: int
    participants_enrolled: int
    participants_planned: int
    main_risks: list[str]
    who_benefits: str
    who_does_not_benefit: str | None
    unverified: list[str]
    sources: list[str]


class SearchHit(TypedDict):
    """One result of ``mscli search``: which record, how well and where it matched.

    ``total`` is the number of hits in all, before ``--limit`` (the same on every hit), so a
    script can tell whether it saw everything; ``missing`` lists the query's words this hit
    lacks (empty unless no record holds them all).
    """

    type: str
    id: str
    title: str
    score: float
    matched: list[str]          # searched fields holding a word of the query
    snippet: str                # the matching stretch of the best field, plain text, cut at words
    missing: list[str]
    total: int


class Counts(TypedDict):
    therapies: int
    trials: int
    studies: int
    guidance: int
    sources: int
    glossary: int
    red_flags: int
    outcomes: int
    searches: int


class Info(TypedDict):
    """``mscli info``: what dataset is in use, how old its review is, and its size."""

    title: str
    version: str
    reviewed: str
    days_since_review: int
    stale: bool
    counts: Counts
    studies: "StudyCounts"
    coverage: "CoverageSummary"
    unverified_sources: int
    trials_by_therapy: dict[str, int]
    schema_version: str
    data: str


class StudyCounts(TypedDict):
    """Trials and studies counted apart, so that "registered trials" counts only registered ones."""

    registered_trials: int      # trials with at least one registry number
    unregistered_trials: int    # trial records with no registry number found
    cohorts: int                # studies of kind cohort or registry-analysis
    case_series: int
    other_studies: int          # lab, animal, meta-analyses and systematic reviews


class CoverageSummary(TypedDict):
    """One line of ``info`` about the searches behind the dataset."""

    searches: int
    databases: int
    last_search: str | None
    registrations_found: int
    trials_included: int
    registrations_excluded: int


class CoverageExclusion(TypedDict):
    registration: str
    title: str | None
    reason: str
    note: str | None
    search: str                 # id of the (first) search that found it


class CoverageSearch(TypedDict):
    id: str
    database: str
    query: str
    url: str | None
    date: str
    found: int
    included: list[str]
    excluded: int
    note: str | None


class Coverage(TypedDict):
    """``mscli coverage``: the searches behind the dataset, like a systematic review's flow diagram."""

    searches: list[CoverageSearch]
    databases: list[str]
    first_search: str | None
    last_search: str | None
    registrations_found: int     # sum of what each search returned (the same trial may count twice)
    trials_included: list[str]   # distinct dataset trials that a search found
    exclusions: list[CoverageExclusion]   # distinct registrations left out, with why
    exclusions_by_reason: dict[str, int]
    counts: StudyCounts
    registered_trials_not_in_a_search: list[str]


class ValidationProblem(TypedDict):
    """One problem ``mscli validate`` found, located as precisely as known."""

    file: str
    line: int | None
    record: str | None
    field: str | None
    message: str


class SchemaType(TypedDict):
    """One type ``mscli schema`` can describe."""

    name: str
    description: str
    emitted_by: str


class RecordRef(TypedDict):
    """A record added or removed between two datasets."""

    collection: str
    id: str
    title: str


class FieldChange(TypedDict):
    """One field that differs; nested fields are named by dotted path (``design.blinding``)."""

    field: str
    old: Any
    new: Any


class ChangedRecord(TypedDict):
    collection: str
    id: str
    title: str
    changes: list[FieldChange]


class DiffSummary(TypedDict):
    added: int
    removed: int
    changed: int


class Diff(TypedDict):
    """``mscli diff OLD NEW``: records added, removed and changed, matched by collection and id."""

    old: str
    new: str
    summary: DiffSummary
    added: list[RecordRef]
    removed: list[RecordRef]
    changed: list[ChangedRecord]


class ImportAction(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


class ImportResult(TypedDict):
    """What ``mscli import ctgov`` did with one study (or one unreadable file or entry)."""

    file: str
    study: str | None
    action: ImportAction
    trial: str | None
    therapy: str | None
    path: str | None
    reason: str | None  # why it was skipped
    note: str | None  # what a fields=-restricted record lacks


# name -> (type, what it describes, which commands print it). The dataset type describes the
# data files mscli reads (YAML or the JSON form); every other one describes JSON that mscli writes.
SCHEMA_TYPES: dict[str, tuple[type, str, str]] = {
    "dataset": (Dataset, "A dataset file, YAML or its JSON form (input; a dataset may be split across files)",
                "mscli validate reads it"),
    "therapy": (Therapy, "A therapy record", "therapies (each item)"),
    "therapy-detail": (TherapyDetail, "A therapy with its trials, studies, guidance and sources",
                       "therapy ID, show ID"),
    "trial": (Trial, "A trial record", "trials (each item)"),
    "trial-detail": (TrialDetail, "A trial with registries named and sources resolved", "trial ID, show ID"),
    "study": (Study, "A study that is not a trial", "studies (each item)"),
    "study-detail": (StudyDetail, "A study with its sources resolved", "show ID"),
    "guidance": (Guidance, "A guidance document", "guidance (each item)"),
    "guidance-detail": (GuidanceDetail, "A guidance document with its sources resolved", "show ID"),
    "source": (Source, "A source (article, registry record, web page)", "sources (each item)"),
    "source-detail": (SourceDetail, "A source as shown on its own", "show ID"),
    "term": (GlossaryTerm, "A glossary term", "glossary (each item)"),
    "term-detail": (TermDetail, "A glossary term with its sources resolved", "glossary TERM, show ID"),
    "red-flag": (RedFlag, "A warning sign in an offer of stem cell treatment", "clinic (each item)"),
    "red-flag-detail": (RedFlagDetail, "A red flag with its sources resolved", "show ID"),
    "outcome-detail": (OutcomeDetail, "An outcome finding with its sources resolved", "show ID"),
    "search-detail": (SearchDetail, "One search of a registry or database, with what it found", "show ID"),
    "timeline-event": (TimelineEvent, "A dated event in the evidence", "timeline (each item)"),
    "trial-count": (TrialCount, "Trials and participants in one group", "timeline --chart (each item)"),
    "comparison": (Comparison, "One therapy's column of a comparison", "compare (each item)"),
    "search-hit": (SearchHit, "A search result", "search (each item)"),
    "info": (Info, "The dataset in use and its size", "info"),
    "coverage": (Coverage, "The searches behind the dataset: databases, queries, dates, what was "
                 "found, included and excluded with why", "coverage"),
    "validation-problem": (ValidationProblem, "A problem found in a dataset", "validate (each item)"),
    "schema-type": (SchemaType, "A type mscli schema describes", "schema (each item)"),
    "diff": (Diff, "What changed between two datasets", "diff OLD NEW"),
    "import-result": (ImportResult, "What import did with one study", "import ctgov (each item)"),
    "registry-check": (RegistryCheck, "One registration of a trial against its live ClinicalTrials.gov "
                       "record: each fact old and new, with dates", "registry check (each item)"),
    "registry-find": (SearchFind, "A study the dataset's own search strategy finds on ClinicalTrials.gov "
                      "that the dataset lacks", "registry search (each item)"),
    "outcome-row": (OutcomeRow, "One outcome with each therapy's findings, strongest design first",
                    "compare ID ID --by outcome (each item)"),
    "offer-check": (OfferCheck, "What a clinic's offer quotes, names and raises", "clinic --offer"),
    "match-result": (MatchResult, "A profile pre-screened against trials and guidance profiles", "match"),
    "trial-screen": (TrialScreen, "One trial pre-screened criterion by criterion", "match --trial ID"),
}
