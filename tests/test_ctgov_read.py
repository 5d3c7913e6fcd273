"""The shapes people save ClinicalTrials.gov API v2 studies in, and what each study keeps."""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from mscli.features import ctgov, ctgov_read
from tests.test_ctgov import FIXTURES, SINGLE, TODAY, imported, user_data  # noqa: F401

STUDY: dict[str, Any] = json.loads(SINGLE.read_text())


def numbered(number: int) -> dict[str, Any]:
    study = deepcopy(STUDY)
    study["protocolSection"]["identificationModule"]["nctId"] = f"NCT099{number:05d}"
    return study


def found(path: Path) -> list[ctgov_read.Found]:
    return list(ctgov_read.read_studies(path))


@pytest.mark.parametrize("shape", ["array", "jsonl", "envelopes", "page-of-envelopes", "array-of-pages"])
def test_every_saved_shape_gives_the_studies(tmp_path, shape):
    studies = [numbered(n) for n in range(3)]
    path = tmp_path / ("studies.jsonl" if shape == "jsonl" else "studies.json")
    text = {
        "array": json.dumps(studies, indent=2),
        "jsonl": "\n".join(json.dumps(study) for study in studies) + "\n",
        "envelopes": json.dumps([{"raw": study, "fetched": TODAY} for study in studies]),
        "page-of-envelopes": json.dumps({"studies": [{"study": study} for study in studies]}),
        "array-of-pages": json.dumps([{"studies": studies[:2]}, {"studies": studies[2:]}]),
    }[shape]
    path.write_text(text)
    items = found(path)
    assert [item.problem for item in items] == [None] * 3
    assert [item.study["protocolSection"]["identificationModule"]["nctId"] for item in items] == [
        "NCT09900000", "NCT09900001", "NCT09900002"]


def test_a_large_array_is_streamed_with_progress(tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps([numbered(n) for n in range(400)]))
    seen: list[int] = []
    count = sum(1 for item in ctgov_read.read_studies(path, seen.append) if item.problem is None)
    assert count == 400
    assert len(seen) > 3 and seen == sorted(seen) and seen[-1] <= path.stat().st_size


def test_a_cut_off_array_keeps_what_came_before(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps([numbered(0), numbered(1)])[:-200])
    items = found(path)
    assert items[0].problem is None and "cut-off" in (items[-1].problem or "")


@pytest.mark.parametrize("key", ["FullStudiesResponse", "StudyFieldsResponse"])
def test_legacy_v1_is_refused_with_how_to_get_v2(tmp_path, key):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({key: {"APIVrs": "1.01.05", "NStudiesReturned": 0}}))
    (item,) = found(path)
    assert "v1" in (item.problem or "") and "api/v2" in (item.problem or "")


def test_a_directory_reads_json_lines_too(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps(numbered(1)) + "\n" + json.dumps(numbered(2)) + "\n")
    (tmp_path / "b.json").write_text(json.dumps(numbered(3)))
    assert [path.name for path in ctgov_read.input_files(tmp_path)] == ["a.jsonl", "b.json"]


def test_fields_restricted_study_says_what_it_lacks():
    study = deepcopy(STUDY)
    del study["protocolSection"]["designModule"]
    with pytest.raises(ctgov.Unusable, match="lacks designModule.*fields="):
        ctgov.convert(study, TODAY, {"msc"})
    lean = deepcopy(STUDY)
    del lean["protocolSection"]["contactsLocationsModule"]
    assert ctgov.convert(lean, TODAY, {"msc"}).lacks == ["contactsLocationsModule"]


def test_nothing_a_user_looks_for_is_dropped():
    study = deepcopy(STUDY)
    protocol = study["protocolSection"]
    protocol["statusModule"].update({"completionDateStruct": {"date": "2027-06", "type": "ESTIMATED"},
                                     "whyStopped": "Funding \\>= withdrawn"})
    protocol["sponsorCollaboratorsModule"]["collaborators"] = [{"name": "Example Foundation"}]
    protocol["conditionsModule"]["keywords"] = ["stem cells"]
    protocol["identificationModule"]["secondaryIdInfos"] = [{"id": "2015-001234-56", "type": "EUDRACT_NUMBER"},
                                                          {"id": "ISRCTN12345678", "type": "REGISTRY"}]
    trial = ctgov.convert(study, TODAY, {"msc"}).trial
    assert (trial["start_date"], trial["start_date_kind"]) == ("2016-04", "actual")
    assert (trial["end_date"], trial["end_date_kind"]) == ("2027-06", "anticipated")
    assert trial["why_stopped"] == "Funding >= withdrawn"
    assert trial["sponsor"] == "Example University Hospital"
    assert trial["collaborators"] == ["Example Foundation"]
    assert "stem cells" in trial["conditions"]
    assert [r["id"] for r in trial["registrations"]] == ["NCT09900001", "2015-001234-56", "ISRCTN12345678"]
    assert trial["results_posted"] is STUDY["hasResults"]
    assert trial["status_checked"] == TODAY
    assert all(location["country"] for location in trial["locations"])


@pytest.mark.parametrize("masking, who, blinding", [
    ("TRIPLE", ["PARTICIPANT", "INVESTIGATOR", "OUTCOMES_ASSESSOR"], "double-blind"),
    ("SINGLE", ["OUTCOMES_ASSESSOR"], "assessor-blind"),
    ("NONE", [], "open-label"),
])
def test_masking_level_and_who_is_masked(masking, who, blinding):
    study = deepcopy(STUDY)
    study["protocolSection"]["designModule"]["designInfo"]["maskingInfo"] = {"masking": masking, "whoMasked": who}
    design = ctgov.convert(study, TODAY, {"msc"}).trial["design"]
    assert design["blinding"] == blinding
    if who:
        assert f"masking {masking.lower()}" in design["comparator"]
        assert "outcomes assessor" in design["comparator"]


def test_a_placebo_crossover_with_experimental_arms_is_controlled():
    study = deepcopy(STUDY)
    for arm in study["protocolSection"]["armsInterventionsModule"]["armGroups"]:
        arm["type"] = "EXPERIMENTAL"
    assert ctgov.convert(study, TODAY, {"msc"}).trial["design"]["controlled"] is True


@pytest.mark.parametrize("name, therapy", [
    ("Autologous hematopoietic cell transplantation", "ahsct"),
    ("Haemopoietic stem cell transplantation", "ahsct"),
    ("Autologous stem-cell transplantation", "ahsct"),
    ("CD34+ selected autologous graft", "ahsct"),
    ("Wharton's jelly derived cells", "msc"),
])
def test_wider_therapy_classifier(name, therapy):
    assert ctgov.classify([{"name": name, "description": None}], {"ahsct", "msc"}) == therapy


def test_dry_run_writes_nothing_and_into_is_read_by_data(run, user_data, tmp_path):  # noqa: F811
    code, rows, _ = imported(run, str(SINGLE), "--dry-run")
    assert code == 0 and rows["NCT09900001"]["action"] == "added"
    assert not (user_data / "imported").exists()
    target = tmp_path / "elsewhere"
    code, _, _ = imported(run, str(SINGLE), "--into", str(target))
    assert code == 0
    listed = {t["id"] for t in run("trials", "--data", str(target), "--json").json()}
    assert "nct09900001" in listed


def test_import_json_validates_against_its_schema(run, user_data, tmp_path):  # noqa: F811
    import jsonschema
    from jsonschema import Draft202012Validator

    document = run("schema", "import-result").json()
    (tmp_path / "mixed.jsonl").write_text(json.dumps(numbered(7)) + "\nnot json\n")
    rows = run("import", "ctgov", str(tmp_path / "mixed.jsonl"), "--json").json()
    assert {row["action"] for row in rows} == {"added", "skipped"}
    for row in rows:
        jsonschema.validate(row, document, cls=Draft202012Validator)


def _real_citations() -> dict[str, str]:
    """The references of the real AACT records (tests/fixtures/ctgov_real/PROVENANCE.md), by PMID."""
    found = {}
    for file in sorted((Path(__file__).parent / "fixtures" / "ctgov_real").glob("NCT*.json")):
        study = json.loads(file.read_text(encoding="utf-8"))
        for reference in study.get("protocolSection", {}).get("referencesModule", {}).get("references", []):
            found[reference.get("pmid") or reference["citation"]] = reference["citation"]
    return found


def test_a_real_nlm_reference_splits_into_authors_title_journal_year_and_doi():
    parsed = ctgov_read.nlm_citation(_real_citations()["18519994"])
    assert parsed == {
        "authors": "Thompson V, Craig RG, Curro FA, Green WS, Ship JA",
        "title": "Treatment of deep carious lesions by complete excavation or partial removal: a critical review",
        "publisher": "J Am Dent Assoc", "year": 2008, "doi": "10.14219/jada.archive.2008.0252"}


def test_real_references_that_are_not_whole_citations_stay_whole():
    citations = _real_citations()
    for key in ("23032071", "22107850", "Ostergaard L et al..."):
        assert ctgov_read.nlm_citation(citations[key]) is None
    kept = ctgov_read.reference_fields(citations["23032071"], "23032071", "NCT03418623")
    assert kept["title"] == citations["23032071"] and "authors" not in kept
