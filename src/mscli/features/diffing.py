"""What changed between two datasets: records added, removed and changed, field by field.

Records are matched by collection and id, so a renamed id reads as one removal and one
addition. Nested mappings are compared key by key and named by dotted path
(``design.blinding``); lists are compared whole, because their items (enrolment figures,
registrations) have no identity of their own. The dataset's own metadata (version, review date)
is compared as a record with collection ``dataset``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mscli.errors import DatasetError, Problem
from mscli.model.vocabularies import COLLECTION_NAMES

if TYPE_CHECKING:  # the output shapes only type the report (importing them is 17M instructions)
    from mscli.loading.dataset import DataFile
    from mscli.model.outputs import ChangedRecord, Diff, FieldChange, RecordRef
    from mscli.model.records import Dataset


def load_pair(old: str, new: str, use_cache: bool = True) -> tuple[Dataset, Dataset] | None:
    """Both datasets, each validated: two paths holding the same files' names and bytes are
    parsed once, and not read at all when they are remembered valid (None: the same dataset).

    A side is read from its compiled store instead of its YAML only when two things hold: a
    "valid" verdict is remembered for exactly its files under this very code, PyYAML, Python
    and date (``verdicts``), and a compiled folder named for exactly those bytes exists and
    passes its checks. A changed rule therefore never hides behind the cache, and a dataset
    read on top of the bundled one, or with the user's imported records, is never mistaken
    for another. A side that is parsed and found valid has its verdict remembered.
    """
    from mscli.loading import dataset, verdicts

    old_files, new_files = dataset.dataset_files(old), dataset.dataset_files(new)
    same = new_files == old_files
    old_key = verdicts.verdict_key(old_files) if use_cache else None
    if same and verdicts.is_remembered_valid(old_key):
        return None
    before = _load(old, old_files, old_key)
    if same:
        return before, before
    return before, _load(new, new_files, verdicts.verdict_key(new_files) if use_cache else None)


def _load(path: str, files: list[DataFile], key: str | None) -> Dataset:
    from mscli.loading import dataset, verdicts

    if verdicts.is_remembered_valid(key):
        compiled = _compiled(files)
        if compiled is not None:
            return compiled
    checked, problems = dataset.check(files)
    if problems:
        # With two datasets a bare ``data.yaml`` would not say which one is broken.
        folder = Path(path) if Path(path).is_dir() else Path(path).parent
        raise DatasetError([Problem(str(folder / problem.file), problem.message, problem.line, problem.record,
                                    problem.field) for problem in problems])
    verdicts.remember_valid(key)
    return checked


def _compiled(files: list[DataFile]) -> Dataset | None:
    """The dataset of ``files`` from its compiled folder, or None when there is none to trust."""
    from mscli.loading import dataset
    from mscli.loading.store import CacheMiss, entry_name, open_compiled

    cache = dataset.cache_dir()
    if cache is None:
        return None

    def damaged() -> Any:
        raise CacheMiss(cache)

    store = open_compiled(cache / entry_name(dataset.cache_key(files)), damaged)
    if store is None:
        return None
    try:
        return store.dataset()
    except CacheMiss:
        return None


def diff(old: Dataset, new: Dataset, old_name: str, new_name: str) -> Diff:
    """Records added, removed and changed from ``old`` to ``new`` (see ``no_differences`` for
    the same dataset on both sides)."""
    added: list[RecordRef] = []
    removed: list[RecordRef] = []
    changed: list[ChangedRecord] = []
    meta_changes = field_changes(dict(old["dataset"]), dict(new["dataset"]))
    if meta_changes:
        changed.append({"collection": "dataset", "id": "dataset", "title": new["dataset"]["title"],
                        "changes": meta_changes})
    for collection in COLLECTION_NAMES:
        before = {record["id"]: record for record in old[collection]}
        after = {record["id"]: record for record in new[collection]}
        for record_id, record in after.items():
            if record_id not in before:
                added.append(_ref(collection, record))
        for record_id, record in before.items():
            if record_id not in after:
                removed.append(_ref(collection, record))
            else:
                changes = field_changes(dict(record), dict(after[record_id]))
                if changes:
                    changed.append({"collection": collection, "id": record_id,
                                    "title": _title(collection, after[record_id]), "changes": changes})
    return {"old": old_name, "new": new_name,
            "summary": {"added": len(added), "removed": len(removed), "changed": len(changed)},
            "added": added, "removed": removed, "changed": changed}


def no_differences(old_name: str, new_name: str) -> Diff:
    """The answer for the same dataset on both sides, which need not be read to know it."""
    return {"old": old_name, "new": new_name, "summary": {"added": 0, "removed": 0, "changed": 0},
            "added": [], "removed": [], "changed": []}


def field_changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[FieldChange]:
    """Every field whose value differs, nested mappings walked, in the order fields appear."""
    if old == new:  # most records of two releases are equal: one comparison in C, no walk
        return []
    changes: list[FieldChange] = []
    for key in [*old, *(key for key in new if key not in old)]:
        before, after = old.get(key), new.get(key)
        path = f"{prefix}{key}"
        if isinstance(before, dict) and isinstance(after, dict):
            changes += field_changes(before, after, path + ".")
        elif before != after:
            changes.append({"field": path, "old": before, "new": after})
    return changes


def has_differences(report: Diff) -> bool:
    return bool(report["added"] or report["removed"] or report["changed"])


def _ref(collection: str, record: Any) -> RecordRef:
    return {"collection": collection, "id": record["id"], "title": _title(collection, record)}


def _title(collection: str, record: Any) -> str:
    from mscli.model.kinds import title_of

    return title_of(collection, record)  # type: ignore[arg-type]
