"""--fields and --query on every command that shows records, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.loading.dataset import bundled_data_dir
from mscli.model.fields import fields_of
from mscli.model.outputs import SCHEMA_TYPES

DATA = str(bundled_data_dir())

# Each command that prints records, with the schema type of its records (list or single).
COMMANDS: list[tuple[list[str], str]] = [
    (["therapies"], "therapy"), (["therapy", "ahsct"], "therapy-detail"), (["trials"], "trial"),
    (["trial", "mesems"], "trial-detail"), (["compare", "ahsct", "msc"], "comparison"),
    (["search", "mesenchymal"], "search-hit"), (["sources"], "source"), (["sources", "mesems"], "source"),
    (["studies"], "study"), (["guidance"], "guidance"), (["glossary"], "term"),
    (["glossary", "EDSS"], "term-detail"), (["show", "consensus-2010"], "guidance-detail"),
    (["show", "mesems"], "trial-detail"), (["info"], "info"), (["coverage"], "coverage"),
    (["validate"], "validation-problem"),
    (["schema"], "schema-type"), (["diff", DATA, DATA], "diff"),
    (["timeline"], "timeline-event"), (["timeline", "--chart", "phase"], "trial-count"), (["clinic"], "red-flag"),
]


def names_of(type_name: str) -> list[str]:
    return [spec.name for spec in fields_of(SCHEMA_TYPES[type_name][0])]


@pytest.mark.parametrize(("args", "type_name"), COMMANDS, ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_fields_help_lists_the_fields_of_the_records(run, args, type_name):
    result = run(*args, "--fields", "help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == names_of(type_name)


@pytest.mark.parametrize(("args", "type_name"), COMMANDS, ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_fields_cut_the_json_to_those_fields_in_that_order(run, args, type_name):
    wanted = list(reversed(names_of(type_name)[:2]))
    result = run(*args, "--fields", ",".join(wanted), "--json")
    assert result.exit_code == 0, result.stderr
    payload = result.json()
    records = payload if isinstance(payload, list) else [payload]
    full = run(*args, "--json").json()
    assert len(records) == (len(full) if isinstance(full, list) else 1)
    for record in records:
        assert list(record) == wanted


def test_field_names_match_the_json_keys(run):
    trials = run("trials", "--json").json()
    assert list(trials[0]) == run("trials", "--fields", "help").stdout.splitlines()


def test_fields_give_the_tabular_columns(run):
    result = run("trials", "--therapy", "msc", "--fields", "id, acronym,phase", "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "acronym", "phase"]
    ids = [t["id"] for t in run("trials", "--therapy", "msc", "--json").json()]
    assert [row[0] for row in rows[1:]] == ids
    detail = run("trial", "mesems", "--fields", "id,phase", "--format", "tsv").stdout.splitlines()
    assert detail == ["field\tvalue", "id\tmesems", "phase\t2"]


def test_fields_keep_the_unverified_mark_in_tables_and_bare_values_in_tsv(run):
    trials = run("trials", "--json").json()
    marked = next(t for t in trials if "phase" in t["unverified"])
    table = run("trials", "--fields", "id,phase", "--format", "markdown").stdout
    assert next(line for line in table.splitlines() if f"| {marked['id']} |" in line).endswith("(unverified) |")
    line = next(line for line in run("trials", "--fields", "id,phase,unverified").stdout.splitlines()
                if line.startswith(marked["id"] + "\t"))
    assert line.split("\t")[1] == marked["phase"] and "phase" in line.split("\t")[2]


def test_repeated_field_is_shown_once(run):
    assert list(run("trial", "mesems", "--fields", "id,id,phase", "--json").json()) == ["id", "phase"]


@pytest.mark.parametrize("value", ["phse", "id,nonsense", ",", ""])
def test_unknown_or_empty_field_is_a_usage_error_naming_the_fields(run, value):
    result = run("trials", "--fields", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    if value.strip(","):
        assert result.stderr.startswith("mscli: error: unknown field")
        assert "acronym" in result.stderr and "phase" in result.stderr
    else:
        assert result.stderr.startswith("mscli: error: --fields")


def test_unknown_field_suggests_the_close_one(run):
    assert "did you mean 'phase'" in run("trials", "--fields", "phse").stderr


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(names_of("trial")), min_size=1, max_size=6, unique=True))
def test_any_choice_of_fields_gives_exactly_those_keys(run, wanted):
    result = run("trials", "--phase", "3", "--fields", ",".join(wanted), "--json")
    assert result.exit_code == 0
    assert all(list(record) == wanted for record in result.json())


def test_query_filters_and_projects(run):
    result = run("trials", "--query", "[?phase=='3'].id")
    assert result.exit_code == 0, result.stderr
    expected = [t["id"] for t in run("trials", "--phase", "3", "--json").json()]
    assert result.json() == expected


def test_query_runs_after_fields(run):
    assert run("trial", "mesems", "--fields", "id,phase", "--query", "keys(@)").json() == ["id", "phase"]


def test_query_on_a_detail_and_on_info(run):
    assert run("trial", "mesems", "--query", "registrations[?registry=='EudraCT'] | length(@)").json() >= 1
    assert run("info", "--query", "counts.trials").json() == run("info", "--json").json()["counts"]["trials"]


def test_query_with_jsonl_writes_one_line_per_item(run):
    lines = run("trials", "--phase", "3", "--query", "[].{id: id, status: status}", "--format", "jsonl").stdout
    items = [json.loads(line) for line in lines.splitlines()]
    assert items and all(set(item) == {"id", "status"} for item in items)


def test_query_that_selects_nothing_prints_null(run):
    assert run("info", "--query", "no_such_key").stdout.strip() == "null"


@pytest.mark.parametrize("expression", ["[?phase=='3'", "foo[", "length(`1`, `2`)", "&id", "[&id]"])
def test_bad_query_is_one_line_usage_error(run, expression):
    result = run("trials", "--query", expression)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("mscli: error: --query:")
    assert len(result.stderr.splitlines()) == 2  # the error and the "Try --help" line


def test_query_type_error_is_short_and_names_the_function(run):
    result = run("trials", "--query", "sort(@)")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "mscli: error: --query: sort() expects array-string or array-number; found object")
    assert "canadian" not in result.stderr


def test_query_with_a_table_format_is_a_usage_error(run):
    result = run("trials", "--query", "[].id", "--format", "csv")
    assert result.exit_code == 2
    assert "--query prints JSON" in result.stderr


def test_query_in_a_real_process_needs_no_jq(run_process):
    result = run_process("trials", "--therapy", "msc", "--query", "length(@)")
    assert result.returncode == 0, result.stderr
    count = json.loads(result.stdout)
    assert count == len(json.loads(run_process("trials", "--therapy", "msc", "--json").stdout))


def test_jmespath_is_not_imported_without_query():
    code = ("import sys; sys.argv=['mscli','trials','--json','--fields','id']; from mscli.cli import app as cli\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(str('jmespath' in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=False)
    assert result.stderr.decode().endswith("False")


QUERY_PIECES = ["[", "]", "?", "@", ".", "*", "|", "&&", "||", "!", "==", "<", "`1`", "`\"x\"`", "'3'", "id",
                "phase", "design", "length(", "sort_by(", "max_by(", "&id", ")", ",", "{a: id}", "[0]", "[-1:]",
                "to_number(", "abs(", "sum(", "keys(", "-", "+", "/", "%", "0"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=8).map("".join) | st.text(max_size=20))
def test_any_query_gives_json_or_a_usage_error(run, expression):
    result = run("trials", "--phase", "3", "--query", expression)
    assert result.exit_code in (0, 2), (expression, result.stderr)
    if result.exit_code == 0:
        json.loads(result.stdout)
    else:
        assert result.stdout == "" and result.stderr.startswith("mscli: error: --query")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_fields_value_gives_output_or_a_usage_error(run, value):
    result = run("therapies", "--fields", value, "--json")
    assert result.exit_code in (0, 2), (value, result.stderr)
    if result.exit_code == 0 and value.strip() != "help":
        json.loads(result.stdout)


@pytest.mark.parametrize("args", [["match", "--age", "40"], ["clinic", "--offer", "a guaranteed cure"],
                                  ["compare", "ahsct", "msc", "--by", "outcome"]])
def test_answers_that_are_not_record_lists_take_query_not_fields(run, args):
    refused = run(*args, "--fields", "id")
    assert refused.exit_code == 2
    assert "--query" in refused.stderr
    assert run(*args, "--query", "length(@)").exit_code == 0
