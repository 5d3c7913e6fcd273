"""An imported record's YAML is the same bytes whichever emitter writes it.

``importer.render_file`` writes a record with ``yamlemit`` (tested on its own in
``test_yamlemit.py``); what that leaves, it hands to libyaml's C emitter when
``_libyaml_writes_alike`` judges that it writes PyYAML's pure-Python output exactly, and to
PyYAML's emitter otherwise. These tests hold ``render_file`` and the libyaml judgement to the
bytes of the pure-Python writer, on every real study in the fixtures and on generated records
with the characters where the emitters part.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.features import ctgov, importer

FIXTURES = Path(__file__).parent / "fixtures"
THERAPIES = {"msc", "ahsct", "msc-ntf", "msc-np", "nsc"}
TODAY = "2026-12-03"

pytestmark = pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")


def pure_python(document: Any) -> str:
    """What the importer wrote before the C emitter: PyYAML's own emitter."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def libyaml(document: Any) -> str:
    return yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)


def document_of(converted: ctgov.Converted) -> dict[str, Any]:
    return {"trials": [importer._compact(converted.trial)],
            "sources": [importer._compact(source) for source in converted.sources]}


def every_fixture_record() -> list[tuple[str, ctgov.Converted]]:
    """Each study of the fixtures that converts (some are there to be refused)."""
    records = []
    for file in sorted(FIXTURES.rglob("*.json")):
        for found in ctgov.read_studies(file, None):
            if found.problem is None:
                try:
                    converted = ctgov.convert(found.study, TODAY, THERAPIES)
                except ctgov.Unusable:
                    continue
                records.append((f"{file.name}:{converted.nct_id}", converted))
    return records


RECORDS = every_fixture_record()


@pytest.mark.parametrize(("name", "converted"), RECORDS, ids=[name for name, _ in RECORDS])
def test_every_fixture_record_is_written_as_the_pure_python_emitter_writes_it(name: str,
                                                                             converted: ctgov.Converted) -> None:
    document = document_of(converted)
    assert importer.render_file(converted) == importer._HEADER + pure_python(document).encode("utf-8")
    if importer._libyaml_writes_alike(document):
        assert libyaml(document) == pure_python(document)


def test_the_fast_path_takes_the_studies_it_can():
    """A judgement that refused everything would pass the tests above and save nothing."""
    alike = {name for name, converted in RECORDS if importer._libyaml_writes_alike(document_of(converted))}
    assert "single-msc.json:NCT09900001" in alike
    assert len(alike) >= len(RECORDS) // 3


def test_what_libyaml_writes_otherwise_is_left_to_pypyaml():
    """Breaks with a space beside them (double quotes, folded differently), and what libyaml
    escapes or breaks at and PyYAML does not: refused, so PyYAML writes them."""
    for text in ["line one\n  indented", "ends with a space \nnext", "\U0001f600 emoji", "tab\there",
                 "bom\ufeff", "nel\x85", "\u2028separator", "\ud800 lone surrogate"]:
        assert not importer._libyaml_writes_alike({"trials": [{"title": text}]}), repr(text)


# Characters where the emitters' scalar analysis or folding could part: indicators, quotes,
# spaces and breaks in every arrangement, non-ASCII in and past the BMP, controls.
TRICKY = st.sampled_from([" ", "  ", "\n", "\n\n", ":", ": ", " #", "#", "-", "- ", "?", ",", "[", "]", "{",
                          "}", "'", '"', "!", "&", "*", "|", ">", "%", "@", "`", "\\", "\t", "\r", "\x85",
                          "\u2028", "\ufeff", "\x00", "\x7f", "\xa0", "é", "中文", "\U0001f600", "\ud800",
                          "null", "true", "1.5", "0x1F", "~", "---", "...", "=", "<<"])
WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=14)
TEXT = st.lists(TRICKY | WORDS | st.text(max_size=6), max_size=60).map("".join)
LONG = st.lists(WORDS, min_size=20, max_size=120).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "summary", "criteria", "name", "note"]),
                       TEXT | LONG | st.integers() | st.floats(allow_nan=False) | st.booleans()
                       | st.lists(TEXT, max_size=3), min_size=1))
def test_when_judged_alike_libyaml_writes_the_same_bytes(record: dict[str, Any]) -> None:
    document = {"trials": [record], "sources": [{"id": "s", "title": record.get("title", "x")}]}
    if importer._libyaml_writes_alike(document):
        assert libyaml(document) == pure_python(document)


SINGLE = json.loads((FIXTURES / "ctgov" / "single-msc.json").read_text())


@settings(max_examples=150, deadline=None)
@given(title=TEXT | LONG, summary=TEXT | LONG, criteria=TEXT | LONG, keyword=TEXT)
def test_an_imported_record_is_written_as_the_pure_python_emitter_writes_it(title: str, summary: str,
                                                                           criteria: str, keyword: str) -> None:
    study = json.loads(json.dumps(SINGLE))
    protocol = study["protocolSection"]
    protocol["identificationModule"]["officialTitle"] = title
    protocol["descriptionModule"]["briefSummary"] = summary
    protocol["eligibilityModule"]["eligibilityCriteria"] = criteria
    protocol["conditionsModule"]["keywords"] = [keyword, "MS"]
    try:
        converted = ctgov.convert(study, TODAY, THERAPIES)
    except ctgov.Unusable:
        return
    assert importer.render_file(converted) == importer._HEADER + pure_python(document_of(converted)).encode("utf-8")
