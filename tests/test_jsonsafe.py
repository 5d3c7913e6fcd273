"""The JSON readers give json's own values on acceptable text, and yamlsafe's refusals on the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import jsonsafe, yamlsafe
from mscli.loading.dataset import bundled_data_dir
from mscli.loading.yamlsafe import MAX_DEPTH, MarkedDict, YamlProblem

_SCALARS = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
_DOCUMENTS = st.dictionaries(st.text(max_size=8), _VALUES, max_size=5)


def _undoubted(text: str) -> bool:
    """Text the fast path must take: no surrogate escape (see parse_quick)."""
    return "\\ud" not in text.lower()


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS, st.sampled_from([None, 2]), st.booleans())
def test_values_match_json(document: dict[str, object], indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only)
    assert jsonsafe.parse(text) == json.loads(text)
    quick = jsonsafe.parse_quick(text)
    assert quick == json.loads(text) or quick is None
    if _undoubted(text):
        assert quick is not None, text
        assert jsonsafe.parse(jsonsafe.dumps(document)) == document


def test_bundled_files_read_alike_in_both_forms() -> None:
    files = sorted(Path(bundled_data_dir()).glob("*.yaml"))
    assert files
    for file in files:
        values = yamlsafe.parse(file.read_text(encoding="utf-8"))
        text = jsonsafe.dumps(values)
        assert jsonsafe.parse(text) == values == jsonsafe.parse_quick(text), file.name


def test_located_reader_marks_every_mapping_and_key() -> None:
    text = '{\n  "trials": [\n    {"id": "a",\n     "phase": "2"},\n    {\n      "id": "b"\n    }\n  ]\n}\n'
    parsed = jsonsafe.parse(text)
    assert isinstance(parsed, MarkedDict) and parsed.line == 1 and parsed.key_lines == {"trials": 2}
    first, second = parsed["trials"]
    assert (first.line, first.key_lines) == (3, {"id": 3, "phase": 4})
    assert (second.line, second.key_lines) == (5, {"id": 6})
    quick = jsonsafe.parse_quick(text)
    assert quick == parsed and quick.key_lines == {"trials": 2}
    assert [record.line for record in quick["trials"]] == [3, 5]


REFUSED = [
    ("duplicate key", '{"a": 1,\n "a": 2}', "duplicate key 'a' (lines 1 and 2)", 2),
    ("nested duplicate", '{"t": [{"x": 1, "x": 1}]}', "duplicate key 'x'", 1),
    ("nan", '{"a": NaN}', "'NaN' is not a finite number", 1),
    ("infinity", '{"a": -Infinity}', "'-Infinity' is not a finite number", 1),
    ("overflowing float", '{"a": 1e400}', "'1e400' is not a finite number", 1),
    ("huge integer", '{"a": ' + "9" * 5000 + "}", "number too long", 1),
    ("integer out of range", '{"a": 9007199254740993}', "number out of range", 1),
    ("long number text", '{"a": 1.' + "0" * 60 + "}", "number too long", 1),
    ("lone surrogate", '{"a": "\\ud800"}', "surrogate", 1),
    ("deep nesting", '{"a":\n' + "[" * 500 + "]" * 500 + "}", f"nesting deeper than {MAX_DEPTH} levels", 2),
    ("just too deep nesting", '{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", "nesting deeper", 1),
    ("syntax error", '{"a": 1,\n "b" 2}', "JSON syntax error: expecting ':'", 2),
    ("trailing comma", '{"a": [1, 2,]}', "JSON syntax error: expecting a value", 1),
    ("unquoted key", "{a: 1}", "JSON syntax error: expecting a key in double quotes", 1),
    ("second document", '{"a": 1}\n{"b": 2}', "JSON syntax error: extra data", 2),
    ("unterminated string", '{"a": "x}', "JSON syntax error: unterminated string", 1),
    ("raw control character", '{"a": "x\ny"}', "JSON syntax error: invalid control character", 1),
    ("nul byte", '{"a": 1}\x00', "JSON syntax error", 1),
    ("yaml, not json", "trials:\n  - id: x\n", "JSON syntax error", 1),
]


@pytest.mark.parametrize("name,text,message,line", REFUSED, ids=[case[0] for case in REFUSED])
def test_refused_with_a_line_by_the_located_reader_and_doubted_by_the_fast_path(
        name: str, text: str, message: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        jsonsafe.parse(text)
    assert message in caught.value.message
    assert caught.value.line == line
    if "nesting" not in name:  # the fast path leaves depth to validation (see test_json_form.py)
        assert jsonsafe.parse_quick(text) is None


def test_just_deep_enough_is_accepted() -> None:
    text = '{"a": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    assert jsonsafe.parse(text) == json.loads(text)


def test_a_hundred_thousand_nested_brackets_neither_recurse_nor_crash() -> None:
    """json's C scanner recurses once per bracket: the fast path must stop at the interpreter's
    guard, and the located reader at MAX_DEPTH, before either goes deeper."""
    for opening, closing in (("[", "]"), ('{"a":', "}")):
        text = '{"a": ' + opening * 100_000 + "1" + closing * 100_000 + "}"
        assert jsonsafe.parse_quick(text) is None
        with pytest.raises(YamlProblem, match="nesting deeper"):
            jsonsafe.parse(text)


def test_integers_at_the_limit_are_taken_by_the_fast_path() -> None:
    text = f'{{"a": [{2**53}, {-(2**53)}, "{"9" * 60}"]}}'
    assert jsonsafe.parse_quick(text) == jsonsafe.parse(text) == {"a": [2**53, -(2**53), "9" * 60]}


def test_dumps_writes_one_record_per_line() -> None:
    document = {"dataset": {"title": "t"}, "trials": [{"id": "a", "title": "Café"}, {"id": "b"}], "sources": []}
    text = jsonsafe.dumps(document)
    assert text.splitlines() == ['{"dataset": {"title": "t"},', '"trials": [', '{"id": "a", "title": "Café"},',
                                 '{"id": "b"}', "],", '"sources": []}']
    assert json.loads(text) == document
    with pytest.raises(ValueError):
        jsonsafe.dumps({"a": float("nan")})
