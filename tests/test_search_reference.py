"""Search through the index and the compiled store gives, hit for hit and byte for byte, what a
plain scan of every record gives: the same hits in the same order, with the same scores,
matched fields, snippets and missing words, on random questions over the bundled dataset and a
small generated one.

The scan below reads every record's searched texts, scores each record for each word as the
module docstring of ``queries.search`` says, and cuts each snippet from the full record. Only
the reading of the question (``_Query``) and the snippet cutter are shared: what is under test is
the index, the ranking, the store's hit texts and the decoding of only what is shown.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.loading import dataset as loading
from mscli.loading import hittexts
from mscli.loading.compiling import compile_to
from mscli.loading.store import CacheMiss, DiskStore, MemoryStore, entry_name
from mscli.model.kinds import KINDS, TERSE_FIELDS, names_of, normalise_key, search_text, search_texts, title_of
from mscli.model.records import CollectionName, Dataset
from mscli.model.wordforms import STOPWORDS, terms, words
from mscli.queries import search as searching

ROOT = Path(__file__).resolve().parent.parent


def reference(data: Dataset, text: str, limit: int | None,
              types: list[CollectionName] | None = None) -> searching.SearchResults:
    """``search`` by scanning every record, without the index or the store."""
    query = searching._Query(text)
    chosen = types or list(KINDS)
    records = [(collection, record) for collection in KINDS for record in data[collection]]  # type: ignore[literal-required]
    fields: list[dict[str, int]] = []  # per record: term -> mask of the fields holding it
    for collection, record in records:
        held: dict[str, int] = {}
        for bit, field_text in enumerate(search_texts(collection, record)):
            for term in terms(field_text):
                held[term] = held.get(term, 0) | 1 << bit
        fields.append(held)
    rarity = {}
    for term in query.terms:
        count = sum(term in held for held in fields)
        rarity[term] = math.log(1 + (len(records) - count + 0.5) / (count + 0.5))
    per_term: dict[str, dict[int, float]] = {term: {} for term in query.terms}
    for number, (collection, _) in enumerate(records):
        if collection not in chosen:
            continue
        weights = [weight for _, weight in KINDS[collection].search_fields]
        for term in query.terms:
            mask = fields[number].get(term, 0)
            if mask:
                per_term[term][number] = rarity[term] * sum(w for bit, w in enumerate(weights) if mask >> bit & 1)
    everywhere = sorted(query.terms, key=lambda term: (len(per_term[term]), term))  # rarest first
    found = {number: score for number, score in per_term[everywhere[0]].items()
             if all(number in per_term[term] for term in everywhere)}
    for term in everywhere[1:]:
        found = {number: score + per_term[term][number] for number, score in found.items()}
    complete = bool(found) or len(query.terms) == 1
    if not found and len(query.terms) > 1:
        counts = {number: sum(number in per_term[term] for term in query.terms)
                  for number in set().union(*per_term.values())}
        most = max(counts.values(), default=0)
        found = {}
        for term in query.terms:
            for number, score in per_term[term].items():
                if counts[number] == most:
                    found[number] = found.get(number, 0.0) + score
    for phrase, bonus in [(query.phrase, 1000.0)] + [(word, 50.0) for word in
                                                     (query.spoken.values() if len(query.terms) > 1 else ())]:
        for number in found:
            collection, record = records[number]
            if phrase in {normalise_key(name) for name in names_of(collection, record)}:
                found[number] += bonus
    for number in found:
        collection = records[number][0]
        found[number] *= {"sources": 0.5, "searches": 0.5}.get(collection, 1.0)
        if collection in query.hinted:
            found[number] *= 2.0
    ranked = sorted(found, key=lambda number: (-found[number], number))[:limit]
    hits = []
    for number in ranked:
        collection, record = records[number]
        kind = KINDS[collection]
        masks = {term: fields[number].get(term, 0) for term in query.terms}
        bits = [bit for bit in range(len(kind.search_fields)) if any(m >> bit & 1 for m in masks.values())]
        matched = [kind.search_fields[bit][0] for bit in bits]
        best = kind.search_fields[max(bits, key=lambda bit: _merit(kind, bit, masks, rarity))][0] if bits else ""
        hits.append({"type": kind.word, "id": record["id"], "title": title_of(collection, record),
                     "score": round(found[number], 3), "matched": matched,
                     "snippet": searching.snippet(search_text(best, record.get(best)) if best else "",
                                                  set(query.terms)),
                     "missing": [query.spoken[term] for term in query.terms if not masks[term]],
                     "total": len(found)})
    return {"hits": hits, "total": len(found), "terms": query.terms, "complete": complete}


def _merit(kind: Any, bit: int, masks: dict[str, int], rarity: dict[str, float]) -> tuple[Any, ...]:
    """How well a field shows why a record matched: most of the words, then prose over names and
    vocabularies, then not the title (shown beside the snippet), then the rarer words, then weight;
    the first of equals wins."""
    name, weight = kind.search_fields[bit]
    here = [term for term in masks if masks[term] >> bit & 1]
    return (len(here), name not in TERSE_FIELDS, name != kind.title_field, sum(rarity[term] for term in here),
            weight, -bit)


def _compiled(parsed: MemoryStore, folder: Path) -> DiskStore:
    """The compiled store of ``parsed``; falling back to the YAML would hide a wrong file, so it fails."""
    def refuse() -> MemoryStore:
        raise AssertionError("the compiled store fell back to the YAML")

    target = folder / entry_name("0" * 64)
    compile_to(target, parsed)
    return DiskStore(target, refuse)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Dataset, DiskStore, list[str]]]:
    generated = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--trials", "300", "--out",
                    str(generated)], check=True, stdout=subprocess.DEVNULL)
    chosen = {}
    for name, path in (("bundled", None), ("generated", str(generated))):
        parsed = loading.open_store(path, use_cache=False)
        assert isinstance(parsed, MemoryStore)
        data = parsed.dataset()
        vocabulary = sorted({word for collection in KINDS for record in data[collection]  # type: ignore[literal-required]
                             for text in search_texts(collection, record) for word in words(text)})
        ids = sorted({record["id"] for collection in KINDS for record in data[collection]})  # type: ignore[literal-required]
        chosen[name] = (data, _compiled(parsed, tmp_path_factory.mktemp(name)), vocabulary + ids)
    return chosen


def _questions(vocabulary: list[str]) -> st.SearchStrategy[str]:
    word = st.one_of(st.sampled_from(vocabulary), st.sampled_from(sorted(STOPWORDS)),
                     st.sampled_from(["trial", "studies", "therapy", "glossary", "deaths", "zzqx"]))
    return st.lists(word, min_size=1, max_size=4).map(" ".join)


@pytest.mark.parametrize("name", ["bundled", "generated"])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_index_and_the_store_answer_as_a_full_scan_does(stores, name, data):
    dataset, compiled, vocabulary = stores[name]
    text = data.draw(_questions(vocabulary), label="question")
    limit = data.draw(st.sampled_from([None, 1, 3, 20]), label="limit")
    types = data.draw(st.one_of(st.none(), st.lists(st.sampled_from(list(KINDS)), min_size=1, unique=True)),
                      label="types")
    expected = json.dumps(reference(dataset, text, limit, types), ensure_ascii=False)
    assert json.dumps(searching.search_store(compiled, text, limit, types), ensure_ascii=False) == expected
    assert json.dumps(searching.search(dataset, text, limit, types), ensure_ascii=False) == expected


def test_common_words_listed_in_full_match_the_scan(stores):
    """Every hit of the commonest words, through the table of masks rather than binary search."""
    dataset, compiled, _ = stores["generated"]
    for text in ("intrathecal crossover", "safety", "msc trial recruiting", "placebo zzqx"):
        expected = reference(dataset, text, None)
        assert expected["total"] > 20
        assert searching.search_store(compiled, text, None) == expected


def test_damaged_hit_texts_are_a_miss_not_a_wrong_snippet(stores, tmp_path):
    """A compiled folder whose texts no longer fit their spans answers from the YAML instead."""
    dataset, _, _ = stores["generated"]
    parsed = MemoryStore(dataset, [])
    _compiled(parsed, tmp_path)
    folder = tmp_path / entry_name("0" * 64)
    spans = bytearray((folder / "spans.bin").read_bytes())
    for start in range(0, len(spans), hittexts._RECORD.size):  # every trial's texts start past the end
        spans[start:start + 8] = (10 ** 9).to_bytes(8, "little")
    (folder / "spans.bin").write_bytes(bytes(spans))
    damaged = DiskStore(folder, lambda: parsed)  # the sizes still fit: it shows only when read
    with pytest.raises(ValueError):
        damaged.trial_texts([(0, "title")])
    assert searching.search_store(damaged, "safety", 5) == reference(dataset, "safety", 5)
    (folder / "spans.bin").write_bytes(bytes(spans[:-1]))
    with pytest.raises(CacheMiss):
        DiskStore(folder, lambda: parsed)


def test_hit_texts_hold_what_a_full_record_gives(stores):
    dataset, compiled, _ = stores["bundled"]
    for position, trial in enumerate(dataset["trials"]):
        for name, _ in KINDS["trials"].search_fields:
            assert compiled.trial_texts([(position, name)]) == [
                (trial["id"], title_of("trials", trial), search_text(name, trial.get(name)))]
