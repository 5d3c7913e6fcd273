"""The search stemmer: the word forms people type meet the forms records use, identifiers never change."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mscli.model.wordforms import STOPWORDS, spans, stem, terms, words

SAME = [("death", "deaths"), ("transplant", "transplantation"), ("transplant", "transplanted"),
        ("transplant", "transplants"), ("recruiting", "recruitment"), ("recruit", "recruited"),
        ("relapse", "relapses"), ("relapse", "relapsing"), ("relapse", "relapsed"), ("risk", "risky"),
        ("therapy", "therapies"), ("study", "studies"), ("study", "studied"), ("control", "controlled"),
        ("enrolment", "enrollment"), ("enrolled", "enrolment"), ("cell", "cells"), ("disease", "diseases"),
        ("accredited", "accreditation"), ("clinic", "clinics"), ("mouse", "mice"), ("infection", "infections"),
        ("lesion", "lesions"), ("msc", "mscs"), ("criterion", "criteria"), ("die", "died")]
APART = [("recruiting", "not_yet_recruiting"), ("ms", "msc"), ("hsct", "ahsct"), ("stem", "system"),
         ("cure", "curcumin"), ("trial", "trail")]
KEPT = ["ms", "msc", "eae", "nct01854957", "2011", "001295", "sclerosis", "status", "edss", "analysis", "cns"]


@pytest.mark.parametrize("one,other", SAME)
def test_simple_word_forms_share_a_stem(one, other):
    assert stem(one) == stem(other)


@pytest.mark.parametrize("one,other", APART)
def test_different_words_keep_different_stems(one, other):
    assert stem(one) != stem(other)


@pytest.mark.parametrize("word", KEPT)
def test_short_words_identifiers_and_latin_endings_are_kept(word):
    assert stem(word) == word


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_a_stem_is_never_empty_and_stemming_twice_changes_nothing_for_short_words(word):
    assert stem(word)
    if len(word) <= 3:
        assert stem(word) == word


def test_words_spans_and_terms_agree():
    text = "Deaths after aHSCT: NCT01854957, EudraCT 2011-001295-19."
    assert words(text) == ["deaths", "after", "ahsct", "nct01854957", "eudract", "2011", "001295", "19"]
    assert [text[start:end] for start, end, _ in spans(text)][:3] == ["Deaths", "after", "aHSCT"]
    assert terms(text) == {stem(word) for word in words(text)}
    assert "after" in STOPWORDS and "death" not in STOPWORDS


def _plain_terms(text: str) -> set[str]:
    """The reference: every word of the text, one by one, stemmed by the rules themselves."""
    import re

    from mscli.model.wordforms import _stem

    return {_stem(word) for word in re.findall(r"\w+", text.lower())}


@given(st.text(alphabet=st.sampled_from("aeiouybcdlmnrstgx SNCT019-_\u0130\u00e9\u00df\u212a\n"), max_size=60))
def test_terms_are_the_stems_of_every_word(text):
    assert terms(text) == _plain_terms(text)
    assert terms(text) == {stem(word) for word in words(text)}


def test_the_stem_cache_empties_when_full_and_still_answers(monkeypatch):
    from mscli.model import wordforms

    monkeypatch.setattr(wordforms, "_CACHE_LIMIT", 3)
    wordforms._STEMS.clear()
    for word in ("deaths", "transplants", "relapses", "studies", "cells"):
        assert stem(word) == wordforms._stem(word)
        assert len(wordforms._STEMS) <= 3
    wordforms._STEMS.clear()


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_words_are_the_regex_words_of_an_ascii_text(text):
    import re

    from mscli.model.wordforms import ascii_words

    assert ascii_words(text) == re.findall(r"\w+", text)
    assert ascii_words(text, lower=True) == re.findall(r"\w+", text.lower()) == words(text)
