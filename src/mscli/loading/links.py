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
from typing import Any, NamedTuple

from mscli.model import textmatch
from mscli.model.kinds import KINDS
from mscli.model.records import CollectionName, Dataset, GlossaryTerm
from mscli.model.wordforms import ascii_words

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

    Text items are appended where they are met rather than by a call each, and None, numbers
    and true/false are passed over by their exact type before any other test: a record holds
    hundreds of values, and compiling the store visits every record.
    """
    if isinstance(value, list):
        _collect_items(value, parts)
        return
    append = parts.append
    for name, item in value.items():
        kind = type(item)
        if kind is str:
            if name not in _NOT_TEXT:
                append(item)
        elif item is None or kind is bool or kind is int or kind is float or name in _NOT_TEXT:
            continue
        elif kind is list:
            if item:
                _collect_items(item, parts)
        elif kind is dict:
            _collect(item, parts)
        elif isinstance(item, str):
            append(item)
        elif isinstance(item, (list, dict)):
            _collect(item, parts)


def _collect_items(items: list[Any], parts: list[str]) -> None:
    append = parts.append
    for item in items:
        kind = type(item)
        if kind is str:
            append(item)
        elif kind is dict:
            _collect(item, parts)
        elif kind is list:
            _collect_items(item, parts)
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
    rest: tuple[frozenset[str], ...]  # the anchor's other words: one form of each must be there


_Filed = dict[str, list[_Name]]  # names by the forms of their first word


class Linker:
    """The terms of one glossary, ready to be found in many records' texts.

    Each name is filed under the forms of its first word, so a record's words pick out the few
    names worth testing with one set intersection. In an ASCII text a one-word name is found by
    that intersection alone, and a name of several words is tested only where its first word
    occurs (``str.find``, then the regex anchored there), not by searching the whole text.
    """

    def __init__(self, glossary: Iterable[GlossaryTerm]) -> None:
        self._ids = [term["id"] for term in glossary]
        # One-word names and the others; in each, acronyms filed as written, then the rest lower-cased.
        self._whole: tuple[_Filed, _Filed] = ({}, {})
        self._several: tuple[_Filed, _Filed] = ({}, {})
        self._always: list[_Name] = []  # names with no anchor: their regex always runs
        for position, term in enumerate(glossary):
            for name in names_of(term):
                anchor = textmatch.anchor(name, plurals=True)
                first = name.split()[0]
                entry = _Name(position, name, anchor, textmatch.pattern(name, plurals=True),
                              first if anchor is None or anchor.acronym else first.lower(),
                              anchor.words[1:] if anchor is not None else ())
                if anchor is None:
                    self._always.append(entry)
                    continue
                filed = (self._whole if anchor.whole else self._several)[0 if anchor.acronym else 1]
                for form in anchor.words[0]:
                    filed.setdefault(form, []).append(entry)

    def terms_in(self, record: Any) -> list[str]:
        """Ids of the glossary terms a record uses, in glossary order (a term never lists itself)."""
        return [self._ids[position] for position in self.positions_in(record)]

    def positions_in(self, record: Any) -> list[int]:
        """Where in the glossary the terms ``terms_in`` gives are (what the store keeps)."""
        text = record_text(record)
        found = sorted(self._found_in_ascii(text) if text.isascii() else self._found_in(text))
        own, ids = record["id"], self._ids
        return [position for position in found if ids[position] != own]

    def _found_in_ascii(self, text: str) -> set[int]:
        written = set(ascii_words(text))
        words = (written, set(map(str.lower, written)))
        lowered = text.lower()  # the same length as ``text``: positions agree
        found = {entry.term for case in (0, 1) for form in self._whole[case].keys() & words[case]
                 for entry in self._whole[case][form]}
        for case, haystack in ((0, text), (1, lowered)):
            present, several = words[case], self._several[case]
            for form in several.keys() & present:
                for entry in several[form]:
                    if entry.term in found:
                        continue
                    for forms in entry.rest:
                        if forms.isdisjoint(present):
                            break
                    else:
                        if _starts_a_match(entry, text, haystack):
                            found.add(entry.term)
        found.update(entry.term for entry in self._always if entry.term not in found and entry.pattern.search(text))
        return found

    def _found_in(self, text: str) -> set[int]:
        """The terms found in a text that is not all ASCII: the regex decides, after the anchor allows it."""
        words = textmatch.words_of(text)
        maps = (self._whole[0], self._several[0], self._whole[1], self._several[1])
        if words is None:  # the words cannot be told apart on ASCII alone: every regex decides
            candidates = [entry for filed in maps for entries in filed.values() for entry in entries]
        else:
            candidates = [entry for filed, present in zip(maps, (words[0], words[0], words[1], words[1]), strict=True)
                          for form in filed.keys() & present for entry in filed[form]]
        found: set[int] = set()
        for entry in candidates + self._always:
            if entry.term in found:
                continue
            if words is not None and entry.anchor is not None:
                present = words[0] if entry.anchor.acronym else words[1]
                if any(forms.isdisjoint(present) for forms in entry.rest):
                    continue
            if entry.pattern.search(text):
                found.add(entry.term)
        return found


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
