"""One small broken dataset per validation rule; each must fail with a located message."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mscli.loading import dataset
from tests.conftest import minimal


def problems_for(folder) -> list[str]:
    _, problems = dataset.check(dataset.read_files(folder))
    return [str(problem) for problem in problems]


def mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = minimal()
    change(data)
    return data


def trial(data: dict[str, Any]) -> dict[str, Any]:
    return data["trials"][0]


RULES: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    ("unknown field", lambda d: trial(d).update(phasee="2"), ["trial-one phasee", "unknown field"]),
    ("missing field", lambda d: trial(d).pop("title"), ["trial-one title", "missing required field"]),
    ("wrong type", lambda d: trial(d).update(sites="many"), ["trial-one sites", "whole number"]),
    ("bad enum", lambda d: trial(d).update(phase="7"), ["trial-one phase", "not one of"]),
    ("duplicate id", lambda d: d["trials"].append(copy.deepcopy(trial(d))), ["trial-one id", "duplicate id"]),
    ("duplicate id across types", lambda d: d["sources"][0].update(id="alpha"), ["alpha id", "duplicate id"]),
    ("unknown therapy", lambda d: trial(d).update(therapy="beta"), ["trial-one therapy", "unknown therapy id 'beta'"]),
    ("unknown source", lambda d: trial(d).update(sources=["nowhere"]), ["trial-one sources[0]", "unknown source"]),
    ("no source", lambda d: trial(d).update(sources=[]), ["trial-one sources", "at least one source"]),
    ("enrolment source", lambda d: trial(d)["enrolment"][0].update(source="x"),
     ["trial-one enrolment[0].source", "unknown source"]),
    ("negative enrolment", lambda d: trial(d)["enrolment"][0].update(count=-5),
     ["trial-one enrolment[0].count", "negative"]),
    ("years out of order", lambda d: trial(d).update(start_year=2020, end_year=2010),
     ["trial-one end_year", "before start_year"]),
    ("year out of range", lambda d: trial(d).update(start_year=1066), ["trial-one start_year", "outside"]),
    ("bad NCT", lambda d: trial(d)["registrations"][0].update(id="NCT123"),
     ["trial-one registrations[0].id", "unknown format"]),
    ("bad ISRCTN", lambda d: trial(d)["registrations"][0].update(id="ISRCTN1234"),
     ["registrations[0].id", "unknown format"]),
    ("bad EudraCT", lambda d: trial(d)["registrations"][1].update(id="2010-1-01"),
     ["registrations[1].id", "unknown format"]),
    ("bad DOI", lambda d: d["sources"][0].update(doi="https://doi.org/10.1000/abc"), ["src-a doi", "10.NNNN"]),
    ("bad PMID", lambda d: d["sources"][0].update(pmid="PMID123"), ["src-a pmid", "digits"]),
    ("bad date", lambda d: trial(d).update(reviewed="2024-02-30"), ["trial-one reviewed", "real calendar date"]),
    ("bad as_of", lambda d: trial(d)["enrolment"][0].update(as_of="last year"), ["as_of", "YYYY-MM-DD"]),
    ("age range", lambda d: trial(d)["eligibility"].update(age_min=60, age_max=18), ["age_max", "above"]),
    ("edss range", lambda d: trial(d)["eligibility"].update(edss_max=11.0), ["edss_max", "outside"]),
    ("unverified names a field", lambda d: trial(d).update(unverified=["colour"]),
     ["trial-one unverified[0]", "names no field"]),
    ("difference field", lambda d: trial(d).update(differences=[
        {"field": "flavour", "value": "x", "source": "src-a", "as_of": "2020"}]), ["differences[0].field"]),
    ("slug", lambda d: trial(d).update(id="Trial One"), ["Trial One id", "lowercase slug"]),
    ("empty text", lambda d: trial(d).update(title="  "), ["trial-one title", "empty text"]),
    ("bool as text", lambda d: trial(d).update(countries=[False]), ["countries[0]", "quote it"]),
    ("number as text", lambda d: trial(d).update(phase=2), ["trial-one phase", "quote it"]),
    ("not a mapping", lambda d: d.update(trials=["just text"]), ["expected a mapping"]),
    ("unknown top-level key", lambda d: d.update(patients=[]), ["patients", "unknown top-level key"]),
    ("no dataset section", lambda d: d.pop("dataset"), ["no file has a 'dataset' section"]),
]


def registry_source(**fields: Any) -> Callable[[dict[str, Any]], None]:
    """Add a ClinicalTrials.gov registry-record source, with ``fields`` changed, cited by the trial."""
    def change(data: dict[str, Any]) -> None:
        source = {"id": "ctgov-nct00000001", "kind": "registry-record", "title": "Record",
                  "publisher": "ClinicalTrials.gov", "url": "https://clinicaltrials.gov/study/NCT00000001",
                  "registry_id": "NCT00000001", "verified": True, "reviewed": "2026-11-01", **fields}
        data["sources"].append({key: value for key, value in source.items() if value is not None})
        trial(data)["sources"].append("ctgov-nct00000001")
    return change


def trial_with(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for key, value in fields.items():
            if value is None:
                trial(data).pop(key, None)
            else:
                trial(data)[key] = value
    return change


# Issue 12: canonical source addresses and outcome labels that cannot overstate.
RULES += [
    ("url on a copy site", lambda d: d["sources"][0].update(url="https://trials.co/clinical-trials-details/-/NCT00000001"),
     ["src-a url", "trials.co", "seen_at"]),
    ("registry record on a copy site", registry_source(url="https://meddatax.com/clinical-trials/NCT00000001"),
     ["ctgov-nct00000001 url", "meddatax.com"]),
    ("registry record at an old address", registry_source(url="https://clinicaltrials.gov/ct2/show/NCT00000001"),
     ["ctgov-nct00000001 url", "registry's own page", "https://clinicaltrials.gov/study/NCT00000001"]),
    ("registry record on another site", registry_source(url="https://example.org/NCT00000001"),
     ["ctgov-nct00000001 url", "registry's own page"]),
    ("EU record not at the register's search page",
     registry_source(registry_id="2010-000001-01",
                     url="https://www.clinicaltrialsregister.eu/ctr-search/trial/2010-000001-01/results"),
     ["ctgov-nct00000001 url", "ctr-search/search?query=2010-000001-01"]),
    ("registry record without its number", registry_source(registry_id=None),
     ["ctgov-nct00000001 registry_id", "needs registry_id"]),
    ("pending on a terminated trial", trial_with(status="terminated", outcome="pending"),
     ["trial-one outcome", "terminated trial cannot be 'pending'"]),
    ("pending on a withdrawn trial", trial_with(status="withdrawn", outcome="pending"),
     ["trial-one outcome", "withdrawn trial cannot be 'pending'"]),
    ("stopped-early on a completed trial", trial_with(outcome="stopped-early"),
     ["trial-one outcome", "'stopped-early' is for terminated or suspended"]),
    ("withdrawn label on a completed trial", trial_with(outcome="withdrawn"),
     ["trial-one outcome", "'withdrawn' is for withdrawn trials"]),
    ("met-randomised without randomisation",
     trial_with(outcome="met-randomised", publications=["src-a"],
                design={"randomised": False, "controlled": False, "blinding": "open-label", "crossover": False}),
     ["trial-one outcome", "randomised comparison", "uncontrolled-improvement"]),
    ("met-randomised without a result", trial_with(outcome="met-randomised"),
     ["trial-one outcome", "published result"]),
    ("recruiting past its planned end, never checked",
     trial_with(status="recruiting", outcome="pending", end_date="2019-06", end_date_kind="anticipated"),
     ["trial-one status_checked", "past its planned end (2019-06-30)"]),
    ("recruiting past its planned end, checked long ago",
     trial_with(status="recruiting", outcome="pending", status_checked="2020-01-01"),
     ["trial-one status_checked", "past its planned end (2019-12-31)"]),
    ("date disagrees with its year", trial_with(start_date="2014-03", start_date_kind="actual"),
     ["trial-one start_year", "does not agree with start_date 2014-03"]),
    ("date not at a registry precision", trial_with(end_date="June 2019"),
     ["trial-one end_date", "YYYY, YYYY-MM or YYYY-MM-DD"]),
    ("impossible date", trial_with(end_date="2019-02-30"), ["trial-one end_date", "YYYY-MM-DD"]),
    ("date without its year", trial_with(start_date="2015-03", start_year=None),
     ["trial-one start_year", "needs start_year 2015"]),
    ("date kind without a date", trial_with(end_date_kind="actual"),
     ["trial-one end_date_kind", "without a end_date"]),
    ("bad status check date", trial_with(status_checked="2024-13-01"), ["trial-one status_checked", "calendar date"]),
]


@pytest.mark.parametrize("name,change,expected", RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_reports_file_record_and_field(write_dataset, name, change, expected):
    messages = problems_for(write_dataset(mutate(change)))
    assert messages, name
    assert any(all(part in message for part in expected) for message in messages), messages
    assert all(message.startswith("data.yaml") or message.startswith("(dataset)") for message in messages)


def test_minimal_dataset_is_valid(write_dataset):
    assert problems_for(write_dataset(minimal())) == []


def test_every_problem_is_listed_not_just_the_first(write_dataset):
    data = minimal()
    trial(data).update(phase="9", status="sleeping", sites=-1)
    messages = problems_for(write_dataset(data))
    assert len(messages) >= 2


def test_duplicate_id_in_two_files_names_both(write_dataset, tmp_path):
    import yaml

    folder = write_dataset(minimal())
    extra = {"trials": [minimal()["trials"][0]]}
    (folder / "more.yaml").write_text(yaml.safe_dump(extra), encoding="utf-8")
    messages = problems_for(folder)
    assert any("more.yaml" in m and "data.yaml" in m and "duplicate id" in m for m in messages)


def test_validate_command_lists_problems_and_exits_1(run, write_dataset):
    data = minimal()
    trial(data)["therapy"] = "beta"
    result = run("validate", str(write_dataset(data)), "--json")
    assert result.exit_code == 1
    problems = result.json()
    assert problems[0]["record"] == "trial-one" and problems[0]["field"] == "therapy"
    assert problems[0]["file"] == "data.yaml" and problems[0]["line"] > 1


def test_validate_passes_on_the_bundled_dataset(run):
    result = run("validate", "--json")
    assert result.exit_code == 0, result.stdout
    assert result.json() == []


def test_other_commands_refuse_an_invalid_dataset_with_exit_3(run, write_dataset):
    data = minimal()
    trial(data)["phase"] = "9"
    result = run("trials", "--data", str(write_dataset(data)))
    assert result.exit_code == 3
    assert "data.yaml" in result.stderr and "trial-one phase" in result.stderr
    assert result.stdout == ""


def test_canonical_addresses_pass(write_dataset):
    """The registry's own page, the WHO platform page and doi.org are all accepted."""
    for url in ("https://clinicaltrials.gov/study/NCT00000001",
                "https://trialsearch.who.int/Trial2.aspx?TrialID=NCT00000001"):
        data = mutate(registry_source(url=url, seen_at="https://trials.co/clinical-trials-details/-/NCT00000001"))
        assert problems_for(write_dataset(data)) == []


def test_met_randomised_with_a_published_randomised_result_passes(write_dataset):
    data = mutate(trial_with(outcome="met-randomised", publications=["src-a"]))
    assert problems_for(write_dataset(data)) == []


def test_recruiting_past_its_end_passes_when_checked_within_a_year_of_review(write_dataset):
    data = mutate(trial_with(status="recruiting", outcome="pending", status_checked="2026-01-15"))
    assert problems_for(write_dataset(data)) == []


def test_recruiting_past_its_end_with_an_old_check_is_judged_at_review_not_today(write_dataset):
    stale = mutate(trial_with(status="recruiting", outcome="pending", status_checked="2024-06-01"))
    problems = problems_for(write_dataset(stale))
    assert len(problems) == 1 and "status_checked" in problems[0] and "past its planned end" in problems[0]
    marked = mutate(trial_with(status="recruiting", outcome="pending", status_checked="2024-06-01",
                               unverified=["status"]))
    assert problems_for(write_dataset(marked)) == []


def test_registry_dates_at_each_precision_pass(write_dataset):
    data = mutate(trial_with(start_date="2015", start_date_kind="actual", end_date="2019-03-15",
                             end_date_kind="actual"))
    assert problems_for(write_dataset(data)) == []


def test_article_without_doi_is_a_warning_not_an_error(run, write_dataset):
    data = mutate(lambda d: [d["sources"][0].pop(key) for key in ("doi", "pmid")])
    folder = write_dataset(data)
    assert run("validate", str(folder)).exit_code == 0
    result = run("validate", str(folder), "--warnings", "--json")
    assert result.exit_code == 0
    assert [(w["record"], w["field"]) for w in result.json()] == [("src-a", "doi")]
    assert result.json()[0]["message"].startswith("warning: journal article without a DOI or PMID")
