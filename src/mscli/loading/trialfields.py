"""Where each searched field of a compiled trial sits in its line, so a search hit parses only
the few fields it shows (id, acronym, title and the field its snippet comes from), not the
whole trial: listing every hit of a common word at 100,000 trials would otherwise parse them all.

The compiled form is one file beside trials.jsonl:

    fields.bin   for each trial, for each field of ``KINDS["trials"].search_fields`` in order,
                 the start and end of the field's JSON value in the trial's line (bytes from
                 the line's start, 32-bit unsigned, little-endian); 0 0 where the trial has no
                 such field

The lines are written here too, key by key, so the spans are known as each line is built; the
line is byte for byte what ``json.dumps(trial, separators=(",", ":"), ensure_ascii=False)`` gives.
"""

from __future__ import annotations

import json
import mmap
import struct
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from mscli.model.kinds import KINDS

FIELDS = "fields.bin"
SPANNED = tuple(name for name, _ in KINDS["trials"].search_fields)
_SLOT = {name: slot for slot, name in enumerate(SPANNED)}
_RECORD = struct.Struct(f"<{2 * len(SPANNED)}I")
_OPENS, _CLOSES = ord(":"), (ord(","), ord("}"))


class SpansDamaged(ValueError):
    """fields.bin does not fit the lines it describes."""


def encoded(value: Any) -> bytes:
    """The compact JSON every compiled file uses."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def write_lines(trials: Sequence[Mapping[str, Any]], lines: BinaryIO, spans: BinaryIO) -> list[int]:
    """Write trials.jsonl to ``lines`` and fields.bin to ``spans``; return the lines' byte offsets."""
    value_text = _value_encoder()
    keys: dict[str, bytes] = {}
    offsets = [0]
    for trial in trials:
        parts: list[bytes] = []
        places = [0] * (2 * len(SPANNED))
        at = 1  # after the opening brace
        for key, value in trial.items():
            head = keys.get(key) or keys.setdefault(key, encoded(key) + b":")
            body = value_text(value).encode("utf-8")
            at += bool(parts)  # the comma before every pair but the first
            slot = _SLOT.get(key)
            if slot is not None:
                places[2 * slot], places[2 * slot + 1] = at + len(head), at + len(head) + len(body)
            parts.append(head + body)
            at += len(head) + len(body)
        line = b"{" + b",".join(parts) + b"}\n"
        lines.write(line)
        spans.write(_RECORD.pack(*places))
        offsets.append(offsets[-1] + len(line))
    return offsets


def _value_encoder() -> Callable[[Any], str]:
    """``encoded`` for one value at a time, without the cost of a new encoder per value.

    ``json.dumps`` builds its C encoder afresh on every call, which made writing the fields one
    by one ten times slower than writing each trial whole; this builds it once (as
    ``json.JSONEncoder.iterencode`` does), with the same settings as ``encoded``.
    """
    from json import encoder

    if encoder.c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode

    def refuse(value: Any) -> Any:
        raise TypeError(f"not JSON: {type(value).__name__}")

    chunks = encoder.c_make_encoder(None, refuse, encoder.encode_basestring, None, ":", ",", False, False, False)
    return lambda value: "".join(chunks(value, 0))


def spans_size(count: int) -> int:
    """The size fields.bin must have for ``count`` trials."""
    return count * _RECORD.size


def read_fields(folder: Path, lines_name: str, offsets: Sequence[int],
                wanted: Sequence[tuple[int, Sequence[str]]]) -> list[dict[str, Any]]:
    """For each (position, field names) of ``wanted``, those fields of that trial (the ones it has),
    parsed from their spans alone: one JSON parse for all of them."""
    if not wanted:
        return []
    present: list[list[str]] = []
    pieces: list[bytes] = []
    with (folder / lines_name).open("rb") as text_file, (folder / FIELDS).open("rb") as spans_file, \
            _mapped(text_file) as text, _mapped(spans_file) as spans:
        for position, names in wanted:
            line, line_end = offsets[position], offsets[position + 1]
            places = _RECORD.unpack_from(spans, position * _RECORD.size)
            has = []
            for name in names:
                start, end = places[2 * _SLOT[name]], places[2 * _SLOT[name] + 1]
                if start == end == 0:
                    continue
                start, end = line + start, line + end
                if not (line < start < end < line_end and text[start - 1] == _OPENS and text[end] in _CLOSES):
                    raise SpansDamaged(folder / FIELDS)
                pieces.append(text[start:end])
                has.append(name)
            present.append(has)
    values = iter(json.loads(b"[" + b",".join(pieces) + b"]"))
    return [{name: next(values) for name in has} for has in present]


def _mapped(handle: BinaryIO) -> mmap.mmap:
    return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
