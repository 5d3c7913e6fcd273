"""The store's line reader gives json's values and its line writer json's bytes (or json's
exception), by orjson or json, whatever the lines or the values hold."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import enum
import json
import math
import random
import struct
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import dataset, jsonlines
from mscli.loading.jsonlines import ORJSON_FROM, json_line, parse_lines

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


def _json_line_before_orjson(value: Any) -> bytes:
    """What ``json_line`` was, and what its every answer must still be."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _outcome(encode: Callable[[Any], bytes], value: Any) -> bytes | type[BaseException]:
    try:
        return encode(value)
    except (TypeError, ValueError, RecursionError) as error:
        return type(error)


@pytest.fixture(scope="module")
def orjson_from_the_first():
    """``json_line`` with orjson from its first value (a small test would otherwise never reach it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonlines, "ORJSON_AFTER", 0)
        yield


def _same_as_before(value: Any) -> bool:
    return _outcome(json_line, value) == _outcome(_json_line_before_orjson, value)


def test_orjson_writes_every_character_as_json_does(orjson_from_the_first):
    """Every code point but the surrogates, as a one-character string, as a key, and inside text
    (escapes next to other characters); the C0 controls, DEL, C1 and the separators each alone too."""
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    for start in range(0, len(characters), 4096):
        batch = characters[start:start + 4096]
        for value in (batch, dict.fromkeys(batch, 0), "x".join(batch)):
            assert jsonlines._orjson_line(value) == _json_line_before_orjson(value)
            assert json_line(value) == _json_line_before_orjson(value)
    for code in [*range(0xA0), 0x2028, 0x2029, 0xFEFF, 0x10FFFF]:
        assert jsonlines._orjson_line(chr(code)) == _json_line_before_orjson(chr(code))


def test_every_bundled_trial_takes_orjsons_bytes(orjson_from_the_first):
    """The speed is real: a trial (text, ints, booleans, nulls, EDSS floats) is not sent to json."""
    for trial in dataset.load(use_cache=False)["trials"]:
        assert jsonlines._orjson_line(trial) == _json_line_before_orjson(trial)


def _float_bits(rng: random.Random, count: int) -> list[float]:
    return list(struct.unpack(f"<{count}d", rng.randbytes(8 * count)))


BOUNDARY_FLOATS = [0.0, -0.0, 1e-4, -1e-4, math.nextafter(1e-4, 0), math.nextafter(1e-4, 1), 9.999e-5, 1e-5, 1.5e-5,
                   1e-7, 5e-324, 2.2250738585072014e-308, 1e15, 1e16, -1e16, math.nextafter(1e16, 0),
                   math.nextafter(1e16, math.inf), 9007199254740993.0, 1e22, 1.7976931348623157e308, 0.1, 1 / 3,
                   3.5, 6.0, -2.5, 100.0, math.nan, -math.nan, math.inf, -math.inf]


def test_a_float_goes_to_json_exactly_when_python_writes_it_otherwise(orjson_from_the_first):
    """orjson's float is kept just when Python's repr has no exponent and the float is finite
    (so it is never sent to json for nothing), and then it is repr's: over random bit patterns
    (every exponent), short decimals, and the edges of the range."""
    rng = random.Random(20261203)  # noqa: S311 - reproducible floats, not secrets
    floats = (BOUNDARY_FLOATS + _float_bits(rng, 100_000) + [round(rng.uniform(-1e6, 1e6), rng.randrange(8))
                                                              for _ in range(20_000)])
    kept = []
    for number in floats:
        fast = jsonlines._orjson_line([number])
        assert (fast is None) == (not math.isfinite(number) or "e" in repr(number)), number
        if fast is not None:
            kept.append(number)
        assert _same_as_before(number) and _same_as_before([number]) and _same_as_before({"edss_max": number})
    assert jsonlines._orjson_line(kept) == _json_line_before_orjson(kept)


class _Number(int):
    def __repr__(self) -> str:
        return "number"


class _Text(str):
    def __str__(self) -> str:
        return "text"


class _Reversed(dict):  # type: ignore[type-arg]
    def items(self):  # type: ignore[override]
        return reversed(list(super().items()))


class _Colour(enum.Enum):
    RED = 1


class _Level(enum.IntEnum):
    HIGH = 3


class _Word(enum.StrEnum):
    YES = "yes"


@dataclasses.dataclass
class _Point:
    x: int = 1


_Pair = collections.namedtuple("_Pair", "a b")


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _cycle() -> list[Any]:
    value: list[Any] = [1]
    value.append(value)
    return value


@pytest.mark.parametrize("value", [
    # floats inside text: the searches' false alarms, which only cost json's encoder
    "edss:3.5", "1e-05", '{"a":1e-7}', "0.00001", "[1e16", "f\x03nan", "f\x05-1e16", "of\ninf",
    "f\x1110000000000000000", {"note": "f\x03nan", "edss_min": 3.5}, ["f\x02-i", 2.0],
    # negative floats, floats in lists and top-level floats, tiny, huge and non-finite ones among others
    -3.5, -0.0, -1e-05, [-1e-05, 2.5], [1.5, 2.0, 1e-7, 1e16, 0.0001], [[1.0], [[1e-300]]], {"a": [None, -1e22]},
    3.5, 1e-05, 1e16, 1e22, math.nan, [math.nan], {"x": math.inf}, [-math.inf, 1], [1, 2, [3, 4.5, math.nan]],
    # what orjson refuses: integers beyond 64 bits, keys that are not text, lone surrogates, deep nesting
    2**63 - 1, 2**64 - 1, 2**64, -2**63, -2**63 - 1, [10**30], 10**5000, {1: "a"}, {None: 1, True: 2, 1.5: 3},
    {(1, 2): 3}, "\ud800", ["a", "\udfff"], {"\ud83d": 1}, _nested(200), _nested(300), _nested(100_000), _cycle(),
    # types json writes or refuses its own way, which orjson would write
    _Number(7), [_Number(7)], _Text("words"), {_Text("key"): _Text("value")}, _Reversed(a=1, b=2), [_Reversed(a=1)],
    collections.OrderedDict(a=1), _Colour.RED, _Level.HIGH, _Word.YES, {"level": _Level.HIGH}, _Point(),
    uuid.UUID(int=1), datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1, 12), orjson.Fragment(b"[1]"),
    b"bytes", bytearray(b"x"), {1, 2}, frozenset(), 1j, ..., object(),
    # tuples and the plain shapes, which orjson writes as json does
    (1, "a", None), ((),), [(1.5, True)], {"t": (1, 2)}, _Pair(1, 2), None, True, False, 0, -1, "", [], {}, [{}],
], ids=lambda value: type(value).__name__)
def test_json_line_gives_jsons_bytes_or_jsons_exception(orjson_from_the_first, value):
    assert _same_as_before(value)


_KEYS = st.text(max_size=6) | st.integers() | st.booleans() | st.none() | st.floats()
_SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
            | st.floats() | st.floats(min_value=1e-4, max_value=1e16) | st.text()
            | st.text(st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=3))


@settings(max_examples=2000, deadline=None)
@given(value=st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple)
                          | st.dictionaries(st.text(max_size=6), inner, max_size=5)
                          | st.dictionaries(_KEYS, inner, max_size=3), max_leaves=30))
def test_json_line_is_what_json_wrote_for_any_json_like_value(orjson_from_the_first, value):
    assert _same_as_before(value)


def test_a_small_compile_never_imports_orjson():
    """The first ``ORJSON_AFTER`` values are json's alone: the import would cost more than it saves."""
    probe = ("import sys\nfrom mscli.loading.jsonlines import ORJSON_AFTER, json_line\n"
             "for _ in range(ORJSON_AFTER):\n    json_line({'a': [1, 'b']})\n"
             "before = 'orjson' in sys.modules\njson_line({'a': [1, 'b']})\nprint(before, 'orjson' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["False", "True"]
