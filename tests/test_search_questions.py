"""Ranking measured on questions people ask (tests/search_questions.yaml): hit@1 and hit@3.

The thresholds are the floor the ranking must keep; the figures printed with ``-s`` are the
measurement. Both the YAML path and the compiled store must give the same answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mscli.loading import dataset
from mscli.queries import search as searching

QUESTIONS = yaml.safe_load((Path(__file__).parent / "search_questions.yaml").read_text(encoding="utf-8"))
HIT_AT_1 = 0.85
HIT_AT_3 = 0.95


@pytest.fixture(scope="module")
def bundled() -> dataset.Dataset:
    return dataset.load(use_cache=False)


def test_the_question_set_is_large_and_names_real_records(bundled):
    ids = {record["id"] for collection in searching.KINDS for record in bundled[collection]}  # type: ignore[literal-required]
    assert len(QUESTIONS) >= 30
    assert all(set(item["expected"]) <= ids for item in QUESTIONS), [
        item["question"] for item in QUESTIONS if not set(item["expected"]) <= ids]


def test_hit_at_1_and_hit_at_3_meet_their_floor(bundled, capsys):
    at_1 = at_3 = 0
    misses = []
    for item in QUESTIONS:
        top = [hit["id"] for hit in searching.search(bundled, item["question"], limit=3)["hits"]]
        wanted = set(item["expected"])
        at_1 += bool(top[:1] and top[0] in wanted)
        at_3 += bool(wanted & set(top))
        if not top or top[0] not in wanted:
            misses.append((item["question"], top))
    count = len(QUESTIONS)
    with capsys.disabled():
        print(f"\nsearch questions: {count}, hit@1 {at_1}/{count} = {at_1 / count:.2f}, "
              f"hit@3 {at_3}/{count} = {at_3 / count:.2f}; not first: {misses}")
    assert at_1 / count >= HIT_AT_1, misses
    assert at_3 / count >= HIT_AT_3, misses


def test_the_cli_gives_the_same_top_hits(run):
    for item in QUESTIONS[:8]:
        hits = run("search", item["question"], "--limit", "3", "--json").json()
        assert hits and hits[0]["id"] in item["expected"], (item["question"], hits[:1])
