"""The search side of a compile in a worker process (``searchworker``): a worker that cannot
start, stops midway or says the wrong thing costs nothing but time (the load compiles again in
one process, to the same folder), and an abandoned compile leaves no worker behind.
(That a worker writes the very files one process writes is held in test_coldload.)"""

from __future__ import annotations

import copy
import marshal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.errors import DatasetError
from mscli.loading import coldload, dataset, searchside, searchworker, store
from mscli.loading.store import DiskStore
from tests.test_coldload import BUNDLED, _compiled_in_memory, _rng, _same_folders, _split, _streamed, _write


@pytest.fixture
def workers(monkeypatch):
    """Every first load uses a worker; yields the RemoteSides made, to look at afterwards."""
    made: list[searchworker.RemoteSide] = []
    start = searchworker.RemoteSide.__init__

    def starting(self: Any, building: Path) -> None:
        made.append(self)
        start(self, building)

    monkeypatch.setattr(coldload, "worth_a_worker", lambda size: True)
    monkeypatch.setattr(searchworker.RemoteSide, "__init__", starting)
    return made


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


WORKERS_THAT_FAIL = {
    "cannot start": ["/no/such/python"],
    "stops at once": _python("import sys; sys.exit(3)"),
    "stops midway": _python("import sys; sys.stdin.buffer.read(5000); sys.exit(1)"),
    "reads all, says nothing": _python("import sys; sys.stdin.buffer.read()"),
    "crashes": _python("import sys; sys.stdin.buffer.read(100); raise SystemExit('worker bug')"),
}


@pytest.mark.parametrize("failure", sorted(WORKERS_THAT_FAIL))
def test_a_failed_worker_costs_only_time(failure, workers, monkeypatch, tmp_path):
    monkeypatch.setattr(searchworker, "worker_command", lambda building: WORKERS_THAT_FAIL[failure])
    monkeypatch.setattr(searchworker, "ANSWER_WITHIN", 1.0)  # "says nothing" is taken for hung after it
    folder = _write(tmp_path / "data", _split(BUNDLED, 4, _rng(5)))
    opened = _streamed(folder, tmp_path / "cache")
    assert isinstance(opened, DiskStore)
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    _same_folders(built, _compiled_in_memory(folder, tmp_path / "memory"))
    assert len(workers) == 1  # then once in one process, not again with a worker
    assert all(side._process.returncode is not None for side in workers if hasattr(side, "_process"))
    assert not [path for path in (tmp_path / "cache").iterdir() if path.name.endswith(".tmp")]


def test_small_files_handed_over_are_answered_at_once(workers, monkeypatch, tmp_path):
    """A frame smaller than the pipe's write buffer must reach the worker before its answer is
    awaited: left in the buffer, the worker never saw the file and the load stalled until the
    time limit (then compiled again in one process)."""
    monkeypatch.setattr(coldload, "_HANDED_SHARE", 1.0)
    monkeypatch.setattr(searchworker, "ANSWER_WITHIN", 5.0)
    lost = searchworker.RemoteSide._lost
    monkeypatch.setattr(searchworker.RemoteSide, "_lost", lambda self, said: pytest.fail(str(lost(self, said))))
    folder = _write(tmp_path / "data", _split(BUNDLED, 1, _rng(12)))
    for name in "abcd":  # handed a few ahead, after the last large frame
        (folder / f"zz-{name}.yaml").write_text("# no records\nsources: []\n", encoding="utf-8")
    assert isinstance(_streamed(folder, tmp_path / "cache"), DiskStore)
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    _same_folders(built, _compiled_in_memory(folder, tmp_path / "memory"))
    assert len(workers) == 1 and workers[0]._handed == 5


def test_a_failed_worker_gives_a_second_progress_bar_that_also_gets_every_byte(workers, monkeypatch, tmp_path):
    monkeypatch.setattr(searchworker, "worker_command", lambda building: WORKERS_THAT_FAIL["stops midway"])
    folder = _write(tmp_path / "data", _split(BUNDLED, 4, _rng(6)))
    bars: list[list[int]] = []

    def on_cold_load(total: int) -> Any:
        bars.append([])
        return bars[-1].append

    monkeypatch.setenv(dataset.ENV_CACHE, str(tmp_path / "cache"))
    dataset.open_store(str(folder), on_cold_load=on_cold_load)
    total = sum(path.stat().st_size for path in folder.iterdir())
    assert len(bars) == 2 and sum(bars[0]) == total and sum(bars[1]) == total


def test_an_invalid_dataset_stops_the_worker(workers, tmp_path):
    data = copy.deepcopy(BUNDLED)
    data["trials"][-1]["phase"] = "7"
    folder = _write(tmp_path / "data", _split(data, 3, _rng(8)))
    with pytest.raises(DatasetError):
        _streamed(folder, tmp_path / "cache")
    assert workers and all(side._process.returncode is not None for side in workers)
    assert not list((tmp_path / "cache").iterdir()) or not [
        path for path in (tmp_path / "cache").iterdir() if store.is_entry(path) or path.name.endswith(".tmp")]


@pytest.mark.parametrize("cut", ["in a payload", "in a header"])
def test_a_worker_whose_input_ends_early_gives_up_and_never_says_done(cut, tmp_path):
    header = searchworker._HEADER.pack(searchworker._LINES, 100)
    sent = header + b"{}" if cut == "in a payload" else header[:3]
    finished = subprocess.run(searchworker.worker_command(tmp_path), input=sent, capture_output=True,
                              check=False)
    assert finished.returncode == 1 and finished.stdout == b"" and finished.stderr == b""


def test_a_worker_imports_the_mscli_this_process_imported(tmp_path):
    command = searchworker.worker_command(tmp_path)
    assert command[:2] == [sys.executable, "-I"]
    check = command[3].replace("from mscli.loading.searchworker import serve; sys.exit(serve(sys.argv[2]))",
                               "import mscli.loading.searchworker as side; print(side.__file__)")
    found = subprocess.run([*command[:3], check, *command[4:]], capture_output=True, text=True, check=True)
    assert Path(found.stdout.strip()).resolve() == Path(searchworker.__file__).resolve()


def test_small_loads_are_compiled_in_one_process():
    assert not searchside.worth_a_worker(searchside.WORKER_FROM - 1)


def test_trials_marshal_refuses_go_as_json_lines_to_the_same_folder(workers, monkeypatch, tmp_path):
    def refusing(value: Any, *args: Any) -> bytes:
        raise ValueError("unmarshallable object")

    monkeypatch.setattr(searchworker, "marshal", SimpleNamespace(dumps=refusing, loads=marshal.loads))
    sent: list[bytes] = []
    send = searchworker.RemoteSide._send
    monkeypatch.setattr(searchworker.RemoteSide, "_send", lambda self, kind, payload: (sent.append(kind),
                                                                                      send(self, kind, payload)))
    folder = _write(tmp_path / "data", _split(BUNDLED, 3, _rng(9)))
    assert isinstance(_streamed(folder, tmp_path / "cache"), DiskStore)
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    _same_folders(built, _compiled_in_memory(folder, tmp_path / "memory"))
    assert searchworker._LINES in sent and searchworker._TRIALS not in sent
    assert all(side._process.returncode == 0 for side in workers)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.integers(2, 6), seed=st.integers(0, 2**32 - 1))
def test_trials_linked_here_when_the_worker_is_behind_give_the_same_folder(workers, monkeypatch, parts, seed):
    """Whichever sends found the worker behind (drawn at random: a send of trials is held back a
    little longer than ``_BEHIND_SECONDS`` or not), the trials linked in this process and those
    the worker linked, linked again when the glossary grew after them, make the in-memory
    compile's files."""
    rng, send = _rng(seed), searchworker.RemoteSide._send

    def sending(self: Any, kind: bytes, payload: bytes) -> None:
        if kind in (searchworker._TRIALS, searchworker._LINES) and rng.random() < 0.5:
            time.sleep(2 * searchworker._BEHIND_SECONDS)
        send(self, kind, payload)

    monkeypatch.setattr(searchworker.RemoteSide, "_send", sending)
    with tempfile.TemporaryDirectory() as work:
        folder = _write(Path(work, "data"), _split(BUNDLED, parts, _rng(seed)))
        assert isinstance(_streamed(folder, Path(work, "cache")), DiskStore)
        (built,) = [path for path in Path(work, "cache").iterdir() if store.is_entry(path)]
        _same_folders(built, _compiled_in_memory(folder, Path(work, "memory")))
    assert all(side._process.returncode == 0 for side in workers)


def test_a_worker_always_behind_has_every_trial_after_the_first_batch_linked_here(workers, monkeypatch, tmp_path):
    monkeypatch.setattr(searchworker, "_BEHIND_SECONDS", -1.0)
    folder = _write(tmp_path / "data", _split(BUNDLED, 4, _rng(11)))
    assert isinstance(_streamed(folder, tmp_path / "cache"), DiskStore)
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    _same_folders(built, _compiled_in_memory(folder, tmp_path / "memory"))
    (side,) = workers
    assert 0 < len(side._linked_here) < side._sent


def test_a_file_the_worker_cannot_send_back_is_checked_here_to_the_same_folder(workers, monkeypatch, tmp_path):
    """A worker's answer marshal refused (``NOT_CHECKED``) means this process checks the file
    itself and sends its trials as for any file it checked."""
    monkeypatch.setattr(coldload, "_HANDED_SHARE", 1.0)
    answered = searchworker.RemoteSide.handed_back
    refused: list[int] = []

    def refusing(self: Any, ticket: int) -> Any:
        answered(self, ticket)
        refused.append(ticket)
        return searchworker.NOT_CHECKED

    monkeypatch.setattr(searchworker.RemoteSide, "handed_back", refusing)
    folder = _write(tmp_path / "data", _split(BUNDLED, 3, _rng(10)))
    assert isinstance(_streamed(folder, tmp_path / "cache"), DiskStore)
    (built,) = [path for path in (tmp_path / "cache").iterdir() if store.is_entry(path)]
    _same_folders(built, _compiled_in_memory(folder, tmp_path / "memory"))
    assert len(refused) == 3


def test_the_worker_answers_nothing_for_values_marshal_refuses(monkeypatch):
    monkeypatch.setattr(searchworker, "valid_records", lambda file: {"trials": [(object(), 1)]})
    kept: dict[int, list[Any]] = {}
    assert searchworker._checked_answer(dataset.DataFile("a.yaml", b""), 0, kept) == b""
    assert kept == {}


def test_the_worker_keeps_the_trials_of_a_file_it_checked_and_answers_none_for_a_bad_one(tmp_path):
    folder = _write(tmp_path / "data", [{"trials": BUNDLED["trials"][:5]}])
    (part,) = dataset.read_files(folder)
    kept: dict[int, list[Any]] = {}
    answer = marshal.loads(searchworker._checked_answer(part, 3, kept))  # noqa: S302 - written by the function under test
    assert [record for record, _ in answer["trials"]] == kept[3] == BUNDLED["trials"][:5]
    bad = dataset.DataFile("b.yaml", b"trials:\n  - id: x\n")
    assert marshal.loads(searchworker._checked_answer(bad, 4, kept)) is None and 4 not in kept  # noqa: S302


def test_a_worker_runs_with_the_cyclic_collector_off(tmp_path):
    command = searchworker.worker_command(tmp_path)
    check = command[3].replace("sys.exit(serve(sys.argv[2]))", "serve(sys.argv[2]); print(gc.isenabled())")
    found = subprocess.run([*command[:3], check, *command[4:]], input=b"", capture_output=True, check=True)
    assert found.stdout == b"False\n"
