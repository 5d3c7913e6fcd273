"""`mscli import ctgov`: API v2 studies become imported trials, loaded with the bundled ones.

The fixtures in tests/fixtures/ctgov are synthetic studies in the API v2 shape (NCT099xxxxx
numbers, which the registry has not issued), plus broken ones.
"""

from __future__ import annotations

import json
import os
import shutil
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.features import ctgov
from mscli.model import records as model
from tests.conftest import minimal
from tests.test_validate import mutate, problems_for, trial

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"
SINGLE = FIXTURES / "single-msc.json"
TODAY = "2026-11-23"


@pytest.fixture
def user_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "user-data"
    monkeypatch.setenv("MSCLI_USER_DATA", str(folder))
    return folder


def imported(run: Any, *args: str) -> tuple[int, dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Run an import with --json; the exit code, rows by study, and every row."""
    result = run("import", "ctgov", *args, "--json")
    rows = result.json()
    return result.exit_code, {row["study"]: row for row in rows if row["study"]}, rows


def test_single_study_becomes_a_trial_seen_with_the_bundled_ones(run, user_data):
    code, rows, _ = imported(run, str(SINGLE))
    assert code == 0
    assert rows["NCT09900001"]["action"] == "added"
    written = user_data / "imported" / "nct09900001.yaml"
    assert rows["NCT09900001"]["path"] == str(written) and written.is_file()

    listed = {t["id"]: t for t in run("trials", "--json").json()}
    assert listed["nct09900001"]["origin"] == "imported"
    assert listed["mesems"]["origin"] is None
    detail = run("trial", "NCT09900001", "--json").json()
    assert detail["therapy"] == "msc"
    assert detail["phase"] == "1/2" and detail["status"] == "completed"
    assert detail["design"] == {"randomised": True, "controlled": True, "blinding": "double-blind",
                                "crossover": True, "comparator": "Placebo first (placebo-comparator); "
                                "masking quadruple (participant, outcomes assessor)"}
    assert detail["enrolment"][0]["count"] == 48 and detail["enrolment"][0]["kind"] == "actual"
    assert detail["eligibility"]["age_min"] == 18 and detail["eligibility"]["age_max"] == 65
    assert detail["eligibility"]["ms_types"] == ["SPMS", "PPMS"]
    assert detail["eligibility"]["criteria"].startswith("Inclusion Criteria")
    assert detail["countries"] == ["Italy", "Spain"] and detail["sites"] == 3
    assert detail["start_year"] == 2016 and detail["end_year"] == 2020
    assert detail["routes"] == ["intravenous"]
    assert [arm["interventions"] for arm in detail["arms"]][0] == ["Autologous mesenchymal stem cells", "Placebo"]
    assert detail["outcome"] == "not-assessed"
    cited = {source["id"]: source for source in detail["cited_sources"]}
    assert cited["ctgov-import-nct09900001"]["verified"] is False
    assert cited["ctgov-import-nct09900001"]["url"] == "https://clinicaltrials.gov/study/NCT09900001"
    # Result papers become publications; background reading does not.
    assert [cited[s]["pmid"] for s in detail["publications"]] == ["30000001"]
    assert "20000002" not in json.dumps(detail)

    shown = run("trial", "nct09900001", "--format", "tsv").stdout
    assert "origin\timported by you" in shown


def test_multi_page_directory_and_what_each_study_maps_to(run, user_data):
    code, rows, _ = imported(run, str(FIXTURES / "pages"))
    assert code == 0
    assert {study: row["therapy"] for study, row in rows.items()} == {
        "NCT09900002": "ahsct", "NCT09900003": "nsc", "NCT09900004": "unclassified"}
    assert all(row["action"] == "added" for row in rows.values())
    ahsct = run("trial", "NCT09900002", "--json").json()
    assert ahsct["routes"] == []  # the comparator drugs' infusions are not the transplant's route
    assert ahsct["enrolment"][0]["kind"] == "planned"
    assert "Estimated" in ahsct["enrolment"][0]["note"]
    assert ahsct["design"]["blinding"] == "single-blind" and ahsct["eligibility"]["ms_types"] == ["RRMS"]
    nsc = run("trial", "NCT09900003", "--json").json()
    assert nsc["eligibility"]["age_max"] is None  # "N/A"
    assert nsc["design"]["randomised"] is False and nsc["routes"] == ["intracerebroventricular"]
    unclear = run("trial", "NCT09900004", "--json").json()
    assert unclear["eligibility"]["age_min"] is None  # "6 Months" is not a whole number of years
    assert "6 Months" in unclear["eligibility"]["notes"]
    assert unclear["eligibility"]["sex"] == "female" and unclear["status"] == "enrolling-by-invitation"
    by_therapy = run("trials", "--therapy", "unclassified", "--json").json()
    assert [t["id"] for t in by_therapy] == ["nct09900004"]
    assert run("info", "--json").json()["trials_by_therapy"]["unclassified"] == 1


def test_pages_given_as_files_give_the_same_records(run, user_data, tmp_path):
    pages = sorted((FIXTURES / "pages").glob("*.json"))
    code, rows, _ = imported(run, *map(str, pages), "--into", str(tmp_path / "other"))
    assert code == 0 and len(rows) == 3
    imported(run, str(FIXTURES / "pages"))
    for name in ("nct09900002", "nct09900003", "nct09900004"):
        assert ((tmp_path / "other" / "imported" / f"{name}.yaml").read_bytes()
                == (user_data / "imported" / f"{name}.yaml").read_bytes())


def test_malformed_input_is_skipped_with_reasons_and_exit_1(run, user_data):
    code, rows, every = imported(run, str(FIXTURES / "problems.json"), str(FIXTURES / "malformed.json"),
                                 str(FIXTURES / "missing-modules.json"))
    assert code == 1
    reasons = [row["reason"] for row in every if row["action"] == "skipped"]
    expected = ["no nctId", "status 'WITHHELD' has no mscli equivalent",
                "observational study, not an interventional trial", "no phase (designModule.phases)",
                "already in the bundled dataset as", "not a study", "not valid JSON"]
    assert len(reasons) == len(expected)
    for part in expected:
        assert any(part in reason for reason in reasons), part
    assert rows["NCT09900005"]["action"] == "added"  # missing modules: imported with less
    assert sorted(path.name for path in (user_data / "imported").iterdir()) == ["nct09900005.yaml"]
    sparse = run("trial", "NCT09900005", "--json").json()
    assert sparse["eligibility"] is None and sparse["enrolment"] == [] and sparse["therapy"] == "unclassified"
    assert sparse["unverified"] == ["design"]  # no arm groups: "not controlled" is inferred


def test_table_report_names_the_input_and_the_reason(run, user_data):
    result = run("import", "ctgov", str(FIXTURES / "malformed.json"), "--format", "tsv")
    assert result.exit_code == 1
    assert "malformed.json\t\tskipped" in result.stdout and "not valid JSON" in result.stdout
    assert "0 added, 0 changed, 0 unchanged, 1 skipped" in result.stderr


def test_existing_record_needs_force(run, user_data, tmp_path):
    assert imported(run, str(SINGLE))[0] == 0
    written = user_data / "imported" / "nct09900001.yaml"
    before = written.read_bytes()
    code, rows, _ = imported(run, str(SINGLE))
    assert code == 0 and rows["NCT09900001"]["action"] == "unchanged"

    study = json.loads(SINGLE.read_text())
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 50
    updated = tmp_path / "updated.json"
    updated.write_text(json.dumps(study))
    code, rows, _ = imported(run, str(updated))
    assert code == 1 and rows["NCT09900001"]["action"] == "skipped"
    assert "use --force" in rows["NCT09900001"]["reason"]
    assert written.read_bytes() == before

    code, rows, _ = imported(run, str(updated), "--force")
    assert code == 0 and rows["NCT09900001"]["action"] == "changed"
    assert run("trial", "NCT09900001", "--json").json()["enrolment"][0]["count"] == 50


def test_a_study_that_fails_validation_leaves_the_old_file_untouched(run, user_data, tmp_path):
    assert imported(run, str(SINGLE))[0] == 0
    written = user_data / "imported" / "nct09900001.yaml"
    before = written.read_bytes()
    study = json.loads(SINGLE.read_text())
    study["protocolSection"]["eligibilityModule"]["maximumAge"] = "150 Years"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(study))
    code, rows, _ = imported(run, str(broken), "--force")
    assert code == 1
    assert rows["NCT09900001"]["reason"].startswith("does not validate: eligibility.age_max")
    assert written.read_bytes() == before
    assert sorted(p.name for p in written.parent.iterdir()) == ["nct09900001.yaml"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(run, user_data, tmp_path, monkeypatch):
    assert imported(run, str(SINGLE))[0] == 0
    written = user_data / "imported" / "nct09900001.yaml"
    before = written.read_bytes()
    study = json.loads(SINGLE.read_text())
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 51
    updated = tmp_path / "updated.json"
    updated.write_text(json.dumps(study))

    def full_disk(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, rows, _ = imported(run, str(updated), "--force")
    assert code == 1 and rows["NCT09900001"]["reason"] == "cannot write: No space left on device"
    assert written.read_bytes() == before
    assert sorted(p.name for p in written.parent.iterdir()) == ["nct09900001.yaml"]


def test_validate_checks_the_bundled_and_imported_records_together(run, user_data):
    imported(run, str(SINGLE), str(FIXTURES / "pages"))
    result = run("validate", "--json")
    assert result.exit_code == 0 and result.json() == []
    (user_data / "imported" / "nct09900002.yaml").write_text(
        (user_data / "imported" / "nct09900002.yaml").read_text().replace("therapy: ahsct", "therapy: zeta"))
    result = run("validate", "--json")
    assert result.exit_code == 1
    assert [problem["field"] for problem in result.json()] == ["therapy"]
    assert run("trials", "--json").exit_code == 3


def test_data_option_and_into_keep_datasets_apart(run, user_data, tmp_path):
    other = tmp_path / "elsewhere"
    assert imported(run, str(SINGLE), "--into", str(other))[0] == 0
    assert not user_data.exists()
    assert "nct09900001" not in {t["id"] for t in run("trials", "--json").json()}
    assert imported(run, str(SINGLE))[0] == 0
    bundled = str(Path(model.__file__).resolve().parents[3] / "data")
    assert "nct09900001" not in {t["id"] for t in run("trials", "--data", bundled, "--json").json()}


def test_missing_input_is_exit_4_and_writes_nothing(run, user_data, tmp_path):
    result = run("import", "ctgov", str(SINGLE), str(tmp_path / "nope.json"))
    assert result.exit_code == 4
    assert "nope.json: no such file or directory" in result.stderr
    assert result.stdout == "" and not user_data.exists()


def test_into_a_file_is_refused(run, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = run("import", "ctgov", str(SINGLE), "--into", str(target))
    assert result.exit_code == 4 and "not a directory" in result.stderr


def test_the_same_study_twice_in_the_input_is_imported_once(run, user_data, tmp_path):
    copy = tmp_path / "again.json"
    shutil.copy(SINGLE, copy)
    code, _, every = imported(run, str(SINGLE), str(copy))
    assert code == 1
    assert [row["action"] for row in every] == ["added", "skipped"]
    assert "also in" in every[1]["reason"]


def test_import_has_help_with_examples(run):
    result = run("import", "ctgov", "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout and "mscli import ctgov" in result.stdout


def test_a_registry_number_finds_the_editors_record_before_an_imported_one(run, write_dataset):

    data = minimal()
    copy = {**deepcopy(data["trials"][0]), "id": "imported-one", "acronym": None, "origin": "imported",
            "registrations": [{"id": "NCT00000001"}]}
    data["trials"].append(copy)
    folder = write_dataset(data)
    assert run("trial", "NCT00000001", "--data", str(folder), "--json").json()["id"] == "trial-one"


@pytest.mark.parametrize(("conditions", "types"), [
    (["Multiple Sclerosis"], []), (["Relapsing-Remitting Multiple Sclerosis", "SPMS"], ["RRMS", "SPMS"]),
    (["Clinically Isolated Syndrome"], ["CIS"]), (["Cisplatin neuropathy"], []),
])
def test_ms_types_only_when_named(conditions, types):
    assert ctgov.ms_types_of(conditions) == types


@pytest.mark.parametrize(("text", "years", "note"), [
    ("18 Years", 18, None), ("65 years", 65, None), ("24 Months", 2, None), ("6 Months", None, "6 Months"),
    ("2 Weeks", None, "2 Weeks"), ("N/A", None, None), (None, None, None), ("eighteen", None, "eighteen"),
])
def test_ages(text, years, note):
    assert ctgov.parse_age(text) == (years, note)


@pytest.mark.parametrize(("names", "therapy"), [
    (["Autologous mesenchymal stem cells"], "msc"),
    (["MSC-NTF cells (NurOwn)"], "msc-ntf"),
    (["Mesenchymal stem cell-derived neural progenitors"], "msc-np"),
    (["Human neural precursor cells"], "nsc"),
    (["Autologous hematopoietic stem cell transplantation", "Rituximab"], "ahsct"),
    (["aHSCT", "Autologous mesenchymal stem cells"], "unclassified"),
    (["Ocrelizumab"], "unclassified"),
    (["Placebo"], "unclassified"),
])
def test_therapy_is_classified_only_when_clear(names, therapy):
    interventions = [{"name": name, "kind": "biological", "description": None} for name in names]
    assert ctgov.classify(interventions, {"ahsct", "msc", "msc-ntf", "msc-np", "nsc"}) == therapy


def test_a_therapy_the_dataset_lacks_is_unclassified():
    interventions = [{"name": "Neural stem cells", "kind": "biological", "description": None}]
    assert ctgov.classify(interventions, {"msc"}) == model.UNCLASSIFIED


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=30)
module_names = st.sampled_from(["identificationModule", "statusModule", "designModule",
                                "armsInterventionsModule", "eligibilityModule", "contactsLocationsModule",
                                "referencesModule", "conditionsModule", "outcomesModule"])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(module_names, json_values | st.dictionaries(st.text(max_size=20), json_values)))
def test_any_json_converts_or_gives_a_reason(modules):
    study = json.loads(SINGLE.read_text())
    study["protocolSection"].update(modules)
    try:
        converted = ctgov.convert(study, TODAY, {"msc"})
    except ctgov.Unusable as error:
        assert str(error)
    else:
        assert converted.trial["id"] == converted.nct_id.lower()


VALIDATION_RULES = [
    ("arm names an unknown intervention",
     lambda d: trial(d).update(interventions=[{"name": "Cells", "kind": "biological"}],
                               arms=[{"label": "A", "interventions": ["Cellz"]}]),
     ["trial-one arms[0].interventions[0]", "not the name of one of this trial's interventions"]),
    ("reserved therapy id", lambda d: d["therapies"][0].update(id="unclassified"),
     ["unclassified id", "reserved"]),
    ("bad sex", lambda d: trial(d)["eligibility"].update(sex="any"), ["eligibility.sex", "not one of"]),
    ("bad origin", lambda d: trial(d).update(origin="scraped"), ["trial-one origin", "not one of"]),
    ("bad intervention kind", lambda d: trial(d).update(interventions=[{"name": "X", "kind": "pill"}]),
     ["interventions[0].kind", "not one of"]),
]


@pytest.mark.parametrize(("name", "change", "expected"), VALIDATION_RULES, ids=[r[0] for r in VALIDATION_RULES])
def test_new_fields_are_validated(write_dataset, name, change, expected):
    problems = problems_for(write_dataset(mutate(change)))
    assert any(all(part in problem for part in expected) for problem in problems), problems


def test_unclassified_trial_is_valid(write_dataset):
    assert problems_for(write_dataset(mutate(lambda d: trial(d).update(therapy="unclassified")))) == []


def test_a_listed_paper_is_cited_by_its_parts_not_as_one_title(run, tmp_path):
    result = run("import", "ctgov", str(SINGLE), "--into", str(tmp_path), "--json")
    assert result.exit_code == 0, result.stderr
    cited = run("cite", "nct09900001", "--format", "csl-json", "--data", str(tmp_path)).json()
    paper = next(item for item in cited if item.get("PMID") == "30000001")
    assert paper["title"] == "Mesenchymal stem cells in progressive MS: a crossover trial"
    assert paper["container-title"] == "Example J Neurol" and paper["issued"] == {"date-parts": [[2021]]}
    assert [name["family"] for name in paper["author"]] == ["Example", "Example"]
