"""A validated dataset, whole in memory or compiled on disk so a query reads only what it needs.

The compiled form is a folder in the user's cache, named after the content key of the YAML:

    meta.bin      every collection but the trials, plus the countries trials list and the
                  glossary terms each of those records uses (``links``), in ``marshal``'s
                  form behind its CRC-32 (``metafile``)
    trials.jsonl  one trial per line, in dataset order
    index.json    byte offsets of those lines; the distinct combinations of the fields in
                  INDEXED_TRIAL_FIELDS, and which combination each trial has; the positions
                  of the trials in ``start_order`` (``order``), so a listing in the default
                  order reads them a batch at a time and never holds them all; the CRC-32 of
                  each line (``crc``), so JSON Lines can write a line unparsed yet checked
    names.txt     one line per normalised trial name (id, alias, acronym, registry number),
                  sorted, then a tab and, for each trial it names, the byte range of its
                  line in trials.jsonl and the glossary positions of the terms it uses
                  (``start:end:3.17``): ``trial ID`` finds its line by binary search, parses
                  only those trials and runs no glossary regex
    terms.txt, postings.bin
                  the inverted index of every record's searched fields (``searchindex``):
                  ``mscli search`` reads the postings of its words and decodes only what it shows
    texts.bin, spans.bin
                  each trial's id, title and searched texts, which is all a search hit shows
                  (``hittexts``)
    usedby.json   for each glossary term, the records that use it (``usedby``)

A filter on indexed fields (therapy, phase, status, years) reads the index, then parses only
the trials that pass; a search reads a few postings and the few texts it shows. The folder is built
under a temporary name and renamed into place (``compiling``), so a reader sees all of it or none of it.

The cache folder may be shared with other programs, so mscli owns only names it made: compiled
folders are ``mscli-<key>``, and temporary ones ``.mscli-<key>.<pid>.<random>.tmp`` (a build
killed midway leaves one, reclaimed by the next build once its process is gone). ``meta.bin``
records the key the folder was built for and the size of every other file, and every read
checks shape and counts against it, so any damage, or a folder copied in under the wrong name,
is a miss followed by a rebuild, never a wrong answer.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mscli.loading.hittexts import SPANS, TEXTS, read_texts, sizes_fit, texts_of
from mscli.loading.jsonlines import json_line, parse_lines
from mscli.loading.metafile import read_meta
from mscli.loading.names import NAMES, named_spans
from mscli.loading.searchindex import POSTINGS, TERMS, DiskIndex, MemoryIndex, SearchIndex, layout_of
from mscli.model.kinds import KINDS, names_of, normalise_key
from mscli.model.vocabularies import INDEXED_TRIAL_FIELDS, start_order

if TYPE_CHECKING:
    from mscli.model.records import Dataset, Trial

CACHE_FORMAT = 17  # bumped when the files' layout or the record model changes: older caches are never read
ORDER_BATCH = 1000  # trials ``trials_in_order`` reads and parses together: few reads, little held at once
META, TRIALS, INDEX = "meta.bin", "trials.jsonl", "index.json"
USED_BY = "usedby.json"  # read by ``usedby``, imported only by a command that shows a term
FILES = (TRIALS, INDEX, NAMES, TERMS, POSTINGS, TEXTS, SPANS, USED_BY)
T = TypeVar("T")

RowTest = Callable[[Mapping[str, Any]], bool]
ENTRY_PREFIX, _ENTRY = "mscli-", re.compile(r"mscli-[0-9a-f]{64}")
_COLLECTIONS = ("therapies", "studies", "guidance", "sources", "glossary", "red_flags", "outcomes", "searches")


def entry_name(key: str) -> str:
    """The name of the compiled folder for a dataset key: a prefix marks it as mscli's own."""
    return ENTRY_PREFIX + key


def countries_in(dataset: Dataset) -> list[str]:
    """Every country with a trial site, for ``--country`` suggestions and completion."""
    return sorted({country for trial in dataset["trials"] for country in trial["countries"]})


class CacheMiss(Exception):
    """The compiled folder is missing, damaged or from another format: rebuild it."""


class Store:
    """A valid dataset. ``meta`` holds every collection but the trials; ``trials`` reads them.

    ``links`` holds the glossary terms of the records read so far, by record id, when the
    store kept them (a compiled one); None when they must be found in the text. ``key`` is the
    content key of the files a compiled store was built from (``dataset.cache_key``), else None.
    """

    def __init__(self, meta: Dataset, countries: list[str]) -> None:
        self.meta = meta
        self.countries = countries
        self.links: dict[str, list[str]] | None = None
        self.key: str | None = None

    def trials(self, keep: RowTest | None = None) -> list[Trial]:
        """The trials whose indexed fields pass ``keep`` (all of them without it).

        A superset is allowed: callers apply their full test to what comes back.
        """
        raise NotImplementedError

    def trials_in_order(self, keep: RowTest | None = None) -> Iterator[Trial]:
        """What ``trials(keep)`` gives, in ``start_order``, read as it is asked for: a listing in
        the default order then never holds every trial (a compiled store reads a batch at a time)."""
        return iter(sorted(self.trials(keep), key=start_order))

    def trial_lines_in_order(self, keep: RowTest | None = None) -> Iterator[tuple[Mapping[str, Any], bytes]]:
        """``trials_in_order`` as what the index holds of each trial and its ``json_line`` with a
        newline: a compiled store reads the lines unparsed."""
        return ((trial, json_line(trial) + b"\n") for trial in self.trials_in_order(keep))

    def search_index(self) -> SearchIndex:
        """The inverted index of every record's searched fields."""
        raise NotImplementedError

    def trial_texts(self, wanted: Sequence[tuple[int, str]]) -> list[tuple[str, str, str]]:
        """For each (position in dataset order, searched field name or ""), that trial's id, title
        and the field's searched text: what a search hit shows, and no more."""
        raise NotImplementedError

    def trial_positions_named(self, key: str) -> list[int]:
        """Positions of the trials one of whose normalised names is ``key``."""
        return [position for position, trial in enumerate(self.trials())
                if key in (normalise_key(name) for name in names_of("trials", trial))]

    def searching(self, run: Callable[[Store], T]) -> T:
        """``run(self)``; a compiled store damaged under it answers from the YAML instead."""
        return run(self)

    def trials_named(self, key: str) -> list[Trial] | None:
        """The trials one of whose normalised names is ``key``, or None with no index to ask."""
        return None

    def dataset(self) -> Dataset:
        """Every collection, trials included."""
        return {**self.meta, "trials": self.trials()}

    def used_by(self, term_id: str) -> list[dict[str, str]] | None:
        """The records that use a glossary term, as the compiled store keeps them (None: scan)."""
        return None


class MemoryStore(Store):
    """A dataset just parsed from YAML: everything is already in memory."""

    def __init__(self, dataset: Dataset, countries: list[str]) -> None:
        super().__init__({**dataset, "trials": []}, countries)
        self._trials = dataset["trials"]
        self._index: MemoryIndex | None = None

    def trials(self, keep: RowTest | None = None) -> list[Trial]:
        return list(self._trials)

    def search_index(self) -> MemoryIndex:
        if self._index is None:
            self._index = MemoryIndex(
                (collection, self._trials if collection == "trials" else self.meta[collection])
                for collection in KINDS)
        return self._index

    def trial_texts(self, wanted: Sequence[tuple[int, str]]) -> list[tuple[str, str, str]]:
        return [texts_of("trials", self._trials[position], name) for position, name in wanted]


class DiskStore(Store):
    """A compiled folder. ``fallback`` rebuilds from the YAML if a file turns out damaged."""

    def __init__(self, folder: Path, fallback: Callable[[], Store]) -> None:
        try:
            payload = read_meta(folder / META)
            if not isinstance(payload, dict) or payload.get("format") != CACHE_FORMAT:
                raise CacheMiss(folder)
            if ENTRY_PREFIX + str(payload["key"]) != folder.name:
                raise CacheMiss(folder)  # built for another dataset, then moved or copied here
            meta, countries, count = payload["dataset"], payload["countries"], payload["trials"]
            sizes, links = payload["sizes"], payload["links"]
            if not (_meta_shape(meta) and isinstance(countries, list) and all(isinstance(c, str) for c in countries)
                    and type(count) is int and count >= 0 and isinstance(sizes, dict) and _links_shape(links)):
                raise CacheMiss(folder)
            for name in FILES:
                if (folder / name).stat().st_size != sizes[name]:
                    raise CacheMiss(folder)
            if not sizes_fit(count, sizes[SPANS]):
                raise CacheMiss(folder)
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
            raise CacheMiss(folder) from error
        super().__init__(meta, countries)
        self._folder = folder
        self._count = count
        self._size = int(sizes[TRIALS])
        self._fallback = fallback
        self._offsets: list[int] | None = None
        self.links = links
        self.key = str(payload["key"])

    def trials(self, keep: RowTest | None = None) -> list[Trial]:
        try:
            return self._read(keep)
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, CacheMiss):
            return self._fallback().trials(keep)

    def trials_in_order(self, keep: RowTest | None = None) -> Iterator[Trial]:
        """A damaged line found midway hands over to the YAML's trials after the last one given:
        the order is total, so nothing is given twice or missed."""
        last: tuple[int, str] | None = None
        try:
            for lines in self._ordered_lines(self._index(keep, with_order=True)):
                trials = self._checked(parse_lines(lines.values(), self._size))
                if len(trials) != len(lines):
                    raise CacheMiss(self._folder)
                for trial in trials:
                    last = start_order(trial)
                    yield trial
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, CacheMiss):
            rest = self._fallback().trials_in_order(keep)
            yield from (trial for trial in rest if last is None or start_order(trial) > last)

    def trial_lines_in_order(self, keep: RowTest | None = None) -> Iterator[tuple[Mapping[str, Any], bytes]]:
        """A line whose CRC-32 is not the one the index keeps (or that cannot be read) hands over
        to the YAML's trials at the same positions, from that batch on."""
        try:
            index = self._index(keep, with_order=True)
        except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError, CacheMiss):
            yield from self._fallback().trial_lines_in_order(keep)
            return
        given = 0
        try:
            for lines in self._ordered_lines(index):
                if list(map(zlib.crc32, lines.values())) != list(map(index.crcs.__getitem__, lines)):
                    raise CacheMiss(self._folder)
                yield from zip(map(index.rows.__getitem__, map(index.kind_of.__getitem__, lines)),
                               lines.values(), strict=True)
                given += len(lines)
        except (OSError, CacheMiss):
            every = self._fallback().trials()
            rest = [every[position] for position in index.positions()[given:]]
            yield from ((trial, json_line(trial) + b"\n") for trial in rest)

    def _ordered_lines(self, index: _Index) -> Iterator[dict[int, bytes]]:
        """The lines (each with its newline) of the trials that pass, by position, a batch at a time."""
        positions, offsets = index.positions(), index.offsets
        with (self._folder / TRIALS).open("rb") as handle:
            descriptor = handle.fileno()
            for start in range(0, len(positions), ORDER_BATCH):
                yield {p: os.pread(descriptor, offsets[p + 1] - offsets[p], offsets[p])
                       for p in positions[start:start + ORDER_BATCH]}

    def search_index(self) -> SearchIndex:
        counts = {name: len(self.meta[name]) for name in _COLLECTIONS}  # type: ignore[literal-required]
        return DiskIndex(self._folder, layout_of({**counts, "trials": self._count}))

    def searching(self, run: Callable[[Store], T]) -> T:
        try:
            return run(self)
        except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError, CacheMiss):
            return run(self._fallback())

    def trial_texts(self, wanted: Sequence[tuple[int, str]]) -> list[tuple[str, str, str]]:
        return read_texts(self._folder, wanted)

    def used_by(self, term_id: str) -> list[dict[str, str]] | None:
        from mscli.loading.usedby import read

        return read(self._folder / USED_BY, term_id)

    def trial_positions_named(self, key: str) -> list[int]:
        spans = named_spans(self._folder / NAMES, key)
        if not spans:  # most words of a question name no trial: spare reading every trial's offset
            return []
        offsets = self._trial_offsets()
        positions = [bisect.bisect_left(offsets, start) for start, _, _ in spans]
        if not all(position < self._count and offsets[position] == start
                   for position, (start, _, _) in zip(positions, spans, strict=True)):
            raise CacheMiss(self._folder)
        return positions

    def _trial_offsets(self) -> list[int]:
        if self._offsets is None:
            offsets = json.loads((self._folder / INDEX).read_bytes())["offsets"]
            if (not isinstance(offsets, list) or len(offsets) != self._count + 1 or offsets[0] != 0
                    or offsets[-1] != self._size):
                raise CacheMiss(self._folder)
            self._offsets = offsets
        return self._offsets

    def trials_named(self, key: str) -> list[Trial] | None:
        try:
            spans = named_spans(self._folder / NAMES, key)
            if not spans:
                return None
            with (self._folder / TRIALS).open("rb") as handle:
                chosen = []
                for start, end, _ in spans:
                    handle.seek(start)
                    chosen.append(handle.read(end - start))
            trials = self._checked(json.loads(b"[" + b",".join(chosen) + b"]"))
            glossary = [term["id"] for term in self.meta["glossary"]]
            if not all(0 <= term < len(glossary) for _, _, terms in spans for term in terms):
                raise CacheMiss(self._folder)
            assert self.links is not None
            self.links.update({trial["id"]: [glossary[term] for term in terms]
                               for trial, (_, _, terms) in zip(trials, spans, strict=True)})
            return trials
        except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError, CacheMiss):
            return None

    def _read_all(self) -> list[Trial]:
        with (self._folder / TRIALS).open("rb") as handle:
            trials = self._checked(parse_lines(handle, self._size))
        if len(trials) != self._count:
            raise CacheMiss(self._folder)
        return trials

    def _index(self, keep: RowTest | None, with_order: bool = False) -> _Index:
        """The checked index, ``order`` and ``crc`` only if asked for."""
        index = json.loads((self._folder / INDEX).read_bytes())
        offsets: list[int] = index["offsets"]
        if (len(offsets) != self._count + 1 or offsets[0] != 0 or offsets[-1] != self._size
                or set(map(type, offsets)) - {int} or not all(map(int.__lt__, offsets, offsets[1:]))):
            raise CacheMiss(self._folder)
        kinds, kind_of = index["kinds"], index["kind_of"]
        if (len(kind_of) != self._count or not all(isinstance(kind, list) and len(kind) == len(INDEXED_TRIAL_FIELDS)
                                                    for kind in kinds)
                or set(map(type, kind_of)) - {int} or not all(map(range(len(kinds)).__contains__, kind_of))):
            raise CacheMiss(self._folder)
        order: list[int] = index["order"] if with_order else []
        crcs: list[int] = index["crc"] if with_order else []
        if with_order and (set(map(type, order)) - {int} or sorted(order) != list(range(self._count))
                           or len(crcs) != self._count):
            raise CacheMiss(self._folder)
        rows = [dict(zip(INDEXED_TRIAL_FIELDS, kind, strict=True)) for kind in kinds]
        passing = None if keep is None else [keep(row) for row in rows]
        return _Index(offsets, kind_of, rows, None if passing is None or all(passing) else passing, order, crcs)

    def _read(self, keep: RowTest | None) -> list[Trial]:
        if keep is None:
            return self._read_all()
        index = self._index(keep)
        offsets, kind_of, passing = index.offsets, index.kind_of, index.passing
        if passing is None:  # one read and one parse, rather than a seek per trial
            return self._read_all()
        chosen = []
        with (self._folder / TRIALS).open("rb") as handle:
            for position in itertools.compress(range(self._count), map(passing.__getitem__, kind_of)):
                handle.seek(offsets[position])
                chosen.append(handle.read(offsets[position + 1] - offsets[position]))
        return self._checked(json.loads(b"[" + b",".join(chosen) + b"]") if chosen else [])

    def _checked(self, trials: Any) -> list[Trial]:
        if not isinstance(trials, list) or not all(isinstance(trial, dict) and isinstance(trial.get("id"), str)
                                                   for trial in trials):
            raise CacheMiss(self._folder)
        return trials


class _Index:
    """index.json, checked; ``passing``: whether each combination (row) passes (None when all do)."""

    def __init__(self, offsets: list[int], kind_of: list[int], rows: list[dict[str, Any]],
                 passing: list[bool] | None, order: list[int], crcs: list[int]) -> None:
        self.offsets, self.kind_of, self.rows, self.passing = offsets, kind_of, rows, passing
        self.order, self.crcs = order, crcs

    def positions(self) -> list[int]:
        """The positions of the trials that pass, in ``start_order``."""
        return self.order if self.passing is None else [p for p in self.order if self.passing[self.kind_of[p]]]


def _links_shape(links: Any) -> bool:
    """Whether ``links`` maps record ids to lists of term ids."""
    return isinstance(links, dict) and all(
        isinstance(terms, list) and all(isinstance(term, str) for term in terms) for terms in links.values())


def _meta_shape(meta: Any) -> bool:
    """Whether ``meta`` has the shape of every collection but the trials (lists of records)."""
    return (isinstance(meta, dict) and isinstance(meta.get("dataset"), dict)
            and all(isinstance(meta.get(name), list) and all(isinstance(record, dict) for record in meta[name])
                    for name in _COLLECTIONS))


def open_compiled(folder: Path, fallback: Callable[[], Store]) -> Store | None:
    """The compiled dataset in ``folder``, or None when it is missing or damaged."""
    try:
        return DiskStore(folder, fallback)
    except CacheMiss:
        return None


def is_entry(entry: Path) -> bool:
    """Whether ``entry`` is a compiled folder mscli made (and so may prune)."""
    return _ENTRY.fullmatch(entry.name) is not None and entry.is_dir() and not entry.is_symlink()
