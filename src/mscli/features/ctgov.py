"""Turn ClinicalTrials.gov API v2 study records into mscli trial records.

The registry's JSON (``protocolSection`` and its modules) is mapped onto the model in
``mscli.model.records``; a value with no honest equivalent there (an unknown status, no phase, no
masking) makes the study unusable with a reason, never a guess. Nothing here knows about the
CLI or writes files: ``mscli.features.importer`` does that.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mscli.model import records as model

MAX_INPUT_BYTES = 64 * 1024 * 1024
ID_PREFIX = "ctgov-import-"
NCT = re.compile(r"NCT\d{8}")

_PHASES = {"EARLY_PHASE1": "early-1", "PHASE1": "1", "PHASE2": "2", "PHASE3": "3", "PHASE4": "4",
           "NA": "n/a"}
_PHASE_PAIRS = {("1", "2"): "1/2", ("2", "3"): "2/3"}
_STATUSES = {
    "NOT_YET_RECRUITING": "not-yet-recruiting", "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "enrolling-by-invitation",
    "ACTIVE_NOT_RECRUITING": "active-not-recruiting", "COMPLETED": "completed",
    "TERMINATED": "terminated", "WITHDRAWN": "withdrawn", "SUSPENDED": "suspended",
    "UNKNOWN": "unknown",
}
_MASKING = {"NONE": "open-label", "SINGLE": "single-blind", "DOUBLE": "double-blind",
            "TRIPLE": "double-blind", "QUADRUPLE": "double-blind"}
_COMPARATOR_ARMS = {"active-comparator", "placebo-comparator", "sham-comparator", "no-intervention"}
_PUBLICATION_TYPES = {"RESULT", "DERIVED"}
_ENROLMENT_KINDS = {"ACTUAL": "actual", "ESTIMATED": "planned", "ANTICIPATED": "planned"}
_SEX = {"ALL": "all", "FEMALE": "female", "MALE": "male"}
_AGE = re.compile(r"(\d{1,3})\s+(year|month|week|day|hour|minute)s?", re.IGNORECASE)
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-\d{2}(?:-\d{2})?)?")

# Most specific first: the first pattern an intervention matches is its therapy, so
# "MSC-NTF" is msc-ntf and not msc. Words only, matched in names, other names and descriptions.
_THERAPY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (therapy, re.compile(pattern, re.IGNORECASE)) for therapy, pattern in (
        ("msc-ntf", r"\bmsc-?ntf\b|\bnurown\b|neurotrophic factor[- ]secreting"),
        ("msc-np", r"\bmsc-?nps?\b|mesenchymal stem cell-derived neural progenitor"),
        ("nsc", r"\bneural (?:stem|progenitor|precursor)"),
        ("ahsct", r"\bha?ematopoietic stem cell transplant|\ba?hsct\b"
                  r"|\bautologous (?:peripheral blood )?stem cell transplant"),
        ("msc", r"\bmesenchymal\b|\bmscs?\b"),
    ))
_ROUTE_WORDS = {route.value: re.compile(rf"\b{route.value}\b", re.IGNORECASE) for route in model.Route}


class Unusable(Exception):
    """A study that cannot become an mscli trial; the message says why."""


@dataclass(frozen=True)
class Found:
    """One study read from the input, or the reason a file or entry could not be read."""

    file: str
    study: Any
    problem: str | None = None


@dataclass(frozen=True)
class Converted:
    """A study mapped onto the model: its trial and the source records the trial cites."""

    nct_id: str
    trial: dict[str, Any]
    sources: list[dict[str, Any]]


# --- reading input --------------------------------------------------------------------------

def input_files(path: Path) -> list[Path]:
    """``path`` itself, or every ``.json`` file under a directory, in sorted order."""
    if not path.is_dir():
        return [path]
    return sorted(file for file in path.rglob("*.json")
                  if not any(part.startswith(".") for part in file.relative_to(path).parts))


def read_studies(path: Path) -> list[Found]:
    """The studies in one file: a single study, or a page (``studies`` and ``nextPageToken``).

    A file that is not JSON, or is JSON of another shape, gives one ``Found`` with the
    problem; so does each entry of a page that is not a study.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return [Found(name, None, f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")]
        content = path.read_bytes()
    except OSError as error:
        return [Found(name, None, f"cannot read: {error.strerror or error}")]
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return [Found(name, None, f"not UTF-8 text (byte {error.start})")]
    except json.JSONDecodeError as error:
        return [Found(name, None, f"not valid JSON: {error.msg} (line {error.lineno})")]
    except RecursionError:
        return [Found(name, None, "not valid JSON: nested too deeply")]
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        return [Found(f"{name}#studies[{index}]", study) for index, study in enumerate(data["studies"])]
    if isinstance(data, dict) and "protocolSection" in data:
        return [Found(name, data)]
    return [Found(name, None, "neither a study (protocolSection) nor a page of studies (studies)")]


# --- small readers that tolerate missing or mistyped parts ------------------------------------

def _module(section: dict[str, Any], name: str) -> dict[str, Any]:
    value = section.get(name)
    return value if isinstance(value, dict) else {}


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _texts(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    return [item.strip() for item in value if isinstance(item, str) and item.strip()] \
        if isinstance(value, list) else []


def _date_of(data: dict[str, Any], key: str) -> str | None:
    struct = data.get(key)
    return _text(struct, "date") if isinstance(struct, dict) else None


def _year(date: str | None) -> int | None:
    match = _PARTIAL_DATE.fullmatch(date or "")
    return int(match.group(1)) if match else None


def _slug_kind(value: str | None) -> str | None:
    """``PLACEBO_COMPARATOR`` -> ``placebo-comparator``; ``BEHAVIORAL`` in British spelling."""
    if value is None:
        return None
    slug = value.strip().lower().replace("_", "-")
    return "behavioural" if slug == "behavioral" else slug


# --- the mapping ------------------------------------------------------------------------------

def convert(study: Any, today: str, therapies: set[str]) -> Converted:
    """Map one API v2 study onto an mscli trial and its sources, or raise ``Unusable``.

    ``therapies`` are the therapy ids of the dataset the trial will join; a therapy the
    interventions name but the dataset lacks leaves the trial unclassified.
    """
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise Unusable("not a study: no protocolSection")
    protocol = study["protocolSection"]
    ident = _module(protocol, "identificationModule")
    status_module = _module(protocol, "statusModule")
    design_module = _module(protocol, "designModule")
    arms_module = _module(protocol, "armsInterventionsModule")

    nct_id = _text(ident, "nctId")
    if nct_id is None:
        raise Unusable("no nctId in identificationModule")
    if not NCT.fullmatch(nct_id):
        raise Unusable(f"nctId {nct_id[:40]!r} is not NCT followed by 8 digits")
    study_type = _text(design_module, "studyType")
    if study_type is not None and study_type != "INTERVENTIONAL":
        raise Unusable(f"{study_type.lower().replace('_', ' ')} study, not an interventional trial")
    brief_title, official_title = _text(ident, "briefTitle"), _text(ident, "officialTitle")
    title = official_title or brief_title
    if title is None:
        raise Unusable("no briefTitle or officialTitle")

    trial_id = nct_id.lower()
    registry_source = ID_PREFIX + trial_id
    last_update = _date_of(status_module, "lastUpdatePostDateStruct")
    interventions = _interventions(arms_module)
    arms = _arms(arms_module, {item["name"] for item in interventions})
    design, design_inferred = _design(design_module, arms)
    conditions = _texts(_module(protocol, "conditionsModule"), "conditions")
    locations = _dicts(_module(protocol, "contactsLocationsModule"), "locations")
    countries = list(dict.fromkeys(country for location in locations
                                   if (country := _text(location, "country")) is not None))
    publications = _publications(_module(protocol, "referencesModule"), nct_id, today)
    trial: dict[str, Any] = {
        "id": trial_id,
        "acronym": _text(ident, "acronym"),
        "title": title,
        "aliases": [brief_title] if brief_title and official_title and brief_title != official_title else [],
        "therapy": classify(interventions, therapies),
        "registrations": _registrations(nct_id, ident),
        "phase": _phase(design_module),
        "design": design,
        "eligibility": _eligibility(_module(protocol, "eligibilityModule"), conditions, registry_source),
        "enrolment": _enrolment(design_module, status_module, registry_source),
        "sites": len(locations) or None,
        "countries": countries,
        "start_year": _year(_date_of(status_module, "startDateStruct")),
        "end_year": _year(_date_of(status_module, "completionDateStruct")
                          or _date_of(status_module, "primaryCompletionDateStruct")),
        "status": _status(status_module),
        "routes": _routes(interventions),
        "conditions": conditions,
        "interventions": interventions,
        "arms": arms,
        "primary_endpoint": "; ".join(
            measure for outcome in _dicts(_module(protocol, "outcomesModule"), "primaryOutcomes")
            if (measure := _text(outcome, "measure")) is not None) or None,
        "outcome": model.Outcome.NOT_ASSESSED.value,
        "publications": [source["id"] for source in publications],
        "sources": [registry_source],
        "unverified": ["design"] if design_inferred else [],
        "origin": model.Origin.IMPORTED.value,
        "reviewed": today,
    }
    registry = {
        "id": registry_source,
        "kind": model.SourceKind.REGISTRY_RECORD.value,
        "title": brief_title or title,
        "publisher": "ClinicalTrials.gov",
        "year": _year(last_update),
        "date": last_update if last_update and model.DATE.fullmatch(last_update) else None,
        "url": f"https://clinicaltrials.gov/study/{nct_id}",
        "registry_id": nct_id,
        "verified": False,
        "reviewed": today,
    }
    return Converted(nct_id, trial, [registry, *publications])


def classify(interventions: list[dict[str, Any]], therapies: set[str]) -> str:
    """The one therapy the interventions clearly name, else ``unclassified``.

    Each intervention counts for the most specific therapy it names; interventions naming
    two different therapies (say aHSCT against MSC) are not a clear case.
    """
    named = {therapy for intervention in interventions if (therapy := _therapy_of(intervention))}
    if len(named) == 1 and (only := named.pop()) in therapies:
        return only
    return model.UNCLASSIFIED


def _therapy_of(intervention: dict[str, Any]) -> str | None:
    words = " ".join(filter(None, (intervention["name"], intervention.get("description"))))
    return next((therapy for therapy, pattern in _THERAPY_PATTERNS if pattern.search(words)), None)


def _registrations(nct_id: str, ident: dict[str, Any]) -> list[dict[str, Any]]:
    registrations: list[dict[str, Any]] = [{"id": nct_id, "note": None}]
    for secondary in _dicts(ident, "secondaryIdInfos"):
        number = _text(secondary, "id")
        if number is None or secondary.get("type") != "EUDRACT_NUMBER":
            continue
        number = re.sub(r"^eudract\s*(?:number)?[\s:#-]*", "", number, flags=re.IGNORECASE)
        if model.registry_of(number) == "EudraCT":
            registrations.append({"id": number, "note": "EudraCT number given on the ClinicalTrials.gov record"})
    return registrations


def _phase(design_module: dict[str, Any]) -> str:
    given = _texts(design_module, "phases")
    if not given:
        raise Unusable("no phase (designModule.phases)")
    unknown = [phase for phase in given if phase not in _PHASES]
    if unknown:
        raise Unusable(f"phase {unknown[0][:40]!r} has no mscli equivalent")
    phases = tuple(sorted({_PHASES[phase] for phase in given}))
    if len(phases) == 1:
        return phases[0]
    if phases in _PHASE_PAIRS:
        return _PHASE_PAIRS[phases]
    raise Unusable(f"phases {', '.join(given)} have no mscli equivalent")


def _status(status_module: dict[str, Any]) -> str:
    status = _text(status_module, "overallStatus")
    if status is None:
        raise Unusable("no overallStatus (statusModule)")
    if status not in _STATUSES:
        raise Unusable(f"status {status[:40]!r} has no mscli equivalent")
    return _STATUSES[status]


def _design(design_module: dict[str, Any], arms: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """The design, and whether "controlled" had to be inferred for want of arm groups."""
    info = _module(design_module, "designInfo")
    masking = _text(_module(info, "maskingInfo"), "masking")
    if masking is None:
        raise Unusable("no masking (designModule.designInfo.maskingInfo)")
    if masking not in _MASKING:
        raise Unusable(f"masking {masking[:40]!r} has no mscli equivalent")
    allocation = _text(info, "allocation")
    model_kind = _text(info, "interventionModel")
    if allocation is None and model_kind != "SINGLE_GROUP":
        raise Unusable("no allocation (designModule.designInfo.allocation)")
    comparators = [arm for arm in arms if arm["kind"] in _COMPARATOR_ARMS]
    design = {
        "randomised": allocation == "RANDOMIZED",
        "controlled": bool(comparators),
        "blinding": _MASKING[masking],
        "crossover": model_kind == "CROSSOVER",
        "comparator": "; ".join(f"{arm['label']} ({arm['kind']})" for arm in comparators) or None,
    }
    return design, not arms


def _interventions(arms_module: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = {kind.value for kind in model.InterventionKind}
    interventions = []
    for item in _dicts(arms_module, "interventions"):
        name = _text(item, "name")
        if name is None:
            continue
        kind = _slug_kind(_text(item, "type")) or "other"
        if kind not in kinds:
            raise Unusable(f"intervention type {kind[:40]!r} has no mscli equivalent")
        other_names = _texts(item, "otherNames")
        given = _text(item, "description")
        if given and other_names and not given.endswith((".", "!", "?")):
            given += "."
        description = " ".join(filter(None, (given, f"Other names: {', '.join(other_names)}."
                                             if other_names else None)))
        interventions.append({"name": name, "kind": kind, "description": description or None})
    return interventions


def _arms(arms_module: dict[str, Any], intervention_names: set[str]) -> list[dict[str, Any]]:
    """Arm groups; their intervention names lose the registry's "Type: " prefix."""
    kinds = {kind.value for kind in model.ArmKind}
    arms = []
    for item in _dicts(arms_module, "armGroups"):
        label = _text(item, "label")
        if label is None:
            continue
        kind = _slug_kind(_text(item, "type"))
        if kind is not None and kind not in kinds:
            raise Unusable(f"arm group type {kind[:40]!r} has no mscli equivalent")
        names = []
        for given in _texts(item, "interventionNames"):
            bare = given.split(": ", 1)[1] if ": " in given else given
            name = given if given in intervention_names else bare
            if name in intervention_names and name not in names:
                names.append(name)
        arms.append({"label": label, "kind": kind, "description": _text(item, "description"),
                     "interventions": names})
    return arms


def parse_age(text: str | None) -> tuple[int | None, str | None]:
    """An age limit in whole years, or None with a note when the registry's value is not one.

    "18 Years" -> 18; "24 Months" -> 2; "6 Months" -> None with a note; "N/A" or nothing -> None.
    """
    if text is None or text.strip().upper() in ("N/A", "NA", "NONE"):
        return None, None
    match = _AGE.fullmatch(text.strip())
    if match:
        number, unit = int(match.group(1)), match.group(2).lower()
        if unit == "year":
            return number, None
        if unit == "month" and number % 12 == 0:
            return number // 12, None
    return None, text.strip()[:60]


def _eligibility(module: dict[str, Any], conditions: list[str], source: str) -> dict[str, Any] | None:
    age_min, min_note = parse_age(_text(module, "minimumAge"))
    age_max, max_note = parse_age(_text(module, "maximumAge"))
    notes = [f"{label} age on the registry: {note}" for label, note in
             (("minimum", min_note), ("maximum", max_note)) if note]
    sex = _SEX.get(_text(module, "sex") or "")
    criteria = _text(module, "eligibilityCriteria")
    ms_types = ms_types_of(conditions)
    if not (module or ms_types):
        return None
    return {"ms_types": ms_types, "age_min": age_min, "age_max": age_max, "sex": sex,
            "notes": "; ".join(notes) or None, "criteria": criteria, "source": source}


_MS_TYPES = (
    ("CIS", re.compile(r"(?i:clinically isolated syndrome)|\bCIS\b")),
    ("RRMS", re.compile(r"(?i:relapsing[- ]remitting)|\bRRMS\b")),
    ("SPMS", re.compile(r"(?i:secondary[- ]progressive)|\bSPMS\b")),
    ("PPMS", re.compile(r"(?i:primary[- ]progressive)|\bPPMS\b")),
)


def ms_types_of(conditions: list[str]) -> list[str]:
    """The MS types the conditions name in so many words; none for plain "Multiple Sclerosis"."""
    return [ms_type for ms_type, pattern in _MS_TYPES if any(pattern.search(c) for c in conditions)]


def _enrolment(design_module: dict[str, Any], status_module: dict[str, Any], source: str) -> list[dict[str, Any]]:
    info = _module(design_module, "enrollmentInfo")
    count, kind = info.get("count"), _ENROLMENT_KINDS.get(_text(info, "type") or "")
    if not isinstance(count, int) or isinstance(count, bool) or kind is None:
        return []
    as_of = _date_of(status_module, "lastUpdatePostDateStruct")
    if as_of is None or not model.DATE.fullmatch(as_of):
        year = _year(as_of or _text(status_module, "statusVerifiedDate"))
        if year is None:
            return []
        as_of = str(year)
    note = ("Estimated (planned) enrolment on the ClinicalTrials.gov record." if kind == "planned"
            else "Actual enrolment on the ClinicalTrials.gov record.")
    return [{"count": count, "kind": kind, "source": source, "as_of": as_of, "note": note}]


def _routes(interventions: list[dict[str, Any]]) -> list[str]:
    """Routes named by the cell-therapy interventions (a comparator drug's route is not one)."""
    text = " ".join(" ".join(filter(None, (item["name"], item["description"])))
                    for item in interventions if _therapy_of(item) is not None)
    return [route for route, pattern in _ROUTE_WORDS.items() if pattern.search(text)]


def _publications(module: dict[str, Any], nct_id: str, today: str) -> list[dict[str, Any]]:
    """Papers the record lists as reporting its results; background reading is left out."""
    sources: dict[str, dict[str, Any]] = {}
    for reference in _dicts(module, "references"):
        pmid = _text(reference, "pmid")
        if pmid is None or not model.PMID.fullmatch(pmid) or reference.get("type") not in _PUBLICATION_TYPES:
            continue
        source_id = f"{ID_PREFIX}{nct_id.lower()}-pmid-{pmid}"
        sources.setdefault(source_id, {
            "id": source_id,
            "kind": model.SourceKind.JOURNAL_ARTICLE.value,
            "title": (_text(reference, "citation") or f"PubMed record {pmid}")[:1000],
            "publisher": f"PubMed (listed on ClinicalTrials.gov record {nct_id})",
            "pmid": pmid,
            "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            "verified": False,
            "reviewed": today,
        })
    return list(sources.values())
