"""The searches behind the dataset (``mscli coverage``) and trial counts kept honest (issue 12)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mscli.model.records import Dataset


def study_counts(dataset: Dataset) -> dict[str, int]:
    """Registered trials, trial records without a registry number, cohorts and other studies, apart."""
    registered = sum(1 for trial in dataset["trials"] if trial["registrations"])
    kinds = [study["kind"] for study in dataset["studies"]]
    cohorts = sum(1 for kind in kinds if kind in ("cohort", "registry-analysis"))
    case_series = sum(1 for kind in kinds if kind == "case-series")
    return {"registered_trials": registered, "unregistered_trials": len(dataset["trials"]) - registered,
            "cohorts": cohorts, "case_series": case_series,
            "other_studies": len(kinds) - cohorts - case_series}


def coverage(dataset: Dataset) -> dict[str, Any]:
    """The searches behind the dataset: where, with what query, when, what each found, and every
    registration left out with its reason (each registration once, from the first search by date)."""
    searches = sorted(dataset["searches"], key=lambda search: (search["date"], search["database"], search["id"]))
    trial_ids = {trial["id"] for trial in dataset["trials"]}
    included = sorted({trial for search in searches for trial in search["included"] if trial in trial_ids})
    exclusions: dict[str, dict[str, Any]] = {}
    for search in searches:
        for exclusion in search["excluded"]:
            exclusions.setdefault(exclusion["registration"], {
                "registration": exclusion["registration"], "title": exclusion["title"],
                "reason": exclusion["reason"], "note": exclusion["note"], "search": search["id"]})
    by_reason: dict[str, int] = {}
    for item in exclusions.values():
        by_reason[item["reason"]] = by_reason.get(item["reason"], 0) + 1
    dates = [search["date"] for search in searches]
    return {
        "searches": [{"id": search["id"], "database": search["database"], "query": search["query"],
                      "url": search["url"], "date": search["date"], "found": search["found"],
                      "included": search["included"], "excluded": len(search["excluded"]),
                      "note": search["note"]} for search in searches],
        "databases": sorted({search["database"] for search in searches}),
        "first_search": min(dates) if dates else None,
        "last_search": max(dates) if dates else None,
        "registrations_found": sum(search["found"] for search in searches),
        "trials_included": included,
        "exclusions": sorted(exclusions.values(), key=lambda e: (e["reason"], e["registration"])),
        "exclusions_by_reason": dict(sorted(by_reason.items())),
        "counts": study_counts(dataset),
        "registered_trials_not_in_a_search": sorted(
            trial["id"] for trial in dataset["trials"] if trial["registrations"] and trial["id"] not in included),
    }


def coverage_summary(dataset: Dataset) -> dict[str, Any]:
    full = coverage(dataset)
    return {"searches": len(full["searches"]), "databases": len(full["databases"]),
            "last_search": full["last_search"], "registrations_found": full["registrations_found"],
            "trials_included": len(full["trials_included"]), "registrations_excluded": len(full["exclusions"])}
