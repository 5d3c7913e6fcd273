"""The fields of each record type, read from the TypedDicts of ``records``: the model is the
schema, for the validator, ``mscli schema`` and ``--fields`` alike."""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Any, NotRequired, get_args, get_origin


class FieldSpec(typing.NamedTuple):
    name: str
    kind: Any  # str, int, float, bool, an enum, a TypedDict, or ("list", FieldSpec-kind)
    required: bool
    nullable: bool


@cache
def fields_of(record_type: type) -> tuple[FieldSpec, ...]:
    """The fields of a TypedDict, read from its annotations (the model is the schema)."""
    hints = typing.get_type_hints(record_type, include_extras=True)
    specs = []
    for name, hint in hints.items():
        required = True
        if get_origin(hint) is NotRequired:
            required = False
            hint = get_args(hint)[0]
        nullable = False
        if get_origin(hint) in (typing.Union, types.UnionType):
            options = [a for a in get_args(hint) if a is not type(None)]
            nullable = len(options) < len(get_args(hint))
            hint = options[0]
        specs.append(FieldSpec(name, hint, required, nullable))
    return tuple(specs)


def field_names(record_type: type) -> frozenset[str]:
    return frozenset(spec.name for spec in fields_of(record_type))
