"""Write a ``report.Report`` as Markdown or as one self-contained HTML page.

The writers know the report's structure, not the dataset. Every string that came from the
dataset is escaped for its format (HTML entities; Markdown backslash escapes), because the
dataset is untrusted input and a report is opened in browsers and Markdown viewers. The HTML
page needs no network: inline CSS only, no scripts, fonts or images, and a Content Security
Policy that would block them anyway.
"""

from __future__ import annotations

import html
import re

from mscli.output.render import ReportFormat
from mscli.output.report import CitedSource, Entry, Fact, Report, Section, Table
from mscli.output.terminal import clean

UNVERIFIED = "(unverified)"
SUFFIXES = {".md": ReportFormat.MARKDOWN, ".markdown": ReportFormat.MARKDOWN,
            ".html": ReportFormat.HTML, ".htm": ReportFormat.HTML}


def write_report(report: Report, fmt: ReportFormat) -> str:
    return to_html(report) if fmt is ReportFormat.HTML else to_markdown(report)


def _one_line(text: str) -> str:
    """Dataset text on one line: control characters gone, line breaks as spaces."""
    return " ".join(clean(text.replace("\n", " ").replace("\r", " ")).split(" ")).strip()


def source_parts(source: CitedSource) -> list[tuple[str, str]]:
    """The citation of a source as (label, value) parts; labels are ours, values the dataset's."""
    data = source.source
    parts = [("authors", data["authors"] or ""), ("title", data["title"]), ("publisher", data["publisher"]),
             ("year", str(data["year"] or ""))]
    for label, key in IDENTIFIERS:
        parts.append((label, str(data[key] or "")))  # type: ignore[literal-required]
    return [(label, value.strip().removesuffix(".") if label in ("title", "publisher") else value.strip())
            for label, value in parts if value.strip()]


IDENTIFIERS = (("registry number", "registry_id"), ("DOI", "doi"), ("PMID", "pmid"), ("URL", "url"))
_IDENTIFIER_LABELS = {label for label, _ in IDENTIFIERS}


def _sentences(pieces: list[tuple[str, str]]) -> str:
    """Citation pieces (as written, as in the dataset) joined with full stops, never doubled."""
    return " ".join(written if value.endswith((".", "?", "!")) else written + "." for written, value in pieces)


# --- Markdown ----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")
_MD_LIST_START = re.compile(r"^(\d+)([.)])")


def md(text: str, line_start: bool = False) -> str:
    """Dataset text as literal Markdown: punctuation Markdown would act on is backslash-escaped.

    Text that begins a line (or a list item) also has a leading list marker or setext
    underline ("-", "+", "=", "1.") escaped, so that it cannot start a new block.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", _one_line(text))
    if not line_start:
        return escaped
    if escaped[:1] in ("-", "+", "="):
        return "\\" + escaped
    return _MD_LIST_START.sub(r"\1\\\2", escaped)


def _md_refs(refs: tuple[int, ...]) -> str:
    return f" [{', '.join(str(number) for number in refs)}]" if refs else ""


def _md_entry(entry: Entry, line_start: bool = False) -> str:
    mark = f" {UNVERIFIED}" if entry.unverified else ""
    return f"{md(entry.text, line_start)}{mark}{_md_refs(entry.refs)}"


def _md_fact(fact: Fact) -> list[str]:
    if fact.listed or len(fact.entries) > 1:
        return [f"**{fact.label}:**", "", *(f"- {_md_entry(entry, line_start=True)}" for entry in fact.entries), ""]
    return [f"**{fact.label}:** {_md_entry(fact.entries[0])}", ""]


def _md_table(table: Table) -> list[str]:
    lines = [f"### {md(table.caption)}", "",
             "| " + " | ".join(table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    lines += ["| " + " | ".join(_md_entry(cell) for cell in row) + " |" for row in table.rows]
    return [*lines, ""]


def _md_section(section: Section) -> list[str]:
    sources = f" Sources:{_md_refs(section.refs)}" if section.refs else ""
    lines = [f"## {md(section.heading)}", "", f"mscli id: `{section.record_id}`.{sources}", ""]
    for fact in section.facts:
        lines += _md_fact(fact)
    for table in section.tables:
        lines += _md_table(table)
    return lines


def _md_literal(value: str) -> str:
    """An identifier or URL as a code span, so it reads and copies exactly; escaped if it cannot be."""
    text = _one_line(value)
    return f"`{text}`" if "`" not in text and text else md(text)


def _md_source(source: CitedSource) -> str:
    pieces = [(f"{label}: {_md_literal(value)}" if label in _IDENTIFIER_LABELS
               else md(value, line_start=index == 0), value)
              for index, (label, value) in enumerate(source_parts(source))]
    pieces += [(f"Seen at {_md_literal(copy['url'])}" + (f" ({md(copy['read'])})" if copy["read"] else ""),
                copy["url"] if copy["read"] is None else ")") for copy in source.source["seen_at"]]
    mark = "" if source.source["verified"] else f" {UNVERIFIED}"
    return f"{source.number}. {_sentences(pieces)}{mark} mscli id: `{source.source['id']}`"


def to_markdown(report: Report) -> str:
    lines = [
        f"# {md(report.title)}", "",
        f"Generated on {report.generated} by mscli from {md(report.dataset_title)}, version "
        f"{md(report.dataset_version)}, last reviewed on {md(report.dataset_reviewed)}.", "",
        f"> **{md(report.notice)}**", "",
        md(report.purpose), "",
    ]
    if report.stale_note:
        lines += [f"_{md(report.stale_note)}_", ""]
    lines += ["Numbers in square brackets refer to the numbered sources at the end. "
              f"Values marked {UNVERIFIED} could not be confirmed against a primary source.", ""]
    for section in report.sections:
        lines += _md_section(section)
    lines += ["## Sources", ""]
    lines += [_md_source(source) for source in report.sources] or ["No sources are cited."]
    lines += ["", f"## {md(report.questions_heading)}", ""]
    lines += [f"{number}. ____________________________________________" for number in
              range(1, report.question_lines + 1)]
    return "\n".join(lines) + "\n"


# --- HTML --------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
body { overflow-wrap: break-word; font-family: "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif; font-size: 11pt;
       line-height: 1.45; color: #111; background: #fff; max-width: 58rem; margin: 2rem auto;
       padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #333; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.meta, .record-id { color: #333; }
.notice { border: 2px solid #333; padding: .6rem .8rem; font-weight: bold; background: #f3f3f3; }
dl { margin: 0; }
dt { font-weight: bold; margin-top: .6rem; }
dd { margin: .1rem 0 0 1.2rem; }
dd ul { margin: .2rem 0; padding-left: 1.2rem; }
.unverified { font-style: italic; color: #7a4b00; }
.refs { font-size: .85em; white-space: nowrap; }
.refs a { color: inherit; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .4rem 0 1rem; }
th, td { overflow-wrap: break-word; border: 1px solid #888; padding: .25rem .4rem; text-align: left;
         vertical-align: top; }
th { background: #e8e8e8; }
ol.sources li { margin-bottom: .35rem; overflow-wrap: anywhere; }
ol.questions li { border-bottom: 1px solid #555; height: 2.2rem; }
@page { margin: 16mm; }
@media print {
  body { font-size: 10pt; max-width: none; margin: 0; padding: 0; }
  h2 { break-after: avoid; }
  tr, li, dd { break-inside: avoid; }
  thead { display: table-header-group; }
  .notice { background: none; }
  a { color: inherit; text-decoration: none; }
}
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'"
_LINKABLE = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)


def h(text: str) -> str:
    """Dataset text as HTML text or attribute value: every markup character escaped."""
    return html.escape(_one_line(text), quote=True)


def _html_refs(refs: tuple[int, ...]) -> str:
    if not refs:
        return ""
    links = ", ".join(f'<a href="#source-{number}">{number}</a>' for number in refs)
    return f' <span class="refs">[{links}]</span>'


def _html_entry(entry: Entry) -> str:
    mark = f' <span class="unverified">{UNVERIFIED}</span>' if entry.unverified else ""
    return f"{h(entry.text)}{mark}{_html_refs(entry.refs)}"


def _html_fact(fact: Fact) -> str:
    if fact.listed or len(fact.entries) > 1:
        items = "".join(f"<li>{_html_entry(entry)}</li>" for entry in fact.entries)
        value = f"<ul>{items}</ul>"
    else:
        value = _html_entry(fact.entries[0])
    return f"<dt>{h(fact.label)}</dt>\n<dd>{value}</dd>"


def _html_table(table: Table) -> str:
    head = "".join(f'<th scope="col">{h(column)}</th>' for column in table.columns)
    body = "\n".join("<tr>" + "".join(f"<td>{_html_entry(cell)}</td>" for cell in row) + "</tr>"
                     for row in table.rows)
    return (f"<h3>{h(table.caption)}</h3>\n<table>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody>\n</table>")


def _record_sources(section: Section) -> str:
    return f" Sources:{_html_refs(section.refs)}" if section.refs else ""


def _html_section(section: Section) -> str:
    facts = "\n".join(_html_fact(fact) for fact in section.facts)
    tables = "\n".join(_html_table(table) for table in section.tables)
    return (f'<section class="record {h(section.kind)}" id="record-{h(section.record_id)}">\n'
            f"<h2>{h(section.heading)}</h2>\n"
            f'<p class="record-id">mscli id: <code>{h(section.record_id)}</code>.{_record_sources(section)}</p>\n'
            f"<dl>\n{facts}\n</dl>\n{tables}\n</section>")


def _html_source(source: CitedSource) -> str:
    pieces = []
    for label, value in source_parts(source):
        if label == "URL" and _LINKABLE.fullmatch(value):
            written = f'URL: <a href="{h(value)}">{h(value)}</a>'
        elif label in _IDENTIFIER_LABELS:
            written = f"{h(label)}: {h(value)}"
        elif label == "title":
            written = f"<cite>{h(value)}</cite>"
        else:
            written = h(value)
        pieces.append((written, value))
    for copy in source.source["seen_at"]:
        address = (f'<a href="{h(copy["url"])}">{h(copy["url"])}</a>' if _LINKABLE.fullmatch(copy["url"])
                   else h(copy["url"]))
        pieces.append((f"Seen at {address}" + (f" ({h(copy['read'])})" if copy["read"] else ""),
                       copy["url"] if copy["read"] is None else ")"))
    mark = "" if source.source["verified"] else f' <span class="unverified">{UNVERIFIED}</span>'
    return (f'<li id="source-{source.number}">{_sentences(pieces)}{mark} '
            f'<span class="record-id">mscli id: <code>{h(source.source["id"])}</code></span></li>')


def to_html(report: Report) -> str:
    stale = f'<p class="stale">{h(report.stale_note)}</p>\n' if report.stale_note else ""
    sections = "\n".join(_html_section(section) for section in report.sections)
    sources = "\n".join(_html_source(source) for source in report.sources) or "<li>No sources are cited.</li>"
    questions = "\n".join("<li></li>" for _ in range(report.question_lines))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mscli">
<title>{h(report.title)}</title>
<style>
{_CSS}
</style>
</head>
<body>
<header>
<h1>{h(report.title)}</h1>
<p class="meta">Generated on <time datetime="{h(report.generated)}">{h(report.generated)}</time> by mscli
from {h(report.dataset_title)}, version {h(report.dataset_version)}, last reviewed on
<time class="reviewed" datetime="{h(report.dataset_reviewed)}">{h(report.dataset_reviewed)}</time>.</p>
<p class="notice" role="note">{h(report.notice)}</p>
<p>{h(report.purpose)}</p>
{stale}<p class="meta">Numbers in square brackets refer to the numbered sources at the end. Values marked
{UNVERIFIED} could not be confirmed against a primary source.</p>
</header>
<main>
{sections}
<section id="sources">
<h2>Sources</h2>
<ol class="sources">
{sources}
</ol>
</section>
<section id="questions">
<h2>{h(report.questions_heading)}</h2>
<ol class="questions">
{questions}
</ol>
</section>
</main>
</body>
</html>
"""
