"""``import ctgov`` on real ClinicalTrials.gov files kept as test data by a public project.

The files in tests/fixtures/ctgov_real/ were written by the registry, not by mscli (PROVENANCE.md
there names the repository, path and commit of each). Each imported trial is checked field by
field against the raw record, read here independently of the importer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

REAL = Path(__file__).parent / "fixtures" / "ctgov_real"
FULL = ["NCT00973089", "NCT02210780", "NCT03418623", "NCT04207047"]
RESTRICTED = ["NCT00465816", "NCT03453554"]


def raw(nct: str) -> dict:
    return json.loads((REAL / f"{nct}.json").read_text(encoding="utf-8"))


def imported(run, tmp_path: Path, *names: str) -> tuple[list[dict], dict[str, dict]]:
    result = run("import", "ctgov", *(str(REAL / name) for name in names), "--into", str(tmp_path), "--json")
    rows = result.json()
    trials = {}
    for row in rows:
        if row["action"] == "added":
            document = yaml.safe_load(Path(row["path"]).read_text(encoding="utf-8"))
            trials[row["study"]] = document
    return rows, trials


@pytest.mark.parametrize("nct", FULL)
def test_a_full_v2_record_keeps_its_fields(run, tmp_path, nct):
    _, trials = imported(run, tmp_path, f"{nct}.json")
    document = trials[nct]
    trial, source = document["trials"][0], document["sources"][0]
    study = raw(nct)
    protocol = study["protocolSection"]
    ident, status, design = protocol["identificationModule"], protocol["statusModule"], protocol["designModule"]
    sponsors = protocol["sponsorCollaboratorsModule"]

    assert trial["registrations"][0]["id"] == ident["nctId"]
    assert trial["title"] == ident.get("officialTitle", ident["briefTitle"])
    assert source["registry_id"] == ident["nctId"] and source["url"].endswith(ident["nctId"])
    assert trial["start_date"] == status["startDateStruct"]["date"]
    kinds = {"ACTUAL": "actual", "ESTIMATED": "anticipated"}
    # Older records give no type for a date: then mscli says nothing rather than guess.
    assert trial.get("start_date_kind") == kinds.get(status["startDateStruct"].get("type"))
    completion = status.get("completionDateStruct") or status["primaryCompletionDateStruct"]
    assert trial["end_date"] == completion["date"]
    assert trial.get("end_date_kind") == kinds.get(completion.get("type"))
    assert trial.get("why_stopped") == status.get("whyStopped")
    assert trial["status"] == status["overallStatus"].lower().replace("_", "-")
    assert trial["sponsor"] == sponsors["leadSponsor"]["name"]
    assert trial.get("collaborators", []) == [c["name"] for c in sponsors.get("collaborators", [])]
    enrolment = design["enrollmentInfo"]
    assert trial["enrolment"][0]["count"] == enrolment["count"]
    assert trial["enrolment"][0]["kind"] == {"ACTUAL": "actual", "ESTIMATED": "planned"}[enrolment["type"]]
    masking = design["designInfo"].get("maskingInfo", {})
    if masking.get("whoMasked"):
        assert all(who.lower().replace("_", " ") in trial["design"]["comparator"] for who in masking["whoMasked"])
    assert trial["design"]["randomised"] is (design["designInfo"].get("allocation") == "RANDOMIZED")
    countries = {site["country"] for site in protocol.get("contactsLocationsModule", {}).get("locations", [])}
    assert set(trial.get("countries", [])) == countries
    assert trial.get("results_posted", False) is study.get("hasResults", False)
    for keyword in protocol["conditionsModule"].get("keywords", []):
        assert keyword in json.dumps(trial, ensure_ascii=False)
    meshes = study.get("derivedSection", {}).get("conditionBrowseModule", {}).get("meshes", [])
    assert {mesh["term"] for mesh in meshes} <= set(trial.get("conditions", []))
    assert "\\>" not in json.dumps(trial.get("eligibility", {}))  # CommonMark escapes rendered


def test_a_record_with_posted_results_keeps_its_dates_and_masking(run, tmp_path):
    _, trials = imported(run, tmp_path, "NCT02210780.json")
    trial = trials["NCT02210780"]["trials"][0]
    assert (trial["start_date"], trial["end_date"]) == ("2014-08-05", "2015-09-15")
    assert trial["results_posted"] is True
    assert trial["design"]["controlled"] is True  # an arm named Placebo, though typed experimental
    assert "triple" in trial["design"]["comparator"]


@pytest.mark.parametrize("name", ["assembled-array.json", "assembled-lines.jsonl"])
def test_a_bare_array_and_json_lines_of_real_records_import_like_the_files(run, tmp_path, name):
    rows, trials = imported(run, tmp_path, name)
    assert [row["action"] for row in rows] == ["added"] * 3
    alone, single = imported(run, tmp_path / "single", "NCT00973089.json")
    assert trials["NCT00973089"] == single["NCT00973089"]


@pytest.mark.parametrize("name", [f"{nct}.json" for nct in RESTRICTED] + ["assembled-restricted-page.json"])
def test_a_restricted_record_says_what_it_lacks_before_anything_else(run, tmp_path, name):
    rows, _ = imported(run, tmp_path, name)
    assert rows and all(row["action"] == "skipped" for row in rows)
    for row in rows:
        assert row["reason"].startswith("the record lacks statusModule")
        assert "fields=" in row["reason"] and "fetch the full record from API v2" in row["reason"]


def test_legacy_v1_files_are_refused_with_the_v2_address_of_their_studies(run, tmp_path):
    rows, _ = imported(run, tmp_path, "NCT04780763.json", "ctg_api_all.json")
    reasons = [row["reason"] for row in rows]
    assert reasons[0] == ("retired ClinicalTrials.gov API v1 format; fetch NCT04780763 again from API v2: "
                          "https://clinicaltrials.gov/api/v2/studies/NCT04780763")
    assert "filter.ids=NCT02028676,NCT00023673" in reasons[1]
    assert all(row["action"] == "skipped" for row in rows)


def test_a_folder_of_real_files_imports_into_a_dataset_that_data_reads(run, tmp_path):
    target = tmp_path / "mine"
    result = run("import", "ctgov", *(str(REAL / f"{nct}.json") for nct in FULL), "--into", str(target))
    assert result.exit_code == 0, result.stderr
    listed = run("trials", "--data", str(target), "--json")
    assert listed.exit_code == 0, listed.stderr
    assert {trial["id"] for trial in listed.json()} >= {nct.lower() for nct in FULL}


def test_healthy_volunteers_and_the_posted_outcome_measures_are_kept(run, tmp_path):
    _, trials = imported(run, tmp_path, "NCT02210780.json")
    trial = trials["NCT02210780"]["trials"][0]
    study = json.loads((REAL / "NCT02210780.json").read_text(encoding="utf-8"))
    study = study["studies"][0] if "studies" in study else study
    assert trial["eligibility"]["healthy_volunteers"] is study["protocolSection"]["eligibilityModule"][
        "healthyVolunteers"]
    titles = [m["title"] for m in study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]]
    assert titles and trial["posted_outcomes"] == titles


# --- a real fields=-restricted page of MS studies (tests/fixtures/ctgov_replay/PROVENANCE.md) ---

MS_PAGE = Path(__file__).parent / "fixtures" / "ctgov_replay" / "search-ms-portland.json"


def test_a_real_fields_restricted_page_of_ms_studies_imports_what_it_holds(run, tmp_path):
    result = run("import", "ctgov", str(MS_PAGE), "--into", str(tmp_path), "--json")
    assert result.exit_code == 1, result.stderr  # two studies are rightly skipped
    rows = {row["study"]: row for row in result.json()}
    assert {number: row["action"] for number, row in rows.items()} == {
        "NCT06441617": "added", "NCT06408259": "added", "NCT06433752": "skipped", "NCT06655896": "added",
        "NCT04047628": "skipped"}
    # An observational study is refused for what it is, not blamed on the fields= download.
    assert rows["NCT06433752"]["reason"] == "observational study, not an interventional trial"
    assert rows["NCT04047628"]["reason"] == "already in the bundled dataset as beat-ms"
    page = json.loads(MS_PAGE.read_text(encoding="utf-8"))
    for study in page["studies"]:
        protocol = study["protocolSection"]
        number = protocol["identificationModule"]["nctId"]
        if rows[number]["action"] != "added":
            continue
        assert rows[number]["note"] == "the record lacks armsInterventionsModule; imported with what it holds"
        document = yaml.safe_load(Path(rows[number]["path"]).read_text(encoding="utf-8"))
        trial = document["trials"][0]
        ident, status = protocol["identificationModule"], protocol["statusModule"]
        design, sponsors = protocol["designModule"], protocol["sponsorCollaboratorsModule"]
        assert trial["registrations"][0]["id"] == number
        assert trial["title"] == ident.get("officialTitle", ident["briefTitle"])
        assert trial["status"] == status["overallStatus"].lower().replace("_", "-")
        assert (trial["start_date"], trial["start_date_kind"]) == (
            status["startDateStruct"]["date"], {"ACTUAL": "actual", "ESTIMATED": "anticipated"}[
                status["startDateStruct"]["type"]])
        assert trial["end_date"] == status["completionDateStruct"]["date"]
        assert trial["sponsor"] == sponsors["leadSponsor"]["name"]
        assert trial.get("collaborators", []) == [item["name"] for item in sponsors.get("collaborators", [])]
        assert trial["enrolment"][0]["count"] == design["enrollmentInfo"]["count"]
        assert set(trial["countries"]) == {site["country"] for site in protocol["contactsLocationsModule"]["locations"]}
        assert trial["design"]["randomised"] is (design["designInfo"]["allocation"] == "RANDOMIZED")
        assert "design" in trial["unverified"]  # "controlled" cannot be read without the arm groups
        for keyword in protocol["conditionsModule"].get("keywords", []):
            assert keyword in json.dumps(trial, ensure_ascii=False)
        assert trial["eligibility"]["healthy_volunteers"] is protocol["eligibilityModule"]["healthyVolunteers"]


def test_the_paediatric_ozanimod_study_of_the_real_page_keeps_its_values(run, tmp_path):
    result = run("import", "ctgov", str(MS_PAGE), "--into", str(tmp_path), "--json")
    [row] = [row for row in result.json() if row["study"] == "NCT06408259"]
    trial = yaml.safe_load(Path(row["path"]).read_text(encoding="utf-8"))["trials"][0]
    assert [item["id"] for item in trial["registrations"]] == ["NCT06408259", "2022-501332-42"]
    assert (trial["phase"], trial["status"], trial["sponsor"]) == ("3", "recruiting", "Bristol-Myers Squibb")
    assert (trial["eligibility"]["age_min"], trial["eligibility"]["age_max"]) == (10, 17)
    assert trial["eligibility"]["ms_types"] == ["RRMS"]
    assert (trial["enrolment"][0]["count"], trial["enrolment"][0]["kind"]) == (194, "planned")
    assert (trial["start_date"], trial["end_date"], trial["end_date_kind"]) == ("2025-04-08", "2036-07-13",
                                                                                "anticipated")
    assert trial["design"]["blinding"] == "double-blind"
    assert trial["design"]["comparator"] == ("masking quadruple (participant, care provider, investigator, "
                                             "outcomes assessor)")
    assert "Turkey (Türkiye)" in trial["countries"] and len(trial["countries"]) == 11


AGE_PAGE = Path(__file__).parent / "fixtures" / "ctgov_replay" / "age-and-sex-shapes.json"


def test_a_real_fields_restricted_page_keeps_every_age_and_sex_shape_the_registry_gives(run, tmp_path):
    """Eleven real records picked by their recorder for their age/sex shapes (PROVENANCE.md):
    ages in whole years are kept, ages in weeks, days or hours are left out with the registry's
    words in a note (never rounded to a year), and sex and healthy volunteers are kept."""
    result = run("import", "ctgov", str(AGE_PAGE), "--into", str(tmp_path), "--json")
    rows = {row["study"]: row for row in result.json()}
    assert len(rows) == 11

    def eligibility(number: str) -> dict:
        assert rows[number]["action"] == "added", rows[number]
        document = yaml.safe_load(Path(rows[number]["path"]).read_text(encoding="utf-8"))
        return document["trials"][0]["eligibility"]

    def limits(number: str) -> tuple:
        found = eligibility(number)
        return found.get("age_min"), found.get("age_max"), found["sex"], found["healthy_volunteers"]

    assert limits("NCT02706561") == (21, None, "male", False)
    assert limits("NCT06096870") == (18, 120, "male", False)
    assert limits("NCT07000786") == (18, 56, "female", True)
    assert limits("NCT02138032") == (None, None, "all", False)
    assert limits("NCT00132080") == (None, 18, "all", False)
    assert eligibility("NCT00132080")["notes"] == "minimum age on the registry: 6 Months"
    assert eligibility("NCT01066728")["notes"] == ("minimum age on the registry: 27 Weeks; "
                                                   "maximum age on the registry: 32 Weeks")
    assert eligibility("NCT02210026")["notes"] == ("minimum age on the registry: 6 Hours; "
                                                   "maximum age on the registry: 72 Hours")
    assert eligibility("NCT00113191")["notes"] == ("minimum age on the registry: 3 Days; "
                                                   "maximum age on the registry: 5 Days")
    for number in ("NCT01271491", "NCT06737159"):
        assert rows[number]["reason"] == "observational study, not an interventional trial"
    assert rows["NCT00157079"]["reason"].startswith("the record lacks armsInterventionsModule (fetched with fields=?)")
