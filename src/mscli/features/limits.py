"""Eligibility limits in the words registries use ("18 to 55 years", "at least 2 relapses").

Apart from the checks in ``match`` so that the checker stays about judging, not wording.
"""

from __future__ import annotations


def range_text(low: float | None, high: float | None, unit: str = "", number: str = "{:g}") -> str:
    """A limit as people read it; EDSS keeps its decimal (6.0, not 6)."""
    if low is not None and high is not None:
        return f"{number.format(low)} to {number.format(high)}{unit}"
    if low is not None:
        return f"{number.format(low)}{unit} or more (no upper limit)"
    return f"up to {number.format(high)}{unit}" if high is not None else ""


def relapse_text(low: int | None, high: int | None) -> str:
    def count(n: int) -> str:
        return f"{n} relapse{'' if n == 1 else 's'}"

    if low is not None and high is not None:
        return f"{low} to {count(high)}"
    if low is not None:
        return f"at least {count(low)}"
    return "no relapse" if high == 0 else f"at most {count(high or 0)}"


def duration_text(low: float | None, high: float | None, strict_low: bool, strict_high: bool) -> str:
    """A disease-duration limit in words, saying whether each bound is itself allowed."""
    if not (strict_low or strict_high):
        return range_text(low, high, " years")
    parts = []
    if low is not None:
        parts.append(f"more than {low:g} years" if strict_low else f"{low:g} years or more")
    if high is not None:
        parts.append(f"under {high:g} years" if strict_high else f"up to {high:g} years")
    return " and ".join(parts)
