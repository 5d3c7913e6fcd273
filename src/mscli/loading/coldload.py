"""The first load of a dataset, compiled file by file so that it never holds every trial.

Parsing, validating and compiling 100,000 trials the plain way (``dataset.check``, then
``compiling.compile_to``) held them all as Python values at once, some 900 MB. Here each file
is parsed, checked and its trials written to the building folder (``compiling.Builder``) before
the next file is read; what is kept of a trial is what the cross-record checks and the index
need (its id, registry numbers, offset, CRC-32, indexed values and sort key) and its postings.
The trials are then read back once from trials.jsonl, a batch of lines at a time, for the
checks that need every id (``rules.check_record``) and for glossary links.

The checks here only decide *whether* the dataset is valid, by the same rules as
``validate.assemble`` (each finding is the same function's, or a streamed equivalent of
``_cross_check``'s duplicate ids and ``_check_shared_numbers``). On the first problem the build
stops and the caller runs ``dataset.check``, whose messages, in their order, are the ones
reported: errors are rare, so their path may be slow.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from mscli.errors import Problem
from mscli.loading import rules
from mscli.loading.compiling import Builder, install, make_building
from mscli.loading.store import entry_name
from mscli.loading.validate import check_file
from mscli.model.records import COLLECTIONS, Dataset, Trial
from mscli.model.registries import canonical_id

# Of each file's bytes, the part the progress bar advances once the file is parsed and its
# trials written; the rest advances while the trials are read back (links, names, index).
_FIRST_PASS_SHARE = 0.8


class Invalid(Exception):
    """The dataset has a problem: ``dataset.check`` must say which (the build is abandoned)."""


class ParsedFile(NamedTuple):
    """One data file as the first pass needs it: its name, size and parsed value; ``readable`` is
    False when it could not be decoded or parsed (a problem ``dataset.check`` will name)."""

    name: str
    size: int
    data: Any
    readable: bool


class _Progress:
    """Advances a ``progress`` callback to exactly ``total`` over both passes, however they end."""

    def __init__(self, progress: Callable[[int], Any] | None, total: int) -> None:
        self._progress, self._total, self._done = progress, total, 0

    def advance(self, size: int) -> None:
        size = min(size, self._total - self._done)
        if self._progress is not None and size > 0:
            self._done += size
            self._progress(size)

    def finish(self) -> None:
        self.advance(self._total - self._done)

    @property
    def left(self) -> int:
        return self._total - self._done


def compile_streamed(folder: Path, expected: str, files: Iterable[ParsedFile], total: int,
                     progress: Callable[[int], Any] | None, key: Callable[[], str]) -> str | None:
    """Check ``files`` and compile them into a folder of ``folder`` named after ``key()``, asked
    once every file has been read, so that it names the bytes that were parsed (``expected``,
    unless a file changed since it was hashed); return that key.

    None when the cache cannot be written (the caller answers from memory); raises ``Invalid``
    on the first problem.
    """
    ticks = _Progress(progress, total)
    try:
        building = make_building(folder / entry_name(expected))
        if building is None:
            return None
        try:
            with Builder(building) as builder:
                check = _Check()
                for file in files:
                    check.add_file(file, builder)
                    ticks.advance(int(file.size * _FIRST_PASS_SHARE))
                builder.end_trials()
                final = key()
                meta = check.meta()
                check.check_others()
                step = ticks.left // max(1, builder.count // 1000)
                builder.finish(meta, sorted(check.countries), final,
                               _ticking(check.checked_trials(builder), ticks, step))
                check.check_outcomes()
                install(building, folder / entry_name(final))
            return final
        except OSError:
            return None
        finally:
            shutil.rmtree(building, ignore_errors=True)
    finally:
        ticks.finish()


def _ticking(trials: Iterator[Trial], ticks: _Progress, step: int) -> Iterator[Trial]:
    for count, trial in enumerate(trials, start=1):
        if count % 1000 == 0:
            ticks.advance(step)
        yield trial


class _Check:
    """What ``validate.assemble`` checks across records, fed a file at a time."""

    def __init__(self) -> None:
        self.ids: dict[str, set[str]] = {name: set() for name in COLLECTIONS}
        self.others: dict[str, list[rules.Located]] = {name: [] for name in COLLECTIONS if name != "trials"}
        self.info: dict[str, Any] | None = None
        self.info_file = ""
        self.countries: set[str] = set()
        # Each registry number's first trial's numbers, as a sorted tuple (smaller than a set).
        self._owner: dict[str, tuple[str, ...]] = {}
        self._evidence: dict[str, rules.Located] = {}
        self._wanted: set[str] = set()

    def add_file(self, file: ParsedFile, builder: Builder) -> None:
        if not file.readable:
            raise Invalid(file.name)
        problems: list[Problem] = []
        checked = check_file(file.name, file.data, problems)
        if problems:
            raise Invalid(file.name)
        for collection, entries in checked.items():
            if collection == "dataset":
                if self.info is not None:
                    raise Invalid(file.name)
                self.info, self.info_file = entries[0][0], file.name
                continue
            for record, _ in entries:
                self._new_id(record["id"], collection)
            if collection == "trials":
                for record, _ in entries:
                    self._numbers(record)
                    self.countries.update(record["countries"])
                builder.add_trials(record for record, _ in entries)
            else:
                self.others[collection].extend(rules.Located(record, collection, file.name, line)  # type: ignore[arg-type]
                                               for record, line in entries)

    def _new_id(self, record_id: str, collection: str) -> None:
        if any(record_id in ids for ids in self.ids.values()):
            raise Invalid(f"duplicate id {record_id}")
        self.ids[collection].add(record_id)

    def _numbers(self, trial: Trial) -> None:
        """``validate._check_shared_numbers`` for one more trial, in dataset order."""
        mine = tuple(sorted({canonical_id(r["id"]) or r["id"] for r in trial["registrations"]}))
        for number in mine:
            theirs = self._owner.setdefault(number, mine)
            if theirs is mine:
                continue
            mine_set, theirs_set = set(mine), set(theirs)
            if not (mine_set <= theirs_set or theirs_set <= mine_set):
                raise Invalid(f"registry number {number}")

    def meta(self) -> Dataset:
        """Every collection but the trials, as ``MemoryStore.meta`` holds them."""
        if self.info is None:
            raise Invalid("no dataset section")
        rules.check_date(self.info.get("reviewed"), _refuse)
        meta: dict[str, Any] = {"dataset": self.info}
        for name in COLLECTIONS:
            meta[name] = [] if name == "trials" else [entry.record for entry in self.others[name]]
        for outcome in self.others["outcomes"]:
            self._wanted.add(outcome.record["evidence"])
            if outcome.record["certainty"] is not None:
                self._wanted.add(outcome.record["certainty"]["source"])
        return meta  # type: ignore[return-value]

    def check_others(self) -> None:
        for entries in self.others.values():
            for entry in entries:
                rules.check_record(entry, self.ids, _refuse)

    def checked_trials(self, builder: Builder) -> Iterator[Trial]:
        """The trials read back, each given once ``rules.check_record`` passes it."""
        wanted = self._wanted & self.ids["trials"]
        for trial in builder.read_back():
            entry = rules.Located(trial, "trials", "", None)  # type: ignore[arg-type]
            rules.check_record(entry, self.ids, _refuse)
            if trial["id"] in wanted:
                self._evidence[trial["id"]] = entry
            yield trial

    def check_outcomes(self) -> None:
        by_id = {entry.record["id"]: entry for entries in self.others.values() for entry in entries}
        by_id.update(self._evidence)
        for outcome in self.others["outcomes"]:
            rules.check_outcome(outcome.record, by_id, _refuse)


def _refuse(message: str, field: str | None = None) -> None:
    raise Invalid(message)
