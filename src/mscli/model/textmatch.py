"""Find words and phrases in free text, whole words only, with the matched text kept.

Shared by the glossary links (which terms a record uses) and the clinic check (which warning
phrases an offer contains). Both are keyword matches: they report where a phrase occurs so a
person can read it in context. Negation and contrast are recognised only by nearby cue words
("no", "not", "unlike"), which is enough to keep "no cure is promised" from reading as a claim.
"""

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from mscli.model.wordforms import ascii_words

CONTEXT_CHARS = 50


class Hit(NamedTuple):
    """One occurrence of a phrase: what was looked for, what was found, and where.

    A named tuple rather than a dataclass: a long offer makes hundreds of thousands of them.
    """

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


_WORD_RUN = re.compile(r"\w+", re.ASCII)


class Anchor(NamedTuple):
    """Words a text must have for a phrase's ``pattern`` to match in it (see ``anchor``)."""

    words: tuple[frozenset[str], ...]  # for each word of the phrase, the forms one of which must be there
    acronym: bool                      # words are compared as written, not lower-cased
    whole: bool                        # the phrase is one word: in an ASCII text, having it is a match


@lru_cache(maxsize=4096)
def anchor(phrase: str, plurals: bool = False) -> Anchor | None:
    """What a text must contain, as whole words, for ``pattern(phrase, plurals)`` to match.

    Each run of letters, digits and '_' in the phrase, lower-cased unless the phrase is an
    acronym, with 's'/'es' added to the last one where ``plurals`` allows them: a text whose
    words (``words_of``) lack one of them cannot match, so the regex need not run. None when
    the phrase gives no such guarantee (not ASCII, or starting or ending outside a letter or
    digit), and the regex must decide.

    Why it holds: the pattern starts with ``(?<!\\w)`` and ends with ``(?!\\w)``, and between
    runs stand spaces, hyphens or other characters that are not word characters; the text's
    characters in a match are ASCII (``words_of`` sees to that), so every run is a word of the
    text. Conversely, in an all-ASCII text, where a word's neighbours are never word
    characters, a one-run phrase matches wherever one of its forms is a word.
    """
    if not phrase.isascii() or not phrase[:1].isalnum() or not phrase[-1:].isalnum():
        return None
    acronym = is_acronym(phrase)
    runs = _WORD_RUN.findall(phrase if acronym else phrase.lower())
    words = [frozenset({run}) for run in runs]
    if plurals and phrase[-1:].isalpha():
        words[-1] = frozenset({runs[-1], runs[-1] + "s", runs[-1] + "es"})
    return Anchor(tuple(words), acronym, len(runs) == 1)


# Matches an ASCII letter, digit or '_' and, ignoring case, the four other letters regex treats
# as their equals (dotted and dotless i, long s, Kelvin sign).
_ASCII_WORD_ANY_CASE = re.compile(r"[A-Za-z0-9_]", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def words_of(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The whole words of a text as written and lower-cased, to test ``anchor`` against.

    None when the text holds a letter that a regex ignoring case reads as an ASCII one: its
    words cannot be split on ASCII alone, so every pattern must run.
    """
    if text.isascii():
        written = frozenset(ascii_words(text))
        return written, frozenset(map(str.lower, written))
    if any(_ASCII_WORD_ANY_CASE.match(char) for char in set(_NON_ASCII.findall(text))):
        return None
    # Lower-casing the whole text lowers only ASCII letters into ASCII: the two characters whose
    # lower case holds ASCII letters (dotted I, Kelvin sign) were refused above.
    return frozenset(_WORD_RUN.findall(text)), frozenset(_WORD_RUN.findall(text.lower()))


def find(phrases: Iterable[str], text: str, plurals: bool = False) -> list[Hit]:
    """Every occurrence of any of ``phrases`` in ``text``, in order of position.

    Where two phrases overlap ('MS specialist' and 'MS specialists'), only the longer match
    is kept, so each stretch of text is reported once.
    """
    hits = [Hit(phrase, found.group(0), found.start(), found.end())
            for phrase in phrases for found in pattern(phrase, plurals).finditer(text)]
    return without_overlaps(hits)


def without_overlaps(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits (the earlier one on a tie), in text order.

    The characters already taken are marked in one array, so each hit costs its own length
    and a text of a megabyte of matches is not compared hit against hit.
    """
    taken = bytearray(max((hit.end for hit in hits), default=0))
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if taken.find(1, hit.start, hit.end) == -1:
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


@lru_cache(maxsize=2)
def _line_starts(text: str) -> list[int]:
    return [found.end() for found in re.finditer("\n", text)]


def line_of(text: str, position: int) -> int:
    """The 1-based line number of a character position.

    Found by bisection in the text's line breaks, counted once per text, since the clinic
    check asks it for every match of a long offer.
    """
    from bisect import bisect_right

    return bisect_right(_line_starts(text), position) + 1


def context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    """The match with some text either side, on one line, cut at whole words, '...' where shortened."""
    left = max(0, start - chars)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else start
    right = min(len(text), end + chars)
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else end
    snippet = " ".join(text[left:right].split())
    prefix = "..." if left > 0 else ""
    suffix = "..." if right < len(text) else ""
    return f"{prefix}{snippet}{suffix}"


# Words that deny what follows them in the same clause ("no cure is promised", "we cannot
# guarantee results", "this is not a cure", "free of charge").
_NEGATION = re.compile(
    r"(?<!\w)(?:no|not|never|without|nor|neither|none|cannot|can't|cant|won't|don't|doesn't|isn't|aren't|"
    r"wasn't|shouldn't|mustn't|free\s+of|at\s+no|unable\s+to|nobody|nothing|rather\s+than)(?!\w)",
    re.IGNORECASE)
# Words after a match that deny it: "travel costs are reimbursed", "costs are covered by the trial".
_DENIED_AFTER = re.compile(
    r"^[\s\w,'-]{0,40}?(?<!\w)(?:reimbursed|refunded|covered|paid\s+for\s+by|met\s+by|free|nothing)(?!\w)",
    re.IGNORECASE)
# Words that set a name against the offer's own ("unlike HSCT, our treatment ...").
_CONTRAST = re.compile(
    r"(?<!\w)(?:unlike|instead\s+of|rather\s+than|as\s+opposed\s+to|compared\s+(?:with|to)|"
    r"better\s+than|safer\s+than|alternative\s+to|no\s+need\s+for|avoids?|without(?:\s+the)?(?:\s+need\s+for)?)"
    r"\s*(?:the\s+|a\s+|an\s+)?$",
    re.IGNORECASE)
# A clause ends at punctuation, a line break not followed by a lower-case word, or "but".
_CLAUSE_END = re.compile(r"[.;:!?()]|\n(?![ \t]*(?-i:[a-z]))|,\s*(?:however|yet|although|though|while)\b|\bbut\b",
                         re.IGNORECASE)
NEGATION_WORDS = 6


def _clause_before(text: str, start: int) -> str:
    before = text[max(0, start - 120):start]
    # One character more than the clause, so a line break's lookahead sees the next word.
    ends = [end for end in _CLAUSE_END.finditer(text[max(0, start - 120):start + 1]) if end.end() <= len(before)]
    return before[ends[-1].end():] if ends else before


def negated(text: str, start: int, end: int, after: bool = False) -> bool:
    """True when a negation in the same clause, at most a few words before, denies the match.

    With ``after``, words following the match can also deny it ("costs are reimbursed").
    A keyword check, not understanding: it errs towards keeping a match (a warning shown).
    """
    clause = _clause_before(text, start)
    words = clause.split()[-NEGATION_WORDS:]
    if _NEGATION.search(" ".join(words)):
        return True
    if after:
        rest = re.split(r"[.;!?\n]", text[end:end + 80], maxsplit=1)[0]
        return bool(_DENIED_AFTER.match(rest))
    return False


def contrasted(text: str, start: int) -> bool:
    """True when the words just before a name set it against the offer ("unlike HSCT")."""
    return bool(_CONTRAST.search(_clause_before(text, start)[-40:]))
