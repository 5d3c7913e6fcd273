"""Link records to the glossary: which glossary terms a record's text uses, and the reverse.

Links are computed when asked for, not stored, so they cannot go stale when a record or the
glossary changes. A term is used when its name or one of its aliases appears in the record's
text as whole words: case-insensitive, except that all-capital acronyms ('MSC', 'IV') must
appear in capitals; a plural 's' or 'es' is allowed ('relapses' uses 'relapse', 'relapsing'
does not). Structured fields say something in words too: a trial's phase "1/2" uses the
phase terms, and a randomised or crossover design uses those terms.
"""

from __future__ import annotations

from typing import Any

from mscli.model.kinds import KINDS
from mscli.model.records import COLLECTIONS, CollectionName, Dataset, GlossaryTerm
from mscli.queries import textmatch

# Fields that are identifiers, references or bookkeeping rather than text a reader sees.
_NOT_TEXT = frozenset({
    "id", "sources", "publications", "reviewed", "unverified", "source", "as_of", "url", "doi",
    "pmid", "registry_id", "verified", "cited_sources", "terms", "used_by", "trial_ids",
    "study_ids", "guidance_ids", "therapy", "therapies", "check", "phrases",
})

# Collections whose records link to terms (sources are citations, not prose).
LINKED: tuple[CollectionName, ...] = tuple(name for name, kind in KINDS.items() if kind.links_terms)


def record_text(record: Any) -> str:
    """The words a record shows a reader, one string, including words its fields stand for."""
    parts: list[str] = []

    def walk(value: Any, key: str) -> None:
        if key in _NOT_TEXT:
            return
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item, "")
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)

    for name, value in record.items():
        walk(value, name)
    if isinstance(record.get("phase"), str) and record["phase"] != "n/a":
        parts.append(f"phase {record['phase']}")
    design = record.get("design")
    if isinstance(design, dict):
        parts += [word for word in ("randomised", "crossover") if design.get(word)]
    eligibility = record.get("eligibility")
    if isinstance(eligibility, dict) and (eligibility.get("edss_min") is not None
                                          or eligibility.get("edss_max") is not None):
        parts.append("EDSS")
    return "\n".join(parts)


def names_of(term: GlossaryTerm) -> list[str]:
    return [term["term"], *term.get("aliases", [])]


def uses(term: GlossaryTerm, text: str, lowered: str | None = None) -> bool:
    """True when ``text`` contains the term or one of its aliases as whole words (``lowered``,
    ``text.lower()``, saves computing it again for each term)."""
    lowered = text.lower() if lowered is None else lowered
    return any(textmatch.may_match(name, text, lowered) and textmatch.pattern(name, plurals=True).search(text)
               for name in names_of(term))


def terms_in(dataset: Dataset, record: Any) -> list[str]:
    """Ids of the glossary terms a record uses, in glossary order (a term never lists itself)."""
    text = record_text(record)
    lowered = text.lower()
    return [term["id"] for term in dataset["glossary"] if term["id"] != record["id"] and uses(term, text, lowered)]


def used_by(dataset: Dataset, term: GlossaryTerm) -> list[dict[str, str]]:
    """Every record that uses a glossary term, as {type, id}, in collection order."""
    found = []
    for collection in LINKED:
        for record in dataset[collection]:
            if record["id"] != term["id"] and uses(term, record_text(record)):
                found.append({"type": COLLECTIONS[collection][1], "id": record["id"]})
    return found
