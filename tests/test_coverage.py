"""mscli coverage: the searches behind the dataset, through the real CLI (issue 12)."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import minimal


def with_searches() -> dict[str, Any]:
    data = minimal()
    second = copy.deepcopy(data["trials"][0])
    second.update(id="trial-two", registrations=[])
    second.pop("acronym")
    data["trials"].append(second)
    data["studies"] = [{"id": "cohort-one", "title": "A cohort", "kind": "cohort", "therapy": "alpha",
                        "summary": "People followed.", "finding": "Some did well.", "sources": ["src-a"],
                        "reviewed": "2026-11-01"}]
    data["searches"] = [
        {"id": "ctgov-2026", "database": "ClinicalTrials.gov", "query": "multiple sclerosis AND stem cell",
         "date": "2026-11-02", "found": 3, "included": ["trial-one"], "sources": ["src-a"],
         "excluded": [{"registration": "NCT00000002", "title": "A registry of outcomes", "reason": "observational"},
                      {"registration": "NCT00000003", "reason": "not-stem-cell", "note": "CAR-T cells"}],
         "reviewed": "2026-11-02"},
        {"id": "euctr-2026", "database": "EU CTR", "query": "multiple sclerosis stem", "date": "2026-11-01",
         "found": 2, "included": ["trial-one"], "sources": ["src-a"],
         "excluded": [{"registration": "NCT00000002", "reason": "observational"}], "reviewed": "2026-11-01"},
    ]
    return data


def test_coverage_json_counts_each_registration_once(run, write_dataset):
    result = run("coverage", "--json", "--data", str(write_dataset(with_searches())))
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert [search["id"] for search in report["searches"]] == ["euctr-2026", "ctgov-2026"]  # by date
    assert report["databases"] == ["ClinicalTrials.gov", "EU CTR"]
    assert (report["first_search"], report["last_search"]) == ("2026-11-01", "2026-11-02")
    assert report["registrations_found"] == 5
    assert report["trials_included"] == ["trial-one"]
    assert report["exclusions_by_reason"] == {"not-stem-cell": 1, "observational": 1}
    assert [(e["registration"], e["search"]) for e in report["exclusions"]] == [
        ("NCT00000003", "ctgov-2026"), ("NCT00000002", "euctr-2026")]
    assert report["counts"] == {"registered_trials": 1, "unregistered_trials": 1, "cohorts": 1,
                                "case_series": 0, "other_studies": 0}
    assert report["registered_trials_not_in_a_search"] == []


def test_coverage_table_shows_queries_and_exclusions(run, write_dataset):
    result = run("coverage", "-f", "table", "--data", str(write_dataset(with_searches())))
    assert result.exit_code == 0, result.stderr
    assert "multiple sclerosis AND stem cell" in result.stdout
    assert "excluded NCT00000003 (not-stem-cell)" in result.stdout
    assert "1 registered trials, 1 trial records without a registry number, 1 cohort studies" in result.stdout


def test_info_counts_registered_trials_apart(run, write_dataset):
    result = run("info", "--json", "--data", str(write_dataset(with_searches())))
    info = result.json()
    assert info["studies"]["registered_trials"] == 1
    assert info["studies"]["unregistered_trials"] == 1
    assert info["coverage"] == {"searches": 2, "databases": 2, "last_search": "2026-11-02",
                                "registrations_found": 5, "trials_included": 1, "registrations_excluded": 2}
    table = run("info", "-f", "table", "--data", str(write_dataset(with_searches()))).stdout
    assert "registered trials" in table and "2 in 2 database(s)" in table


def test_coverage_without_searches(run, write_dataset):
    result = run("coverage", "--json", "--data", str(write_dataset(minimal())))
    assert result.exit_code == 0
    assert result.json()["searches"] == [] and result.json()["registered_trials_not_in_a_search"] == ["trial-one"]
    assert "none recorded" in run("info", "-f", "table", "--data", str(write_dataset(minimal()))).stdout


def test_bundled_coverage_lists_the_audit_searches(run):
    report = run("coverage", "--json").json()
    assert report["searches"] and all(search["date"] for search in report["searches"])
    assert report["counts"]["registered_trials"] + report["counts"]["unregistered_trials"] == len(
        run("trials", "--json").json())
