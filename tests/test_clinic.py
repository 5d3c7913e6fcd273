"""`mscli clinic`: the sourced red flags, and `--offer` keyword checks through the real CLI."""

from __future__ import annotations

import copy
import csv
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.features import clinic
from mscli.loading import dataset
from tests.conftest import minimal
from tests.test_validate import problems_for

ISSUE_FLAGS = {"no-registered-trial", "paying-to-take-part", "no-ms-specialists", "cure-claims",
               "no-ethics-approval", "no-follow-up-plan"}

OFFER = """Welcome to the Example Regenerative Centre.
We offer a guaranteed cure for multiple sclerosis with MSC stem cells, as tested in NCT01854957
and in our own study NCT99999999 (see also EudraCT 2011-001295-19).
Package price: USD 25,000, payable before travel. We also treat autism and ALS.
"""


def flags_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {flag["id"]: flag for flag in report["flags"]}


def test_clinic_lists_every_issue_flag_with_questions_and_sources(run):
    result = run("clinic", "--json")
    assert result.exit_code == 0, result.stderr
    flags = {flag["id"]: flag for flag in result.json()}
    assert set(flags) >= ISSUE_FLAGS
    for flag in flags.values():
        assert flag["questions"] and flag["why"] and flag["sources"]
        cited = run("sources", flag["id"], "--json").json()
        assert {source["id"] for source in cited} == set(flag["sources"])


def test_a_red_flag_is_shown_by_id_with_its_sources(run):
    result = run("show", "no-ethics-approval", "--json")
    assert result.exit_code == 0, result.stderr
    shown = result.json()
    assert shown["check"] == "phrase-absent" and "IRB" in shown["phrases"]
    assert shown["cited_sources"]


def test_offer_file_reports_numbers_therapies_and_flags(run, tmp_path):
    offer = tmp_path / "advert.txt"
    offer.write_text(OFFER, encoding="utf-8")
    result = run("clinic", "--offer", str(offer), "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["input"]["kind"] == "file"
    numbers = {entry["number"]: entry for entry in report["registry_numbers"]}
    assert numbers["NCT01854957"]["in_dataset"] and numbers["NCT01854957"]["trial"] == "mesems"
    assert numbers["2011-001295-19"]["registry"] == "EudraCT" and numbers["2011-001295-19"]["in_dataset"]
    assert numbers["NCT99999999"]["in_dataset"] is False and numbers["NCT99999999"]["trial"] is None
    assert any("not proof" in note for note in report["notes"])
    therapies = {entry["id"]: entry for entry in report["therapies"]}
    assert therapies["msc"]["availability"] == "trials-only" and therapies["msc"]["matched"] == ["MSC"]
    flags = flags_of(report)
    assert {"therapy-not-standard-care", "paying-to-take-part", "cure-claims", "no-ms-specialists",
            "no-ethics-approval", "no-follow-up-plan", "one-treatment-many-diseases"} <= set(report["raised"])
    assert "no-registered-trial" not in report["raised"]
    cure_texts = [match["text"].lower() for match in flags["cure-claims"]["matches"]]
    assert cure_texts == ["guaranteed", "cure"]
    assert flags["cure-claims"]["matches"][0]["line"] == 2
    assert "guaranteed cure" in flags["cure-claims"]["matches"][0]["context"]
    assert {m["text"] for m in flags["paying-to-take-part"]["matches"]} == {"Package price", "USD"}
    assert flags["cell-source-unclear"]["raised"] is None


def test_offer_text_without_numbers_or_warning_words(run):
    text = ("Treatment is given within a registered trial after review by our ethics committee; "
            "your neurologist receives follow-up reports and the centre is JACIE accredited.")
    report = run("clinic", "--offer", text, "--json").json()
    assert report["input"]["kind"] == "text"
    flags = flags_of(report)
    assert flags["no-registered-trial"]["raised"] is True
    for flag_id in ("no-ms-specialists", "no-ethics-approval", "no-follow-up-plan", "not-accredited",
                    "cure-claims", "paying-to-take-part"):
        assert flags[flag_id]["raised"] is False, flag_id
    assert [m["text"] for m in flags["no-ethics-approval"]["matches"]] == ["ethics committee"]
    assert report["therapies"] == []


def test_offer_from_standard_input(run_process):
    result = run_process("clinic", "--offer", "-", "--json", input=b"Risk-free treatment, no side effects.")
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["input"] == {"kind": "stdin", "name": "-", "format": "text", "characters": 37, "lines": 1}
    assert [m["text"] for m in flags_of(report)["no-risk-claims"]["matches"]] == ["Risk-free", "no side effects"]


@pytest.mark.parametrize("text,flag", [
    ("We are curious about results and secure every sample.", "cure-claims"),
    ("Please call us; we also speak Portuguese.", "one-treatment-many-diseases"),
    ("The firm's payroll is separate; costume parties are not held.", "paying-to-take-part"),
])
def test_phrases_match_whole_words_only(run, text, flag):
    report = run("clinic", "--offer", text, "--json").json()
    assert flags_of(report)[flag]["raised"] is False, flags_of(report)[flag]["matches"]


def test_acronyms_match_only_in_capitals(run):
    lower = flags_of(run("clinic", "--offer", "the irb and als words", "--json").json())
    upper = flags_of(run("clinic", "--offer", "the IRB and ALS words", "--json").json())
    assert lower["no-ethics-approval"]["raised"] and lower["one-treatment-many-diseases"]["raised"] is False
    assert upper["no-ethics-approval"]["raised"] is False and upper["one-treatment-many-diseases"]["raised"]


def test_longest_therapy_name_wins_and_numbers_in_any_case(run):
    report = run("clinic", "--offer", "We give MSC-NTF cells, see nct03799718.", "--json").json()
    assert [t["id"] for t in report["therapies"]] == ["msc-ntf"]
    assert report["registry_numbers"][0]["number"] == "NCT03799718"
    assert report["registry_numbers"][0]["in_dataset"] is True


def test_table_output_shows_matches_and_caveat(run, tmp_path):
    offer = tmp_path / "advert.txt"
    offer.write_text(OFFER, encoding="utf-8")
    result = run("clinic", "--offer", str(offer), "--format", "tsv")
    assert result.exit_code == 0
    assert "RAISED\tClaims of a cure" in result.stdout
    assert "'guaranteed'" in result.stdout


@pytest.mark.parametrize("value,code,message", [
    ("advert.txt", 4, "no such file"),
    ("some/folder/offer", 4, "no such file"),
    ("   ", 2, "empty text"),
    ("https://clinic.example/offer", 4, "does not fetch web pages"),
])
def test_bad_offer_values(run, value, code, message):
    result = run("clinic", "--offer", value)
    assert result.exit_code == code
    assert message in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_directory_large_and_empty_files_are_refused(run, tmp_path):
    assert run("clinic", "--offer", str(tmp_path)).exit_code == 4
    big = tmp_path / "big.txt"
    big.write_bytes(b"a " * (clinic.MAX_OFFER_BYTES // 2 + 1))
    result = run("clinic", "--offer", str(big))
    assert result.exit_code == 4 and "larger than" in result.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert run("clinic", "--offer", str(empty)).exit_code == 2


def test_offer_check_writes_nothing(run, tmp_path):
    offer = tmp_path / "advert.txt"
    offer.write_text(OFFER, encoding="utf-8")
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert run("clinic", "--offer", str(offer), "--no-cache", "--json").exit_code == 0
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert before == after


@pytest.fixture(scope="module")
def bundled():
    return dataset.load(use_cache=False)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=st.text(min_size=1, max_size=300).filter(str.strip))
def test_any_text_gives_a_consistent_report(bundled, text):
    report = clinic.check_offer(bundled, clinic.Offer(text, "text", "(test)"))
    assert set(report["raised"]) <= {flag["id"] for flag in bundled["red_flags"]}
    for flag in report["flags"]:
        for match in flag["matches"]:
            assert match["text"] in text or match["phrase"] in {t["id"] for t in report["therapies"]}
            assert 1 <= match["line"] <= len(text.splitlines()) + 1


# --- validation of the red_flags collection: one broken fixture per rule ---------------------

FLAG: dict[str, Any] = {
    "id": "flag-one", "title": "A flag", "why": "Because.", "questions": ["Why?"],
    "check": "phrase-present", "check_note": "Looks for words.", "phrases": ["cure"],
    "sources": ["src-a"], "reviewed": "2026-11-01",
}


def with_flag(**changes: Any) -> dict[str, Any]:
    data = minimal()
    flag = copy.deepcopy(FLAG)
    flag.update(changes)
    data["red_flags"] = [flag]
    return data


def test_a_valid_red_flag_passes(write_dataset):
    assert problems_for(write_dataset(with_flag())) == []


@pytest.mark.parametrize("changes,expected", [
    ({"phrases": []}, ["flag-one phrases", "needs at least one phrase"]),
    ({"check": "not-checked"}, ["flag-one phrases", "does not use phrases"]),
    ({"phrases": ["cure", "Cure"]}, ["flag-one phrases[1]", "listed twice"]),
    ({"questions": []}, ["flag-one questions", "at least one question"]),
    ({"check": "vibes"}, ["flag-one check", "not one of"]),
    ({"sources": ["nowhere"]}, ["flag-one sources[0]", "unknown source"]),
    ({"colour": "red"}, ["flag-one colour", "unknown field"]),
], ids=["no phrases", "unused phrases", "duplicate phrase", "no questions", "bad check", "bad source",
        "unknown field"])
def test_each_red_flag_rule_reports_file_record_and_field(write_dataset, changes, expected):
    messages = problems_for(write_dataset(with_flag(**changes)))
    assert any(all(part in message for part in expected) for message in messages), messages
    assert all(message.startswith("data.yaml:") for message in messages)


def test_a_cache_written_before_red_flags_existed_is_not_reused(run, private_cache):
    from mscli.loading.metafile import meta_bytes, read_meta
    from mscli.loading.store import CACHE_FORMAT

    assert run("clinic", "--json").exit_code == 0
    entries = list(private_cache.glob("*/meta.bin"))
    assert entries
    for entry in entries:
        payload = read_meta(entry)
        del payload["dataset"]["red_flags"]
        payload["format"] = CACHE_FORMAT - 1
        entry.write_bytes(meta_bytes(payload))
    result = run("clinic", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == len(dataset.load(use_cache=False)["red_flags"])


def test_clinic_listing_shows_why_questions_and_sources(run):
    rows = list(csv.reader(io.StringIO(run("clinic", "--format", "csv").stdout)))
    assert rows[0] == ["red flag", "why it matters", "questions to ask", "sources", "unverified_fields"]
    by_flag = {row[0]: row for row in rows[1:]}
    row = by_flag["You are asked to pay to take part (paying-to-take-part)"]
    assert "pay-to-participate" in row[1] and "cost" in row[2] and "turner-2017-regen-med" in row[3]


# Input kinds of --offer: what a person is actually sent.

BROCHURE = ("Guaranteed cure for MS with our stem cell treatment.\n"
            "Read the testimonials of our patients.\n"
            "We also treat autism and Parkinson's. Price USD 20,000.\n")


def write_pdf(path, text):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in text.splitlines():
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_a_pdf_brochure_raises_the_same_flags_as_its_text(run, tmp_path):
    pdf = tmp_path / "advert.pdf"
    write_pdf(pdf, BROCHURE)
    from_pdf = run("clinic", "--offer", str(pdf), "--json")
    assert from_pdf.exit_code == 0, from_pdf.stderr
    from_text = run("clinic", "--offer", BROCHURE, "--json").json()
    report = from_pdf.json()
    assert report["input"]["format"] == "pdf"
    assert report["raised"] == from_text["raised"]
    assert {"cure-claims", "testimonials-as-evidence", "one-treatment-many-diseases"} <= set(report["raised"])


def test_a_saved_web_page_is_read_as_its_visible_text(run, tmp_path):
    page = tmp_path / "offer.html"
    page.write_text("<!DOCTYPE html><html><head><title>Clinic</title><style>.cure{}</style>"
                    "<script>var fee = 'guaranteed';</script></head><body><h1>MS treatment</h1>"
                    "<p>Our stem cell treatment is <b>risk-free</b>.</p></body></html>", encoding="utf-8")
    report = run("clinic", "--offer", str(page), "--json").json()
    assert report["input"]["format"] == "html"
    assert "no-risk-claims" in report["raised"]
    assert "cure-claims" not in report["raised"] and "paying-to-take-part" not in report["raised"]
    assert all("<" not in m["context"] for f in report["flags"] for m in f["matches"])


def test_html_on_standard_input(run_process):
    page = b"<html><body><p>Zero side effects!</p></body></html>"
    result = run_process("clinic", "--offer", "-", "--json", input=page)
    assert result.returncode == 0, result.stderr
    import json

    assert "no-risk-claims" in json.loads(result.stdout)["raised"]


@pytest.mark.parametrize("name,content,message", [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "image"),
    ("offer.docx", b"PK\x03\x04" + b"\x00" * 40, "Word"),
    ("offer.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 40, "Word"),
    ("data.bin", b"abc\x00\x01\x02" * 20, "binary"),
    ("broken.pdf", b"this is not a pdf at all, just words", "not a readable PDF"),
    ("damaged.pdf", b"%PDF-1.4\n garbage garbage", "PDF"),
])
def test_unreadable_inputs_are_refused_without_a_verdict(run, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("clinic", "--offer", str(path), "--json")
    assert result.exit_code == 4
    assert message in result.stderr and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_scanned_pdf_with_no_text_layer_is_refused(run, tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 100, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    result = run("clinic", "--offer", str(path))
    assert result.exit_code == 4 and "no text layer" in result.stderr and "pdftotext" not in result.stdout


@pytest.mark.parametrize("value", ["advert.pdf", "offer.txt", "brochure.html", "scan.png", "a/b", "..\\offer"])
def test_a_single_word_with_a_suffix_or_separator_is_always_a_path(run, value):
    result = run("clinic", "--offer", value)
    assert result.exit_code == 4 and "no such file" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("text,flag", [
    ("No cure is promised for our stem cell treatment", "cure-claims"),
    ("We cannot guarantee any result", "cure-claims"),
    ("aHSCT does not reverse damage already done", "cure-claims"),
    ("No treatment is completely safe", "no-risk-claims"),
    ("There is no cost to take part and travel costs are reimbursed", "paying-to-take-part"),
])
def test_denials_do_not_raise(run, text, flag):
    assert flag not in run("clinic", "--offer", text, "--json").json()["raised"]


def test_contrast_is_not_naming_an_accepted_therapy(run):
    report = run("clinic", "--offer", "Unlike HSCT, our treatment needs no chemotherapy", "--json").json()
    assert [t["contrasted"] for t in report["therapies"]] == [True]
    assert "therapy-not-standard-care" in report["raised"]


def test_an_unnamed_stem_cell_treatment_raises_the_unproven_flag(run):
    report = run("clinic", "--offer", "stem cell treatment, fat-derived, same day", "--json").json()
    assert "therapy-not-standard-care" in report["raised"]
    report = run("clinic", "--offer", "aHSCT on the NHS, stem cell transplant after referral", "--json").json()
    assert "therapy-not-standard-care" not in report["raised"]


def test_absent_flags_are_never_worded_as_a_pass(run):
    result = run("clinic", "--offer", "A short note about our opening hours", "--format", "tsv")
    assert "not raised" not in result.stdout and "passed" not in result.stdout
    assert "not found in the text: ask anyway" in result.stdout


def test_matches_are_grouped_by_line_and_cut_at_words(run):
    text = "Our guaranteed miracle cure works every time for everyone who comes to us from abroad"
    result = run("clinic", "--offer", text, "--format", "tsv")
    line = next(row for row in result.stdout.splitlines() if row.startswith("RAISED\tClaims of a cure"))
    assert line.count("line 1:") == 1 and "'guaranteed', 'miracle', 'cure'" in line
    report = run("clinic", "--offer", text, "--json").json()
    for match in flags_of(report)["cure-claims"]["matches"]:
        assert all(word in text.split() for word in match["context"].strip(".").split())
