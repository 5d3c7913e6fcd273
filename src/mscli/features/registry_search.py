"""``mscli registry search``: the dataset's own search strategy, run again on the live registry.

The dataset's ClinicalTrials.gov searches (its search-log records) took every MS study in a
registry export and kept those whose titles, intervention names, keywords (and, for the
stem-cell search, lead sponsor) matched a regular expression. The same is done here: the API is
asked for MS studies mentioning any of the expressions' words (``query.cond`` and ``query.term``,
a wide net, since the API cannot run a regular expression), and each study it returns is kept
only if the search-log's own expression matches the same fields. What is left, minus the trials
the dataset has and (unless asked) the registrations a search already excluded, is listed.

The expressions are copied from the search-log records named below; a test checks each one
still appears, word for word, in its record's ``query``, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from mscli.errors import DatasetError, Problem
from mscli.features.ctgov_read import date_of, dicts, module, text, texts
from mscli.model.registry_outputs import SearchFind

if TYPE_CHECKING:
    from mscli.model.records import Dataset

CONDITION = "multiple sclerosis"
PAGE_SIZE = 100
# What a search page is asked for (``fields=``): the API's piece names, each with the place in a
# study its value comes back at, which is where this module reads it. Every name and path was
# checked against the API's own data model, the answer of GET /api/v2/studies/metadata as recorded
# on 2026-09-03 by genomoncology/biomcp (testdata/sources/ctgov/field_metadata_20260903.json at
# 4d24d5a53a762dcce085f58c85ed7a856bbebcde): a node's "piece" is the name ``fields=`` takes and the
# "name"s from the root give its path. An extract of those nodes is kept in the test fixtures
# (ctgov_replay/field-metadata-extract.json) and tests/test_registry_fields.py checks this table
# against it. A date piece (StartDate) returns its struct's date only, which is all read here.
REQUESTED = {
    "NCTId": "protocolSection.identificationModule.nctId",
    "BriefTitle": "protocolSection.identificationModule.briefTitle",
    "OfficialTitle": "protocolSection.identificationModule.officialTitle",
    "Acronym": "protocolSection.identificationModule.acronym",
    "OverallStatus": "protocolSection.statusModule.overallStatus",
    "StartDate": "protocolSection.statusModule.startDateStruct.date",
    "LastUpdatePostDate": "protocolSection.statusModule.lastUpdatePostDateStruct.date",
    "LeadSponsorName": "protocolSection.sponsorCollaboratorsModule.leadSponsor.name",
    "Keyword": "protocolSection.conditionsModule.keywords",
    "StudyType": "protocolSection.designModule.studyType",
    "Phase": "protocolSection.designModule.phases",
    "InterventionName": "protocolSection.armsInterventionsModule.interventions.name",
}
FIELDS = ",".join(REQUESTED)
_TITLES_INTERVENTIONS_KEYWORDS = ("brief title", "official title", "intervention", "keyword")


class Strategy(NamedTuple):
    """One search of the dataset's log: its record id, its expression, the fields it read."""

    search_id: str
    pattern: str
    fields: tuple[str, ...]


STRATEGY = (
    Strategy("search-msc-ctgov-export",
             r"stem[ -]?cell|stromal|mesenchym|\bMSC|exosom|secretome|progenitor|precursor|mononuclear|vascular "
             r"fraction|\bSVF\b|amnio|umbilical|cord blood|placenta|wharton|NurOwn|neurotrophic factor|HSCT|transplant",
             (*_TITLES_INTERVENTIONS_KEYWORDS, "lead sponsor")),
    Strategy("ahsct-2026-12-02-ctgov-export-transplant",
             r"h(a)?ematopoi?etic|haemopoietic|hemopoietic|stem[- ]cell transplant|bone marrow transplant"
             r"|\bA?HSCT\b|\bBMT\b|peripheral blood stem cell|immuno-?ablat|myeloablat|\bCD34|autologous transplant",
             _TITLES_INTERVENTIONS_KEYWORDS),
)

# The API's "other terms" query: every word the expressions look for, so that no study they would
# match is left out of the pages fetched (the API also stems and matches more; the expressions then
# decide). ESSIE syntax: quoted phrases, OR between them.
API_TERMS = ('"stem cell" OR "stem cells" OR stromal OR mesenchymal OR MSC OR exosome OR exosomes OR secretome '
             'OR progenitor OR precursor OR mononuclear OR "vascular fraction" OR SVF OR amniotic OR umbilical '
             'OR "cord blood" OR placenta OR placental OR Wharton OR NurOwn OR "neurotrophic factor" OR HSCT '
             'OR AHSCT OR transplant OR transplantation OR hematopoietic OR haematopoietic OR hemopoietic '
             'OR haemopoietic OR "bone marrow" OR BMT OR "peripheral blood stem cell" OR immunoablative '
             'OR immunoablation OR myeloablative OR CD34')


def parameters() -> dict[str, str]:
    return {"query.cond": CONDITION, "query.term": API_TERMS, "pageSize": str(PAGE_SIZE), "fields": FIELDS}


class SearchRun:
    """What the search found, and how much it read to find it."""

    def __init__(self, finds: list[SearchFind]) -> None:
        self.finds = finds
        self.pages = self.studies = self.matched = self.known = self.excluded = 0
        self.more = False  # stopped at --max-pages with a next page left


def strategy_ids(dataset: Dataset) -> list[str]:
    """The strategy's search-log ids; a dataset that lacks one of them cannot be searched again."""
    present = {search["id"] for search in dataset["searches"]}
    missing = [item.search_id for item in STRATEGY if item.search_id not in present]
    if missing:
        raise DatasetError([Problem("searches", f"the search-log record {name!r} that 'registry search' repeats "
                                    "is not in this dataset", record=name) for name in missing])
    return [item.search_id for item in STRATEGY]


def search(dataset: Dataset, pages: Callable[[dict[str, str]], Iterator[dict[str, Any]]], max_pages: int,
           include_excluded: bool) -> SearchRun:
    strategy = strategy_ids(dataset)
    known = {item["id"].upper() for trial in dataset["trials"] for item in trial.get("registrations") or []}
    excluded = {item["registration"].upper(): f"{item['reason']} ({search['id']})"
                for search in dataset["searches"] for item in search.get("excluded") or []}
    compiled: list[tuple[Strategy, re.Pattern[str]]] = []  # compiled once the first page is in
    run = SearchRun(finds=[])
    seen: set[str] = set()
    for page in pages(parameters()):
        run.pages += 1
        compiled = compiled or [(item, re.compile(item.pattern, re.IGNORECASE)) for item in STRATEGY]
        for study in page["studies"]:
            number = _nct(study)
            if number is None or number in seen:
                continue
            seen.add(number)
            run.studies += 1
            matched = list(_matches(study, compiled))
            if not matched:
                continue
            run.matched += 1
            if number in known:
                run.known += 1
                continue
            reason = excluded.get(number)
            if reason is not None:
                run.excluded += 1
                if not include_excluded:
                    continue
            run.finds.append(_find(study, number, matched, strategy, reason))
        run.more = run.pages >= max_pages and bool(page.get("nextPageToken"))
    run.finds.sort(key=lambda item: item["registration"])
    return run


def _nct(study: Any) -> str | None:
    if not isinstance(study, dict):
        return None
    number = text(module(module(study, "protocolSection"), "identificationModule"), "nctId")
    return number.upper() if number else None


def _fields(study: dict[str, Any]) -> dict[str, list[str]]:
    protocol = module(study, "protocolSection")
    ident = module(protocol, "identificationModule")
    return {
        "brief title": [value for value in [text(ident, "briefTitle")] if value],
        "official title": [value for value in [text(ident, "officialTitle")] if value],
        "intervention": [name for item in dicts(module(protocol, "armsInterventionsModule"), "interventions")
                         if (name := text(item, "name"))],
        "keyword": texts(module(protocol, "conditionsModule"), "keywords"),
        "lead sponsor": [value for value in [text(module(module(protocol, "sponsorCollaboratorsModule"),
                                                            "leadSponsor"), "name")] if value],
    }


def _matches(study: dict[str, Any], compiled: Iterable[tuple[Strategy, re.Pattern[str]]]) -> Iterator[str]:
    values = _fields(study)
    found: list[str] = []
    for strategy, pattern in compiled:
        for name in strategy.fields:
            for value in values[name]:
                match = pattern.search(value)
                if match and (hit := f"{match.group(0)!r} in {name}") not in found:
                    found.append(hit)
    yield from found


def _find(study: dict[str, Any], number: str, matched: list[str], strategy: list[str],
          reason: str | None) -> SearchFind:
    protocol = module(study, "protocolSection")
    ident, status = module(protocol, "identificationModule"), module(protocol, "statusModule")
    design = module(protocol, "designModule")
    return {
        "registration": number,
        "title": text(ident, "officialTitle") or text(ident, "briefTitle") or "",
        "status": (text(status, "overallStatus") or "").lower().replace("_", "-") or None,
        "phases": [phase.lower().replace("_", "-") for phase in texts(design, "phases")],
        "study_type": (text(design, "studyType") or "").lower().replace("_", "-") or None,
        "start": date_of(status, "startDateStruct"),
        "last_update": date_of(status, "lastUpdatePostDateStruct"),
        "matched": matched,
        "strategy": strategy,
        "excluded_before": reason,
        "url": f"https://clinicaltrials.gov/study/{number}",
        "import_hint": f"curl -s 'https://clinicaltrials.gov/api/v2/studies/{number}' > {number}.json "
                       f"&& mscli import ctgov {number}.json",
    }
