"""Therapies side by side, with trial and participant counts taken from the dataset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mscli.errors import UsageError
from mscli.queries.core import enrolment_figure, find

if TYPE_CHECKING:
    from mscli.model.records import Dataset, Therapy


def compared_therapies(dataset: Dataset, queries: Sequence[str]) -> list[Therapy]:
    """The therapies named for a comparison: at least two, each once."""
    if len(queries) < 2:
        raise UsageError("compare needs at least two therapies, e.g. 'mscli compare ahsct msc'")
    therapies = [find(dataset, "therapies", query) for query in queries]
    ids = [therapy["id"] for therapy in therapies]
    if len(set(ids)) < len(ids):
        raise UsageError(f"compare: the same therapy is named twice ({', '.join(queries)})")
    return therapies


def compare(dataset: Dataset, queries: Sequence[str]) -> list[dict[str, Any]]:
    """Therapies side by side, with trial and participant counts taken from the dataset."""
    rows = []
    for therapy in compared_therapies(dataset, queries):
        trials = [trial for trial in dataset["trials"] if trial["therapy"] == therapy["id"]]
        figures = [enrolment_figure(trial) for trial in trials]
        rows.append({
            "id": therapy["id"],
            "name": therapy["name"],
            "summary": therapy["summary"],
            "cell_source": therapy["cell_source"],
            "mechanism": therapy["mechanism"],
            "chemotherapy": therapy["chemotherapy"],
            "aim": therapy["aim"],
            "availability": therapy["availability"],
            "strongest_evidence": therapy["strongest_evidence"],
            "trials": len(trials),
            "randomised_trials": sum(1 for trial in trials if trial["design"]["randomised"]),
            "participants_enrolled": sum(f[0] for f in figures if f and f[1] == "actual"),
            "participants_planned": sum(f[0] for f in figures if f and f[1] == "planned"),
            "main_risks": therapy["main_risks"],
            "who_benefits": therapy["who_benefits"],
            "who_does_not_benefit": therapy["who_does_not_benefit"],
            "unverified": therapy.get("unverified", []),
            "sources": therapy["sources"],
        })
    return rows
