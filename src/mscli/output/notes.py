"""Notes that say what an answer left out, worded once for every command that leaves it out."""

from __future__ import annotations


def undated_note(count: int, since: int | None, until: int | None) -> str | None:
    """How many trials a year range left out because their recorded years cannot place them.

    Without it a range would drop them without a word, and a reader would take the list for
    every trial that ran in those years.
    """
    if not count:
        return None
    if since is not None and until is not None:
        years = f"{since}-{until}" if since != until else str(since)
    else:
        years = f"{since} or later" if since is not None else f"{until} or earlier"
    if count == 1:
        trials, records, them = "trial", "its record lacks", "it"
    else:
        trials, records, them = "trials", "their records lack", "them"
    return (f"{count} {trials} left out because {records} the years to place {them} in {years} "
            f"(no start or no end year); add --include-undated to list {them}.")
