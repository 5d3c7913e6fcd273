"""How search reads words: split text into words and bring simple word forms together.

The same two functions build the compiled index and read a query, so "deaths" in a record and
"death" in a question meet as one term. The stemmer is deliberately small (plurals, -ed, -ing,
-ment, -ation, a final -e or -y): the dataset is English prose about one field, and every rule
below is checked by ``tests/test_wordforms.py`` on the words people actually type. A stem is a
key, never shown: snippets show the record's own words.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
_VOWEL = re.compile(r"[aeiouy]")

# Words a question is built with that say nothing about which record is meant ("is aHSCT
# risky", "thyroid after transplant"). Dropped from a query unless nothing else is left.
STOPWORDS = frozenset((
    "a", "about", "after", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "by", "can",
    "could", "do", "does", "did", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it",
    "its", "me", "my", "of", "on", "or", "our", "should", "so", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "why", "will", "with", "would", "you", "your", "s"))

# Irregular forms the suffix rules cannot reach, mapped to the form their regular kin reach.
_IRREGULAR = {"mice": "mouse", "children": "child", "women": "woman", "men": "man", "died": "die",
              "dies": "die", "dying": "die", "analyses": "analysis", "criteria": "criterion"}
# Endings that look like plurals but are not ("sclerosis", "status", "class").
_NOT_PLURAL = ("ss", "us", "is", "ous")


_CACHE_LIMIT = 65536


class _Stems(dict[str, str]):
    """Each word's stem, worked out on first sight: a compile asks for millions, of few words.

    A dict with ``__missing__`` rather than ``lru_cache``: a hit is one C lookup, so ``terms``
    can map it over a text's words without a Python call per word. Emptied when full, which
    bounds it as the LRU cache did (registry numbers make many words that are seen once).
    """

    def __missing__(self, word: str) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        found = self[word] = _stem(word)
        return found


_STEMS = _Stems()
_STEM_OF = _STEMS.__getitem__


def stem(word: str) -> str:
    """The key a lower-case word is indexed under: 'deaths' -> 'death', 'transplantation' -> 'transplant'.

    Words with digits (registry numbers, years) and words of three letters or fewer (MS, MSC,
    EAE) are kept as they are, so identifiers never change.
    """
    return _STEMS[word]


def _stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    word = _IRREGULAR.get(word, word)
    word = _singular(word)
    for suffix, keep in (("ation", 4), ("ment", 4), ("ing", 3), ("ed", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and _VOWEL.search(word[:-len(suffix)]):
            word = word[:-len(suffix)]
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # "running" -> "run", but "controlled" -> "control" below
            break
    if word.endswith("ll") and len(word) > 5:
        word = word[:-1]
    if word.endswith("i") and len(word) > 3:
        word = word[:-1] + "y"  # "studied" -> "studi" -> "study"
    if len(word) > 3 and word[-1] in "ey" and word[-2] not in "aeiouy":
        word = word[:-1]  # "relapse"/"relapsed" -> "relaps", "risky"/"risk", "therapy"/"therapies"
    return word


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_NOT_PLURAL):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order: runs of letters and digits."""
    if text.isascii():
        return ascii_words(text, lower=True)
    return _WORD.findall(text.lower())


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_AS_WRITTEN = bytes(byte if byte in _WORD_BYTES else 32 for byte in range(256))
_LOWERED = bytes(byte if byte in _WORD_BYTES else 32 for byte in range(256)).lower()


def ascii_words(text: str, lower: bool = False) -> list[str]:
    """The runs of ASCII letters, digits and '_' in an all-ASCII ``text``, in order (lower-cased
    with ``lower``): there they are exactly the regex's ``\\w+`` words.

    Every other character becomes a space in one ``bytes.translate`` and ``split`` cuts at the
    spaces: a few times faster than a regex's ``findall``, and a compile splits every field of
    every record.
    """
    return text.encode("ascii").translate(_LOWERED if lower else _AS_WRITTEN).decode("ascii").split()


def spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of ``text`` with its position and its stem, for marking matches in a snippet."""
    return [(found.start(), found.end(), stem(found.group(0).lower())) for found in _WORD.finditer(text)]


def terms(text: str) -> set[str]:
    """The distinct stems of ``text``: what the index records for one field."""
    if text.isascii():  # ``words`` inlined: a compile asks this of every searched field of every record
        return set(map(_STEM_OF, text.encode("ascii").translate(_LOWERED).decode("ascii").split()))
    return set(map(_STEM_OF, _WORD.findall(text.lower())))
