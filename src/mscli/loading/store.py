"""A validated dataset, whole in memory or compiled on disk so a query reads only what it needs.

The compiled form is a folder in the user's cache, named after the content key of the YAML:

    meta.json     every collection but the trials, plus the countries trials list
    trials.jsonl  one trial per line, in dataset order
    index.json    byte offsets of those lines; the distinct combinations of the fields in
                  INDEXED_TRIAL_FIELDS, and which combination each trial has
    search.txt    one line per trial: its title as JSON, then the lower-cased text of each field
                  ``mscli search`` looks in, all separated by \x1f (line breaks become spaces)

A filter on indexed fields (therapy, phase, status, years) reads the index, then parses only
the trials that pass; a search parses only the lines that hold every word. The folder is built
under a temporary name and renamed into place, so a reader sees all of it or none of it;
anything unreadable is a miss.
"""

import contextlib
import itertools
import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mscli.model.kinds import SearchEntry
from mscli.model.records import INDEXED_TRIAL_FIELDS, Dataset, Trial

# Bump when the files' layout or the record model changes, so older caches are never read.
CACHE_FORMAT = 7
_META, _TRIALS, _INDEX, _SEARCH = "meta.json", "trials.jsonl", "index.json", "search.txt"

RowTest = Callable[[Mapping[str, Any]], bool]
_FIELD_SEPARATOR = "\x1f"



def countries_in(dataset: Dataset) -> list[str]:
    """Every country with a trial site, for ``--country`` suggestions and completion."""
    return sorted({country for trial in dataset["trials"] for country in trial["countries"]})

class CacheMiss(Exception):
    """The compiled folder is missing, damaged or from another format: rebuild it."""


class Store:
    """A valid dataset. ``meta`` holds every collection but the trials; ``trials`` reads them."""

    def __init__(self, meta: Dataset, countries: list[str]) -> None:
        self.meta = meta
        self.countries = countries

    def trials(self, keep: RowTest | None = None) -> list[Trial]:
        """The trials whose indexed fields pass ``keep`` (all of them without it).

        A superset is allowed: callers apply their full test to what comes back.
        """
        raise NotImplementedError

    def trial_search_entries(self, words: Sequence[str]) -> list[SearchEntry]:
        """The search entries of the trials whose text may hold every word (a superset)."""
        raise NotImplementedError

    def dataset(self) -> Dataset:
        """Every collection, trials included."""
        return {**self.meta, "trials": self.trials()}


class MemoryStore(Store):
    """A dataset just parsed from YAML: everything is already in memory."""

    def __init__(self, dataset: Dataset, countries: list[str], search_entry: Callable[[Trial], SearchEntry]) -> None:
        super().__init__({**dataset, "trials": []}, countries)
        self._trials = dataset["trials"]
        self.search_entry = search_entry

    def trials(self, keep: RowTest | None = None) -> list[Trial]:
        return list(self._trials)

    def trial_search_entries(self, words: Sequence[str]) -> list[SearchEntry]:
        return [self.search_entry(trial) for trial in self._trials]


class DiskStore(Store):
    """A compiled folder. ``fallback`` rebuilds from the YAML if a file turns out damaged."""

    def __init__(self, folder: Path, fallback: Callable[[], Store]) -> None:
        try:
            payload = json.loads((folder / _META).read_bytes())
            if not isinstance(payload, dict) or payload.get("format") != CACHE_FORMAT:
                raise CacheMiss(folder)
            meta, countries, count = payload["dataset"], payload["countries"], payload["trials"]
            if not (isinstance(meta, dict) and isinstance(countries, list) and isinstance(count, int)):
                raise CacheMiss(folder)
        except (OSError, ValueError, KeyError) as error:
            raise CacheMiss(folder) from error
        super().__init__(meta, countries)  # type: ignore[arg-type]
        self._folder = folder
        self._count = count
        self._fallback = fallback

    def trials(self, keep: RowTest | None = None) -> list[Trial]:
        try:
            return self._read(keep)
        except (OSError, ValueError, KeyError, TypeError, IndexError, CacheMiss):
            return self._fallback().trials(keep)

    def trial_search_entries(self, words: Sequence[str]) -> list[SearchEntry]:
        try:
            with (self._folder / _SEARCH).open(encoding="utf-8", newline="\n") as handle:
                lines = [line for line in handle if words[0] in line]
            for word in words[1:]:
                lines = [line for line in lines if word in line]
            found = [line.rstrip("\n").split(_FIELD_SEPARATOR) for line in lines]
            titles = json.loads("[" + ",".join(fields[0] for fields in found) + "]")
            if len(titles) != len(found) or not all(isinstance(title, str) for title in titles):
                raise CacheMiss(self._folder)
            return [(title, fields[1:]) for title, fields in zip(titles, found, strict=True)]
        except (OSError, ValueError, CacheMiss):
            return self._fallback().trial_search_entries(words)

    def _read(self, keep: RowTest | None) -> list[Trial]:
        lines = self._folder / _TRIALS
        if keep is None:
            with lines.open("rb") as handle:
                text = handle.read().rstrip(b"\n").replace(b"\n", b",")
            return self._checked(json.loads(b"[" + text + b"]"))
        index = json.loads((self._folder / _INDEX).read_bytes())
        offsets: list[int] = index["offsets"]
        if len(offsets) != self._count + 1:
            raise CacheMiss(self._folder)
        kinds, kind_of = index["kinds"], index["kind_of"]
        if len(kind_of) != self._count:
            raise CacheMiss(self._folder)
        passing = [keep(dict(zip(INDEXED_TRIAL_FIELDS, kind, strict=True))) for kind in kinds]
        chosen = []
        with lines.open("rb") as handle:
            for position in itertools.compress(range(self._count), map(passing.__getitem__, kind_of)):
                handle.seek(offsets[position])
                chosen.append(handle.read(offsets[position + 1] - offsets[position]))
        return self._checked(json.loads(b"[" + b",".join(chosen) + b"]") if chosen else [])

    def _checked(self, trials: Any) -> list[Trial]:
        if not isinstance(trials, list) or not all(isinstance(trial, dict) for trial in trials):
            raise CacheMiss(self._folder)
        return trials


def open_compiled(folder: Path, fallback: Callable[[], Store]) -> Store | None:
    """The compiled dataset in ``folder``, or None when it is missing or damaged."""
    try:
        return DiskStore(folder, fallback)
    except CacheMiss:
        return None


def compile_to(folder: Path, parsed: MemoryStore) -> None:
    """Write a freshly parsed dataset compiled into ``folder``; quietly give up if the disk says no."""
    import tempfile

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError:
        return
    try:
        _write_files(building, parsed)
        _move_aside(folder)
        os.rename(building, folder)
    except OSError:
        pass
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _move_aside(folder: Path) -> None:
    """Take a damaged (or concurrently written) folder out of the way, then delete it."""
    aside = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    with contextlib.suppress(FileNotFoundError):
        os.rename(folder, aside)
    shutil.rmtree(aside, ignore_errors=True)


def _write_files(building: Path, parsed: MemoryStore) -> None:
    trials = parsed.trials()
    meta = {"format": CACHE_FORMAT, "dataset": parsed.meta, "countries": parsed.countries, "trials": len(trials)}
    # Trials share few combinations of indexed values, so a filter tests each combination once.
    kinds: dict[tuple[Any, ...], int] = {}
    kind_of = [kinds.setdefault(tuple(trial.get(name) for name in INDEXED_TRIAL_FIELDS), len(kinds))
               for trial in trials]
    index: dict[str, list[Any]] = {"kinds": [list(kind) for kind in kinds], "kind_of": kind_of}
    offsets = [0]
    with (building / _TRIALS).open("wb") as lines:
        for trial in trials:
            line = _json(trial) + b"\n"
            lines.write(line)
            offsets.append(offsets[-1] + len(line))
        _sync(lines)
    index["offsets"] = offsets
    with (building / _SEARCH).open("w", encoding="utf-8") as texts:
        for trial in trials:
            title, fields = parsed.search_entry(trial)
            texts.write(_FIELD_SEPARATOR.join([json.dumps(title, ensure_ascii=False),
                                               *(_one_line(field) for field in fields)]) + "\n")
        _sync(texts)
    for name, payload in ((_INDEX, index), (_META, meta)):
        with (building / name).open("wb") as handle:
            handle.write(_json(payload))
            _sync(handle)


def _one_line(text: str) -> str:
    """A lower-cased field on one line of search.txt: search words never hold these characters."""
    return text.replace("\n", " ").replace(_FIELD_SEPARATOR, " ")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _sync(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())
