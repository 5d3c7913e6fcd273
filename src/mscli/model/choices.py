"""Fixed choices of command options that belong to no dataset record.

They live apart from the modules that act on them so the CLI can declare its options at
start-up without importing those modules (each costs milliseconds on every run).
"""

from enum import StrEnum


class ChartBy(StrEnum):
    """How ``mscli timeline --chart`` groups trials."""

    THERAPY = "therapy"
    PHASE = "phase"
    YEAR = "year"


class CompareBy(StrEnum):
    """What ``compare`` puts in its rows."""

    ASPECT = "aspect"
    OUTCOME = "outcome"


class CiteFormat(StrEnum):
    TEXT = "text"
    BIBTEX = "bibtex"
    RIS = "ris"
    CSL_JSON = "csl-json"


# How many hits ``mscli search`` shows unless told otherwise (``--limit 0`` shows all).
SEARCH_LIMIT = 10
