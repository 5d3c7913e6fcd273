"""The view of ``mscli search``: each hit with the snippet that shows why it matched.

JSON keeps every hit whole (``snippet`` as plain text, ``matched`` field names, ``total`` hits
in all); a table marks the matched words in bold on a colour terminal and says how many more
hits ``--limit`` would show. Piped text carries no markup at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from mscli.model import labels as words
from mscli.output.render import View
from mscli.output.views import listing


def search_view(results: Any, query: str) -> View:
    hits = results["hits"]
    # A hit's type, id, title and snippet are plain strings, never marked unverified: read as
    # they are, since listing every hit of a common word makes a row for each.
    view = listing(hits, "search-hit", [
        ("type", itemgetter("type")),
        ("id", itemgetter("id")),
        ("title", itemgetter("title")),
        ("snippet", itemgetter("snippet")),
        ("matched in", lambda hit: ", ".join(hit["matched"])),
    ], title=f"Search: {query}", labels={"type": words.RECORD_TYPE_LABELS}, short={"title": 40},
        optional=["matched in", "title"], notes=search_notes(results))
    view.emphasis = frozenset(results["terms"])
    view.floats = _scores  # a hit holds strings, lists of them, its total and its score: the one float
    view.aside = True
    return view


def _scores(hits: list[Any]) -> Iterable[float]:
    return map(_SCORE, hits)


_SCORE = itemgetter("score")


def search_notes(results: Any) -> list[str]:
    """What a person should know beside the hits: more not shown, or words no hit holds."""
    hits = results["hits"]
    notes = []
    if hits and not results["complete"]:
        notes.append("No record holds every word; these hold the most of them (missing: "
                     + "; ".join(sorted({", ".join(hit["missing"]) for hit in hits if hit["missing"]})) + ").")
    more = results["total"] - len(hits)
    if more > 0:
        notes.append(f"{more} more: use --limit {results['total']} to see all (or --limit 0).")
    return notes
