"""The search side of a compile: the word index, the hit texts and each trial's glossary
links, written a batch of trials at a time beside the files ``compiling.Builder`` writes.

A first load of 100,000 trials spends nearly half of its time here, splitting every searched
field into stems and filing them, spelling out each trial's hit texts and finding the glossary
terms in its text. None of it decides whether the dataset is valid, so a large first load runs
it in a worker process on a second core (``searchworker``); a small one runs ``SearchSide`` in
the compiling process.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mscli.loading.hittexts import SPANS, TEXTS, TextsWriter
from mscli.loading.jsonlines import parse_lines
from mscli.loading.links import LINKED, Linker
from mscli.loading.searchindex import IndexBuilder
from mscli.loading.store import TRIALS
from mscli.model.kinds import KINDS, search_texts
from mscli.model.records import Dataset, GlossaryTerm, Trial

# A first load below this many bytes of data is over before a worker would have started.
WORKER_FROM = 4 << 20


class WorkerLost(Exception):
    """The worker could not start, or stopped before it finished its files."""


def worth_a_worker(size: int) -> bool:
    """Whether a first load of ``size`` bytes repays a worker, where a second core may be used."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return size >= WORKER_FROM and len(cores) > 1


class TrialLinks:
    """The glossary terms each trial uses, as names.txt writes them: glossary positions joined
    by dots (``3.17``). Positions, not ids, so a lookup reads no more than the line it needs; a
    glossary only grows at its end as files are read, so a position once given stays right."""

    def __init__(self, glossary: Sequence[GlossaryTerm]) -> None:
        self._linker = Linker(glossary)

    def of(self, trial: Trial) -> bytes:
        if "trials" not in LINKED:
            return b""
        return b".".join(map(b"%d".__mod__, self._linker.positions_in(trial)))


class SearchSide:
    """The search side's files for one building folder, and each trial's glossary links, fed
    the trials a batch at a time.

    A trial is linked with the glossary as it is when the trial comes; if the glossary grows
    later (its file came after some trials'), the trials linked before are read back from
    trials.jsonl, complete by then, and linked again at the end.
    """

    def __init__(self, building: Path) -> None:
        self._building = building
        self._texts = (building / TEXTS).open("wb")
        self._spans = (building / SPANS).open("wb")
        self._hits = TextsWriter(self._texts, self._spans)
        self._index = IndexBuilder()
        self._linker = TrialLinks([])
        self._links: list[bytes] = []
        self._stale = 0  # the trials before this one were linked with part of the glossary

    def glossary(self, glossary: Sequence[GlossaryTerm]) -> None:
        """The glossary as the records read so far have it."""
        self._linker = TrialLinks(glossary)
        self._stale = len(self._links)

    def add(self, trials: Sequence[Trial], link: bool = True) -> None:
        """The next trials in dataset order; without ``link`` their glossary links are left
        empty, for the compiling process finds them (``searchworker.RemoteSide``)."""
        links, linker = self._links, self._linker
        for trial in trials:
            searched = search_texts("trials", trial)
            self._hits.add(trial, searched)
            self._index.add("trials", searched)
            links.append(linker.of(trial) if link else b"")

    def finish(self, meta: Dataset) -> None:
        """Write the rest: ``meta`` holds every collection but the trials; trials.jsonl is
        complete on disk."""
        for handle in (self._texts, self._spans):
            sync_file(handle)
            handle.close()
        count = self._stale
        with (self._building / TRIALS).open("rb") as trials:
            size, position = os.fstat(trials.fileno()).st_size, 0
            while position < count:  # a thousand at a time, so they are never all held at once
                batch = list(itertools.islice(trials, min(1000, count - position)))
                for trial in parse_lines(batch, size):
                    self._links[position] = self._linker.of(trial)
                    position += 1
        for collection in KINDS:
            if collection != "trials":
                for record in meta[collection]:
                    self._index.add(collection, search_texts(collection, record))
        self._index.write(self._building)

    def wait(self) -> list[bytes]:
        """Each trial's glossary links (``TrialLinks.of``), once ``finish`` has written the files."""
        return self._links

    def close(self) -> None:
        for handle in (self._texts, self._spans):
            handle.close()


def sync_file(handle: Any) -> None:
    """Flush a file to the disk before the folder holding it is renamed into place."""
    handle.flush()
    os.fsync(handle.fileno())
