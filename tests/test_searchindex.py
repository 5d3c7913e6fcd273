"""The word index written to disk reads back as the one built in memory, term by term, for
stems held by one record (packed as one pair) and by many, across more stems than one batch
of the writer holds."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading.searchindex import DiskIndex, IndexBuilder

_WORDS = ["safety", "lesions", "relapses", "marrow", "placebo", "\u00e9tude", "MS", "2019"]


def _written(builder: IndexBuilder, records: int) -> DiskIndex:
    folder = Path(tempfile.mkdtemp())
    builder.write(folder)
    return DiskIndex(folder, [("trials", records)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="abcé1 -", max_size=12), min_size=1, max_size=3), max_size=30))
def test_every_stem_reads_back_with_its_records_and_fields(records):
    builder = IndexBuilder()
    for texts in records:
        builder.add("trials", texts)
    disk = _written(builder, len(records))
    for term in list(builder._table):
        numbers, masks = disk.postings(term)
        expected_numbers, expected_masks = builder.postings(term)
        assert (list(numbers), list(masks)) == (list(expected_numbers), list(expected_masks))
    assert disk.postings("absent-stem") == (builder.postings("absent-stem"))


def test_a_large_index_crosses_the_writers_batches_in_order():
    rng, builder, count = random.Random(5), IndexBuilder(), 12_000  # noqa: S311 - test data, not secrets
    for number in range(count):
        builder.add("trials", [f"trial-{number} nct{90000000 + number}", " ".join(rng.choices(_WORDS, k=6))])
    disk = _written(builder, count)
    assert len(builder._table) > 2 * 4096
    for term in [*rng.sample(sorted(builder._table), 400), "safeti", "lesion", "2019"]:
        assert tuple(map(list, disk.postings(term))) == tuple(map(list, builder.postings(term))), term
