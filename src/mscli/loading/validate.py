"""Check parsed YAML against the record types in ``model`` and against each other.

Every problem is collected (not just the first) with the file, line, record id and field, so
one run of ``mscli validate`` shows all that needs fixing. Valid records come out normalised:
every optional field present (None or []), in the order the model declares them, so JSON
output has stable keys.
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import Any, NotRequired, get_args, get_origin

from mscli.errors import Problem
from mscli.model import records as model
from mscli.model.records import COLLECTIONS, CollectionName, Dataset

_TOP_LEVEL = ("dataset", *COLLECTIONS)


class FieldSpec(typing.NamedTuple):
    name: str
    kind: Any  # str, int, float, bool, an enum, a TypedDict, or ("list", FieldSpec-kind)
    required: bool
    nullable: bool


@cache
def fields_of(record_type: type) -> tuple[FieldSpec, ...]:
    """The fields of a TypedDict, read from its annotations (the model is the schema)."""
    hints = typing.get_type_hints(record_type, include_extras=True)
    specs = []
    for name, hint in hints.items():
        required = True
        if get_origin(hint) is NotRequired:
            required = False
            hint = get_args(hint)[0]
        nullable = False
        if get_origin(hint) in (typing.Union, types.UnionType):
            options = [a for a in get_args(hint) if a is not type(None)]
            nullable = len(options) < len(get_args(hint))
            hint = options[0]
        specs.append(FieldSpec(name, hint, required, nullable))
    return tuple(specs)


def field_names(record_type: type) -> frozenset[str]:
    return frozenset(spec.name for spec in fields_of(record_type))


def _type_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


class _Checker:
    """Validates one file's records; problems accumulate in ``problems``."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def problem(self, message: str, line: int | None, record: str | None, field: str | None) -> None:
        self.problems.append(Problem(self.file, message, line, record, field))

    def record(self, record_type: type, data: Any, line: int | None, record_id: str | None,
               path: str) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            self.problem(f"expected a mapping, got {_type_word(data)}", line, record_id, path or None)
            return None
        key_lines: dict[str, int] = getattr(data, "key_lines", {})
        line = getattr(data, "line", line)
        specs = fields_of(record_type)
        known = {spec.name for spec in specs}
        result: dict[str, Any] = {}
        ok = True
        for key in data:
            if key not in known:
                self.problem(f"unknown field (allowed: {', '.join(sorted(known))})",
                             key_lines.get(key, line), record_id, _join(path, key))
                ok = False
        for spec in specs:
            where = _join(path, spec.name)
            if spec.name not in data:
                if spec.required:
                    self.problem("missing required field", line, record_id, where)
                    ok = False
                result[spec.name] = [] if _is_list(spec.kind) else None
                continue
            value = data[spec.name]
            value_line = key_lines.get(spec.name, line)
            if value is None and (spec.nullable or not spec.required):
                result[spec.name] = [] if _is_list(spec.kind) else None
                continue
            checked = self.value(spec.kind, value, value_line, record_id, where)
            if checked is _INVALID:
                ok = False
            result[spec.name] = checked
        return result if ok else None

    def value(self, kind: Any, value: Any, line: int | None, record_id: str | None, where: str) -> Any:
        if get_origin(kind) is list:
            if not isinstance(value, list):
                self.problem(f"expected a list, got {_type_word(value)}", line, record_id, where)
                return _INVALID
            item_kind = get_args(kind)[0]
            items = [self.value(item_kind, item, getattr(item, "line", line), record_id,
                                f"{where}[{index}]") for index, item in enumerate(value)]
            return _INVALID if any(item is _INVALID for item in items) else items
        if isinstance(kind, type) and typing.is_typeddict(kind):
            checked = self.record(kind, value, line, record_id, where)
            return _INVALID if checked is None else checked
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            allowed = [member.value for member in kind]
            if not isinstance(value, str) or value not in allowed:
                hint = "; quote it" if not isinstance(value, str) else ""
                self.problem(f"{value!r} is not one of: {', '.join(allowed)}{hint}", line, record_id, where)
                return _INVALID
            return value
        return self.scalar(kind, value, line, record_id, where)

    def scalar(self, kind: Any, value: Any, line: int | None, record_id: str | None, where: str) -> Any:
        if kind is bool:
            if isinstance(value, bool):
                return value
            self.problem(f"expected true or false, got {_type_word(value)} {value!r}", line, record_id, where)
            return _INVALID
        if kind is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.problem(f"expected a whole number, got {_type_word(value)} {value!r}", line, record_id, where)
            return _INVALID
        if kind is float:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            self.problem(f"expected a number, got {_type_word(value)} {value!r}", line, record_id, where)
            return _INVALID
        if isinstance(value, str):
            if not value.strip():
                self.problem("empty text", line, record_id, where)
                return _INVALID
            return value
        hint = ""
        if isinstance(value, bool):
            hint = " (YAML reads yes/no/on/off/true/false as true or false); quote it"
        elif isinstance(value, (int, float)):
            hint = " (YAML read it as a number); quote it"
        self.problem(f"expected text, got {_type_word(value)} {value!r}{hint}", line, record_id, where)
        return _INVALID


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID: Any = _Invalid()


def _is_list(kind: Any) -> bool:
    return get_origin(kind) is list


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check_file(file: str, data: Any, problems: list[Problem]) -> dict[str, list[Any]]:
    """Check one parsed file's shape and records; return the valid records by collection."""
    checker = _Checker(file, problems)
    out: dict[str, list[Any]] = {}
    if not isinstance(data, dict):
        checker.problem(
            f"expected a mapping with keys such as therapies/trials/sources, got {_type_word(data)}",
            getattr(data, "line", None), None, None)
        return out
    key_lines: dict[str, int] = getattr(data, "key_lines", {})
    for key, value in data.items():
        line = key_lines.get(key)
        if key not in _TOP_LEVEL:
            checker.problem(f"unknown top-level key (allowed: {', '.join(_TOP_LEVEL)})", line, None, key)
            continue
        if key == "dataset":
            info = checker.record(model.DatasetInfo, value, line, "dataset", "")
            if info is not None:
                out["dataset"] = [(info, line)]
            continue
        if not isinstance(value, list):
            checker.problem(f"expected a list of records, got {_type_word(value)}", line, None, key)
            continue
        record_type = COLLECTIONS[key][0]
        for index, item in enumerate(value):
            item_line = getattr(item, "line", line)
            record_id = item.get("id") if isinstance(item, dict) else None
            label = record_id if isinstance(record_id, str) else f"{key}[{index}]"
            checked = checker.record(record_type, item, item_line, label, "")
            if checked is not None:
                out.setdefault(key, []).append((checked, item_line))
    return out


class _Located(typing.NamedTuple):
    record: dict[str, Any]
    collection: CollectionName
    file: str
    line: int | None


def assemble(files: Iterable[tuple[str, dict[str, list[Any]]]], problems: list[Problem],
             check_references: bool = True) -> Dataset:
    """Merge checked files into one dataset and run the checks that span records."""
    info: dict[str, Any] | None = None
    info_file = ""
    located: list[_Located] = []
    for file, collections in files:
        for key, entries in collections.items():
            if key == "dataset":
                if info is not None:
                    problems.append(Problem(file, f"'dataset' is also given in {info_file}",
                                            entries[0][1], "dataset", None))
                info, info_file = entries[0][0], file
                continue
            for record, line in entries:
                located.append(_Located(record, key, file, line))  # type: ignore[arg-type]
    if info is None and check_references:
        problems.append(Problem("(dataset)", "no file has a 'dataset' section (title, version, reviewed)"))
    if info is None:
        info = {"title": "", "version": "", "reviewed": ""}
    if check_references:
        _cross_check(info, info_file, located, problems)
    dataset: dict[str, Any] = {"dataset": info}
    for name in COLLECTIONS:
        dataset[name] = [entry.record for entry in located if entry.collection == name]
    return typing.cast(Dataset, dataset)


def _cross_check(info: dict[str, Any], info_file: str, located: list[_Located],
                 problems: list[Problem]) -> None:
    first_seen: dict[str, _Located] = {}
    for entry in located:
        record_id = entry.record["id"]
        if record_id in first_seen:
            other = first_seen[record_id]
            problems.append(Problem(entry.file, f"duplicate id (first defined at {other.file}:{other.line})",
                                    entry.line, record_id, "id"))
        else:
            first_seen[record_id] = entry
    ids_by_collection: dict[str, set[str]] = {name: set() for name in COLLECTIONS}
    for entry in located:
        ids_by_collection[entry.collection].add(entry.record["id"])
    if info_file:
        _check_date(info.get("reviewed"), lambda m: problems.append(
            Problem(info_file, m, None, "dataset", "reviewed")))
    for entry in located:
        def report(message: str, field: str, entry: _Located = entry) -> None:
            problems.append(Problem(entry.file, message, entry.line, entry.record["id"], field))
        _check_record(entry, ids_by_collection, report)
        if entry.collection == "outcomes":
            _check_outcome(entry.record, first_seen, report)


def _check_record(entry: _Located, ids: dict[str, set[str]], report: Any) -> None:
    record = entry.record
    if not model.SLUG.fullmatch(record["id"]):
        report("id must be a lowercase slug like 'beat-ms' (letters, digits, single hyphens)", "id")
    _check_date(record.get("reviewed"), lambda m: report(m, "reviewed"))

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
    _check_year(record["year"], "year", report)
    _check_date(record["date"], lambda m: report(m, "date"))


_GRADING_SOURCE_KINDS = ("review", "guideline")


def _check_outcome(record: dict[str, Any], by_id: dict[str, _Located], report: Any) -> None:
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


def _is_trial_field(path: str) -> bool:
    """True for a trial field name, or ``design.X`` / ``eligibility.X`` for a field inside."""
    head, _, rest = path.partition(".")
    if not rest:
        return head in field_names(model.Trial)
    inner = {"design": model.TrialDesign, "eligibility": model.Eligibility}.get(head)
    return inner is not None and rest in field_names(inner)


# Which fields give each criterion its limits: a wording entry must name a criterion that has one.
CRITERION_FIELDS: dict[model.Criterion, tuple[str, ...]] = {
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
        if all(data[name] in (None, []) for name in fields):
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


def _check_count(value: int | None, field: str, report: Any) -> None:
    if value is not None and value < 0:
        report(f"count {value} is negative", field)


def _check_year(value: int | None, field: str, report: Any) -> None:
    if value is not None and not 1900 <= value <= 2100:
        report(f"year {value} is outside 1900 to 2100", field)


def _check_as_of(value: str, field: str, report: Any) -> None:
    if len(value) == 4 and value.isdigit():
        _check_year(int(value), field, report)
    else:
        _check_date(value, lambda m: report(m, field))


def _check_date(value: str | None, report: Any) -> None:
    if value is None:
        return
    if not model.DATE.fullmatch(value):
        report(f"{value!r} is not a date in the form YYYY-MM-DD")
        return
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        report(f"{value!r} is not a real calendar date")
