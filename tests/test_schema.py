"""mscli schema: generated from the types, strict, and matched by every command's JSON output."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from mscli.loading.dataset import bundled_data_dir
from mscli.loading.yamlsafe import parse
from mscli.model.kinds import kind_of_word
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
