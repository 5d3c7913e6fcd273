"""Which glossary terms each record uses, worked out when a dataset is compiled.

A term is used when its name or one of its aliases appears in the record's text as whole
words: case-insensitive, except that all-capital acronyms ('MSC', 'IV') must appear in
capitals; a plural 's' or 'es' is allowed ('relapses' uses 'relapse', 'relapsing' does not).
Structured fields say something in words too: a trial's phase "1/2" uses the phase terms, and
a randomised or crossover design uses those terms.

Testing every name's regex against every record costs most of a millisecond a record, so the
compiled store keeps the answer (``store``) and a lookup compiles no regex at all. To compile
it quickly, a ``Linker`` first asks whether the text has the words every match is made of
(``textmatch.anchor``), which for a one-word name in plain ASCII text is the answer; it runs
the regex only when that cannot decide. The same answer, found without most of the regexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any, NamedTuple

from mscli.model import textmatch
from mscli.model.kinds import KINDS
from mscli.model.records import CollectionName, Dataset, GlossaryTerm

# Fields that are identifiers, references or bookkeeping rather than text a reader sees.
_NOT_TEXT = frozenset({
    "id", "sources", "publications", "reviewed", "unverified", "source", "as_of", "url", "doi",
    "pmid", "registry_id", "verified", "cited_sources", "terms", "used_by", "trial_ids",
    "study_ids", "guidance_ids", "therapy", "therapies", "check", "phrases",
})

_WORD_RUN = re.compile(r"\w+", re.ASCII)  # as textmatch.words_of splits words

# Collections whose records link to terms (sources are citations, not prose).
LINKED: tuple[CollectionName, ...] = tuple(name for name, kind in KINDS.items() if kind.links_terms)


def record_text(record: Any) -> str:
    """The words a record shows a reader, one string, including words its fields stand for."""
    parts: list[str] = []
    _collect(record, parts)
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


def _collect(value: Any, parts: list[str]) -> None:
    """Append the text inside a list or mapping, in order, leaving out the fields in _NOT_TEXT.

    Text items are appended where they are met rather than by a call each, and empty lists,
    None, numbers and true/false are passed over by their exact type before any ``isinstance``:
    a record holds hundreds of values, and compiling the store visits every record.
    """
    items = value if isinstance(value, list) else [
        item for name, item in value.items() if name not in _NOT_TEXT]
    append = parts.append
    for item in items:
        kind = type(item)
        if kind is str:
            append(item)
        elif item is None or kind is bool or kind is int or kind is float:
            continue
        elif kind is list or kind is dict:
            if item:
                _collect(item, parts)
        elif isinstance(item, str):
            append(item)
        elif isinstance(item, (list, dict)):
            _collect(item, parts)


def names_of(term: GlossaryTerm) -> list[str]:
    return [term["term"], *term.get("aliases", [])]


def uses(term: GlossaryTerm, text: str) -> bool:
    """True when ``text`` contains the term or one of its aliases as whole words."""
    return any(textmatch.pattern(name, plurals=True).search(text) for name in names_of(term))


class _Name(NamedTuple):
    term: int  # position of the term in the glossary
    name: str
    anchor: textmatch.Anchor | None
    pattern: re.Pattern[str]  # textmatch.pattern(name, plurals=True)
    first: str  # the pattern's first word, lower-cased unless an acronym: where any match starts


class Linker:
    """The terms of one glossary, ready to be found in many records' texts.

    Each name is filed under the forms of its first word, so a record's words pick out the few
    names worth testing with one set intersection. In an ASCII text, a name of several words
    is tested only where its first word occurs (``str.find``, then the regex anchored there),
    not by searching the whole text: a match can start nowhere else.
    """

    def __init__(self, glossary: Iterable[GlossaryTerm]) -> None:
        self._ids = [term["id"] for term in glossary]
        self._written: dict[str, list[_Name]] = {}  # acronyms, filed as written
        self._lower: dict[str, list[_Name]] = {}
        self._always: list[_Name] = []  # names with no anchor: their regex always runs
        for position, term in enumerate(glossary):
            for name in names_of(term):
                anchor = textmatch.anchor(name, plurals=True)
                first = name.split()[0]
                entry = _Name(position, name, anchor, textmatch.pattern(name, plurals=True),
                              first if anchor is None or anchor.acronym else first.lower())
                if anchor is None:
                    self._always.append(entry)
                    continue
                filed = self._written if anchor.acronym else self._lower
                for form in anchor.words[0]:
                    filed.setdefault(form, []).append(entry)

    def terms_in(self, record: Any) -> list[str]:
        """Ids of the glossary terms a record uses, in glossary order (a term never lists itself)."""
        text = record_text(record)
        ascii_text = text.isascii()
        words: tuple[AbstractSet[str], AbstractSet[str]] | None
        if ascii_text:
            written = set(_WORD_RUN.findall(text))
            words = written, {word.lower() for word in written}
            lowered = text.lower()  # the same length as ``text``: positions agree
        else:
            words = textmatch.words_of(text)
            lowered = ""
        if words is None:  # the words cannot be told apart on ASCII alone: every regex decides
            candidates = [entry for entries in (*self._written.values(), *self._lower.values())
                          for entry in entries] + self._always
        else:
            candidates = [entry for form in self._written.keys() & words[0] for entry in self._written[form]]
            candidates += [entry for form in self._lower.keys() & words[1] for entry in self._lower[form]]
            candidates += self._always
        found: set[int] = set()
        own = record["id"]
        for entry in candidates:
            if entry.term in found or self._ids[entry.term] == own:
                continue
            anchor = entry.anchor
            if anchor is not None and words is not None:
                present = words[0] if anchor.acronym else words[1]
                if any(forms.isdisjoint(present) for forms in anchor.words[1:]):
                    continue
                if ascii_text:
                    if anchor.whole or _starts_a_match(entry, text, text if anchor.acronym else lowered):
                        found.add(entry.term)
                    continue
            if entry.pattern.search(text):
                found.add(entry.term)
        return [self._ids[position] for position in sorted(found)]


def _starts_a_match(entry: _Name, text: str, haystack: str) -> bool:
    """Whether the name's regex matches at one of the places its first word occurs.

    ``haystack`` is ``text`` (acronyms) or its lower case; in ASCII text the two have the same
    positions, and a case-ignoring match of ASCII letters is exactly a match of their lower case.
    The regex's look-behind still sees the character before the place (``match`` with a position).
    """
    first, match = entry.first, entry.pattern.match
    at = haystack.find(first)
    while at != -1:
        if match(text, at):
            return True
        at = haystack.find(first, at + 1)
    return False


def links_of(dataset: Dataset) -> dict[CollectionName, list[list[str]]]:
    """The terms each record of each linked collection uses, in dataset order."""
    linker = Linker(dataset["glossary"])
    return {collection: [linker.terms_in(record) for record in dataset[collection]]
            for collection in LINKED}
