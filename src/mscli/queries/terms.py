"""Link records to the glossary: which glossary terms a record's text uses, and the reverse.

The compiled store keeps each record's terms (worked out by ``loading.links`` when it is
built, so they cannot go stale: any edit rebuilds it); ``terms_in`` takes them from there when
the caller has them, and otherwise finds them in the text the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mscli.model.kinds import KINDS, normalise_key

if TYPE_CHECKING:
    from mscli.loading.store import Store
    from mscli.model.records import Dataset, GlossaryTerm


def terms_in(dataset: Dataset, record: Any, links: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Ids of the glossary terms a record uses, in glossary order (a term never lists itself).

    ``links`` holds the terms the store kept, by record id; with them, the text matching (its
    module and its regexes) is not even loaded.
    """
    if links is not None and record["id"] in links:
        return list(links[record["id"]])
    from mscli.loading.links import Linker

    return Linker(dataset["glossary"]).terms_in(record)


def used_by(dataset: Dataset, term: GlossaryTerm) -> list[dict[str, str]]:
    """Every record that uses a glossary term, as {type, id}, in collection order."""
    from mscli.loading.links import LINKED, record_text, uses

    found = []
    for collection in LINKED:
        for record in dataset[collection]:
            if record["id"] != term["id"] and uses(term, record_text(record)):
                found.append({"type": KINDS[collection].word, "id": record["id"]})
    return found


def dataset_naming(source: Store, queries: Sequence[str]) -> Dataset:
    """Every record (a therapy's report lists all its trials), after reading the trials each query
    names through the name index, which keeps their glossary terms in the store's ``links``: so
    their details need no text matching, and no glossary pattern is compiled."""
    for query in queries:
        source.trials_named(normalise_key(query))
    return source.dataset()
