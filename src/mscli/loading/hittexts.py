"""What a search hit on a compiled trial shows, stored apart from the trial: its id, its title
and the text of each searched field, so listing every hit of a common word at 100,000 trials
reads a few short strings per hit instead of parsing each trial and joining its fields again.

The compiled form is two files:

    texts.bin    for each trial in dataset order: its id, its title (``title_of``), then the
                 text of each field of ``KINDS["trials"].search_fields`` (``search_texts``, the
                 very text the index was built from), UTF-8, one after another
    spans.bin    for each trial, where its texts start in texts.bin (64-bit) and where each of
                 them ends, counted from that start (32-bit); unsigned, little-endian

A hit reads its trial's spans, then one stretch of texts.bin from its id to the field its
snippet comes from.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from mscli.model.kinds import KINDS, search_text, search_texts, title_of
from mscli.model.vocabularies import CollectionName

TEXTS, SPANS = "texts.bin", "spans.bin"
_FIELDS = tuple(name for name, _ in KINDS["trials"].search_fields)
# Where a field's text ends in a trial's unpacked spans (its start, then the ends of id, title, fields ...).
_END = {name: end for end, name in enumerate(_FIELDS, start=3)}
_RECORD = struct.Struct(f"<Q{2 + len(_FIELDS)}I")


class TextsDamaged(ValueError):
    """texts.bin and spans.bin do not fit each other."""


def texts_of(collection: CollectionName, record: Any, name: str) -> tuple[str, str, str]:
    """A record's id, title and the text of its searched field ``name`` (or "" for none), read
    from the record in memory: what the files hold for a compiled trial."""
    return str(record["id"]), title_of(collection, record), search_text(name, record.get(name)) if name else ""


def write_texts(trials: Sequence[Any], texts: BinaryIO, spans: BinaryIO) -> None:
    """texts.bin to ``texts`` and spans.bin to ``spans``, for these trials in this order."""
    writer = TextsWriter(texts, spans)
    for trial in trials:
        writer.add(trial, search_texts("trials", trial))


class TextsWriter:
    """texts.bin and spans.bin written a trial at a time, from the ``search_texts`` the caller
    already has (the compile works them out once for the index and for these files)."""

    def __init__(self, texts: BinaryIO, spans: BinaryIO) -> None:
        self._texts, self._spans = texts, spans
        self._start = 0

    def add(self, trial: Any, searched: Sequence[str]) -> None:
        parts = [str(trial["id"]).encode("utf-8"), title_of("trials", trial).encode("utf-8"),
                 *(text.encode("utf-8") for text in searched)]
        ends, end = [], 0
        for part in parts:
            end += len(part)
            ends.append(end)
        self._texts.write(b"".join(parts))
        self._spans.write(_RECORD.pack(self._start, *ends))
        self._start += end


def sizes_fit(count: int, spans_size: int) -> bool:
    """Whether spans.bin's size is right for ``count`` trials."""
    return spans_size == count * _RECORD.size


def read_texts(folder: Path, wanted: Sequence[tuple[int, str]]) -> list[tuple[str, str, str]]:
    """For each (position, searched field name or "") of ``wanted``: the trial's id, its title and
    that field's text. One read per trial: mapped pages of texts.bin would count against the
    process's memory as the hits of a common word touched most of them."""
    if not wanted:
        return []
    found = []
    with (folder / TEXTS).open("rb") as texts, (folder / SPANS).open("rb") as spans_file, \
            mmap.mmap(spans_file.fileno(), 0, access=mmap.ACCESS_READ) as spans:
        size, unpack, pread, handle = _RECORD.size, _RECORD.unpack_from, os.pread, texts.fileno()
        for position, name in wanted:
            spans_at = unpack(spans, position * size)
            start, id_end, title_end = spans_at[0], spans_at[1], spans_at[2]
            first = last = title_end
            if name:
                end = _END[name]
                first, last = spans_at[end - 1], spans_at[end]
            stretch = pread(handle, last, start)
            if len(stretch) != last or not id_end <= title_end <= first <= last:
                raise TextsDamaged(folder / TEXTS)
            found.append((stretch[:id_end].decode("utf-8"), stretch[id_end:title_end].decode("utf-8"),
                          stretch[first:last].decode("utf-8")))
    return found
