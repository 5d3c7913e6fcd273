"""A source's copies (``seen_at``): every shape a file may use, the located errors of the wrong
ones, the merged Petrou 2020 paper and how each output carries its copies."""

from __future__ import annotations

import json
import re

import bibtexparser
import jsonschema
import pytest
import rispy
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mscli.errors import Problem
from mscli.loading import dataset, quickcheck, validate
from mscli.loading.yamlsafe import parse
from mscli.model import records as model
from tests.conftest import minimal

PETROU = "petrou-2020-brain"
PETROU_TITLE = ("Beneficial effects of autologous mesenchymal stem cell transplantation in active "
                "progressive multiple sclerosis")
PETROU_COPIES = [
    {"url": "http://edoc.mdc-berlin.de/19688/", "read": "abstract"},
    {"url": "https://dbpia.nl.go.kr/view-large/226872995", "read": "Table 3"},
    {"url": "https://www.medscape.com/viewarticle/944678_2", "read": "Materials and methods"},
]


def with_copies(seen_at: object) -> dict:
    data = minimal()
    data["sources"][1]["seen_at"] = seen_at
    return data


SHAPES = [
    ("one address", "https://copy.example/a", [{"url": "https://copy.example/a", "read": None}]),
    ("a list of addresses", ["https://copy.example/a", "https://copy.example/b"],
     [{"url": "https://copy.example/a", "read": None}, {"url": "https://copy.example/b", "read": None}]),
    ("a list of mappings", [{"url": "https://copy.example/a", "read": "Table 3"}, {"url": "https://copy.example/b"}],
     [{"url": "https://copy.example/a", "read": "Table 3"}, {"url": "https://copy.example/b", "read": None}]),
    ("addresses and mappings mixed", ["https://copy.example/a", {"url": "https://copy.example/b", "read": "Methods"}],
     [{"url": "https://copy.example/a", "read": None}, {"url": "https://copy.example/b", "read": "Methods"}]),
    ("empty", None, []),
    ("an empty list", [], []),
]


@pytest.mark.parametrize(("label", "written", "expected"), SHAPES, ids=[shape[0] for shape in SHAPES])
def test_every_shape_loads_as_a_list_of_copies(run, write_dataset, label, written, expected):
    folder = write_dataset(with_copies(written))
    result = run("show", "src-b", "--json", "--data", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.json()["seen_at"] == expected
    assert run("show", "src-b", "--json", "--data", str(folder), "--no-cache").json()["seen_at"] == expected


@pytest.mark.parametrize(("label", "written", "expected"), SHAPES, ids=[shape[0] for shape in SHAPES])
def test_quick_and_precise_checks_read_every_shape_alike(label, written, expected):
    record = with_copies(written)["sources"][1]
    problems: list[Problem] = []
    precise = validate._Checker("data.yaml", problems).record(model.Source, record, 1, "src-b", "")
    assert problems == []
    assert quickcheck.checker(model.Source)(record) == precise
    assert precise is not None and precise["seen_at"] == expected


BAD = [
    ("a number", "    seen_at: 3\n", 9, "seen_at", "expected a list, got a number"),
    ("an empty address", "    seen_at: ''\n", 9, "seen_at[0].url", "empty text"),
    ("a number in the list", "    seen_at:\n      - https://copy.example/a\n      - 5\n", 9, "seen_at[1]",
     "expected a mapping, got a number"),
    ("a mapping without url", "    seen_at:\n      - read: Table 3\n", 10, "seen_at[0].url", "missing required field"),
    ("a misspelt key", "    seen_at:\n      - url: https://copy.example/a\n        page: 3\n", 11,
     "seen_at[0].page", "unknown field"),
    ("an empty read note", "    seen_at:\n      - url: https://copy.example/a\n        read: ' '\n", 11,
     "seen_at[0].read", "empty text"),
    ("no scheme", "    seen_at:\n      - copy.example/a\n", 3, "seen_at[0].url", "must start with https://"),
    ("a second copy without scheme", "    seen_at: [https://copy.example/a, ftp://copy.example/b]\n", 3,
     "seen_at[1].url", "must start with https://"),
    ("a copy given twice", "    seen_at: [https://copy.example/a, https://copy.example/a]\n", 3,
     "seen_at[1].url", "listed twice"),
    ("the canonical address as a copy", "    url: https://canon.example/a\n    seen_at: [https://canon.example/a]\n",
     3, "seen_at[0].url", "the source's url"),
]

_FILE_HEAD = """dataset: {title: t, version: "1", reviewed: 2026-11-01}
sources:
  - id: src-x
    kind: web-page
    title: A page
    publisher: A charity
    verified: true
    reviewed: 2026-11-01
"""


@pytest.mark.parametrize(("label", "lines", "line", "field", "message"), BAD, ids=[bad[0] for bad in BAD])
def test_a_wrong_shape_is_located_by_file_line_record_and_field(run, write_dataset, label, lines, line, field,
                                                                message):
    folder = write_dataset(_FILE_HEAD + lines)
    _, problems = dataset.check(dataset.read_files(folder))
    assert [(p.file.endswith("data.yaml"), p.line, p.record, p.field) for p in problems] == [
        (True, line, "src-x", field)], problems
    assert message in problems[0].message
    result = run("validate", str(folder))
    assert result.exit_code == 1 and f"data.yaml:{line}: src-x {field}\t" in result.stdout
    assert "Traceback" not in result.stderr


copy_like = st.one_of(
    st.sampled_from(["https://copy.example/a", "http://copy.example/b", "", " ", "copy.example", "ftp://x"]),
    st.integers(0, 3), st.none(), st.booleans(),
    st.dictionaries(st.sampled_from(["url", "read", "page"]),
                    st.one_of(st.sampled_from(["https://copy.example/c", "Table 3", "", "\t"]), st.integers(0, 2),
                              st.none()), max_size=3))
seen_at_values = st.one_of(copy_like, st.lists(copy_like, max_size=4))


@settings(max_examples=300, deadline=None)
@given(seen_at_values)
def test_the_quick_check_accepts_exactly_the_copies_the_precise_one_does(value):
    record = with_copies(value)["sources"][1]
    problems: list[Problem] = []
    precise = validate._Checker("data.yaml", problems).record(model.Source, record, 1, "src-b", "")
    quick = quickcheck.checker(model.Source)(record)
    assert (quick is None) == bool(problems), problems
    assert quick == precise or quick is None


# --- the merged Petrou 2020 paper -------------------------------------------------------------

def test_petrou_2020_is_one_source_with_all_three_copies(run):
    source = run("show", PETROU, "--json").json()
    assert source["title"] == PETROU_TITLE
    assert source["seen_at"] == PETROU_COPIES
    assert source["url"] is None and source["doi"] is None and source["pmid"] is None
    for old in ("petrou-2020-brain-table-3", "petrou-2020-brain-methods"):
        assert run("show", old).exit_code != 0


def test_the_hadassah_trial_cites_the_merged_paper_for_its_facts(run):
    trial = run("trial", "hadassah-msc-progressive-phase-2", "--json").json()
    assert trial["sources"].count(PETROU) == 1
    assert trial["publications"] == [PETROU]
    assert [d["source"] for d in trial["differences"] if d["field"] in ("start_date", "end_date")] == [PETROU] * 2
    assert [s["id"] for s in trial["cited_sources"]].count(PETROU) == 1


def test_no_reference_in_the_bundled_dataset_dangles():
    data, problems = dataset.check(dataset.read_files(dataset.bundled_data_dir()))
    assert problems == []
    ids = {source["id"] for source in data["sources"]}
    text = "\n".join(file.read_text(encoding="utf-8") for file in sorted(dataset.bundled_data_dir().glob("*.yaml")))
    mentioned = set(re.findall(r"\bpetrou-2020-brain[-\w]*", text))
    assert mentioned <= ids


def test_cite_of_the_merged_paper_names_the_paper_and_keeps_copies_out_of_its_url(run):
    plain = run("cite", PETROU).stdout
    assert plain.startswith(f"Petrou P, Kassis I, Levin N, et al. {PETROU_TITLE}. Brain. 2020. Seen at ")
    assert "(Table 3)" in plain and "(Materials and methods)" in plain and "et al.." not in plain

    library = bibtexparser.parse_string(run("cite", PETROU, "--format", "bibtex").stdout)
    assert not library.failed_blocks
    entry = library.entries[0].fields_dict
    assert entry["title"].value == "{" + PETROU_TITLE + "}"
    assert "url" not in entry
    assert entry["note"].value.startswith("Seen at http://edoc.mdc-berlin.de/19688/ (abstract); ")
    assert "944678\\_2 (Materials and methods)" in entry["note"].value

    (record,) = rispy.loads(run("cite", PETROU, "--format", "ris").stdout)
    assert record["title"] == PETROU_TITLE and "url" not in record and "urls" not in record
    assert any("https://dbpia.nl.go.kr/view-large/226872995 (Table 3)" in note for note in record["notes"])

    (item,) = json.loads(run("cite", PETROU, "--format", "csl-json").stdout)
    assert item["title"] == PETROU_TITLE and "URL" not in item
    assert all(copy["url"] in item["note"] for copy in PETROU_COPIES)


def test_a_source_with_a_canonical_url_keeps_it_as_the_url_and_its_copy_as_a_note(run):
    items = json.loads(run("cite", "trials-co-nct02166021", "--format", "csl-json").stdout)
    assert items[0]["URL"] == "https://clinicaltrials.gov/study/NCT02166021"
    assert items[0]["note"] == "Seen at https://trials.co/clinical-trials-details/-/NCT02166021"


def test_tables_csv_and_the_report_list_every_copy(run, tmp_path):
    table = run("show", PETROU, "--format", "table", env={"COLUMNS": "120"}).stdout
    assert all(f"{copy['url']} ({copy['read']})" in table for copy in PETROU_COPIES)
    rows = run("sources", "hadassah-msc-progressive-phase-2", "--fields", "id,seen_at", "--format", "tsv").stdout
    assert (f"{PETROU}\t" + "\\n".join(f"{c['url']} ({c['read']})" for c in PETROU_COPIES)) in rows.splitlines()
    markdown = run("report", "hadassah-msc-progressive-phase-2").stdout
    assert "Seen at `https://dbpia.nl.go.kr/view-large/226872995` (Table 3)." in markdown
    page = tmp_path / "report.html"
    assert run("report", PETROU, "--output", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert ('Seen at <a href="https://www.medscape.com/viewarticle/944678_2">'
            "https://www.medscape.com/viewarticle/944678_2</a> (Materials and methods)") in html


def test_the_output_schema_makes_seen_at_a_list_and_the_dataset_schema_takes_both_shapes(run):
    output = run("schema", "source", "--json").json()
    assert output["properties"]["seen_at"] == {"type": "array", "items": {"$ref": "#/$defs/Copy"}}
    jsonschema.validate(run("show", PETROU, "--json").json(), run("schema", "source-detail", "--json").json(),
                        cls=Draft202012Validator)
    document = run("schema", "dataset", "--json").json()
    for _, written, _ in SHAPES:
        jsonschema.validate(json.loads(json.dumps(with_copies(written))), document, cls=Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(with_copies([{"url": "https://copy.example/a", "page": 3}]), document,
                            cls=Draft202012Validator)


def test_the_bundled_file_writes_the_merged_paper_as_mappings():
    text = (dataset.bundled_data_dir() / "msc.yaml").read_text(encoding="utf-8")
    (source,) = [s for s in parse(text)["sources"] if s["id"] == PETROU]
    assert [dict(copy) for copy in source["seen_at"]] == PETROU_COPIES
