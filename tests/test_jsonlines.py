"""The store's line reader gives json's values, by orjson or json, whatever the lines hold."""

from __future__ import annotations

import json
import math

import pytest

from mscli.loading.jsonlines import ORJSON_FROM, parse_lines

LINES = [b'{"id":"a","n":1,"edss":2.5,"t":"caf\xc3\xa9 \\u2028"}\n', b"\n", b'{"id":"b","big":%d}\n' % 2**70,
         b'[18446744073709551616,-9223372036854775809,9223372036854775807,"1234567890123456789"]\n',
         b'{"id":"c","nan":NaN,"s":"\\ud800"}\n', b"[1e-05,-0.0,null,true]\n"]


@pytest.mark.parametrize("size", [0, ORJSON_FROM])
def test_both_readers_give_jsons_values(size: int) -> None:
    values = parse_lines(LINES, size)
    expected = [json.loads(line) for line in LINES if line.strip()]
    assert len(values) == len(expected) == 5
    assert json.dumps(values) == json.dumps(expected)  # NaN != NaN, so compare their text
    assert values[1]["big"] == 2**70 and math.isnan(values[3]["nan"]) and values[3]["s"] == "\ud800"
