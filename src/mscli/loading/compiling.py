"""Build the compiled folder that ``store`` reads (its layout is described there).

The folder is written under a temporary name and renamed into place, so a reader sees all of
it or none of it; a build killed midway leaves a temporary folder that the next build
reclaims once its process is gone.
"""

import contextlib
import itertools
import os
import re
import shutil
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring as _ENCODE_TEXT
from pathlib import Path
from typing import Any

from mscli.loading.forms import DataFile
from mscli.loading.jsonlines import json_line, parse_lines
from mscli.loading.links import LINKED, Linker
from mscli.loading.metafile import meta_bytes
from mscli.loading.names import NAMES, SortedNames
from mscli.loading.searchside import SearchSide, WorkerLost, sync_file
from mscli.loading.searchworker import RemoteSide
from mscli.loading.store import (
    CACHE_FORMAT,
    ENTRY_PREFIX,
    FILES,
    INDEX,
    META,
    TRIALS,
    USED_BY,
    MemoryStore,
    is_entry,
)
from mscli.model.kinds import names_of, normalise_key
from mscli.model.records import (
    COLLECTIONS,
    INDEXED_TRIAL_FIELDS,
    CollectionName,
    Dataset,
    GlossaryTerm,
    Trial,
    start_order,
)

_TEMPORARY = re.compile(r"\.mscli-[0-9a-f]{64}\.(\d+)\.[^/]*\.(?:tmp|old)")
_STALE_SECONDS = 3600


def compile_to(folder: Path, parsed: MemoryStore) -> None:
    """Write a freshly parsed dataset compiled into ``folder``; quietly give up if the disk says no."""
    building = make_building(folder)
    if building is None:
        return
    try:
        trials = parsed.trials()
        with Builder(building) as builder:
            builder.glossary(parsed.meta["glossary"])
            builder.add_trials(trials)
            builder.end_trials()
            builder.finish(parsed.meta, parsed.countries, folder.name.removeprefix(ENTRY_PREFIX))
        install(building, folder)
    except OSError:
        pass
    finally:
        shutil.rmtree(building, ignore_errors=True)


def make_building(folder: Path) -> Path | None:
    """A new temporary folder beside ``folder`` to build it in, or None if the disk says no."""
    import tempfile

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{os.getpid()}.", suffix=".tmp"))
    except OSError:
        return None


def install(building: Path, folder: Path) -> None:
    """Put a finished build in place of whatever ``folder`` holds."""
    _move_aside(folder)
    os.rename(building, folder)


def reclaim_temporary(cache: Path) -> None:
    """Remove temporary folders of builds that were killed: their process is gone, or they are old.

    Only names of mscli's own temporary pattern are touched; a build still running elsewhere
    (another process, or another container sharing the folder) is left alone for an hour.
    """
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in cache.iterdir():
            match = _TEMPORARY.fullmatch(entry.name)
            if match is None or not entry.is_dir() or entry.is_symlink():
                continue
            with contextlib.suppress(OSError):
                if _process_gone(int(match.group(1))) or now - entry.stat().st_mtime > _STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)


def prune_cache(folder: Path, keep: str, most: int = 8) -> None:
    """Remove all but the ``most`` newest compiled datasets; only folders named as mscli names them.

    The cache folder may be shared (``MSCLI_CACHE_DIR=/tmp``), so nothing else is touched.
    """
    try:
        entries = sorted((entry for entry in folder.iterdir() if entry.name != keep and is_entry(entry)),
                         key=lambda entry: entry.stat().st_mtime, reverse=True)
        for entry in entries[most - 1:]:
            shutil.rmtree(entry, ignore_errors=True)
    except OSError:
        return


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def _move_aside(folder: Path) -> None:
    """Take a damaged (or concurrently written) folder out of the way, then delete it."""
    aside = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    with contextlib.suppress(FileNotFoundError):
        os.rename(folder, aside)
    shutil.rmtree(aside, ignore_errors=True)


class Builder:
    """A compiled folder written a batch of trials at a time, then finished with the rest.

    ``add_trials`` writes each trial's line as it comes and keeps only small things per trial
    (offset, CRC-32, combination of indexed values, sort key, names), so a streamed compile
    never holds every trial; its search side (word index, hit texts, glossary links) is
    ``searchside``'s, in this process or, with ``worker``, in a worker process. ``finish``
    writes the rest from those and the other collections, whole.
    """

    def __init__(self, building: Path, worker: bool = False) -> None:
        self.building = building
        self._remote = RemoteSide(building) if worker else None
        self._side: RemoteSide | SearchSide = self._remote or SearchSide(building)
        try:
            self._lines = (building / TRIALS).open("wb")
        except OSError:
            self._side.close()
            raise
        # Trials share few combinations of indexed values, so a filter tests each combination once.
        self._kinds: dict[tuple[Any, ...], int] = {}
        # Arrays rather than lists of ints: a tenth of the memory at 100,000 trials.
        self._kind_of = array("I")
        self.offsets = array("Q", (0,))
        self._crcs = array("I")
        self._orders: list[tuple[int, str]] = []
        # Each name a trial has, as ``key<TAB>position``: one short bytes object per name.
        self._names: list[bytes] = []

    def __enter__(self) -> "Builder":
        return self

    def __exit__(self, *exc: object) -> None:
        self._lines.close()
        self._side.close()

    @property
    def count(self) -> int:
        return len(self._kind_of)

    def glossary(self, glossary: Sequence[GlossaryTerm]) -> None:
        """The glossary as the records read so far have it, for linking the trials from now on
        (``SearchSide.glossary``)."""
        self._side.glossary(glossary)

    def hand_over(self, file: DataFile) -> int | None:
        """A ticket for ``handed_back`` if the worker is to parse and check ``file`` for this
        process (``RemoteSide.hand_over``); None if there is no worker to do it."""
        if self._remote is None or not self._remote.hands_over():
            return None
        return self._remote.hand_over(file)

    def handed_back(self, ticket: int) -> Any:
        """``forms.valid_records`` of the file of ``ticket``, or ``searchworker.NOT_CHECKED``."""
        if self._remote is None:
            raise ValueError("no file was handed over: there is no worker")
        return self._remote.handed_back(ticket)

    def add_trials(self, trials: Iterable[Trial], kept: int | None = None) -> None:
        """The next trials in dataset order; ``kept``: they are the trials of the file of that
        ticket, which the worker holds already (``handed_back``)."""
        kinds, names, offsets = self._kinds, self._names, self.offsets
        batch, lines = list(trials), []
        for trial in batch:
            position = len(self._kind_of)
            self._kind_of.append(kinds.setdefault(tuple(trial.get(name) for name in INDEXED_TRIAL_FIELDS), len(kinds)))
            line = json_line(trial) + b"\n"
            lines.append(line)
            offsets.append(offsets[-1] + len(line))
            self._crcs.append(zlib.crc32(line))
            self._orders.append(start_order(trial))
            keys = {normalise_key(name).encode("utf-8"): None for name in names_of("trials", trial)}
            names.extend(b"%s\t%d" % (key, position) for key in keys
                         if key and b"\t" not in key and b"\n" not in key)
        self._lines.write(b"".join(lines))
        if kept is not None and self._remote is not None:
            self._remote.add_kept(kept, len(batch))
        else:
            self._side.add(batch)

    def end_trials(self) -> None:
        """No more trials: trials.jsonl is complete on disk (``read_back`` may read it)."""
        sync_file(self._lines)
        self._lines.close()

    def read_back(self, positions: Iterable[int]) -> Iterator[tuple[int, Trial]]:
        """The trials at these positions, parsed again from trials.jsonl."""
        offsets, wanted = self.offsets, iter(positions)
        with (self.building / TRIALS).open("rb") as handle:
            while batch := list(itertools.islice(wanted, 1000)):
                lines = [os.pread(handle.fileno(), offsets[p + 1] - offsets[p], offsets[p]) for p in batch]
                yield from zip(batch, parse_lines(lines, offsets[-1]), strict=True)

    def finish(self, meta: Dataset, countries: list[str], key: str) -> None:
        """Write the rest: ``meta`` holds every collection but the trials. A worker writes its
        files meanwhile; meta.bin, which gives every file's size, waits for them."""
        self._side.finish(meta)
        offsets = self.offsets
        order = sorted(range(self.count), key=self._orders.__getitem__)
        index = {"kinds": [list(kind) for kind in self._kinds], "kind_of": self._kind_of.tolist(),
                 "offsets": offsets.tolist(), "crc": self._crcs.tolist(), "order": order}
        with (self.building / INDEX).open("wb") as handle:
            handle.write(json_line(index))
            sync_file(handle)
        linker = Linker(meta["glossary"])
        linked: dict[CollectionName, list[list[str]]] = {
            collection: [linker.terms_in(record) for record in meta[collection]]
            for collection in LINKED if collection != "trials"}
        # What needs no glossary links is done before asking a worker for them, while it finishes.
        names, ranges = SortedNames(self._names), [b"%d:%d:" % (offsets[p], offsets[p + 1]) for p in range(self.count)]
        trial_links = self._side.wait()
        if len(trial_links) != self.count:
            raise WorkerLost(f"the glossary links of {len(trial_links)} trials came back, for {self.count}")
        names.write(self.building / NAMES, list(map(bytes.__add__, ranges, trial_links)))
        self._write_used_by(meta, linked, trial_links)
        sizes = {name: (self.building / name).stat().st_size for name in FILES}
        links = {record["id"]: terms for collection, lists in linked.items()
                 for record, terms in zip(meta[collection], lists, strict=True)}
        payload = {"format": CACHE_FORMAT, "key": key, "dataset": meta, "countries": countries,
                   "trials": self.count, "sizes": sizes, "links": links}
        with (self.building / META).open("wb") as handle:
            handle.write(meta_bytes(payload))
            sync_file(handle)


    def _write_used_by(self, meta: Dataset, linked: Mapping[CollectionName, list[list[str]]],
                       trial_links: Sequence[bytes]) -> None:
        """usedby.json, the bytes ``json_line(usedby.reverse(...))`` gives, written a term at a
        time from positions: turned around whole, the uses of 100,000 trials were over a
        million small lists, some 150 MB at once."""
        glossary = [term["id"] for term in meta["glossary"]]
        uses = {term: {collection: array("I") for collection in LINKED} for term in glossary}
        for position, dotted in enumerate(trial_links if "trials" in LINKED else []):
            for at in dotted.split(b".") if dotted else ():
                uses[glossary[int(at)]]["trials"].append(position)
        for collection, lists in linked.items():
            for position, names in enumerate(lists):
                for name in names:
                    uses[name][collection].append(position)
        # json_line([kind, id]) spelt out from its parts (json's own string encoder, so the same
        # bytes): a call of json.dumps per use was a tenth of a cold load at 100,000 trials.
        kinds = {collection: b"[" + json_line(COLLECTIONS[collection][1]) + b"," for collection in LINKED}
        encoded: dict[int, bytes] = {}
        with (self.building / USED_BY).open("wb") as handle:
            handle.write(b"{")
            for number, term in enumerate(glossary):
                found = []
                for collection in LINKED:
                    prefix = kinds[collection]
                    if collection == "trials":
                        for p in uses[term][collection]:
                            if p not in encoded:
                                encoded[p] = _json_text(self._orders[p][1]) + b"]"
                            found.append(prefix + encoded[p])
                    else:
                        found.extend(prefix + _json_text(meta[collection][p]["id"]) + b"]"
                                     for p in uses[term][collection])
                handle.write(b"," * (number > 0) + json_line(term) + b":[" + b",".join(found) + b"]")
            handle.write(b"}")
            sync_file(handle)


def _json_text(text: str) -> bytes:
    """A string as ``json_line`` writes it (ensure_ascii off), without a ``json.dumps`` call."""
    return _ENCODE_TEXT(text).encode("utf-8")
