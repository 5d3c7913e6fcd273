"""The forms a data file may take, YAML or JSON, told apart by the file's name.

YAML is the form people edit by hand; the JSON form (``NAME.json``, the same top-level mapping)
is for large imported files, which CPython's C scanner reads several times faster than
libyaml's events can be turned into values. Both give the same values and the same refusals,
so everything after parsing is shared.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mscli.errors import DatasetError, Problem

DATA_SUFFIXES = (".yaml", ".yml", ".json")


class DataFile(NamedTuple):
    """One data file of a dataset (YAML or its JSON form): its name for messages, and its bytes."""

    name: str
    content: bytes


def is_json(name: str) -> bool:
    """Whether a data file is in the JSON form (by its name, as the listing finds it)."""
    return name.endswith(".json")


def parse_text(name: str, text: str) -> Any:
    """The values of one data file's text, by the parser its form needs (raises ``YamlProblem``).

    Mappings are ``MarkedDict`` with the line of every key, in either form.
    """
    if is_json(name):
        from mscli.loading import jsonsafe

        return jsonsafe.parse(text)
    from mscli.loading.yamlsafe import parse

    return parse(text)


def check_text(name: str, text: str, problems: list[Problem]) -> dict[str, list[Any]]:
    """One file's valid records by collection (see ``validate.check_file``); problems go to ``problems``.

    A file is read first by its form's fast path (``jsonsafe.parse_quick``,
    ``yamlsafe.parse_quick``), which locates only records. When that path doubts the text, or
    any record of the file fails its check, the file is read again by the located reader and
    checked again, so that every problem names its line and field exactly, and what the JSON
    fast path let through unchecked (nesting deeper than ``MAX_DEPTH``) is refused. Raises
    ``YamlProblem``.
    """
    from mscli.loading.validate import check_file

    if is_json(name):
        from mscli.loading.jsonsafe import parse_quick
    else:
        from mscli.loading.yamlsafe import parse_quick
    quick = parse_quick(text)
    if quick is not None:
        found: list[Problem] = []
        collections = check_file(name, quick, found)
        if not found:
            return collections
    return check_file(name, parse_text(name, text), problems)


def decode(file: DataFile) -> str:
    """UTF-8 text of a file, with a located error for a BOM or bytes that are not UTF-8."""
    if file.content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise DatasetError([Problem(file.name, "starts with a byte-order mark; save as UTF-8 without BOM", 1)])
    try:
        return file.content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = file.content[: error.start].count(b"\n") + 1
        raise DatasetError([Problem(file.name, f"not valid UTF-8 (byte {error.start})", line)]) from None


def valid_records(file: DataFile) -> dict[str, list[Any]] | None:
    """A file's valid records by collection as ``dataset.check`` finds them; None when it has
    any problem (``dataset.check`` then says which). The first load's yes/no, which a worker
    process may answer for a file (``searchside``): it needs nothing but the file."""
    from mscli.loading.yamlsafe import YamlProblem

    problems: list[Problem] = []
    try:
        text = decode(file)
        empty = all(line.lstrip().startswith("#") or not line.strip() for line in text.splitlines())
        collections = check_text(file.name, text, problems) if text.strip() and not empty else None
    except (DatasetError, YamlProblem):
        return None
    return None if problems else collections
