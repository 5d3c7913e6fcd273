"""mscli search: every text field, snippets, marks, limits and types, through the real CLI."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.model.fields import fields_of
from mscli.model.kinds import KINDS
from mscli.queries import search as searching

# Fields of text deliberately left out of search, with why: bookkeeping, links and vocabularies
# shown in words elsewhere. Any other field holding text must be searched.
NOT_SEARCHED = {"sources", "reviewed", "unverified", "url", "seen_at", "date", "start_date", "end_date",
                "status_checked", "kind", "phase", "outcome", "chemotherapy", "aim", "availability", "effect",
                "check", "routes", "participant_payment", "origin", "publications", "start_date_kind",
                "end_date_kind", "included", "design", "enrolment", "verified", "year", "n", "sites",
                "start_year", "end_year", "participants", "found", "results_posted"}


def _holds_text(kind: Any) -> bool:
    return kind is str or (isinstance(kind, tuple) and kind and _holds_text(kind[-1])) or isinstance(kind, dict) \
        or getattr(kind, "__annotations__", None) is not None or str(kind).startswith("list[")


@pytest.mark.parametrize("collection", list(KINDS))
def test_every_text_field_of_every_record_type_is_searched(collection):
    searched = {name for name, _ in KINDS[collection].search_fields}
    fields = {spec.name for spec in fields_of(KINDS[collection].record_type)}
    assert searched <= fields
    assert fields - searched <= NOT_SEARCHED, fields - searched - NOT_SEARCHED


@pytest.mark.parametrize("query,expected,field", [
    ("thyroid", "ahsct", "main_risks"), ("Epstein", "ahsct", "main_risks"),
    ("deaths", "ahsct-sormani-deaths", "measure"), ("oxygen", None, None)])
def test_risks_and_outcomes_are_found_with_a_marked_snippet(run, query, expected, field):
    hits = run("search", query, "--limit", "0", "--json").json()
    if expected is None:
        assert hits == []
        return
    hit = next(hit for hit in hits if hit["id"] == expected)
    assert field in hit["matched"] and hit["total"] == len(hits)
    assert query.lower().rstrip("s") in hit["snippet"].lower()
    assert len(hit["snippet"]) <= searching.SNIPPET_CHARS + 2


def test_death_and_deaths_find_the_same_records(run):
    one, other = (run("search", word, "--limit", "0", "--json").json() for word in ("death", "deaths"))
    assert [hit["id"] for hit in one] == [hit["id"] for hit in other] and one


def test_snippets_are_cut_at_word_boundaries():
    text = "alpha beta gamma delta " * 20 + "thyroid disease later " + "epsilon zeta eta theta " * 20
    cut = searching.snippet(text, {"thyroid"})
    assert cut.startswith("…") and cut.endswith("…") and "thyroid" in cut
    inner = cut.strip("…").split(" ")
    assert all(word in text.split() for word in inner)


def test_a_default_limit_says_how_many_more(run):
    hits = run("search", "stem", "--json").json()
    assert len(hits) == searching.DEFAULT_LIMIT and hits[0]["total"] > searching.DEFAULT_LIMIT
    table = run("search", "stem", "--format", "table").stdout
    more = hits[0]["total"] - searching.DEFAULT_LIMIT
    assert f"{more} more: use --limit" in table
    piped = run("search", "stem", "--format", "tsv")
    assert len(piped.stdout.splitlines()) == 1 + searching.DEFAULT_LIMIT
    assert f"{more} more: use --limit" in piped.stderr
    assert run("search", "stem", "--json").stderr == ""
    assert len(run("search", "stem", "--limit", "0", "--json").json()) == hits[0]["total"]


def test_type_filters_by_record_type(run):
    hits = run("search", "stem", "--type", "trial,term", "--limit", "0", "--json").json()
    assert hits and {hit["type"] for hit in hits} == {"trial", "term"}
    assert {hit["type"] for hit in run("search", "stem", "--type", "glossary", "--json").json()} == {"term"}
    bad = run("search", "stem", "--type", "trail")
    assert bad.exit_code == 2 and "did you mean 'trial'" in bad.stderr.splitlines()[0]


def test_no_record_holding_every_word_shows_the_closest_and_says_what_is_missing(run):
    hits = run("search", "thyroid zebra", "--json").json()
    assert "ahsct" in [hit["id"] for hit in hits] and all(hit["missing"] == ["zebra"] for hit in hits)
    assert "No record holds every word" in run("search", "thyroid zebra", "--format", "table").stdout


def test_matched_words_are_bold_on_a_colour_terminal_and_plain_when_piped(run):
    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "LINES": "200", "TERM": "xterm", "MSCLI_PAGER": "cat"}
    env.pop("NO_COLOR", None)
    process = subprocess.run([sys.executable, "-m", "mscli", "search", "thyroid"], stdout=secondary,
                             stderr=subprocess.PIPE, env=env, timeout=60, check=False)
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert process.returncode == 0, process.stderr
    assert "\x1b[1mthyroid\x1b[22m" in output.decode("utf-8")
    piped = run("search", "thyroid")
    assert "\x1b" not in piped.stdout and "thyroid" in piped.stdout


def test_unquoted_words_search_as_one_question(run: Any) -> None:
    quoted = run("search", "thyroid after transplant", "--json").json()
    unquoted = run("search", "thyroid", "after", "transplant", "--json").json()
    assert quoted and unquoted == quoted


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("ab _-.\t\n\x0b\x1f\x85\xa0\u2028\u3000")), max_size=160))
def test_a_short_snippet_is_its_text_with_whitespace_runs_made_one_space(text: str) -> None:
    """The fast path for texts already as they are shown gives what normalising them gives."""
    shown = " ".join(text.replace("_", "-").split())
    if len(shown) <= searching.SNIPPET_CHARS:
        assert searching.snippet(text, {"a"}) == shown


def test_a_hits_only_float_is_its_score(run: Any) -> None:
    """The search view tells the JSON writer where every float of its hits is (``View.floats``):
    that holds only while a hit holds plain JSON types and no float but its score."""
    from mscli.loading.dataset import open_store
    from mscli.output.search_view import search_view

    def floats_and_types(value: Any) -> tuple[list[float], set[type]]:
        found: list[float] = []
        kinds = {type(value)}
        inner = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
        if isinstance(value, float):
            found.append(value)
        for item in inner:
            more, more_kinds = floats_and_types(item)
            found += more
            kinds |= more_kinds
        return found, kinds

    store = open_store(None, use_cache=False)
    for text in ("msc", "thyroid after transplant", "trial recruiting", "aHSCT risk zzqx"):
        hits = searching.search_store(store, text, None)["hits"]
        view = search_view({"hits": hits, "total": len(hits), "terms": [], "complete": True}, text)
        found, kinds = floats_and_types(hits)
        assert view.floats is not None and list(view.floats(hits)) == found
        assert kinds <= {str, int, float, bool, type(None), list, dict}
