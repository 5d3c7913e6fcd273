"""Turn a ``View`` into text in one output format. Knows formats, not records or YAML.

A View carries two faces of the same answer: ``payload`` (plain data, for json/jsonl/yaml)
and ``columns``/``rows`` (text cells, for table/csv/tsv/markdown). Rich is imported only when
a table is drawn. Text from the dataset is never interpreted: no markup, no emoji codes, and
control characters are removed before anything reaches a terminal.
"""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from mscli.model.labels import NOTICE
from mscli.output.terminal import Terminal, clean, escape_json, has_unsafe

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


# Formats meant for programs: always written as UTF-8, whatever the terminal's encoding.
MACHINE_FORMATS = frozenset({OutputFormat.JSON, OutputFormat.JSONL, OutputFormat.YAML, OutputFormat.CSV})


class View:
    """One answer, ready for any format.

    ``chart`` is drawn instead of the table on a terminal (other formats ignore it);
    ``record_type`` is the schema type name (``mscli schema``) of each record of the payload,
    or of the payload itself for one record: its TypedDict gives the fields --fields offers.
    Plain classes here and below: dataclasses cost start-up time on every run.
    """

    def __init__(self, payload: Any, columns: list[str], rows: list[list[str]], title: str | None = None,
                 notes: list[str] | None = None, chart: Chart | None = None,
                 record_type: str | None = None) -> None:
        self.payload, self.columns, self.rows, self.title = payload, columns, rows, title
        self.notes = notes if notes is not None else []
        self.chart, self.record_type = chart, record_type


def render(view: View, fmt: OutputFormat | None, terminal: Terminal) -> str:
    """The full text of ``view`` in ``fmt``; None means table on a terminal, else plain TSV."""
    if fmt is None:
        if not terminal.is_tty:
            return _tsv(view, header=False)
        fmt = OutputFormat.TABLE
    if fmt is OutputFormat.TABLE and view.chart is not None:
        from mscli.output.charts import draw

        return draw(view.chart, terminal)
    if fmt is OutputFormat.JSON:
        return to_json(view.payload) + "\n"
    if fmt is OutputFormat.JSONL:
        items = view.payload if isinstance(view.payload, list) else [view.payload]
        return "".join(to_json(item, indent=None) + "\n" for item in items)
    if fmt is OutputFormat.YAML:
        import yaml

        text = str(yaml.safe_dump(view.payload, allow_unicode=True, sort_keys=False, width=100))
        if has_unsafe(text):  # PyYAML writes C1 and bidi characters raw; escaped, they are harmless
            text = str(yaml.safe_dump(view.payload, allow_unicode=False, sort_keys=False, width=100))
        return text
    if fmt is OutputFormat.CSV:
        return _csv(view)
    if fmt is OutputFormat.TSV:
        return _tsv(view, header=True)
    if fmt is OutputFormat.MARKDOWN:
        return _markdown(view)
    return _table(view, terminal)


def to_json(payload: Any, indent: int | None = 2) -> str:
    separators = (",", ": ") if indent else (",", ":")
    return escape_json(json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators))


def _csv(view: View) -> str:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([clean(column) for column in view.columns])
    for row in view.rows:
        writer.writerow(["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in map(clean, row)])
    return buffer.getvalue()


def _tsv_cell(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return clean(text)


def _tsv(view: View, header: bool) -> str:
    lines = ["\t".join(_tsv_cell(c) for c in view.columns)] if header else []
    lines += ["\t".join(_tsv_cell(cell) for cell in row) for row in view.rows]
    return "".join(line + "\n" for line in lines)


def _markdown(view: View) -> str:
    def cell(text: str) -> str:
        escaped = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return escaped.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")

    lines = [f"## {cell(view.title)}", ""] if view.title else []
    lines.append("| " + " | ".join(cell(c) for c in view.columns) + " |")
    lines.append("|" + "|".join("---" for _ in view.columns) + "|")
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in view.rows]
    lines += ["", *(f"_{cell(note)}_" for note in view.notes), f"_{NOTICE}_"]
    return "\n".join(lines) + "\n"


def _table(view: View, terminal: Terminal) -> str:
    from mscli.output.layout import grid, wrap

    width = max(terminal.width, 20)

    def styled(line: str, code: str) -> str:
        return f"\x1b[{code}m{line}\x1b[0m" if terminal.color and line else line

    lines = [styled(line, "1") for line in wrap(clean(view.title), width)] if view.title else []
    if view.rows:
        header, rows = grid([clean(column) for column in view.columns],
                            [[clean(cell) for cell in row] for row in view.rows],
                            width, "─" if terminal.unicode else "-")
        lines += [styled(line, "1") for line in header[:-1]] + header[-1:]
        lines += [line for row in rows for line in row]
    else:
        lines.append("No results.")
    for note in [*view.notes, NOTICE]:
        lines += [styled(line, "2") for line in wrap(clean(note), width)]
    return "\n".join(lines) + "\n"
