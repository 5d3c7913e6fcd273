"""Rendering a View: machine formats read only the payload, so no table cell is ever built."""

from __future__ import annotations

import json

import pytest

from mscli.output import views
from mscli.output.render import OutputFormat, View, render
from mscli.output.terminal import Terminal

PIPE = Terminal(is_tty=False, width=100, color=False, unicode=True)


def counting_listing(records: list[dict[str, str]]) -> tuple[View, list[str]]:
    """A listing whose one cell getter records every call."""
    calls: list[str] = []

    def cell(record: dict[str, str]) -> str:
        calls.append(record["id"])
        return record["id"]

    return views.listing(records, None, [("id", cell)]), calls


@pytest.mark.parametrize("fmt", [OutputFormat.JSON, OutputFormat.JSONL, OutputFormat.YAML])
def test_machine_formats_build_no_cells(fmt: OutputFormat) -> None:
    view, calls = counting_listing([{"id": "a"}, {"id": "b"}])
    assert "a" in render(view, fmt, PIPE)
    assert calls == []


@pytest.mark.parametrize("fmt", [OutputFormat.CSV, OutputFormat.TSV, OutputFormat.TABLE, OutputFormat.MARKDOWN, None])
def test_table_formats_build_each_cell_once(fmt: OutputFormat | None) -> None:
    view, calls = counting_listing([{"id": "a"}, {"id": "b"}])
    render(view, fmt, PIPE)
    render(view, fmt, PIPE)
    assert calls == ["a", "b"]


def test_rows_given_as_a_list_still_work() -> None:
    view = View(payload=[{"id": "a"}], columns=["id"], rows=[["a"]])
    assert render(view, OutputFormat.CSV, PIPE) == "id\r\na\r\n"
    assert json.loads(render(view, OutputFormat.JSON, PIPE)) == [{"id": "a"}]
