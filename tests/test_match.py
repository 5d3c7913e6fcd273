"""`mscli match`: every boundary of the criteria, missing facts, bad input, the notice, and properties."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mscli.features import match as matching
from mscli.model.labels import NOTICE
from mscli.model.records import MsType
from tests.conftest import minimal
from tests.test_validate import problems_for

MEETS, FAILS, UNKNOWN = "meets", "does not meet", "not enough information"


def dataset_with(eligibility: dict[str, Any] | None, status: str = "recruiting", **extra: Any) -> dict[str, Any]:
    data = minimal()
    trial = data["trials"][0]
    if eligibility is None:
        trial.pop("eligibility")
    else:
        trial["eligibility"] = {"source": "src-a", **eligibility}
    trial["status"] = status
    trial["status_checked"] = "2026-10-01"  # within a year of the record's review (rules.py)
    data.update(extra)
    return data


def screen(run, write_dataset, eligibility: dict[str, Any] | None, *profile: str) -> dict[str, Any]:
    result = run("match", "--data", str(write_dataset(dataset_with(eligibility))), *profile, "--json")
    assert result.exit_code == 0, result.stderr
    [trial] = result.json()["trials"]
    return trial


def label(trial: dict[str, Any], criterion: str) -> str:
    [found] = [item for item in trial["criteria"] if item["criterion"] == criterion]
    return str(found["label"])


@pytest.mark.parametrize("age,expected", [(17, FAILS), (18, MEETS), (40, MEETS), (55, MEETS), (56, FAILS)])
def test_age_limits_are_inclusive(run, write_dataset, age, expected):
    trial = screen(run, write_dataset, {"age_min": 18, "age_max": 55}, "--age", str(age))
    assert label(trial, "age") == expected
    assert trial["overall"] == ("may be eligible" if expected == MEETS else "not eligible")


@pytest.mark.parametrize("age", [18, 65, 90, 120])
def test_no_maximum_age_is_never_failed(run, write_dataset, age):
    trial = screen(run, write_dataset, {"age_min": 18}, "--age", str(age))
    assert label(trial, "age") == MEETS
    assert "no upper limit" in trial["criteria"][0]["limit"]


def test_no_minimum_age_admits_a_child(run, write_dataset):
    assert label(screen(run, write_dataset, {"age_max": 50}, "--age", "0"), "age") == MEETS


@pytest.mark.parametrize("edss,expected", [("2.5", FAILS), ("3.0", MEETS), ("3.5", MEETS), ("6.5", MEETS),
                                           ("7.0", FAILS), ("0", FAILS), ("10", FAILS)])
def test_edss_limits_with_half_steps(run, write_dataset, edss, expected):
    trial = screen(run, write_dataset, {"edss_min": 3.0, "edss_max": 6.5}, "--edss", edss)
    assert label(trial, "edss") == expected
    assert trial["criteria"][0]["limit"] == "3.0 to 6.5"


@pytest.mark.parametrize("years,expected", [("1.9", FAILS), ("2", MEETS), ("10", MEETS), ("10.5", FAILS)])
def test_disease_duration_limits(run, write_dataset, years, expected):
    trial = screen(run, write_dataset, {"duration_min_years": 2, "duration_max_years": 10},
                   "--years-since-onset", years)
    assert label(trial, "disease-duration") == expected
    assert trial["criteria"][0]["limit"] == "2 to 10 years"


@pytest.mark.parametrize("years,expected", [("0", MEETS), ("9.9", MEETS), ("10", FAILS), ("10.5", FAILS)])
def test_strict_duration_maximum_excludes_itself(run, write_dataset, years, expected):
    trial = screen(run, write_dataset, {"duration_max_years": 10, "duration_max_strict": True},
                   "--years-since-onset", years)
    assert label(trial, "disease-duration") == expected
    assert trial["criteria"][0]["limit"] == "under 10 years"
    assert "under 10" in run("trial", "trial-one", "--data", str(write_dataset(dataset_with(
        {"duration_max_years": 10, "duration_max_strict": True}))), "--format", "tsv").stdout


@pytest.mark.parametrize("years,expected", [("3", FAILS), ("3.5", MEETS), ("20", MEETS), ("20.5", FAILS)])
def test_strict_duration_minimum_excludes_itself(run, write_dataset, years, expected):
    trial = screen(run, write_dataset, {"duration_min_years": 3, "duration_min_strict": True,
                                        "duration_max_years": 20}, "--years-since-onset", years)
    assert label(trial, "disease-duration") == expected
    assert trial["criteria"][0]["limit"] == "more than 3 years and up to 20 years"


def test_missing_fact_is_not_enough_information_and_listed(run, write_dataset):
    trial = screen(run, write_dataset, {"ms_types": ["RRMS"], "age_min": 18, "edss_max": 6.0},
                   "--age", "30", "--ms-type", "rrms")
    assert label(trial, "edss") == UNKNOWN
    assert trial["overall"] == "not enough information"
    assert trial["missing_facts"] == ["EDSS (--edss)"]
    assert trial["counts"] == {MEETS: 2, FAILS: 0, UNKNOWN: 1}


def test_a_failed_criterion_outweighs_unknowns(run, write_dataset):
    trial = screen(run, write_dataset, {"ms_types": ["RRMS"], "age_min": 18, "edss_max": 6.0}, "--age", "17")
    assert trial["overall"] == "not eligible"
    assert set(trial["missing_facts"]) == {"MS type (--ms-type)", "EDSS (--edss)"}


def test_ms_type_mismatch(run, write_dataset):
    trial = screen(run, write_dataset, {"ms_types": ["SPMS", "PPMS"]}, "--ms-type", "RRMS")
    assert label(trial, "ms-type") == FAILS
    assert trial["criteria"][0]["limit"] == "SPMS, PPMS"
    assert label(screen(run, write_dataset, {"ms_types": ["SPMS", "PPMS"]}, "--ms-type", "CIS"), "ms-type") == FAILS


def test_no_structured_criteria_is_never_may_be_eligible(run, write_dataset):
    for eligibility in (None, {"notes": "Only free text."}):
        trial = screen(run, write_dataset, eligibility, "--age", "30", "--ms-type", "RRMS", "--edss", "2.0")
        assert trial["overall"] == "not enough information"
        assert trial["criteria"] == []
        assert trial["missing_facts"] == [matching.NO_CRITERIA_FACT]


@pytest.mark.parametrize("window,count,expected", [
    (12, 1, FAILS), (12, 2, MEETS), (12, 5, MEETS),
    (24, 2, MEETS), (24, 1, UNKNOWN), (24, 0, UNKNOWN),
    (6, 0, FAILS), (6, 2, UNKNOWN),
])
def test_relapses_at_least_over_windows(run, write_dataset, window, count, expected):
    trial = screen(run, write_dataset, {"relapses_min": 2, "relapses_window_months": window},
                   "--relapses-last-year", str(count))
    assert label(trial, "relapses") == expected
    assert trial["criteria"][0]["limit"] == f"at least 2 relapses in the {window} months before screening"
    if expected == UNKNOWN:
        assert trial["missing_facts"] == [f"number of relapses in the {window} months before screening "
                                          "(not in the profile, which covers 12)"]


@pytest.mark.parametrize("window,count,expected", [
    (24, 0, UNKNOWN), (24, 1, FAILS), (12, 0, MEETS), (12, 1, FAILS), (6, 0, MEETS), (6, 1, UNKNOWN)])
def test_no_relapses_allowed_over_windows(run, write_dataset, window, count, expected):
    trial = screen(run, write_dataset, {"relapses_max": 0, "relapses_window_months": window},
                   "--relapses-last-year", str(count))
    assert label(trial, "relapses") == expected
    assert trial["criteria"][0]["limit"] == f"no relapse in the {window} months before screening"


@pytest.mark.parametrize("wanted,flag,expected", [
    ("required", "--active-mri", MEETS), ("required", "--no-active-mri", FAILS),
    ("excluded", "--active-mri", FAILS), ("excluded", "--no-active-mri", MEETS),
])
def test_mri_activity(run, write_dataset, wanted, flag, expected):
    trial = screen(run, write_dataset, {"mri_activity": wanted, "mri_window_months": 12}, flag)
    assert label(trial, "mri-activity") == expected


def test_mri_activity_in_a_shorter_window_cannot_be_settled_by_a_yearly_yes(run, write_dataset):
    trial = screen(run, write_dataset, {"mri_activity": "required", "mri_window_months": 3}, "--active-mri")
    assert label(trial, "mri-activity") == UNKNOWN


@pytest.mark.parametrize("profile,expected", [
    (["--relapses-last-year", "0", "--active-mri"], MEETS),
    (["--relapses-last-year", "1", "--no-active-mri"], MEETS),
    (["--relapses-last-year", "0", "--no-active-mri"], FAILS),
    (["--relapses-last-year", "0"], UNKNOWN),
    (["--active-mri"], MEETS),
])
def test_relapse_or_mri_activity(run, write_dataset, profile, expected):
    trial = screen(run, write_dataset, {"relapses_min": 1, "relapses_window_months": 12, "mri_activity": "required",
                                        "mri_window_months": 12, "activity_either": True}, *profile)
    assert [item["criterion"] for item in trial["criteria"]] == ["disease-activity"]
    assert label(trial, "disease-activity") == expected


@pytest.mark.parametrize("treatments,expected", [
    ([], UNKNOWN), (["none"], FAILS), (["interferon beta"], FAILS),
    (["interferon beta", "natalizumab"], MEETS), (["natalizumab", "Natalizumab"], FAILS),
])
def test_prior_treatment_count(run, write_dataset, treatments, expected):
    args = [arg for name in treatments for arg in ("--prior-treatment", name)]
    trial = screen(run, write_dataset, {"prior_treatments_min": 2}, *args)
    assert label(trial, "prior-treatment") == expected


def test_wording_and_source_are_carried(run, write_dataset):
    trial = screen(run, write_dataset, {"age_min": 18, "wording": [
        {"criterion": "age", "text": "Aged 18 years or over", "source": "src-b"}]}, "--age", "20")
    item = trial["criteria"][0]
    assert item["wording"] == [{"text": "Aged 18 years or over", "source": "src-b"}]
    assert item["source"] == "src-a"
    assert item["value"] == 20


def test_recruiting_only_uses_status(run, write_dataset):
    data = dataset_with({"age_min": 18})
    closed = dict(copy.deepcopy(data["trials"][0]), id="trial-two", status="completed", registrations=[])
    data["trials"][0]["status"] = "recruiting"
    data["trials"][0].pop("end_year")  # a recruiting trial past its planned end needs a recent check
    data["trials"].append(closed)
    folder = str(write_dataset(data))
    every = run("match", "--data", folder, "--include-closed", "--json").json()["trials"]
    assert {trial["id"] for trial in every} == {"trial-one", "trial-two"}
    assert [trial["overall"] for trial in every][1] == "closed: cannot join"
    joinable = run("match", "--data", folder, "--json").json()
    assert [trial["id"] for trial in joinable["trials"]] == ["trial-one"] and joinable["closed_left_out"] == 1
    recruiting = run("match", "--data", folder, "--recruiting-only", "--json").json()["trials"]
    assert [trial["id"] for trial in recruiting] == ["trial-one"]
    refused = run("match", "--data", folder, "--recruiting-only", "--trial", "trial-two")
    assert refused.exit_code == 2
    assert "not recruiting" in refused.stderr


def test_guidance_is_reported_apart_with_its_own_labels(run, write_dataset):
    guidance = [{"id": "who-benefits", "title": "A statement", "kind": "consensus", "publisher": "A society",
                 "therapies": ["alpha"], "summary": "Who benefits.", "sources": ["src-a"], "reviewed": "2026-11-01",
                 "benefit_profile": {"therapy": "alpha", "age_max": 49, "duration_max_years": 10,
                                     "source": "src-a"}}]
    folder = str(write_dataset(dataset_with({"age_min": 18}, guidance=guidance)))
    for age, expected in (("49", "within the profile"), ("50", "outside the profile")):
        answer = run("match", "--data", folder, "--age", age, "--years-since-onset", "10", "--json").json()
        assert [trial["id"] for trial in answer["trials"]] == ["trial-one"]
        [found] = answer["guidance"]
        assert (found["id"], found["overall"], found["therapy"]) == ("who-benefits", expected, "alpha")
    shown = run("show", "who-benefits", "--data", folder, "--format", "tsv").stdout
    assert "benefit profile\talpha: age: up to 49 years; disease duration: up to 10 years (src-a)" in shown
    unknown = run("match", "--data", folder, "--age", "30", "--json").json()["guidance"][0]
    assert unknown["overall"] == "not enough information"
    assert unknown["missing_facts"] == ["years since onset (--years-since-onset)"]


def test_trial_detail(run, write_dataset):
    folder = str(write_dataset(dataset_with({"age_min": 18, "age_max": 50, "notes": "Other rules."})))
    detail = run("match", "--data", folder, "--trial", "NCT00000001", "--age", "51", "--json").json()
    assert (detail["id"], detail["overall"], detail["other_criteria"]) == ("trial-one", "not eligible", "Other rules.")
    table = run("match", "--data", folder, "--trial", "tone", "--age", "51", "--format", "table")
    assert table.exit_code == 0
    assert "does not meet" in table.stdout and "not a referral" in table.stdout
    missing = run("match", "--data", folder, "--trial", "nope")
    assert missing.exit_code == 1
    assert "unknown trial" in missing.stderr


def test_notice_in_help_and_tables_never_in_json(run, write_dataset):
    folder = str(write_dataset(dataset_with({"age_min": 18})))
    assert "not a referral" in " ".join(run("match", "--help").stdout.split())
    as_json = run("match", "--data", folder, "--age", "30", "--json")
    assert "referral" not in as_json.stdout and NOTICE not in as_json.stdout
    assert "not a referral" in as_json.stderr
    for fmt in ("table", "markdown"):
        assert "not a referral" in " ".join(run("match", "--data", folder, "--format", fmt).stdout.split())
    assert "not a referral" in run("match", "--data", folder, "--format", "tsv").stderr


@pytest.mark.parametrize("args,message", [
    (["--age", "121"], "--age 121 is outside 0 to 120"),
    (["--age", "-1"], "--age -1 is outside 0 to 120"),
    (["--edss", "6.3"], "not a step"),
    (["--edss", "10.5"], "outside 0 to 10"),
    (["--edss", "-0.5"], "outside 0 to 10"),
    (["--edss", "nan"], "outside 0 to 10"),
    (["--years-since-onset", "-2"], "outside 0 to 120"),
    (["--relapses-last-year", "-1"], "outside 0 to 100"),
    (["--prior-treatment", "none", "--prior-treatment", "natalizumab"], "cannot be combined"),
    (["--prior-treatment", " "], "needs a name"),
])
def test_invalid_profile_is_one_line_exit_2(run, args, message):
    result = run("match", *args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0].startswith("mscli: error: ")
    assert message in result.stderr.splitlines()[0]


def test_unknown_ms_type_is_a_usage_error(run):
    assert run("match", "--ms-type", "XYZ").exit_code == 2


# --- the bundled dataset ---------------------------------------------------------------------

def test_bundled_beat_ms_age_limits(run):
    for age, expected in (("18", MEETS), ("55", MEETS), ("56", FAILS)):
        detail = run("match", "--trial", "beat-ms", "--age", age, "--json").json()
        assert label(detail, "age") == expected


def test_bundled_every_trial_and_ahsct_guidance_are_screened(run):
    answer = run("match", "--age", "35", "--ms-type", "RRMS", "--edss", "3.0", "--include-closed", "--json").json()
    assert len(answer["trials"]) == len(run("trials", "--json").json())
    assert {item["therapy"] for item in answer["guidance"]} == {"ahsct"}
    for trial in answer["trials"]:
        for item in trial["criteria"]:
            assert item["source"] and all(wording["source"] for wording in item["wording"])


def test_bundled_recruiting_only(run):
    ids = {t["id"] for t in run("trials", "--status", "recruiting", "--json").json()}
    assert {t["id"] for t in run("match", "--recruiting-only", "--json").json()["trials"]} == ids


# --- validation of the new fields -------------------------------------------------------------

def _eligibility(change: dict[str, Any]) -> dict[str, Any]:
    return dataset_with({"age_min": 18, **change})


RULES = [
    ({"edss_min": 3.2}, ["eligibility.edss_min", "steps of 0.5"]),
    ({"edss_min": 6.5, "edss_max": 3.0}, ["eligibility.edss_max", "above"]),
    ({"age_min": 130}, ["eligibility.age_min", "outside 0 to 120"]),
    ({"relapses_min": 2}, ["eligibility.relapses_window_months", "go together"]),
    ({"relapses_min": 3, "relapses_max": 1, "relapses_window_months": 12}, ["eligibility.relapses_max", "above"]),
    ({"relapses_min": 1, "relapses_window_months": 0}, ["eligibility.relapses_window_months", "outside 1 to 240"]),
    ({"mri_activity": "required"}, ["eligibility.mri_window_months", "go together"]),
    ({"mri_activity": "sometimes", "mri_window_months": 12}, ["eligibility.mri_activity", "not one of"]),
    ({"activity_either": True, "relapses_min": 1, "relapses_window_months": 12},
     ["eligibility.activity_either", "needs relapses_min and mri_activity"]),
    ({"wording": [{"criterion": "edss", "text": "EDSS 3-6", "source": "src-a"}]},
     ["eligibility.wording[0].criterion", "no edss_min or edss_max"]),
    ({"wording": [{"criterion": "age", "text": "Adults", "source": "nowhere"}]},
     ["eligibility.wording[0].source", "unknown source"]),
    ({"wording": [{"criterion": "height", "text": "Tall", "source": "src-a"}]}, ["wording[0].criterion", "not one of"]),
    ({"duration_max_strict": True}, ["eligibility.duration_max_strict", "needs duration_max_years"]),
    ({"duration_min_strict": True}, ["eligibility.duration_min_strict", "needs duration_min_years"]),
    ({"prior_treatments_min": 0}, ["eligibility.prior_treatments_min", "checks nothing"]),
    ({"relapses_min": 0, "relapses_window_months": 12}, ["eligibility.relapses_min", "checks nothing"]),
    ({"prior_treatments_min": "two"}, ["eligibility.prior_treatments_min", "whole number"]),
]


@pytest.mark.parametrize("change,expected", RULES, ids=[str(rule[0]) for rule in RULES])
def test_each_criteria_rule_is_reported(write_dataset, change, expected):
    messages = problems_for(write_dataset(_eligibility(change)))
    assert any(all(part in message for part in expected) for message in messages), messages


def test_benefit_profile_of_guidance_is_checked(write_dataset):
    guidance = [{"id": "g", "title": "T", "kind": "consensus", "publisher": "P", "therapies": ["alpha"],
                 "summary": "S.", "sources": ["src-a"], "reviewed": "2026-11-01",
                 "benefit_profile": {"therapy": "beta", "age_min": 50, "age_max": 40, "source": "missing-source"}}]
    messages = problems_for(write_dataset(dataset_with(None, guidance=guidance)))
    assert any("g benefit_profile.age_max" in message and "above" in message for message in messages)
    assert any("g benefit_profile.source" in message and "unknown source" in message for message in messages)
    assert any("g benefit_profile.therapy" in message and "unknown therapy" in message for message in messages)


def test_valid_criteria_pass(write_dataset):
    full = {"ms_types": ["RRMS"], "age_max": 55, "edss_min": 0.0, "edss_max": 5.5, "duration_max_years": 10,
            "relapses_min": 1, "relapses_window_months": 12, "mri_activity": "required", "mri_window_months": 12,
            "activity_either": True, "prior_treatments_min": 1,
            "wording": [{"criterion": "edss", "text": "EDSS 0-5.5", "source": "src-b"}]}
    assert problems_for(write_dataset(_eligibility(full))) == []


# --- properties -------------------------------------------------------------------------------

edss_values = st.integers(0, 20).map(lambda half: half / 2)
optional_limits = st.fixed_dictionaries({}, optional={
    "ms_types": st.lists(st.sampled_from([t.value for t in MsType]), min_size=1, max_size=4, unique=True),
    "age_min": st.integers(0, 60), "age_max": st.integers(30, 120),
    "edss_min": edss_values, "edss_max": edss_values,
    "duration_min_years": st.integers(0, 10), "duration_max_years": st.integers(5, 40),
    "duration_min_strict": st.booleans(), "duration_max_strict": st.booleans(),
    "prior_treatments_min": st.integers(1, 3),
})
windows = st.sampled_from([3, 6, 12, 18, 24, 36])


@st.composite
def criteria(draw: Any) -> dict[str, Any]:
    limits = draw(optional_limits)
    for bound in ("min", "max"):
        if f"duration_{bound}_years" not in limits:
            limits.pop(f"duration_{bound}_strict", None)
    if draw(st.booleans()):
        limits.update(relapses_min=draw(st.integers(1, 3)), relapses_window_months=draw(windows))
    if draw(st.booleans()):
        limits.update(mri_activity=draw(st.sampled_from(["required", "excluded"])), mri_window_months=draw(windows))
    if "relapses_min" in limits and limits.get("mri_activity") == "required":
        limits["activity_either"] = draw(st.booleans())
    return {"source": "src-a", **limits}


full_profiles = st.builds(
    matching.Profile, age=st.integers(0, 120), ms_type=st.sampled_from(list(MsType)), edss=edss_values,
    years_since_onset=st.integers(0, 50).map(float), relapses_last_year=st.integers(0, 6),
    active_mri=st.booleans(), sex=st.none(),  # (Hypothesis fills every field of a named tuple)
    prior_treatments=st.lists(st.sampled_from(["none", "a", "b", "c"]), min_size=1, max_size=3).map(
        lambda names: ("none",) if "none" in names else tuple(names)))
FIELDS = ("age", "ms_type", "edss", "years_since_onset", "relapses_last_year", "active_mri", "prior_treatments")


def _without(profile: matching.Profile, kept: set[str]) -> matching.Profile:
    return matching.Profile(**{name: getattr(profile, name) if name in kept else None for name in FIELDS})


@settings(max_examples=300, deadline=None)
@given(criteria(), full_profiles, st.sets(st.sampled_from(FIELDS)), st.sampled_from(FIELDS))
def test_adding_a_fact_never_changes_a_settled_label(limits, profile, kept, added):
    before = {r.criterion: r.label for r in matching.check(limits, _without(profile, kept))}
    after = {r.criterion: r.label for r in matching.check(limits, _without(profile, kept | {added}))}
    for criterion, old in before.items():
        if old is not matching.Label.UNKNOWN:
            assert after[criterion] is old, (criterion, limits)


@settings(max_examples=300, deadline=None)
@given(criteria(), full_profiles)
def test_every_fact_given_leaves_only_window_mismatches_unknown(limits, profile):
    for result in matching.check(limits, profile):
        if result.label is matching.Label.UNKNOWN:
            windows_used = {"relapses": [limits.get("relapses_window_months")],
                            "mri-activity": [limits.get("mri_window_months")],
                            "disease-activity": [limits.get("relapses_window_months"),
                                                 limits.get("mri_window_months")]}[result.criterion.value]
            assert any(window != 12 for window in windows_used), limits
            assert result.missing and all("months before screening" in fact for fact in result.missing)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(criteria(), full_profiles)
def test_overall_label_agrees_with_criteria_through_the_cli(run, write_dataset, limits, profile):
    for low, high in (("age_min", "age_max"), ("edss_min", "edss_max"), ("duration_min_years", "duration_max_years")):
        assume(limits.get(low, 0) <= limits.get(high, 1000))
    args = ["--age", str(profile.age), "--ms-type", str(profile.ms_type), "--edss", str(profile.edss),
            "--years-since-onset", str(profile.years_since_onset),
            "--relapses-last-year", str(profile.relapses_last_year),
            "--active-mri" if profile.active_mri else "--no-active-mri"]
    args += [arg for name in profile.prior_treatments or () for arg in ("--prior-treatment", name)]
    trial = screen(run, write_dataset, {key: value for key, value in limits.items() if key != "source"}, *args)
    labels = [item["label"] for item in trial["criteria"]]
    if FAILS in labels:
        assert trial["overall"] == "not eligible"
    elif labels and set(labels) == {MEETS}:
        assert trial["overall"] == "may be eligible"
    else:
        assert trial["overall"] == "not enough information"
    assert bool(trial["missing_facts"]) == (UNKNOWN in labels or not labels)


def test_bundled_strict_and_open_limits(run):
    coast = run("match", "--trial", "coast", "--years-since-onset", "10", "--json").json()
    assert label(coast, "disease-duration") == FAILS
    stems = run("match", "--trial", "stems", "--edss", "9.5", "--json").json()
    assert label(stems, "edss") == MEETS
    swiss = {age: next(item for item in run("match", "--age", age, "--edss", "3.0", "--json").json()["guidance"]
                       if item["id"] == "swiss-ms-society-ahsct")["overall"] for age in ("50", "51")}
    assert swiss == {"50": "within the profile", "51": "outside the profile"}


# --- joinable trials only, and labels that say how much was checked ---------------------------

JOINABLE = {"recruiting", "not-yet-recruiting", "enrolling-by-invitation"}


def test_bundled_match_never_lists_a_closed_trial_by_default(run):
    answer = run("match", "--age", "35", "--ms-type", "RRMS", "--edss", "3", "--json").json()
    assert answer["trials"] and all(trial["status"] in JOINABLE for trial in answer["trials"])
    every = run("trials", "--json").json()
    assert answer["closed_left_out"] == sum(trial["status"] not in JOINABLE for trial in every)
    closed = run("match", "--age", "35", "--include-closed", "--json").json()["trials"]
    for trial in closed:
        assert (trial["overall"] == "closed: cannot join") == (trial["status"] not in JOINABLE)
    assert [t["joinable"] for t in closed] == sorted((t["joinable"] for t in closed), reverse=True)


@given(status=st.sampled_from(["not-yet-recruiting", "recruiting", "enrolling-by-invitation",
                               "active-not-recruiting", "completed", "terminated", "withdrawn",
                               "suspended", "unknown"]))
@settings(max_examples=20, deadline=None)
def test_every_status_is_joinable_or_labelled_closed(status):
    from mscli.features import match as matching

    trial = dataset_with({"age_min": 18}, status=status)["trials"][0]
    result = matching.match_trial(trial, matching.Profile(age=30))
    assert result["joinable"] == (status in JOINABLE)
    assert (result["overall"] == "closed: cannot join") != (status in JOINABLE)


def test_unstructured_criterion_on_a_stated_fact_is_not_enough_information(run, write_dataset):
    folder = str(write_dataset(dataset_with({
        "age_min": 18, "notes": "At least one relapse or a new gadolinium-enhancing lesion in the past year."})))
    screened = run("match", "--data", folder, "--age", "30", "--relapses-last-year", "0", "--no-active-mri",
                   "--json").json()
    trial = screened["trials"][0]
    assert trial["overall"] == "not enough information"
    assert set(trial["unstructured_about_stated_facts"]) == {"relapses_last_year", "active_mri"}
    plain = run("match", "--data", folder, "--age", "30", "--json").json()["trials"][0]
    assert plain["overall"] == "may be eligible"
    assert plain["summary"] == "meets the 1 criterion checked; 1 not checked"


def test_first_line_repeats_the_profile(run, write_dataset):
    folder = str(write_dataset(dataset_with({"age_min": 18})))
    profile = ("--age", "35", "--ms-type", "RRMS", "--edss", "3")
    answer = run("match", "--data", folder, *profile, "--json").json()
    assert answer["profile_text"] == "age 35; MS type RRMS; EDSS 3"
    table = run("match", "--data", folder, *profile, "--format", "markdown")
    assert table.stdout.splitlines()[0] == "## Pre-screen of your profile (age 35; MS type RRMS; EDSS 3)"


# --- boundaries, sex and condition ------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(low=st.integers(0, 80), span=st.integers(0, 40), offset=st.sampled_from([-1, 0, 1]),
       edge=st.sampled_from(["min", "max"]))
def test_age_at_each_limit_and_one_either_side(low, span, offset, edge):
    high = low + span
    age = (low if edge == "min" else high) + offset
    if not 0 <= age <= 120:
        return
    [result] = matching.check({"age_min": low, "age_max": high, "source": "s"}, matching.Profile(age=age))
    assert result.label is (matching.Label.MEETS if low <= age <= high else matching.Label.DOES_NOT_MEET)


EDSS_STEPS = [step / 2 for step in range(21)]


@pytest.mark.parametrize("edss", EDSS_STEPS)
def test_every_edss_step_against_a_range(edss):
    [result] = matching.check({"edss_min": 3.0, "edss_max": 6.5, "source": "s"}, matching.Profile(edss=edss))
    assert result.label is (matching.Label.MEETS if 3.0 <= edss <= 6.5 else matching.Label.DOES_NOT_MEET)


@pytest.mark.parametrize("edss", ["-0.5", "10.5", "3.25", "0.1", "nan", "inf"])
def test_an_edss_off_the_scale_is_refused(run, edss):
    result = run("match", "--edss", edss)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("mscli: error: --edss") and "Traceback" not in result.stderr


@settings(max_examples=300, deadline=None)
@given(window=st.integers(1, 60), count=st.integers(0, 8), low=st.none() | st.integers(1, 4),
       high=st.none() | st.integers(0, 4))
def test_relapse_windows_settle_only_what_twelve_months_can(window, count, low, high):
    if (low is None and high is None) or (low is not None and high is not None and low > high):
        return  # no limit, or limits the validator refuses
    [result] = matching.check({"relapses_min": low, "relapses_max": high, "relapses_window_months": window,
                               "source": "s"}, matching.Profile(relapses_last_year=count))
    # The count in the trial's window: exactly the year's in 12 months, at most it in fewer, at least in more.
    possible = ({count} if window == 12 else set(range(count + 1)) if window < 12 else set(range(count, 40)))
    fits = {(low is None or n >= low) and (high is None or n <= high) for n in possible}
    expected = {frozenset({True}): matching.Label.MEETS, frozenset({False}): matching.Label.DOES_NOT_MEET}.get(
        frozenset(fits), matching.Label.UNKNOWN)
    assert result.label is expected


ALL_STATUSES = ["not-yet-recruiting", "recruiting", "enrolling-by-invitation", "active-not-recruiting",
                "completed", "terminated", "withdrawn", "suspended", "unknown"]


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_every_status_through_the_cli(run, write_dataset, status):
    folder = str(write_dataset(dataset_with({"age_min": 18}, status=status)))
    default = run("match", "--data", folder, "--age", "30", "--json").json()
    assert [t["id"] for t in default["trials"]] == (["trial-one"] if status in JOINABLE else [])
    assert default["closed_left_out"] == (0 if status in JOINABLE else 1)
    [shown] = run("match", "--data", folder, "--age", "30", "--include-closed", "--json").json()["trials"]
    assert shown["overall"] == ("may be eligible" if status in JOINABLE else "closed: cannot join")


@pytest.mark.parametrize(("wanted", "sex", "expected"), [
    ("female", "female", MEETS), ("female", "male", FAILS), ("male", "female", FAILS), ("male", "male", MEETS),
    ("female", None, UNKNOWN), ("all", "male", None), (None, "female", None)])
def test_sex_is_checked_when_a_trial_admits_one_sex(wanted, sex, expected):
    results = matching.check({"sex": wanted, "source": "s"}, matching.Profile(sex=sex))
    assert [r.label.value for r in results] == ([] if expected is None else [expected])


def test_sex_all_is_not_a_person(run):
    result = run("match", "--sex", "all")
    assert result.exit_code == 2 and "female or male" in result.stderr


@pytest.mark.parametrize(("conditions", "expected"), [
    (["Multiple Sclerosis"], MEETS), (["Relapsing-Remitting MS"], MEETS), (["SPMS"], MEETS),
    (["Alzheimer's Disease", "Multiple Sclerosis"], MEETS), (["Breast Cancer"], FAILS),
    (["Crohn's Disease", "Lupus"], FAILS), ([], None)])
def test_condition_is_checked_from_the_listed_conditions(write_dataset, conditions, expected):
    trial = dataset_with({"age_min": 18})["trials"][0]
    trial["conditions"] = conditions
    result = matching.match_trial(trial, matching.Profile(age=30))
    labels = {item["criterion"]: item["label"] for item in result["criteria"]}
    assert labels.get("condition") == expected
    assert result["overall"] == ("not eligible" if expected == FAILS else "may be eligible")


@pytest.mark.parametrize(("conditions", "expected"), [(["Multiple Sclerosis"], UNKNOWN), (["Lupus"], "not eligible")])
def test_a_condition_alone_never_makes_a_trial_may_be_eligible(conditions, expected):
    trial = dataset_with(None)["trials"][0]
    trial["conditions"] = conditions
    result = matching.match_trial(trial, matching.Profile(age=30, ms_type=MsType("RRMS")))
    assert result["overall"] == expected
    assert matching.NO_CRITERIA_FACT in result["missing_facts"]


def test_an_imported_female_only_trial_of_another_disease_is_not_for_a_man_with_ms(run, tmp_path, monkeypatch):
    import json
    from pathlib import Path

    study = json.loads((Path(__file__).parent / "fixtures" / "ctgov" / "single-msc.json").read_text())
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = "NCT09900077"
    protocol["conditionsModule"] = {"conditions": ["Breast Cancer"], "keywords": ["stem cells"]}
    protocol["eligibilityModule"]["sex"] = "FEMALE"
    protocol["statusModule"]["overallStatus"] = "RECRUITING"
    source = tmp_path / "study.json"
    source.write_text(json.dumps(study), encoding="utf-8")
    monkeypatch.setenv("MSCLI_USER_DATA", str(tmp_path / "user"))
    assert run("import", "ctgov", str(source)).exit_code == 0
    answer = run("match", "--age", "40", "--sex", "male", "--ms-type", "RRMS", "--trial", "NCT09900077", "--json")
    assert answer.exit_code == 0, answer.stderr
    screened = answer.json()
    labels = {item["criterion"]: item["label"] for item in screened["criteria"]}
    assert labels["condition"] == FAILS and labels["sex"] == FAILS
    assert screened["overall"] == "not eligible"
