"""The records that use each glossary term, as the compiled store keeps them, are exactly what
testing every record's text gives; a damaged map falls back to that test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import dataset, links, usedby
from mscli.loading.store import USED_BY, DiskStore, is_entry
from mscli.model.records import COLLECTIONS
from mscli.queries import terms

BUNDLED = dataset.load(use_cache=False)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> DiskStore:
    cache = tmp_path_factory.mktemp("compiled")
    os.environ["MSCLI_CACHE_DIR"] = str(cache)
    try:
        dataset.open_store(None)
        store = dataset.open_store(None)
    finally:
        del os.environ["MSCLI_CACHE_DIR"]
    assert isinstance(store, DiskStore)
    return store


def test_every_bundled_term_is_used_by_what_the_scan_finds(compiled):
    assert BUNDLED["glossary"]
    for term in BUNDLED["glossary"]:
        assert compiled.used_by(term["id"]) == terms.used_by(BUNDLED, term), term["id"]


_ALPHABET = "aAbBsSiIkK_1-/ .\n\u0130\u00e9"
_NAMES = st.text(alphabet=_ALPHABET, min_size=1, max_size=6).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.tuples(_NAMES | st.sampled_from(["MS", "IV", "ab", "sk i"]),
                                 st.text(alphabet=_ALPHABET, max_size=20)), min_size=1, max_size=5),
       texts=st.lists(st.tuples(st.sampled_from([name for name in links.LINKED if name != "glossary"]),
                                st.text(alphabet=_ALPHABET, max_size=30)), max_size=8))
def test_the_reversed_links_are_the_scan(names, texts):
    """Terms use each other through their definitions; every other linked kind through a title."""
    glossary = [{"id": f"term-{position}", "term": name, "aliases": [name.upper()], "definition": definition}
                for position, (name, definition) in enumerate(names)]
    data: dict = {name: [] for name in COLLECTIONS}
    data["glossary"] = glossary
    for number, (collection, text) in enumerate(texts):
        data[collection].append({"id": f"record-{number}", "title": text})
    stored = usedby.reverse(data, links.links_of(data))  # type: ignore[arg-type]
    assert list(stored) == [term["id"] for term in glossary]
    for term in glossary:
        assert [{"type": word, "id": record_id} for word, record_id in stored[term["id"]]] == \
            terms.used_by(data, term)  # type: ignore[arg-type]


def _folder_of(private_cache: Path) -> Path:
    return next(path for path in private_cache.iterdir() if is_entry(path))


@pytest.mark.parametrize("damage", [
    lambda text: b" " * len(text),  # same size, so the folder's size check passes
    lambda text: json.dumps({"edss": [["nothing", "x"]]}).encode().ljust(len(text)),
    lambda text: json.dumps({"other": []}).encode().ljust(len(text)),
], ids=["blank", "bad type", "no entry"])
def test_a_damaged_map_falls_back_to_the_scan(run, private_cache, damage):
    expected = run("glossary", "edss", "--json", "--no-cache").stdout
    assert run("glossary", "edss", "--json").stdout == expected
    stored = _folder_of(private_cache) / USED_BY
    stored.write_bytes(damage(stored.read_bytes()))
    assert usedby.read(stored, "edss") is None
    assert run("glossary", "edss", "--json").stdout == expected
    assert run("show", "edss", "--json").stdout == expected


def test_glossary_term_reads_no_trial_from_the_store(run, monkeypatch):
    assert run("glossary", "edss", "--json").exit_code == 0  # compiled

    def refuse(*_):
        raise AssertionError("the trials were read")

    monkeypatch.setattr(DiskStore, "trials", refuse)
    result = run("glossary", "edss", "--json")
    assert result.exit_code == 0 and {"type": "trial", "id": "mist"} in result.json()["used_by"]
