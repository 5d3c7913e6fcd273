"""Citations parsed back by the parsers reference managers use, with the names right."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pybtex.database
import pybtex.plugin
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from pybtex.style.template import FieldIsMissing

from mscli.loading import dataset
from mscli.model.kinds import KINDS
from mscli.model.records import SourceKind
from mscli.output import cite
from mscli.output.cite import Author, authors


def test_vancouver_names_become_family_and_initials():
    names, more = authors({"authors": "Genchi A, Brambilla E, MESEMS study group, et al."})  # type: ignore[typeddict-item]
    assert names == [Author("Genchi", "A"), Author("Brambilla", "E"), Author("MESEMS study group", None)]
    assert more is True


def test_bibtex_parses_with_family_names_and_verbatim_url(run):
    library = bibtexparser.parse_string(run("cite", "mesems", "--format", "bibtex").stdout,
                                        append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    article = next(entry for entry in library.entries if entry.key == "uccelli-2021-mesems")
    first = article["author"][0]
    assert first.last == ["Uccelli"] and first.first == ["A."]
    assert article["author"][-1].last == ["others"]
    assert article["title"].startswith("{") and "MESEMS" in article["title"]
    assert "\\_" not in "".join(entry.fields_dict["url"].value for entry in library.entries
                                 if "url" in entry.fields_dict)


def test_ris_authors_are_family_comma_given(run):
    records = rispy.loads(run("cite", "mesems", "--format", "ris").stdout)
    article = next(record for record in records if record["id"] == "uccelli-2021-mesems")
    assert article["authors"][0] == "Uccelli, A"
    assert not any("et al" in name for record in records for name in record.get("authors", []))


def test_csl_json_types_containers_and_no_et_al(run):
    items = json.loads(run("cite", "mesems", "--format", "csl-json").stdout)
    article = next(item for item in items if item["id"] == "uccelli-2021-mesems")
    assert article["type"] == "article-journal" and article["container-title"] == "The Lancet Neurology"
    assert article["author"][0] == {"family": "Uccelli", "given": "A."}
    assert not any("et al" in json.dumps(item.get("author", [])) for item in items)
    registry = [item for item in items if item.get("number", "").startswith("NCT")]
    assert all(item["type"] == "dataset" for item in registry)


def test_a_source_id_cites_the_source_itself(run):
    result = run("cite", "uccelli-2021-mesems", "--format", "csl-json")
    assert result.exit_code == 0
    assert [item["id"] for item in json.loads(result.stdout)] == ["uccelli-2021-mesems"]


@pytest.mark.parametrize("fmt", ["text", "bibtex", "ris", "csl-json"])
def test_every_format_of_a_source_is_not_empty(run, fmt):
    assert run("cite", "uccelli-2021-mesems", "--format", fmt).stdout.strip()


# Every source of the bundled dataset, cited through each format and read back by the parsers
# and processors reference managers use (bibtexparser, pybtex, rispy, citeproc-py with two
# standard CSL styles) and checked against the official CSL-JSON schema. tests/fixtures/csl/
# PROVENANCE.md says where the styles and the schema come from.

CSL = Path(__file__).parent / "fixtures" / "csl"
SOURCES = dataset.load(use_cache=False)["sources"]
BY_ID = {source["id"]: source for source in SOURCES}
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9-]*[A-Z0-9]\b")


def _expected_url(source):
    return source.get("url") or (f"https://doi.org/{source['doi']}" if source.get("doi") else None)


def test_every_source_kind_is_in_the_bundled_dataset():
    assert {source["kind"] for source in SOURCES} == set(SourceKind)


def test_bibtexparser_reads_every_source_with_names_urls_and_numbers():
    library = bibtexparser.parse_string(cite.bibtex(SOURCES),
                                        append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    assert [entry.key for entry in library.entries] == [source["id"] for source in SOURCES]
    for entry in library.entries:
        source, fields = BY_ID[entry.key], entry.fields_dict
        names, more = authors(source)
        if names:
            parsed = [" ".join(name.von + name.last).strip("{}") for name in fields["author"].value]
            assert parsed == [name.family for name in names] + (["others"] if more else [])
            assert all(" ".join(name.first).replace(". ", "").rstrip(".") == (author.given or "")
                       for name, author in zip(fields["author"].value, names, strict=False))
        url = _expected_url(source)
        if url:
            assert fields["url"].value == url  # verbatim: no \_ or \%
        if source["kind"] == "registry-record" and source.get("registry_id"):
            assert fields["number"].value == source["registry_id"]
        assert fields["title"].value.startswith("{") and fields["title"].value.endswith("}")
        assert entry.entry_type == ("article" if cite._in_journal(source) else "misc")


def test_pybtex_keeps_family_names_and_acronyms_in_a_sentence_case_style():
    bib = pybtex.database.parse_string(cite.bibtex(SOURCES), "bibtex")
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "unsrt")()
    backend = pybtex.plugin.find_plugin("pybtex.backends", "text")()
    rendered = 0
    for source in SOURCES:
        entry = bib.entries[source["id"]]
        names, more = authors(source)
        persons = entry.persons.get("author", [])
        assert [" ".join(person.prelast_names + person.last_names).strip("{}") for person in persons] == [
            name.family for name in names] + (["others"] if more else [])
        try:
            text = style.format_entry(source["id"], entry).text.render(backend)
        except FieldIsMissing as missing:  # unsrt insists on a field the source truly lacks
            assert missing.field_name in ("author", "year") and not source.get(missing.field_name)
            continue
        rendered += 1
        assert all(word in text for word in ACRONYM.findall(source["title"])), text  # unsrt lower-cases
        assert "\\" not in text
        assert (_expected_url(source) or "") in text
    assert rendered > len(SOURCES) * 0.9


def test_rispy_reads_every_source_with_family_comma_given():
    records = rispy.loads(cite.ris(SOURCES))
    assert [record["id"] for record in records] == [source["id"] for source in SOURCES]
    types = {"registry-record": "DATA", "web-page": "ELEC", "news": "ELEC"}
    for record in records:
        source = BY_ID[record["id"]]
        assert record.get("authors", []) == [f"{a.family}, {a.given}" if a.given else a.family
                                             for a in authors(source)[0]]
        expected = "JOUR" if cite._in_journal(source) else types.get(source["kind"], "RPRT")
        assert record["type_of_reference"] == expected
        assert record.get("urls", [None]) == [cite._url(source)]
        assert record["title"] == " ".join(source["title"].split())


def test_csl_json_of_every_source_is_valid_against_the_official_schema():
    schema = json.loads((CSL / "csl-data.json").read_text(encoding="utf-8"))
    items = json.loads(cite.csl_json(SOURCES))
    jsonschema.Draft7Validator(schema).validate(items)
    for item in items:
        source = BY_ID[item["id"]]
        journal = cite._in_journal(source)
        assert item["type"] == {True: "article-journal"}.get(journal, {
            "registry-record": "dataset", "guideline": "report", "position-statement": "report"}.get(
                source["kind"], "webpage"))
        assert (item.get("container-title") if journal else item.get("publisher")) == source["publisher"]
        if source["kind"] == "registry-record":
            assert item.get("number") == source.get("registry_id")
        assert not any("et al" in json.dumps(name) for name in item.get("author", []))


def _bibliography(style_file: str, items):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    style = CitationStylesStyle(str(CSL / style_file), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return {item["id"]: str(entry) for item, entry in zip(items, bibliography.bibliography(), strict=True)}


def test_citeproc_renders_every_source_in_vancouver_with_the_datasets_own_names():
    """NLM (Vancouver) writes authors as the dataset does, "Sormani MP", so the first author
    comes back exactly as written; the journal and a registry record's address are there."""
    items = json.loads(cite.csl_json(SOURCES))
    rendered = _bibliography("nlm-citation-sequence.csl", items)
    assert len(rendered) == len(SOURCES)
    for source in SOURCES:
        text = rendered[source["id"]]
        names, _ = authors(source)
        if names:
            first = names[0]
            assert (f"{first.family} {first.given}" if first.given else first.family) in text, text
        if cite._in_journal(source):
            assert source["publisher"] in text
        if source["kind"] == "registry-record":
            assert cite._url(source) in text


def test_citeproc_renders_every_source_in_apa_with_initials_and_registry_numbers():
    items = json.loads(cite.csl_json(SOURCES))
    rendered = _bibliography("apa.csl", items)
    for source in SOURCES:
        text = rendered[source["id"]]
        for name in authors(source)[0][:6]:
            assert (f"{name.family}, {cite._dotted(name.given)}" if name.given else name.family) in text, text
        if source["kind"] == "registry-record" and source.get("registry_id"):
            assert source["registry_id"] in text
        assert all(word in text for word in ACRONYM.findall(source["title"]))


@pytest.mark.parametrize("collection", sorted(KINDS))
def test_cite_on_each_record_type_parses_in_every_format(run, collection):
    record = dataset.load(use_cache=False)[collection][0]
    bib = run("cite", record["id"], "--format", "bibtex")
    assert bib.exit_code == 0, bib.stderr
    keys = list(pybtex.database.parse_string(bib.stdout, "bibtex").entries)
    assert keys and not bibtexparser.parse_string(bib.stdout).failed_blocks
    assert [record["id"] for record in rispy.loads(run("cite", record["id"], "--format", "ris").stdout)] == keys
    items = run("cite", record["id"], "--format", "csl-json").json()
    jsonschema.validate(items, json.loads((CSL / "csl-data.json").read_text(encoding="utf-8")))
    assert [item["id"] for item in items] == keys
    assert len(run("cite", record["id"]).stdout.splitlines()) == len(keys)
