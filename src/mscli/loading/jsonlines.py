"""Read the compiled store's trials.jsonl: one JSON value a line, many thousands of lines.

orjson parses each line at about twice json's speed and, line by line, never needs the whole
file as one string (joining 100,000 lines into one array held three copies of it at once). A
line orjson refuses but json reads (NaN, a lone surrogate escape) goes to json, and so does a
line with a run of 19 digits or more, where an integer may pass 64 bits (orjson reads those
as floats, json as integers): the values are json's either way. orjson is imported only here, for a read of
every trial of a large dataset: below ``ORJSON_FROM`` bytes json is done before orjson loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

ORJSON_FROM = 1 << 20
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


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
