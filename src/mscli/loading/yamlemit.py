"""PyYAML's block-style text of a plain document, written without importing PyYAML.

``import ctgov`` writes each study as ``yaml.safe_dump(document, sort_keys=False,
allow_unicode=True, width=100)``, and a dry run needs those bytes only to compare them with the
file already there and to key its remembered verdict. Importing PyYAML to make them costs more
than the rest of a remembered dry run, so ``dump`` writes them itself, for the documents an import
makes: mappings with short single-line string keys, lists, strings, ints, booleans and None.

It is a port of the few parts of PyYAML's emitter (``yaml/emitter.py``) such a document reaches:
the same state (column, whether the last character was white space or indentation, the stack of
indents), the same choice of a plain, single- or double-quoted scalar, the same escapes and the
same folding past the width. Whatever it does not port (a float, a key PyYAML writes as a complex
key, a line break other than "\n", an object reached twice, which PyYAML writes as an alias)
makes ``dump`` return None, and the caller asks PyYAML. ``tests/test_yamlemit.py`` holds every
text it does return to PyYAML's, byte for byte.
"""

from __future__ import annotations

import re
from typing import Any

WIDTH = 100
_INDENT = 2
# PyYAML writes a key as "? key" unless it and its tag (five characters, "!!str") are under 128.
_LONGEST_SIMPLE_KEY = 122

# The characters PyYAML writes only in a double-quoted scalar, escaped: controls, surrogates, the
# BOM and the two non-characters of the BMP. (Sets, not regular expressions: compiling a character
# class of such ranges takes about 3 ms.)
_ESCAPED = frozenset(map(chr, [*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0),
                               *range(0xD800, 0xE000), 0xFEFF, 0xFFFE, 0xFFFF, 0x10FFFF]))
# Line breaks other than "\n", which PyYAML writes as they are; a string with one is left to it.
_OTHER_BREAKS = frozenset("\x85\u2028\u2029")
# Where libyaml's C emitter and PyYAML's choose different styles or escapes (so do characters past
# U+FFFD, which libyaml escapes): the importer hands libyaml only strings free of these.
UNALIKE = _ESCAPED | _OTHER_BREAKS
_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\x09": "t", "\x0A": "n", "\x0B": "v", "\x0C": "f",
            "\x0D": "r", "\x1B": "e", '"': '"', "\\": "\\"}

# PyYAML's implicit resolvers (``yaml/resolver.py``), copied as they are: a string one of them
# matches is not written plain, or it would read back as a boolean, number, null or date. The
# patterns of numbers and dates are compiled only when a string starts with a digit, sign or dot.
_BOOLS = frozenset([word for base in ("yes", "no", "true", "false", "on", "off")
                    for word in (base, base.capitalize(), base.upper())])
_OTHER_WORDS = frozenset(["~", "null", "Null", "NULL", "<<", "=", "!", "&", "*"])
_FLOAT = r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$'''
_INT = r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$'''
_TIMESTAMP = r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$'''
_NUMBER_START = frozenset("-+0123456789.")
_LEADING_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")


class _Unported(Exception):
    """The document needs a part of PyYAML's emitter that is not ported here."""


def dump(document: dict[str, Any]) -> str | None:
    """PyYAML's ``safe_dump(document, sort_keys=False, allow_unicode=True, width=100)``, or None.

    None means the document holds something this writer leaves to PyYAML (see the module's
    docstring); the text returned is always exactly PyYAML's.
    """
    if type(document) is not dict or not document:
        return None
    writer = _Writer()
    try:
        writer.node(document, in_mapping=False)
    except _Unported:
        return None
    writer.write_indent()
    return "".join(writer.parts)


def resolves_to_string(text: str) -> bool:
    """Whether PyYAML reads ``text``, written plain, back as the same string."""
    if not text:
        return False
    word = text[:-1] if text[-1] == "\n" else text  # the patterns' "$" also matches before a final "\n"
    if word in _BOOLS or word in _OTHER_WORDS:
        return False
    if text[0] not in _NUMBER_START:
        return True
    patterns = [_FLOAT, _INT] + ([_TIMESTAMP] if text[0].isdigit() else [])
    return not any(re.match(pattern, text, re.X) for pattern in patterns)


def _style(text: str, simple_key: bool) -> str:
    """The style PyYAML's ``choose_scalar_style`` picks for a non-empty string: plain, ' or "."""
    if not _OTHER_BREAKS.isdisjoint(text):
        raise _Unported
    multiline = "\n" in text
    if " \n" in text or "\n " in text or not _ESCAPED.isdisjoint(text):
        return '"'
    plain = not (
        multiline or text[0] == " " or text[-1] == " "
        or text.startswith(("---", "...")) or text[0] in _LEADING_INDICATORS
        or (text[0] in "?:-" and (len(text) == 1 or text[1] == " "))
        or ": " in text or text.endswith(":") or " #" in text)
    if plain and resolves_to_string(text):
        return ""
    return '"' if simple_key and multiline else "'"


class _Writer:
    """The part of PyYAML's ``Emitter`` a block-style document of plain values goes through."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent: int | None = None
        self.indents: list[int | None] = []
        self.seen: set[int] = set()

    def node(self, value: Any, in_mapping: bool, simple_key: bool = False) -> None:
        kind = type(value)
        if kind is dict or kind is list:
            if id(value) in self.seen:
                raise _Unported  # PyYAML would write an anchor and an alias
            self.seen.add(id(value))
            if not value:
                self.write_indicator("{" if kind is dict else "[", True, whitespace=True)
                self.write_indicator("}" if kind is dict else "]", False)
            elif kind is dict:
                self.block_mapping(value)
            else:
                self.block_sequence(value, indentless=in_mapping and not self.indention)
            return
        self.increase_indent(flow=True)
        if kind is str:
            self.string(value, simple_key)
        elif kind is bool:
            self.write_plain("true" if value else "false", split=False)
        elif kind is int:
            self.write_plain(str(value), split=False)
        elif value is None:
            self.write_plain("null", split=False)
        else:
            raise _Unported
        self.indent = self.indents.pop()

    def block_mapping(self, mapping: dict[Any, Any]) -> None:
        self.increase_indent(flow=False)
        for key, value in mapping.items():
            self.write_indent()
            if type(key) is not str or not key or "\n" in key or len(key) > _LONGEST_SIMPLE_KEY:
                raise _Unported  # PyYAML would write a complex key ("? key")
            self.node(key, in_mapping=True, simple_key=True)
            self.write_indicator(":", False)
            self.node(value, in_mapping=True)
        self.indent = self.indents.pop()

    def block_sequence(self, items: list[Any], indentless: bool) -> None:
        self.increase_indent(flow=False, indentless=indentless)
        for item in items:
            self.write_indent()
            self.write_indicator("-", True, indention=True)
            self.node(item, in_mapping=False)
        self.indent = self.indents.pop()

    def string(self, text: str, simple_key: bool) -> None:
        if not text:  # a value (an empty key was refused): PyYAML reads '' written plain as null
            self.write_single_quoted(text, split=True)
            return
        style = _style(text, simple_key)
        if style == "":
            self.write_plain(text, split=not simple_key)
        elif style == "'":
            self.write_single_quoted(text, split=not simple_key)
        else:
            self.write_double_quoted(text, split=not simple_key)

    def increase_indent(self, flow: bool, indentless: bool = False) -> None:
        self.indents.append(self.indent)
        if self.indent is None:
            self.indent = _INDENT if flow else 0
        elif not indentless:
            self.indent += _INDENT

    def write_indicator(self, indicator: str, need_whitespace: bool,
                        whitespace: bool = False, indention: bool = False) -> None:
        data = indicator if self.whitespace or not need_whitespace else " " + indicator
        self.whitespace = whitespace
        self.indention = self.indention and indention
        self.column += len(data)
        self.parts.append(data)

    def write_indent(self) -> None:
        indent = self.indent or 0
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.write_line_break()
        if self.column < indent:
            self.whitespace = True
            self.parts.append(" " * (indent - self.column))
            self.column = indent

    def write_line_break(self) -> None:
        self.whitespace = True
        self.indention = True
        self.column = 0
        self.parts.append("\n")

    def write_text(self, data: str) -> None:
        self.column += len(data)
        self.parts.append(data)

    def write_plain(self, text: str, split: bool) -> None:
        if not self.whitespace:
            self.write_text(" ")
        self.whitespace = False
        self.indention = False
        if " " not in text:
            self.write_text(text)
            return
        words = text.split(" ")
        self.write_text(words[0])
        index = 1
        while index < len(words):
            spaces = 1
            while words[index] == "" and index < len(words) - 1:
                spaces += 1
                index += 1
            if spaces == 1 and self.column > WIDTH and split:
                self.write_indent()
                self.whitespace = False
                self.indention = False
            else:
                self.write_text(" " * spaces)
            self.write_text(words[index])
            index += 1

    def write_single_quoted(self, text: str, split: bool) -> None:
        self.write_indicator("'", True)
        spaces = breaks = False
        start = end = 0
        while end <= len(text):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch != " ":
                    if start + 1 == end and self.column > WIDTH and split and start != 0 and end != len(text):
                        self.write_indent()
                    else:
                        self.write_text(text[start:end])
                    start = end
            elif breaks:
                if ch != "\n":
                    if text[start] == "\n":
                        self.write_line_break()
                    for _ in range(end - start):
                        self.write_line_break()
                    self.write_indent()
                    start = end
            elif (ch is None or ch in " \n'") and start < end:
                self.write_text(text[start:end])
                start = end
            if ch == "'":
                self.write_text("''")
                start = end + 1
            if ch is not None:
                spaces = ch == " "
                breaks = ch == "\n"
            end += 1
        self.write_indicator("'", False)

    def write_double_quoted(self, text: str, split: bool) -> None:
        self.write_indicator('"', True)
        start = end = 0
        while end <= len(text):
            ch = text[end] if end < len(text) else None
            if ch is None or ch in '"\\\n' or ch in _ESCAPED or ch > "\ufffd":
                if start < end:
                    self.write_text(text[start:end])
                    start = end
                if ch is not None:
                    code = ord(ch)
                    self.write_text("\\" + _ESCAPES[ch] if ch in _ESCAPES else
                                    f"\\x{code:02X}" if code <= 0xFF else
                                    f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
                    start = end + 1
            if (split and 0 < end < len(text) - 1 and (ch == " " or start >= end)
                    and self.column + (end - start) > WIDTH):
                self.write_text(text[start:end] + "\\")
                start = max(start, end)
                self.write_indent()
                self.whitespace = False
                self.indention = False
                if text[start] == " ":
                    self.write_text("\\")
            end += 1
        self.write_indicator('"', False)
