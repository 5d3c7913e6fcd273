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
from collections.abc import Sequence
from pathlib import Path

from mscli.loading.searchindex import find_line

NAMES = "names.txt"


def write_names(path: Path, names: list[bytes], spans: Sequence[bytes]) -> None:
    """names.txt from ``names``, ``key<TAB>position`` for each name of each trial (positions
    ascending), and ``spans``, each trial's ``start:end:terms``.

    The sort is stable, so each key's positions stay ascending; one short bytes object per
    name is all a compile of 100,000 trials holds for them.
    """
    names.sort(key=lambda entry: entry.partition(b"\t")[0])
    with path.open("wb") as handle:
        for key, group in itertools.groupby(names, key=lambda entry: entry.partition(b"\t")[0]):
            handle.write(key + b"\t" + b",".join(spans[int(entry.rpartition(b"\t")[2])] for entry in group)
                         + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


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
