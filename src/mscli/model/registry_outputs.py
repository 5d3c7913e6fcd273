"""What ``mscli registry check`` and ``mscli registry search`` print as JSON.

Kept beside ``outputs`` (which names them in ``SCHEMA_TYPES``) so that module stays small;
like every output type, each field is always present, ``null`` when unknown.
"""


from enum import StrEnum
from typing import TypedDict


class CheckedField(StrEnum):
    """The registry facts a check compares, in the order shown."""

    STATUS = "status"
    ENROLMENT = "enrolment"
    START = "start"
    PRIMARY_COMPLETION = "primary-completion"
    COMPLETION = "completion"
    RESULTS_POSTED = "results-posted"
    LAST_UPDATE = "last-update"


class Comparison(StrEnum):
    SAME = "same"
    CHANGED = "changed"
    NOT_RECORDED = "not-recorded"    # mscli's dataset has no value to compare
    NOT_ON_REGISTRY = "not-on-registry"  # the registry record gives no value


class CheckOutcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    NOT_FOUND = "not-found"  # the registry has no record under this number


class FieldCheck(TypedDict):
    """One fact: mscli's value and the date it held on, the registry's value and its date."""

    field: CheckedField
    old: str | None
    old_as_of: str | None   # when mscli's value was read (status check, enrolment date, review)
    new: str | None
    new_as_of: str | None   # the registry record's last update
    comparison: Comparison


class RegistryCheck(TypedDict):
    """``mscli registry check``: one registration of one trial against the live record."""

    trial: str
    registration: str
    url: str
    reviewed: str
    checked: str
    outcome: CheckOutcome
    changed: list[CheckedField]
    fields: list[FieldCheck]
    message: str | None


class SearchFind(TypedDict):
    """``mscli registry search``: one study the dataset's strategy finds that mscli lacks."""

    registration: str
    title: str
    status: str | None
    phases: list[str]
    study_type: str | None
    start: str | None
    last_update: str | None
    matched: list[str]        # the strategy's terms the study matched, and in which field
    strategy: list[str]       # ids of the dataset's search-log records the terms come from
    excluded_before: str | None  # the reason an earlier search left it out, when one did
    url: str
    import_hint: str
