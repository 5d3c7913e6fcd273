"""Glossary links found through anchors are exactly the links every name's regex gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import links
from mscli.model import textmatch

# Letters regex reads as ASCII ones when ignoring case, other non-ASCII letters and spaces,
# hyphens and punctuation: the places where whole words and case are easy to get wrong.
_ALPHABET = "aAbBsSiIkK_1-/ .\n\u0130\u0131\u017f\u212a\u00e9\u00a0\u2013"
_NAMES = st.text(alphabet=_ALPHABET, min_size=1, max_size=6).filter(str.strip)


def _plain(glossary: list[dict[str, object]], record: dict[str, object]) -> list[str]:
    text = links.record_text(record)
    return [str(term["id"]) for term in glossary if term["id"] != record["id"] and links.uses(term, text)]  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(names=st.lists(_NAMES | st.sampled_from(["MS", "IV", "ab", "Ab-1", "sk i", "is", "SKI"]),
                      min_size=1, max_size=6),
       text=st.text(alphabet=_ALPHABET, max_size=40))
def test_linker_finds_what_every_regex_finds(names: list[str], text: str) -> None:
    glossary = [{"id": f"term-{position}", "term": name, "aliases": [name.upper(), name + "s"]}
                for position, name in enumerate(names)]
    record = {"id": "record", "title": text}
    assert links.Linker(glossary).terms_in(record) == _plain(glossary, record)  # type: ignore[arg-type]


_ASCII = "aAbBsS_1-/ .\n\t"


@settings(max_examples=400, deadline=None)
@given(names=st.lists(st.text(alphabet=_ASCII, min_size=1, max_size=8).filter(str.strip)
                      | st.sampled_from(["ab ab", "AB-1", "a b s", "Sab", "s-a", "1/2 a"]), min_size=1, max_size=6),
       text=st.text(alphabet=_ASCII, max_size=80), phase=st.sampled_from([None, "1/2", "a", "n/a"]))
def test_in_ascii_text_the_linker_finds_what_every_regex_finds(names: list[str], text: str, phase: str | None) -> None:
    """ASCII texts take the shortcuts: one-word names by word sets, longer ones only where they start."""
    glossary = [{"id": f"term-{position}", "term": name, "aliases": [name.upper(), name + " ab"]}
                for position, name in enumerate(names)]
    record = {"id": "term-0", "title": text, "phase": phase, "notes": [text[::-1], {"text": text.upper()}]}
    assert links.Linker(glossary).terms_in(record) == _plain(glossary, record)  # type: ignore[arg-type]


def test_an_anchor_needs_every_word_of_the_phrase() -> None:
    anchor = textmatch.anchor("stem cell", plurals=True)
    assert anchor is not None and not anchor.whole and not anchor.acronym
    assert anchor.words == (frozenset({"stem"}), frozenset({"cell", "cells", "celles"}))
    assert textmatch.anchor("\u00e9cole") is None


def test_a_text_with_letters_regex_reads_as_ascii_has_no_word_set() -> None:
    assert textmatch.words_of("\u212aelvin") is None
    assert textmatch.words_of("caf\u00e9 MS") == (frozenset({"caf", "MS"}), frozenset({"caf", "ms"}))
