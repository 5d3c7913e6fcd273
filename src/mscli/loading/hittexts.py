"""What a search hit on a compiled trial shows, stored apart from the trial: its id, its title
and the text of each searched field, so listing every hit of a common word at 100,000 trials
reads a few short strings per hit instead of parsing each trial and joining its fields again.

The compiled form is two files:

    texts.bin    for each trial in dataset order: its id, its title (``title_of``), then the
                 text of each field of ``KINDS["trials"].search_fields`` (``search_texts``, the
                 very text the index was built from), UTF-8, one after another
    spans.bin    for each trial, where its texts start in texts.bin (64-bit) and where each of
                 them ends, counted from that start (32-bit); unsigned, little-endian

A hit reads five of its trial's span values, then the stretch of texts.bin from its id to the
field its snippet comes from: alone when few trials are wanted, else within a block read for
the hundreds of wanted trials it holds.
"""

from __future__ import annotations

import itertools
import os
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from mscli.model.kinds import KINDS, search_text, search_texts, title_of
from mscli.model.vocabularies import CollectionName

TEXTS, SPANS = "texts.bin", "spans.bin"
_FIELDS = tuple(name for name, _ in KINDS["trials"].search_fields)
# Where a field's text ends in a trial's unpacked spans (its start, then the ends of id, title, fields ...).
_END = {name: end for end, name in enumerate(_FIELDS, start=3)}
_RECORD = struct.Struct(f"<Q{2 + len(_FIELDS)}I")
# Bytes read at once when many trials are wanted (at least one in ``_DENSE``).
_BLOCK, _DENSE = 1 << 18, 8


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
                 *map(str.encode, searched)]
        ends = list(itertools.accumulate(map(len, parts)))
        self._texts.write(b"".join(parts))
        self._spans.write(_RECORD.pack(self._start, *ends))
        self._start += ends[-1]


def sizes_fit(count: int, spans_size: int) -> bool:
    """Whether spans.bin's size is right for ``count`` trials."""
    return spans_size == count * _RECORD.size


def read_texts(folder: Path, wanted: Sequence[tuple[int, str]]) -> list[tuple[str, str, str]]:
    """For each (position, searched field name or "") of ``wanted``: the trial's id, its title and
    that field's text.

    The trials are read in file order: when many are wanted (every hit of a common word), in
    stretches of ``_BLOCK`` bytes, each serving the hundreds of trials it holds; when few, one
    read each. Mapped pages of texts.bin would count against the process's memory as the hits
    of a common word touched most of them, so it is read, not mapped."""
    if not wanted:
        return []
    import mmap  # a shared library to load: only a search that shows hits needs it

    found: list[tuple[str, str, str]] = [("", "", "")] * len(wanted)
    with (folder / TEXTS).open("rb") as texts, (folder / SPANS).open("rb") as spans_file, \
            mmap.mmap(spans_file.fileno(), 0, access=mmap.ACCESS_READ) as spans:
        size, pread, handle, pick = _RECORD.size, os.pread, texts.fileno(), _PICK.__getitem__
        block_size = _BLOCK if len(wanted) * _DENSE >= len(spans) // size else 0
        positions = [position for position, _ in wanted]
        base, limit, block = 0, 0, b""
        for at in sorted(range(len(wanted)), key=positions.__getitem__):
            position, name = wanted[at]
            start, id_end, title_end, first, last = pick(name)(spans, position * size)
            if not id_end <= title_end <= first <= last:
                raise TextsDamaged(folder / SPANS)
            if start < base or start + last > limit:
                block = pread(handle, max(block_size, last), start)
                base, limit = start, start + len(block)
                if start + last > limit:
                    raise TextsDamaged(folder / TEXTS)
            here = start - base
            found[at] = (block[here:here + id_end].decode("utf-8"),
                         block[here + id_end:here + title_end].decode("utf-8"),
                         block[here + first:here + last].decode("utf-8"))
    return found


def _picker(end: int) -> Callable[[Any, int], tuple[Any, ...]]:
    """What a trial's spans give for the field whose text ends at ``end`` of its unpacked values
    (0 for no field): where its texts start, where its id and title end, and where the field's
    text starts and ends, with one struct unpacking five values rather than all of them."""
    if end >= 4:
        return struct.Struct(f"<QII{4 * (end - 4)}xII").unpack_from

    def unpack(spans: Any, offset: int) -> tuple[int, ...]:  # the id field, or none: first is the title's end
        start, id_end, title_end, id_text_end = _HEAD.unpack_from(spans, offset)
        return (start, id_end, title_end, title_end, id_text_end if end else title_end)

    return unpack


_HEAD = struct.Struct("<QIII")
_PICK = {"": _picker(0), **{name: _picker(end) for name, end in _END.items()}}
