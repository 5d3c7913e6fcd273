"""Outcome findings by therapy: what the best studies found, and how sure anyone can be.

mscli never grades evidence itself. A finding carries a certainty grade only when a cited
review or guideline gave one (``validate`` enforces that the grader is such a source);
otherwise the answer names the evidence stage, read from the design of the trial or study the
finding comes from, and says plainly that no cited source graded it. Plain data in, plain data
out: the words here are the vocabulary of the answer, not its layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from mscli.model.evidence_outputs import EvidenceStage, ExplainedFinding, OutcomeCell, OutcomeRow
from mscli.model.records import (
    CertaintyGrade,
    Dataset,
    Effect,
    OutcomeFinding,
    OutcomeKind,
    Phase,
    StudyKind,
)
from mscli.queries import compare

STAGE_LABELS: dict[EvidenceStage, str] = {
    EvidenceStage.PRECLINICAL: "preclinical",
    EvidenceStage.NON_RANDOMISED: "not randomised",
    EvidenceStage.RANDOMISED_PHASE_2: "randomised phase 2 or earlier",
    EvidenceStage.RANDOMISED_PHASE_3: "randomised phase 3",
}

OUTCOME_LABELS: dict[OutcomeKind, str] = {
    OutcomeKind.RELAPSES: "relapses",
    OutcomeKind.DISABILITY: "disability progression or improvement",
    OutcomeKind.MRI_LESIONS: "new MRI lesions",
    OutcomeKind.NEDA: "no evidence of disease activity (NEDA)",
    OutcomeKind.TREATMENT_RELATED_DEATHS: "treatment-related deaths",
    OutcomeKind.SERIOUS_ADVERSE_EVENTS: "serious adverse events",
}

_LATE_PHASES = {Phase.P2_3.value, Phase.P3.value, Phase.P4.value}
_PRECLINICAL_KINDS = {StudyKind.LAB.value, StudyKind.ANIMAL.value}
_STAGE_RANK = {stage: rank for rank, stage in enumerate(EvidenceStage)}

# GRADE's usual plain-language wording for a difference, by certainty.
_GRADED_WORDS: dict[CertaintyGrade, str] = {
    CertaintyGrade.HIGH: "{verbs}",
    CertaintyGrade.MODERATE: "probably {verbs}",
    CertaintyGrade.LOW: "may {verb}",
    CertaintyGrade.VERY_LOW: "uncertain whether it {verbs}",
}


def evidence_stages(dataset: Dataset) -> dict[str, EvidenceStage]:
    """The stage of every trial and study, by id: its design, not anyone's judgement."""
    stages: dict[str, EvidenceStage] = {}
    for trial in dataset["trials"]:
        if not trial["design"]["randomised"]:
            stages[trial["id"]] = EvidenceStage.NON_RANDOMISED
        elif trial["phase"] in _LATE_PHASES:
            stages[trial["id"]] = EvidenceStage.RANDOMISED_PHASE_3
        else:
            stages[trial["id"]] = EvidenceStage.RANDOMISED_PHASE_2
    for study in dataset["studies"]:
        stages[study["id"]] = (EvidenceStage.PRECLINICAL if study["kind"] in _PRECLINICAL_KINDS
                               else EvidenceStage.NON_RANDOMISED)
    return stages


def plain_words(finding: OutcomeFinding, stage: EvidenceStage | None) -> str:
    """Which way the finding points, worded by its certainty or, ungraded, by its design.

    A cited grade gives GRADE's usual wording. Ungraded, a difference from a randomised
    comparison reads "may reduce"; from a non-randomised comparison or from lab and animal
    work it says where the difference was seen, so a safety signal is never played down as
    "uncertain"; a single-arm rate is only a rate.
    """
    effect = finding["effect"]
    if effect == Effect.NO_DIFFERENCE:
        return "no difference found"
    if effect == Effect.NOT_COMPARED:
        return "rate only; no comparison group"
    fewer = effect == Effect.FEWER
    verb, verbs = ("reduce", "reduces") if fewer else ("increase", "increases")
    certainty = finding["certainty"]
    if certainty is not None:
        return _GRADED_WORDS[CertaintyGrade(certainty["grade"])].format(verb=verb, verbs=verbs)
    direction = "lower" if fewer else "higher"
    if stage is EvidenceStage.PRECLINICAL:
        return f"{direction} in lab or animal studies only"
    if stage is EvidenceStage.NON_RANDOMISED:
        return f"{direction} in a non-randomised comparison"
    if stage is None:
        return f"uncertain whether it {verbs}"
    return f"may {verb}"


def certainty_text(finding: OutcomeFinding, stage: EvidenceStage | None) -> str:
    """The certainty line: a quoted grade with its source, or the stage and "not graded"."""
    certainty = finding["certainty"]
    if certainty is not None:
        return (f"certainty: {certainty['grade']} ({certainty['system']}, {certainty['source']}; "
                f"{certainty['applies_to']})")
    stage_label = STAGE_LABELS[stage] if stage is not None else "unknown"
    return f"evidence stage: {stage_label}; not graded by any cited source"


def _explained(finding: OutcomeFinding, stages: dict[str, EvidenceStage]) -> ExplainedFinding:
    stage = stages.get(finding["evidence"])
    return {
        **finding,
        "evidence_stage": stage,
        "graded": finding["certainty"] is not None,
        "plain_words": plain_words(finding, stage),
        "certainty_text": certainty_text(finding, stage),
    }


def _best_first(item: ExplainedFinding) -> tuple[int, int, str]:
    stage = item["evidence_stage"]
    rank = _STAGE_RANK[stage] if stage is not None else -1
    return (-rank, -(item.get("n") or 0), item["id"])


def by_outcome(dataset: Dataset, therapy_queries: Sequence[str]) -> list[OutcomeRow]:
    """One row per outcome kind; in each, per therapy, its findings strongest design first.

    ``evidence_stage`` of a cell is the best design among that therapy's findings for the
    outcome; ``graded`` says whether any of them carries a grade from a cited source.
    """
    therapies = compare.compared_therapies(dataset, therapy_queries)
    stages = evidence_stages(dataset)
    rows: list[OutcomeRow] = []
    for kind in OutcomeKind:
        cells: list[OutcomeCell] = []
        for therapy in therapies:
            findings = sorted((_explained(finding, stages) for finding in dataset["outcomes"]
                               if finding["therapy"] == therapy["id"] and finding["outcome"] == kind),
                              key=_best_first)
            cells.append({
                "therapy": therapy["id"],
                "evidence_stage": findings[0]["evidence_stage"] if findings else None,
                "graded": any(item["graded"] for item in findings),
                "findings": findings,
            })
        rows.append({"outcome": kind, "label": OUTCOME_LABELS[kind], "therapies": cells})
    return rows
