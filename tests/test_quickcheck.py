"""The quick check generated from the model agrees with the precise validator.

For random mutations of the bundled records, the quick check must reject a record exactly when
the precise validator reports a problem (never a false "valid"), and a record it accepts must
come out exactly as the precise validator normalises it.
"""

from __future__ import annotations

import copy
import json
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.errors import Problem
from mscli.loading import dataset, quickcheck, validate
from mscli.loading.yamlsafe import parse
from mscli.model import records as model
from mscli.model.records import COLLECTIONS


def _bundled_records() -> list[tuple[type, Any]]:
    found: list[tuple[type, Any]] = []
    for file in dataset.read_files(dataset.bundled_data_dir()):
        data = parse(dataset.decode(file))
        for key, value in data.items():
            if key == "dataset":
                found.append((model.DatasetInfo, value))
            else:
                found += [(COLLECTIONS[key][0], item) for item in value]  # type: ignore[index]
    return found


RECORDS = _bundled_records()
_ENUM_VALUES = sorted({member.value for enum in vars(model).values()
                       if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
                       for member in enum})

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3000), st.floats(-5, 5, allow_nan=False),
    st.sampled_from(["", " ", "\t\n", "\u2003", "x", " text ", "2024-01-01", "NCT01234567"]),
    st.sampled_from(_ENUM_VALUES), st.text(max_size=4),
)
VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["id", "source", "text", "url", "read", "zzz"]), inner, max_size=3)),
    max_leaves=6)


def precise(record_type: type, data: Any) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    result = validate._Checker("file.yaml", problems).record(record_type, data, 1, "record", "")
    return result, problems


def typed(value: Any) -> str:
    """JSON with key order and float/int kept apart (1.0 == 1 in Python, not here)."""
    return json.dumps(value, ensure_ascii=False)


def _mutate(draw: st.DrawFn, node: Any) -> None:
    """One change somewhere inside ``node``: a field or item replaced, removed or added."""
    while True:
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        containers = [(key, child) for key, child in children if isinstance(child, (dict, list)) and child]
        if not containers or draw(st.booleans()):
            break
        node = draw(st.sampled_from(containers))[1]
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    if action == "add" or not keys:
        if isinstance(node, dict):
            node[draw(st.sampled_from(["unknown_field", "note", "aliases", "sites", "comparator"]))] = draw(VALUES)
        else:
            node.append(draw(VALUES))
        return
    key = draw(st.sampled_from(keys))
    if action == "remove":
        del node[key]
    else:
        node[key] = draw(VALUES)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[type, Any]:
    record_type, original = draw(st.sampled_from(RECORDS))
    record = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, record)
    return record_type, record


@pytest.mark.parametrize(("record_type", "record"), RECORDS[::7])
def test_valid_bundled_records_normalise_the_same(record_type: type, record: Any) -> None:
    expected, problems = precise(record_type, record)
    assert problems == []
    assert typed(quickcheck.checker(record_type)(record)) == typed(expected)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_quick_check_rejects_exactly_what_the_precise_one_reports(case: tuple[type, Any]) -> None:
    record_type, record = case
    expected, problems = precise(record_type, record)
    quick = quickcheck.checker(record_type)(record)
    assert (quick is None) == bool(problems), problems
    if quick is not None:
        assert typed(quick) == typed(expected)


@pytest.mark.parametrize("value", [None, [], "text", 3, True])
def test_a_record_that_is_not_a_mapping_is_rejected(value: Any) -> None:
    assert quickcheck.checker(model.Trial)(value) is None


def test_a_file_with_mistakes_gets_the_precise_messages_with_lines(write_dataset: Any) -> None:
    text = ("trials:\n"
            "  - id: broken\n"
            "    title: '  '\n"
            "    sites: many\n")
    problems: list[Problem] = []
    validate.check_file("data.yaml", parse(text), problems)
    found = {(problem.line, problem.record, problem.field, problem.message) for problem in problems}
    assert (3, "broken", "title", "empty text") in found
    assert (4, "broken", "sites", "expected a whole number, got text 'many'") in found
    assert (2, "broken", "therapy", "missing required field") in found
