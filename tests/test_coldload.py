"""The streamed first load (``coldload``): it writes the very folder the in-memory compile
writes, it finds a problem exactly when ``dataset.check`` does (and then reports check's
problems), and it never builds the whole dataset in memory."""

from __future__ import annotations

import copy
import filecmp
import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.errors import DatasetError
from mscli.loading import coldload, compiling, dataset, jsonlines, searchworker, store
from mscli.loading.store import DiskStore, MemoryStore, countries_in, entry_name
from mscli.model.records import COLLECTIONS
from tests.conftest import minimal

BUNDLED = dataset.load(use_cache=False)


@pytest.fixture(params=["one process", "worker", "worker checks every file"])
def compile_with(request, monkeypatch):
    """Each test that takes this runs three times: compiled in one process; with the search side
    in a worker process (``searchworker``) whatever the dataset's size, which also checks its
    share of the YAML files; and with a worker that checks every YAML file. The worker runs
    must have used one, and the last must have handed files over. Yields the list of the
    workers' exit codes."""
    codes: list[int | None] = []
    handed: list[str] = []
    if request.param != "one process":
        monkeypatch.setattr(coldload, "worth_a_worker", lambda size: True)
        close, hand_over = searchworker.RemoteSide.close, searchworker.RemoteSide.hand_over

        def closing(self: Any) -> None:
            close(self)
            codes.append(self._process.returncode)

        def handing_over(self: Any, file: dataset.DataFile) -> int:
            handed.append(file.name)
            return hand_over(self, file)

        monkeypatch.setattr(searchworker.RemoteSide, "close", closing)
        monkeypatch.setattr(searchworker.RemoteSide, "hand_over", handing_over)
    if request.param == "worker checks every file":
        monkeypatch.setattr(coldload, "_HANDED_SHARE", 1.0)
    yield codes
    assert bool(codes) == (request.param != "one process")
    if request.param == "worker checks every file":
        assert handed


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible splits of a dataset, not secrets


def _split(data: dict[str, Any], parts: int, rng: random.Random) -> list[dict[str, Any]]:
    """The records of ``data`` spread over ``parts`` files at random, each file's collections
    in a random order (so trials may come before the glossary or the sources they cite)."""
    files: list[dict[str, list[Any]]] = [{} for _ in range(parts)]
    for collection in COLLECTIONS:
        for record in data.get(collection, []):
            files[rng.randrange(parts)].setdefault(collection, []).append(record)
    files[rng.randrange(parts)]["dataset"] = data["dataset"]
    shaped = []
    for collections in files:
        names = list(collections)
        rng.shuffle(names)
        shaped.append({name: collections[name] for name in names})
    return shaped


def _write(folder: Path, parts: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, part in enumerate(parts):
        text = yaml.dump(part, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
        (folder / f"part-{index:02d}.yaml").write_text(text, encoding="utf-8")
    return folder


def _streamed(folder: Path, cache: Path) -> Any:
    """``open_store`` of ``folder`` with an empty cache ``cache``: what a first load answers from."""
    os.environ[dataset.ENV_CACHE] = str(cache)
    return dataset.open_store(str(folder))


def _compiled_in_memory(folder: Path, cache: Path) -> Path:
    """The folder the in-memory compile writes for the files of ``folder``."""
    files = dataset.read_files(folder)
    parsed, problems = dataset.check(files)
    assert not problems
    target = cache / entry_name(dataset.cache_key(files))
    compiling.compile_to(target, MemoryStore(parsed, countries_in(parsed)))
    return target


def _same_folders(one: Path, other: Path) -> None:
    names = sorted(os.listdir(one))
    assert names == sorted(os.listdir(other))
    assert names == sorted([store.META, *store.FILES])
    for name in names:
        assert filecmp.cmp(one / name, other / name, shallow=False), name


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_the_streamed_compile_writes_what_the_in_memory_compile_writes(compile_with, parts, seed):
    with tempfile.TemporaryDirectory() as work:
        folder = _write(Path(work, "data"), _split(BUNDLED, parts, _rng(seed)))
        opened = _streamed(folder, Path(work, "cache"))
        assert isinstance(opened, DiskStore)
        (built,) = [path for path in Path(work, "cache").iterdir() if store.is_entry(path)]
        _same_folders(built, _compiled_in_memory(folder, Path(work, "memory")))
        whole, _ = dataset.check(dataset.read_files(folder))
        assert opened.dataset() == whole


def _generated(count: int, seed: int) -> list[dict[str, Any]]:
    """Trials made from the bundled ones with new ids and registry numbers."""
    rng = _rng(seed)
    made = []
    for index in range(count):
        trial = copy.deepcopy(rng.choice(BUNDLED["trials"]))
        trial["id"] = f"generated-{index}"
        trial["aliases"] = [f"gen {index}"]
        trial["acronym"] = None
        trial["registrations"] = [{"id": f"NCT{90000000 + index:08d}", "note": None}]
        made.append(trial)
    return made


def test_many_trial_files_with_other_records_among_them(compile_with, tmp_path):
    data = copy.deepcopy(BUNDLED)
    data["trials"] = data["trials"] + _generated(600, 7)
    folder = _write(tmp_path / "data", _split(data, 12, _rng(3)))
    opened = _streamed(folder, tmp_path / "cache")
    assert isinstance(opened, DiskStore)
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    _same_folders(built, _compiled_in_memory(folder, tmp_path / "memory"))
    assert all(code == 0 for code in compile_with)


def _damaged(kind: str, parts: list[dict[str, Any]], rng: random.Random) -> None:
    """One kind of problem only the whole dataset shows, put into the split files."""
    def records(collection: str) -> list[dict[str, Any]]:
        return [record for part in parts for record in part.get(collection, [])]

    trials, sources = records("trials"), records("sources")
    match kind:
        case "duplicate id":
            rng.choice(trials)["id"] = rng.choice(sources)["id"]
        case "unknown source":
            rng.choice(trials)["sources"].append("no-such-source")
        case "unknown therapy":
            rng.choice(records("studies"))["therapy"] = "no-such-therapy"
        case "shared number":
            one = rng.choice([trial for trial in trials if trial["registrations"]])
            other = rng.choice([trial for trial in trials if trial is not one])
            other["registrations"] = [*other["registrations"], {"id": one["registrations"][0]["id"], "note": None}]
            other["registrations"].append({"id": "NCT99999998", "note": None})
            one["registrations"].append({"id": "NCT99999997", "note": None})
        case "evidence of another therapy":
            outcome = rng.choice(records("outcomes"))
            outcome["evidence"] = next(trial["id"] for trial in trials if trial["therapy"] != outcome["therapy"])
        case "no dataset section":
            for part in parts:
                part.pop("dataset", None)
        case "two dataset sections":
            parts[-1]["dataset"] = parts[0].get("dataset") or {"title": "t", "version": "1", "reviewed": "2026-01-01"}
            parts[0]["dataset"] = parts[-1]["dataset"]
        case "bad field":
            rng.choice(trials)["phase"] = "7"
        case "bad slug":
            rng.choice(trials)["id"] = "Not A Slug"


DAMAGE = ["duplicate id", "unknown source", "unknown therapy", "shared number", "evidence of another therapy",
          "no dataset section", "two dataset sections", "bad field", "bad slug"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(DAMAGE), parts=st.integers(2, 5), seed=st.integers(0, 2**32 - 1))
def test_a_problem_is_reported_exactly_as_check_reports_it(compile_with, kind, parts, seed):
    rng = _rng(seed)
    split = _split(copy.deepcopy(BUNDLED), parts, rng)
    _damaged(kind, split, rng)
    with tempfile.TemporaryDirectory() as work:
        folder = _write(Path(work, "data"), split)
        _, expected = dataset.check(dataset.read_files(folder))
        assert expected, kind
        with pytest.raises(DatasetError) as raised:
            _streamed(folder, Path(work, "cache"))
        assert raised.value.problems == expected
        assert not [path for path in Path(work, "cache").iterdir() if store.is_entry(path)]


def test_references_to_records_in_later_files_are_valid(write_dataset, private_cache):
    data = minimal()
    trials_first = {"trials": data.pop("trials")}
    write_dataset(trials_first, "a-trials.yaml")
    folder = write_dataset(data, "b-rest.yaml")
    opened = dataset.open_store(str(folder))
    assert isinstance(opened, DiskStore)
    assert opened.trials()[0]["id"] == "trial-one"


def test_a_first_load_never_builds_the_whole_dataset_in_memory(write_dataset, private_cache, monkeypatch):
    folder = _write(private_cache.parent / "split", _split(BUNDLED, 3, _rng(1)))

    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the first load built an in-memory dataset")

    monkeypatch.setattr(dataset, "check", refused)
    monkeypatch.setattr(dataset, "MemoryStore", refused)
    assert isinstance(dataset.open_store(str(folder)), DiskStore)


def test_the_progress_callback_is_given_every_byte_once(compile_with, write_dataset, private_cache):
    folder = _write(private_cache.parent / "split", _split(BUNDLED, 4, _rng(2)))
    totals: list[int] = []
    steps: list[int] = []

    def on_cold_load(total: int) -> Any:
        totals.append(total)
        return steps.append

    dataset.open_store(str(folder), on_cold_load=on_cold_load)
    assert totals == [sum(path.stat().st_size for path in folder.iterdir())]
    assert sum(steps) == totals[0] and all(step > 0 for step in steps) and len(steps) > 4


def test_an_unwritable_cache_answers_from_memory(write_dataset, private_cache, monkeypatch):
    folder = write_dataset(minimal())
    monkeypatch.setattr(coldload, "make_building", lambda folder: None)
    assert isinstance(dataset.open_store(str(folder)), MemoryStore)


def test_a_disk_full_midway_answers_from_memory_and_leaves_nothing(write_dataset, private_cache, monkeypatch):
    folder = write_dataset(minimal())

    def full(self: Any, *args: Any) -> Iterator[Any]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(compiling.Builder, "finish", full)
    assert dataset.load(str(folder))["trials"][0]["id"] == "trial-one"
    assert not list(private_cache.glob("*mscli-*"))


def test_a_file_changed_after_it_was_hashed_names_the_folder_it_was_built_from(write_dataset, private_cache,
                                                                               monkeypatch):
    data = minimal()
    folder = write_dataset(data)
    reads = []
    read = dataset._read_one

    def changing(path: Path, name: str) -> dataset.DataFile:
        reads.append(name)
        file = read(path, name)
        return file if len(reads) == 1 else file._replace(content=file.content.replace(b"phase: '2'", b"phase: '3'"))

    monkeypatch.setattr(dataset, "_read_one", changing)
    opened = dataset.open_store(str(folder))
    assert isinstance(opened, DiskStore) and opened.trials()[0]["phase"] == "3"
    changed = [changing(folder / "data.yaml", "data.yaml")]
    assert [path.name for path in private_cache.iterdir() if store.is_entry(path)] == [
        entry_name(dataset.cache_key(changed))]


def test_the_used_by_file_is_usedby_reverse_of_the_links(compile_with, tmp_path):
    from mscli.loading.links import links_of
    from mscli.loading.usedby import reverse

    folder = _write(tmp_path / "data", _split(BUNDLED, 5, _rng(11)))
    _streamed(folder, tmp_path / "cache")
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    whole, _ = dataset.check(dataset.read_files(folder))
    assert (built / store.USED_BY).read_bytes() == jsonlines.json_line(reverse(whole, links_of(whole)))


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_a_used_by_entry_spelt_out_is_json_line_of_the_pair(text: str) -> None:
    """usedby.json's entries are assembled from encoded parts; they must be json_line's bytes."""
    spelt = b"[" + jsonlines.json_line("trials") + b"," + compiling._json_text(text) + b"]"
    assert jsonlines.json_line(["trials", text]) == spelt
