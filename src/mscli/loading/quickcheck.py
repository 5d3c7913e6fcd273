"""A fast yes/no check of one record, generated once per record type from the model.

The precise validator (``validate._Checker``) walks the type hints of every field of every
record, builds a field path for each value and collects messages: right for a record with
mistakes, but it costs a quarter of a cold load when nearly every record is valid. So for
each TypedDict this module writes one plain Python function from the same ``fields_of`` specs
the precise validator reads (no second copy of the schema): it tests every field inline and
returns the record normalised exactly as the precise one would (every optional field present,
model order, whole numbers in float fields as floats), or None at the first thing wrong. Only
for a None does the caller run the precise validator, which then finds and words every problem.

The generated checks follow the precise validator's order of cases (list, record, vocabulary,
true/false, whole number, number, text); ``tests/test_quickcheck.py`` checks on mutated
records that the two agree on which records are valid and on what a valid one becomes.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from enum import StrEnum
from functools import cache, partial
from typing import Any, get_args, get_origin

from mscli.model.fields import expand, fields_of

Check = Callable[[Any], Any]


@cache
def checker(record_type: type) -> Check:
    """The function that returns ``record_type``'s record normalised, or None if it is not valid."""
    return _Compiler().record(record_type)


class _Compiler:
    """Writes the source of one record type's check; constants it needs go in ``names``."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}
        self.depth = 0

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.names)}"
        self.names[name] = value
        return name

    def record(self, record_type: type) -> Check:
        specs = fields_of(record_type)
        known = self.constant(frozenset(spec.name for spec in specs))
        lines = ["def check(data):",
                 f"    if not isinstance(data, dict) or not data.keys() <= {known}:",
                 "        return None",
                 "    get = data.get"]
        for number, spec in enumerate(specs):
            out = f"f{number}"
            empty = "[]" if _is_list(spec.kind) else "None"
            lines.append(f"    {out} = get({spec.name!r})")
            lines.append(f"    if {out} is None:")
            if not spec.required:
                lines.append(f"        {out} = {empty}")
            elif spec.nullable:
                lines += [f"        if {spec.name!r} not in data:", "            return None",
                          f"        {out} = {empty}"]
            else:
                lines.append("        return None")
            lines.append("    else:")
            if spec.shorthand is not None:
                lines.append(f"        {out} = {self.constant(partial(expand, spec.shorthand))}({out})")
            lines += ["        " + line for line in self.value(spec.kind, out)]
        fields = ", ".join(f"{spec.name!r}: f{number}" for number, spec in enumerate(specs))
        lines.append(f"    return {{{fields}}}")
        namespace = dict(self.names)
        exec("\n".join(lines), namespace)  # noqa: S102 - source built here from the model's own types
        check: Check = namespace["check"]
        check.__qualname__ = f"check_{record_type.__name__}"
        return check

    def value(self, kind: Any, name: str) -> list[str]:
        """Lines that test ``name`` against ``kind`` (returning None if it fails) and leave the
        normalised value in ``name``."""
        if get_origin(kind) is list:
            item_kind = get_args(kind)[0]
            lines = [f"if not isinstance({name}, list):", "    return None"]
            test = self.test(item_kind, "item")
            if test is not None:  # items of text, numbers or a vocabulary: test them in one loop
                lines += [f"for item in {name}:", f"    if {test}:", "        return None"]
                return lines + [f"{name} = [float(item) for item in {name}]" if item_kind is float
                                else f"{name} = list({name})"]
            self.depth += 1
            item, items = f"item{self.depth}", f"items{self.depth}"
            return lines + [f"{items} = []", f"for {item} in {name}:",
                            *("    " + line for line in self.value(item_kind, item)),
                            f"    {items}.append({item})", f"{name} = {items}"]
        if _is_record(kind):
            return [f"{name} = {self.constant(checker(kind))}({name})", f"if {name} is None:", "    return None"]
        lines = [f"if {self.test(kind, name)}:", "    return None"]
        return lines + [f"{name} = float({name})"] if kind is float else lines

    def test(self, kind: Any, name: str) -> str | None:
        """An expression true when ``name`` is not a valid ``kind`` (None for lists and records)."""
        if get_origin(kind) is list or _is_record(kind):
            return None
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            allowed = self.constant(frozenset(member.value for member in kind))
            return f"not isinstance({name}, str) or {name} not in {allowed}"
        if kind is bool:
            return f"{name} is not True and {name} is not False"
        if kind is int:
            return f"not isinstance({name}, int) or {name} is True or {name} is False"
        if kind is float:
            return f"not isinstance({name}, (int, float)) or {name} is True or {name} is False"
        return f"not isinstance({name}, str) or not {name} or {name}.isspace()"


def _is_list(kind: Any) -> bool:
    return get_origin(kind) is list


def _is_record(kind: Any) -> bool:
    return isinstance(kind, type) and typing.is_typeddict(kind)
