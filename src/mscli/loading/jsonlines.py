"""Read the compiled store's trials.jsonl: one JSON value a line, many thousands of lines.

orjson parses each line at about twice json's speed and, line by line, never needs the whole
file as one string (joining 100,000 lines into one array held three copies of it at once). A
line orjson refuses but json reads (an integer beyond 64 bits, NaN, a lone surrogate escape)
goes to json, so the values are json's either way. orjson is imported only here, for a read of
every trial.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def parse_lines(lines: Iterable[bytes]) -> list[Any]:
    """The value of each non-blank line, in order."""
    import orjson

    values = []
    for line in lines:
        if line.strip():
            try:
                values.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                values.append(json.loads(line))
    return values
