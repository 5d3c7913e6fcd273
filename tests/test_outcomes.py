"""Outcome findings: validation rules, the by-outcome comparison, and honest certainty."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from mscli.loading import dataset
from tests.conftest import minimal

GRADE_WORDS = re.compile(r"\b(high|moderate|low|very[- ]low|GRADE|probably)\b")


def outcome_dataset() -> dict[str, Any]:
    """Two therapies; alpha has a randomised phase 2 trial and an animal study, beta a phase 3
    trial; one alpha finding is graded by a review, every other finding is not."""
    data = minimal()
    beta = copy.deepcopy(data["therapies"][0])
    beta.update(id="beta", name="Beta cells", aliases=[])
    data["therapies"].append(beta)
    late = copy.deepcopy(data["trials"][0])
    late.update(id="trial-three", acronym=None, therapy="beta", phase="3", registrations=[])
    data["trials"].append(late)
    data["studies"] = [{
        "id": "mouse-study", "title": "Cells in mice", "kind": "animal", "therapy": "alpha", "year": 2010,
        "summary": "Mice were treated.", "finding": "Milder disease.", "sources": ["src-a"],
        "reviewed": "2026-11-01",
    }]
    data["sources"].append({
        "id": "src-review", "kind": "review", "title": "A systematic review", "publisher": "An agency",
        "verified": True, "reviewed": "2026-11-01",
    })
    base = {"measure": "people who relapsed", "finding": "Fewer relapses.", "effect": "fewer",
            "sources": ["src-a"], "reviewed": "2026-11-01"}
    data["outcomes"] = [copy.deepcopy(item) for item in [
        {**base, "id": "alpha-relapses-trial", "therapy": "alpha", "outcome": "relapses",
         "evidence": "trial-one", "n": 40, "follow_up": "2 years", "figures": ["hazard ratio 0.5"]},
        {**base, "id": "alpha-relapses-mice", "therapy": "alpha", "outcome": "relapses",
         "evidence": "mouse-study"},
        {**base, "id": "alpha-deaths", "therapy": "alpha", "outcome": "treatment-related-deaths",
         "measure": "deaths", "finding": "Two in a hundred died.", "effect": "not-compared",
         "evidence": "trial-one", "sources": ["src-a", "src-review"],
         "certainty": {"grade": "low", "system": "GRADE", "source": "src-review",
                       "applies_to": "all studies the review included"}},
        {**base, "id": "beta-mri", "therapy": "beta", "outcome": "mri-lesions", "measure": "new lesions",
         "finding": "No fewer lesions than placebo.", "effect": "no-difference", "evidence": "trial-three"},
    ]]
    return data


def outcome(data: dict[str, Any], outcome_id: str) -> dict[str, Any]:
    return next(item for item in data["outcomes"] if item["id"] == outcome_id)


def problems_for(folder) -> list[str]:
    _, problems = dataset.check(dataset.read_files(folder))
    return [str(problem) for problem in problems]


RULES = [
    ("evidence is no trial or study", lambda d: outcome(d, "beta-mri").update(evidence="src-a"),
     ["beta-mri evidence", "not the id of a trial or study"]),
    ("evidence of another therapy", lambda d: outcome(d, "beta-mri").update(evidence="trial-one"),
     ["beta-mri evidence", "is a alpha record, not beta"]),
    ("grade from a journal article", lambda d: outcome(d, "alpha-deaths")["certainty"].update(source="src-a"),
     ["alpha-deaths certainty.source", "review or guideline"]),
    ("grade source not cited", lambda d: outcome(d, "alpha-deaths").update(sources=["src-a"]),
     ["alpha-deaths certainty.source", "must also be in sources"]),
    ("unknown grade source", lambda d: outcome(d, "alpha-deaths")["certainty"].update(source="nobody"),
     ["alpha-deaths certainty.source", "unknown source id 'nobody'"]),
    ("grade outside the scale", lambda d: outcome(d, "alpha-deaths")["certainty"].update(grade="strong"),
     ["alpha-deaths certainty.grade", "not one of"]),
    ("negative n", lambda d: outcome(d, "alpha-relapses-trial").update(n=-3), ["alpha-relapses-trial n", "negative"]),
    ("unknown outcome kind", lambda d: outcome(d, "beta-mri").update(outcome="mood"),
     ["beta-mri outcome", "not one of"]),
    ("unknown effect", lambda d: outcome(d, "beta-mri").update(effect="better"), ["beta-mri effect", "not one of"]),
    ("unknown therapy", lambda d: outcome(d, "beta-mri").update(therapy="gamma"),
     ["beta-mri therapy", "unknown therapy id 'gamma'"]),
]


def test_outcome_fixture_is_valid(write_dataset):
    assert problems_for(write_dataset(outcome_dataset())) == []


@pytest.mark.parametrize("name,change,expected", RULES, ids=[rule[0] for rule in RULES])
def test_each_outcome_rule_reports_record_and_field(write_dataset, name, change, expected):
    data = outcome_dataset()
    change(data)
    messages = problems_for(write_dataset(data))
    assert any(all(part in message for part in expected) for message in messages), messages


def compare_json(run, folder, *therapies: str) -> list[dict[str, Any]]:
    result = run("compare", *therapies, "--by", "outcome", "--json", "--data", str(folder))
    assert result.exit_code == 0, result.stderr
    return result.json()


def cell(rows: list[dict[str, Any]], kind: str, therapy: str) -> dict[str, Any]:
    row = next(row for row in rows if row["outcome"] == kind)
    return next(item for item in row["therapies"] if item["therapy"] == therapy)


def test_rows_are_every_outcome_and_columns_the_therapies(run, write_dataset):
    rows = compare_json(run, write_dataset(outcome_dataset()), "beta", "ALP")
    assert [row["outcome"] for row in rows] == [
        "relapses", "disability", "mri-lesions", "neda", "treatment-related-deaths", "serious-adverse-events"]
    assert all([item["therapy"] for item in row["therapies"]] == ["beta", "alpha"] for row in rows)
    assert cell(rows, "neda", "alpha") == {"therapy": "alpha", "evidence_stage": None, "graded": False,
                                           "findings": []}


def test_evidence_stage_comes_from_the_design_and_the_best_design_leads(run, write_dataset):
    rows = compare_json(run, write_dataset(outcome_dataset()), "alpha", "beta")
    relapses = cell(rows, "relapses", "alpha")
    assert [f["id"] for f in relapses["findings"]] == ["alpha-relapses-trial", "alpha-relapses-mice"]
    assert [f["evidence_stage"] for f in relapses["findings"]] == ["randomised-phase-2", "preclinical"]
    assert relapses["evidence_stage"] == "randomised-phase-2"
    assert cell(rows, "mri-lesions", "beta")["evidence_stage"] == "randomised-phase-3"
    trial_finding = relapses["findings"][0]
    assert trial_finding["n"] == 40 and trial_finding["follow_up"] == "2 years"
    assert trial_finding["figures"] == ["hazard ratio 0.5"]


def test_ungraded_findings_never_show_a_grade(run, write_dataset):
    rows = compare_json(run, write_dataset(outcome_dataset()), "alpha", "beta")
    ungraded = [f for row in rows for item in row["therapies"] for f in item["findings"] if not f["graded"]]
    assert len(ungraded) == 3
    for finding in ungraded:
        assert finding["certainty"] is None
        assert finding["certainty_text"].startswith("evidence stage: ")
        assert finding["certainty_text"].endswith("not graded by any cited source")
        assert not GRADE_WORDS.search(finding["certainty_text"] + " " + finding["plain_words"])
    words = {f["id"]: f["plain_words"] for f in ungraded}
    assert words == {"alpha-relapses-trial": "may reduce", "alpha-relapses-mice": "lower in lab or animal studies only",
                     "beta-mri": "no difference found"}


def test_a_graded_finding_names_its_grade_and_source(run, write_dataset):
    rows = compare_json(run, write_dataset(outcome_dataset()), "alpha", "beta")
    deaths = cell(rows, "treatment-related-deaths", "alpha")
    assert deaths["graded"] is True
    finding = deaths["findings"][0]
    assert finding["certainty"]["source"] == "src-review"
    assert finding["certainty_text"] == ("certainty: low (GRADE, src-review; all studies the review included)")
    assert finding["plain_words"] == "rate only; no comparison group"


@pytest.mark.parametrize("grade,effect,words", [
    ("high", "fewer", "reduces"), ("moderate", "more", "probably increases"), ("low", "fewer", "may reduce"),
    ("very-low", "fewer", "uncertain whether it reduces"), ("high", "no-difference", "no difference found"),
])
def test_plain_words_follow_the_quoted_grade(run, write_dataset, grade, effect, words):
    data = outcome_dataset()
    outcome(data, "alpha-deaths").update(effect=effect)
    outcome(data, "alpha-deaths")["certainty"]["grade"] = grade
    rows = compare_json(run, write_dataset(data), "alpha", "beta")
    assert cell(rows, "treatment-related-deaths", "alpha")["findings"][0]["plain_words"] == words


def test_table_cells_show_source_for_graded_and_stage_for_ungraded(run, write_dataset):
    folder = write_dataset(outcome_dataset())
    result = run("compare", "alpha", "beta", "--by", "outcome", "--format", "tsv", "--data", str(folder))
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0] == ["outcome", "alpha", "beta"]
    by_label = {line[0]: line[1:] for line in lines[1:]}
    deaths_alpha, deaths_beta = by_label["treatment-related deaths"]
    assert "certainty: low (GRADE, src-review" in deaths_alpha
    assert deaths_beta == "no finding in mscli"
    relapses_alpha = by_label["relapses"][0]
    assert "certainty" not in relapses_alpha and "not graded by any cited source" in relapses_alpha
    assert "n=40" in relapses_alpha and "follow-up 2 years" in relapses_alpha


def test_table_at_80_columns_without_colour_fits(run_process):
    result = run_process("compare", "ahsct", "msc", "--by", "outcome", "--format", "table",
                         env={"COLUMNS": "80", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_aspect_view_stays_the_default(run):
    rows = run("compare", "ahsct", "msc", "--json").json()
    assert [row["id"] for row in rows] == ["ahsct", "msc"] and "chemotherapy" in rows[0]


@pytest.mark.parametrize("args", [["compare", "ahsct", "--by", "outcome"], ["compare", "ahsct", "msc", "--by", "mood"],
                                  ["compare", "ahsct", "HSCT", "--by", "outcome"]])
def test_outcome_view_usage_errors(run, args):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""


def test_bundled_grades_come_only_from_cited_reviews(run):
    rows = run("compare", "ahsct", "msc", "msc-ntf", "--by", "outcome", "--json").json()
    findings = [f for row in rows for item in row["therapies"] for f in item["findings"]]
    assert findings and any(f["graded"] for f in findings) and any(not f["graded"] for f in findings)
    for finding in findings:
        cited = {source["id"]: source for source in run("sources", finding["id"], "--json").json()}
        assert set(finding["sources"]) <= set(cited)
        if finding["graded"]:
            assert cited[finding["certainty"]["source"]]["kind"] in ("review", "guideline")
        else:
            assert "not graded by any cited source" in finding["certainty_text"]
    mesems = next(f for f in findings if f["evidence"] == "mesems")
    assert mesems["plain_words"] == "no difference found" and mesems["evidence_stage"] == "randomised-phase-2"


def test_an_outcome_finding_shows_with_its_grading_source(run):
    detail = run("show", "ahsct-niph-deaths", "--json").json()
    assert detail["certainty"]["source"] == "niph-ahsct-hta-abstract"
    assert "niph-ahsct-hta-abstract" in [source["id"] for source in detail["cited_sources"]]
    row = dict(line.split("\t", 1) for line in run("show", "ahsct-niph-deaths", "--format", "tsv").stdout.splitlines())
    assert row["certainty"].startswith("grade: low; system: GRADE; source: niph-ahsct-hta-abstract")


def test_a_non_randomised_difference_says_where_it_was_seen(run, write_dataset):
    data = outcome_dataset()
    data["trials"][0]["design"].update(randomised=False, controlled=True)
    outcome(data, "alpha-relapses-trial").update(effect="more")
    rows = compare_json(run, write_dataset(data), "alpha", "beta")
    finding = cell(rows, "relapses", "alpha")["findings"][0]
    assert finding["evidence_stage"] == "non-randomised"
    assert finding["plain_words"] == "higher in a non-randomised comparison"
