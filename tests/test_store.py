"""The compiled store answers exactly as a scan of the whole dataset does, and is never stale."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.loading import dataset, links
from mscli.loading import store as store_module
from mscli.loading.jsonlines import json_line
from mscli.loading.metafile import meta_bytes, read_meta
from mscli.loading.store import DiskStore, MemoryStore, countries_in
from mscli.model import kinds, wordforms
from mscli.model.kinds import KINDS, names_of
from mscli.model.records import INDEXED_TRIAL_FIELDS, Design, MsType, Phase, Status
from mscli.queries import core as queries
from mscli.queries import search as searching
from tests.conftest import minimal

BUNDLED = dataset.load(use_cache=False)
WORDS = sorted({word for trial in BUNDLED["trials"]
                for word in wordforms.words(" ".join(kinds.search_texts("trials", trial)))})[::7][:400]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> DiskStore:
    cache = tmp_path_factory.mktemp("compiled")
    os.environ["MSCLI_CACHE_DIR"] = str(cache)
    try:
        dataset.open_store(None)
        store = dataset.open_store(None)
    finally:
        del os.environ["MSCLI_CACHE_DIR"]
    assert isinstance(store, DiskStore)
    return store


filters = st.builds(
    queries.TrialFilter,
    therapies=st.lists(st.sampled_from([t["id"] for t in BUNDLED["therapies"]]), max_size=2),
    phases=st.lists(st.sampled_from(list(Phase)), max_size=2),
    statuses=st.lists(st.sampled_from(list(Status)), max_size=2),
    ms_types=st.lists(st.sampled_from(list(MsType)), max_size=1),
    countries=st.lists(st.sampled_from(countries_in(BUNDLED)), max_size=1),
    designs=st.lists(st.sampled_from(list(Design)), max_size=1),
    since=st.none() | st.integers(1995, 2030),
    until=st.none() | st.integers(2000, 2035),
    today=st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)),
    include_undated=st.booleans(),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(wanted=filters)
def test_index_narrowed_trials_are_exactly_the_full_scan(compiled, wanted):
    try:
        expected = queries.filter_trials(BUNDLED, wanted)
    except queries.UsageError:
        with pytest.raises(queries.UsageError):
            queries.select_trials(compiled, wanted)
        return
    narrowed = queries.select_trials(compiled, wanted)
    assert (narrowed.trials, narrowed.undated_left_out) == (expected.trials, expected.undated_left_out)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(words=st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=4), min_size=1, max_size=3))
def test_search_over_the_store_is_the_full_search(compiled, words):
    text = " ".join(words)
    try:
        expected = searching.search(BUNDLED, text, limit=None)
    except queries.UsageError:
        return
    assert searching.search_store(compiled, text, limit=None) == expected
    assert searching.search_store(compiled, text, limit=3) == searching.search(BUNDLED, text, limit=3)
    assert (searching.search_store(compiled, text, limit=None, types=["trials", "glossary"])
            == searching.search(BUNDLED, text, limit=None, types=["trials", "glossary"]))


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(word=st.sampled_from(WORDS))
def test_the_index_finds_exactly_the_records_a_scan_of_every_field_finds(compiled, word):
    """One word: the hits are the records with a field holding a word of the same stem, none missed."""
    if word in wordforms.STOPWORDS:
        return
    wanted = wordforms.stem(word)
    scanned = {(KINDS[collection].word, record["id"]) for collection in KINDS
               for record in BUNDLED[collection]  # type: ignore[literal-required]
               if any(wanted in wordforms.terms(text) for text in kinds.search_texts(collection, record))}
    found = searching.search_store(compiled, word, limit=None)
    assert {(hit["type"], hit["id"]) for hit in found["hits"]} == scanned
    assert found["total"] == len(scanned)


TRIAL_NAMES = sorted({name for trial in BUNDLED["trials"] for name in names_of("trials", trial)})


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(name=st.sampled_from(TRIAL_NAMES) | st.text(max_size=12),
       spelling=st.sampled_from([str, str.upper, lambda text: f"  {text} "]))
def test_name_index_finds_what_the_full_scan_finds(compiled, name, spelling):
    query = spelling(name)
    try:
        expected = queries.find(BUNDLED, "trials", query)
    except queries.NotFoundError:
        with pytest.raises(queries.NotFoundError):
            queries.find(queries.dataset_for_trials(compiled, [query]), "trials", query)
        return
    narrowed = queries.dataset_for_trials(compiled, [query])
    assert len(narrowed["trials"]) < len(BUNDLED["trials"])
    assert queries.find(narrowed, "trials", query) == expected
    assert queries.trial_detail(narrowed, expected) == queries.trial_detail(BUNDLED, expected)
    assert queries.trial_detail(narrowed, expected, compiled.links) == queries.trial_detail(BUNDLED, expected)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(names=st.lists(st.sampled_from(TRIAL_NAMES), min_size=1, max_size=4) | st.lists(
    st.sampled_from(TRIAL_NAMES) | st.text(max_size=12), min_size=1, max_size=3))
def test_several_names_find_in_the_narrowed_dataset_what_they_find_in_all(compiled, names):
    """``registry check ID...``: each query finds what it finds among every trial."""
    narrowed = queries.dataset_for_trials(compiled, names)
    for query in names:
        try:
            expected = queries.find(BUNDLED, "trials", query)
        except queries.NotFoundError:
            assert len(narrowed["trials"]) == len(BUNDLED["trials"])
            continue
        assert queries.find(narrowed, "trials", query) == expected
    assert {**narrowed, "trials": []} == {**BUNDLED, "trials": []}


def test_name_index_holds_every_name_of_every_trial(compiled):
    for position, trial in enumerate(BUNDLED["trials"]):
        for name in names_of("trials", trial):
            assert trial in (compiled.trials_named(queries.normalise_key(name)) or []), (position, name)


def test_memory_and_disk_stores_hold_the_same_dataset(compiled):
    fresh = dataset.open_store(None, use_cache=False)
    assert isinstance(fresh, MemoryStore)
    assert compiled.dataset() == fresh.dataset() == BUNDLED
    assert compiled.countries == fresh.countries


def test_a_remembered_key_is_used_only_while_files_are_unchanged(write_dataset, private_cache, monkeypatch):
    data = minimal()
    folder = write_dataset(data)
    later = dataset.time.time_ns() + 10_000_000_000
    monkeypatch.setattr(dataset.time, "time_ns", lambda: later)
    assert dataset.load(str(folder))["trials"][0]["phase"] == "2"
    assert list((private_cache / "paths").iterdir()), "files older than the check are remembered"
    data["trials"][0]["phase"] = "3"
    write_dataset(data)
    assert dataset.load(str(folder))["trials"][0]["phase"] == "3"


def test_files_changed_just_before_the_check_are_not_remembered(write_dataset, private_cache):
    folder = write_dataset(minimal())
    dataset.load(str(folder))
    assert not (private_cache / "paths").exists()


def test_a_remembered_key_for_other_files_is_ignored(write_dataset, private_cache, monkeypatch):
    data = minimal()
    folder = write_dataset(data)
    later = dataset.time.time_ns() + 10_000_000_000
    monkeypatch.setattr(dataset.time, "time_ns", lambda: later)
    dataset.load(str(folder))
    (remembered,) = (private_cache / "paths").iterdir()
    data["trials"][0]["phase"] = "3"
    write_dataset(data)
    text = remembered.read_text()
    dataset.load(str(folder))
    assert remembered.read_text() != text
    assert dataset.load(str(folder))["trials"][0]["phase"] == "3"


def test_store_folder_holds_only_finished_files(private_cache):
    dataset.open_store(None)
    (entry,) = [path for path in private_cache.iterdir() if path.name.startswith("mscli-")]
    assert sorted(path.name for path in entry.iterdir()) == ["index.json", "meta.bin", "names.txt",
                                                           "postings.bin", "spans.bin", "terms.txt", "texts.bin",
                                                           "trials.jsonl", "usedby.json"]
    assert not [path for path in private_cache.iterdir() if path.name.startswith(".")]


def test_line_breaks_in_text_do_not_shift_the_search_index(write_dataset, private_cache, run):
    data = minimal()
    data["trials"][0]["title"] = "First line\rsecond\u2028third\nfourth marker"
    folder: Path = write_dataset(data)
    first = run("search", "marker", "--json", "--data", str(folder)).json()
    again = run("search", "marker", "--json", "--data", str(folder)).json()
    assert first == again
    assert [hit["id"] for hit in again if hit["type"] == "trial"] == [data["trials"][0]["id"]]


def test_a_remembered_key_spares_reading_the_files(write_dataset, private_cache, monkeypatch):
    folder = write_dataset(minimal())
    later = dataset.time.time_ns() + 10_000_000_000
    monkeypatch.setattr(dataset.time, "time_ns", lambda: later)
    expected = dataset.load(str(folder))

    def unreadable(*args, **kwargs):
        raise AssertionError("the YAML was read although its key was remembered")

    monkeypatch.setattr(dataset, "_read_one", unreadable)
    assert dataset.load(str(folder)) == expected


def test_a_key_remembered_by_another_cache_format_is_ignored(write_dataset, private_cache, monkeypatch):
    folder = write_dataset(minimal())
    later = dataset.time.time_ns() + 10_000_000_000
    monkeypatch.setattr(dataset.time, "time_ns", lambda: later)
    dataset.load(str(folder))
    monkeypatch.setattr(dataset, "_KEY_FORMAT", "mscli 0.0.0 cache 0")
    read = []
    original = dataset._read_one
    monkeypatch.setattr(dataset, "_read_one", lambda *args: read.append(args) or original(*args))
    dataset.load(str(folder))
    assert read, "a key from another format must not be trusted"


def test_stored_glossary_links_are_the_links_the_text_gives(compiled):
    """Every record's kept terms are what testing every glossary name's regex finds."""
    for collection in links.LINKED:
        for record in BUNDLED[collection]:
            if collection == "trials":
                assert compiled.trials_named(queries.normalise_key(record["id"]))
            text = links.record_text(record)
            expected = [term["id"] for term in BUNDLED["glossary"]
                        if term["id"] != record["id"] and links.uses(term, text)]
            assert compiled.links is not None
            assert compiled.links[record["id"]] == expected, (collection, record["id"])


def test_a_glossary_position_outside_the_glossary_is_a_miss_not_a_wrong_term(compiled, tmp_path):
    import shutil

    copy = tmp_path / compiled._folder.name
    shutil.copytree(compiled._folder, copy)
    names = (copy / "names.txt").read_bytes()
    damaged = re.sub(rb"\.\d\d\.", b".99.", names, count=1)  # the same size: only the check can tell
    assert damaged != names and len(compiled.meta["glossary"]) < 99
    (copy / "names.txt").write_bytes(damaged)
    store = DiskStore(copy, lambda: dataset.open_store(None, use_cache=False))
    key = next(line for line in damaged.splitlines() if b".99." in line).split(b"\t")[0].decode()
    assert store.trials_named(key) is None


def _tweak(key: str, change: Any) -> Callable[[dict[str, Any]], None]:
    def tweak(index: dict[str, Any]) -> None:
        index[key] = change(list(index[key]))
    return tweak


@pytest.mark.parametrize("at", [0, 3, 4, 5, 1000, -1])
def test_a_damaged_meta_file_is_a_miss(compiled, tmp_path, at):
    """Any changed byte of meta.bin fails its CRC: marshal never reads bytes mscli did not write."""
    import shutil

    copy = tmp_path / compiled._folder.name
    shutil.copytree(compiled._folder, copy)
    data = bytearray((copy / "meta.bin").read_bytes())
    data[at] ^= 0x10
    (copy / "meta.bin").write_bytes(bytes(data))
    assert read_meta(compiled._folder / "meta.bin")["trials"] == len(BUNDLED["trials"])
    with pytest.raises(ValueError):
        read_meta(copy / "meta.bin")
    assert store_module.open_compiled(copy, lambda: compiled) is None


def test_meta_bytes_keep_json_values_exactly(tmp_path):
    """What marshal gives back is what json would have: the same values, types and key order."""
    import json

    payload = {"b": [1, 2.5, True, None, "é\ud800", {"z": 1, "a": -0.0}], "a": 10**30}
    (tmp_path / "meta.bin").write_bytes(meta_bytes(payload))
    back = read_meta(tmp_path / "meta.bin")
    assert json.dumps(back) == json.dumps(payload) and back["b"][2] is True


@pytest.mark.parametrize("damage", [
    _tweak("offsets", lambda offsets: [*offsets[:3], float(offsets[3]), *offsets[4:]]),
    _tweak("offsets", lambda offsets: [*offsets[:2], offsets[3], offsets[2], *offsets[4:]]),
    _tweak("kind_of", lambda kinds: [True, *kinds[1:]]),
    _tweak("kind_of", lambda kinds: [-1, *kinds[1:]]),
    _tweak("kind_of", lambda kinds: [max(kinds) + 1, *kinds[1:]]),
    _tweak("order", lambda order: [float(order[0]), *order[1:]]),
    _tweak("order", lambda order: [order[1], *order[1:]]),
])
def test_a_damaged_index_is_a_miss_answered_from_the_yaml(compiled, tmp_path, damage):
    import json
    import shutil

    copy = tmp_path / compiled._folder.name
    shutil.copytree(compiled._folder, copy)
    index = json.loads((copy / "index.json").read_bytes())
    damage(index)
    (copy / "index.json").write_bytes(text := json.dumps(index, separators=(",", ":")).encode())
    meta = read_meta(copy / "meta.bin")
    meta["sizes"]["index.json"] = len(text)  # so only the index's own checks can tell
    (copy / "meta.bin").write_bytes(meta_bytes(meta))
    yaml = dataset.open_store(None, use_cache=False)
    store = DiskStore(copy, lambda: yaml)
    ordered = queries.sort_trials(BUNDLED["trials"], queries.SortKey.START)
    assert list(store.trials_in_order()) == ordered
    lines = list(store.trial_lines_in_order())
    assert [line for _, line in lines] == [json_line(trial) + b"\n" for trial in ordered]
    assert [[row[name] for name in INDEXED_TRIAL_FIELDS] for row, _ in lines] == [
        [trial[name] for name in INDEXED_TRIAL_FIELDS] for trial in ordered]  # type: ignore[literal-required]
    msc = [trial for trial in store.trials(lambda row: row["therapy"] == "msc") if trial["therapy"] == "msc"]
    assert msc == [trial for trial in BUNDLED["trials"] if trial["therapy"] == "msc"]  # a superset may come back
