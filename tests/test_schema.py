"""mscli schema: generated from the types, strict, and matched by every command's JSON output."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import typer
import yaml
from jsonschema import Draft202012Validator

from mscli.loading.dataset import bundled_data_dir
from mscli.loading.yamlsafe import parse
from mscli.model.kinds import KINDS, kind_of_word
from mscli.model.outputs import SCHEMA_TYPES, SCHEMA_VERSION
from tests.conftest import minimal
from tests.test_fields import COMMANDS


def schema(run, name: str) -> dict:
    result = run("schema", name, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_schema_lists_every_type(run):
    listed = run("schema", "--json").json()
    assert [entry["name"] for entry in listed] == list(SCHEMA_TYPES)
    assert all(entry["description"] and entry["emitted_by"] for entry in listed)


@pytest.mark.parametrize("name", list(SCHEMA_TYPES))
def test_every_schema_is_a_valid_2020_12_schema_with_the_version(run, name):
    document = schema(run, name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["x-schema-version"] == SCHEMA_VERSION


def test_info_reports_the_schema_version(run):
    assert run("info", "--json").json()["schema_version"] == schema(run, "trial")["x-schema-version"]


@pytest.mark.parametrize(("args", "type_name"), COMMANDS, ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_every_command_json_validates_against_its_schema(run, args, type_name):
    document = schema(run, type_name)
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    payload = result.json()
    records = payload if isinstance(payload, list) else [payload]
    for record in records:
        jsonschema.validate(record, document, cls=Draft202012Validator)


def test_validate_problems_validate_against_their_schema(run, write_dataset):
    data = minimal()
    data["trials"][0]["phase"] = "9"
    result = run("validate", str(write_dataset(data)), "--json")
    assert result.exit_code == 1
    problems = result.json()
    assert problems
    for problem in problems:
        jsonschema.validate(problem, schema(run, "validation-problem"), cls=Draft202012Validator)


def test_show_of_every_collection_validates(run):
    hits = run("search", "stem", "--limit", "0", "--json").json()
    seen = set()
    for hit in hits:
        if hit["type"] in seen:
            continue
        seen.add(hit["type"])
        detail = run("show", hit["id"], "--json").json()
        jsonschema.validate(detail, schema(run, kind_of_word(hit["type"]).detail_type), cls=Draft202012Validator)
    assert seen >= {"trial", "therapy", "term"}


@pytest.mark.parametrize("change", ["extra field", "missing field", "bad enum", "wrong type", "bad nested"])
def test_a_wrong_document_fails(run, change):
    document = schema(run, "trial-detail")
    good = run("trial", "mesems", "--json").json()
    jsonschema.validate(good, document, cls=Draft202012Validator)
    bad = copy.deepcopy(good)
    if change == "extra field":
        bad["colour"] = "blue"
    elif change == "missing field":
        del bad["acronym"]
    elif change == "bad enum":
        bad["phase"] = "5"
    elif change == "wrong type":
        bad["start_year"] = "2012"
    else:
        bad["design"]["blinding"] = "blindfolded"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, document, cls=Draft202012Validator)


def test_every_bundled_data_file_matches_the_dataset_schema(run):
    document = schema(run, "dataset")
    files = sorted(bundled_data_dir().glob("*.yaml"))
    assert files
    for file in files:
        jsonschema.validate(json.loads(json.dumps(parse(file.read_text(encoding="utf-8")))), document,
                            cls=Draft202012Validator)


def test_dataset_schema_honours_optional_fields_and_refuses_unknown_ones(run):
    document = schema(run, "dataset")
    data = minimal()
    jsonschema.validate(data, document, cls=Draft202012Validator)
    data["trials"][0]["colour"] = "blue"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, document, cls=Draft202012Validator)


def test_schema_yaml_and_query(run):
    assert "1/2" in run("schema", "trial", "--query", "properties.phase.enum").json()
    assert run("schema", "trial", "--format", "yaml").stdout.startswith("$schema:")


@pytest.mark.parametrize("args", [["schema", "trail"], ["schema", "trial", "--format", "csv"],
                                  ["schema", "trial", "--fields", "id"]])
def test_schema_errors(run, args):
    result = run(*args)
    assert result.exit_code in (1, 2)
    assert result.stdout == ""
    assert result.stderr.startswith("mscli: error:")


def test_unknown_schema_type_suggests(run):
    result = run("schema", "trail")
    assert result.exit_code == 1
    assert "did you mean 'trial'" in result.stderr


CTGOV = Path(__file__).parent / "fixtures" / "ctgov"

# Outputs whose shape is not a record's, each with the command lines that print it. Together
# with test_fields.COMMANDS they are every JSON output mscli has; the walk below checks that.
SHAPED: list[tuple[list[str], str]] = [
    (["compare", "ahsct", "msc", "--by", "outcome"], "outcome-row"),
    (["compare", "ahsct", "msc", "nsc", "--by", "outcome"], "outcome-row"),
    (["clinic", "--offer", "Guaranteed cure with MSC, NCT01854957 and ISRCTN12345678, fee USD 20,000"],
     "offer-check"),
    (["clinic", "--offer", "Unlike HSCT, our stem cell treatment has no side effects"], "offer-check"),
    (["match", "--age", "30", "--ms-type", "RRMS"], "match-result"),
    (["match", "--age", "50", "--ms-type", "SPMS", "--edss", "6", "--years-since-onset", "12",
      "--relapses-last-year", "0", "--no-active-mri", "--prior-treatment", "none", "--include-closed"],
     "match-result"),
    (["match"], "match-result"),
    (["match", "--age", "30", "--ms-type", "RRMS", "--trial", "mesems"], "trial-screen"),
    (["match", "--edss", "4.5", "--prior-treatment", "natalizumab", "--trial", "net-ms"], "trial-screen"),
    (["import", "ctgov", str(CTGOV / "single-msc.json"), str(CTGOV / "pages"), "--dry-run"], "import-result"),
]


@pytest.mark.parametrize(("args", "type_name"), SHAPED, ids=lambda a: " ".join(a)[:60] if isinstance(a, list) else a)
def test_every_shaped_output_validates_against_its_schema(run, args, type_name, tmp_path):
    document = schema(run, type_name)
    extra = ["--into", str(tmp_path)] if args[0] == "import" else []
    result = run(*args, *extra, "--json")
    assert result.exit_code == 0, result.stderr
    payload = result.json()
    records = payload if isinstance(payload, list) else [payload]
    assert records
    for record in records:
        jsonschema.validate(record, document, cls=Draft202012Validator)


def test_a_wrong_pre_screen_label_fails_its_schema(run):
    good = run("match", "--age", "30", "--trial", "mesems", "--json").json()
    bad = copy.deepcopy(good)
    bad["criteria"][0]["label"] = "eligible"
    document = schema(run, "trial-screen")
    jsonschema.validate(good, document, cls=Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, document, cls=Draft202012Validator)


# Commands that only answer with a registry to talk to: tests/test_registry.py validates their
# JSON against these schema types, against a local server replaying real API v2 answers.
NEEDS_A_REPLAY_SERVER = {("registry", "check"): "registry-check", ("registry", "search"): "registry-find"}


def _leaf_commands():
    """Every command of the app as its words (``["import", "ctgov"]``) with its Click command."""
    from mscli.cli.app import app

    root = typer.main.get_command(app)
    context = typer.Context(root, info_name="mscli")
    stack = [([], root, context)]
    while stack:
        words, command, ctx = stack.pop()
        if hasattr(command, "list_commands"):  # a group (typer carries its own Click)
            for name in command.list_commands(ctx):
                child = command.get_command(ctx, name)
                stack.append(([*words, name], child, typer.Context(child, info_name=name, parent=ctx)))
        else:
            yield words, command


def test_every_command_with_json_output_has_a_validated_schema():
    """Walks the whole app: a command that can print JSON and is not run against a published
    schema above (or in test_fields.COMMANDS) fails here, as does a schema type nothing prints."""
    covered = {tuple(args[:2]) if args[0] == "import" else (args[0],) for args, _ in [*COMMANDS, *SHAPED]}
    covered |= set(NEEDS_A_REPLAY_SERVER)
    json_commands = set()
    for words, command in _leaf_commands():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        if "--json" in options:
            json_commands.add(tuple(words))
    assert json_commands, "the walk found no command"
    assert {("trials",), ("match",), ("import", "ctgov")} <= json_commands
    assert json_commands - covered == set(), "commands printing JSON with no schema test"
    printed = {type_name for _, type_name in [*COMMANDS, *SHAPED]} | set(NEEDS_A_REPLAY_SERVER.values())
    printed |= {kind.detail_type for kind in KINDS.values()}  # ``show ID`` of each: tests/test_kinds.py
    assert set(SCHEMA_TYPES) - {"dataset"} - printed == set(), "schema types no command is tested on"


@pytest.mark.parametrize(("args", "type_name"), [*COMMANDS, *SHAPED],
                         ids=lambda a: " ".join(a)[:60] if isinstance(a, list) else a)
def test_every_output_in_yaml_reads_back_as_its_json(run, args, type_name, tmp_path):
    """YAML is the same answer as JSON: PyYAML's safe loader reads back exactly the JSON payload."""
    extra = ["--into", str(tmp_path)] if args[0] == "import" else []
    as_json = run(*args, *extra, "--json")
    as_yaml = run(*args, *extra, "--format", "yaml")
    assert as_yaml.exit_code == 0, as_yaml.stderr
    assert yaml.safe_load(as_yaml.stdout) == as_json.json()
