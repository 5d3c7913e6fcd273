"""JSON text of a payload, as UTF-8 bytes: always the bytes the standard library writes, but
written by orjson wherever orjson gives those same bytes.

With ``indent=2`` Python's json runs its pure-Python encoder (the C one writes only compact
JSON): at 100,000 trials that took 9 of the 16 seconds of ``trials --json``. orjson (Rust) writes
the same document some thirty times faster. Where it would write something else, the payload
goes to the standard library instead, so the output never depends on which encoder ran:

- what orjson refuses (TypeError): keys that are not strings, integers beyond 64 bits, lone
  surrogates, nesting deeper than orjson allows, and, by the passthrough options, subclasses
  of str/int/dict/list, dataclasses and dates, which json writes (or refuses) its own way;
- floats of magnitude below 1e-4, which Python writes with a two-digit exponent (``1e-05``)
  and orjson as ``0.00001`` or ``1e-7``: found in orjson's output (``_TINY_FLOATS``);
- NaN and the infinities, which json refuses (``allow_nan=False``) and orjson writes as null:
  found in marshal's form of the payload (``_has_non_finite``), and anything marshal cannot
  write (a plain Enum, which orjson writes by value and json refuses).

Then DEL, C1 controls, line and paragraph separators and bidi characters are escaped as
``\\uXXXX``, as ``terminal.escape_json`` does to the standard library's text. orjson costs some
milliseconds to import, so payloads too small to gain from it never load it.

A large list is encoded a batch of records at a time: a batch is itself a list, so its text
without the brackets is its records exactly as json writes them inside the whole list (one
level in). The checks run per batch: the whole document is never held at once, and a batch
that needs the fallback takes no other batch with it. A list may come as an iterator (a
streamed listing): its first ``FAST_FROM`` records decide the path, as the length of a list
would, and then it is read a batch at a time, so it is never held whole either.

A listing of whole stored records (``trials --json`` in the default order) comes as the store's
compact lines instead (``indented_lines``). They were written by json, so a proof replaces the
checks above: a batch orjson reads and writes back compactly as exactly those bytes is one whose
every token orjson writes as json does, and its indented text is json's. At 100,000 trials the
checks cost more than the encoding (the NaN scan alone 0.7 s of 4.7 s).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from mscli.output.terminal import JSON_UNSAFE_RANGES, escape_json

# Fewer top-level records than this: the standard library is done before orjson is imported,
# unless the answer is larger than ``FAST_FROM_BYTES`` (a few long records, or one large
# mapping): json's indenting encoder takes about 20 microseconds a kilobyte, and importing
# orjson (with the dataclasses module it loads) about a millisecond.
FAST_FROM = 200
FAST_FROM_BYTES = 64_000
# Records encoded and checked together: large enough that the checks cost little per record.
BATCH = 1000

# orjson's forms of a float Python writes with an exponent below 1e-4 ("0.00001", "1e-7").
# Each pattern starts with a literal, which the regex engine scans for fast, and the literal is
# the pattern's rarest byte in prose ("0000", "-" rather than "e": twice as fast over search
# hits); the rest is checked behind the match, so ids like "update-2002" are passed over in C.
# A match inside a string only costs the fallback.
_TINY_FLOATS = (re.compile(rb"0000(?<=0\.0000)"), re.compile(rb"-[0-9](?<=[0-9]e-[0-9])"))
# Where a batch of records keeps every float it holds (``json_chunks``).
Floats = Callable[[list[Any]], Iterable[float]]
_NON_FINITE = tuple(re.compile(lead + rb".{6}[\xf0-\xff][\x7f\xff]", re.DOTALL) for lead in (b"g", b"\xe7"))


def to_json(payload: Any, indent: int | None = 2) -> str:
    """The standard library's JSON text of ``payload``: the reference every fast path matches."""
    separators = (",", ": ") if indent else (",", ":")
    return escape_json(json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators))


def json_chunks(payload: Any, indent: int | None = 2, floats: Floats | None = None) -> Iterator[bytes]:
    """``to_json(payload, indent)`` as UTF-8 (a lone surrogate as ``?``, as every answer is
    written), in pieces whose concatenation is exactly that.

    ``floats``, for a list of records holding nothing but str, int, float, bool, None, lists and
    dicts, gives every float of a batch of them: those floats are checked instead of scanning
    orjson's text and marshal's form of the batch (at 100,000 trials the scans of every search
    hit cost three times orjson's writing of them)."""
    payload, large = _settled(payload, max(FAST_FROM, 1))
    if indent not in (2, None) or not large:
        whole = list(payload) if isinstance(payload, Iterator) else payload
        fast = (_orjson([whole], indent, _held(floats, whole)) if indent in (2, None)
                and _marshalled_size(whole) >= FAST_FROM_BYTES else None)
        yield (fast or [_standard(whole, indent)])[0]
        return
    gap, edge = (b",\n", 2) if indent else (b",", 1)
    yield b"[\n" if indent else b"["
    for number, batch in enumerate(_batches(payload)):
        text = (_orjson([batch], indent, _held(floats, batch)) or [_standard(batch, indent)])[0]
        yield (gap if number else b"") + text[edge:-edge]
    yield b"\n]" if indent else b"]"


def json_lines(records: Iterable[Any], floats: Floats | None = None) -> Iterator[bytes]:
    """One compact JSON line per record, a batch at a time (never one string of all); ``floats``
    as for ``json_chunks``."""
    records, fast = _settled(records, FAST_FROM)
    for batch in _batches(records):
        lines = (_orjson(batch, None, _held(floats, batch)) if fast else None) or list(map(_standard, batch))
        yield b"".join(line + b"\n" for line in lines)


def indented_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    """``json_chunks`` of the records in lines that json wrote compactly (``json_line``), each with
    its newline (a store's, checked by their CRC-32), a batch at a time, never all at once.

    orjson reads each batch and writes it indented, and the batch is kept only if orjson's
    compact form of what it read is the lines exactly: orjson then writes every token as json
    wrote it, and lays tokens out by json's rules (a property test checks every kind of value),
    so the indented text is json's; else json writes that batch. Lines json did not write could
    pass with a form json would write otherwise (``0.00001``), hence the precondition. No NaN
    check: orjson refuses NaN and the infinities, and json never wrote them (``allow_nan=False``).
    """
    lines, large = _settled(lines, FAST_FROM)
    if not large:
        few = list(lines)
        text = _reindented(few) if few and sum(map(len, few)) >= FAST_FROM_BYTES else None
        yield b"[\n" + text + b"\n]" if text is not None else _standard([json.loads(line) for line in few], 2)
        return
    yield b"[\n"
    for number, batch in enumerate(_batches(lines)):
        if number:
            yield b",\n"
        yield _reindented(batch) or _standard(list(map(json.loads, batch)), 2)[2:-2]
    yield b"\n]"


def _reindented(lines: list[bytes]) -> bytes | None:
    """The records of ``lines`` as json indents them inside a list, without the brackets, or None
    where orjson's reading of them may not be json's."""
    import orjson

    if not all(line.endswith(b"\n") for line in lines):
        return None
    joined = b"[" + b",".join([line[:-1] for line in lines]) + b"]"
    try:
        records = orjson.loads(joined)
        if orjson.dumps(records) != joined:
            return None
        text = orjson.dumps(records, option=orjson.OPT_INDENT_2)
    except (orjson.JSONDecodeError, TypeError):
        return None
    text = text[2:-2]
    return _escape_unsafe(text) if any(lead in text for lead in _unsafe_patterns()) else text


def escaped_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Lines already written as the standard library writes compact JSON, each with its newline
    (a store's, unparsed), with what ``escape_json`` escapes escaped: the bytes ``json_lines``
    writes for the records they hold, without parsing or encoding them."""
    for batch in _batches(lines):
        joined = b"".join(batch)
        yield _escape_unsafe(joined) if any(lead in joined for lead in _unsafe_patterns()) else joined


def _settled(payload: Any, large_from: int) -> tuple[Any, bool]:
    """``payload``, an iterator read up to ``large_from`` records (a short one as the list it
    was), and whether it is a list of at least ``large_from`` records."""
    if isinstance(payload, Iterator):
        head = list(itertools.islice(payload, large_from))
        return (head, False) if len(head) < large_from else (itertools.chain(head, payload), True)
    return payload, isinstance(payload, list) and len(payload) >= large_from


def _batches(records: Iterable[Any]) -> Iterator[list[Any]]:
    if isinstance(records, list):
        for start in range(0, len(records), BATCH):
            yield records[start:start + BATCH]
        return
    stream = iter(records)
    while batch := list(itertools.islice(stream, BATCH)):
        yield batch


def _standard(payload: Any, indent: int | None = None) -> bytes:
    return to_json(payload, indent).encode("utf-8", errors="replace")


def _held(floats: Floats | None, records: Any) -> list[float] | None:
    return list(floats(records)) if floats is not None and isinstance(records, list) else None


def _orjson(values: list[Any], indent: int | None, floats: list[float] | None = None) -> list[bytes] | None:
    """orjson's text of each value, or None where any of it would differ from the standard library's.

    ``floats``: every float the values hold, which hold only plain JSON types (``json_chunks``)."""
    import orjson

    option = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
    option |= orjson.OPT_INDENT_2 if indent else 0
    try:
        texts = [orjson.dumps(value, option=option) for value in values]
    except TypeError:
        return None
    joined = texts[0] if len(texts) == 1 else b"\n".join(texts)
    if floats is not None:
        if not all(1e-4 <= size <= sys.float_info.max for size in map(abs, floats) if size):  # NaN fails too
            return None
    elif any(pattern.search(joined) for pattern in _TINY_FLOATS) or _has_non_finite(values):
        return None
    if any(lead in joined for lead in _unsafe_patterns()):
        texts = list(map(_escape_unsafe, texts))
    return texts


def _marshalled_size(payload: Any) -> int:
    """About the size of ``payload``'s JSON, found at C speed (0 for what marshal cannot write,
    which orjson would not write as json does either)."""
    import marshal

    try:
        return len(marshal.dumps(payload))
    except ValueError:
        return 0


def _has_non_finite(payload: Any) -> bool:
    r"""Whether a NaN or an infinity may be in ``payload`` (orjson would write it as null).

    marshal writes each float as a type byte (``g``, or ``\xe7`` when flagged for reference)
    and its eight bytes little-endian; in a NaN or infinity the exponent is all ones, so the
    last two bytes are ``[\xf0-\xff][\x7f\xff]``. Every float is written in full where it
    first occurs, so none is missed; the pair never occurs in UTF-8 text, so a false alarm
    (which only costs the fallback) needs a rare length or integer. This is C speed: a walk in
    Python over 100,000 trials took three to four times as long.
    """
    import marshal

    try:
        data = marshal.dumps(payload)
    except ValueError:
        return True
    if b"\x7f" not in data and b"\xff" not in data:  # one of them ends every match: a byte search is far faster
        return False
    return any(pattern.search(data) for pattern in _NON_FINITE)


def _escape_unsafe(data: bytes) -> bytes:
    r"""``escape_json`` on UTF-8 bytes. Each unsafe character's encoding starts with one of a few
    bytes; a byte absent from the text (a fast ``in``) skips its search altogether."""
    for lead, pattern in _unsafe_patterns().items():
        if lead in data:
            data = pattern.sub(lambda match: b"\\u%04x" % ord(match.group().decode("utf-8")), data)
    return data


@cache
def _unsafe_patterns() -> dict[bytes, re.Pattern[bytes]]:
    """For each first byte of an unsafe character's UTF-8 form, a pattern of all that start so.

    Made from ``JSON_UNSAFE_RANGES`` (a few dozen characters), each pattern an alternation of
    the characters' leading bytes, each followed by a class of their last bytes: testing
    thousands of code points against ``escape_json``'s pattern, and compiling an alternation
    of every character, cost a millisecond of each run that writes with orjson."""
    endings: dict[bytes, dict[bytes, list[bytes]]] = {}
    for low, high in JSON_UNSAFE_RANGES:
        for code in range(low, high + 1):
            encoded = chr(code).encode("utf-8")
            endings.setdefault(encoded[:1], {}).setdefault(encoded[:-1], []).append(encoded[-1:])
    return {lead: re.compile(b"|".join(re.escape(head) + b"[" + b"".join(map(re.escape, lasts)) + b"]"
                                       for head, lasts in heads.items()))
            for lead, heads in endings.items()}
