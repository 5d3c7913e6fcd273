"""Turn a ``View`` into text in one output format. Knows formats, not records or YAML.

A View carries two faces of the same answer: ``payload`` (plain data, for json/jsonl/yaml)
and ``columns``/``rows`` (text cells, for table/csv/tsv/markdown). Rich is imported only when
a table is drawn. Text from the dataset is never interpreted: no markup, no emoji codes, and
control characters are removed before anything reaches a terminal.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from mscli.model.labels import NOTICE, UNVERIFIED_COLUMN, UNVERIFIED_MARK, UNVERIFIED_SUFFIX
from mscli.output.terminal import Terminal, clean, has_unsafe

if TYPE_CHECKING:
    from mscli.output.charts import Chart

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    YAML = "yaml"
    MARKDOWN = "markdown"


class ReportFormat(StrEnum):
    """Formats of ``mscli report`` (written by ``report_format``; named here so the CLI can
    offer them without importing the writers at start-up)."""

    MARKDOWN = "markdown"
    HTML = "html"


# A view's text cells, or a function that builds them when a format first asks.
Rows = list[list[str]] | Callable[[], list[list[str]]]

# Formats meant for programs: always written as UTF-8, whatever the terminal's encoding.
MACHINE_FORMATS = frozenset({OutputFormat.JSON, OutputFormat.JSONL, OutputFormat.YAML, OutputFormat.CSV})


class View:
    """One answer, ready for any format.

    ``chart`` is drawn instead of the table on a terminal (other formats ignore it);
    ``labels`` maps a column to the human words for its slugs (``model.labels``): tables and
    Markdown show the words, CSV/TSV keep the slugs; ``short`` names columns that a table
    shortens (at a space, marked with an ellipsis) to at most so many
    characters, machine formats never; ``optional`` columns, first first, are left out of a
    table too narrow for them all (with a note), before it falls back to blocks. ``record_type`` is the schema type name
    (``mscli schema``) of each record of the payload, or of the payload itself for
    one record: its TypedDict gives the fields --fields offers.
    ``rows`` may be given as a function that builds them: it is called on first use, so JSON,
    JSON Lines and YAML, which read only the payload, never build a cell (at 100,000 trials the
    cells cost seconds). ``payload`` may be an iterator of records (a streamed listing, only for
    JSON and JSON Lines): it is read once, as it is written, and has no rows.
    Plain classes here and below: dataclasses cost start-up time on every run.
    """

    def __init__(self, payload: Any, columns: list[str], rows: Rows, title: str | None = None,
                 notes: list[str] | None = None, chart: Chart | None = None,
                 record_type: str | None = None, labels: dict[str, dict[str, str]] | None = None,
                 short: dict[str, int] | None = None, optional: list[str] | None = None) -> None:
        self.payload, self.columns, self.title = payload, columns, title
        self._rows = rows
        self.labels = labels if labels is not None else {}
        self.short = short if short is not None else {}
        self.optional = optional if optional is not None else []
        self.headless = False  # a detail view: a table shows no header and no row repeating the title
        self.notes = notes if notes is not None else []
        self.chart, self.record_type = chart, record_type
        self.emphasis: frozenset[str] = frozenset()  # word stems a table marks in bold (search)
        self.aside = False  # its notes go to stderr where the format has no room for them (csv, tsv)
        self.lines: Iterator[bytes] | None = None  # the payload's records as JSON lines (``line_view``)
        # Every float of a batch of the payload's records, for records holding nothing but str, int,
        # float, bool, None, lists and dicts (``jsontext.json_chunks``): search hits.
        self.floats: Callable[[list[Any]], Iterable[float]] | None = None

    @property
    def rows(self) -> list[list[str]]:
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows


def line_view(view_of: Callable[[Iterator[Any]], View], lines: Iterator[bytes]) -> View:
    """The view ``view_of`` makes of records already written as compact JSON lines (a store's):
    JSON Lines writes the lines as they come, JSON re-indents them a batch at a time; anything
    else that reads the payload parses them."""
    import json

    view = view_of(map(json.loads, lines))
    view.lines = lines
    return view


def render(view: View, fmt: OutputFormat | None, terminal: Terminal) -> str:
    """The full text of ``view`` in ``fmt``; None means table on a terminal, else plain TSV."""
    if fmt is None:
        if not terminal.is_tty:
            return _tsv(view, header=False)
        fmt = OutputFormat.TABLE
    if fmt is OutputFormat.TABLE and view.chart is not None:
        from mscli.output.charts import draw

        return draw(view.chart, terminal)
    if fmt in (OutputFormat.JSON, OutputFormat.JSONL):
        return b"".join(encoded(view, fmt)).decode("utf-8")
    if fmt is OutputFormat.YAML:
        return _yaml(view.payload)
    if fmt is OutputFormat.CSV:
        return _csv(view)
    if fmt is OutputFormat.TSV:
        return _tsv(view, header=True)
    if fmt is OutputFormat.MARKDOWN:
        return _markdown(view)
    return _table(view, terminal)


def encoded(view: View, fmt: OutputFormat) -> Iterator[bytes]:
    """``view`` in JSON or JSON Lines as UTF-8 pieces, to be written as they come: these formats
    are data for programs, so they skip the text sanitiser (their text has no raw control
    character to remove) and JSON Lines never holds more than one line."""
    from mscli.output.jsontext import escaped_lines, indented_lines, json_chunks, json_lines

    if fmt is OutputFormat.JSONL and view.lines is not None:
        yield from escaped_lines(view.lines)
    elif fmt is OutputFormat.JSONL:
        yield from json_lines(view.payload if isinstance(view.payload, (list, Iterator)) else [view.payload],
                              view.floats)
    else:
        yield from json_chunks(view.payload, floats=view.floats) if view.lines is None else indented_lines(view.lines)
        yield b"\n"


def _yaml(payload: Any) -> str:
    """YAML of a payload as JSON would see it: a str-valued enum (a pre-screen label) is its text.

    PyYAML's safe dumper matches types exactly, so a ``StrEnum`` it has no representer for
    would fail; a dumper that represents every ``str`` subclass as plain text fixes that in one place.
    """
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    _Dumper.add_multi_representer(str, yaml.SafeDumper.represent_str)
    text = str(yaml.dump(payload, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100))
    if has_unsafe(text):  # PyYAML writes C1 and bidi characters raw; escaped, they are harmless
        text = str(yaml.dump(payload, Dumper=_Dumper, allow_unicode=False, sort_keys=False, width=100))
    return text


def machine_table(view: View) -> tuple[list[str], list[list[str]]]:
    """Columns and rows for CSV/TSV: each cell a bare value, qualifiers in columns of their own.

    A table marks a value not yet checked against a source in its cell; a spreadsheet or a
    script needs the value alone, so the mark comes off and a listing of records that record
    such fields gains an ``unverified_fields`` column naming them (comma-separated).
    """
    records = view.payload if isinstance(view.payload, list) else None
    if records is None or len(records) != len(view.rows):
        return view.columns, view.rows
    rows = [[cell.removesuffix(UNVERIFIED_SUFFIX) for cell in row] for row in view.rows]
    if (UNVERIFIED_COLUMN in view.columns or "unverified" in view.columns
            or not any(isinstance(record, dict) and "unverified" in record for record in records)):
        return view.columns, rows
    return ([*view.columns, UNVERIFIED_COLUMN],
            [[*row, ",".join(record.get("unverified") or [])] for row, record in zip(rows, records, strict=True)])


def _csv(view: View) -> str:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns, rows = machine_table(view)
    writer.writerow([clean(column) for column in columns])
    for row in rows:
        writer.writerow(["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in map(clean, row)])
    return buffer.getvalue()


def _tsv_cell(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return clean(text)


def _tsv(view: View, header: bool) -> str:
    columns, rows = machine_table(view)
    lines = ["\t".join(_tsv_cell(c) for c in columns)] if header else []
    lines += ["\t".join(_tsv_cell(cell) for cell in row) for row in rows]
    return "".join(line + "\n" for line in lines)


def human_rows(view: View) -> list[list[str]]:
    """The rows with each labelled column's slugs in words (for people; machines get slugs)."""
    maps = [view.labels.get(column) for column in view.columns]
    limits = [view.short.get(column) for column in view.columns]
    if not any(maps) and not any(limits):
        return view.rows
    return [[_shorten(_label(cell, labels) if labels else cell, limit)
             for cell, labels, limit in zip(row, maps, limits, strict=True)] for row in view.rows]


def _shorten(cell: str, limit: int | None) -> str:
    if limit is None or len(cell) <= limit:
        return cell
    cut = cell[:limit].rsplit(" ", 1)[0].rstrip(" ,:;-")
    return (cut or cell[:limit]) + "…"


def _label(cell: str, labels: dict[str, str]) -> str:
    """The words for ``cell``'s slug, keeping a qualifier after it ("completed (unverified)")."""
    head, gap, tail = cell.partition(" (")
    return labels[head] + gap + tail if head in labels else cell


def _markdown(view: View) -> str:
    def cell(text: str) -> str:
        escaped = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return escaped.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")

    lines = [f"## {cell(view.title)}", ""] if view.title else []
    lines.append("| " + " | ".join(cell(c) for c in view.columns) + " |")
    lines.append("|" + "|".join("---" for _ in view.columns) + "|")
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in human_rows(view)]
    lines += ["", *(f"_{cell(note)}_" for note in view.notes), f"_{NOTICE}_"]
    return "\n".join(lines) + "\n"


def _table(view: View, terminal: Terminal) -> str:
    from mscli.output.layout import GAP, blocks, cell_width, fits, grid, wrap

    width = max(terminal.width, 20)

    def styled(line: str, code: str) -> str:
        return f"\x1b[{code}m{line}\x1b[0m" if terminal.color and line else line

    lines = [styled(line, "1") for line in wrap(clean(view.title), width)] if view.title else []
    columns = [clean(column) for column in view.columns]
    cells = [[clean(cell).replace(UNVERIFIED_SUFFIX, UNVERIFIED_MARK) for cell in row] for row in human_rows(view)]
    marks = any(UNVERIFIED_MARK in cell for row in cells for cell in row)
    hidden: list[str] = []
    for name in view.optional:
        if not cells or fits(columns, cells, width) or name not in columns:
            break
        index = columns.index(name)
        hidden.append(name)
        columns = columns[:index] + columns[index + 1:]
        cells = [row[:index] + row[index + 1:] for row in cells]
    if hidden and not fits(columns, cells, width):
        columns = [clean(column) for column in view.columns]
        cells = [[clean(cell).replace(UNVERIFIED_SUFFIX, UNVERIFIED_MARK) for cell in row]
                 for row in human_rows(view)]
        hidden = []
    if cells and view.headless:
        cells = [row for row in cells
                 if row[0] not in ("title", "name", "term") or not view.title or row[1] not in view.title]
        label = max(cell_width(row[0]) for row in cells) + len(GAP) if cells else 0
        detail = blocks([row[0] for row in cells], [[row[1] for row in cells]], width)
        lines += [styled(line[:label], "1") + line[label:] for record in detail for line in record]
    elif cells and not fits(columns, cells, width):
        label = max(cell_width(column) for column in columns) + len(GAP)
        for number, block in enumerate(blocks(columns, cells, width)):
            lines += ([""] if number or view.title else []) + [
                styled(line[:label], "1") + line[label:] for line in block]
        lines.append("")
    elif cells:
        header, rows = grid(columns, cells, width, "─" if terminal.unicode else "-")
        lines += [styled(line, "1") for line in header[:-1]] + header[-1:]
        lines += [line for row in rows for line in row]
    else:
        lines.append("No results.")
    if hidden:
        view.notes = [f"Not shown at this width: {', '.join(hidden)} (a wider terminal or --format csv "
                      "shows them).", *view.notes]
    if marks:
        view.notes = [*view.notes, f"{UNVERIFIED_MARK.strip()} not yet checked against a source (unverified)."]
    if view.emphasis and terminal.color:
        start = 1 + len(wrap(clean(view.title), width)) if view.title else 0
        lines[start:] = [_embolden(line, view.emphasis) for line in lines[start:]]
    for note in [*view.notes, NOTICE]:
        lines += [styled(line, "2") for line in wrap(clean(note), width)]
    return "\n".join(lines) + "\n"


def _embolden(line: str, stems: frozenset[str]) -> str:
    """``line`` with each word whose stem is in ``stems`` in bold (the words a search matched)."""
    import re

    from mscli.model.wordforms import stem

    return re.sub(r"\w+", lambda word: f"\x1b[1m{word.group(0)}\x1b[22m"
                  if stem(word.group(0).lower()) in stems else word.group(0), line)
