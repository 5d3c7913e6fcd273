"""The first load of a dataset, compiled file by file so that it never holds every trial.

Parsing, validating and compiling 100,000 trials the plain way (``dataset.check``, then
``compiling.compile_to``) held them all as Python values at once, some 900 MB. Here each file
is parsed, checked and its trials written to the building folder (``compiling.Builder``) before
the next file is read; what is kept of a trial is what the cross-record checks and the index
need (its id, registry numbers, offset, CRC-32, indexed values and sort key) and its postings.
A reference to a record not met yet waits until every file has been read, and trials linked
to the glossary before it grew are read back from trials.jsonl and linked again
(``searchside.SearchSide``).

The checks here only decide *whether* the dataset is valid, by the same rules as
``validate.assemble`` (each finding is the same function's, or a streamed equivalent of
``_cross_check``'s duplicate ids and ``_check_shared_numbers``). On the first problem the build
stops and the caller runs ``dataset.check``, whose messages, in their order, are the ones
reported: errors are rare, so their path may be slow.
"""

from __future__ import annotations

import shutil
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from mscli.loading import rules
from mscli.loading.compiling import Builder, install, make_building
from mscli.loading.forms import DataFile, is_json, valid_records
from mscli.loading.searchside import WorkerLost, worth_a_worker
from mscli.loading.searchworker import NOT_CHECKED
from mscli.loading.store import entry_name
from mscli.loading.validate import claimed_numbers, shared_on_purpose
from mscli.model.records import COLLECTIONS, Dataset, Trial

# Of each file's bytes, the part the progress bar advances once the file is parsed, checked
# and its trials written; the rest advances when the folder is finished.
_FIRST_PASS_SHARE = 0.9
# Of the YAML bytes of a first load with a worker, the share the worker parses and checks.
# Turning libyaml's events into values is this process's largest cost, and the worker's search
# side leaves it room for about this much: in interleaved runs at 100,000 trials 0.28 was
# faster than 0.2, 1/3 or 0.38, and than a share that followed how often this process waited
# for an answer; the load took 0.85 of its time without. JSON-form files, which CPython's C
# scanner reads, are checked here: with those, the worker is as busy as this process.
_HANDED_SHARE = 0.28
# How many files are read ahead of the one being checked, so the worker has them in time.
_READ_AHEAD = 2


class Invalid(Exception):
    """The dataset has a problem: ``dataset.check`` must say which (the build is abandoned)."""


class ParsedFile(NamedTuple):
    """One data file as the first pass needs it: its name, size and valid records by collection
    (``forms.check_text``); None when it has a problem ``dataset.check`` will name."""

    name: str
    size: int
    checked: dict[str, list[Any]] | None
    kept: int | None = None  # the ticket of a worker that checked it and holds its trials


class _Progress:
    """Advances a ``progress`` callback to exactly ``total``, however the build ends."""

    def __init__(self, progress: Callable[[int], Any] | None, total: int) -> None:
        self._progress, self._total, self._done = progress, total, 0

    def advance(self, size: int) -> None:
        size = min(size, self._total - self._done)
        if self._progress is not None and size > 0:
            self._done += size
            self._progress(size)

    def finish(self) -> None:
        self.advance(self._total - self._done)


def compile_first_load(folder: Path, expected: str,
                       read: Callable[[], tuple[Iterable[DataFile], Callable[[], str]]], total: int,
                       on_cold_load: Callable[[int], Callable[[int], Any] | None] | None) -> str | None:
    """``compile_streamed`` of the files ``read()`` gives (with the key of their bytes), with a
    worker process where one is worth starting; if the worker is lost, again in this process,
    reading the files again and with a new progress bar."""
    def attempt(worker: bool) -> str | None:
        files, key = read()
        return compile_streamed(folder, expected, files, total, on_cold_load(total) if on_cold_load else None,
                                key, worker)

    try:
        return attempt(worth_a_worker(total))
    except WorkerLost:
        return attempt(False)


def compile_streamed(folder: Path, expected: str, files: Iterable[DataFile], total: int,
                     progress: Callable[[int], Any] | None, key: Callable[[], str],
                     worker: bool = False) -> str | None:
    """Check ``files`` and compile them into a folder of ``folder`` named after ``key()``, asked
    once every file has been read, so that it names the bytes that were parsed (``expected``,
    unless a file changed since it was hashed); return that key. With ``worker``, the search
    side is compiled in a worker process (``searchside``).

    None when the cache cannot be written (the caller answers from memory); raises ``Invalid``
    on the first problem, and ``searchside.WorkerLost`` if the worker fails (the caller
    compiles again without one).
    """
    ticks = _Progress(progress, total)
    try:
        building = make_building(folder / entry_name(expected))
        if building is None:
            return None
        try:
            with Builder(building, worker) as builder:
                check = _Check()
                for file in _checked_files(files, builder):
                    check.add_file(file, builder)
                    ticks.advance(int(file.size * _FIRST_PASS_SHARE))
                    del file  # or its values are held while the next file is parsed
                builder.end_trials()
                final = key()
                meta = check.finish(builder)
                builder.finish(meta, sorted(check.countries), final)
                install(building, folder / entry_name(final))
            return final
        except OSError:
            return None
        finally:
            shutil.rmtree(building, ignore_errors=True)
    finally:
        ticks.finish()


def _checked_files(files: Iterable[DataFile], builder: Builder) -> Iterator[ParsedFile]:
    """Each file with its valid records (``forms.valid_records``), in order: checked here, or by
    the builder's worker for a share of the YAML files, handed over a few files ahead of their
    turn so that both processes parse at once."""
    source, ahead = iter(files), deque[tuple[DataFile, int | None]]()
    seen = handed = 0  # YAML bytes

    def read_ahead() -> None:
        nonlocal seen, handed
        while len(ahead) <= _READ_AHEAD and (file := next(source, None)) is not None:
            ticket = None
            if not is_json(file.name):
                seen += len(file.content)
                if handed + len(file.content) <= _HANDED_SHARE * seen:
                    ticket = builder.hand_over(file)
                    handed += len(file.content) if ticket is not None else 0
            ahead.append((file, ticket))

    read_ahead()
    while ahead:
        file, ticket = ahead.popleft()
        read_ahead()
        checked = NOT_CHECKED if ticket is None else builder.handed_back(ticket)
        if checked is NOT_CHECKED:
            yield ParsedFile(file.name, len(file.content), valid_records(file))
        else:
            yield ParsedFile(file.name, len(file.content), checked, ticket)
        del file, checked  # or they are held while the next file is parsed


class _Known:
    """The ids of one collection as the first pass knows them: a reference to one not met yet is
    taken on trust and remembered, to be looked up once every file has been read."""

    def __init__(self, ids: Container[str], collection: str, pending: set[tuple[str, str]]) -> None:
        self._ids, self._collection, self._pending = ids, collection, pending

    def __contains__(self, value: object) -> bool:
        if value not in self._ids:
            self._pending.add((self._collection, str(value)))
        return True


class _Check:
    """What ``validate.assemble`` checks across records, fed a file at a time.

    A trial is checked (``rules.check_record``) as it is met, so it is never read again (but
    for relinking, ``SearchSide.glossary``); its references to records not met yet wait in
    ``_pending``.
    """

    def __init__(self) -> None:
        self.trial_at: dict[str, int] = {}  # each trial's position, by id
        self.ids: dict[str, Container[str]] = {name: set() for name in COLLECTIONS}
        self.ids["trials"] = self.trial_at
        self._pending: set[tuple[str, str]] = set()
        self._known = {name: _Known(ids, name, self._pending) for name, ids in self.ids.items()}
        self.others: dict[str, list[rules.Located]] = {name: [] for name in COLLECTIONS if name != "trials"}
        self.info: dict[str, Any] | None = None
        self.countries: set[str] = set()
        # Each registry number's first trial's numbers, as a sorted tuple (smaller than a set).
        self._owner: dict[str, frozenset[str]] = {}

    def add_file(self, file: ParsedFile, builder: Builder) -> None:
        checked = file.checked
        if checked is None:
            raise Invalid(file.name)
        trials = checked.pop("trials", [])
        for collection, entries in checked.items():
            if collection == "dataset":
                if self.info is not None:
                    raise Invalid(file.name)
                self.info = entries[0][0]
                continue
            for record, _ in entries:
                self._new_id(record["id"], collection)
            self.others[collection].extend(rules.Located(record, collection, file.name, line)  # type: ignore[arg-type]
                                           for record, line in entries)
            if collection == "glossary" and entries:
                builder.glossary([entry.record for entry in self.others["glossary"]])  # type: ignore[misc]
        for position, (record, line) in enumerate(trials, start=builder.count):
            self._new_id(record["id"], "trials")
            self.trial_at[record["id"]] = position
            rules.check_record(rules.Located(record, "trials", file.name, line), self._known,  # type: ignore[arg-type]
                               _refuse)
            self._numbers(record)
            self.countries.update(record["countries"])
        builder.add_trials((record for record, _ in trials), kept=file.kept)

    def _new_id(self, record_id: str, collection: str) -> None:
        if any(record_id in ids for ids in self.ids.values()):
            raise Invalid(f"duplicate id {record_id}")
        if collection != "trials":
            self.ids[collection].add(record_id)  # type: ignore[attr-defined]

    def _numbers(self, trial: Trial) -> None:
        """``validate._check_shared_numbers`` for one more trial, in dataset order."""
        mine = claimed_numbers(trial)
        for number in sorted(mine):
            theirs = self._owner.setdefault(number, mine)
            if theirs is not mine and not shared_on_purpose(mine, theirs):
                raise Invalid(f"registry number {number}")

    def finish(self, builder: Builder) -> Dataset:
        """The checks that need every record; every collection but the trials, as
        ``MemoryStore.meta`` holds them."""
        if self.info is None:
            raise Invalid("no dataset section")
        rules.check_date(self.info.get("reviewed"), _refuse)
        for entries in self.others.values():
            for entry in entries:
                rules.check_record(entry, self.ids, _refuse)  # type: ignore[arg-type]
        for collection, value in self._pending:
            if value not in self.ids[collection]:
                raise Invalid(f"unknown id {value}")
        self._check_outcomes(builder)
        meta: dict[str, Any] = {"dataset": self.info}
        for name in COLLECTIONS:
            meta[name] = [] if name == "trials" else [entry.record for entry in self.others[name]]
        return meta  # type: ignore[return-value]

    def _check_outcomes(self, builder: Builder) -> None:
        by_id = {entry.record["id"]: entry for entries in self.others.values() for entry in entries}
        outcomes = [entry.record for entry in self.others["outcomes"]]
        cited = {outcome["evidence"] for outcome in outcomes} | {
            outcome["certainty"]["source"] for outcome in outcomes if outcome["certainty"] is not None}
        wanted = sorted(self.trial_at[record_id] for record_id in cited if record_id in self.trial_at)
        by_id.update((trial["id"], rules.Located(trial, "trials", "", None))  # type: ignore[arg-type]
                     for _, trial in builder.read_back(wanted))
        for outcome in outcomes:
            rules.check_outcome(outcome, by_id, _refuse)


def _refuse(message: str, field: str | None = None) -> None:
    raise Invalid(message)
