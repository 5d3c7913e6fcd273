"""names.txt of the compiled store: every normalised name of every trial (id, alias, acronym,
registry number), sorted, so ``trial ID`` finds its trial by binary search whatever the size.

Each line is the name, a tab, and for each trial it names the byte range of its line in
trials.jsonl and the glossary positions of the terms it uses (``start:end:3.17``): byte
ranges rather than positions, so a lookup need not load the offsets of every trial, and the
terms, so it need not find them in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from mscli.loading.searchindex import find_line
from mscli.model.kinds import names_of, normalise_key
from mscli.model.records import Trial

NAMES = "names.txt"


def names_file(offsets: Sequence[int], trials: Sequence[Trial], links: Sequence[list[str]],
               glossary: Mapping[str, int]) -> bytes:
    """The bytes of names.txt: each normalised name once, sorted as UTF-8 bytes."""
    spans = [b"%d:%d:" % (offsets[p], offsets[p + 1]) + b".".join(b"%d" % glossary[term] for term in links[p])
             for p in range(len(trials))]
    positions: dict[bytes, list[int]] = {}
    for position, trial in enumerate(trials):
        for name in names_of("trials", trial):
            key = normalise_key(name).encode("utf-8")
            if key and b"\t" not in key and b"\n" not in key:
                at = positions.setdefault(key, [])
                if not at or at[-1] != position:
                    at.append(position)
    return b"".join(key + b"\t" + b",".join(spans[p] for p in at) + b"\n" for key, at in sorted(positions.items()))


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
