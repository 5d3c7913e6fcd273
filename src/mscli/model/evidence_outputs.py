"""The JSON shapes of the evidence commands: ``compare --by outcome``, ``clinic --offer`` and
``match`` (with and without ``--trial``).

They sit in the model, beside ``outputs``, so that ``mscli schema`` can publish them and the
features that build them are type-checked against the same definitions. The labels a
pre-screen and an outcome row use are vocabularies of their own: the outcome row's here, the
pre-screen's in ``evidence_terms`` (``match`` words its answer in them without these shapes).
"""


from enum import StrEnum
from typing import Any, TypedDict

from mscli.model.evidence_terms import GuidanceFit as GuidanceFit
from mscli.model.evidence_terms import Label as Label
from mscli.model.evidence_terms import Overall as Overall
from mscli.model.records import Availability, Criterion, FlagCheck, MsType, OutcomeFinding, OutcomeKind, Sex, Status


class EvidenceStage(StrEnum):
    """How far a finding's study design gets, weakest first (the order is used to rank)."""

    PRECLINICAL = "preclinical"
    NON_RANDOMISED = "non-randomised"
    RANDOMISED_PHASE_2 = "randomised-phase-2"
    RANDOMISED_PHASE_3 = "randomised-phase-3"


# --- compare --by outcome ----------------------------------------------------------------------

class ExplainedFinding(OutcomeFinding):
    evidence_stage: EvidenceStage | None
    graded: bool
    plain_words: str
    certainty_text: str


class OutcomeCell(TypedDict):
    therapy: str
    evidence_stage: EvidenceStage | None  # the best design among the findings
    graded: bool  # whether any finding carries a grade from a cited source
    findings: list[ExplainedFinding]


class OutcomeRow(TypedDict):
    """``mscli compare ID ID --by outcome``: one outcome, with each therapy's findings."""

    outcome: OutcomeKind
    label: str
    therapies: list[OutcomeCell]


# --- clinic --offer ----------------------------------------------------------------------------

class OfferInput(TypedDict):
    kind: str
    name: str
    format: str
    characters: int
    lines: int


class QuotedNumber(TypedDict):
    number: str
    registry: str | None
    in_dataset: bool  # absence from the dataset is not proof that it is unregistered
    trial: str | None
    trial_status: Status | None
    trial_therapy: str | None
    line: int
    context: str


class NamedTherapy(TypedDict):
    id: str
    name: str
    availability: Availability
    matched: list[str]
    contrasted: bool  # named only in contrast or denial ("unlike HSCT")
    line: int
    context: str


class FlagMatch(TypedDict):
    phrase: str
    text: str
    line: int
    context: str


class FlagResult(TypedDict):
    id: str
    title: str
    check: FlagCheck
    raised: bool | None  # None: not checkable from text; False is "not found", never a pass
    status: str
    matches: list[FlagMatch]
    check_note: str
    questions: list[str]
    sources: list[str]


class OfferCheck(TypedDict):
    """``mscli clinic --offer``: what a clinic's text quotes, names and raises."""

    input: OfferInput
    registry_numbers: list[QuotedNumber]
    therapies: list[NamedTherapy]
    flags: list[FlagResult]
    raised: list[str]
    notes: list[str]


# --- match -------------------------------------------------------------------------------------

# Label values as keys ("does not meet"), so the functional form.
LabelCounts = TypedDict("LabelCounts", {"meets": int, "does not meet": int, "not enough information": int})


class Wording(TypedDict):
    text: str
    source: str


class CriterionCheck(TypedDict):
    criterion: Criterion
    label: Label
    value: Any  # the person's fact, as given
    limit: str
    wording: list[Wording]
    source: str
    missing_facts: list[str]


class TrialScreen(TypedDict):
    """``mscli match --trial ID``: one trial checked criterion by criterion."""

    type: str
    id: str
    acronym: str | None
    title: str
    therapy: str
    status: Status
    joinable: bool
    overall: str  # an Overall label, or "closed: cannot join"
    screened: Overall
    summary: str
    counts: LabelCounts
    not_checked: int
    criteria: list[CriterionCheck]
    missing_facts: list[str]
    unstructured_about_stated_facts: list[str]
    other_criteria: str | None
    source: str | None


class GuidanceScreen(TypedDict):
    type: str
    id: str
    title: str
    publisher: str
    therapy: str
    overall: GuidanceFit
    counts: LabelCounts
    criteria: list[CriterionCheck]
    missing_facts: list[str]
    other_criteria: str | None
    source: str


class ScreenProfile(TypedDict):
    age: int | None
    ms_type: MsType | None
    edss: float | None
    years_since_onset: float | None
    relapses_last_year: int | None
    active_mri: bool | None
    prior_treatments: list[str] | None
    sex: Sex | None


class MatchResult(TypedDict):
    """``mscli match``: every joinable trial and guidance profile checked against a profile."""

    profile: ScreenProfile
    trials: list[TrialScreen]
    profile_text: str
    guidance: list[GuidanceScreen]
    closed_left_out: int

