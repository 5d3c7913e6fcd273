"""Pre-screen a person's profile against trial eligibility and therapy-level guidance.

Plain data in, plain data out: no Typer, no Rich. Each structured criterion of a trial (or of a
guidance record's "who benefits" profile) gets one label: meets, does not meet, or not enough
information. Limits are inclusive, as registries state them ("18 to 55 years" admits 18 and 55);
a limit left out of the dataset is never failed. A fact the person did not give, or a fact that
cannot settle the criterion (relapses counted over a different window), gives "not enough
information" and is listed among the facts that would settle it.

This is a pre-screen from the structured part of the dataset only; trials have other criteria,
and only a trial's own team decides who is eligible.
"""

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from mscli.errors import UsageError
from mscli.features import limits, prescreen
from mscli.model.evidence_terms import Criterion, GuidanceFit, Label, Overall, Sex
from mscli.model.vocabularies import MsType, Status

if TYPE_CHECKING:  # the record types and output shapes only type what is built here
    from mscli.model import evidence_outputs as shapes
    from mscli.model.records import Dataset, Eligibility, Guidance, Trial

PROFILE_MONTHS = 12  # --relapses-last-year and --active-mri describe the past 12 months


_OVERALL_ORDER = {Overall.MAY_BE_ELIGIBLE: 0, Overall.UNKNOWN: 1, Overall.NOT_ELIGIBLE: 2}
NONE_WORD = "none"  # --prior-treatment none: no earlier disease-modifying treatment


class _Facts(NamedTuple):
    age: int | None = None
    ms_type: MsType | None = None
    edss: float | None = None
    years_since_onset: float | None = None
    relapses_last_year: int | None = None
    active_mri: bool | None = None
    prior_treatments: tuple[str, ...] | None = None
    sex: Sex | None = None


class Profile(_Facts):
    """What a person tells mscli about themselves; None means not given. Checked when made.

    Named tuples, this and ``CriterionResult``: frozen dataclasses, with the dataclasses module
    imported for them, cost two milliseconds of every ``mscli match``.
    """

    __slots__ = ()

    def __new__(cls, *facts: Any, **named: Any) -> "Profile":
        profile = super().__new__(cls, *facts, **named)
        profile._check()
        return profile

    def _check(self) -> None:
        if self.sex is Sex.ALL:
            raise UsageError("--sex is female or male (a trial open to all needs no --sex)")
        if self.age is not None and not 0 <= self.age <= 120:
            raise UsageError(f"--age {self.age} is outside 0 to 120")
        if self.edss is not None:
            if not (math.isfinite(self.edss) and 0 <= self.edss <= 10):
                raise UsageError(f"--edss {self.edss:g} is outside 0 to 10")
            if (self.edss * 2) % 1:
                raise UsageError(f"--edss {self.edss:g} is not a step of the scale (0, 0.5, 1.0 ... 10)")
        if self.years_since_onset is not None and not (
                math.isfinite(self.years_since_onset) and 0 <= self.years_since_onset <= 120):
            raise UsageError(f"--years-since-onset {self.years_since_onset:g} is outside 0 to 120")
        if self.relapses_last_year is not None and not 0 <= self.relapses_last_year <= 100:
            raise UsageError(f"--relapses-last-year {self.relapses_last_year} is outside 0 to 100")
        if self.prior_treatments is not None:
            names = [name.strip().lower() for name in self.prior_treatments]
            if any(not name for name in names):
                raise UsageError("--prior-treatment needs a name (or 'none')")
            if NONE_WORD in names and len(names) > 1:
                raise UsageError("--prior-treatment none cannot be combined with other treatments")

    @property
    def prior_treatment_count(self) -> int | None:
        """How many different earlier treatments were given; 0 for 'none'."""
        if self.prior_treatments is None:
            return None
        names = {name.strip().lower() for name in self.prior_treatments} - {NONE_WORD}
        return len(names)

    def as_dict(self) -> "shapes.ScreenProfile":
        return {
            "age": self.age, "ms_type": self.ms_type, "edss": self.edss,
            "years_since_onset": self.years_since_onset, "relapses_last_year": self.relapses_last_year,
            "active_mri": self.active_mri,
            "prior_treatments": None if self.prior_treatments is None else list(self.prior_treatments),
            "sex": self.sex,
        }


class CriterionResult(NamedTuple):
    """One criterion checked: the label, the person's value, the limit, and the source's words."""

    criterion: Criterion
    label: Label
    value: Any
    limit: str
    wording: list[dict[str, str]]
    source: str
    missing: Sequence[str] = ()

    def as_dict(self) -> "shapes.CriterionCheck":
        return {"criterion": self.criterion, "label": self.label, "value": self.value, "limit": self.limit,
                "wording": [{"text": words["text"], "source": words["source"]} for words in self.wording],
                "source": self.source,
                "missing_facts": list(self.missing)}


# --- the facts and how to ask for them -------------------------------------------------------

FACTS: dict[str, str] = {
    "age": "age (--age)",
    "ms_type": "MS type (--ms-type)",
    "edss": "EDSS (--edss)",
    "years_since_onset": "years since onset (--years-since-onset)",
    "relapses_last_year": "relapses in the past 12 months (--relapses-last-year)",
    "active_mri": "MRI activity in the past 12 months (--active-mri or --no-active-mri)",
    "prior_treatments": "earlier treatments (--prior-treatment, or 'none')",
    "sex": "sex (--sex)",
}


def judge_range(value: float | None, low: float | None, high: float | None,
                strict_low: bool = False, strict_high: bool = False) -> Label:
    """Inclusive range check unless a bound is strict (the limit itself is out); a missing limit is open."""
    if value is None:
        return Label.UNKNOWN
    if low is not None and (value < low or (strict_low and value == low)):
        return Label.DOES_NOT_MEET
    if high is not None and (value > high or (strict_high and value == high)):
        return Label.DOES_NOT_MEET
    return Label.MEETS


def judge_count_in_window(year_low: float, year_high: float, window_months: int,
                          minimum: float | None, maximum: float | None) -> Label:
    """Judge a count of events the profile gives for 12 months against a limit over another window.

    The events of the past 12 months are at least those of a shorter window and at most those of
    a longer one, so the count in the trial's window lies in a range; the criterion is settled only
    when the whole range meets it or the whole range fails it.
    """
    low = year_low if window_months >= PROFILE_MONTHS else 0
    high = year_high if window_months <= PROFILE_MONTHS else math.inf
    floor = 0 if minimum is None else minimum
    ceiling = math.inf if maximum is None else maximum
    if high < floor or low > ceiling:
        return Label.DOES_NOT_MEET
    if low >= floor and high <= ceiling:
        return Label.MEETS
    return Label.UNKNOWN


def _window_fact(what: str, months: int, fact: str) -> list[str]:
    if months == PROFILE_MONTHS:
        return [FACTS[fact]]
    return [f"{what} in the {months} months before screening (not in the profile, which covers 12)"]


class _Checker:
    """Checks one set of structured criteria against a profile."""

    def __init__(self, criteria: "Eligibility", profile: Profile) -> None:
        self.criteria: Any = criteria
        self.profile = profile

    def result(self, criterion: Criterion, label: Label, value: Any, limit: str,
               missing: list[str]) -> CriterionResult:
        wording = [{"text": w["text"], "source": w["source"]}
                   for w in self.criteria.get("wording") or [] if w["criterion"] == criterion.value]
        return CriterionResult(criterion, label, value, limit, wording, self.criteria["source"],
                               missing if label is Label.UNKNOWN else [])

    def all(self) -> list[CriterionResult]:
        checks: list[Callable[[], CriterionResult | None]] = [
            self.sex, self.ms_type, self.age, self.edss, self.duration, *self.activity(), self.prior_treatment]
        return [result for check in checks if (result := check()) is not None]

    def sex(self) -> CriterionResult | None:
        wanted = self.criteria.get("sex")
        if wanted in (None, Sex.ALL):
            return None
        value = self.profile.sex
        label = Label.UNKNOWN if value is None else (Label.MEETS if value == wanted else Label.DOES_NOT_MEET)
        return self.result(Criterion.SEX, label, value, f"{wanted} only", [FACTS["sex"]])

    def ms_type(self) -> CriterionResult | None:
        allowed = self.criteria.get("ms_types") or []
        if not allowed:
            return None
        value = self.profile.ms_type
        label = Label.UNKNOWN if value is None else (Label.MEETS if value in allowed else Label.DOES_NOT_MEET)
        return self.result(Criterion.MS_TYPE, label, value, ", ".join(allowed), [FACTS["ms_type"]])

    def _range(self, criterion: Criterion, low_key: str, high_key: str, value: float | None,
               fact: str, unit: str = "", number: str = "{:g}") -> CriterionResult | None:
        low, high = self.criteria.get(low_key), self.criteria.get(high_key)
        if low is None and high is None:
            return None
        return self.result(criterion, judge_range(value, low, high), value,
                           limits.range_text(low, high, unit, number), [FACTS[fact]])

    def age(self) -> CriterionResult | None:
        return self._range(Criterion.AGE, "age_min", "age_max", self.profile.age, "age", " years")

    def edss(self) -> CriterionResult | None:
        return self._range(Criterion.EDSS, "edss_min", "edss_max", self.profile.edss, "edss", number="{:.1f}")

    def duration(self) -> CriterionResult | None:
        low, high = self.criteria.get("duration_min_years"), self.criteria.get("duration_max_years")
        if low is None and high is None:
            return None
        strict_low = bool(self.criteria.get("duration_min_strict"))
        strict_high = bool(self.criteria.get("duration_max_strict"))
        value = self.profile.years_since_onset
        label = judge_range(value, low, high, strict_low, strict_high)
        return self.result(Criterion.DISEASE_DURATION, label, value,
                           limits.duration_text(low, high, strict_low, strict_high), [FACTS["years_since_onset"]])

    def activity(self) -> list[Callable[[], CriterionResult | None]]:
        if self.criteria.get("activity_either"):
            return [self.disease_activity]
        return [self.relapses, self.mri]

    def relapses(self) -> CriterionResult | None:
        low, high = self.criteria.get("relapses_min"), self.criteria.get("relapses_max")
        months = self.criteria.get("relapses_window_months")
        if (low is None and high is None) or months is None:
            return None
        value = self.profile.relapses_last_year
        label = (Label.UNKNOWN if value is None
                 else judge_count_in_window(value, value, months, low, high))
        limit = f"{limits.relapse_text(low, high)} in the {months} months before screening"
        return self.result(Criterion.RELAPSES, label, value, limit,
                           _window_fact("number of relapses", months, "relapses_last_year"))

    def mri(self) -> CriterionResult | None:
        wanted, months = self.criteria.get("mri_activity"), self.criteria.get("mri_window_months")
        if wanted is None or months is None:
            return None
        value = self.profile.active_mri
        if value is None:
            label = Label.UNKNOWN
        else:
            minimum, maximum = (1, None) if wanted == "required" else (None, 0)
            label = judge_count_in_window(1 if value else 0, math.inf if value else 0, months, minimum, maximum)
        limit = f"MRI activity {wanted} in the {months} months before screening"
        return self.result(Criterion.MRI_ACTIVITY, label, value, limit,
                           _window_fact("MRI activity", months, "active_mri"))

    def disease_activity(self) -> CriterionResult | None:
        """Either enough relapses or MRI activity: met if either part is met, failed if both fail."""
        parts = [part for part in (self.relapses(), self.mri()) if part is not None]
        labels = {part.label for part in parts}
        if Label.MEETS in labels:
            label = Label.MEETS
        elif labels == {Label.DOES_NOT_MEET}:
            label = Label.DOES_NOT_MEET
        else:
            label = Label.UNKNOWN
        missing = [fact for part in parts for fact in part.missing]
        value = {"relapses_last_year": self.profile.relapses_last_year, "active_mri": self.profile.active_mri}
        limit = " or ".join(part.limit for part in parts)
        return self.result(Criterion.DISEASE_ACTIVITY, label, value, limit, missing)

    def prior_treatment(self) -> CriterionResult | None:
        minimum = self.criteria.get("prior_treatments_min")
        if minimum is None:
            return None
        count = self.profile.prior_treatment_count
        label = judge_range(count, minimum, None)
        value = None if self.profile.prior_treatments is None else list(self.profile.prior_treatments)
        limit = f"at least {minimum} disease-modifying treatment{'s' if minimum != 1 else ''} before"
        return self.result(Criterion.PRIOR_TREATMENT, label, value, limit, [FACTS["prior_treatments"]])


def check(criteria: "Eligibility | None", profile: Profile) -> list[CriterionResult]:
    """Every structured criterion of ``criteria`` checked against ``profile``, in a fixed order."""
    return [] if criteria is None else _Checker(criteria, profile).all()


def overall(results: Sequence[CriterionResult]) -> Overall:
    """Not eligible if any criterion fails; may be eligible only if there are criteria and all are met."""
    labels = [result.label for result in results]
    if Label.DOES_NOT_MEET in labels:
        return Overall.NOT_ELIGIBLE
    if labels and all(label is Label.MEETS for label in labels):
        return Overall.MAY_BE_ELIGIBLE
    return Overall.UNKNOWN


_GUIDANCE_FIT = {Overall.MAY_BE_ELIGIBLE: GuidanceFit.WITHIN, Overall.NOT_ELIGIBLE: GuidanceFit.OUTSIDE,
                 Overall.UNKNOWN: GuidanceFit.UNKNOWN}


def missing_facts(results: Sequence[CriterionResult]) -> list[str]:
    """The facts that would settle the unknown criteria, each once, in criterion order."""
    return list(dict.fromkeys(fact for result in results for fact in result.missing))


def _counts(results: Sequence[CriterionResult]) -> "shapes.LabelCounts":
    count = {label: sum(result.label is label for result in results) for label in Label}
    return {"meets": count[Label.MEETS], "does not meet": count[Label.DOES_NOT_MEET],
            "not enough information": count[Label.UNKNOWN]}


NO_CRITERIA_FACT = "the trial's criteria (not recorded in mscli; see its registry record)"


def condition(trial: "Trial", criteria: "Eligibility | None") -> list[CriterionResult]:
    """Whether the trial studies MS at all, from the conditions its registry lists: an imported
    trial of another disease must not pass on age alone. Not checked when none are listed."""
    conditions = trial.get("conditions") or []
    if not conditions:
        return []
    label = Label.MEETS if prescreen.names_ms(conditions) else Label.DOES_NOT_MEET
    source = criteria["source"] if criteria else (trial["sources"] or ["(registry record)"])[0]
    return [CriterionResult(Criterion.CONDITION, label, "multiple sclerosis", "; ".join(conditions), [], source)]


def match_trial(trial: "Trial", profile: Profile) -> "shapes.TrialScreen":
    """The pre-screen of one trial: overall label, counts, every criterion, the facts still needed.

    A closed trial keeps its criteria but is labelled "closed: cannot join", so no screen of it
    reads as a chance to take part.
    """
    criteria = trial.get("eligibility")
    eligibility = check(criteria, profile)
    results = [*condition(trial, criteria), *eligibility]
    # A trial that studies MS but holds no structured criteria says nothing about this person.
    missing = missing_facts(results) if eligibility else [*missing_facts(results), NO_CRITERIA_FACT]
    items = prescreen.unstructured(criteria)
    label = overall(results)
    if label is Overall.MAY_BE_ELIGIBLE and not eligibility:
        label = Overall.UNKNOWN
    stated = prescreen.stated_but_unchecked(items, profile.as_dict())
    if label is Overall.MAY_BE_ELIGIBLE and stated:
        label = Overall.UNKNOWN
        missing = [*missing, *(f"the trial's own wording on {FACTS[fact]}: ask the trial team" for fact in stated)]
    joinable = trial["status"] in prescreen.JOINABLE
    shown = label.value if joinable else prescreen.CLOSED_LABEL
    return {
        "type": "trial", "id": trial["id"], "acronym": trial.get("acronym"), "title": trial["title"],
        "therapy": trial["therapy"], "status": trial["status"], "joinable": joinable,
        "overall": shown, "screened": label,
        "summary": prescreen.summary(label.value, len(results), len(items)) if joinable else prescreen.CLOSED_LABEL,
        "counts": _counts(results), "not_checked": len(items),
        "criteria": [result.as_dict() for result in results], "missing_facts": missing,
        "unstructured_about_stated_facts": stated,
        "other_criteria": criteria.get("notes") if criteria else None,
        "source": criteria["source"] if criteria else None,
    }


def match_guidance(guidance: "Guidance", profile: Profile) -> "shapes.GuidanceScreen | None":
    """The profile against one guidance record's "who benefits" criteria, or None if it has none."""
    criteria = guidance.get("benefit_profile")
    if not criteria:
        return None
    results = check(criteria, profile)
    return {
        "type": "guidance", "id": guidance["id"], "title": guidance["title"],
        "publisher": guidance["publisher"], "therapy": criteria["therapy"],
        "overall": _GUIDANCE_FIT[overall(results)], "counts": _counts(results),
        "criteria": [result.as_dict() for result in results], "missing_facts": missing_facts(results),
        "other_criteria": criteria.get("notes"), "source": criteria["source"],
    }


def match(dataset: "Dataset", profile: Profile, recruiting_only: bool = False,
          trial_ids: Sequence[str] | None = None, include_closed: bool = False) -> "shapes.MatchResult":
    """Every joinable trial (best label first) and every guidance profile, checked against ``profile``.

    Closed trials (completed, active but not recruiting, ...) are left out unless
    ``include_closed``, and then come last, labelled closed. ``trial_ids`` keeps only those
    trials, closed or not (and leaves guidance out); ``recruiting_only`` keeps trials whose
    status is recruiting.
    """
    trials = [trial for trial in dataset["trials"]
              if (not recruiting_only or trial["status"] == Status.RECRUITING)
              and (trial_ids is None or trial["id"] in trial_ids)
              and (include_closed or trial_ids is not None or trial["status"] in prescreen.JOINABLE)]
    trial_results = sorted((match_trial(trial, profile) for trial in trials),
                           key=lambda result: (not result["joinable"], _OVERALL_ORDER[Overall(result["screened"])],
                                               result["id"]))
    guidance_results = [] if trial_ids is not None else [
        result for guidance in dataset["guidance"] if (result := match_guidance(guidance, profile)) is not None]
    left_out = sum(trial["status"] not in prescreen.JOINABLE for trial in dataset["trials"]) if not (
        include_closed or trial_ids is not None) else 0
    return {"profile": profile.as_dict(), "trials": trial_results,
            "profile_text": prescreen.profile_text(profile.as_dict(), FACTS),
            "guidance": guidance_results, "closed_left_out": left_out}
