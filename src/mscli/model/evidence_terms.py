"""The vocabularies of the evidence commands (``match``, ``clinic --offer``, ``compare --by
outcome``, ``timeline``): the eligibility criteria a pre-screen checks and the labels it answers
in, how a red flag is looked for, whether a therapy is available, what an outcome finding
measures and what kind of enrolment figure a trial gives.

Kept out of ``vocabularies``, which every command imports, because building an enum costs
about a tenth of a millisecond of start-up and only these commands (and the validator, through
``records``, which passes them on) use these.
"""

from enum import StrEnum


class Sex(StrEnum):
    ALL = "all"
    FEMALE = "female"
    MALE = "male"


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


class Availability(StrEnum):
    STANDARD_CARE_SOME_COUNTRIES = "standard-care-some-countries"
    TRIALS_ONLY = "trials-only"
    RESEARCH_ONLY = "research-only"
    UNPROVEN = "unproven"


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


class OutcomeKind(StrEnum):
    """What an outcome finding measures (rows of ``mscli compare --by outcome``)."""

    RELAPSES = "relapses"
    DISABILITY = "disability"
    MRI_LESIONS = "mri-lesions"
    NEDA = "neda"
    TREATMENT_RELATED_DEATHS = "treatment-related-deaths"
    SERIOUS_ADVERSE_EVENTS = "serious-adverse-events"


# The words a pre-screen (``mscli match``) answers in.
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
