"""The fields of each record type, read from the TypedDicts of ``records``: the model is the
schema, for the validator, ``mscli schema`` and ``--fields`` alike."""

import types
import typing
from functools import cache
from typing import Annotated, Any, NotRequired, get_args, get_origin


class Shorthand(typing.NamedTuple):
    """Marks a list of records that the dataset files may write short, for editors' ease: one
    text for a list of one record, and a text in place of any record, filling its field
    ``fills``. Loading expands it (``expand``), so everything past loading sees only records."""

    fills: str


class FieldSpec(typing.NamedTuple):
    name: str
    kind: Any  # str, int, float, bool, an enum, a TypedDict, or ("list", FieldSpec-kind)
    required: bool
    nullable: bool
    shorthand: Shorthand | None = None


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
        shorthand = None
        if get_origin(hint) is Annotated:
            shorthand = next((mark for mark in hint.__metadata__ if isinstance(mark, Shorthand)), None)
            hint = hint.__origin__
        nullable = False
        if get_origin(hint) in (typing.Union, types.UnionType):
            options = [a for a in get_args(hint) if a is not type(None)]
            nullable = len(options) < len(get_args(hint))
            hint = options[0]
        specs.append(FieldSpec(name, hint, required, nullable, shorthand))
    return tuple(specs)


def field_names(record_type: type) -> frozenset[str]:
    return frozenset(spec.name for spec in fields_of(record_type))


def expand(shorthand: Shorthand, value: Any) -> Any:
    """A value as written in a dataset file, with its short forms made records; any other value
    is returned as it is, for the type check to judge. The quick and the precise check both call
    this, so they read the short forms alike."""
    if isinstance(value, str):
        return [{shorthand.fills: value}]
    if isinstance(value, list):
        return [{shorthand.fills: item} if isinstance(item, str) else item for item in value]
    return value
