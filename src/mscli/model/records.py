"""The record types of the dataset and their controlled vocabularies.

This module is the one source of truth for field names and allowed values: the validator reads
the TypedDicts below to check YAML, the CLI builds its choices from the enums, and JSON output
uses the same keys. Records are plain dicts so that a cached dataset loads with no conversion.
"""

import re
from enum import StrEnum
from typing import Annotated, Literal, NotRequired, TypedDict

from mscli.model.fields import Shorthand


class Phase(StrEnum):
    EARLY_1 = "early-1"  # ClinicalTrials.gov "Early Phase 1" (formerly phase 0)
    P1 = "1"
    P1_2 = "1/2"
    P2 = "2"
    P2_3 = "2/3"
    P3 = "3"
    P4 = "4"
    NA = "n/a"


class Status(StrEnum):
    NOT_YET_RECRUITING = "not-yet-recruiting"
    RECRUITING = "recruiting"
    ENROLLING_BY_INVITATION = "enrolling-by-invitation"
    ACTIVE_NOT_RECRUITING = "active-not-recruiting"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    """What a trial's results show, worded so that no label reads as more than the evidence.

    Only a randomised comparison can "meet" a primary endpoint; a single-arm cohort that
    reports improvement is ``uncontrolled-improvement``.
    """

    MET_RANDOMISED = "met-randomised"            # primary endpoint met in a randomised comparison
    NOT_MET = "not-met"                          # primary endpoint not met
    SAFETY_FEASIBILITY = "safety-feasibility"    # safety and feasibility only: no efficacy test
    UNCONTROLLED_IMPROVEMENT = "uncontrolled-improvement"  # improvement reported, no control group
    STOPPED_EARLY = "stopped-early"              # terminated or suspended (why_stopped says why)
    WITHDRAWN = "withdrawn"                      # withdrawn before anyone took part
    PENDING = "pending"                          # still running, or finished recently: no results yet
    NOT_FOUND = "not-found"                      # finished, but no posted or published results found
    NOT_ASSESSED = "not-assessed"  # nobody has read the results for mscli (imported records)


class DateKind(StrEnum):
    """Whether a registry date has happened or is the plan (ClinicalTrials.gov ACTUAL / ESTIMATED)."""

    ACTUAL = "actual"
    ANTICIPATED = "anticipated"


class Payment(StrEnum):
    """Whether people pay to take part: pay-to-participate schemes exist and people must know."""

    NO_CHARGE = "no-charge"            # the registry, protocol or paper says participants do not pay
    PARTICIPANTS_PAY = "participants-pay"
    NOT_STATED = "not-stated"


class Origin(StrEnum):
    """Where a record came from when it was not written by the dataset's editors."""

    IMPORTED = "imported"  # converted by 'mscli import' from a registry file; not reviewed


class Sex(StrEnum):
    ALL = "all"
    FEMALE = "female"
    MALE = "male"


class InterventionKind(StrEnum):
    """ClinicalTrials.gov intervention types, in mscli's lowercase-hyphen spelling."""

    BEHAVIOURAL = "behavioural"
    BIOLOGICAL = "biological"
    COMBINATION_PRODUCT = "combination-product"
    DEVICE = "device"
    DIAGNOSTIC_TEST = "diagnostic-test"
    DIETARY_SUPPLEMENT = "dietary-supplement"
    DRUG = "drug"
    GENETIC = "genetic"
    PROCEDURE = "procedure"
    RADIATION = "radiation"
    OTHER = "other"


class ArmKind(StrEnum):
    """ClinicalTrials.gov arm group types."""

    EXPERIMENTAL = "experimental"
    ACTIVE_COMPARATOR = "active-comparator"
    PLACEBO_COMPARATOR = "placebo-comparator"
    SHAM_COMPARATOR = "sham-comparator"
    NO_INTERVENTION = "no-intervention"
    OTHER = "other"


class Blinding(StrEnum):
    OPEN_LABEL = "open-label"
    SINGLE_BLIND = "single-blind"
    DOUBLE_BLIND = "double-blind"
    ASSESSOR_BLIND = "assessor-blind"


class Route(StrEnum):
    INTRAVENOUS = "intravenous"
    INTRATHECAL = "intrathecal"
    INTRACEREBROVENTRICULAR = "intracerebroventricular"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"


class MsType(StrEnum):
    CIS = "CIS"
    RRMS = "RRMS"
    SPMS = "SPMS"
    PPMS = "PPMS"


class MriActivity(StrEnum):
    """What a trial asks of recent MRI activity (new or gadolinium-enhancing lesions)."""

    REQUIRED = "required"
    EXCLUDED = "excluded"


class Criterion(StrEnum):
    """The eligibility criteria mscli can check against a person's profile (``mscli match``)."""

    CONDITION = "condition"
    SEX = "sex"
    MS_TYPE = "ms-type"
    AGE = "age"
    EDSS = "edss"
    DISEASE_DURATION = "disease-duration"
    RELAPSES = "relapses"
    MRI_ACTIVITY = "mri-activity"
    DISEASE_ACTIVITY = "disease-activity"
    PRIOR_TREATMENT = "prior-treatment"


class Design(StrEnum):
    """Design features a trial can be filtered on (``--design``)."""

    RANDOMISED = "randomised"
    CONTROLLED = "controlled"
    BLINDED = "blinded"
    CROSSOVER = "crossover"


class Chemotherapy(StrEnum):
    REQUIRED = "required"
    NOT_REQUIRED = "not-required"
    VARIES = "varies"


class Aim(StrEnum):
    IMMUNE_RESET = "immune-reset"
    REPAIR = "repair"
    IMMUNE_MODULATION_AND_REPAIR = "immune-modulation-and-repair"
    UNCLEAR = "unclear"


class Availability(StrEnum):
    STANDARD_CARE_SOME_COUNTRIES = "standard-care-some-countries"
    TRIALS_ONLY = "trials-only"
    RESEARCH_ONLY = "research-only"
    UNPROVEN = "unproven"


class SourceKind(StrEnum):
    JOURNAL_ARTICLE = "journal-article"
    REVIEW = "review"
    GUIDELINE = "guideline"
    REGISTRY_RECORD = "registry-record"
    WEB_PAGE = "web-page"
    NEWS = "news"
    POSITION_STATEMENT = "position-statement"
    PROTOCOL = "protocol"


class StudyKind(StrEnum):
    LAB = "lab"
    ANIMAL = "animal"
    COHORT = "cohort"
    REGISTRY_ANALYSIS = "registry-analysis"
    META_ANALYSIS = "meta-analysis"
    SYSTEMATIC_REVIEW = "systematic-review"
    CASE_SERIES = "case-series"


class GuidanceKind(StrEnum):
    CONSENSUS = "consensus"
    POSITION_STATEMENT = "position-statement"
    GUIDELINE = "guideline"
    ADVICE = "advice"


class EnrolmentKind(StrEnum):
    PLANNED = "planned"
    ACTUAL = "actual"
    ANALYSED = "analysed"


class FlagCheck(StrEnum):
    """How ``mscli clinic --offer`` looks for a red flag in a clinic's text (keyword checks only)."""

    NO_REGISTRY_NUMBER = "no-registry-number"      # raised when the text quotes no registry number
    PHRASE_PRESENT = "phrase-present"              # raised when any of the flag's phrases appears
    PHRASE_ABSENT = "phrase-absent"                # raised when none of the flag's phrases appears
    THERAPY_AVAILABILITY = "therapy-availability"  # raised when a named therapy is not standard care
    NOT_CHECKED = "not-checked"                    # only a person asking the clinic can check it


class ExclusionReason(StrEnum):
    """Why a registration found by a search is not in the dataset."""

    OBSERVATIONAL = "observational"
    NOT_MS = "not-ms"
    NOT_STEM_CELL = "not-stem-cell"      # e.g. CAR-T, T-cell vaccines, drugs given with a transplant
    DUPLICATE = "duplicate"              # another registration of a trial already included
    CANNOT_VERIFY = "cannot-verify"
    NOT_A_TRIAL = "not-a-trial"          # registry entries that are not interventional studies


class OutcomeKind(StrEnum):
    """What an outcome finding measures (rows of ``mscli compare --by outcome``)."""

    RELAPSES = "relapses"
    DISABILITY = "disability"
    MRI_LESIONS = "mri-lesions"
    NEDA = "neda"
    TREATMENT_RELATED_DEATHS = "treatment-related-deaths"
    SERIOUS_ADVERSE_EVENTS = "serious-adverse-events"


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

CollectionName = Literal["therapies", "trials", "studies", "guidance", "sources", "glossary", "red_flags",
                         "outcomes", "searches"]

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


# Trial fields the compiled cache indexes: a filter on these parses only the trials that pass.
INDEXED_TRIAL_FIELDS = ("therapy", "phase", "status", "start_year", "end_year")


def start_order(trial: Trial) -> tuple[int, str]:
    """The default order of trial listings: by start year, undated last, then id (unique, so the
    order is total). The compiled cache keeps this order, so a default listing can stream."""
    return (trial["start_year"] or 9999, trial["id"])

# The therapy of a trial whose interventions name no therapy mscli knows clearly. It is not a
# therapy record, so no therapy may have this id.
UNCLASSIFIED = "unclassified"

# Formats a field's value must have; compiled on first use (validation, a registry lookup), as
# most runs read only the compiled store and need none of them.
_FORMATS = {"SLUG": r"[a-z0-9]+(?:-[a-z0-9]+)*", "DATE": r"\d{4}-\d{2}-\d{2}", "DOI": r"10\.\d{4,9}/\S+",
            "PMID": r"[1-9]\d{0,8}"}
SLUG: re.Pattern[str]
DATE: re.Pattern[str]
DOI: re.Pattern[str]
PMID: re.Pattern[str]

# Registry number formats, by registry. NCT, ISRCTN and EudraCT are the ones MS trials use;
# the others cover national arms registered elsewhere.
_REGISTRY_FORMATS = {
    "ClinicalTrials.gov": r"NCT\d{8}",
    "ISRCTN": r"ISRCTN\d{8}",
    "EudraCT": r"\d{4}-\d{6}-\d{2}",
    "CTIS": r"\d{4}-\d{6}-\d{2}-\d{2}",
    "ANZCTR": r"ACTRN\d{14}",
    "IRCT": r"IRCT\d{8,}N\d+",
    "ChiCTR": r"ChiCTR[-A-Za-z0-9]{6,}",
    "CTRI": r"CTRI/\d{4}/\d{2,3}/\d{6}",
    "jRCT": r"jRCT\d{10}",
    "DRKS": r"DRKS\d{8}",
}
REGISTRIES: dict[str, re.Pattern[str]]


def __getattr__(name: str) -> object:
    """The patterns above, each compiled when first asked for and kept as a module attribute."""
    if name == "REGISTRIES":
        return _registries()
    if name not in _FORMATS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    pattern = globals()[name] = re.compile(_FORMATS[name])
    return pattern


def _registries() -> dict[str, re.Pattern[str]]:
    registries: dict[str, re.Pattern[str]] | None = globals().get("REGISTRIES")
    if registries is None:
        registries = globals()["REGISTRIES"] = {name: re.compile(form) for name, form in _REGISTRY_FORMATS.items()}
    return registries


def registry_of(registration_id: str) -> str | None:
    """Name the registry a registration number belongs to, or None if the format is unknown."""
    for name, pattern in _registries().items():
        if pattern.fullmatch(registration_id):
            return name
    return None
