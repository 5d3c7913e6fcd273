"""The vocabularies of the trial fields a registry import writes and the validator checks, but
no command filters on: what a trial's results show, where an imported record came from, the
registry's intervention and arm kinds, and routes of giving cells.

``import ctgov`` maps a study onto these without building the record types (``records``, which
passes them on); they are kept out of ``vocabularies`` so that the commands answering from the
compiled store, which import that module, do not build these enums too.
"""

from enum import StrEnum


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


class Origin(StrEnum):
    """Where a record came from when it was not written by the dataset's editors."""

    IMPORTED = "imported"  # converted by 'mscli import' from a registry file; not reviewed


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


class Route(StrEnum):
    INTRAVENOUS = "intravenous"
    INTRATHECAL = "intrathecal"
    INTRACEREBROVENTRICULAR = "intracerebroventricular"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"
