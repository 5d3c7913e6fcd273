"""``mscli registry check``: the dataset's trials against their live ClinicalTrials.gov records.

For each NCT number a trial carries, the record is fetched and seven facts are set side by
side: what the dataset says (with the date that value held on) and what the registry says now
(with the record's last update). The registry's JSON is read with the same readers the importer
uses (``ctgov_read`` and the status and enrolment vocabularies of ``ctgov``), so a status means
the same thing in both. Nothing here knows how the records are fetched: ``fetch`` is handed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mscli.errors import NotFoundError, UsageError
from mscli.features.ctgov_read import NCT, date_of, module, text
from mscli.model.registry_outputs import CheckedField, CheckOutcome, Comparison, FieldCheck, RegistryCheck
from mscli.queries import core

if TYPE_CHECKING:
    from mscli.model.records import Dataset, Trial

STUDY_URL = "https://clinicaltrials.gov/study/{}"
Fetch = Callable[[str], Any]


def targets(dataset: Dataset, wanted: Sequence[str]) -> list[tuple[Trial, str]]:
    """(trial, NCT number) pairs to check: every registered one, or those the ids name.

    An id may be a trial id, an alias or any registry number; a named trial with no NCT number
    is a usage error, since there is nothing on ClinicalTrials.gov to compare it with.
    """
    if not wanted:
        return [(trial, number) for trial in dataset["trials"] for number in _nct_numbers(trial)]
    chosen: list[tuple[Trial, str]] = []
    for query in wanted:
        trial: Trial = core.find(dataset, "trials", query)
        numbers = _nct_numbers(trial)
        if not numbers:
            raise UsageError(f"trial {trial['id']!r} has no ClinicalTrials.gov number to check")
        asked = query.strip().upper()
        for number in [asked] if asked in numbers else numbers:
            if (trial, number) not in chosen:
                chosen.append((trial, number))
    return chosen


def _nct_numbers(trial: Trial) -> list[str]:
    return [item["id"] for item in trial.get("registrations") or [] if NCT.fullmatch(item["id"])]


def check(dataset: Dataset, pairs: Sequence[tuple[Trial, str]], fetch: Fetch, today: str) -> list[RegistryCheck]:
    """One result per pair; a number the registry does not know is a ``not-found`` result."""
    sources = core.source_index(dataset)
    results: list[RegistryCheck] = []
    for trial, number in pairs:
        try:
            study = fetch(number)
        except NotFoundError as error:
            results.append(_result(trial, number, today, [], CheckOutcome.NOT_FOUND, str(error)))
            continue
        got = _nct_of(study)
        if got != number:
            results.append(_result(trial, number, today, [], CheckOutcome.NOT_FOUND,
                                   f"the registry answered with {got or 'no study'} for {number}"))
            continue
        fields = compare(trial, number, study, sources)
        changed = any(item["comparison"] is Comparison.CHANGED for item in fields)
        results.append(_result(trial, number, today, fields,
                               CheckOutcome.CHANGED if changed else CheckOutcome.UNCHANGED, None))
    return results


def _result(trial: Trial, number: str, today: str, fields: list[FieldCheck], outcome: CheckOutcome,
            message: str | None) -> RegistryCheck:
    return {"trial": trial["id"], "registration": number, "url": STUDY_URL.format(number),
            "reviewed": trial["reviewed"], "checked": today, "outcome": outcome,
            "changed": [item["field"] for item in fields if item["comparison"] is Comparison.CHANGED],
            "fields": fields, "message": message}


def _nct_of(study: Any) -> str | None:
    if not isinstance(study, dict):
        return None
    return text(module(module(study, "protocolSection"), "identificationModule"), "nctId")


def compare(trial: Trial, number: str, study: dict[str, Any], sources: dict[str, Any]) -> list[FieldCheck]:
    """The seven facts, old beside new; a date compares at the dataset's own precision."""
    status_module = module(module(study, "protocolSection"), "statusModule")
    design_module = module(module(study, "protocolSection"), "designModule")
    updated = date_of(status_module, "lastUpdatePostDateStruct")
    reviewed = trial["reviewed"]
    registry_source = next((source for source in sources.values() if source.get("registry_id") == number), None)
    status = text(status_module, "overallStatus")
    from mscli.features import ctgov

    new_status = ctgov._STATUSES.get(status, status.lower()) if status else None  # noqa: SLF001
    old_enrolment, enrolled_as_of = _old_enrolment(trial, number, sources)
    has_results = study.get("hasResults")
    rows: list[tuple[CheckedField, str | None, str | None, str | None, bool]] = [
        (CheckedField.STATUS, trial["status"], trial.get("status_checked") or reviewed, new_status, False),
        (CheckedField.ENROLMENT, old_enrolment, enrolled_as_of, _new_enrolment(design_module), False),
        (CheckedField.START, _old_date(trial, "start"), reviewed, _new_date(status_module, "startDateStruct"), True),
        (CheckedField.PRIMARY_COMPLETION, None, None,
         _new_date(status_module, "primaryCompletionDateStruct"), True),
        (CheckedField.COMPLETION, _old_date(trial, "end"), reviewed,
         _new_date(status_module, "completionDateStruct"), True),
        (CheckedField.RESULTS_POSTED, _yes_no(trial.get("results_posted")), reviewed,
         _yes_no(has_results if isinstance(has_results, bool) else None), False),
        (CheckedField.LAST_UPDATE, registry_source.get("date") if registry_source else None,
         registry_source.get("reviewed") if registry_source else None, updated, True),
    ]
    return [{"field": name, "old": old, "old_as_of": old_as_of if old is not None else None, "new": new,
             "new_as_of": updated, "comparison": _comparison(old, new, dated)}
            for name, old, old_as_of, new, dated in rows]


def _comparison(old: str | None, new: str | None, dated: bool) -> Comparison:
    if new is None:
        return Comparison.NOT_ON_REGISTRY
    if old is None:
        return Comparison.NOT_RECORDED
    if dated:
        old_date, _, old_kind = old.partition(" ")
        new_date, _, new_kind = new.partition(" ")
        same = new_date.startswith(old_date) and (not old_kind or old_kind == new_kind)
        return Comparison.SAME if same else Comparison.CHANGED
    return Comparison.SAME if old == new else Comparison.CHANGED


def _old_enrolment(trial: Trial, number: str, sources: dict[str, Any]) -> tuple[str | None, str | None]:
    """The newest figure from this registration's own record, else the trial's own figure."""
    entries = trial.get("enrolment") or []
    own = [entry for entry in entries if (sources.get(entry["source"]) or {}).get("registry_id") == number]
    # A trial registered in several countries counts its participants across them: its total is
    # no measure of one national record's enrolment, so it is compared only when there is one.
    pool = own or (entries if len(_nct_numbers(trial)) == 1 else [])
    if not pool:
        return None, None
    best = max(pool, key=lambda entry: (entry["as_of"], entry["kind"] == "actual"))
    return f"{best['count']} {best['kind']}", best["as_of"]


def _new_enrolment(design_module: dict[str, Any]) -> str | None:
    info = module(design_module, "enrollmentInfo")
    count = info.get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        return None
    from mscli.features import ctgov

    kind = ctgov._ENROLMENT_KINDS.get(text(info, "type") or "")  # noqa: SLF001
    return f"{count} {kind}" if kind else str(count)


def _old_date(trial: Trial, prefix: str) -> str | None:
    date = trial.get(f"{prefix}_date")
    if isinstance(date, str):
        kind = trial.get(f"{prefix}_date_kind")
        return f"{date} {kind}" if kind else date
    year = trial.get(f"{prefix}_year")
    return str(year) if isinstance(year, int) else None


def _new_date(status_module: dict[str, Any], key: str) -> str | None:
    struct = module(status_module, key)
    date, kind = text(struct, "date"), text(struct, "type")
    if date is None:
        return None
    word = {"ACTUAL": "actual", "ESTIMATED": "anticipated", "ANTICIPATED": "anticipated"}.get(kind or "")
    return f"{date} {word}" if word else date


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"
