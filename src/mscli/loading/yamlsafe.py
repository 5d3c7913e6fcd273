"""Turn untrusted YAML bytes into plain Python values, refusing what a dataset never needs.

PyYAML's safe loader still accepts alias bombs, unbounded nesting and duplicate keys (last one
wins silently), and turns unquoted dates into ``datetime.date``. So we build the values
ourselves in one pass over libyaml's event stream (no node tree, which cost more than the
parsing): aliases, tags and deep nesting are refused at the event that brings them, duplicate
and non-string keys become located errors, and dates stay strings so the validator can check
them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

MAX_DEPTH = 32

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DatasetLoader(_Loader):  # type: ignore[misc]
    """Safe loader without the implicit timestamp resolver: dates stay text."""


_DatasetLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


_ALLOWED_EXPLICIT_TAGS = frozenset({"!", "tag:yaml.org,2002:str"})
# Every number in the data (years, ages, counts) is far below this; bigger ones are mistakes
# that would only overflow or slow whatever computes with them.
MAX_INTEGER = 2**53
_MAX_NUMBER_TEXT = 40


class MarkedDict(dict[str, Any]):
    """A mapping that remembers the line of each key, for error messages."""

    line: int
    key_lines: dict[str, int]


@dataclass
class YamlProblem(Exception):
    """A located problem in the YAML text itself."""

    message: str
    line: int | None = None


def parse(text: str) -> Any:
    """Parse one YAML document into dicts (MarkedDict), lists and scalars.

    Callers bound the size of ``text`` (see ``dataset.MAX_FILE_BYTES``).
    """
    parser = _Parser(text)
    try:
        try:
            return _Builder(parser).document()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = int(mark.line) + 1 if mark is not None else None
            reason = error.problem or error.context or "invalid YAML"
            if line is not None and _starts_with_tab(text, line):
                reason = "tab character used for indentation; indent with spaces"
            raise YamlProblem(f"YAML syntax error: {reason}", line) from None
        except yaml.YAMLError as error:
            raise YamlProblem(f"not readable as YAML: {error}".splitlines()[0]) from None
    finally:
        parser.dispose()


def parse_quick(text: str) -> Any | None:
    """The values of one YAML document, fast; None where only ``parse`` may decide.

    Only the top-level mapping (the line of each key) and the records in its lists (their own
    line) are ``MarkedDict``; deeper mappings are plain dicts without lines, which is all that
    valid records need (``forms.check_text`` reads a file again with ``parse`` when any record
    fails). Everything ``parse`` refuses makes this None, before anything deeper is read.
    """
    parser = _Parser(text)
    try:
        return _QuickBuilder(parser).document()
    except (YamlProblem, yaml.YAMLError):
        return None
    finally:
        parser.dispose()


def _event_line(event: yaml.Event) -> int | None:
    return int(event.start_mark.line) + 1 if event.start_mark is not None else None


def _starts_with_tab(text: str, line: int) -> bool:
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    return "\t" in indent


_Parser: type[Any]
try:
    from yaml._yaml import CParser as _Parser  # libyaml's event parser, without the composer
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = _DatasetLoader

_RESOLVERS = _DatasetLoader.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_UNSEEN: Any = object()
_REMEMBERED_LENGTH = 64


class _Builder:
    """Builds values straight from libyaml's events in one pass, refusing as it goes.

    Aliases, explicit tags and nesting deeper than ``MAX_DEPTH`` are refused at the event
    that brings them, before anything deeper is read, so recursion here is bounded; duplicate
    and non-text keys, merge keys and bad numbers are refused as their values are built.
    Plain scalars are resolved by PyYAML's own implicit resolvers (less the timestamp one),
    so values are exactly what its safe loader would give.
    """

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.depth = 0
        # What each short plain scalar resolved to: keys, vocabulary words, dates and numbers
        # recur thousands of times, and a lookup costs far less than the resolvers (and the
        # values are then shared, not copied per record).
        self.resolved: dict[str, Any] = {}

    def document(self) -> Any:
        get = self.parser.get_event
        get()  # stream start
        if isinstance(self.parser.peek_event(), yaml.StreamEndEvent):
            return None
        get()  # document start
        value = self.value(get())
        get()  # document end
        following = get()
        if not isinstance(following, yaml.StreamEndEvent):
            raise YamlProblem("YAML syntax error: a second YAML document ('---') is not allowed; "
                              "use one mapping per file", _event_line(following))
        return value

    def value(self, event: Any) -> Any:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return self._scalar(event)
        if kind is yaml.AliasEvent:
            raise YamlProblem("YAML anchors and aliases (&, *) are not allowed", _event_line(event))
        tag = event.tag
        if tag is not None and tag != "!":
            self._refuse_tag(event)
            raise YamlProblem(f"tag {tag!r} is not allowed", _event_line(event))
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", _event_line(event))
        result = self._mapping(event) if kind is yaml.MappingStartEvent else self._sequence()
        self.depth -= 1
        return result

    def _sequence(self) -> list[Any]:
        get, items = self.parser.get_event, []
        event = get()
        while type(event) is not yaml.SequenceEndEvent:
            items.append(self.value(event))
            event = get()
        return items

    def _mapping(self, start: Any) -> dict[str, Any]:
        get = self.parser.get_event
        result = MarkedDict()
        result.line = start.start_mark.line + 1
        key_lines: dict[str, int] = {}
        result.key_lines = key_lines
        event = get()
        while type(event) is not yaml.MappingEndEvent:
            line = event.start_mark.line + 1
            if type(event) is yaml.ScalarEvent and event.tag is None and event.implicit[0] and event.value == "<<":
                raise YamlProblem("merge keys (<<) are not allowed", line)
            key = self.value(event)
            if not isinstance(key, str):
                raise YamlProblem(f"key {key!r} is not text (YAML read it as {type(key).__name__}); quote it", line)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r} (lines {key_lines[key]} and {line})", line)
            key_lines[key] = line
            result[key] = self.value(get())
            event = get()
        return result

    def _refuse_tag(self, event: Any) -> None:
        if event.tag not in _ALLOWED_EXPLICIT_TAGS:
            # ``!!bool maybe`` or ``!!int ''`` would reach constructors that crash on them; data
            # never needs a tag, so any explicit one but ``!!str`` (and the non-specific ``!``) is refused.
            raise YamlProblem(f"explicit YAML tag {event.tag!r} is not allowed; remove it (quote text instead)",
                              _event_line(event))

    def _scalar(self, event: Any) -> Any:
        value: str = event.value
        if event.tag is not None and event.tag != "!":
            self._refuse_tag(event)
            return value
        if not event.implicit[0]:
            return value
        known = self.resolved.get(value, _UNSEEN)
        if known is not _UNSEEN:
            return known
        built = self._resolve(event, value)
        if len(value) <= _REMEMBERED_LENGTH:
            self.resolved[value] = built
        return built

    def _resolve(self, event: Any, value: str) -> Any:
        """The value of a plain scalar, as PyYAML's resolvers (less timestamps) read it."""
        tag = next((tag for tag, pattern in _RESOLVERS.get(value[:1], ()) if pattern.match(value)), None)
        if tag is None:
            return value
        line = event.start_mark.line + 1
        if tag not in _SCALAR_TAGS:
            raise YamlProblem(f"tag {tag!r} is not allowed", line)
        if len(value) > _MAX_NUMBER_TEXT and tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            raise YamlProblem(f"bad value {value[:20]!r}...: number too long", line)
        try:
            built = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, yaml.YAMLError) as error:
            raise YamlProblem(f"bad value {value[:80]!r}: {error}", line) from None
        if isinstance(built, float) and not math.isfinite(built):
            raise YamlProblem(f"{value[:80]!r} is not a finite number", line)
        if isinstance(built, int) and not isinstance(built, bool) and abs(built) > MAX_INTEGER:
            raise YamlProblem(f"bad value {value[:40]!r}: number out of range (at most {MAX_INTEGER})", line)
        return built


class _QuickBuilder(_Builder):
    """``_Builder`` without the lines of nested keys, for the files that turn out valid.

    Reading the lines costs two attribute lookups and a dict entry a key, and the calls through
    ``value`` and ``_scalar`` a scalar; here a plain scalar already resolved (most of them:
    keys, vocabulary words, dates) is taken from the builder's table inline. Any refusal raises
    ``YamlProblem`` (for ``parse_quick``), whose wording does not matter: ``parse`` words it.
    """

    def _mapping(self, start: Any) -> dict[str, Any]:
        if self.depth == 1:  # the top level: the line of each key, for ``check_file``
            return super()._mapping(start)
        result: dict[str, Any] = {}
        if self.depth == _RECORD_DEPTH:
            result = MarkedDict()
            result.line = start.start_mark.line + 1
        get, resolved, scalar, value = self.parser.get_event, self.resolved, self._scalar, self.value
        event = get()
        while (kind := type(event)) is not yaml.MappingEndEvent:
            if kind is yaml.ScalarEvent and event.tag is None and event.implicit[0]:
                key = resolved.get(event.value, _UNSEEN)
                if key is _UNSEEN:
                    if event.value == "<<":
                        raise YamlProblem("merge key")
                    key = scalar(event)
            else:
                key = value(event)
            if type(key) is not str or key in result:
                raise YamlProblem("key not text, or twice")
            event = get()
            if type(event) is yaml.ScalarEvent and event.tag is None and event.implicit[0]:
                found = resolved.get(event.value, _UNSEEN)
                result[key] = scalar(event) if found is _UNSEEN else found
            else:
                result[key] = value(event)
            event = get()
        return result

    def _sequence(self) -> list[Any]:
        get, resolved, scalar, value = self.parser.get_event, self.resolved, self._scalar, self.value
        items: list[Any] = []
        event = get()
        while (kind := type(event)) is not yaml.SequenceEndEvent:
            if kind is yaml.ScalarEvent and event.tag is None and event.implicit[0]:
                found = resolved.get(event.value, _UNSEEN)
                items.append(scalar(event) if found is _UNSEEN else found)
            else:
                items.append(value(event))
            event = get()
        return items


# A record is a mapping in a list under a top-level key: the third level down.
_RECORD_DEPTH = 3
