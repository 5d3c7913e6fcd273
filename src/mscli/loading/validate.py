"""Check parsed YAML against the record types in ``model`` and against each other.

Every problem is collected (not just the first) with the file, line, record id and field, so
one run of ``mscli validate`` shows all that needs fixing. Valid records come out normalised:
every optional field present (None or []), in the order the model declares them, so JSON
output has stable keys.
"""

from __future__ import annotations

import itertools
import re
import typing
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, get_args, get_origin

from mscli.errors import Problem
from mscli.loading import quickcheck, rules
from mscli.model import records as model
from mscli.model.fields import expand, fields_of
from mscli.model.records import COLLECTIONS, Dataset

_TOP_LEVEL = ("dataset", *COLLECTIONS)
_NCT = re.compile(r"NCT\d{8}")
QUICK_FROM = 40  # records in one file's list of a type, from which its quick check pays


def _none(_: Any) -> None:
    """The quick check of a short list: none, so the precise check decides."""


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
            if spec.shorthand is not None:
                value = expand(spec.shorthand, value)
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
        if self.file.endswith(".json"):  # the JSON form: no YAML reading to explain
            hint = "; write it in double quotes" if isinstance(value, (bool, int, float)) else ""
        elif isinstance(value, bool):
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
        # Writing and compiling a type's quick check costs what the precise check of some forty
        # of its records does (a trial's: 5 ms), so a short list (an imported study) goes without.
        quick = quickcheck.checker(record_type) if len(value) >= QUICK_FROM else _none
        entries = out.setdefault(key, [])
        for index, item in enumerate(value):
            item_line = getattr(item, "line", line)
            checked = quick(item)
            if checked is None:  # not valid: the precise check says why, field by field
                record_id = item.get("id") if isinstance(item, dict) else None
                label = record_id if isinstance(record_id, str) else f"{key}[{index}]"
                checked = checker.record(record_type, item, item_line, label, "")
            if checked is not None:
                entries.append((checked, item_line))
    return out


def assemble(files: Iterable[tuple[str, dict[str, list[Any]]]], problems: list[Problem],
             check_references: bool = True, base: Dataset | None = None) -> Dataset:
    """Merge checked files into one dataset and run the checks that span records.

    ``base``: a dataset found valid before (no file, no line), merged first. Its records take
    part in every check that spans records (ids, references, shared registry numbers), but
    their own rules are not run again: adding records cannot break them.
    """
    info: dict[str, Any] | None = None if base is None else dict(base["dataset"])
    info_file = ""
    located: list[rules.Located] = [] if base is None else [
        rules.Located(record, name, "", None) for name in COLLECTIONS for record in base[name]]  # type: ignore[arg-type]
    trusted = len(located)
    for file, collections in files:
        for key, entries in collections.items():
            if key == "dataset":
                if info is not None:
                    problems.append(Problem(file, f"'dataset' is also given in {info_file}",
                                            entries[0][1], "dataset", None))
                info, info_file = entries[0][0], file
                continue
            for record, line in entries:
                located.append(rules.Located(record, key, file, line))  # type: ignore[arg-type]
    if info is None and check_references:
        problems.append(Problem("(dataset)", "no file has a 'dataset' section (title, version, reviewed)"))
    if info is None:
        info = {"title": "", "version": "", "reviewed": ""}
    if check_references:
        _cross_check(info, info_file, located, problems, trusted)
    dataset: dict[str, Any] = {"dataset": info}
    for name in COLLECTIONS:
        dataset[name] = [entry.record for entry in located if entry.collection == name]
    return typing.cast(Dataset, dataset)


def _cross_check(info: dict[str, Any], info_file: str, located: list[rules.Located],
                 problems: list[Problem], trusted: int = 0) -> None:
    """``trusted``: how many leading entries are a base already found valid (see ``assemble``)."""
    first_seen: dict[str, rules.Located] = {}
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
        rules.check_date(info.get("reviewed"), lambda m: problems.append(
            Problem(info_file, m, None, "dataset", "reviewed")))
    for entry in itertools.islice(located, trusted, None):
        def report(message: str, field: str, entry: rules.Located = entry) -> None:
            problems.append(Problem(entry.file, message, entry.line, entry.record["id"], field))
        rules.check_record(entry, ids_by_collection, report)
        if entry.collection == "outcomes":
            rules.check_outcome(entry.record, first_seen, report)
    _check_shared_numbers(located, problems)


def _check_shared_numbers(located: list[rules.Located], problems: list[Problem]) -> None:
    """A registry number names one trial, or a lookup by it would silently pick one.

    The one exception is a national arm inside an umbrella trial: the arm's numbers are all
    among the umbrella's, so the number is shared on purpose (``find`` answers with the arm).
    The problem is put on the later record and names the earlier one, so that ``import`` skips
    only the newcomer.
    """
    trials = [entry for entry in located if entry.collection == "trials"]
    numbers = {id(entry): claimed_numbers(entry.record) for entry in trials}
    owner: dict[str, rules.Located] = {}
    for entry in trials:
        mine = numbers[id(entry)]
        for number in sorted(mine):
            first = owner.setdefault(number, entry)
            theirs = numbers[id(first)]
            if first is entry or shared_on_purpose(mine, theirs):
                continue
            problems.append(Problem(
                entry.file, f"registry number {number} is also claimed by trial {first.record['id']} "
                f"({first.file}:{first.line}); a number names one trial", entry.line, entry.record["id"],
                "registrations"))


def claimed_numbers(trial: Any) -> frozenset[str]:
    """The registry numbers a trial claims, canonical, as the one-number-one-trial rule compares them."""
    from mscli.model.registries import canonical_id

    # A stored NCT number is already canonical (canonical_id gives it back; a test checks), and
    # nearly every number is one: a pattern test instead of the whole conversion.
    return frozenset(number if _NCT.fullmatch(number) else canonical_id(number) or number
                     for number in (registration["id"] for registration in trial["registrations"]))


def shared_on_purpose(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Two trials may share a number only as a national arm and its umbrella: one's numbers all the other's."""
    return mine <= theirs or theirs <= mine
