"""names.txt of the compiled store: every normalised name of every trial (id, alias, acronym,
registry number), sorted, so ``trial ID`` finds its trial by binary search whatever the size.

Each line is the name, a tab, and for each trial it names the byte range of its line in
trials.jsonl and the glossary positions of the terms it uses (``start:end:3.17``): byte
ranges rather than positions, so a lookup need not load the offsets of every trial, and the
terms, so it need not find them in the text.
"""

from __future__ import annotations

import itertools
import os
from array import array
from collections.abc import Sequence
from pathlib import Path

from mscli.loading.searchindex import find_line

NAMES = "names.txt"


class SortedNames:
    """The names of every trial, sorted and laid out as names.txt will hold them, before the
    trials' glossary terms are known: a compile works this out while its worker finishes
    (``compiling.Builder.finish``), and ``write`` then only puts each trial's span in place.

    ``names`` is ``key<TAB>position`` for each name of each trial, positions ascending; it is
    sorted and laid out in place, so the names are held once. The sort is stable, so each key's
    positions stay ascending. Each name becomes what precedes its trial's span in the file: its
    key and a tab where a line starts, a comma where the key is the previous name's.
    """

    def __init__(self, names: list[bytes]) -> None:
        names.sort(key=_key)
        self._positions = array("I", [int(entry.rpartition(b"\t")[2]) for entry in names])
        previous = None
        for at, entry in enumerate(names):
            key = entry.partition(b"\t")[0]
            names[at] = b"," if key == previous else b"\n" + key + b"\t"
            previous = key
        self._before = names

    def write(self, path: Path, spans: Sequence[bytes]) -> None:
        """names.txt, from each trial's ``start:end:terms`` (``spans``)."""
        parts = zip(self._before, map(spans.__getitem__, self._positions), strict=True)
        with path.open("wb") as handle:
            handle.write(memoryview(b"".join(itertools.chain.from_iterable(parts)))[1:])
            handle.write(b"\n" * bool(self._positions))
            handle.flush()
            os.fsync(handle.fileno())


def _key(entry: bytes) -> bytes:
    return entry.partition(b"\t")[0]


def named_spans(path: Path, key: str) -> list[tuple[int, int, list[int]]]:
    """The byte ranges and glossary positions names.txt gives for ``key``; ValueError when the
    line is damaged."""
    found = find_line(path, key.encode("utf-8"))
    if found is None:
        return []
    spans = []
    for span in found.split(b","):
        start, end, terms = span.split(b":")
        spans.append((int(start), int(end), [int(term) for term in terms.split(b".")] if terms else []))
    if not all(0 <= start < end for start, end, _ in spans):
        raise ValueError(f"{path}: a byte range ends before it starts")
    return spans
