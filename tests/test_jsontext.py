"""The fast JSON path writes exactly the standard library's bytes, for any value, or falls back."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mscli.loading.store import json_line
from mscli.output import jsontext
from mscli.output.terminal import escape_json, has_unsafe, safe_stream


def reference(value: Any, indent: int | None) -> bytes:
    """What mscli wrote before orjson: json's pure text, escaped, sanitised, encoded as UTF-8."""
    separators = (",", ": ") if indent else (",", ":")
    text = escape_json(json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators))
    return safe_stream(text).encode("utf-8", errors="replace")


def outcome(make: Any) -> bytes | str:
    """The bytes ``make`` returns, or the name of the exception it raises."""
    try:
        return bytes(make())
    except (ValueError, TypeError, RecursionError) as error:
        return type(error).__name__


@contextmanager
def fast_for_everything() -> Iterator[None]:
    """Every list takes the orjson path, in batches of three (so batch edges are exercised), and
    every other value too, whole."""
    with (mock.patch.object(jsontext, "FAST_FROM", 1), mock.patch.object(jsontext, "BATCH", 3),
          mock.patch.object(jsontext, "FAST_FROM_BYTES", 0)):
        yield


# Text with what JSON writers treat differently: C0 and C1 controls, DEL, bidi and line
# separators, lone surrogates, emoji, quotes and backslashes.
awkward_text = st.one_of(st.text(st.one_of(
    st.characters(),
    st.sampled_from(["\x00", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\u200e", "\u202e", "\u2066",
                     "\ud800", "\udfff", "😀", '"', "\\", "/"])), max_size=12),
    st.sampled_from(["update-2002", "1e-7", "0.00001"]))  # what the float checks look for, in text
numbers = st.one_of(
    st.integers(), st.integers(min_value=2**63 - 2, max_value=2**64 + 2), st.integers(max_value=-2**63 + 2),
    st.floats(), st.sampled_from([1e16, 1e-5, 1e-7, 1e-4, 9.999e-5, 5e-324, -0.0, 1e22, 1.5e300, 1e308]))
scalars = st.one_of(st.none(), st.booleans(), numbers, awkward_text)
keys = st.one_of(awkward_text, st.integers(), st.booleans(), st.none(), st.floats())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(values, max_size=8), st.sampled_from([2, None]))
def test_json_is_byte_for_byte_the_standard_librarys(payload: list[Any], indent: int | None) -> None:
    with fast_for_everything():
        fast = outcome(lambda: b"".join(jsontext.json_chunks(payload, indent)))
    assert fast == outcome(lambda: reference(payload, indent))


@settings(max_examples=200, deadline=None)
@given(values)
def test_any_value_is_the_standard_librarys(value: Any) -> None:
    with fast_for_everything():
        fast = outcome(lambda: b"".join(jsontext.json_chunks(value)))
    assert fast == outcome(lambda: reference(value, 2))


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=8))
def test_json_lines_are_the_standard_librarys_line_by_line(records: list[Any]) -> None:
    with fast_for_everything():
        fast = outcome(lambda: b"".join(jsontext.json_lines(records)))
    assert fast == outcome(lambda: b"".join(reference(record, None) + b"\n" for record in records))


class Colour(enum.Enum):
    RED = (1, 2)


class Word(enum.StrEnum):
    YES = "yes"


@pytest.mark.parametrize("item", [
    1e16, 1e-5, 1e-7, 5e-324, -0.0, 2**64, -2**63 - 1, 2**70, "\ud800", "\x7f\x85\u2028\u202e\u2066 😀",
    float("nan"), float("inf"), {1: "int key"}, {None: 1}, (1, 2), Word.YES, Colour.RED, {"a": {"b": [1.5, None]}},
])
def test_what_orjson_writes_differently_falls_back(item: Any) -> None:
    payload = [{"id": "x"}] * 5 + [item]
    with fast_for_everything():
        fast = outcome(lambda: b"".join(jsontext.json_chunks(payload)))
        lines = outcome(lambda: b"".join(jsontext.json_lines(payload)))
    assert fast == outcome(lambda: reference(payload, 2))
    assert lines == outcome(lambda: b"".join(reference(record, None) + b"\n" for record in payload))


def test_nesting_deeper_than_orjson_allows_falls_back() -> None:
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    with fast_for_everything():
        assert b"".join(jsontext.json_chunks([deep, deep])) == reference([deep, deep], 2)


def test_small_answers_never_import_orjson() -> None:
    with mock.patch.object(jsontext, "_orjson", side_effect=AssertionError("orjson used")):
        assert b"".join(jsontext.json_chunks([{"id": n} for n in range(jsontext.FAST_FROM - 1)])).startswith(b"[")
        assert b"".join(jsontext.json_lines([{"id": 1}])) == b'{"id":1}\n'


def test_a_large_list_is_written_a_batch_at_a_time() -> None:
    records = [{"id": f"t{n}", "edss": 2.5, "note": "caf\u00e9 \u2013 \u202e"} for n in range(2 * jsontext.BATCH + 5)]
    pieces = list(jsontext.json_chunks(records))
    lines = list(jsontext.json_lines(records))
    assert [piece.count(b'"id"') for piece in pieces] == [0, jsontext.BATCH, jsontext.BATCH, 5, 0]
    assert len(lines) == 3 and lines[0].count(b"\n") == jsontext.BATCH
    assert b"".join(pieces) == reference(records, 2)
    assert b"".join(lines) == b"".join(reference(record, None) + b"\n" for record in records)


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=8), st.sampled_from([2, None]), st.booleans())
def test_an_iterator_of_records_is_written_as_its_list_is(records: list[Any], indent: int | None,
                                                         fast: bool) -> None:
    """A streamed listing: the same bytes, whichever path the first records choose."""
    with fast_for_everything() if fast else nullcontext():
        assert (outcome(lambda: b"".join(jsontext.json_chunks(iter(records), indent)))
                == outcome(lambda: b"".join(jsontext.json_chunks(records, indent))))
        assert (outcome(lambda: b"".join(jsontext.json_lines(iter(records))))
                == outcome(lambda: b"".join(jsontext.json_lines(records))))


plain_keys = st.one_of(awkward_text, st.sampled_from(["score", "id"]))
plain_values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, awkward_text), lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(plain_keys, inner, max_size=5)), max_leaves=30)


def every_float(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [found for item in value for found in every_float(item)] if isinstance(value, list) else []


@settings(max_examples=400, deadline=None)
@given(st.lists(plain_values, max_size=8), st.sampled_from([2, None]))
def test_records_whose_floats_are_given_are_written_as_json_writes_them(records: list[Any],
                                                                        indent: int | None) -> None:
    """Checking the floats a view says its records hold (search hits) instead of scanning the
    text: the same bytes, tiny floats, NaN and the infinities included."""
    with fast_for_everything():
        fast = outcome(lambda: b"".join(jsontext.json_chunks(records, indent, every_float)))
        lines = outcome(lambda: b"".join(jsontext.json_lines(records, every_float)))
    assert fast == outcome(lambda: reference(records, indent))
    assert lines == outcome(lambda: b"".join(reference(record, None) + b"\n" for record in records))


def stored(records: list[Any]) -> list[bytes] | None:
    """The store's lines of ``records`` (``json_line``, a newline each), or None where it refuses them."""
    try:
        return [json_line(record) + b"\n" for record in records]
    except (ValueError, TypeError, RecursionError):
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(values, max_size=8), st.booleans())
def test_stored_lines_are_indented_as_json_indents_what_they_hold(records: list[Any], fast: bool) -> None:
    lines = stored(records)
    assume(lines is not None)
    assert lines is not None
    with fast_for_everything() if fast else nullcontext():
        written = outcome(lambda: b"".join(jsontext.indented_lines(iter(lines))))
    assert written == outcome(lambda: reference([json.loads(line) for line in lines], 2))


# Every kind of value orjson writes as json does: any text but lone surrogates (control, C1, bidi
# and line separator characters included), 64-bit integers, floats but those below 1e-4,
# empty and nested lists and objects.
same_text = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)),
                              st.sampled_from(["\x00", "\x1f", "\x7f", "\x85", "\u2028", "\u202e", '"', "\\"])))
same_numbers = st.one_of(st.integers(-2**63, 2**64 - 1),
                         st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4),
                         st.sampled_from([1e16, 0.1, -0.0, 1e22, 1.5e300, 1e308, 2.5, 1e-4]))
same_values = st.recursive(st.one_of(st.none(), st.booleans(), same_numbers, same_text), lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(same_text, inner, max_size=4)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.lists(same_values, min_size=1, max_size=6))
def test_orjson_indents_every_kind_of_value_as_json_does(records: list[Any]) -> None:
    """Where the check keeps orjson's text it is json's: values of every kind that both write
    alike take the fast path, and give json's bytes."""
    lines = stored(records)
    assert lines is not None
    kept = jsontext._reindented(lines)
    assert kept is not None
    assert b"[\n" + kept + b"\n]" == reference([json.loads(line) for line in lines], 2)


@pytest.mark.parametrize("item", [1e-5, 1e-7, 9.999e-5, 2**64, -2**63 - 1, 2**70])
def test_a_stored_batch_orjson_would_write_differently_falls_back_alone(item: Any) -> None:
    records: list[Any] = [{"id": f"t{n}", "edss": 2.5, "tags": [], "more": {}} for n in range(7)]
    records[4] = {"id": "odd", "value": [item]}
    lines = stored(records)
    assert lines is not None
    with fast_for_everything(), mock.patch.object(jsontext, "_standard", wraps=jsontext._standard) as standard:
        written = b"".join(jsontext.indented_lines(lines))
    assert written == reference(records, 2)
    assert standard.call_count == 1  # the batch of records 3 to 5; the other two are orjson's


def test_lines_not_ending_in_a_newline_are_read_by_json() -> None:
    lines = [json_line({"id": f"t{n}"}) for n in range(5)]
    with fast_for_everything():
        assert b"".join(jsontext.indented_lines(lines)) == reference([{"id": f"t{n}"} for n in range(5)], 2)


def test_few_stored_lines_never_import_orjson() -> None:
    with mock.patch.object(jsontext, "_reindented", side_effect=AssertionError("orjson used")):
        assert b"".join(jsontext.indented_lines([b'{"id":1}\n'])) == b'[\n  {\n    "id": 1\n  }\n]'
        assert b"".join(jsontext.indented_lines([])) == b"[]"


def test_a_large_answer_of_few_records_is_written_by_orjson() -> None:
    """Few records but many bytes (``coverage``, a filtered ``trials``): json's indenting encoder
    would take longer than importing orjson."""
    note = "caf\u00e9 \u2013 \u202e \x85 " * (jsontext.FAST_FROM_BYTES // 10)
    mapping = {"searches": [{"id": "s1", "note": note, "found": 3, "share": 0.5}], "counts": {}}
    records = [{"id": f"t{n}", "note": note, "edss": [2.5, None], "tags": []} for n in range(3)]
    lines = stored(records)
    assert lines is not None
    with mock.patch.object(jsontext, "_standard", side_effect=AssertionError("json used")):
        assert b"".join(jsontext.json_chunks(mapping)) == reference(mapping, 2)
        assert b"".join(jsontext.json_chunks(records)) == reference(records, 2)
        assert b"".join(jsontext.indented_lines(lines)) == reference(records, 2)


def test_a_large_answer_orjson_would_write_differently_falls_back() -> None:
    mapping = {"note": "x" * jsontext.FAST_FROM_BYTES, "tiny": 1e-7}
    assert b"".join(jsontext.json_chunks(mapping)) == reference(mapping, 2)


def test_the_byte_patterns_find_exactly_what_escape_json_escapes() -> None:
    every = [chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    unsafe = [char for char in every if has_unsafe(char)]
    text = "".join(every).encode("utf-8")
    found = [match.group().decode("utf-8") for pattern in jsontext._unsafe_patterns().values()
             for match in pattern.finditer(text)]
    assert sorted(found) == unsafe
