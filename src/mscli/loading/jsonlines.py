"""The compiled store's trials.jsonl, one JSON value a line and many thousands of lines: written
with json's bytes and read as json's values, by orjson wherever it gives exactly those.

orjson parses each line at about twice json's speed and, line by line, never needs the whole
file as one string (joining 100,000 lines into one array held three copies of it at once). A
line orjson refuses but json reads (NaN, a lone surrogate escape) goes to json, and so does a
line with a run of 19 digits or more, where an integer may pass 64 bits (orjson reads those
as floats, json as integers): the values are json's either way. A read imports orjson only for
every trial of a large dataset: below ``ORJSON_FROM`` bytes json is done before orjson loads.

Writing, orjson is some ten times json's speed, but a line must be json's bytes exactly (output
copies lines unparsed), so ``json_line`` keeps orjson's bytes only where ``_orjson_line`` can
tell they are json's, and only after a process's first ``ORJSON_AFTER`` values.
"""

from __future__ import annotations

import itertools
import json
import marshal
import re
from collections.abc import Callable, Iterable
from typing import Any

ORJSON_FROM = 1 << 20
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19
# Values ``json_line`` encodes with json alone before it imports orjson (some 15 ms): a small
# dataset's compile (the bundled one's) is over before the import would pay for itself.
ORJSON_AFTER = 1000
_encoded = itertools.count()
_orjson_dumps: Callable[[Any], bytes] | None = None
# A float in marshal's version 1 form (``f``, a length byte, its ``%.17g`` text) that is NaN, an
# infinity (json refuses them, orjson writes null) or one Python's repr writes with an exponent
# (below 1e-4, from 1e16 up), which orjson may spell otherwise (``0.00001``, ``1e-7``, ``1e16``).
# Spelt out in full, so the bytes of large integers (the index's CRCs) rarely pass for one.
_NOT_AS_REPR = re.compile(rb"f[\x01-\x18]-?(?:nan|inf|[0-9]{17}|[0-9]+(?:\.[0-9]+)?e[-+])")


def parse_lines(lines: Iterable[bytes], size: int) -> list[Any]:
    """The value of each non-blank line, in order; ``size`` is the bytes they hold in all."""
    if size < ORJSON_FROM:
        return [json.loads(line) for line in lines if line.strip()]
    import orjson

    values = []
    for line in lines:
        if not line.strip():
            continue
        if _LONG_NUMBER in line.translate(_DIGITS_AS_ZERO):
            values.append(json.loads(line))
            continue
        try:
            values.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            values.append(json.loads(line))
    return values


def json_line(value: Any) -> bytes:
    """The compact JSON of one value, as the standard library writes it: each line of trials.jsonl
    (so a line is already the JSON Lines form of its trial, but for the characters output escapes).

    A compile encodes every trial, and json's encoder took a tenth of a large cold load. orjson
    writes each value whose bytes ``_orjson_line`` can prove are json's; json writes the rest, so
    every value still gives json's bytes, or json's exception."""
    if next(_encoded) >= ORJSON_AFTER:
        fast = _orjson_line(value)
        if fast is not None:
            return fast
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _orjson_line(value: Any) -> bytes | None:
    """orjson's compact JSON of ``value`` where it is json's exactly, else None.

    orjson refuses (TypeError) integers beyond 64 bits, keys that are not text, lone surrogates
    and nesting deeper than it goes. The built-in types themselves it writes as json does (text
    escaped alike: a test checks every character), floats too but only from 1e-4 to below 1e16,
    where Python's repr has no exponent and both write the same shortest digits. marshal refuses
    (ValueError) every other type orjson would write (subclasses of str, int, dict and list,
    enums, dataclasses, dates, UUIDs, fragments), and its version 1 writes each float as text, so
    one search in C finds the floats outside that range, NaN and the infinities (orjson writes
    those as null) without a walk over the value in Python."""
    global _orjson_dumps
    if _orjson_dumps is None:
        import orjson

        _orjson_dumps = orjson.dumps
    try:
        line = _orjson_dumps(value)
        floats = marshal.dumps(value, 1)
    except (TypeError, ValueError):
        return None
    return None if _NOT_AS_REPR.search(floats) else line
