"""The record types of the dataset and their controlled vocabularies.

This module is the one source of truth for field names and allowed values: the validator reads
the TypedDicts below to check YAML, the CLI builds its choices from the enums, and JSON output
uses the same keys. Records are plain dicts so that a cached dataset loads with no conversion.
The vocabularies commands filter on, the field formats and what the store indexes live in
``vocabularies`` (passed on from here), so that a command answering from the compiled store
never builds these types: it names them for its type checker only.
"""

import re
from enum import StrEnum
from typing import Annotated, NotRequired, TypedDict

from mscli.model import vocabularies
from mscli.model.evidence_terms import (
    Availability as Availability,
)
from mscli.model.evidence_terms import (
    Criterion as Criterion,
)
from mscli.model.evidence_terms import (
    EnrolmentKind as EnrolmentKind,
)
from mscli.model.evidence_terms import (
    FlagCheck as FlagCheck,
)
from mscli.model.evidence_terms import (
    GuidanceFit as GuidanceFit,
)
from mscli.model.evidence_terms import (
    Label as Label,
)
from mscli.model.evidence_terms import (
    OutcomeKind as OutcomeKind,
)
from mscli.model.evidence_terms import (
    Overall as Overall,
)
from mscli.model.evidence_terms import (
    Sex as Sex,
)
from mscli.model.fields import Shorthand
from mscli.model.trial_terms import (
    ArmKind as ArmKind,
)
from mscli.model.trial_terms import (
    InterventionKind as InterventionKind,
)
from mscli.model.trial_terms import (
    Origin as Origin,
)
from mscli.model.trial_terms import (
    Outcome as Outcome,
)
from mscli.model.trial_terms import (
    Route as Route,
)
from mscli.model.vocabularies import (
    INDEXED_TRIAL_FIELDS as INDEXED_TRIAL_FIELDS,
)
from mscli.model.vocabularies import (
    UNCLASSIFIED as UNCLASSIFIED,
)
from mscli.model.vocabularies import (
    CollectionName as CollectionName,
)
from mscli.model.vocabularies import (
    Design as Design,
)
from mscli.model.vocabularies import (
    GuidanceKind as GuidanceKind,
)
from mscli.model.vocabularies import (
    MsType as MsType,
)
from mscli.model.vocabularies import (
    Phase as Phase,
)
from mscli.model.vocabularies import (
    SourceKind as SourceKind,
)
from mscli.model.vocabularies import (
    Status as Status,
)
from mscli.model.vocabularies import (
    StudyKind as StudyKind,
)
from mscli.model.vocabularies import (
    registry_of as registry_of,
)
from mscli.model.vocabularies import (
    start_order as start_order,
)


class DateKind(StrEnum):
    """Whether a registry date has happened or is the plan (ClinicalTrials.gov ACTUAL / ESTIMATED)."""

    ACTUAL = "actual"
    ANTICIPATED = "anticipated"


class Payment(StrEnum):
    """Whether people pay to take part: pay-to-participate schemes exist and people must know."""

    NO_CHARGE = "no-charge"            # the registry, protocol or paper says participants do not pay
    PARTICIPANTS_PAY = "participants-pay"
    NOT_STATED = "not-stated"


class Blinding(StrEnum):
    OPEN_LABEL = "open-label"
    SINGLE_BLIND = "single-blind"
    DOUBLE_BLIND = "double-blind"
    ASSESSOR_BLIND = "assessor-blind"


class MriActivity(StrEnum):
    """What a trial asks of recent MRI activity (new or gadolinium-enhancing lesions)."""

    REQUIRED = "required"
    EXCLUDED = "excluded"


class Chemotherapy(StrEnum):
    REQUIRED = "required"
    NOT_REQUIRED = "not-required"
    VARIES = "varies"


class Aim(StrEnum):
    IMMUNE_RESET = "immune-reset"
    REPAIR = "repair"
    IMMUNE_MODULATION_AND_REPAIR = "immune-modulation-and-repair"
    UNCLEAR = "unclear"


class ExclusionReason(StrEnum):
    """Why a registration found by a search is not in the dataset."""

    OBSERVATIONAL = "observational"
    NOT_MS = "not-ms"
    NOT_STEM_CELL = "not-stem-cell"      # e.g. CAR-T, T-cell vaccines, drugs given with a transplant
    DUPLICATE = "duplicate"              # another registration of a trial already included
    CANNOT_VERIFY = "cannot-verify"
    NOT_A_TRIAL = "not-a-trial"          # registry entries that are not interventional studies


class Effect(StrEnum):
    """Which way the therapy group differed from its comparison, as the source reports it.

    ``not-compared`` is for single-arm studies and pooled rates, where there is nothing to
    compare with; the CLI then never says "reduces" or "increases".
    """

    FEWER = "fewer"
    MORE = "more"
    NO_DIFFERENCE = "no-difference"
    NOT_COMPARED = "not-compared"


class CertaintyGrade(StrEnum):
    """GRADE-style certainty levels, stored only when a cited review or guideline gives one."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very-low"


class DatasetInfo(TypedDict):
    title: str
    version: str
    reviewed: str


class Copy(TypedDict):
    """A copy of a source where some of its facts were read: an aggregator, a mirror, a PDF on a
    document-sharing site. A paper read in parts from different copies keeps one source with
    every copy, so that it is cited once, under its own title."""

    url: str
    read: NotRequired[str | None]  # which part was read there ("Table 3"); None: the whole or unsaid


class Source(TypedDict):
    id: str
    kind: SourceKind
    title: str
    publisher: str
    authors: NotRequired[str | None]
    year: NotRequired[int | None]
    date: NotRequired[str | None]
    url: NotRequired[str | None]
    doi: NotRequired[str | None]
    pmid: NotRequired[str | None]
    registry_id: NotRequired[str | None]
    # Where the facts were actually read when that was a copy; ``url`` stays the canonical
    # address. A file may give one address, or a list of addresses and {url, read} mappings.
    seen_at: NotRequired[Annotated[list[Copy], Shorthand("url")]]
    verified: bool
    reviewed: str


class Therapy(TypedDict):
    id: str
    name: str
    aliases: NotRequired[list[str]]
    summary: str
    cell_source: str
    mechanism: str
    chemotherapy: Chemotherapy
    aim: Aim
    availability: Availability
    strongest_evidence: str
    main_risks: list[str]
    who_benefits: str
    who_does_not_benefit: NotRequired[str | None]
    sources: list[str]
    unverified: NotRequired[list[str]]
    reviewed: str


class Registration(TypedDict):
    id: str
    note: NotRequired[str | None]


class TrialDesign(TypedDict):
    randomised: bool
    controlled: bool
    blinding: Blinding
    crossover: bool
    comparator: NotRequired[str | None]


class Wording(TypedDict):
    """A criterion in the words of the trial's registry record (or the guidance), with its source."""

    criterion: Criterion
    text: str
    source: str


class Eligibility(TypedDict):
    """Structured criteria. Limits are inclusive; a limit left out is not checked (no limit or unknown).

    Used for trial eligibility and for the therapy-level "who benefits" profile of guidance.
    """

    ms_types: NotRequired[list[MsType]]
    age_min: NotRequired[int | None]
    age_max: NotRequired[int | None]
    edss_min: NotRequired[float | None]
    edss_max: NotRequired[float | None]
    duration_min_years: NotRequired[float | None]
    duration_max_years: NotRequired[float | None]
    sex: NotRequired[Sex | None]
    healthy_volunteers: NotRequired[bool | None]  # the registry's "accepts healthy volunteers"
    duration_min_strict: NotRequired[bool | None]
    duration_max_strict: NotRequired[bool | None]
    relapses_min: NotRequired[int | None]
    relapses_max: NotRequired[int | None]
    relapses_window_months: NotRequired[int | None]
    mri_activity: NotRequired[MriActivity | None]
    mri_window_months: NotRequired[int | None]
    activity_either: NotRequired[bool | None]
    prior_treatments_min: NotRequired[int | None]
    wording: NotRequired[list[Wording]]
    notes: NotRequired[str | None]
    criteria: NotRequired[str | None]  # the registry's criteria text as written (imported records)
    source: str


class BenefitProfile(Eligibility):
    """Who a guidance document says is most likely to benefit from one therapy, as criteria."""

    therapy: str


class Enrolment(TypedDict):
    count: int
    kind: EnrolmentKind
    source: str
    as_of: str
    note: NotRequired[str | None]


class Intervention(TypedDict):
    name: str
    kind: InterventionKind
    description: NotRequired[str | None]


class Arm(TypedDict):
    label: str
    kind: NotRequired[ArmKind | None]
    description: NotRequired[str | None]
    interventions: NotRequired[list[str]]  # names of the trial's interventions


class Location(TypedDict):
    """A site of a trial, as its registry lists it."""

    facility: NotRequired[str | None]
    city: NotRequired[str | None]
    country: str
    status: NotRequired[str | None]  # the site's own recruitment status, as the registry words it


class Difference(TypedDict):
    field: str
    value: str
    source: str
    as_of: str
    note: NotRequired[str | None]


class Trial(TypedDict):
    id: str
    acronym: NotRequired[str | None]
    title: str
    aliases: NotRequired[list[str]]
    therapy: str
    registrations: NotRequired[list[Registration]]
    phase: Phase
    design: TrialDesign
    eligibility: NotRequired[Eligibility | None]
    enrolment: NotRequired[list[Enrolment]]
    sites: NotRequired[int | None]
    countries: NotRequired[list[str]]
    start_year: NotRequired[int | None]
    end_year: NotRequired[int | None]
    # Dates at the precision the registry gives them (YYYY, YYYY-MM or YYYY-MM-DD); the years
    # above stay for the index and must agree with these.
    start_date: NotRequired[str | None]
    start_date_kind: NotRequired[DateKind | None]
    end_date: NotRequired[str | None]  # study completion date
    end_date_kind: NotRequired[DateKind | None]
    status: Status
    status_checked: NotRequired[str | None]  # YYYY-MM-DD the status was last read in the registry
    why_stopped: NotRequired[str | None]
    sponsor: NotRequired[str | None]
    collaborators: NotRequired[list[str]]
    participant_payment: NotRequired[Payment | None]
    locations: NotRequired[list[Location]]
    results_posted: NotRequired[bool | None]  # results posted on the registry itself
    posted_outcomes: NotRequired[list[str]]  # titles of the outcome measures whose results the registry holds
    routes: NotRequired[list[Route]]
    conditions: NotRequired[list[str]]
    interventions: NotRequired[list[Intervention]]
    arms: NotRequired[list[Arm]]
    dose: NotRequired[str | None]
    primary_endpoint: NotRequired[str | None]
    result: NotRequired[str | None]
    outcome: Outcome
    adverse_events: NotRequired[str | None]
    publications: NotRequired[list[str]]
    sources: list[str]
    differences: NotRequired[list[Difference]]
    unverified: NotRequired[list[str]]
    origin: NotRequired[Origin | None]
    reviewed: str


class Study(TypedDict):
    id: str
    title: str
    kind: StudyKind
    therapy: str
    aliases: NotRequired[list[str]]
    year: NotRequired[int | None]
    countries: NotRequired[list[str]]
    participants: NotRequired[int | None]
    summary: str
    finding: str
    sources: list[str]
    unverified: NotRequired[list[str]]
    reviewed: str


class Guidance(TypedDict):
    id: str
    title: str
    kind: GuidanceKind
    publisher: str
    year: NotRequired[int | None]
    countries: NotRequired[list[str]]
    therapies: list[str]
    summary: str
    key_points: NotRequired[list[str]]
    benefit_profile: NotRequired[BenefitProfile | None]
    sources: list[str]
    unverified: NotRequired[list[str]]
    reviewed: str


class GlossaryTerm(TypedDict):
    id: str
    term: str
    aliases: NotRequired[list[str]]
    definition: str
    sources: list[str]
    reviewed: str


class RedFlag(TypedDict):
    """A warning sign in an offer of stem cell treatment, with the questions that test it."""

    id: str
    title: str
    why: str
    questions: list[str]
    check: FlagCheck
    check_note: str
    phrases: NotRequired[list[str]]
    sources: list[str]
    unverified: NotRequired[list[str]]
    reviewed: str



class Certainty(TypedDict):
    """A certainty rating quoted from a review or guideline that graded this evidence."""

    grade: CertaintyGrade
    system: str
    source: str
    applies_to: str


class OutcomeFinding(TypedDict):
    id: str
    therapy: str
    outcome: OutcomeKind
    measure: str
    evidence: str
    finding: str
    effect: Effect
    n: NotRequired[int | None]
    follow_up: NotRequired[str | None]
    figures: NotRequired[list[str]]
    certainty: NotRequired[Certainty | None]
    sources: list[str]
    unverified: NotRequired[list[str]]
    reviewed: str


class Exclusion(TypedDict):
    """A registration a search found and the dataset leaves out, with why."""

    registration: str
    title: NotRequired[str | None]
    reason: ExclusionReason
    note: NotRequired[str | None]


class Search(TypedDict):
    """One search of a registry or literature database, kept so that the next update repeats it."""

    id: str
    database: str          # "ClinicalTrials.gov", "EU CTR", "ISRCTN", "WHO ICTRP", "PubMed", ...
    query: str             # the query exactly as run
    url: NotRequired[str | None]
    date: str              # YYYY-MM-DD the search was run
    found: int             # registrations or records the search returned
    included: list[str]    # trial ids in the dataset that this search found
    excluded: NotRequired[list[Exclusion]]
    note: NotRequired[str | None]
    sources: list[str]
    reviewed: str


Record = Therapy | Trial | Study | Guidance | Source | GlossaryTerm | RedFlag | OutcomeFinding | Search

# Collection name -> (record type, the singular word used in output).
COLLECTIONS: dict[CollectionName, tuple[type, str]] = {
    "therapies": (Therapy, "therapy"),
    "trials": (Trial, "trial"),
    "studies": (Study, "study"),
    "guidance": (Guidance, "guidance"),
    "sources": (Source, "source"),
    "glossary": (GlossaryTerm, "term"),
    "red_flags": (RedFlag, "red flag"),
    "outcomes": (OutcomeFinding, "outcome finding"),
    "searches": (Search, "search"),
}


class Dataset(TypedDict):
    dataset: DatasetInfo
    therapies: list[Therapy]
    trials: list[Trial]
    studies: list[Study]
    guidance: list[Guidance]
    sources: list[Source]
    glossary: list[GlossaryTerm]
    red_flags: list[RedFlag]
    outcomes: list[OutcomeFinding]
    searches: list[Search]


SLUG: re.Pattern[str]
DATE: re.Pattern[str]
DOI: re.Pattern[str]
PMID: re.Pattern[str]
REGISTRIES: dict[str, re.Pattern[str]]


def __getattr__(name: str) -> object:
    """The field formats and registry patterns, compiled when first asked for (``vocabularies``)."""
    return getattr(vocabularies, name)
