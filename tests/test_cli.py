"""The commands through Typer's CliRunner: JSON contract, filters, formats, errors, help."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mscli.cli.app import app
from mscli.model.labels import NOTICE
from mscli.output.render import OutputFormat

COMMANDS_WITH_JSON = [
    ["therapies"], ["therapy", "ahsct"], ["trials"], ["trial", "mesems"], ["compare", "ahsct", "msc"],
    ["search", "mesenchymal"], ["sources"], ["studies"], ["guidance"], ["glossary"],
    ["glossary", "EDSS"], ["show", "consensus-2010"], ["info"], ["validate"],
]


def test_every_command_has_help_with_examples(run):
    names = [command.name or command.callback.__name__ for command in app.registered_commands]
    assert len(names) >= 14
    for name in names:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Examples:" in result.stdout, name
        assert f"mscli {name}" in result.stdout, name


def test_top_level_help_carries_the_notice(run):
    result = run("--help")
    assert result.exit_code == 0
    assert "does not advise" in result.stdout


def test_version(run):
    from mscli import __version__

    result = run("--version")
    assert result.stdout.strip() == f"mscli {__version__}"


@pytest.mark.parametrize("args", COMMANDS_WITH_JSON, ids=lambda a: " ".join(a))
def test_json_is_valid_and_alone_on_stdout(run, args):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload is not None
    assert NOTICE not in result.stdout


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_every_format_of_trials(run, fmt, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    result = run("trials", "--therapy", "msc", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    expected_ids = [t["id"] for t in run("trials", "--therapy", "msc", "--json").json()]
    out = result.stdout
    if fmt == "json":
        assert [t["id"] for t in json.loads(out)] == expected_ids
    elif fmt == "jsonl":
        assert [json.loads(line)["id"] for line in out.splitlines()] == expected_ids
    elif fmt == "yaml":
        assert [t["id"] for t in yaml.safe_load(out)] == expected_ids
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [row["id"] for row in rows] == expected_ids
    elif fmt == "tsv":
        lines = out.splitlines()
        assert lines[0].split("\t")[0] == "id"
        assert [line.split("\t")[0] for line in lines[1:]] == expected_ids
    elif fmt == "markdown":
        assert out.startswith("| id |")
        assert NOTICE in out
    else:
        assert [line.split()[0] for line in out.splitlines()[2:2 + len(expected_ids)]] == expected_ids
        assert NOTICE in out


def test_piped_default_is_headerless_tsv_one_record_per_line(run):
    result = run("trials", "--therapy", "msc")
    ids = [t["id"] for t in run("trials", "--therapy", "msc", "--json").json()]
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ids
    assert "\x1b[" not in result.stdout


def test_msc_trials_include_mesems_and_only_msc(run):
    trials = run("trials", "--therapy", "msc", "--json").json()
    assert "mesems" in {t["id"] for t in trials}
    assert {t["therapy"] for t in trials} == {"msc"}


def test_therapy_alias_is_case_insensitive(run):
    assert run("trials", "--therapy", "MSCT", "--json").json() == run("trials", "--therapy", "msc", "--json").json()
    assert run("therapy", "aHSCT", "--json").json()["id"] == "ahsct"
    assert run("therapy", "hsct", "--json").json()["id"] == "ahsct"


@pytest.mark.parametrize("number", ["NCT01854957", "nct01854957", "2011-001295-19", "EudraCT 2011-001295-19",
                                    "NCT02239393", "2015-000137-78"])
def test_every_registry_number_of_mesems_finds_it(run, number):
    assert run("trial", number, "--json").json()["id"] == "mesems"


def test_shared_registry_number_finds_the_national_arm(run):
    assert run("trial", "NCT01606215", "--json").json()["id"] == "streams"


def test_trial_detail_has_sources_and_registries(run):
    detail = run("trial", "mesems", "--json").json()
    assert detail["cited_sources"]
    assert {r["registry"] for r in detail["registrations"]} >= {"ClinicalTrials.gov", "EudraCT"}


def test_filters_each_narrow_correctly(run):
    everything = run("trials", "--json").json()
    phase3 = run("trials", "--phase", "3", "--json").json()
    assert phase3 and all(t["phase"] == "3" for t in phase3)
    randomised = run("trials", "--design", "randomised", "--design", "blinded", "--json").json()
    assert randomised and all(t["design"]["randomised"] and t["design"]["blinding"] != "open-label"
                              for t in randomised)
    completed = run("trials", "--status", "completed", "--json").json()
    assert completed and all(t["status"] == "completed" for t in completed)
    spms = run("trials", "--ms-type", "spms", "--json").json()
    assert spms and all("SPMS" in t["eligibility"]["ms_types"] for t in spms)
    italy = run("trials", "--country", "italy", "--json").json()
    assert italy and all("Italy" in t["countries"] for t in italy)
    ongoing = {"recruiting", "not-yet-recruiting", "active-not-recruiting", "enrolling-by-invitation"}
    recent = run("trials", "--since", "2018", "--json").json()
    assert recent and all(t["status"] in ongoing or (t["end_year"] or t["start_year"]) >= 2018 for t in recent)
    assert len(recent) < len(everything)
    window = run("trials", "--since", "2010", "--until", "2012", "--json").json()
    assert window and all((t["start_year"] or t["end_year"]) <= 2012 for t in window)
    assert all((t["end_year"] or t["start_year"]) >= 2010 or t["status"] in ongoing for t in window)


def test_sort_and_limit(run):
    from mscli.queries.core import enrolment_figure

    by_enrolment = run("trials", "--sort", "enrolment", "--json").json()
    counts = [(enrolment_figure(t) or (-1, ""))[0] for t in by_enrolment]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    limited = run("trials", "--sort", "id", "--limit", "3", "--json").json()
    assert [t["id"] for t in limited] == sorted(t["id"] for t in run("trials", "--json").json())[:3]


def test_empty_result_is_empty_json_list(run):
    result = run("trials", "--therapy", "msc", "--phase", "4", "--json")
    assert result.exit_code == 0
    assert result.json() == []
    csv_out = run("trials", "--therapy", "msc", "--phase", "4", "--format", "csv").stdout
    assert csv_out.splitlines() == ["id,name,therapy,phase,status,years,enrolment,enrolment_type,design,outcome"]


@pytest.mark.parametrize("args", [
    ["trials", "--phase", "7"], ["trials", "--status", "dormant"], ["trials", "--limit", "0"],
    ["trials", "--limit", "-3"], ["trials", "--since", "99999"], ["trials", "--design", "magic"],
    ["trials", "--therapy", "unicorn"], ["trials", "--country", "Atlantis"],
    ["trials", "--since", "2020", "--until", "2010"], ["trials", "--json", "--format", "csv"],
    ["compare", "ahsct"], ["compare", "ahsct", "HSCT"], ["search", "   "],
])
def test_usage_errors_exit_2_on_stderr(run, args):
    result = run(*args)
    assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_unknown_id_suggests(run):
    result = run("trial", "mesem")
    assert result.exit_code == 1
    assert "did you mean" in result.stderr and "mesems" in result.stderr.lower()
    result = run("therapy", "ahsc")
    assert result.exit_code == 1 and "ahsct" in result.stderr
    assert run("trials", "--therapy", "mscc").stderr.count("did you mean") == 1


def test_compare_counts_come_from_the_dataset(run):
    rows = run("compare", "ahsct", "msc", "--json").json()
    trials = run("trials", "--json").json()
    for row in rows:
        mine = [t for t in trials if t["therapy"] == row["id"]]
        assert row["trials"] == len(mine)
        assert row["randomised_trials"] == sum(t["design"]["randomised"] for t in mine)
    assert [row["id"] for row in rows] == ["ahsct", "msc"]
    assert rows[0]["chemotherapy"] == "required" and rows[1]["chemotherapy"] == "not-required"


def test_search_ranks_exact_id_first_and_says_why(run):
    hits = run("search", "mesems", "--json").json()
    assert hits[0]["id"] == "mesems" and hits[0]["type"] == "trial"
    assert "id" in hits[0]["matched"]
    assert all(set(hit) == {"type", "id", "title", "score", "matched", "snippet", "missing", "total"} for hit in hits)


def test_sources_of_one_record(run):
    sources = run("sources", "mesems", "--json").json()
    ids = {s["id"] for s in sources}
    assert "uccelli-2021-mesems" in ids


def test_info_reports_version_and_counts(run):
    info = run("info", "--json").json()
    assert info["counts"]["trials"] >= 30
    assert info["reviewed"] and info["version"]


@pytest.mark.parametrize("fmt,marker", [("text", "doi:"), ("bibtex", "@article{"), ("ris", "TY  - "),
                                        ("csl-json", '"DOI"')])
def test_cite_formats(run, fmt, marker):
    result = run("cite", "mesems", "--format", fmt)
    assert result.exit_code == 0
    assert marker in result.stdout
    if fmt == "csl-json":
        assert any(item["id"] == "uccelli-2021-mesems" for item in json.loads(result.stdout))


def test_stale_dataset_gets_a_notice(run, write_dataset):
    from tests.conftest import minimal

    data = minimal()
    data["dataset"]["reviewed"] = "2020-01-01"
    result = run("info", "--json", "--data", str(write_dataset(data)))
    assert result.json()["stale"] is True
    assert "last reviewed" in result.stderr


def test_data_option_and_environment_variable(run, write_dataset):
    from tests.conftest import minimal

    folder = write_dataset(minimal())
    assert [t["id"] for t in run("trials", "--json", "--data", str(folder)).json()] == ["trial-one"]
    assert [t["id"] for t in run("trials", "--json", env={"MSCLI_DATA": str(folder)}).json()] == ["trial-one"]


def test_unverified_values_are_marked_in_tables(run, write_dataset):
    from tests.conftest import minimal

    data = minimal()
    data["trials"][0]["unverified"] = ["outcome"]
    folder = str(write_dataset(data))
    assert "(unverified) |" in run("trials", "--data", folder, "--format", "markdown").stdout
    piped = run("trials", "--data", folder).stdout  # plain TSV: the value bare, the field named at the end
    assert piped.rstrip("\n").split("\t")[-2:] == ["not-met", "outcome"]


def test_sources_disagreeing_are_both_shown_primary_first(run, write_dataset):
    from tests.conftest import minimal

    data = minimal()
    data["trials"][0]["differences"] = [
        {"field": "phase", "value": "3", "source": "src-b", "as_of": "2021-01-01"},
        {"field": "phase", "value": "1/2", "source": "src-a", "as_of": "2019-01-01"},
    ]
    folder = write_dataset(data)
    detail = run("trial", "tone", "--json", "--data", str(folder)).json()
    assert [d["source"] for d in detail["differences"]] == ["src-a", "src-b"]
    assert [e["count"] for e in detail["enrolment"]] == [40, 50]
    text = run("trial", "tone", "--format", "tsv", "--data", str(folder)).stdout
    assert "3 (as of 2021-01-01, src-b)" in text and "1/2 (as of 2019-01-01, src-a)" in text


@pytest.mark.parametrize(("args", "expected"), [
    (("trials", "--therapy", "mscc"), "mscli: error: unknown therapy 'mscc'; did you mean 'msc'"),
    (("trials", "--phase", "5"), "mscli: error: unknown phase '5'; choose from: early-1, 1, 1/2"),
    (("trials", "--status", "recruting"), "mscli: error: unknown status 'recruting'; did you mean 'recruiting'"),
    (("trials", "--format", "jsn"), "mscli: error: unknown format 'jsn'; did you mean 'json'"),
    (("trials", "--sort=strat"), "mscli: error: unknown sort order 'strat'; did you mean 'start'"),
    (("trial", "mesem"), "mscli: error: unknown trial 'mesem'; did you mean 'mesems'"),
    (("show", "mesem"), "mscli: error: unknown record 'mesem'; did you mean 'mesems'"),
    (("trials", "--country", "Narnia"), "mscli: error: unknown country 'Narnia'"),
])
def test_every_unknown_value_has_the_same_one_line_form(run, args, expected):
    result = run(*args)
    assert result.exit_code in (1, 2) and result.stdout == ""
    assert result.stderr.splitlines()[0].startswith(expected)


def test_suggestions_are_ids_not_aliases(run):
    # 'HSCT' and 'stem cell transplant' are aliases of ahsct: the suggestion is the id.
    message = run("trials", "--therapy", "hsctt").stderr.splitlines()[0]
    assert "'ahsct'" in message and "HSCT" not in message
    message = run("therapy", "stemcell").stderr.splitlines()[0]
    suggested = message.split("did you mean ", 1)[1]
    real = {therapy["id"] for therapy in run("therapies", "--json").json()}
    assert {word.strip("'?, ") for word in suggested.replace(" or ", ", ").split(", ")} <= real


@pytest.mark.parametrize("country", ["UK", "Britain", "England", "USA", "U.S.", "United States"])
def test_common_country_names(run, country):
    assert run("trials", "--country", country, "--json").json()


def test_range_errors_are_plain(run):
    assert run("trials", "--since", "1800").stderr.startswith("mscli: error: --since must be from 1900 to 2100")
    assert run("trials", "--limit", "0").stderr.startswith("mscli: error: --limit must be 1 or more")
    assert run("search", "x", "--limit", "-1").stderr.startswith("mscli: error: --limit must be 0 or more")


def test_csv_cells_carry_no_qualifiers(run):
    rows = list(csv.DictReader(io.StringIO(run("trials", "--format", "csv").stdout)))
    assert "unverified_fields" in rows[0] and "enrolment_type" in rows[0]
    assert all(row["enrolment"] == "" or row["enrolment"].isdigit() for row in rows)
    assert not any("(unverified)" in cell or "†" in cell for row in rows for cell in row.values())
    trials = {trial["id"]: trial for trial in run("trials", "--json").json()}
    assert all(row["unverified_fields"] == ",".join(trials[row["id"]]["unverified"]) for row in rows)


def test_large_json_and_json_lines_are_the_standard_librarys_bytes(run, tmp_path):
    """Enough trials for the fast encoder and several batches: every line parses on its own, the
    lines are the --json records in order, and both are byte for byte what json writes."""
    from tests.test_jsontext import reference

    folder = tmp_path / "big"
    subprocess.run([sys.executable, str(Path(__file__).parents[1] / "benchmarks" / "generate.py"),
                    "--trials", "2100", "--out", str(folder)], check=True, capture_output=True)
    listed = run("trials", "--data", str(folder), "--json")
    lines = run("trials", "--data", str(folder), "--format", "jsonl")
    assert listed.exit_code == lines.exit_code == 0
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert records == listed.json() and len(records) > 2100
    assert listed.stdout.encode("utf-8") == reference(records, 2) + b"\n"
    assert lines.stdout.encode("utf-8") == b"".join(reference(record, None) + b"\n" for record in records)
