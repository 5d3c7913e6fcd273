"""The rules one record must follow beyond its types: references, registry numbers, dates,
ranges and each record type's own consistency. Called by ``validate.assemble`` per record.
"""

from __future__ import annotations

import calendar
import datetime
import re
import typing
from functools import lru_cache
from typing import Any

from mscli.errors import Problem
from mscli.model import records as model
from mscli.model.fields import field_names
from mscli.model.records import COLLECTIONS, CollectionName

_TOP_LEVEL = ("dataset", *COLLECTIONS)


class Located(typing.NamedTuple):
    record: dict[str, Any]
    collection: CollectionName
    file: str
    line: int | None


def check_record(entry: Located, ids: dict[str, set[str]], report: Any) -> None:
    record = entry.record
    if not model.SLUG.fullmatch(record["id"]):
        report("id must be a lowercase slug like 'beat-ms' (letters, digits, single hyphens)", "id")
    check_date(record.get("reviewed"), report, "reviewed")

    def ref(value: str | None, collection: str, field: str) -> None:
        if value is not None and value not in ids[collection]:
            report(f"unknown {COLLECTIONS[collection][1]} id {value!r}", field)  # type: ignore[index]

    for index, source in enumerate(record.get("sources") or []):
        ref(source, "sources", f"sources[{index}]")
    if entry.collection != "sources" and "sources" in record and not record["sources"]:
        report("every record needs at least one source", "sources")
    for index, source in enumerate(record.get("publications") or []):
        ref(source, "sources", f"publications[{index}]")
    if entry.collection in ("studies", "outcomes") or (entry.collection == "trials"
                                                       and record["therapy"] != model.UNCLASSIFIED):
        ref(record["therapy"], "therapies", "therapy")
    if entry.collection == "therapies" and record["id"] == model.UNCLASSIFIED:
        report(f"{model.UNCLASSIFIED!r} is reserved for trials with no clear therapy", "id")
    for index, therapy in enumerate(record.get("therapies") or []):
        ref(therapy, "therapies", f"therapies[{index}]")
    record_type = COLLECTIONS[entry.collection][0]
    for index, name in enumerate(record.get("unverified") or []):
        if name not in field_names(record_type):
            report(f"names no field of a {COLLECTIONS[entry.collection][1]}", f"unverified[{index}]")
    if entry.collection == "sources":
        _check_source(record, report)
    if entry.collection == "trials":
        _check_trial(record, ref, report)
    if entry.collection == "studies":
        _check_count(record.get("participants"), "participants", report)
        _check_year(record.get("year"), "year", report)
    if entry.collection == "guidance":
        _check_year(record.get("year"), "year", report)
        if record["benefit_profile"] is not None:
            _check_criteria(record["benefit_profile"], "benefit_profile", ref, report)
            ref(record["benefit_profile"]["therapy"], "therapies", "benefit_profile.therapy")
    if entry.collection == "red_flags":
        _check_red_flag(record, report)


_PHRASE_CHECKS = (model.FlagCheck.PHRASE_PRESENT, model.FlagCheck.PHRASE_ABSENT)


def _check_red_flag(record: dict[str, Any], report: Any) -> None:
    """Phrase checks need phrases to look for; other checks must not carry unused ones."""
    if not record["questions"]:
        report("a red flag needs at least one question to ask", "questions")
    phrases = record["phrases"]
    if record["check"] in _PHRASE_CHECKS and not phrases:
        report(f"check {record['check']!r} needs at least one phrase", "phrases")
    if record["check"] not in _PHRASE_CHECKS and phrases:
        report(f"check {record['check']!r} does not use phrases; remove them or use phrase-present "
               "or phrase-absent", "phrases")
    seen: set[str] = set()
    for index, phrase in enumerate(phrases):
        key = " ".join(phrase.lower().split())
        if key in seen:
            report(f"phrase {phrase!r} is listed twice", f"phrases[{index}]")
        seen.add(key)


def _check_source(record: dict[str, Any], report: Any) -> None:
    if record["doi"] is not None and not model.DOI.fullmatch(record["doi"]):
        report(f"DOI {record['doi']!r} is not of the form 10.NNNN/suffix (no 'https://doi.org/')", "doi")
    if record["pmid"] is not None and not model.PMID.fullmatch(record["pmid"]):
        report(f"PMID {record['pmid']!r} must be 1 to 9 digits", "pmid")
    if record["registry_id"] is not None and model.registry_of(record["registry_id"]) is None:
        report(_registry_message(record["registry_id"]), "registry_id")
    if record["url"] is not None and not record["url"].startswith(("https://", "http://")):
        report("URL must start with https:// or http://", "url")
    _check_copies(record, report)
    _check_source_address(record, report)
    _check_year(record["year"], "year", report)
    check_date(record["date"], report, "date")


def _check_copies(record: dict[str, Any], report: Any) -> None:
    """Each copy is a web address, neither the canonical one nor another copy given twice."""
    seen: set[str] = set()
    for index, copy in enumerate(record["seen_at"]):
        where = f"seen_at[{index}].url"
        if not copy["url"].startswith(("https://", "http://")):
            report("seen_at must start with https:// or http://", where)
        elif copy["url"] == record["url"]:
            report("this is the source's url; seen_at is for copies read elsewhere", where)
        elif copy["url"] in seen:
            report(f"{copy['url']} is listed twice: list it once, naming every part read there in its read note", where)
        seen.add(copy["url"])


def _check_source_address(record: dict[str, Any], report: Any) -> None:
    """``url`` is the canonical address: never a copy site, and for a registry record the
    registry's own page for its number (or the WHO platform's page, which shows every registry)."""
    from mscli.model.registries import canonical_urls, copy_domain

    url = record["url"]
    copy = copy_domain(url) if url is not None else None
    if copy is not None:
        report(f"url is on {copy}, a site that copies registry records or papers: give the "
               "canonical address (registry page, doi.org, PubMed) in url and this one in seen_at",
               "url")
    if record["kind"] != model.SourceKind.REGISTRY_RECORD:
        return
    registration = record["registry_id"]
    if registration is None:
        report("a registry-record source needs registry_id (the number of the record)", "registry_id")
    elif url is not None and copy is None and model.registry_of(registration) is not None:
        allowed = canonical_urls(registration)
        if url not in allowed:
            report(f"url of a registry record must be the registry's own page for {registration}: "
                   f"{' or '.join(allowed)} (where the record was read goes in seen_at)", "url")


def source_warnings(dataset: Any) -> list[Problem]:
    """Things worth fixing that are not errors: journal articles with no DOI or PMID."""
    return [Problem("(dataset)", "journal article without a DOI or PMID: add the one the paper has",
                    None, source["id"], "doi")
            for source in dataset["sources"]
            if source["kind"] == model.SourceKind.JOURNAL_ARTICLE and not source["doi"]
            and not source["pmid"]]


_GRADING_SOURCE_KINDS = ("review", "guideline")


def check_outcome(record: dict[str, Any], by_id: dict[str, Located], report: Any) -> None:
    """An outcome finding must rest on a trial or study of its own therapy, and a certainty
    grade must come from a cited review or guideline: mscli never grades evidence itself."""
    evidence = by_id.get(record["evidence"])
    if evidence is None or evidence.collection not in ("trials", "studies"):
        report(f"{record['evidence']!r} is not the id of a trial or study", "evidence")
    elif evidence.record["therapy"] != record["therapy"]:
        report(f"{record['evidence']!r} is a {evidence.record['therapy']} record, "
               f"not {record['therapy']}", "evidence")
    _check_count(record["n"], "n", report)
    certainty = record["certainty"]
    if certainty is None:
        return
    grader = by_id.get(certainty["source"])
    if grader is None or grader.collection != "sources":
        report(f"unknown source id {certainty['source']!r}", "certainty.source")
    elif grader.record["kind"] not in _GRADING_SOURCE_KINDS:
        report(f"a certainty grade must come from a review or guideline; {certainty['source']!r} "
               f"is a {grader.record['kind']}", "certainty.source")
    if certainty["source"] not in record["sources"]:
        report(f"the source of the grade, {certainty['source']!r}, must also be in sources",
               "certainty.source")


def _registry_message(value: str) -> str:
    return (f"registry number {value!r} has an unknown format "
            "(NCT + 8 digits, ISRCTN + 8 digits, EudraCT yyyy-nnnnnn-nn, ACTRN + 14 digits)")


def _check_trial(record: dict[str, Any], ref: Any, report: Any) -> None:
    for index, registration in enumerate(record["registrations"]):
        if model.registry_of(registration["id"]) is None:
            report(_registry_message(registration["id"]), f"registrations[{index}].id")
    if record["eligibility"] is not None:
        _check_criteria(record["eligibility"], "eligibility", ref, report)
    for index, enrolment in enumerate(record["enrolment"]):
        ref(enrolment["source"], "sources", f"enrolment[{index}].source")
        _check_count(enrolment["count"], f"enrolment[{index}].count", report)
        _check_as_of(enrolment["as_of"], f"enrolment[{index}].as_of", report)
    for index, difference in enumerate(record["differences"]):
        ref(difference["source"], "sources", f"differences[{index}].source")
        _check_as_of(difference["as_of"], f"differences[{index}].as_of", report)
        if not _is_trial_field(difference["field"]):
            report(f"{difference['field']!r} is not a trial field (e.g. phase, design.comparator)",
                   f"differences[{index}].field")
    names = {intervention["name"] for intervention in record["interventions"]}
    for index, arm in enumerate(record["arms"]):
        for position, name in enumerate(arm["interventions"]):
            if name not in names:
                report(f"{name!r} is not the name of one of this trial's interventions",
                       f"arms[{index}].interventions[{position}]")
    _check_count(record["sites"], "sites", report)
    _check_year(record["start_year"], "start_year", report)
    _check_year(record["end_year"], "end_year", report)
    if (record["start_year"] is not None and record["end_year"] is not None
            and record["end_year"] < record["start_year"]):
        report(f"end_year {record['end_year']} is before start_year {record['start_year']}", "end_year")
    _check_trial_dates(record, report)
    _check_trial_outcome(record, report)


_DATE_AT_PRECISION = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_STOPPED = (model.Status.TERMINATED, model.Status.SUSPENDED)


def _check_trial_dates(record: dict[str, Any], report: Any) -> None:
    """Registry dates at their own precision, each agreeing with its year."""
    for which in ("start", "end"):
        value, year, kind = record[f"{which}_date"], record[f"{which}_year"], record[f"{which}_date_kind"]
        if value is None:
            if kind is not None:
                report(f"{which}_date_kind is given without a {which}_date", f"{which}_date_kind")
            continue
        if _date_value(value) is None:
            report(f"{which}_date {value!r} must be a date as YYYY, YYYY-MM or YYYY-MM-DD", f"{which}_date")
            continue
        if year is None:
            report(f"{which}_date {value} needs {which}_year {value[:4]} as well", f"{which}_year")
        elif int(value[:4]) != year:
            report(f"{which}_year {year} does not agree with {which}_date {value}", f"{which}_year")
    check_date(record["status_checked"], report, "status_checked")


def _date_value(value: str, last: bool = False) -> datetime.date | None:
    """The date a registry date stands for (its first day, or its last with ``last``); None if invalid."""
    match = _DATE_AT_PRECISION.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return datetime.date(year, 12, 31) if last else datetime.date(year, 1, 1)  # type: ignore[arg-type]
        if day is None:
            end = calendar.monthrange(year, month)[1] if last else 1  # type: ignore[arg-type]
            return datetime.date(year, month, end)  # type: ignore[arg-type]
        return datetime.date(year, month, day)  # type: ignore[arg-type]
    except ValueError:
        return None


def _check_trial_outcome(record: dict[str, Any], report: Any) -> None:
    """An outcome label may not read as more than the trial's status and design allow."""
    status, outcome = record["status"], record["outcome"]
    if outcome == model.Outcome.PENDING and status in (model.Status.TERMINATED, model.Status.WITHDRAWN):
        report(f"a {status} trial cannot be 'pending': use stopped-early, withdrawn or what its "
               "results showed", "outcome")
    if outcome == model.Outcome.STOPPED_EARLY and status not in _STOPPED:
        report(f"'stopped-early' is for terminated or suspended trials; this one is {status}", "outcome")
    if outcome == model.Outcome.WITHDRAWN and status != model.Status.WITHDRAWN:
        report(f"'withdrawn' is for withdrawn trials; this one is {status}", "outcome")
    if outcome == model.Outcome.MET_RANDOMISED:
        if not record["design"]["randomised"]:
            report("'met-randomised' needs a randomised comparison (design.randomised); a single-arm "
                   "trial reporting improvement is 'uncontrolled-improvement'", "outcome")
        if not record["publications"] and not record["results_posted"]:
            report("'met-randomised' needs a published result (publications) or results posted on "
                   "the registry (results_posted)", "outcome")
    if status == model.Status.RECRUITING:
        # Judged as of the record's own review, not today's clock: a dataset that loads today
        # must load next year too (the stale-review notice covers the passing of time).
        today = _date_value(record["reviewed"]) or datetime.date.today()
        end = (_date_value(record["end_date"], last=True) if record["end_date"] else None) or (
            datetime.date(record["end_year"], 12, 31) if record["end_year"] else None)
        checked = _date_value(record["status_checked"]) if record["status_checked"] else None
        stale = checked is None or (today - checked).days > 365
        if end is not None and end < today and stale and "status" not in record["unverified"]:
            report(f"a recruiting trial past its planned end ({end.isoformat()}) when reviewed needs a status "
                   "checked in the registry within the past year (status_checked), or its status listed "
                   "under unverified", "status_checked")


def _is_trial_field(path: str) -> bool:
    """True for a trial field name, or ``design.X`` / ``eligibility.X`` for a field inside."""
    head, _, rest = path.partition(".")
    if not rest:
        return head in field_names(model.Trial)
    inner = {"design": model.TrialDesign, "eligibility": model.Eligibility}.get(head)
    return inner is not None and rest in field_names(inner)


# Which fields give each criterion its limits: a wording entry must name a criterion that has one.
CRITERION_FIELDS: dict[model.Criterion, tuple[str, ...]] = {
    model.Criterion.CONDITION: (),  # from the trial's conditions, not its eligibility
    model.Criterion.SEX: ("sex",),
    model.Criterion.MS_TYPE: ("ms_types",),
    model.Criterion.AGE: ("age_min", "age_max"),
    model.Criterion.EDSS: ("edss_min", "edss_max"),
    model.Criterion.DISEASE_DURATION: ("duration_min_years", "duration_max_years"),
    model.Criterion.RELAPSES: ("relapses_min", "relapses_max"),
    model.Criterion.MRI_ACTIVITY: ("mri_activity",),
    model.Criterion.DISEASE_ACTIVITY: ("activity_either",),
    model.Criterion.PRIOR_TREATMENT: ("prior_treatments_min",),
}


def _check_criteria(data: dict[str, Any], where: str, ref: Any, report: Any) -> None:
    """Ranges, EDSS steps, windows and sources of a set of structured criteria."""
    ref(data["source"], "sources", f"{where}.source")
    _check_range(data, where, "age_min", "age_max", 0, 120, report)
    _check_range(data, where, "edss_min", "edss_max", 0, 10, report)
    _check_range(data, where, "duration_min_years", "duration_max_years", 0, 100, report)
    _check_range(data, where, "relapses_min", "relapses_max", 0, 100, report)
    for name in ("edss_min", "edss_max"):
        if data[name] is not None and (data[name] * 2) % 1:
            report(f"EDSS {data[name]:g} is not in steps of 0.5", f"{where}.{name}")
    for name in ("relapses_min", "prior_treatments_min"):
        if data[name] == 0:
            report("a minimum of 0 checks nothing; leave it out", f"{where}.{name}")
    for name in ("relapses_window_months", "mri_window_months"):
        if data[name] is not None and not 1 <= data[name] <= 240:
            report(f"{data[name]} months is outside 1 to 240", f"{where}.{name}")
    has_relapses = data["relapses_min"] is not None or data["relapses_max"] is not None
    if has_relapses != (data["relapses_window_months"] is not None):
        report("relapses_min/relapses_max and relapses_window_months go together", f"{where}.relapses_window_months")
    if (data["mri_activity"] is not None) != (data["mri_window_months"] is not None):
        report("mri_activity and mri_window_months go together", f"{where}.mri_window_months")
    for bound in ("min", "max"):
        if data[f"duration_{bound}_strict"] and data[f"duration_{bound}_years"] is None:
            report(f"duration_{bound}_strict needs duration_{bound}_years", f"{where}.duration_{bound}_strict")
    if data["activity_either"] and (data["relapses_min"] is None or data["mri_activity"] != "required"):
        report("activity_either needs relapses_min and mri_activity: required (either one is enough)",
               f"{where}.activity_either")
    for index, wording in enumerate(data["wording"]):
        ref(wording["source"], "sources", f"{where}.wording[{index}].source")
        fields = CRITERION_FIELDS[model.Criterion(wording["criterion"])]
        if not fields:
            report(f"wording for {wording['criterion']!r} belongs to the trial's conditions, not its eligibility",
                   f"{where}.wording[{index}].criterion")
        elif all(data[name] in (None, []) for name in fields):
            report(f"wording for {wording['criterion']!r} but no {' or '.join(fields)} is given",
                   f"{where}.wording[{index}].criterion")


def _check_range(data: dict[str, Any], where: str, low: str, high: str, floor: float, ceiling: float,
                 report: Any) -> None:
    for name in (low, high):
        value = data[name]
        if value is not None and not floor <= value <= ceiling:
            report(f"{value} is outside {floor:g} to {ceiling:g}", f"{where}.{name}")
    if data[low] is not None and data[high] is not None and data[low] > data[high]:
        report(f"{low} {data[low]:g} is above {high} {data[high]:g}", f"{where}.{high}")


MAX_COUNT = 10_000_000  # well above the number of people living with MS worldwide


def _check_count(value: int | None, field: str, report: Any) -> None:
    if value is not None and value < 0:
        report(f"count {value} is negative", field)
    elif value is not None and value > MAX_COUNT:
        report(f"count {value} is over {MAX_COUNT:,}, more than any trial or study could hold", field)


def _check_year(value: int | None, field: str, report: Any) -> None:
    if value is not None and not 1900 <= value <= 2100:
        report(f"year {value} is outside 1900 to 2100", field)


def _check_as_of(value: str, field: str, report: Any) -> None:
    if len(value) == 4 and value.isdigit():
        _check_year(int(value), field, report)
    else:
        check_date(value, report, field)


def check_date(value: str | None, report: Any, field: str | None = None) -> None:
    """Report a value that is not a real YYYY-MM-DD date; with ``field``, as ``report(message, field)``,
    so the many valid dates of a record's fields need no message function made for each."""
    message = _date_message(value)
    if message is not None:
        report(message) if field is None else report(message, field)


@lru_cache(maxsize=4096)  # a compile checks several dates a trial, and they recur
def _date_message(value: str | None) -> str | None:
    if value is None:
        return None
    if not model.DATE.fullmatch(value):
        return f"{value!r} is not a date in the form YYYY-MM-DD"
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real calendar date"
    return None
