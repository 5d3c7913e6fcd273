"""names.txt: every trial's names sorted, each with the byte ranges and glossary terms of the
trials it names, written from names laid out before the terms are known."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading.names import SortedNames, named_spans

_KEYS = st.text(alphabet="ab-1\u00e9", min_size=1, max_size=4).map(lambda key: key.encode("utf-8"))


def _grouped_lines(names: list[bytes], spans: list[bytes]) -> bytes:
    """The file as the plain reading of its format gives it: one line a key, in byte order, its
    trials' spans joined by commas in the order their names were given."""
    ordered = sorted(names, key=lambda entry: entry.partition(b"\t")[0])
    lines = []
    for key, group in itertools.groupby(ordered, key=lambda entry: entry.partition(b"\t")[0]):
        lines.append(key + b"\t" + b",".join(spans[int(entry.rpartition(b"\t")[2])] for entry in group) + b"\n")
    return b"".join(lines)


@st.composite
def _trials_names(draw: st.DrawFn) -> tuple[list[bytes], list[bytes]]:
    count = draw(st.integers(0, 12))
    names = [b"%s\t%d" % (key, position) for position in range(count)
             for key in draw(st.lists(_KEYS, max_size=4))]
    spans = [b"%d:%d:%s" % (position * 10, position * 10 + 7, b".".join(b"%d" % term for term in terms))
             for position, terms in enumerate(draw(st.lists(st.lists(st.integers(0, 40), max_size=3),
                                                            min_size=count, max_size=count)))]
    return names, spans


@settings(max_examples=300, deadline=None)
@given(_trials_names())
def test_names_txt_is_the_plain_grouping_of_every_name(tmp_path_factory, drawn):
    names, spans = drawn
    path = tmp_path_factory.mktemp("names") / "names.txt"
    expected = _grouped_lines(names, spans)
    SortedNames(list(names)).write(path, spans)
    assert path.read_bytes() == expected


def test_a_key_finds_every_trial_it_names_in_order(tmp_path):
    names = [b"nct01\t0", b"shared\t0", b"nct02\t1", b"shared\t1", b"shared\t1", b"acronym\t2"]
    spans = [b"0:10:", b"10:25:3.17", b"25:40:2"]
    path = tmp_path / "names.txt"
    SortedNames(names).write(path, spans)
    assert named_spans(path, "shared") == [(0, 10, []), (10, 25, [3, 17]), (10, 25, [3, 17])]
    assert named_spans(path, "acronym") == [(25, 40, [2])]
    assert named_spans(path, "absent") == []
    # laid out in place, so held once: what precedes each span in the file
    assert names == [b"\nacronym\t", b"\nnct01\t", b"\nnct02\t", b"\nshared\t", b",", b","]


def test_no_names_make_an_empty_file(tmp_path):
    SortedNames([]).write(tmp_path / "names.txt", [])
    assert (tmp_path / "names.txt").read_bytes() == b""
