"""The copies a source was read in (``seen_at``), as text for people: one wording for the
tables, the citations and the report, so that a copy never reads as the source's address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mscli.model.records import Copy, Source


def copy_text(copy: Copy) -> str:
    """``https://… (Table 3)``: the address first, whole, so it can be copied."""
    return f"{copy['url']} ({copy['read']})" if copy["read"] else copy["url"]


def copies_text(copies: Sequence[Copy]) -> str:
    """One copy a line: addresses are long, and a table never splits one."""
    return "\n".join(copy_text(copy) for copy in copies)


def access_note(source: Source) -> str | None:
    """The note a citation carries for the copies: they say where it was read, never what it is."""
    copies = source["seen_at"]
    return f"Seen at {'; '.join(copy_text(copy) for copy in copies)}" if copies else None
