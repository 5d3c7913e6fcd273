"""Turn untrusted JSON text into the same plain values as ``yamlsafe``, with the same refusals.

YAML costs about 14 s per 100,000 trials even through libyaml's events, so large (imported)
data files may be JSON, which CPython's C scanner reads several times faster. Python's ``json``
accepts what a dataset must refuse: duplicate keys (the last one wins silently), ``NaN`` and
``Infinity``, numbers of any length and values nested as deep as its recursion limit allows.
So there are two readers here:

- ``parse_quick``, the fast path: the C scanner, one record at a time so each record gets its
  line, with hooks that are cheap enough (one per object, to refuse duplicate keys; one per
  number, to refuse integers beyond ``MAX_INTEGER`` and non-finite or over-long floats) and a
  look for surrogate escapes, which no UTF-8 file can hold. It answers None rather than guess:
  whatever it doubts is left to ``parse``. Its nesting is bounded by the interpreter's
  recursion guard inside the C scanner (a ``RecursionError``, caught), not by ``MAX_DEPTH``:
  no value nested deeper than a record type allows passes validation, and a file with a
  problem is read again by ``parse`` (see ``forms.check_text``), which refuses it there.
- ``parse``, the located reader: pure Python, slower, used for files the fast path doubts and
  files with problems. It builds ``MarkedDict`` mappings with the line of every object and key,
  refuses nesting at ``MAX_DEPTH`` before it recurses, and words every refusal as ``yamlsafe``
  does, with its line.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from mscli.loading.yamlsafe import _MAX_NUMBER_TEXT, MAX_DEPTH, MAX_INTEGER, MarkedDict, YamlProblem

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS = {"true": True, "false": False, "null": None}
_NOT_FINITE = ("NaN", "Infinity", "-Infinity")


class _Doubt(Exception):
    """The fast path will not vouch for this text; the located reader decides."""


def _pairs(pairs: list[tuple[str, Any]]) -> MarkedDict:
    result = MarkedDict(pairs)
    if len(result) != len(pairs):
        raise _Doubt
    return result


def _integer(text: str) -> int:
    if len(text) > _MAX_NUMBER_TEXT:  # before int(), whose time grows with the square of the length
        raise _Doubt
    value = int(text)
    if -MAX_INTEGER <= value <= MAX_INTEGER:
        return value
    raise _Doubt


def _float(text: str) -> float:
    value = float(text)
    if len(text) > _MAX_NUMBER_TEXT or not math.isfinite(value):
        raise _Doubt
    return value


def _constant(text: str) -> Any:
    raise _Doubt


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_float=_float, parse_int=_integer,
                            parse_constant=_constant)
# The C scanner of one value at a position, and of one string's rest; typeshed lists neither.
_scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _skip(text: str, at: int) -> int:
    """Where the whitespace from ``at`` ends."""
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]  # it matches "" too


def parse_quick(text: str) -> Any | None:
    """The values of a JSON data file, fast; None when only ``parse`` may decide.

    Each mapping is a ``MarkedDict``; the top-level one knows its keys' lines and each record
    (a mapping in a top-level list) its own line, which is all that valid records need. Callers
    bound the size of ``text`` (see ``dataset.MAX_FILE_BYTES``).
    """
    if "\\u" in text and ("\\ud" in text or "\\uD" in text):
        return None
    try:
        return _Quick(text).document()
    except (_Doubt, ValueError, StopIteration, RecursionError):  # JSONDecodeError is a ValueError
        return None


class _Quick:
    """Walks the top-level mapping and lists in Python, each value under them in C."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.counted = 0
        self.lines = 1

    def line(self, position: int) -> int:
        """The line of ``position``; positions asked for only ever grow."""
        self.lines += self.text.count("\n", self.counted, position)
        self.counted = position
        return self.lines

    def document(self) -> MarkedDict:
        text, skip = self.text, _skip
        at = _skip(text, 0)
        if text[at:at + 1] != "{":
            raise _Doubt
        result = MarkedDict()
        result.line = self.line(at)
        result.key_lines = {}
        at = skip(text, at + 1)
        if text[at:at + 1] == "}":
            return self._end(result, at)
        while True:
            if text[at:at + 1] != '"':
                raise _Doubt
            line = self.line(at)
            key, at = _scanstring(text, at + 1)
            if key in result:
                raise _Doubt
            result.key_lines[key] = line
            at = skip(text, at)
            if text[at:at + 1] != ":":
                raise _Doubt
            at = skip(text, at + 1)
            if text[at:at + 1] == "[":
                result[key], at = self._records(at)
            else:
                result[key], at = _scan(text, at)
            at = skip(text, at)
            if text[at:at + 1] == "}":
                return self._end(result, at)
            if text[at:at + 1] != ",":
                raise _Doubt
            at = skip(text, at + 1)

    def _end(self, result: MarkedDict, at: int) -> MarkedDict:
        if _skip(self.text, at + 1) != len(self.text):
            raise _Doubt
        return result

    def _records(self, at: int) -> tuple[list[Any], int]:
        text, skip, scan = self.text, _skip, _scan
        items: list[Any] = []
        at = skip(text, at + 1)
        if text[at:at + 1] == "]":
            return items, at + 1
        while True:
            item, end = scan(text, at)
            if type(item) is MarkedDict:
                item.line = self.line(at)
            items.append(item)
            at = skip(text, end)
            if text[at:at + 1] == "]":
                return items, at + 1
            if text[at:at + 1] != ",":
                raise _Doubt
            at = skip(text, at + 1)


def dumps(document: dict[str, Any]) -> str:
    """The JSON form of a data file, one record per line, so a diff shows the records changed.

    Non-ASCII characters are written as themselves (the file is UTF-8, as YAML data files are).
    """
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    parts = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            parts.append(f"{dump(key)}: [\n" + ",\n".join(map(dump, value)) + "\n]")
        else:
            parts.append(f"{dump(key)}: {dump(value)}")
    return "{" + ",\n".join(parts) + "}\n"


def parse(text: str) -> Any:
    """Parse one JSON document into ``MarkedDict`` mappings, lists and scalars, with lines.

    Raises ``YamlProblem`` (the located problem of any data file's text) for anything refused.
    """
    return _Located(text).document()


class _Located:
    """A recursive-descent JSON reader that refuses as ``yamlsafe._Builder`` does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def line(self, position: int) -> int:
        return bisect_left(self.newlines, position) + 1

    def fail(self, reason: str, position: int) -> YamlProblem:
        return YamlProblem(f"JSON syntax error: {reason}", self.line(min(position, len(self.text))))

    def document(self) -> Any:
        value, at = self.value(_skip(self.text, 0), 0)
        at = _skip(self.text, at)
        if at != len(self.text):
            raise self.fail("extra data after the top-level value (one value per file)", at)
        return value

    def value(self, at: int, depth: int) -> tuple[Any, int]:
        """The value starting at ``at`` (no whitespace before it) and where it ends."""
        text = self.text
        first = text[at:at + 1]
        if first in ("{", "["):
            if depth >= MAX_DEPTH:
                raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", self.line(at))
            return self._mapping(at, depth + 1) if first == "{" else self._list(at, depth + 1)
        if first == '"':
            return self._string(at)
        number = _NUMBER.match(text, at)
        if number is not None and number.end() > at:
            return self._number(number), number.end()
        for word, literal in _LITERALS.items():
            if text.startswith(word, at):
                return literal, at + len(word)
        for word in _NOT_FINITE:
            if text.startswith(word, at):
                raise YamlProblem(f"{word!r} is not a finite number", self.line(at))
        raise self.fail("expecting a value", at)

    def _string(self, at: int) -> tuple[str, int]:
        try:
            value, end = _scanstring(self.text, at + 1)
        except json.JSONDecodeError as error:
            reason = error.msg.lower().removesuffix(" at").removesuffix(" starting")
            raise self.fail(reason, error.pos) from None
        if _SURROGATE.search(value):
            raise YamlProblem("a \\u escape names half of a UTF-16 surrogate pair, which is not a "
                              "character; write the character itself", self.line(at))
        return value, end

    def _number(self, match: re.Match[str]) -> Any:
        written = match.group()
        line = self.line(match.start())
        if len(written) > _MAX_NUMBER_TEXT:
            raise YamlProblem(f"bad value {written[:20]!r}...: number too long", line)
        if match.group(1) is None and match.group(2) is None:
            value = int(written)
            if abs(value) > MAX_INTEGER:
                raise YamlProblem(f"bad value {written!r}: number out of range (at most {MAX_INTEGER})", line)
            return value
        number = float(written)
        if not math.isfinite(number):
            raise YamlProblem(f"{written!r} is not a finite number", line)
        return number

    def _list(self, at: int, depth: int) -> tuple[list[Any], int]:
        text, skip = self.text, _skip
        items: list[Any] = []
        at = skip(text, at + 1)
        if text[at:at + 1] == "]":
            return items, at + 1
        while True:
            item, at = self.value(at, depth)
            items.append(item)
            at = skip(text, at)
            if text[at:at + 1] == "]":
                return items, at + 1
            if text[at:at + 1] != ",":
                raise self.fail("expecting ',' or ']' after a list item", at)
            at = skip(text, at + 1)

    def _mapping(self, at: int, depth: int) -> tuple[MarkedDict, int]:
        text, skip = self.text, _skip
        result = MarkedDict()
        result.line = self.line(at)
        key_lines: dict[str, int] = {}
        result.key_lines = key_lines
        at = skip(text, at + 1)
        if text[at:at + 1] == "}":
            return result, at + 1
        while True:
            if text[at:at + 1] != '"':
                raise self.fail("expecting a key in double quotes", at)
            line = self.line(at)
            key, at = self._string(at)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r} (lines {key_lines[key]} and {line})", line)
            key_lines[key] = line
            at = skip(text, at)
            if text[at:at + 1] != ":":
                raise self.fail("expecting ':' after a key", at)
            result[key], at = self.value(skip(text, at + 1), depth)
            at = skip(text, at)
            if text[at:at + 1] == "}":
                return result, at + 1
            if text[at:at + 1] != ",":
                raise self.fail("expecting ',' or '}' after a value", at)
            at = skip(text, at + 1)
