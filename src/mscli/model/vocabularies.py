"""The record model's controlled vocabularies that commands filter on and show, the formats
of its ids and registry numbers, and what the compiled store indexes: everything about records
a command needs at run time apart from the record types themselves.

The record types (``records``, TypedDicts) describe the data files for the validator, ``mscli
schema`` and ``--fields``; building them, and the vocabularies only they use, took about a
tenth of every command's start-up, so a command that answers from the compiled store imports
this module and names the record types only for its type checker. ``records`` imports these
and passes them on, so ``records`` still names every field type.
"""

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal, get_args


class Phase(StrEnum):
    EARLY_1 = "early-1"  # ClinicalTrials.gov "Early Phase 1" (formerly phase 0)
    P1 = "1"
    P1_2 = "1/2"
    P2 = "2"
    P2_3 = "2/3"
    P3 = "3"
    P4 = "4"
    NA = "n/a"


class Status(StrEnum):
    NOT_YET_RECRUITING = "not-yet-recruiting"
    RECRUITING = "recruiting"
    ENROLLING_BY_INVITATION = "enrolling-by-invitation"
    ACTIVE_NOT_RECRUITING = "active-not-recruiting"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"


class MsType(StrEnum):
    CIS = "CIS"
    RRMS = "RRMS"
    SPMS = "SPMS"
    PPMS = "PPMS"


class Design(StrEnum):
    """Design features a trial can be filtered on (``--design``)."""

    RANDOMISED = "randomised"
    CONTROLLED = "controlled"
    BLINDED = "blinded"
    CROSSOVER = "crossover"


class SourceKind(StrEnum):
    JOURNAL_ARTICLE = "journal-article"
    REVIEW = "review"
    GUIDELINE = "guideline"
    REGISTRY_RECORD = "registry-record"
    WEB_PAGE = "web-page"
    NEWS = "news"
    POSITION_STATEMENT = "position-statement"
    PROTOCOL = "protocol"


class StudyKind(StrEnum):
    LAB = "lab"
    ANIMAL = "animal"
    COHORT = "cohort"
    REGISTRY_ANALYSIS = "registry-analysis"
    META_ANALYSIS = "meta-analysis"
    SYSTEMATIC_REVIEW = "systematic-review"
    CASE_SERIES = "case-series"


class GuidanceKind(StrEnum):
    CONSENSUS = "consensus"
    POSITION_STATEMENT = "position-statement"
    GUIDELINE = "guideline"
    ADVICE = "advice"


CollectionName = Literal["therapies", "trials", "studies", "guidance", "sources", "glossary", "red_flags",
                         "outcomes", "searches"]
# Every collection, in the order of a dataset file (``info`` counts them in this order).
COLLECTION_NAMES: tuple[CollectionName, ...] = get_args(CollectionName)

# Trial fields the compiled cache indexes: a filter on these parses only the trials that pass.
INDEXED_TRIAL_FIELDS = ("therapy", "phase", "status", "start_year", "end_year")


def start_order(trial: Mapping[str, Any]) -> tuple[int, str]:
    """The default order of trial listings: by start year, undated last, then id (unique, so the
    order is total). The compiled cache keeps this order, so a default listing can stream."""
    return (trial["start_year"] or 9999, trial["id"])

# The therapy of a trial whose interventions name no therapy mscli knows clearly. It is not a
# therapy record, so no therapy may have this id.
UNCLASSIFIED = "unclassified"

# Formats a field's value must have; compiled on first use (validation, a registry lookup), as
# most runs read only the compiled store and need none of them.
_FORMATS = {"SLUG": r"[a-z0-9]+(?:-[a-z0-9]+)*", "DATE": r"\d{4}-\d{2}-\d{2}", "DOI": r"10\.\d{4,9}/\S+",
            "PMID": r"[1-9]\d{0,8}"}
SLUG: re.Pattern[str]
DATE: re.Pattern[str]
DOI: re.Pattern[str]
PMID: re.Pattern[str]

# Registry number formats, by registry. NCT, ISRCTN and EudraCT are the ones MS trials use;
# the others cover national arms registered elsewhere.
_REGISTRY_FORMATS = {
    "ClinicalTrials.gov": r"NCT\d{8}",
    "ISRCTN": r"ISRCTN\d{8}",
    "EudraCT": r"\d{4}-\d{6}-\d{2}",
    "CTIS": r"\d{4}-\d{6}-\d{2}-\d{2}",
    "ANZCTR": r"ACTRN\d{14}",
    "IRCT": r"IRCT\d{8,}N\d+",
    "ChiCTR": r"ChiCTR[-A-Za-z0-9]{6,}",
    "CTRI": r"CTRI/\d{4}/\d{2,3}/\d{6}",
    "jRCT": r"jRCT\d{10}",
    "DRKS": r"DRKS\d{8}",
}
REGISTRIES: dict[str, re.Pattern[str]]


def __getattr__(name: str) -> object:
    """The patterns above, each compiled when first asked for and kept as a module attribute."""
    if name == "REGISTRIES":
        return _registries()
    if name not in _FORMATS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    pattern = globals()[name] = re.compile(_FORMATS[name])
    return pattern


def _registries() -> dict[str, re.Pattern[str]]:
    registries: dict[str, re.Pattern[str]] | None = globals().get("REGISTRIES")
    if registries is None:
        registries = globals()["REGISTRIES"] = {name: re.compile(form) for name, form in _REGISTRY_FORMATS.items()}
    return registries


def registry_of(registration_id: str) -> str | None:
    """Name the registry a registration number belongs to, or None if the format is unknown."""
    for name, pattern in _registries().items():
        if pattern.fullmatch(registration_id):
            return name
    return None
