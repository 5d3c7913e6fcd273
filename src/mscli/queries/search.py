"""Search over every record type, through the store's inverted index.

A query's words are read as the index reads records (``model.wordforms``): lower case, simple
forms joined ("deaths" finds "death"), and words that carry no meaning ("is", "after") dropped.
A record type named in the query ("MSC trial recruiting") narrows nothing but ranks that type
first. Every remaining word must match; when no record holds them all, the records holding the
most of them are shown, each saying which words it lacks, so a question never silently returns
nothing. A hit scores, for each word, the weights of the fields holding it times how rare the
word is (BM25's idf), so "thyroid" outweighs "stem"; a query that is a record's whole name
(id, alias, registry number, DOI) puts that record first.

Only the postings of the query's words are read, the best ``limit`` are chosen with a heap, and
only what those hits show is read (a trial's id, title and the one text its snippet comes from,
``loading.hittexts``), so a search costs what it shows, not what the dataset holds.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from mscli.errors import UsageError
from mscli.loading.hittexts import texts_of
from mscli.model.choices import SEARCH_LIMIT
from mscli.model.kinds import KINDS, TERSE_FIELDS, names_of, normalise_key
from mscli.model.vocabularies import CollectionName
from mscli.model.wordforms import STOPWORDS, spans, stem, words

if TYPE_CHECKING:
    from mscli.loading.searchindex import Posting, SearchIndex
    from mscli.loading.store import Store
    from mscli.model.records import Dataset

DEFAULT_LIMIT = SEARCH_LIMIT
SNIPPET_CHARS = 140
_NAME_BONUS = 1000.0
_WORD_NAME_BONUS = 50.0  # one word of the query is a record's whole name ("is aHSCT risky")
_TYPE_BONUS = 2.0
# Sources and the search log rank after the records they stand behind.
_KIND_FACTOR: dict[CollectionName, float] = {"sources": 0.5, "searches": 0.5}
# Words that name a record type rather than say what it is about ("trial", "studies").
_TYPE_NAMES: tuple[tuple[CollectionName, str], ...] = (
    ("trials", "trial"), ("trials", "trials"), ("therapies", "therapy"), ("therapies", "therapies"),
    ("studies", "study"), ("studies", "studies"), ("guidance", "guidance"), ("glossary", "glossary"))
_TYPE_WORDS: dict[str, CollectionName] = {stem(word): collection for collection, word in _TYPE_NAMES}
_WEIGHTS = {collection: tuple(weight for _, weight in kind.search_fields) for collection, kind in KINDS.items()}


class SearchResults(TypedDict):
    """What a search found: the hits shown, how many there were in all, and the words it used."""

    hits: list[dict[str, Any]]
    total: int
    terms: list[str]        # the stems every hit was scored on
    complete: bool          # False when no record holds every word (hits list what they lack)


class _Query:
    """A query read into stems: those required, and the record types it names."""

    def __init__(self, text: str) -> None:
        said = words(text)
        if not said:
            raise UsageError("search needs at least one letter or digit")
        meant = [word for word in said if word not in STOPWORDS] or said
        hinted = {_TYPE_WORDS[stem(word)] for word in meant if stem(word) in _TYPE_WORDS}
        content = [word for word in meant if stem(word) not in _TYPE_WORDS] or meant
        self.hinted = hinted if len(content) < len(meant) else set()
        self.spoken: dict[str, str] = {}
        for word in content:
            self.spoken.setdefault(stem(word), word)
        self.terms = list(self.spoken)
        self.rarity: dict[str, float] = {}  # each term's idf, filled in as its postings are read
        self.phrase = normalise_key(text)


def search(dataset: Dataset, text: str, limit: int | None = DEFAULT_LIMIT,
           types: Sequence[CollectionName] | None = None) -> SearchResults:
    """Records of every type (or of ``types``) matching ``text``, best first, at most ``limit``."""
    from mscli.loading.store import MemoryStore

    return search_store(MemoryStore(dataset, []), text, limit, types)


def search_store(source: Store, text: str, limit: int | None = DEFAULT_LIMIT,
                 types: Sequence[CollectionName] | None = None) -> SearchResults:
    """``search`` over a store: reads the postings of the query's words and the records shown."""
    query = _Query(text)
    chosen = list(types) if types else list(KINDS)
    return source.searching(lambda store: _run(store, query, limit, chosen))


def _run(store: Store, query: _Query, limit: int | None, chosen: list[CollectionName]) -> SearchResults:
    index = store.search_index()
    postings = {term: index.postings(term) for term in query.terms}
    scored = [_term_scores(index, term, postings[term], chosen, query.rarity) for term in query.terms]
    order = sorted(range(len(scored)), key=lambda at: (len(scored[at]), query.terms[at]))
    found = _all_of([scored[at] for at in order])
    complete = bool(found) or len(scored) == 1
    if not found and len(scored) > 1:
        found = _most_of(scored)
    for number in _named(store, index, query.phrase, chosen):
        if number in found:
            found[number] += _NAME_BONUS
    for word in (query.spoken.values() if len(query.terms) > 1 else ()):
        for number in _named(store, index, word, chosen):
            if number in found:
                found[number] += _WORD_NAME_BONUS
    for collection, factor in _KIND_FACTOR.items():
        _scale(found, index.span(collection), factor)
    for collection in query.hinted:
        _scale(found, index.span(collection), _TYPE_BONUS)
    if limit is None:  # best first, the lower number first among equals: two sorts in C, no key tuples
        ranked = sorted(sorted(found), key=found.__getitem__, reverse=True)
    else:
        ranked = [number for number, _ in heapq.nsmallest(limit, found.items(), key=_rank)]
    hits = _decode(store, index, ranked, query, postings, found)
    return {"hits": hits, "total": len(found), "terms": query.terms, "complete": complete}


def _scale(found: dict[int, float], span: tuple[int, int], factor: float) -> None:
    """Multiply the scores of the records numbered in ``span``, walking whichever is shorter."""
    low, high = span
    if high - low < len(found):
        for number in range(low, high):
            if number in found:
                found[number] *= factor
        return
    for number in found:
        if low <= number < high:
            found[number] *= factor


def _rank(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def _term_scores(index: SearchIndex, term: str, posting: Posting, chosen: list[CollectionName],
                 rarities: dict[str, float]) -> dict[int, float]:
    """Each record holding ``term`` (in a chosen type), scored: field weights times the word's rarity."""
    numbers, masks = posting
    rarity = rarities[term] = math.log(1 + (index.size - len(numbers) + 0.5) / (len(numbers) + 0.5))
    scores: dict[int, float] = {}
    for collection in chosen:
        low, high = index.span(collection)
        first, last = bisect.bisect_left(numbers, low), bisect.bisect_left(numbers, high)
        if first == last:
            continue
        weights = _WEIGHTS[collection]
        table: dict[int, float] = {}
        for mask in set(masks[first:last]):
            table[mask] = rarity * sum(weight for bit, weight in enumerate(weights) if mask >> bit & 1)
        scores.update(zip(numbers[first:last], map(table.__getitem__, masks[first:last]), strict=True))
    return scores


def _all_of(scored: list[dict[int, float]]) -> dict[int, float]:
    """The records in every one of ``scored`` (rarest first), their scores summed."""
    if not scored:
        return {}
    found = dict(scored[0])
    for other in scored[1:]:
        found = {number: score + other[number] for number, score in found.items() if number in other}
    return found


def _most_of(scored: list[dict[int, float]]) -> dict[int, float]:
    """The records holding the most words of the query (none holds them all), scores summed."""
    counts: dict[int, int] = {}
    totals: dict[int, float] = {}
    for scores in scored:
        for number, score in scores.items():
            counts[number] = counts.get(number, 0) + 1
            totals[number] = totals.get(number, 0.0) + score
    best = max(counts.values(), default=0)
    return {number: totals[number] for number, count in counts.items() if count == best}


def _named(store: Store, index: SearchIndex, phrase: str, chosen: list[CollectionName]) -> list[int]:
    """Record numbers of the records whose whole name (id, alias, registry number ...) is ``phrase``."""
    numbers = []
    for collection in chosen:
        low, _ = index.span(collection)
        if collection == "trials":
            numbers += [low + position for position in store.trial_positions_named(phrase)]
            continue
        numbers += [low + position for position, record in enumerate(store.meta[collection])
                    if phrase in (normalise_key(name) for name in names_of(collection, record))]
    return numbers


def _decode(store: Store, index: SearchIndex, numbers: list[int], query: _Query,
            postings: dict[str, Posting], scores: dict[int, float]) -> list[dict[str, Any]]:
    """The hits for these record numbers. Which fields matched, and so where the snippet comes
    from, follows from the postings' masks alone, once per combination of masks; then only the
    texts a hit shows are read: its id, its title and that field's text.

    Listing every hit of a common word makes tens of thousands, so the steps taken for each hit
    are C's (``map``, ``zip``, a table's ``__missing__``) wherever they can be."""
    masks_of = [_masks_of(postings[term], numbers) for term in query.terms]
    slots = map(bisect.bisect_right, itertools.repeat(index.starts), numbers)
    keys = zip(slots, *[map(lookup, numbers) for lookup in masks_of], strict=True)
    chosen = list(map(_Plans(index, query).__getitem__, keys))
    low, high = index.span("trials")
    if numbers and low <= min(numbers) and max(numbers) < high:  # only trials: their texts in one call
        positions = numbers if low == 0 else list(map(operator.sub, numbers, itertools.repeat(low)))
        texts = store.trial_texts(list(zip(positions, map(_BEST, chosen), strict=True)))
    else:
        pairs = list(zip(numbers, chosen, strict=True))
        trials = iter(store.trial_texts([(number - plan.low, plan.best) for number, plan in pairs
                                         if plan.collection == "trials"]))
        texts = [next(trials) if plan.collection == "trials" else
                 texts_of(plan.collection, store.meta[plan.collection][number - plan.low], plan.best)
                 for number, plan in pairs]
    wanted, total = set(query.terms), len(scores)
    return [{"type": plan.word, "id": name, "title": title, "score": score, "matched": list(plan.matched),
             "snippet": snippet(text, wanted), "missing": list(plan.missing), "total": total}
            for plan, (name, title, text), score in zip(
                chosen, texts, map(round, map(scores.__getitem__, numbers), itertools.repeat(3)), strict=True)]


def _masks_of(posting: Posting, shown: list[int]) -> Callable[[int], int]:
    """The fields of a record holding a posting's word (0 if none): a table when many records
    are shown, else a binary search per record."""
    numbers, masks = posting
    if len(shown) * 8 >= len(numbers):
        return _Masks(zip(numbers, masks, strict=True)).__getitem__

    def search(number: int) -> int:
        at = bisect.bisect_left(numbers, number)
        return masks[at] if at < len(numbers) and numbers[at] == number else 0

    return search


class _Masks(dict[int, int]):
    """Record number -> mask, 0 for a record not in the posting."""

    def __missing__(self, number: int) -> int:
        return 0


class _Plan(NamedTuple):
    """What hits of one record type with one combination of matched fields show: the fields
    that matched, the one the snippet is cut from, and the query's words they lack."""

    matched: list[str]
    best: str
    missing: list[str]
    collection: CollectionName
    word: str  # the record type's name in a hit
    low: int   # the first record number of its type


_BEST = operator.attrgetter("best")


class _Plans(dict[tuple[int, ...], _Plan]):
    """(the collection's slot in the index's layout, plus one; the mask of each term) -> the plan."""

    def __init__(self, index: SearchIndex, query: _Query) -> None:
        super().__init__()
        self._index, self._query = index, query

    def __missing__(self, key: tuple[int, ...]) -> _Plan:
        slot = key[0] - 1
        collection = self._index.layout[slot][0]
        plan = self[key] = _plan(collection, self._query, dict(zip(self._query.terms, key[1:], strict=True)),
                                 self._index.starts[slot])
        return plan


def _plan(collection: CollectionName, query: _Query, masks: dict[str, int], low: int) -> _Plan:
    fields = KINDS[collection].search_fields
    union = 0
    for mask in masks.values():
        union |= mask
    title = KINDS[collection].title_field
    best: tuple[int, bool, bool, float, int] | None = None
    best_name = ""
    matched = []
    for bit, (name, weight) in enumerate(fields):
        if not union >> bit & 1:
            continue
        matched.append(name)
        here = [term for term, mask in masks.items() if mask >> bit & 1]
        rank = (len(here), name not in TERSE_FIELDS, name != title,  # the title is shown beside it already
                sum(query.rarity.get(term, 0.0) for term in here), weight)
        if best is None or rank > best:
            best, best_name = rank, name
    return _Plan(matched, best_name, [query.spoken[term] for term in query.terms if not masks[term]],
                 collection, KINDS[collection].word, low)


def snippet(text: str, wanted: set[str], chars: int = SNIPPET_CHARS) -> str:
    """The stretch of ``text`` (at most about ``chars``) holding the most wanted words, cut at
    word boundaries, with '…' where it was shortened; whitespace runs become one space."""
    if (len(text) <= chars and text.isprintable() and "_" not in text and "  " not in text
            and text[:1] != " " != text[-1:]):  # most texts of all hits: already as they are shown
        return text  # (printable, its only whitespace is " ", so splitting and joining would change nothing)
    text = " ".join(text.replace("_", "-").split())
    if len(text) <= chars:
        return text
    found = [(start, end, term) for start, end, term in spans(text) if term in wanted]
    if not found:
        return _cut(text, 0, chars)
    best_start, best_count = found[0][0], 0
    for start, _, _ in found:
        count = len({term for other, end, term in found if start <= other and end <= start + chars * 2 // 3})
        if count > best_count:
            best_start, best_count = start, count
    return _cut(text, max(0, best_start - chars // 4), chars)


def _cut(text: str, left: int, chars: int) -> str:
    if left > 0:
        space = text.find(" ", left - 1)
        left = space + 1 if 0 <= space < left + chars // 4 else left
    right = min(len(text), left + chars)
    if right < len(text):
        space = text.rfind(" ", left, right)
        right = space if space > left else right
    return ("…" if left > 0 else "") + text[left:right].strip(" |,;") + ("…" if right < len(text) else "")


def parse_types(option: str) -> list[CollectionName]:
    """``--type trial,therapy`` -> their collections; a record type's singular, plural or
    collection name all work ("term", "glossary"), and an unknown one is a usage error."""
    names: dict[str, CollectionName] = {}
    for collection, kind in KINDS.items():
        for name in (collection, kind.word, kind.plural):
            names[normalise_key(name).replace("_", " ").replace("-", " ")] = collection
    chosen: list[CollectionName] = []
    for part in option.split(","):
        key = normalise_key(part).replace("_", " ").replace("-", " ")
        if not key:
            continue
        if key not in names:
            from mscli.queries.suggestions import suggest

            close = suggest(key, [kind.word for kind in KINDS.values()])
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            raise UsageError(f"--type: no record type {part.strip()!r}; {hint}"
                             f"types: {', '.join(kind.word for kind in KINDS.values())}")
        if names[key] not in chosen:
            chosen.append(names[key])
    if not chosen:
        raise UsageError("--type needs record types separated by commas, e.g. --type trial,therapy")
    return chosen
