"""The bundled dataset: complete enough, sourced, and every seed item findable."""

from __future__ import annotations

import pytest

from mscli.loading import dataset
from mscli.model.records import registry_of
from mscli.queries import compare as comparing
from mscli.queries import core as queries
from mscli.queries import search as searching


@pytest.fixture(scope="module")
def bundled():
    return dataset.load(use_cache=False)


def test_at_least_thirty_trials_across_every_therapy_kind(bundled):
    assert len(bundled["trials"]) >= 30
    therapies_with_trials = {trial["therapy"] for trial in bundled["trials"]}
    assert {"ahsct", "msc", "msc-np", "msc-ntf", "nsc"} <= therapies_with_trials
    assert any(trial["phase"] == "3" and trial["status"] != "completed" for trial in bundled["trials"])


def test_every_record_has_a_source_and_a_review_date(bundled):
    for name in ("therapies", "trials", "studies", "guidance", "glossary"):
        for record in bundled[name]:
            assert record["sources"], record["id"]
            assert record["reviewed"], record["id"]


def test_registry_numbers_are_well_formed(bundled):
    for trial in bundled["trials"]:
        for registration in trial["registrations"]:
            assert registry_of(registration["id"]), (trial["id"], registration["id"])


SEED_ITEMS = [
    ("MESEMS", "mesems"), ("STREAMS", "streams"), ("MIST", "mist"), ("BEAT-MS", "beat-ms"),
    ("STAR-MS", "star-ms"), ("RAM-MS", "ram-ms"), ("Nottingham", "nottingham-spms-msc"),
    ("intrathecal progressive pilot", "mssociety-described-intrathecal-pilot"),
    ("secondary progressive vision", "mscims"), ("mouse adipose", "constantin-adipose-msc-eae"),
    ("consensus 2010", "consensus-2010"), ("MS Australia", "ms-australia-ahsct-position"),
    ("MS Ireland", "ms-ireland-stem-cell-position"), ("ARSEP", "arsep-therapies-cellules-souches"),
    ("Swiss", "swiss-ms-society-ahsct"), ("National MS Society", "nmss-ahsct-recommendations-2021"),
    ("neural stem cells", "nsc"), ("unproven clinics", "unproven-clinics"),
    ("accredited", "msif-stem-cell-therapy-advice"),
]


@pytest.mark.parametrize("query,expected", SEED_ITEMS, ids=[item[0] for item in SEED_ITEMS])
def test_each_seed_item_is_findable_by_search(bundled, query, expected):
    hits = searching.search(bundled, query)["hits"]
    assert expected in [hit["id"] for hit in hits[:10]], [hit["id"] for hit in hits[:10]]


def test_a_seed_that_differs_from_the_registry_shows_both(bundled):
    streams = queries.trial_detail(bundled, queries.find(bundled, "trials", "streams"))
    counts = {entry["count"] for entry in streams["enrolment"]}
    assert len(counts) >= 2
    first = streams["enrolment"][0]
    assert queries.source_index(bundled)[first["source"]]["kind"] == "registry-record"


def test_compare_ahsct_and_msc_availability(bundled):
    rows = {row["id"]: row for row in comparing.compare(bundled, ["ahsct", "msc"])}
    assert rows["ahsct"]["availability"] == "standard-care-some-countries"
    assert rows["msc"]["availability"] == "trials-only"
    mesems = queries.find(bundled, "trials", "MESEMS")
    assert mesems["outcome"] == "not-met"
