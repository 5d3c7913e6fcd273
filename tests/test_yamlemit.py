"""``yamlemit.dump`` writes PyYAML's bytes or nothing.

Whatever text it returns must be exactly ``yaml.safe_dump(..., sort_keys=False,
allow_unicode=True, width=100)``: on every real study of the fixtures, on generated documents
with the characters and shapes where PyYAML's choices of style and folding turn, and for the
question of which strings PyYAML would read back as something else.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import yamlemit
from tests.test_import_emitter import RECORDS, document_of


def pyyaml(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=yamlemit.WIDTH)


def test_every_fixture_record_is_written_by_it_as_pyyaml_writes_it() -> None:
    """The records an import makes are what it is for: none may fall back to PyYAML."""
    assert RECORDS
    for name, converted in RECORDS:
        document = document_of(converted)
        assert yamlemit.dump(document) == pyyaml(document), name


TRICKY = st.sampled_from([" ", "  ", "   ", "\n", "\n\n", ":", ": ", ":\n", " #", "#", "-", "- ", "-\n", "?", "? ",
                          ",", "[", "]", "{", "}", "'", "''", '"', "!", "&", "*", "|", ">", "%", "@", "`", "\\",
                          "\t", "\r", "\x85", "\u2028", "\ufeff", "\x00", "\x7f", "\xa0", "é", "中文",
                          "\U0001f600", "null", "Null", "~", "true", "yes", "Off", "1", "-1", "+1", "1.5", ".5",
                          "1e5", "1.0e+5", "0x1F", "0o7", "017", "0b101", "1_000", "1:30", ".inf", ".NaN",
                          "2024-01-02", "2024-1-2 3:04:05", "2024-01-02T03:04:05Z", "---", "...", "=", "<<"])
WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=14)
TEXT = st.lists(TRICKY | WORDS | st.text(max_size=6), max_size=40).map("".join)
LONG = st.lists(WORDS | TRICKY, min_size=20, max_size=90).map(" ".join)
KEYS = TEXT | st.text(alphabet="abc_", min_size=120, max_size=135)
SCALARS = TEXT | LONG | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
DOCUMENTS = st.dictionaries(KEYS, st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=25),
    min_size=1, max_size=5)


@settings(max_examples=600, deadline=None)
@given(DOCUMENTS)
def test_what_it_writes_is_what_pyyaml_writes(document: dict[str, Any]) -> None:
    text = yamlemit.dump(document)
    if text is not None:
        assert text == pyyaml(document)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(WORDS, WORDS | st.lists(WORDS, max_size=3) | st.integers() | st.booleans(), min_size=1))
def test_it_writes_documents_of_plain_words_and_numbers(document: dict[str, Any]) -> None:
    """A writer that refused everything would pass the test above and save nothing."""
    assert yamlemit.dump(document) == pyyaml(document)


def test_it_leaves_to_pyyaml_what_it_does_not_port() -> None:
    shared = ["x"]
    for document in [{"f": 1.5}, {"k": shared, "l": shared}, {"": "empty key"}, {"a\nb": "multiline key"},
                     {"k" * 123: "long key"}, {1: "int key"}, {"t": "nel\x85"}, {"t": "\u2028"}, {"t": b"bytes"},
                     {"t": ("tuple",)}, {}, ["not a mapping"]]:
        assert yamlemit.dump(document) is None, repr(document)  # type: ignore[arg-type]


@settings(max_examples=1000, deadline=None)
@given(TEXT | st.sampled_from(["0", "00", "-0", "+.inf", "1__0", "12:61", "2024-13-45", "0xG", "1e5", "._1",
                                "!\n", "true\n", "null\n", "~\n", "1\n", "\n"]))
def test_which_strings_read_back_as_strings_is_pyyaml_resolvers_answer(text: str) -> None:
    resolved = yaml.SafeDumper(None).resolve(yaml.ScalarNode, text, (True, False))
    assert yamlemit.resolves_to_string(text) == (resolved == "tag:yaml.org,2002:str")
