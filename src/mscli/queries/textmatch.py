"""Find words and phrases in free text, whole words only, with the matched text kept.

Shared by the glossary links (which terms a record uses) and the clinic check (which warning
phrases an offer contains). Both are keyword matches: they report where a phrase occurs so a
person can read it in context, and know nothing of meaning or negation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

CONTEXT_CHARS = 50


@dataclass(frozen=True)
class Hit:
    """One occurrence of a phrase: what was looked for, what was found, and where."""

    phrase: str
    text: str
    start: int
    end: int


def is_acronym(phrase: str) -> bool:
    """True for phrases like 'IRB', 'ALS' or 'FACT-JACIE': their letters are all capitals.

    Acronyms match only in capitals, so 'ALS' does not find 'als' inside other words' forms
    and 'GEL' does not find the word 'gel'; other phrases match in any case.
    """
    letters = [char for char in phrase if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters)


@lru_cache(maxsize=4096)
def pattern(phrase: str, plurals: bool = False) -> re.Pattern[str]:
    """A regex for ``phrase`` as whole words; spaces in it match any run of spaces or hyphens.

    With ``plurals``, a phrase ending in a letter also matches with 's' or 'es' added
    ('relapse' finds 'relapses' but not 'relapsing').
    """
    words = phrase.split()
    body = r"[\s\-]+".join(re.escape(word) for word in words)
    left = r"(?<!\w)" if phrase[:1].isalnum() else ""
    suffix = "(?:e?s)?" if plurals and phrase[-1:].isalpha() else ""
    right = r"(?!\w)" if phrase[-1:].isalnum() else ""
    flags = 0 if is_acronym(phrase) else re.IGNORECASE
    return re.compile(left + body + suffix + right, flags)


def find(phrases: Iterable[str], text: str, plurals: bool = False) -> list[Hit]:
    """Every occurrence of any of ``phrases`` in ``text``, in order of position.

    Where two phrases overlap ('MS specialist' and 'MS specialists'), only the longer match
    is kept, so each stretch of text is reported once.
    """
    hits = [Hit(phrase, found.group(0), found.start(), found.end())
            for phrase in phrases for found in pattern(phrase, plurals).finditer(text)]
    return without_overlaps(hits)


def without_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits (the earlier one on a tie), in text order."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def line_of(text: str, position: int) -> int:
    """The 1-based line number of a character position."""
    return text.count("\n", 0, position) + 1


def context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    """The match with some text either side, on one line, cut at '...' where shortened."""
    before = text[max(0, start - chars):start]
    after = text[end:end + chars]
    snippet = " ".join((before + text[start:end] + after).split())
    prefix = "..." if start > chars else ""
    suffix = "..." if end + chars < len(text) else ""
    return f"{prefix}{snippet}{suffix}"
