"""Filters and --limit on the listings that are not trials (queries/listings.py), through the CLI."""

from __future__ import annotations

import pytest


def ids(result):
    assert result.exit_code == 0, result.stderr
    return [record["id"] for record in result.json()]


def test_studies_by_therapy_kind_and_year(run):
    every = run("studies", "--json").json()
    found = run("studies", "--therapy", "ahsct", "--kind", "cohort", "--since", "2015", "--json").json()
    expected = [s["id"] for s in every
                if s["therapy"] == "ahsct" and s["kind"] == "cohort" and (s.get("year") or 0) >= 2015]
    assert expected and [s["id"] for s in found] == expected


def test_guidance_therapy_accepts_aliases_and_comma_lists(run):
    every = run("guidance", "--json").json()
    both = ids(run("guidance", "--therapy", "HSCT,msc", "--json"))
    assert both == [g["id"] for g in every if {"ahsct", "msc"} & set(g["therapies"])]
    assert set(ids(run("guidance", "--therapy", "ahsct", "--json"))) < set(both) or len(both) == len(every)


def test_sources_kind_years_and_limit(run):
    every = run("sources", "--json").json()
    found = ids(run("sources", "--kind", "journal-article", "--until", "2012", "--limit", "3", "--json"))
    expected = [s["id"] for s in every if s["kind"] == "journal-article" and s.get("year") and s["year"] <= 2012]
    assert len(expected) > 3 and found == expected[:3]


@pytest.mark.parametrize("args", [("studies", "--kind", "trial"), ("guidance", "--therapy", "unicorn"),
                                  ("sources", "--since", "2020", "--until", "2010"), ("studies", "--limit", "0")])
def test_bad_filter_values_are_one_line_usage_errors(run, args):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("mscli: error: ") and result.stderr.count("\n") == 2
