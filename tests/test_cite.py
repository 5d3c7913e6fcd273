"""Citations parsed back by the parsers reference managers use, with the names right."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

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
    assert article["author"][0] == {"family": "Uccelli", "given": "A"}
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
