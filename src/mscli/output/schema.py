"""JSON Schema (draft 2020-12) for mscli's records, generated from their TypedDicts.

The schema is read from the same type hints the validator reads (``validate.fields_of``), so
the YAML checks, the ``--fields`` lists and the published schema cannot disagree. Two readings
of a TypedDict exist: the dataset files honour ``NotRequired`` (a field may be left out), while
everything mscli writes is normalised, so there every field is required and optional ones may
be ``null`` (or ``[]`` for lists).
"""

from __future__ import annotations

import typing
from enum import StrEnum
from typing import Any, get_args, get_origin

from mscli.errors import NotFoundError
from mscli.model.fields import fields_of
from mscli.model.outputs import SCHEMA_TYPES, SCHEMA_VERSION

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def names() -> list[str]:
    return list(SCHEMA_TYPES)


def schema_for(name: str) -> dict[str, Any]:
    """The schema document of one type; ``NotFoundError`` naming the types for an unknown one."""
    if name not in SCHEMA_TYPES:
        from mscli.errors import unknown
        from mscli.queries.suggestions import suggest

        raise NotFoundError(unknown("schema type", name, suggest(name, SCHEMA_TYPES),
                                    f"types: {', '.join(SCHEMA_TYPES)}"))
    record_type, description, emitted_by = SCHEMA_TYPES[name]
    output = name != "dataset"
    defs: dict[str, Any] = {}
    root = _object(record_type, output, defs)
    if not output:
        # A dataset may be split across files, each holding some of the collections.
        root.pop("required", None)
    defs.pop(record_type.__name__, None)
    document: dict[str, Any] = {
        "$schema": DIALECT,
        "title": name,
        "description": f"{description}. Written by: mscli {emitted_by}." if output else f"{description}.",
        "x-schema-version": SCHEMA_VERSION,
        **root,
    }
    if defs:
        document["$defs"] = dict(sorted(defs.items()))
    return document


def _object(record_type: type, output: bool, defs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in fields_of(record_type):
        is_list = get_origin(spec.kind) is list
        nullable = spec.nullable or (not spec.required and not (output and is_list))
        kind = _kind(spec.kind, output, defs)
        if spec.shorthand is not None and not output:
            # Dataset files may write a text for a list of one, and a text for any item.
            kind = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"anyOf": [
                {"type": "string"}, kind["items"]]}}]}
        properties[spec.name] = _nullable(kind) if nullable else kind
        if spec.required or output:
            required.append(spec.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _kind(kind: Any, output: bool, defs: dict[str, Any]) -> dict[str, Any]:
    if kind in _SCALARS:
        return {"type": _SCALARS[kind]}
    if kind is Any:
        return {}
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return {"type": "string", "enum": [member.value for member in kind]}
    if get_origin(kind) is list:
        return {"type": "array", "items": _kind(get_args(kind)[0], output, defs)}
    if get_origin(kind) is dict:
        return {"type": "object", "additionalProperties": _kind(get_args(kind)[1], output, defs)}
    if isinstance(kind, type) and typing.is_typeddict(kind):
        name = kind.__name__
        if name not in defs:
            defs[name] = {}  # reserve first: a type may refer to itself
            defs[name] = _object(kind, output, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {kind!r}")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if set(schema) == {"type"} and isinstance(schema["type"], str):
        return {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}
