"""What makes a pre-screen safe to read: which trials can be joined, what was not checked.

Kept apart from match.py's criterion checks: these rules decide how a screen is labelled so
that it cannot be mistaken for a place in a trial (closed trials, criteria held only as text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mscli.model.vocabularies import Status

if TYPE_CHECKING:
    from mscli.model.records import Eligibility

# Statuses in which a person can still join a trial; every other one is closed to them.
JOINABLE = frozenset({Status.RECRUITING, Status.NOT_YET_RECRUITING, Status.ENROLLING_BY_INVITATION})
CLOSED_LABEL = "closed: cannot join"

# Free-text criteria about facts a person can state: when a trial's unstructured criteria
# mention one the person gave, mscli cannot say the person meets them, so it does not.
# Compiled on first use: a profile that gives none of these facts (most do not) never needs
# them, and compiling them took a tenth of ``match``'s start-up.
_UNSTRUCTURED_TOPICS: dict[str, tuple[str, int]] = {
    "relapses_last_year": (r"\brelaps", re.IGNORECASE),
    "active_mri": (r"\b(?:gadolinium|enhancing|new (?:T2 )?lesions?|MRI activity|active MRI|disease activity|"
                   r"active disease|inflammatory activity)", re.IGNORECASE),
    "prior_treatments": (r"\b(?:prior|previous|earlier|failed|refractory|despite)\b[^.;]{0,60}"
                         r"\b(?:treatment|therap|DMT|drug)", re.IGNORECASE),
}


_MS = re.compile(r"multiple sclerosis|clinically isolated syndrome|\b(?:MS|RRMS|SPMS|PPMS|RMS|PMS|CIS)\b",
                 re.IGNORECASE)


def names_ms(conditions: Sequence[str]) -> bool:
    """Whether a trial's listed conditions include MS (any type), as registries write it."""
    return any(_MS.search(item) for item in conditions)


def unstructured(criteria: Eligibility | None) -> list[str]:
    """The trial's criteria mscli holds only as text, one item a line or sentence."""
    if not criteria:
        return []
    text = "\n".join(part for part in (criteria.get("notes"), criteria.get("criteria")) if part)
    return [item.strip() for item in re.split(r"\n+|(?<=[.;])\s+", text) if len(item.strip()) > 3]


def stated_but_unchecked(items: Sequence[str], given: Mapping[str, object]) -> list[str]:
    """Facts the person gave that an unstructured criterion concerns (so only the team can judge)."""
    return [fact for fact, (pattern, flags) in _UNSTRUCTURED_TOPICS.items()
            if given[fact] is not None and any(re.compile(pattern, flags).search(item) for item in items)]


def summary(overall_label: str, checked: int, unchecked: int) -> str:
    """The overall label with how much it rests on: "meets the 3 criteria checked; 4 not checked"."""
    tail = f"; {unchecked} not checked" if unchecked else ""
    criteria = "criterion" if checked == 1 else "criteria"
    if overall_label == "may be eligible":
        return f"meets the {checked} {criteria} checked{tail}"
    return f"{overall_label} ({checked} {criteria} checked{tail})"


def profile_text(profile: Mapping[str, object], facts: dict[str, str]) -> str:
    """The profile in one line, as checked, so the answer cannot be read for someone else's."""
    given = [f"{facts[key].split(' (')[0]} {_given(value)}" for key, value in profile.items()
             if value is not None]
    return "; ".join(given) if given else "no facts given"


def _given(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    return f"{value:g}" if isinstance(value, float) else str(value)
