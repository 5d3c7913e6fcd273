"""A listing in the default order, streamed from the store, is byte for byte the listing built
from every trial at once, and is written before the last trial is read."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.loading import dataset, store
from mscli.loading.store import DiskStore, MemoryStore, countries_in
from mscli.model.records import Design, MsType, Phase, Status
from mscli.output import jsontext
from mscli.queries import core as queries
from mscli.queries.core import SortKey
from mscli.queries.streaming import stream_trial_lines, stream_trials
from tests.conftest import minimal

TRIALS = 450  # with the bundled trials: several store batches and encoder batches below


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated") / "data"
    subprocess.run([sys.executable, str(Path(__file__).parents[1] / "benchmarks" / "generate.py"),
                    "--trials", str(TRIALS), "--out", str(folder)], check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def stores(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[DiskStore, MemoryStore]:
    os.environ["MSCLI_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    try:
        dataset.open_store(str(generated))
        compiled = dataset.open_store(str(generated))
    finally:
        del os.environ["MSCLI_CACHE_DIR"]
    assert isinstance(compiled, DiskStore)
    parsed = dataset.open_store(str(generated), use_cache=False)
    assert isinstance(parsed, MemoryStore)
    return compiled, parsed


def _filters(countries: list[str]) -> st.SearchStrategy[queries.TrialFilter]:
    return st.builds(
        queries.TrialFilter,
        therapies=st.lists(st.sampled_from(["ahsct", "msc", "msc-np", "nsc", "unclassified"]), max_size=2),
        phases=st.lists(st.sampled_from(list(Phase)), max_size=2),
        statuses=st.lists(st.sampled_from(list(Status)), max_size=2),
        ms_types=st.lists(st.sampled_from(list(MsType)), max_size=1),
        countries=st.lists(st.sampled_from(countries), max_size=1),
        designs=st.lists(st.sampled_from(list(Design)), max_size=1),
        since=st.none() | st.integers(1995, 2030),
        until=st.none() | st.integers(2000, 2035),
        today=st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)),
        include_undated=st.booleans(),
    )


def _small_batches() -> Any:
    """Store batches of 7 and encoder batches of 5 from 3 records on, so every edge is crossed."""
    return mock.patch.multiple(jsontext, FAST_FROM=3, BATCH=5), mock.patch.object(store, "ORDER_BATCH", 7)


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data(), limit=st.none() | st.integers(1, 40), small=st.booleans())
def test_a_streamed_listing_is_the_whole_listing_byte_for_byte(stores, data, limit, small):
    compiled, parsed = stores
    wanted = data.draw(_filters(countries_in(parsed.dataset())))
    try:
        whole = queries.select_trials(parsed, wanted)
    except queries.UsageError:
        return
    listed = queries.sort_trials(whole.trials, SortKey.START)[:limit]
    patches = _small_batches() if small else (contextlib.nullcontext(), contextlib.nullcontext())
    with patches[0], patches[1]:
        for source in (compiled, parsed):
            for encode, reference in ((jsontext.json_chunks, jsontext.json_chunks(listed)),
                                      (jsontext.json_lines, jsontext.json_lines(listed))):
                streamed = stream_trials(source, wanted)
                written = b"".join(encode(itertools.islice(streamed.trials, limit)))
                streamed.finish()
                assert written == b"".join(reference)
                assert streamed.undated_left_out == whole.undated_left_out
            lines = stream_trial_lines(source, wanted)
            assert (lines is None) == bool(wanted.ms_types or wanted.countries or wanted.designs)
            for encode, reference in ((jsontext.escaped_lines, jsontext.json_lines(listed)),
                                      (jsontext.indented_lines, jsontext.json_chunks(listed))):
                lines = stream_trial_lines(source, wanted)
                if lines is not None:
                    written = b"".join(encode(itertools.islice(lines.trials, limit)))
                    lines.finish()
                    assert written == b"".join(reference)
                    assert lines.undated_left_out == whole.undated_left_out


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("options", [[], ["--therapy", "msc,ahsct"], ["--since", "2012", "--until", "2016"],
                                     ["--phase", "2", "--design", "randomised", "--limit", "9"],
                                     ["--country", "Italy", "--since", "2020", "--include-undated"]])
@pytest.mark.parametrize("fmt", [["--json"], ["--format", "jsonl"], ["--json", "--fields", "id,start_year"]])
def test_every_sort_and_filter_writes_what_the_whole_list_writes(run, generated, sort, options, fmt):
    """--query @ takes the whole list (the path every listing took before streaming)."""
    command = ["trials", "--data", str(generated), "--sort", str(sort), *fmt, *options]
    streamed, whole = run(*command), run(*command, "--query", "@")
    assert streamed.exit_code == whole.exit_code == 0
    assert (streamed.stdout, streamed.stderr) == (whole.stdout, whole.stderr)
    assert streamed.stdout.strip() not in ("", "[]")


class _Failing(MemoryStore):
    """A store whose ordered trials run out in an error after ``after`` of them."""

    def __init__(self, parsed: MemoryStore, after: int) -> None:
        super().__init__(parsed.dataset(), parsed.countries)
        self.after, self.read = after, 0

    def trials_in_order(self, keep: Any = None) -> Iterator[Any]:
        for trial in super().trials_in_order(keep):
            if self.read == self.after:
                raise RuntimeError("read past the batches already written")
            self.read += 1
            yield trial


@pytest.mark.parametrize("encode", [jsontext.json_chunks, jsontext.json_lines])
def test_the_first_batches_are_written_before_the_last_trial_is_read(stores, encode):
    _, parsed = stores
    failing = _Failing(parsed, after=250)
    assert len(parsed.trials()) > failing.after
    written = []
    with mock.patch.object(jsontext, "BATCH", 100):
        with pytest.raises(RuntimeError):
            for piece in encode(stream_trials(failing, queries.TrialFilter()).trials):
                written.append(piece)
        whole = list(encode(queries.sort_trials(parsed.trials(), SortKey.START)))
    opening = 1 if encode is jsontext.json_chunks else 0  # JSON's "[" comes on its own
    assert written == whole[:opening + 2]  # two batches out before the failing read
    assert failing.read == 250


def _damaged_copy(compiled: DiskStore, parsed: MemoryStore, folder: Path, damage: Any) -> DiskStore:
    """The compiled folder copied, one line in the middle of trials.jsonl changed (same size)."""
    folder.mkdir()
    for path in compiled._folder.iterdir():
        folder.joinpath(path.name).write_bytes(path.read_bytes())
    lines = folder.joinpath(store.TRIALS).read_bytes().split(b"\n")
    middle = len(lines) // 2
    lines[middle], before = damage(lines[middle]), lines[middle]
    assert lines[middle] != before and len(lines[middle]) == len(before)
    folder.joinpath(store.TRIALS).write_bytes(b"\n".join(lines))
    return DiskStore(folder, lambda: parsed)


@pytest.mark.parametrize(("damage", "parses"), [
    (lambda line: b"{" + b" " * (len(line) - 1), False),  # not JSON: parsing finds it
    (lambda line: line.replace(b'"start_year":2', b'"start_year":1', 1), True)])  # only the CRC-32 finds it
def test_a_line_damaged_midway_is_answered_from_the_yaml_without_repeats(stores, tmp_path, damage, parses):
    compiled, parsed = stores
    damaged = _damaged_copy(compiled, parsed, tmp_path / compiled._folder.name, damage)
    expected = queries.sort_trials(parsed.trials(), SortKey.START)
    with mock.patch.object(store, "ORDER_BATCH", 11):
        lines = list(damaged.trial_lines_in_order())
        if not parses:
            assert list(damaged.trials_in_order()) == expected
    assert [line for _, line in lines] == [store.json_line(trial) + b"\n" for trial in expected]
    assert [row["start_year"] for row, _ in lines] == [trial["start_year"] for trial in expected]


def test_characters_a_terminal_would_act_on_are_escaped_in_lines_written_unparsed(write_dataset, run):
    data = minimal()
    data["trials"][0]["title"] = "Bidi \u202e and line \u2028 separators, C1 \x85 and DEL \x7f"
    folder = write_dataset(data)
    for _ in range(2):  # parsed from the YAML, then from the compiled store
        listed, whole = (run("trials", "--data", str(folder), "--format", "jsonl", *query)
                         for query in ([], ["--query", "@"]))
        assert listed.exit_code == whole.exit_code == 0
        assert listed.stdout == whole.stdout
        assert "\\u202e" in listed.stdout and "\\u2028" in listed.stdout and "\u202e" not in listed.stdout


def test_every_trial_as_json_is_the_yamls_and_re_indented_from_the_stored_lines(run, generated):
    """``trials --json`` from the compiled store takes orjson's re-indented lines, batch by batch,
    and writes what json writes of the YAML's trials parsed afresh (``--no-cache``; ``--query @``
    takes the whole list, encoded as records)."""
    command = ["trials", "--data", str(generated), "--json"]
    assert run(*command).exit_code == 0  # the compiled store is built
    with mock.patch.object(jsontext, "BATCH", 100), \
            mock.patch.object(jsontext, "_reindented", wraps=jsontext._reindented) as reindented:
        listed = run(*command)
    fresh = run(*command, "--no-cache", "--query", "@")
    assert listed.exit_code == fresh.exit_code == 0
    assert listed.stdout == fresh.stdout
    assert reindented.call_count == -(-len(json.loads(listed.stdout)) // 100)
