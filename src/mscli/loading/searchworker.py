"""The search side of a large first load in a worker process beside it, on a second core.

A first load of 100,000 trials spends nearly half of its time on the search side
(``searchside``), and none of it decides whether the dataset is valid. So on a machine with a
second core, a large first load hands each file's trials to a worker process through a pipe
(``RemoteSide``) and goes on to parse and check the next file; the two write different files
of the same building folder, and the worker sends the links back at the end.

The worker is a plain child process running ``serve`` (``python -I -c``), not
``multiprocessing``: its spawn re-runs the main module of any script that imports mscli, and
a fork beside the progress bar's thread is unsafe. The trials go in marshal's form, which
holds exactly the built-in values the compile has (a value marshal refuses goes as a JSON
line, parsed back as trials.jsonl is read), so the worker's files are the same bytes as
``SearchSide``'s in the compiling process (the tests hold them to it). If the worker cannot
start or is lost midway, ``WorkerLost`` says so and the caller compiles again in one process.

Parsing YAML is the first process's largest cost (libyaml's events become Python objects one
by one), so the worker also parses and checks some YAML files for it (``hand_over``), ahead of
their turn: it answers in a file of the building folder with the file's valid records in
marshal's form, and keeps the trials among them to index when their turn comes
(``add_kept``), so that they cross the pipe once. The worker reads its input in a thread, so
that the first process never waits on a full pipe while the worker parses.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import marshal
import os
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from mscli.loading.forms import DataFile, valid_records
from mscli.loading.jsonlines import json_line, parse_lines
from mscli.loading.searchside import SearchSide, TrialLinks, WorkerLost
from mscli.model.records import Dataset, GlossaryTerm, Trial

# Frames on the worker's stdin: a kind byte and the payload's length, then the payload.
_HEADER = struct.Struct("<cQ")
_GLOSSARY, _TRIALS, _LINES, _END = b"G", b"M", b"T", b"E"
_CHECK, _KEPT = b"C", b"K"  # a file to parse and check; the trials of one checked before
_LINKED_HERE = b"H"  # the next trials' glossary links are found by the first process
_DONE = b"done\n"
# The frames the worker's reading thread may hold before it waits: enough that the first
# process goes on while the worker parses a file, few enough to bound the worker's memory.
_BACKLOG = 4
_PIPE_BYTES = 1 << 20  # Linux's /proc/sys/fs/pipe-max-size for unprivileged processes
# A send of trials that waited longer than this found the worker's input full: it is behind.
_BEHIND_SECONDS = 0.005
# What ``handed_back`` gives for a file the worker could not send: check it in this process.
NOT_CHECKED: Any = object()
# A worker that has not answered for a file handed over in this long is taken for hung: parsing
# the largest file the loader reads (``dataset.MAX_FILE_BYTES``) takes a few seconds.
ANSWER_WITHIN = 60.0


def _answer(building: Path, ticket: int) -> Path:
    """Where the worker writes what it found in the file of ``ticket`` (read, then removed)."""
    return building / f".checked-{ticket}"


class RemoteSide:
    """``SearchSide`` in a worker process: the same calls, their data sent down a pipe.

    A full pipe and reading thread (``_BACKLOG`` frames) make ``add`` wait, so the worker's
    backlog stays bounded. Any failure of the worker, or of the pipe, is ``WorkerLost``.
    """

    def __init__(self, building: Path) -> None:
        import tempfile

        try:
            # Its messages go to a file: a pipe nobody reads until the end could fill and stall it.
            self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the pipes, in close()
            self._process = subprocess.Popen(worker_command(building), stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self._errors)
        except (OSError, ValueError) as error:
            raise WorkerLost(f"the worker did not start: {error}") from error
        self._input: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        self._output: IO[bytes] = self._process.stdout  # type: ignore[assignment]
        _widen(self._input)
        self._building = building
        self._handed = 0  # tickets given by ``hand_over``
        self._glossary: Sequence[GlossaryTerm] = []
        self._linker: TrialLinks | None = None  # for the trials linked here, made when first needed
        self._linked_here: dict[int, bytes] = {}  # their links, by position
        self._sent = 0  # trials sent so far
        self._stale = 0  # the trials before this one the worker links again at the end
        self._behind = False  # the last trials sent waited for room in the worker's input
        self._heard = b""  # what the worker said past the line ``_next_line`` returned

    def glossary(self, glossary: Sequence[GlossaryTerm]) -> None:
        self._glossary, self._linker, self._stale = glossary, None, self._sent
        self._send(_GLOSSARY, json_line(glossary))

    def add(self, trials: Sequence[Trial]) -> None:
        """The trials as marshal writes them, some ten times faster to read back than their
        JSON; marshal refuses any type but the built-in ones, and then JSON lines go.

        When the last trials sent had to wait for room in the worker's input, the worker is the
        slower of the two, and this process would wait again: it finds these trials' glossary
        links itself (half of the worker's work on a trial) and tells the worker to skip them.
        Either process gives the same links, so the files do not depend on which one did."""
        try:
            kind, payload = _TRIALS, marshal.dumps(list(trials))
        except ValueError:
            kind, payload = _LINES, b"".join(json_line(trial) + b"\n" for trial in trials)
        if self._behind:
            self._send(_LINKED_HERE, b"")
            linker = self._linker = self._linker or TrialLinks(self._glossary)
            for position, trial in enumerate(trials, start=self._sent):
                self._linked_here[position] = linker.of(trial)
        self._sent += len(trials)
        started = time.monotonic()
        self._send(kind, payload)
        self._behind = time.monotonic() - started > _BEHIND_SECONDS

    @staticmethod
    def hands_over() -> bool:
        """Whether ``hand_over`` may be used: waiting for an answer with a time limit needs
        ``select`` on a pipe, which Windows lacks."""
        return os.name == "posix"

    def hand_over(self, file: DataFile) -> int:
        """Have the worker parse and check ``file`` (``forms.valid_records``) while this process
        goes on; the ticket to ask ``handed_back`` for its answer, in the order given."""
        self._send(_CHECK, file.name.encode("utf-8", "surrogateescape") + b"\0" + file.content)
        self._handed += 1
        return self._handed - 1

    def handed_back(self, ticket: int) -> Any:
        """``valid_records`` of the file of ``ticket``, once the worker has it (it says so a
        line each, in order), or ``NOT_CHECKED`` if it could not be sent. Its trials are kept
        in the worker for ``add_kept``."""
        said = self._next_line()
        if said != b"checked %d\n" % ticket:
            raise self._lost(said)
        answer = _answer(self._building, ticket)
        try:
            found = answer.read_bytes()
            answer.unlink()
        except OSError as error:
            raise WorkerLost(f"the worker's answer could not be read: {error}") from error
        return marshal.loads(found) if found else NOT_CHECKED  # noqa: S302 - written by this compile's worker

    def add_kept(self, ticket: int, count: int) -> None:
        """The next ``count`` trials in dataset order are the ones of the file of ``ticket``."""
        self._sent += count
        self._send(_KEPT, b"%d" % ticket)

    def finish(self, meta: Dataset) -> None:
        """Send the rest; the worker writes its files while this process goes on (``wait``)."""
        self._send(_END, json_line(meta))
        try:
            self._input.close()
        except OSError as error:
            raise WorkerLost(f"the worker was lost: {error}") from error

    def wait(self) -> list[bytes]:
        """Each trial's glossary links, once the worker has written its files; ``WorkerLost``
        if it did not. It sends them a line each, then says it is done."""
        output = self._heard + self._output.read()
        if self._process.wait() == 0 and output.endswith(_DONE):
            links = output[:-len(_DONE)]
            found = links.split(b"\n")[:-1] if links else []
            # The worker linked again the trials linked before the glossary last grew.
            for position, terms in self._linked_here.items():
                if self._stale <= position < len(found):
                    found[position] = terms
            return found
        raise self._lost(output)

    def _next_line(self) -> bytes:
        """The worker's next line, or what it said before it stopped or ``ANSWER_WITHIN`` ran out."""
        deadline = time.monotonic() + ANSWER_WITHIN
        descriptor = self._output.fileno()
        while b"\n" not in self._heard:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([descriptor], [], [], left)[0]:
                break
            heard = os.read(descriptor, 1 << 16)
            if not heard:
                break
            self._heard += heard
        line, end, self._heard = self._heard.partition(b"\n")
        return line + end

    def _lost(self, said: bytes) -> WorkerLost:
        """Why the worker did not say what it should have: its last message if it stopped; a
        worker still running is stopped."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
            why = f"said {said[:80]!r} where an answer was due" if said else f"gave no answer in {ANSWER_WITHIN:g} s"
            return WorkerLost(f"the worker {why}")
        self._errors.seek(0)
        last = self._errors.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return WorkerLost(f"the worker stopped ({self._process.returncode}): {last[0]}")

    def close(self) -> None:
        """Stop the worker if it is still running (the build was abandoned) and reap it."""
        if self._process.returncode is None:
            self._process.kill()
            self._process.wait()
        for handle in (self._input, self._output, self._errors):
            with contextlib.suppress(OSError):  # a lost worker's pipe cannot take what is left
                handle.close()

    def _send(self, kind: bytes, payload: bytes) -> None:
        """One frame; a file's is flushed, or a small one could wait unsent for its answer."""
        try:
            self._input.write(_HEADER.pack(kind, len(payload)))
            self._input.write(payload)
            if kind == _CHECK:
                self._input.flush()
        except (OSError, ValueError) as error:
            raise WorkerLost(f"the worker was lost: {error}") from error


def _widen(pipe: IO[bytes]) -> None:
    """Let the pipe hold a whole frame where Linux allows (64 KB by default): the worker's
    reading thread then takes one in a read or two (each waits for the lock), not sixteen."""
    with contextlib.suppress(ImportError, OSError, AttributeError):
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def worker_command(building: Path) -> list[str]:
    """The worker's command line: this Python, isolated (``-I``) but for this process's
    ``sys.path``, so mscli and orjson are the ones the command imported, wherever found; with
    the cyclic collector off, as in the first process (``cli.app.main``): its passes over the
    worker's growing index were some 0.4 s of a first load of 100,000 trials."""
    if not sys.executable:
        raise WorkerLost("no Python executable to run a worker with")
    code = ("import gc, json, sys; gc.disable(); sys.path[:] = json.loads(sys.argv[1]); "
            "from mscli.loading.searchworker import serve; sys.exit(serve(sys.argv[2]))")
    return [sys.executable, "-I", "-c", code, json.dumps([str(Path(entry).resolve()) for entry in sys.path]),
            str(building)]


def serve(building: str) -> int:
    """The worker: take frames from stdin until the end frame, write the search side's files
    into ``building``, then say it is done. Quietly gives up (non-zero) if its input ends early
    or it is interrupted, as when the compile it serves is abandoned."""
    folder = Path(building)
    side, frames = SearchSide(folder), _Frames(sys.stdin.buffer)
    kept: dict[int, list[Trial]] = {}
    tickets, link = itertools.count(), True
    try:
        while (frame := frames.next()) is not None:
            kind, payload = frame
            if kind == _LINKED_HERE:
                link = False
            elif kind == _TRIALS:
                side.add(marshal.loads(payload), link)  # noqa: S302 - written by the compile this worker serves
                link = True
            elif kind == _LINES:
                side.add(parse_lines(payload.splitlines(), len(payload)), link)
                link = True
            elif kind == _CHECK:
                ticket = next(tickets)
                name, _, content = payload.partition(b"\0")
                file = DataFile(name.decode("utf-8", "surrogateescape"), content)
                _answer(folder, ticket).write_bytes(_checked_answer(file, ticket, kept))
                sys.stdout.buffer.write(b"checked %d\n" % ticket)
                sys.stdout.buffer.flush()
            elif kind == _KEPT:
                side.add(kept.pop(int(payload)))
            elif kind == _GLOSSARY:
                side.glossary(parse_lines([payload], len(payload))[0])
            elif kind == _END:
                side.finish(parse_lines([payload], len(payload))[0])
                sys.stdout.buffer.write(b"".join(link + b"\n" for link in side.wait()) + _DONE)
                return 0
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        side.close()


def _checked_answer(file: DataFile, ticket: int, kept: dict[int, list[Trial]]) -> bytes:
    """The answer to a file handed over: its valid records in marshal's form (the trials among
    them kept under ``ticket``), or nothing if marshal refuses a value (checked at home then)."""
    checked = valid_records(file)
    try:
        answer = marshal.dumps(checked)
    except ValueError:
        return b""
    if checked is not None:
        kept[ticket] = [record for record, _ in checked.get("trials", [])]
    return answer


class _Frames:
    """The frames of the worker's input, read by a thread up to ``_BACKLOG`` ahead of use: the
    first process's writes then go through while the worker parses a file handed over."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._queue: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(_BACKLOG)
        threading.Thread(target=self._read, daemon=True).start()

    def next(self) -> tuple[bytes, bytes] | None:
        """The next frame (kind, payload); None if the input ended early."""
        return self._queue.get()

    def _read(self) -> None:
        try:
            while len(header := self._source.read(_HEADER.size)) == _HEADER.size:
                kind, size = _HEADER.unpack(header)
                payload = self._source.read(size)
                if len(payload) != size:
                    break
                self._queue.put((kind, payload))
                if kind == _END:
                    return
        except (OSError, ValueError):
            pass
        self._queue.put(None)
