"""Citations of a record's sources in the formats reference managers read."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from mscli.model.choices import CiteFormat
from mscli.model.records import Source


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
        body = ". ".join(_line(p) for p in parts if p)
        extra = " ".join(i for i in ident if i)
        lines.append(f"{body}.{' ' + extra if extra else ''}{note}")
    return "\n".join(lines) + "\n"


def _bibtex_escape(value: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", _line(value))


def bibtex(sources: Sequence[Source]) -> str:
    entries = []
    for source in sources:
        kind = "article" if source["kind"] in ("journal-article", "review", "protocol", "guideline") else "misc"
        fields = {
            "title": source["title"],
            "author": " and ".join("others" if a.strip() == "et al." else a.strip()
                                   for a in (source["authors"] or "").split(",") if a.strip()) or None,
            "journal" if kind == "article" else "publisher": source["publisher"],
            "year": str(source["year"]) if source["year"] else None,
            "doi": source["doi"], "pmid": source["pmid"], "url": _url(source),
            "note": None if source["verified"] else "unverified",
        }
        body = ",\n".join(f"  {name} = {{{_bibtex_escape(value)}}}" for name, value in fields.items() if value)
        entries.append(f"@{kind}{{{source['id']},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def ris(sources: Sequence[Source]) -> str:
    records = []
    for source in sources:
        kind = "JOUR" if source["kind"] in ("journal-article", "review", "protocol", "guideline") else "ELEC"
        lines = [f"TY  - {kind}", f"ID  - {source['id']}", f"TI  - {_line(source['title'])}"]
        lines += [f"AU  - {a.strip()}" for a in (source["authors"] or "").split(",")
                  if a.strip() and a.strip() != "et al."]
        lines.append(f"{'JO' if kind == 'JOUR' else 'PB'}  - {_line(source['publisher'])}")
        for tag, value in (("PY", source["year"]), ("DO", source["doi"]), ("UR", _url(source)),
                           ("AN", source["pmid"] or source["registry_id"]),
                           ("N1", None if source["verified"] else "unverified")):
            if value:
                lines.append(f"{tag}  - {_line(value)}")
        lines.append("ER  - ")
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n"


def csl_json(sources: Sequence[Source]) -> str:
    items = []
    for source in sources:
        item: dict[str, Any] = {
            "id": source["id"],
            "type": "article-journal" if source["kind"] in ("journal-article", "review", "protocol") else "webpage",
            "title": source["title"],
            "container-title" if source["kind"] == "journal-article" else "publisher": source["publisher"],
        }
        if source["authors"]:
            item["author"] = [{"literal": a.strip()} for a in source["authors"].split(",") if a.strip()]
        if source["year"]:
            item["issued"] = {"date-parts": [[source["year"]]]}
        for key, value in (("DOI", source["doi"]), ("PMID", source["pmid"]), ("URL", _url(source))):
            if value:
                item[key] = value
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMATTERS = {CiteFormat.TEXT: text, CiteFormat.BIBTEX: bibtex, CiteFormat.RIS: ris,
              CiteFormat.CSL_JSON: csl_json}


def cite(sources: Sequence[Source], fmt: CiteFormat) -> str:
    return FORMATTERS[fmt](sources)
