"""The glossary: coverage of the terms the dataset uses, and links between records and terms."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import dataset
from mscli.queries import terms, textmatch
from tests.conftest import minimal

# The terms the issue names; each must have a glossary entry.
ISSUE_TERMS = ["EDSS", "relapse", "gadolinium-enhancing lesion", "intrathecal", "autologous", "phase 1",
               "phase 2", "phase 3", "crossover", "placebo", "NEDA", "conditioning chemotherapy"]

# Technical terms as the dataset's records write them. Each must be used by some record (so
# the list cannot pass by naming words nobody uses) and be covered by a glossary entry, unless
# it is a known gap below. Add a term here when records start using it.
TECHNICAL_TERMS = [
    "EDSS", "relapse", "gadolinium-enhancing lesion", "intrathecal", "intravenous", "autologous",
    "allogeneic", "phase 1", "phase 2", "phase 3", "crossover", "placebo", "sham", "NEDA", "conditioning",
    "disease-modifying", "high-efficacy", "randomised", "double-blind", "single-blind", "open-label",
    "assessor-blind", "masking", "adverse event", "EAE", "mesenchymal stem cell", "haematopoietic stem cell",
    "stem cell", "RRMS", "SPMS", "PPMS", "relapsing-remitting MS", "secondary progressive MS",
    "primary progressive MS", "MRI", "lesion", "T2 lesion", "myelin", "lumbar puncture", "McDonald",
    "oligoclonal bands", "meta-analysis", "myeloablative", "non-myeloablative", "mobilisation", "cohort",
    "observational", "infusion", "interim report", "neuroprotective", "arachnoiditis", "NMOSD",
    "immunosuppressant",
]

# Used by records but not yet in the glossary (no verified source found yet). The test fails
# when one of these gets an entry or stops being used, so the list only ever shrinks.
KNOWN_GAPS = ["neurotrophic", "intracerebroventricular", "progenitor", "precursor"]

LINKED_TEXT_COLLECTIONS = ("therapies", "trials", "studies", "guidance", "red_flags")


@pytest.fixture(scope="module")
def bundled():
    return dataset.load(use_cache=False)


def corpus_text(data: Any) -> str:
    return "\n".join(terms.record_text(record) for name in LINKED_TEXT_COLLECTIONS for record in data[name])


def used(word: str, text: str) -> bool:
    return bool(textmatch.pattern(word, plurals=True).search(text))


def uncovered(data: Any, words: list[str]) -> list[str]:
    """Listed words the records use that no glossary term (name or alias) matches."""
    text = corpus_text(data)
    return [word for word in words
            if used(word, text) and not any(terms.uses(term, word) for term in data["glossary"])]


def test_every_listed_term_is_used_by_the_dataset(bundled):
    text = corpus_text(bundled)
    unused = [word for word in TECHNICAL_TERMS + KNOWN_GAPS if not used(word, text)]
    assert unused == [], f"no record uses {unused}; remove them from the list"


def test_every_used_technical_term_has_a_glossary_entry(bundled):
    assert uncovered(bundled, TECHNICAL_TERMS) == []


def test_known_gaps_are_still_gaps(bundled):
    assert uncovered(bundled, KNOWN_GAPS) == KNOWN_GAPS


def test_the_coverage_check_fails_when_a_used_term_has_no_entry():
    data: dict[str, Any] = copy.deepcopy(minimal())
    data["trials"][0]["title"] = "Intrathecal cells after conditioning"
    data["glossary"] = [{"id": "conditioning", "term": "conditioning", "definition": "x", "sources": ["src-a"],
                         "reviewed": "2026-11-01"}]
    data["red_flags"] = data["studies"] = data["guidance"] = []
    assert uncovered(data, ["intrathecal", "conditioning", "placebo"]) == ["intrathecal"]


@pytest.mark.parametrize("name", ISSUE_TERMS)
def test_issue_terms_have_entries(run, name):
    result = run("glossary", name, "--json")
    assert result.exit_code == 0, result.stderr
    entry = result.json()
    assert entry["definition"] and entry["cited_sources"]
    assert any(source["verified"] for source in entry["cited_sources"])


def test_ppms_is_defined_by_a_page_that_defines_it(run):
    entry = run("glossary", "PPMS", "--json").json()
    assert entry["sources"] != ["seed-nmss-mesems-news-2021"]
    assert all(source["kind"] != "news" for source in entry["cited_sources"])


def test_trial_therapy_and_show_carry_terms(run):
    mesems = run("trial", "mesems", "--json").json()
    assert {"gadolinium-enhancing-lesion", "placebo", "crossover", "phase-2", "randomised"} <= set(mesems["terms"])
    ahsct = run("therapy", "ahsct", "--json").json()
    assert {"autologous", "haematopoietic-stem-cell", "relapse"} <= set(ahsct["terms"])
    conditioning = run("glossary", "conditioning chemotherapy", "--json").json()
    assert any(use["type"] == "trial" for use in conditioning["used_by"])
    study = run("show", "nottingham-spms-msc", "--json").json()
    assert "spms" in study["terms"] or "mesenchymal-stem-cell" in study["terms"]
    glossary_ids = {entry["id"] for entry in run("glossary", "--json").json()}
    for payload in (mesems, ahsct, study):
        assert set(payload["terms"]) <= glossary_ids


def test_terms_line_in_text_output(run):
    result = run("trial", "mesems", "--format", "tsv")
    rows = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert "placebo" in rows["terms"]


def test_glossary_term_lists_the_records_that_use_it_both_ways(run):
    entry = run("glossary", "placebo", "--json").json()
    assert {"type": "trial", "id": "mesems"} in entry["used_by"]
    for use in entry["used_by"][:8]:
        command = {"trial": "trial", "therapy": "therapy"}.get(use["type"], "show")
        record = run(command, use["id"], "--json").json()
        assert "placebo" in record["terms"], use
    table = run("glossary", "placebo", "--format", "tsv").stdout
    assert "trial mesems" in table


# --- linking rules on a small dataset --------------------------------------------------------

def glossary_entry(term_id: str, term: str, aliases: list[str]) -> dict[str, Any]:
    return {"id": term_id, "term": term, "aliases": aliases, "definition": "A term.", "sources": ["src-a"],
            "reviewed": "2026-11-01"}


@pytest.mark.parametrize("text,expected", [
    ("Fewer relapses were seen.", ["relapse"]),
    ("A relapse occurred.", ["relapse"]),
    ("A relapsing course.", []),
    ("Given as an IV drip.", ["intravenous"]),
    ("Given as an iv drip.", []),
    ("Cells given intravenously.", []),
    ("Two MSCs per kg.", ["msc-term"]),
    ("The msc word in lower case.", []),
    ("Cross-over design.", ["crossover"]),
])
def test_word_boundary_and_case_rules(run, write_dataset, text, expected):
    data = minimal()
    data["trials"][0]["title"] = text
    data["trials"][0]["design"].update(randomised=False, crossover=False)
    data["trials"][0]["eligibility"]["ms_types"] = []
    data["trials"][0]["phase"] = "n/a"
    data["glossary"] = [glossary_entry("relapse", "relapse", []), glossary_entry("intravenous", "intravenous", ["IV"]),
                        glossary_entry("msc-term", "mesenchymal cell", ["MSC"]),
                        glossary_entry("crossover", "crossover", ["cross over"])]
    result = run("trial", "trial-one", "--json", "--data", str(write_dataset(data)))
    assert result.exit_code == 0, result.stderr
    assert result.json()["terms"] == expected


def test_structured_fields_link_their_terms(run, write_dataset):
    data = minimal()
    data["trials"][0]["phase"] = "1/2"
    data["trials"][0]["eligibility"].update(edss_min=2.0)
    data["glossary"] = [glossary_entry("phase-1", "phase 1", []), glossary_entry("phase-2", "phase 2", ["phase 1/2"]),
                        glossary_entry("randomised", "randomised", []), glossary_entry("edss", "EDSS", []),
                        glossary_entry("rrms", "relapsing-remitting MS", ["RRMS"])]
    linked = run("trial", "trial-one", "--json", "--data", str(write_dataset(data))).json()["terms"]
    assert linked == ["phase-1", "phase-2", "randomised", "edss", "rrms"]


@settings(max_examples=400, deadline=None)
@given(phrase=st.sampled_from(["MSC", "relapse", "stem cell", "EDSS", "phase 1/2", "IV", "Kelvin", "naïve"]),
       text=st.text(alphabet="msctemlcMSCEDlapseIVK -\nK/12ïi", max_size=40))
def test_the_word_check_before_a_pattern_never_misses_a_match(phrase, text):
    """``may_match`` skips compiling a term's pattern; it may say yes wrongly, never no."""
    if textmatch.pattern(phrase, plurals=True).search(text):
        assert textmatch.may_match(phrase, text, text.lower())


def test_terms_found_with_and_without_the_word_check_agree(bundled):
    for record in bundled["trials"] + bundled["therapies"]:
        text = terms.record_text(record)
        every = [term["id"] for term in bundled["glossary"]
                 if any(textmatch.pattern(name, plurals=True).search(text) for name in terms.names_of(term))]
        assert [term for term in every if term != record["id"]] == terms.terms_in(bundled, record)
