"""Turn ClinicalTrials.gov API v2 study records into mscli trial records.

The registry's JSON (``protocolSection`` and its modules) is mapped onto the model in
``mscli.model.records``; a value with no honest equivalent there (an unknown status, no phase, no
masking) makes the study unusable with a reason, never a guess. Nothing here knows about the
CLI or writes files: ``mscli.features.importer`` does that.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from mscli.features.ctgov_read import NCT, Found, input_files, ms_types_of, parse_age, read_studies, reference_fields
from mscli.features.ctgov_read import date_of as _date_of
from mscli.features.ctgov_read import dicts as _dicts
from mscli.features.ctgov_read import module as _module
from mscli.features.ctgov_read import text as _text
from mscli.features.ctgov_read import texts as _texts
from mscli.model import trial_terms, vocabularies

__all__ = ["Converted", "Found", "Unusable", "classify", "convert", "input_files", "ms_types_of",
           "parse_age", "read_studies"]
ID_PREFIX = "ctgov-import-"

_PHASES = {"EARLY_PHASE1": "early-1", "PHASE1": "1", "PHASE2": "2", "PHASE3": "3", "PHASE4": "4",
           "NA": "n/a"}
_PHASE_PAIRS = {("1", "2"): "1/2", ("2", "3"): "2/3"}
_STATUSES = {status: status.lower().replace("_", "-") for status in (
    "NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "COMPLETED",
    "TERMINATED", "WITHDRAWN", "SUSPENDED", "UNKNOWN")}
_MASKING = {"NONE": "open-label", "SINGLE": "single-blind", "DOUBLE": "double-blind",
            "TRIPLE": "double-blind", "QUADRUPLE": "double-blind"}
_COMPARATOR_ARMS = {"active-comparator", "placebo-comparator", "sham-comparator", "no-intervention"}
_PUBLICATION_TYPES = {"RESULT", "DERIVED"}
_ENROLMENT_KINDS = {"ACTUAL": "actual", "ESTIMATED": "planned", "ANTICIPATED": "planned"}
_SEX = {"ALL": "all", "FEMALE": "female", "MALE": "male"}
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-\d{2}(?:-\d{2})?)?")

# Most specific first: the first pattern an intervention matches is its therapy, so
# "MSC-NTF" is msc-ntf and not msc. Words only, matched in names, other names and descriptions.
_THERAPY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (therapy, re.compile(pattern, re.IGNORECASE)) for therapy, pattern in (
        ("msc-ntf", r"\bmsc-?ntf\b|\bnurown\b|neurotrophic factor[- ]secreting"),
        ("msc-np", r"\bmsc-?nps?\b|mesenchymal stem cell-derived neural progenitor"),
        ("nsc", r"\bneural (?:stem|progenitor|precursor)"),
        ("ahsct", r"\bha?em(?:at)?opoietic (?:stem[- ]|progenitor )?cells? transplant|\ba?hsct\b"
                  r"|\bautologous (?:peripheral blood )?stem[- ]cell transplant|\bcd34\+? ?selected"),
        ("msc", r"\bmesenchymal\b|\bmscs?\b|\bwharton'?s jelly"),
    ))
_ROUTE_WORDS = {route.value: re.compile(rf"\b{route.value}\b", re.IGNORECASE) for route in trial_terms.Route}


class Unusable(Exception):
    """A study that cannot become an mscli trial; the message says why."""


class Unmappable(Unusable):
    """A value the record does give that mscli cannot take, so no ``fields=`` restriction is to blame."""


class Converted(NamedTuple):
    """A study mapped onto the model: its trial and the source records the trial cites."""

    nct_id: str
    trial: dict[str, Any]
    sources: list[dict[str, Any]]
    lacks: list[str]  # modules a fields=-restricted record leaves out


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

_MODULES = ("identificationModule", "statusModule", "sponsorCollaboratorsModule", "conditionsModule",
            "designModule", "armsInterventionsModule", "eligibilityModule", "contactsLocationsModule")
_CONTROL_WORDS = re.compile(r"\b(?:placebo|sham)\b", re.IGNORECASE)


def convert(study: Any, today: str, therapies: set[str]) -> Converted:
    """Map one API v2 study onto an mscli trial and its sources, or raise ``Unusable``.

    ``therapies`` are the therapy ids of the dataset the trial will join; a therapy the
    interventions name but the dataset lacks leaves the trial unclassified. A record fetched
    with ``fields=`` is imported with what it holds; ``lacks`` names the modules it left out,
    and a reason to skip it says they are missing rather than blaming the study.
    """
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise Unusable("not a study: no protocolSection")
    lacks = [name for name in _MODULES if not isinstance(study["protocolSection"].get(name), dict)]
    try:
        converted = _convert(study, today, therapies)
    except Unusable as error:
        if lacks and not isinstance(error, Unmappable):  # say first what the download left out
            raise Unusable(f"the record lacks {', '.join(lacks)} (fetched with fields=?), too little for a trial "
                           f"(first gap: {error}): fetch the full record from API v2") from None
        raise
    return converted._replace(lacks=lacks)


def _convert(study: dict[str, Any], today: str, therapies: set[str]) -> Converted:
    protocol = study["protocolSection"]
    ident = _module(protocol, "identificationModule")
    status_module = _module(protocol, "statusModule")
    design_module = _module(protocol, "designModule")
    arms_module = _module(protocol, "armsInterventionsModule")

    nct_id = _text(ident, "nctId")
    if nct_id is None:
        raise Unusable("no nctId in identificationModule")
    if not NCT.fullmatch(nct_id):
        raise Unmappable(f"nctId {nct_id[:40]!r} is not NCT followed by 8 digits")
    study_type = _text(design_module, "studyType")
    if study_type is not None and study_type != "INTERVENTIONAL":
        raise Unmappable(f"{study_type.lower().replace('_', ' ')} study, not an interventional trial")
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
    condition_module = _module(protocol, "conditionsModule")
    meshes = _dicts(_module(_module(study, "derivedSection"), "conditionBrowseModule"), "meshes")
    mesh_terms = [_text(mesh, "term") or "" for mesh in meshes]
    conditions = list({item.casefold(): item for item in [*_texts(condition_module, "conditions"),
                       *_texts(condition_module, "keywords"), *filter(None, mesh_terms)]}.values())
    sponsors = _module(protocol, "sponsorCollaboratorsModule")
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
        "eligibility": _eligibility(_module(protocol, "eligibilityModule"), conditions[:len(
            _texts(condition_module, "conditions"))], registry_source),
        "enrolment": _enrolment(design_module, status_module, registry_source),
        "sites": len(locations) or None,
        "countries": countries,
        "start_year": _year(_date_of(status_module, "startDateStruct")),
        "end_year": _year(_date_of(status_module, "completionDateStruct")
                          or _date_of(status_module, "primaryCompletionDateStruct")),
        **_dated(status_module, "startDateStruct", "start"),
        **_dated(status_module, "completionDateStruct", "end"),
        "status": _status(status_module),
        "status_checked": today,
        "why_stopped": _text(status_module, "whyStopped"),
        "sponsor": _text(_module(sponsors, "leadSponsor"), "name"),
        "collaborators": [name for item in _dicts(sponsors, "collaborators") if (name := _text(item, "name"))],
        "locations": [{"facility": _text(item, "facility"), "city": _text(item, "city"), "country": country,
                       "status": _slug_kind(_text(item, "status"))}
                      for item in locations if (country := _text(item, "country")) is not None],
        "results_posted": study["hasResults"] if isinstance(study.get("hasResults"), bool) else None,
        "posted_outcomes": [title for measure in _dicts(_module(_module(study, "resultsSection"),
                            "outcomeMeasuresModule"), "outcomeMeasures") if (title := _text(measure, "title"))],
        "routes": _routes(interventions),
        "conditions": conditions,
        "interventions": interventions,
        "arms": arms,
        "primary_endpoint": "; ".join(
            measure for outcome in _dicts(_module(protocol, "outcomesModule"), "primaryOutcomes")
            if (measure := _text(outcome, "measure")) is not None) or None,
        "outcome": trial_terms.Outcome.NOT_ASSESSED.value,
        "publications": [source["id"] for source in publications],
        "sources": [registry_source],
        "unverified": ["design"] if design_inferred else [],
        "origin": trial_terms.Origin.IMPORTED.value,
        "reviewed": today,
    }
    registry = {
        "id": registry_source,
        "kind": vocabularies.SourceKind.REGISTRY_RECORD.value,
        "title": brief_title or title,
        "publisher": "ClinicalTrials.gov",
        "year": _year(last_update),
        "date": last_update if last_update and vocabularies.DATE.fullmatch(last_update) else None,
        "url": f"https://clinicaltrials.gov/study/{nct_id}",
        "registry_id": nct_id,
        "verified": False,
        "reviewed": today,
    }
    return Converted(nct_id, trial, [registry, *publications], [])


def _dated(status_module: dict[str, Any], key: str, prefix: str) -> dict[str, Any]:
    """A registry date at its own precision and whether it happened or is planned."""
    struct = _module(status_module, key)
    date, kind = _text(struct, "date"), _text(struct, "type")
    return {f"{prefix}_date": date, f"{prefix}_date_kind": None if date is None else
            "actual" if kind == "ACTUAL" else "anticipated" if kind in ("ESTIMATED", "ANTICIPATED") else None}


def classify(interventions: list[dict[str, Any]], therapies: set[str]) -> str:
    """The one therapy the interventions clearly name, else ``unclassified``.

    Each intervention counts for the most specific therapy it names; interventions naming
    two different therapies (say aHSCT against MSC) are not a clear case.
    """
    named = {therapy for intervention in interventions if (therapy := _therapy_of(intervention))}
    if len(named) == 1 and (only := named.pop()) in therapies:
        return only
    return vocabularies.UNCLASSIFIED


def _therapy_of(intervention: dict[str, Any]) -> str | None:
    words = " ".join(filter(None, (intervention["name"], intervention.get("description"))))
    return next((therapy for therapy, pattern in _THERAPY_PATTERNS if pattern.search(words)), None)


def _registrations(nct_id: str, ident: dict[str, Any]) -> list[dict[str, Any]]:
    registrations: list[dict[str, Any]] = [{"id": nct_id, "note": None}]
    for secondary in _dicts(ident, "secondaryIdInfos"):
        number = _text(secondary, "id")
        if number is None:
            continue
        number = re.sub(r"^(?:eudract|ctis)\s*(?:number)?[\s:#-]*(?=\S)", "", number, flags=re.IGNORECASE)
        registry = vocabularies.registry_of(number)
        if registry is not None and registry != "ClinicalTrials.gov" and number not in {
                item["id"] for item in registrations}:
            registrations.append({"id": number, "note": f"{registry} number given on the ClinicalTrials.gov record"})
    return registrations


def _phase(design_module: dict[str, Any]) -> str:
    given = _texts(design_module, "phases")
    if not given:
        raise Unusable("no phase (designModule.phases)")
    unknown = [phase for phase in given if phase not in _PHASES]
    if unknown:
        raise Unmappable(f"phase {unknown[0][:40]!r} has no mscli equivalent")
    phases = tuple(sorted({_PHASES[phase] for phase in given}))
    if len(phases) == 1:
        return phases[0]
    if phases in _PHASE_PAIRS:
        return _PHASE_PAIRS[phases]
    raise Unmappable(f"phases {', '.join(given)} have no mscli equivalent")


def _status(status_module: dict[str, Any]) -> str:
    status = _text(status_module, "overallStatus")
    if status is None:
        raise Unusable("no overallStatus (statusModule)")
    if status not in _STATUSES:
        raise Unmappable(f"status {status[:40]!r} has no mscli equivalent")
    return _STATUSES[status]


def _design(design_module: dict[str, Any], arms: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """The design, and whether "controlled" had to be inferred for want of arm groups."""
    info = _module(design_module, "designInfo")
    masking = _text(_module(info, "maskingInfo"), "masking")
    if masking is None:
        raise Unusable("no masking (designModule.designInfo.maskingInfo)")
    if masking not in _MASKING:
        raise Unmappable(f"masking {masking[:40]!r} has no mscli equivalent")
    allocation = _text(info, "allocation")
    model_kind = _text(info, "interventionModel")
    if allocation is None and model_kind != "SINGLE_GROUP":
        raise Unusable("no allocation (designModule.designInfo.allocation)")
    comparators = [arm for arm in arms if arm["kind"] in _COMPARATOR_ARMS] or [
        arm for arm in arms if _CONTROL_WORDS.search(" ".join([arm["label"], *arm["interventions"]]))]
    who = [item.lower().replace("_", " ") for item in _texts(_module(info, "maskingInfo"), "whoMasked")]
    blinding = "assessor-blind" if masking == "SINGLE" and who == ["outcomes assessor"] else _MASKING[masking]
    masked = f"masking {masking.lower()}" + (f" ({', '.join(who)})" if who else "")
    design = {
        "randomised": allocation == "RANDOMIZED",
        "controlled": bool(comparators),
        "blinding": blinding,
        "crossover": model_kind == "CROSSOVER",
        "comparator": "; ".join([*(f"{arm['label']} ({arm['kind'] or 'arm'})" for arm in comparators),
                                 *([masked] if masking != "NONE" else [])]) or None,
    }
    return design, not arms


def _interventions(arms_module: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = {kind.value for kind in trial_terms.InterventionKind}
    interventions = []
    for item in _dicts(arms_module, "interventions"):
        name = _text(item, "name")
        if name is None:
            continue
        kind = _slug_kind(_text(item, "type")) or "other"
        if kind not in kinds:
            raise Unmappable(f"intervention type {kind[:40]!r} has no mscli equivalent")
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
    kinds = {kind.value for kind in trial_terms.ArmKind}
    arms = []
    for item in _dicts(arms_module, "armGroups"):
        label = _text(item, "label")
        if label is None:
            continue
        kind = _slug_kind(_text(item, "type"))
        if kind is not None and kind not in kinds:
            raise Unmappable(f"arm group type {kind[:40]!r} has no mscli equivalent")
        names = []
        for given in _texts(item, "interventionNames"):
            bare = given.split(": ", 1)[1] if ": " in given else given
            name = given if given in intervention_names else bare
            if name in intervention_names and name not in names:
                names.append(name)
        arms.append({"label": label, "kind": kind, "description": _text(item, "description"),
                     "interventions": names})
    return arms


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
    healthy = module.get("healthyVolunteers")
    return {"ms_types": ms_types, "age_min": age_min, "age_max": age_max, "sex": sex,
            "healthy_volunteers": healthy if isinstance(healthy, bool) else None,
            "notes": "; ".join(notes) or None, "criteria": criteria, "source": source}


def _enrolment(design_module: dict[str, Any], status_module: dict[str, Any], source: str) -> list[dict[str, Any]]:
    info = _module(design_module, "enrollmentInfo")
    count, kind = info.get("count"), _ENROLMENT_KINDS.get(_text(info, "type") or "")
    if not isinstance(count, int) or isinstance(count, bool) or kind is None:
        return []
    as_of = _date_of(status_module, "lastUpdatePostDateStruct")
    if as_of is None or not vocabularies.DATE.fullmatch(as_of):
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
        if pmid is None or not vocabularies.PMID.fullmatch(pmid) or reference.get("type") not in _PUBLICATION_TYPES:
            continue
        source_id = f"{ID_PREFIX}{nct_id.lower()}-pmid-{pmid}"
        sources.setdefault(source_id, {
            "id": source_id,
            "kind": vocabularies.SourceKind.JOURNAL_ARTICLE.value,
            **reference_fields(_text(reference, "citation"), pmid, nct_id),
            "pmid": pmid,
            "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            "verified": False,
            "reviewed": today,
        })
    return list(sources.values())
