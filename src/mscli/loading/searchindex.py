"""The inverted index behind ``mscli search``: for each word stem, the records that hold it and in
which of their searched fields.

Records are numbered across the whole dataset, collection by collection in ``KINDS`` order and
in dataset order within one, so a record's number says its type and place without a lookup.
A posting is two parallel arrays: record numbers (ascending) and, for each, a bit mask of the
fields (``KINDS[...].search_fields`` order) holding the stem. Scoring needs nothing else, so a
search reads the postings of its few stems and decodes only the records it shows.

The compiled form is two files beside the store's others:

    terms.txt      one line per stem, sorted as UTF-8 bytes: stem, tab, count, tab, byte offset
    postings.bin   for each stem, ``count`` record numbers then ``count`` masks, 32-bit unsigned

A lookup is a binary search of a memory map of terms.txt and one read of postings.bin, whatever
the size of the dataset.
"""

from __future__ import annotations

import bisect
import os
import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mscli.model.kinds import KINDS, search_texts
from mscli.model.vocabularies import CollectionName

TERMS, POSTINGS = "terms.txt", "postings.bin"
_ITEM = "I"  # 32-bit unsigned on every platform CPython supports
_MASK = (1 << 32) - 1
_ONE_POSTING = struct.Struct("<II")  # a stem held by one record: its number, then its fields' mask
Posting = tuple[Sequence[int], Sequence[int]]
_EMPTY: Posting = (array(_ITEM), array(_ITEM))


class IndexDamaged(ValueError):
    """A compiled index file does not say what its size and shape promise."""


class SearchIndex:
    """Postings by stem, over records numbered collection by collection (``layout``)."""

    def __init__(self, layout: Sequence[tuple[CollectionName, int]]) -> None:
        self.layout = list(layout)
        self.starts: list[int] = []
        total = 0
        for _, count in self.layout:
            self.starts.append(total)
            total += count
        self.size = total

    def postings(self, term: str) -> Posting:
        """The records holding ``term`` (ascending) and, for each, the mask of fields holding it."""
        raise NotImplementedError

    def locate(self, number: int) -> tuple[CollectionName, int]:
        """Which collection a record number is in, and its position there."""
        slot = bisect.bisect_right(self.starts, number) - 1
        return self.layout[slot][0], number - self.starts[slot]

    def span(self, collection: CollectionName) -> tuple[int, int]:
        """The record numbers of one collection, as a half-open range."""
        slot = [name for name, _ in self.layout].index(collection)
        return self.starts[slot], self.starts[slot] + self.layout[slot][1]


class IndexBuilder:
    """Postings fed one record at a time, numbered in the order they are fed: a compile that
    streams its trials file by file builds the index without holding the records.

    Records must come collection by collection in ``KINDS`` order, as ``SearchIndex`` numbers them.
    Most stems of a large dataset (ids, registry numbers, names) are held by one record, so a
    stem's first posting is kept as one integer (``number << 32 | mask``) and becomes a pair of
    arrays only with a second: at 100,000 trials that is 300,000 stems, 55 MB less.
    """

    def __init__(self) -> None:
        from mscli.model.wordforms import terms

        self._terms = terms
        self._table: dict[str, int | tuple[array[int], array[int]]] = {}
        self.number = 0
        self._order = list(KINDS)
        self._slot = 0

    def add(self, collection: CollectionName, texts: Sequence[str]) -> None:
        """One record, given as its ``search_texts``."""
        if self._order[self._slot] != collection:
            slot = self._order.index(collection)
            if slot < self._slot:
                raise ValueError(f"{collection} records fed after those of {self._order[self._slot]}")
            self._slot = slot
        table, number, terms = self._table, self.number, self._terms
        first = number << 32
        for bit, text in enumerate(texts):
            if not text:
                continue
            flag = 1 << bit
            for term in terms(text):
                entry = table.get(term)
                if entry is None:
                    table[term] = first | flag
                elif isinstance(entry, int):
                    if entry >> 32 == number:
                        table[term] = entry | flag
                    else:
                        table[term] = (array(_ITEM, (entry >> 32, number)), array(_ITEM, (entry & _MASK, flag)))
                else:
                    numbers, masks = entry
                    if numbers[-1] == number:
                        masks[-1] |= flag
                    else:
                        numbers.append(number)
                        masks.append(flag)
        self.number = number + 1

    def postings(self, term: str) -> Posting:
        entry = self._table.get(term)
        if entry is None:
            return _EMPTY
        if isinstance(entry, int):
            return array(_ITEM, (entry >> 32,)), array(_ITEM, (entry & _MASK,))
        return entry

    def write(self, folder: Path) -> None:
        """terms.txt and postings.bin in ``folder`` (the caller syncs and renames the folder).

        Stems are sorted as strings: UTF-8 keeps the order of code points, so that is the order
        of their bytes, which a lookup's binary search needs.
        """
        offset, table = 0, self._table
        # Most stems have one posting (one integer here): packed straight into its 8 bytes, and
        # the files written some thousands of stems at a time, writing took half the time.
        with (folder / POSTINGS).open("wb") as handle, (folder / TERMS).open("wb") as lines:
            ordered = sorted(table)
            for start in range(0, len(ordered), 4096):
                data, text = [], []
                for term in ordered[start:start + 4096]:
                    entry = table[term]
                    if isinstance(entry, int):
                        posting, count = _ONE_POSTING.pack(entry >> 32, entry & _MASK), 1
                    else:
                        numbers, masks = entry
                        posting, count = _little(numbers) + _little(masks), len(numbers)
                    data.append(posting)
                    text.append(b"%s\t%d\t%d\n" % (term.encode("utf-8"), count, offset))
                    offset += len(posting)
                handle.write(b"".join(data))
                lines.write(b"".join(text))
            for done in (handle, lines):
                done.flush()
                os.fsync(done.fileno())


class MemoryIndex(SearchIndex):
    """An index built from records in memory: for a dataset just parsed, and to be written out."""

    def __init__(self, collections: Iterable[tuple[CollectionName, Sequence[Any]]]) -> None:
        chosen = list(collections)
        super().__init__([(name, len(records)) for name, records in chosen])
        self._builder = IndexBuilder()
        for collection, records in chosen:
            for record in records:
                self._builder.add(collection, search_texts(collection, record))

    def postings(self, term: str) -> Posting:
        return self._builder.postings(term)

    def write(self, folder: Path) -> None:
        """terms.txt and postings.bin in ``folder`` (the caller syncs and renames the folder)."""
        self._builder.write(folder)


class DiskIndex(SearchIndex):
    """The compiled index: each lookup reads one line of terms.txt and one run of postings.bin."""

    def __init__(self, folder: Path, layout: Sequence[tuple[CollectionName, int]]) -> None:
        super().__init__(layout)
        self._terms, self._postings = folder / TERMS, folder / POSTINGS

    def postings(self, term: str) -> Posting:
        found = find_line(self._terms, term.encode("utf-8"))
        if found is None:
            return _EMPTY
        count_text, _, offset_text = found.partition(b"\t")
        if not (count_text.isdigit() and offset_text.isdigit()):
            raise IndexDamaged(self._terms)
        count, offset = int(count_text), int(offset_text)
        with self._postings.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(8 * count)
        if len(data) != 8 * count:
            raise IndexDamaged(self._postings)
        numbers, masks = array(_ITEM), array(_ITEM)
        numbers.frombytes(data[:4 * count])
        masks.frombytes(data[4 * count:])
        if sys.byteorder != "little":  # pragma: no cover - the files are little-endian everywhere
            numbers.byteswap()
            masks.byteswap()
        if count and (numbers[-1] >= self.size or numbers[0] < 0):
            raise IndexDamaged(self._postings)
        return numbers, masks


def _little(values: array[int]) -> bytes:
    if sys.byteorder == "little":
        return values.tobytes()
    swapped = array(_ITEM, values)  # pragma: no cover
    swapped.byteswap()  # pragma: no cover
    return swapped.tobytes()  # pragma: no cover


def find_line(path: Path, wanted: bytes) -> bytes | None:
    """Binary search of a file of sorted ``key<TAB>rest`` lines: the rest of ``wanted``'s line, or None.

    A few reads of a memory map, whatever the file's size; names.txt and terms.txt share it.
    """
    import mmap

    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as lines:
            low, high = 0, len(lines)
            while low < high:  # invariant: the line holding ``wanted`` starts in [low, high)
                middle = (low + high) // 2
                start = lines.rfind(b"\n", 0, middle) + 1 if middle else 0
                end = lines.find(b"\n", start)
                if end < 0:
                    raise IndexDamaged(path)
                key, _, rest = lines[start:end].partition(b"\t")
                if key == wanted:
                    return rest
                if key < wanted:
                    low = end + 1
                else:
                    high = start
    return None


def layout_of(counts: dict[str, int]) -> list[tuple[CollectionName, int]]:
    """The record layout for per-collection counts, in ``KINDS`` order (as the index numbers them)."""
    return [(collection, counts[collection]) for collection in KINDS]
