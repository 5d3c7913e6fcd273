"""Turn untrusted YAML bytes into plain Python values, refusing what a dataset never needs.

PyYAML's safe loader still accepts alias bombs, unbounded nesting and duplicate keys (last one
wins silently), and turns unquoted dates into ``datetime.date``. So we first walk the event
stream (aliases and deep nesting are refused there, before the recursive composer could blow
up), then let PyYAML compose a node tree (libyaml's C parser when present) and build the values
ourselves: tags, duplicate and non-string keys become located errors, and dates stay strings so
the validator can check them.
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


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def parse(text: str) -> Any:
    """Parse one YAML document into dicts (MarkedDict), lists and scalars.

    Callers bound the size of ``text`` (see ``dataset.MAX_FILE_BYTES``).
    """
    loader = _DatasetLoader(text)
    try:
        try:
            _check_events(loader)
            loader.dispose()
            loader = _DatasetLoader(text)
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = int(mark.line) + 1 if mark is not None else None
            reason = error.problem or error.context or "invalid YAML"
            if "expected a single document" in str(error.context or ""):
                reason = "a second YAML document ('---') is not allowed; use one mapping per file"
            if line is not None and _starts_with_tab(text, line):
                reason = "tab character used for indentation; indent with spaces"
            raise YamlProblem(f"YAML syntax error: {reason}", line) from None
        except yaml.YAMLError as error:
            raise YamlProblem(f"not readable as YAML: {error}".splitlines()[0]) from None
        if node is None:
            return None
        return _Builder(loader).build(node)
    finally:
        loader.dispose()


def _check_events(loader: Any) -> None:
    """Refuse aliases and deep nesting from the event stream, before anything is composed.

    libyaml's parser is iterative but composing is recursive, so a file nested a hundred
    thousand levels deep would crash the composer; the event stream is safe to walk.
    """
    depth = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem("YAML anchors and aliases (&, *) are not allowed", _event_line(event))
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_EXPLICIT_TAGS:
            # ``!!bool maybe`` or ``!!int ''`` would reach constructors that crash on them; data
            # never needs a tag, so any explicit one but ``!!str`` (and the non-specific ``!``) is refused.
            raise YamlProblem(f"explicit YAML tag {tag!r} is not allowed; remove it (quote text instead)",
                              _event_line(event))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", _event_line(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _event_line(event: yaml.Event) -> int | None:
    return int(event.start_mark.line) + 1 if event.start_mark is not None else None


def _starts_with_tab(text: str, line: int) -> bool:
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    return "\t" in indent


class _Builder:
    """Builds values from a node tree already checked by ``_check_events`` (no aliases, shallow)."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise YamlProblem(f"tag {node.tag!r} is not allowed", _line(node))
            return [self.build(child) for child in node.value]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode) -> MarkedDict:
        if node.tag != "tag:yaml.org,2002:map":
            raise YamlProblem(f"tag {node.tag!r} is not allowed", _line(node))
        result = MarkedDict()
        result.line = _line(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem("merge keys (<<) are not allowed", _line(key_node))
            key = self.build(key_node)
            if not isinstance(key, str):
                raise YamlProblem(
                    f"key {key!r} is not text (YAML read it as {type(key).__name__}); quote it",
                    _line(key_node),
                )
            if key in result:
                raise YamlProblem(
                    f"duplicate key {key!r} (lines {result.key_lines[key]} and {_line(key_node)})",
                    _line(key_node),
                )
            result.key_lines[key] = _line(key_node)
            result[key] = self.build(value_node)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(f"tag {node.tag!r} is not allowed", _line(node))
        if len(node.value) > _MAX_NUMBER_TEXT and node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            raise YamlProblem(f"bad value {node.value[:20]!r}...: number too long", _line(node))
        try:
            value = self.loader.construct_object(node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, yaml.YAMLError) as error:
            raise YamlProblem(f"bad value {node.value[:80]!r}: {error}", _line(node)) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise YamlProblem(f"{node.value[:80]!r} is not a finite number", _line(node))
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            raise YamlProblem(f"bad value {node.value[:40]!r}: number out of range (at most {MAX_INTEGER})",
                              _line(node))
        return value
