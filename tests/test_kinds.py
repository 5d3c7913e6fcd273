"""Every record type is wired everywhere: show, search, cite, report, completion and JSON with
a published schema. A type added to ``model.kinds`` but missed somewhere fails here."""

from __future__ import annotations

import jsonschema
import pytest

from mscli.cli import completion
from mscli.loading import dataset
from mscli.model.kinds import KINDS
from mscli.model.records import COLLECTIONS

BUNDLED = dataset.load(use_cache=False)


def test_every_collection_has_a_kind():
    assert set(KINDS) == set(COLLECTIONS)


@pytest.fixture(params=sorted(KINDS), ids=str)
def example(request):
    collection = request.param
    records = BUNDLED[collection]
    assert records, f"the bundled dataset has no {collection} to test with"
    return collection, records[0]


def test_show_prints_json_valid_against_the_detail_schema(run, example):
    collection, record = example
    shown = run("show", record["id"], "--json")
    assert shown.exit_code == 0, shown.stderr
    schema = run("schema", KINDS[collection].detail_type)
    assert schema.exit_code == 0, schema.stderr
    jsonschema.validate(shown.json(), schema.json())
    assert shown.json()["id"] == record["id"]


def test_search_finds_the_record_by_its_id(run, example):
    collection, record = example
    hits = run("search", record["id"], "--json").json()
    assert any(hit["id"] == record["id"] and hit["type"] == KINDS[collection].word for hit in hits)


def test_cite_prints_the_sources_of_the_record(run, example):
    _, record = example
    for style in ("text", "bibtex", "ris", "csl-json"):
        result = run("cite", record["id"], "--format", style)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip()


def test_report_has_a_section_for_the_record(run, example):
    _, record = example
    result = run("report", record["id"])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("\n## ") >= 1


def test_completion_offers_the_record_id(example):
    _, record = example
    offered = [value for value, _ in completion.record_ids(None, record["id"][:5])]  # type: ignore[arg-type]
    assert record["id"] in offered
