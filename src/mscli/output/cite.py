"""Citations of a record's sources in the formats reference managers read.

Every format reads the authors through one model (family name, given initials), because the
dataset writes them the Vancouver way ("Genchi A, Brambilla E, et al.") and each format wants
them differently: BibTeX "Genchi, A.", RIS "Genchi, A", CSL-JSON ``{"family", "given"}``. "et
al." is never an author: BibTeX says "and others"; the other formats leave it out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mscli.model.choices import CiteFormat
from mscli.model.records import Source
from mscli.output.copies import access_note

_JOURNAL_KINDS = ("journal-article", "review", "protocol")
_INITIALS = re.compile(r"[A-Z]{1,4}")


@dataclass(frozen=True)
class Author:
    family: str
    given: str | None  # initials, "A" or "AB"; None for a group author


def authors(source: Source) -> tuple[list[Author], bool]:
    """The source's authors and whether the list was cut short ("et al.")."""
    names, more = [], False
    for part in re.split(r"[,;]", source.get("authors") or ""):  # "Kerr DA; STEMS Consensus Group"
        name = part.strip()
        if not name:
            continue
        if name.rstrip(".").lower() == "et al":
            more = True
            continue
        family, _, given = name.rpartition(" ")
        names.append(Author(family, given) if family and _INITIALS.fullmatch(given) else Author(name, None))
    return names, more


def _in_journal(source: Source) -> bool:
    """Journal articles, and guidelines published in a journal (they have a DOI or PMID)."""
    return source["kind"] in _JOURNAL_KINDS or (
        source["kind"] in ("guideline", "position-statement") and bool(source.get("doi") or source.get("pmid")))


def _url(source: Source) -> str | None:
    if source["url"]:
        return source["url"]
    if source["doi"]:
        return f"https://doi.org/{source['doi']}"
    if source["registry_id"] and source["registry_id"].startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{source['registry_id']}"
    return None


def _line(value: Any) -> str:
    """One line of text: citation formats are line-based."""
    return re.sub(r"\s+", " ", str(value)).strip()


def text(sources: Sequence[Source]) -> str:
    lines = []
    for source in sources:
        parts = [source["authors"], source["title"], source["publisher"],
                 str(source["year"]) if source["year"] else None]
        ident = [f"doi:{source['doi']}" if source["doi"] else None,
                 f"PMID {source['pmid']}" if source["pmid"] else None,
                 source["registry_id"], _url(source)]
        note = "" if source["verified"] else " [unverified]"
        body = " ".join(_sentence(_line(p)) for p in parts if p)
        extra = " ".join(i for i in ident if i)
        seen = access_note(source)  # no full stop after it: it may end in an address
        lines.append(f"{body}{' ' + extra if extra else ''}{' ' + _line(seen) if seen else ''}{note}")
    return "\n".join(lines) + "\n"


def _sentence(value: str) -> str:
    """A citation piece ending in one full stop ("et al." is not given a second)."""
    return value if value.endswith((".", "?", "!")) else value + "."


def _bibtex_note(source: Source) -> str | None:
    """BibTeX's note: "unverified", and the copies. A note is LaTeX text, not a verbatim URL
    field, so a copy's address is written escaped, as text that prints the address."""
    copies = [_bibtex_url(copy["url"]) + (f" ({_bibtex_escape(copy['read'])})" if copy["read"] else "")
              for copy in source["seen_at"]]
    parts = ([] if source["verified"] else ["unverified"]) + ([f"Seen at {'; '.join(copies)}"] if copies else [])
    return "; ".join(parts) or None


def _bibtex_url(url: str) -> str:
    """An address as LaTeX text: what LaTeX would act on is percent-encoded (the same address)
    or escaped."""
    encoded = "".join(f"%{ord(char):02X}" if char in "\\{}~^" else char for char in _line(url))
    return re.sub(r"([&%$#_])", r"\\\1", encoded)


def _bibtex_escape(value: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", _line(value).replace("{", "(").replace("}", ")").replace("\\", "/"))


def _dotted(initials: str) -> str:
    """"MP" as "M. P.": written bare, styles read "MP" as one given name and cut it to "M"."""
    return f"{'. '.join(initials)}."


def _bibtex_names(source: Source) -> str | None:
    names, more = authors(source)
    given = [f"{a.family}, {_dotted(a.given)}" if a.given else f"{{{a.family}}}" for a in names]
    return " and ".join([*given, *(["others"] if more else [])]) or None


def bibtex(sources: Sequence[Source]) -> str:
    entries = []
    for source in sources:
        kind = "article" if _in_journal(source) else "misc"
        fields = {
            "title": f"{{{_bibtex_escape(source['title'])}}}",  # double braces keep acronyms' case
            "author": _bibtex_names(source),
            # @misc has no publisher in the standard styles: they print ``howpublished``.
            "journal" if kind == "article" else "howpublished": _bibtex_escape(source["publisher"]),
            "year": str(source["year"]) if source["year"] else None,
            "doi": source["doi"], "pmid": source["pmid"],
            "number": source["registry_id"] if source["kind"] == "registry-record" else None,
            "url": _url(source),
            "note": _bibtex_note(source),
        }
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
        entries.append(f"@{kind}{{{source['id']},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def _ris_type(source: Source) -> str:
    if _in_journal(source):
        return "JOUR"
    return {"registry-record": "DATA", "guideline": "RPRT", "position-statement": "RPRT"}.get(source["kind"], "ELEC")


def ris(sources: Sequence[Source]) -> str:
    records = []
    for source in sources:
        kind = _ris_type(source)
        lines = [f"TY  - {kind}", f"ID  - {source['id']}", f"TI  - {_line(source['title'])}"]
        lines += [f"AU  - {a.family}, {a.given}" if a.given else f"AU  - {a.family}" for a in authors(source)[0]]
        lines.append(f"{'JO' if kind == 'JOUR' else 'PB'}  - {_line(source['publisher'])}")
        for tag, value in (("PY", source["year"]), ("DO", source["doi"]), ("UR", _url(source)),
                           ("AN", source["pmid"] or source["registry_id"]),
                           ("N1", None if source["verified"] else "unverified"), ("N1", access_note(source))):
            if value:
                lines.append(f"{tag}  - {_line(value)}")
        lines.append("ER  - ")
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n"


def csl_json(sources: Sequence[Source]) -> str:
    items = []
    for source in sources:
        journal = _in_journal(source)
        item: dict[str, Any] = {
            "id": source["id"],
            "type": "article-journal" if journal else "dataset" if source["kind"] == "registry-record"
            else "report" if source["kind"] in ("guideline", "position-statement") else "webpage",
            "title": source["title"],
            "container-title" if journal else "publisher": source["publisher"],
        }
        names = [{"family": a.family, "given": _dotted(a.given)} if a.given else {"literal": a.family}
                 for a in authors(source)[0]]
        if names:
            item["author"] = names
        if source["year"]:
            item["issued"] = {"date-parts": [[source["year"]]]}
        if source["kind"] == "registry-record" and source["registry_id"]:
            item["number"] = source["registry_id"]
        for key, value in (("DOI", source["doi"]), ("PMID", source["pmid"]), ("URL", _url(source)),
                           ("note", access_note(source))):
            if value:
                item[key] = value
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMATTERS = {CiteFormat.TEXT: text, CiteFormat.BIBTEX: bibtex, CiteFormat.RIS: ris,
              CiteFormat.CSL_JSON: csl_json}


def cite(sources: Sequence[Source], fmt: CiteFormat) -> str:
    return FORMATTERS[fmt](sources)
