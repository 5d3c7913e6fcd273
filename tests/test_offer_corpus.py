"""The clinic check measured on a labelled corpus of offers (tests/offers/corpus.yaml).

Recall must be 100% on every flag: a warning missed on a realistic offer is the failure that
reassures falsely. Precision is reported (and kept for the README); honest offers must never
raise a cure, payment or no-risk flag, because that would teach people to ignore the flags.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mscli.features import clinic
from mscli.loading import dataset

CORPUS = Path(__file__).parent / "offers" / "corpus.yaml"
SHORT = {"trial": "no-registered-trial", "therapy": "therapy-not-standard-care", "pay": "paying-to-take-part",
         "neuro": "no-ms-specialists", "cure": "cure-claims", "risk": "no-risk-claims",
         "ethics": "no-ethics-approval", "followup": "no-follow-up-plan", "accred": "not-accredited",
         "stories": "testimonials-as-evidence", "many": "one-treatment-many-diseases"}


@pytest.fixture(scope="module")
def bundled() -> Any:
    return dataset.load(use_cache=False)


def offers() -> list[dict[str, Any]]:
    loaded: dict[str, Any] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return list(loaded["offers"])


def raised(bundled: Any, text: str) -> set[str]:
    return set(clinic.check_offer(bundled, clinic.Offer(text, "text", "(corpus)"))["raised"])


def scores(bundled: Any) -> dict[str, dict[str, int]]:
    """Per flag: true positives, false negatives (missed) and false positives, over the labels."""
    table = {flag: {"tp": 0, "fn": 0, "fp": 0, "tn": 0} for flag in SHORT}
    for offer in offers():
        got = raised(bundled, offer["text"])
        for short in offer["raise"]:
            table[short]["tp" if SHORT[short] in got else "fn"] += 1
        for short in offer["not"]:
            table[short]["fp" if SHORT[short] in got else "tn"] += 1
    return table


def markdown(table: dict[str, dict[str, int]]) -> str:
    lines = ["| flag | must raise | found | recall | must not raise | raised anyway | precision |",
             "|---|---|---|---|---|---|---|"]
    for short, row in table.items():
        positives = row["tp"] + row["fn"]
        recall = f"{row['tp'] / positives:.0%}" if positives else "n/a"
        precision = f"{row['tp'] / (row['tp'] + row['fp']):.0%}" if row["tp"] + row["fp"] else "n/a"
        lines.append(f"| {SHORT[short]} | {positives} | {row['tp']} | {recall} | {row['fp'] + row['tn']}"
                     f" | {row['fp']} | {precision} |")
    return "\n".join(lines)


def test_corpus_is_large_labelled_and_has_honest_offers():
    corpus = offers()
    assert len(corpus) >= 40
    assert len({offer["id"] for offer in corpus}) == len(corpus)
    assert sum(offer["id"].startswith("honest") for offer in corpus) >= 8
    for offer in corpus:
        assert set(offer["raise"]) | set(offer["not"]) <= set(SHORT), offer["id"]
        assert not set(offer["raise"]) & set(offer["not"]), offer["id"]


def test_every_flag_has_full_recall_on_the_corpus(bundled):
    missed = [(offer["id"], short) for offer in offers() for short in offer["raise"]
              if SHORT[short] not in raised(bundled, offer["text"])]
    assert missed == []


def test_labelled_negatives_are_not_raised(bundled):
    wrong = [(offer["id"], short) for offer in offers() for short in offer["not"]
             if SHORT[short] in raised(bundled, offer["text"])]
    assert wrong == []


@pytest.mark.parametrize("offer", [o for o in offers() if o["id"].startswith("honest")], ids=lambda o: o["id"])
def test_honest_offers_never_raise_cure_payment_or_no_risk(bundled, offer):
    assert not raised(bundled, offer["text"]) & {"cure-claims", "paying-to-take-part", "no-risk-claims"}


def test_precision_recall_table_matches_the_readme(bundled):
    table = scores(bundled)
    assert all(row["fn"] == 0 for row in table.values())
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown(table) in readme, "README table is stale:\n" + markdown(table)
