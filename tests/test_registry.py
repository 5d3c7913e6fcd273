"""``mscli registry check`` and ``registry search`` against a local server replaying recorded
real API v2 answers (tests/fixtures/ctgov_replay, see its PROVENANCE.md). Never the network."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import jsonschema
import pytest
import yaml
from jsonschema import Draft202012Validator

from mscli.errors import NotFoundError, RegistryError
from mscli.features import ctgov_http, registry_search
from mscli.loading.dataset import open_store
from mscli.loading.store import DiskStore
from tests.conftest import minimal
from tests.registry_replay import REPLAY, Answer, Replay, recorded

NCT = "NCT02576665"  # the recorded full record: Toca 6, terminated, 21 actual, updated 2020-02-07


@pytest.fixture
def replay():
    with Replay() as server:
        yield server


@pytest.fixture
def toca_dataset(write_dataset):
    """The minimal dataset with its trial registered under the recorded record's number."""
    data = minimal()
    data["trials"][0]["registrations"] = [{"id": NCT}]
    return write_dataset(data)


def check(run, replay, *args):
    return run("registry", "check", *args, "--json", env={"MSCLI_CTGOV_URL": replay.url})


def by_field(result):
    return {item["field"]: item for item in result["fields"]}


def test_check_shows_each_fact_old_and_new_with_dates(run, replay, toca_dataset):
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    result = check(run, replay, "trial-one", "--data", str(toca_dataset))
    assert result.exit_code == 0, result.stderr
    [row] = result.json()
    assert (row["trial"], row["registration"], row["outcome"]) == ("trial-one", NCT, "changed")
    facts = by_field(row)
    assert facts["status"] | {} == {"field": "status", "old": "completed", "old_as_of": "2026-11-01",
                                    "new": "terminated", "new_as_of": "2020-02-07", "comparison": "changed"}
    assert (facts["enrolment"]["old"], facts["enrolment"]["old_as_of"], facts["enrolment"]["new"]) == (
        "40 actual", "2020-01-01", "21 actual")
    assert (facts["start"]["old"], facts["start"]["new"], facts["start"]["comparison"]) == (
        "2015", "2016-07 actual", "changed")
    assert (facts["completion"]["new"], facts["completion"]["comparison"]) == ("2019-12-20 actual", "same")
    assert (facts["primary-completion"]["new"], facts["primary-completion"]["comparison"]) == (
        "2019-05 actual", "not-recorded")
    assert facts["results-posted"]["new"] == "no"
    assert facts["last-update"]["new"] == "2020-02-07"
    assert row["changed"] == ["status", "enrolment", "start"]
    assert replay.requests[0][0] == f"/api/v2/studies/{NCT}"


def test_check_named_by_registry_number_checks_only_that_registration(run, replay, write_dataset):
    data = minimal()
    data["trials"][0]["registrations"] = [{"id": "NCT06382129"}, {"id": NCT}]
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    result = check(run, replay, NCT.lower(), "--data", str(write_dataset(data)))
    assert result.exit_code == 0, result.stderr
    [row] = result.json()
    assert row["registration"] == NCT
    assert by_field(row)["enrolment"]["comparison"] == "not-recorded"  # a pooled total is not one record's
    assert [path for path, _ in replay.requests] == [f"/api/v2/studies/{NCT}"]


def test_check_unchanged_when_the_dataset_holds_the_registry_values(run, replay, write_dataset):
    data = minimal()
    trial = data["trials"][0]
    trial.update(registrations=[{"id": NCT}], status="terminated", start_year=2016, end_year=2019,
                 start_date="2016-07", start_date_kind="actual", end_date="2019-12-20", end_date_kind="actual",
                 results_posted=False)
    trial["enrolment"] = [{"count": 21, "kind": "actual", "source": "src-a", "as_of": "2020-02-07"}]
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    result = check(run, replay, "--data", str(write_dataset(data)))
    assert result.exit_code == 0, result.stderr
    assert [(row["outcome"], row["changed"]) for row in result.json()] == [("unchanged", [])]


def test_check_table_lists_what_differs_and_says_it_was_read_live(run, replay, toca_dataset):
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    result = run("registry", "check", "--data", str(toca_dataset), "--format", "tsv",
                 env={"MSCLI_CTGOV_URL": replay.url})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["trial", "registration", "fact"]
    assert ("trial-one\tNCT02576665\tstatus\tcompleted (as of 2026-11-01)\tterminated (as of 2020-02-07)"
            "\tchanged") in lines


def test_check_every_result_validates_against_the_schema(run, replay, toca_dataset):
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    schema = run("schema", "registry-check").json()
    result = check(run, replay, "--data", str(toca_dataset))
    for record in result.json():
        jsonschema.validate(record, schema, cls=Draft202012Validator)


def test_404_is_a_not_found_row_one_line_and_exit_1(run, replay, toca_dataset):
    replay.route(f"/studies/{NCT}", Answer(404, b'{"message":"Not Found"}'))
    result = check(run, replay, "--data", str(toca_dataset))
    assert result.exit_code == 1
    [row] = result.json()
    assert row["outcome"] == "not-found" and "HTTP 404" in row["message"]
    assert result.stderr.strip().splitlines()[-1] == f"mscli: not found on ClinicalTrials.gov: {NCT}"


def test_a_record_for_another_number_is_not_taken_for_the_trial(run, replay, write_dataset):
    data = minimal()
    data["trials"][0]["registrations"] = [{"id": "NCT06382129"}]
    replay.route("/studies/NCT06382129", recorded(f"study-{NCT}.json"))
    result = check(run, replay, "--data", str(write_dataset(data)))
    assert result.exit_code == 1
    assert "answered with NCT02576665" in result.json()[0]["message"]


def test_429_then_200_is_retried_after_the_wait_asked(run, replay, toca_dataset):
    replay.route(f"/studies/{NCT}", Answer(429, b"Too Many Requests", {"Retry-After": "1"}),
                 recorded(f"study-{NCT}.json"))
    result = check(run, replay, "--data", str(toca_dataset))
    assert result.exit_code == 0, result.stderr
    assert result.json()[0]["outcome"] == "changed"
    assert len(replay.requests) == 2


def test_500_after_the_retries_is_one_line_and_exit_5(run, replay, toca_dataset):
    replay.route(f"/studies/{NCT}", Answer(500, b"Internal Server Error"))
    result = check(run, replay, "--data", str(toca_dataset), "--retries", "0")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr.strip() == "mscli: error: the registry answered HTTP 500; gave up after 1 attempts"


def test_a_cut_off_body_is_retried_then_reported(run, replay, toca_dataset):
    body = (REPLAY / f"study-{NCT}.json").read_bytes()
    replay.route(f"/studies/{NCT}", Answer(200, body[:4000], declared_length=len(body)))
    result = check(run, replay, "--data", str(toca_dataset), "--retries", "0")
    assert result.exit_code == 5
    assert "cut off" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_offline_is_one_clear_line_and_exit_5(run, toca_dataset):
    result = run("registry", "check", "--data", str(toca_dataset), "--registry-url", "http://127.0.0.1:9/api/v2")
    assert result.exit_code == 5
    assert result.stderr.startswith("mscli: error: cannot reach ClinicalTrials.gov")
    assert "works offline" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_checking_named_trials_parses_only_their_lines(run, replay, toca_dataset):
    """The store's name index finds the trials named; the others are never parsed."""
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    assert isinstance(open_store(str(toca_dataset)), DiskStore)  # compiled on the second open
    assert isinstance(open_store(str(toca_dataset)), DiskStore)
    with mock.patch.object(DiskStore, "_read_all", side_effect=AssertionError("every trial parsed")):
        result = check(run, replay, "trial-one", "--data", str(toca_dataset))
    assert result.exit_code == 0, result.stderr
    assert [(row["trial"], row["registration"]) for row in result.json()] == [("trial-one", NCT)]


def test_a_trial_without_an_nct_number_is_a_usage_error(run, write_dataset):
    data = minimal()
    data["trials"][0]["registrations"] = [{"id": "ISRCTN12345678"}]
    result = run("registry", "check", "trial-one", "--data", str(write_dataset(data)),
                 "--registry-url", "http://127.0.0.1:9/api/v2")
    assert result.exit_code == 2 and "no ClinicalTrials.gov number" in result.stderr


def test_a_bad_registry_url_is_a_usage_error(run, toca_dataset):
    result = run("registry", "check", "--data", str(toca_dataset), "--registry-url", "file:///etc/passwd")
    assert result.exit_code == 2


# --- the client on its own: waits, paging -------------------------------------------------------

def test_client_backs_off_exponentially_and_honours_retry_after(replay):
    replay.route(f"/studies/{NCT}", Answer(503, b""), Answer(429, b"", {"Retry-After": "7"}), Answer(502, b""),
                 recorded(f"study-{NCT}.json"))
    waits: list[float] = []
    client = ctgov_http.Client(replay.url, retries=4, backoff=0.5, sleep=waits.append)
    study = client.study(NCT)
    assert study["protocolSection"]["identificationModule"]["nctId"] == NCT
    assert waits == [0.5, 7.0, 2.0]


def test_client_gives_up_on_a_retry_after_longer_than_the_cap(replay):
    replay.route(f"/studies/{NCT}", Answer(429, b"", {"Retry-After": "3600"}))
    with pytest.raises(RegistryError, match="wait 3600 s"):
        ctgov_http.Client(replay.url, sleep=lambda _: None).study(NCT)


def test_client_spaces_requests_by_the_interval(replay):
    replay.route(f"/studies/{NCT}", recorded(f"study-{NCT}.json"))
    waits: list[float] = []
    client = ctgov_http.Client(replay.url, interval=30.0, sleep=waits.append)
    client.study(NCT)
    client.study(NCT)
    assert len(waits) == 1 and 29.0 < waits[0] <= 30.0


def test_client_404_is_not_found(replay):
    with pytest.raises(NotFoundError, match="HTTP 404"):
        ctgov_http.Client(replay.url, sleep=lambda _: None).study("NCT00000000")


def test_client_follows_next_page_tokens(replay):
    first = json.loads((REPLAY / "search-page-1.json").read_text())
    replay.route("/studies", recorded("search-page-1.json"))
    replay.route("/studies", recorded("search-page-2.json"), token=first["nextPageToken"])
    pages = list(ctgov_http.Client(replay.url).pages({"query.cond": "x"}, max_pages=2))
    assert [len(page["studies"]) for page in pages] == [5, 5]
    assert pages[1]["nextPageToken"]  # the recording goes on; max_pages stops it
    assert [query.get("pageToken") for _, query in replay.requests] == [None, [first["nextPageToken"]]]


# --- search -------------------------------------------------------------------------------------

def test_search_reads_every_page_with_the_strategy_query(run, replay):
    first = json.loads((REPLAY / "search-page-1.json").read_text())
    replay.route("/studies", recorded("search-page-1.json"))
    replay.route("/studies", recorded("search-page-2.json"), token=first["nextPageToken"])
    result = run("registry", "search", "--json", "--max-pages", "2", "--interval", "0",
                 env={"MSCLI_CTGOV_URL": replay.url})
    assert result.exit_code == 0, result.stderr
    assert result.json() == []  # the recorded pages are of Phelan-McDermid studies: none is MS stem-cell
    path, query = replay.requests[0]
    assert path == "/api/v2/studies"
    assert query["query.cond"] == ["multiple sclerosis"] and "mesenchymal" in query["query.term"][0]
    assert query["pageSize"] == ["100"]
    assert len(replay.requests) == 2 and replay.requests[1][1]["pageToken"] == [first["nextPageToken"]]


MS_PAGE = "search-ms-portland.json"  # a real recorded page of MS studies, BEAT-MS (aHSCT) among them
BEAT_MS = "NCT04047628"


def test_search_on_a_real_ms_page_matches_the_stem_cell_study_and_knows_it(run, replay):
    replay.route("/studies", recorded(MS_PAGE))
    result = run("registry", "search", "--json", "--max-pages", "1", "--interval", "0",
                 env={"MSCLI_CTGOV_URL": replay.url})
    assert result.exit_code == 0, result.stderr
    assert result.json() == []  # BEAT-MS is the page's one stem-cell study, and the dataset has it
    assert "5 MS studies read over 1 page(s); 1 matched" in " ".join(result.stderr.split())
    assert "1 are in" in " ".join(result.stderr.split())


def test_search_on_a_real_ms_page_lists_the_stem_cell_study_a_dataset_lacks():
    """On the recorded page, the strategy keeps BEAT-MS (aHSCT) and none of the four other MS
    studies (a fatigue programme, ozanimod, ublituximab, CAR-T in systemic sclerosis)."""
    dataset = open_store(None, use_cache=False).dataset()
    without = {**dataset, "trials": [trial for trial in dataset["trials"]
                                     if BEAT_MS not in {item["id"] for item in trial["registrations"]}]}
    assert len(without["trials"]) == len(dataset["trials"]) - 1
    page = json.loads((REPLAY / MS_PAGE).read_text(encoding="utf-8"))
    found = registry_search.search(without, lambda params: iter([page]), 1, include_excluded=False)
    assert (found.studies, found.matched, found.known, found.more) == (5, 1, 0, True)
    [find] = found.finds
    assert find["registration"] == BEAT_MS
    assert find["title"].startswith("A Multicenter Randomized Controlled Trial of Best Available Therapy Versus "
                                    "Autologous Hematopoietic Stem Cell Transplant")
    assert (find["status"], find["phases"], find["start"], find["last_update"]) == (
        "recruiting", ["phase3"], "2019-12-19", "2026-01-06")
    assert {"'Hematopoietic' in keyword", "'Peripheral Blood Stem Cell' in keyword"} <= set(find["matched"])
    assert find["strategy"] == registry_search.strategy_ids(dataset)


def test_search_404_is_a_registry_error_not_a_missing_trial(run, replay):
    result = run("registry", "search", "--registry-url", replay.url + "/wrong")
    assert result.exit_code == 5 and "404 to a search" in result.stderr


def test_search_stops_at_max_pages_and_says_so(run, replay):
    replay.route("/studies", recorded("search-page-1.json"))
    result = run("registry", "search", "--max-pages", "1", "--format", "tsv", env={"MSCLI_CTGOV_URL": replay.url})
    assert result.exit_code == 0, result.stderr
    assert len(replay.requests) == 1
    assert "Stopped at --max-pages" in result.stderr


def _page(*studies):
    return {"studies": list(studies)}


def _study(number, title, intervention=None):
    """A test-authored study in the v2 shape, for cases the recorded MS page has none of (an
    excluded registration, an MSC study the dataset lacks)."""
    protocol = {"identificationModule": {"nctId": number, "briefTitle": title},
                "statusModule": {"overallStatus": "RECRUITING"}, "designModule": {"studyType": "INTERVENTIONAL"}}
    if intervention:
        protocol["armsInterventionsModule"] = {"interventions": [{"name": intervention}]}
    return {"protocolSection": protocol}


def test_search_keeps_strategy_matches_the_dataset_lacks():
    dataset = open_store(None, use_cache=False).dataset()
    have = next(t for t in dataset["trials"] if t["registrations"] and t["registrations"][0]["id"].startswith("NCT"))
    excluded = next(item for search in dataset["searches"] for item in search["excluded"]
                    if item["registration"].startswith("NCT"))
    pages = [_page(_study("NCT09990001", "Umbilical cord MSC in progressive MS"),
                   _study("NCT09990002", "Exercise in MS", "Treadmill"),
                   _study(have["registrations"][0]["id"], "A dataset trial", "mesenchymal stem cells"),
                   _study(excluded["registration"], "Excluded before", "autologous HSCT"))]
    run = registry_search.search(dataset, lambda params: iter(pages), 5, include_excluded=False)
    assert [item["registration"] for item in run.finds] == ["NCT09990001"]
    assert (run.studies, run.matched, run.known, run.excluded) == (4, 3, 1, 1)
    assert run.finds[0]["import_hint"].endswith("mscli import ctgov NCT09990001.json")
    shown = registry_search.search(dataset, lambda params: iter(pages), 5, include_excluded=True)
    assert {item["registration"]: item["excluded_before"] is not None for item in shown.finds} == {
        "NCT09990001": False, excluded["registration"]: True}


def test_search_finds_validate_against_the_schema(run):
    dataset = open_store(None, use_cache=False).dataset()
    found = registry_search.search(dataset, lambda params: iter([_page(_study("NCT09990001", "Wharton's jelly MSC"))]),
                                   1, include_excluded=False).finds
    schema = run("schema", "registry-find").json()
    for record in found:
        jsonschema.validate(record, schema, cls=Draft202012Validator)


@pytest.mark.parametrize("strategy", registry_search.STRATEGY, ids=lambda s: s.search_id)
def test_strategy_expressions_are_the_search_logs_own(strategy):
    """The expressions must be word for word in the search-log records they repeat."""
    records = [search for path in sorted(Path("data").glob("search-log-*.yaml"))
               for search in _searches(yaml.safe_load(path.read_text(encoding="utf-8")))]
    [record] = [search for search in records if search["id"] == strategy.search_id]
    assert strategy.pattern in " ".join(record["query"].split())
    re.compile(strategy.pattern)


def _searches(document):
    return document.get("searches", []) if isinstance(document, dict) else document


def test_only_the_registry_command_imports_the_network_code():
    importers = sorted(str(path.relative_to("src")) for path in Path("src").rglob("*.py")
                       if "ctgov_http" in path.read_text(encoding="utf-8") and path.name != "ctgov_http.py")
    assert importers == ["mscli/cli/registry.py"]


def test_other_commands_do_not_load_the_http_client(run_process):
    probe = ("import sys, runpy; sys.argv = ['mscli', 'trials', '--json'];\n"
             "try: runpy.run_module('mscli', run_name='__main__')\n"
             "except SystemExit: pass\n"
             "sys.stderr.write(str(sorted(m for m in sys.modules if m in ('urllib.request', 'http.client', "
             "'mscli.features.ctgov_http'))))")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert done.stderr.strip().splitlines()[-1] == "[]"
