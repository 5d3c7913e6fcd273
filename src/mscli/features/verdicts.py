"""The labels a pre-screen gives: one per criterion, one per trial, one per guidance profile.

Kept apart from ``match`` so that views and other features can name them without the checker.
"""

from enum import StrEnum


class Label(StrEnum):
    MEETS = "meets"
    DOES_NOT_MEET = "does not meet"
    UNKNOWN = "not enough information"


class Overall(StrEnum):
    """One label per trial: "may be eligible" only when every checked criterion is met."""

    MAY_BE_ELIGIBLE = "may be eligible"
    NOT_ELIGIBLE = "not eligible"
    UNKNOWN = "not enough information"


class GuidanceFit(StrEnum):
    """One label per guidance profile, worded apart from trial eligibility on purpose."""

    WITHIN = "within the profile"
    OUTSIDE = "outside the profile"
    UNKNOWN = "not enough information"
