"""Write imported trials into a user dataset directory without ever leaving it broken.

Each study becomes one file, ``imported/<id>.yaml``, or ``imported/<id>.json`` in the JSON form
(``form="json"``: one record per line, and several times faster to load at scale than YAML).
Before anything is written, every new file is validated together with the bundled dataset and
the records already in the directory, exactly as mscli will load them later; a file that fails
is skipped and none of it is written. Files are written atomically (temp file, fsync, rename)
and read back. An existing record, in either form, is replaced only when the caller forces it;
a record replaced in the other form leaves no file of the old form behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mscli.errors import DatasetError, InputError, Problem
from mscli.features import ctgov
from mscli.loading import dataset, yamlemit
from mscli.queries.core import normalise_key

if TYPE_CHECKING:
    from mscli.loading.store import Store
    from mscli.model.records import Dataset

IMPORTED_FOLDER = "imported"
FORMS = ("yaml", "json")
_HEADER = (b"# Imported by 'mscli import ctgov' from ClinicalTrials.gov API v2 JSON.\n"
           b"# Not reviewed by the mscli editors: values are the registry's, as converted.\n")


class ImportRow:
    """What happened to one study (or one unreadable file) of the input.

    ``action`` is added, changed, unchanged or skipped; ``note`` says what an imported record
    lacks (a ``fields=``-restricted download). A plain class rather than a dataclass, which takes
    half a millisecond of every import's start-up to build.
    """

    __slots__ = ("file", "study", "action", "trial", "therapy", "path", "reason", "note")

    def __init__(self, file: str, study: str | None, action: str, trial: str | None = None,
                 therapy: str | None = None, path: str | None = None, reason: str | None = None,
                 note: str | None = None) -> None:
        self.file, self.study, self.action, self.trial = file, study, action, trial
        self.therapy, self.path, self.reason, self.note = therapy, path, reason, note

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class _Pending(NamedTuple):
    row: ImportRow
    path: Path
    content: bytes
    replaces: Path | None = None  # the same record's file in the other form, removed once written


def import_ctgov(inputs: list[Path], into: Path, force: bool, today: str, dry_run: bool = False,
                 progress: Callable[[int, int], None] | None = None, form: str = "yaml") -> list[ImportRow]:
    """Import every study found in ``inputs`` into ``into``; one row per study, in input order.

    With ``dry_run`` everything is read, converted and validated but nothing is written, so
    the rows say what an import would do. ``progress`` is told (bytes read, bytes in all).
    """
    for path in inputs:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    if form not in FORMS:
        raise InputError(f"--form {form}: not one of {', '.join(FORMS)}")
    if into.exists() and not into.is_dir():
        raise InputError(f"--into {into}: not a directory")
    bundled = dataset.open_store(str(dataset.bundled_data_dir()))
    therapies = {therapy["id"] for therapy in bundled.meta["therapies"]}
    rows: list[ImportRow] = []
    pending: list[_Pending] = []
    first_seen: dict[str, str] = {}
    files = [file for path in inputs for file in ctgov.input_files(path)]
    total = sum(file.stat().st_size for file in files if file.is_file())
    done = 0

    def studies() -> Any:
        nonlocal done
        for file in files:
            tell = (lambda read, base=done: progress(base + read, total)) if progress else None
            yield from ctgov.read_studies(file, tell)
            done += file.stat().st_size if file.is_file() else 0
            if progress:
                progress(done, total)

    for found in studies():
        if found.problem is not None:
            rows.append(ImportRow(found.file, None, "skipped", reason=found.problem))
            continue
        try:
            converted = ctgov.convert(found.study, today, therapies)
        except ctgov.Unusable as error:
            rows.append(ImportRow(found.file, _nct_of(found.study), "skipped", reason=str(error)))
            continue
        row = ImportRow(found.file, converted.nct_id, "added", converted.trial["id"],
                        converted.trial["therapy"], note=f"the record lacks {', '.join(converted.lacks)}; "
                        "imported with what it holds" if converted.lacks else None)
        rows.append(row)
        if converted.nct_id in first_seen:
            _skip(row, f"the same study is also in {first_seen[converted.nct_id]}; that one was used")
            continue
        first_seen[converted.nct_id] = found.file
        clash = _bundled_owner(bundled, [converted.trial["id"], *(r["id"] for r in converted.trial["registrations"])])
        if clash is not None:
            _skip(row, f"already in the bundled dataset as {clash}")
            continue
        target = into / IMPORTED_FOLDER / f"{converted.trial['id']}.{form}"
        row.path = str(target)
        least = text_bytes(converted)
        content = render_file(converted, form) if least <= dataset.MAX_FILE_BYTES else b""
        if max(least, len(content)) > dataset.MAX_FILE_BYTES:
            _skip(row, f"its record would be a file of {max(least, len(content)) / (1024 * 1024):.0f} MB, over "
                  f"the {dataset.MAX_FILE_BYTES // (1024 * 1024)} MB mscli reads")
            continue
        other = target.with_suffix(".yaml" if form == "json" else ".json")
        existing = target if target.exists() or target.is_symlink() or not other.is_file() else other
        decision = _against_existing(existing, content, target.name, force)
        if decision is not None:
            row.action = decision
            if decision == "skipped":
                row.reason = ("exists" if existing == target else f"exists as {existing.name}") + \
                    "; use --force to replace it"
            if decision in ("skipped", "unchanged"):
                continue
        pending.append(_Pending(row, target, content, existing if existing != target else None))
    _within_file_limit(pending, into)
    _validate(pending, into, bundled)
    for item in pending:
        if item.row.action != "skipped" and not dry_run:
            _write(item)
    return rows


def _bundled_owner(bundled: Store, names: list[str]) -> str | None:
    """The bundled trial whose id or registration number is one of ``names``, if any.

    The store's name index answers for each name without reading every trial; it also holds
    aliases and acronyms, which a new trial may share, so a trial it names must claim the name
    as its id or registration number.
    """
    def owner(store: Store) -> str | None:
        for key in map(normalise_key, names):
            if not store.trial_positions_named(key):
                continue
            for trial in store.trials_named(key) or store.trials():
                if key in map(normalise_key, [trial["id"], *(r["id"] for r in trial["registrations"])]):
                    return trial["id"]
        return None

    return bundled.searching(owner)


def _within_file_limit(pending: list[_Pending], into: Path) -> None:
    """Skip the new files past the number of data files the loader reads from one folder."""
    existing = {str(file.name) for file in dataset.user_files(into)}
    room = dataset.MAX_FILES - len(existing)
    for item in pending:
        if str(item.path) in existing or str(item.replaces) in existing:
            continue
        if room <= 0:
            _skip(item.row, f"{into} would hold more than the {dataset.MAX_FILES:,} data files mscli reads")
            continue
        room -= 1


def _nct_of(study: Any) -> str | None:
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value[:40] if isinstance(value, str) else None


def _skip(row: ImportRow, reason: str) -> None:
    row.action, row.reason = "skipped", reason


def render_file(converted: ctgov.Converted, form: str = "yaml") -> bytes:
    """The file of one imported trial with its sources; empty fields are left out.

    JSON has no comments, so the JSON form goes without the YAML form's header.
    """
    document = {"trials": [_compact(converted.trial)], "sources": [_compact(s) for s in converted.sources]}
    if form == "json":
        from mscli.loading.jsonsafe import dumps

        return dumps(document).encode("utf-8")
    text = yamlemit.dump(document)
    if text is None:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper) if _libyaml_writes_alike(document) else yaml.SafeDumper
        text = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=yamlemit.WIDTH)
    return _HEADER + text.encode("utf-8")


def _libyaml_writes_alike(document: Any) -> bool:
    """Whether libyaml's C emitter (about five times faster) writes exactly the bytes of PyYAML's.

    Only strings, numbers, booleans, lists and mappings are judged; anything else is left to
    PyYAML's own emitter, as is any text with a character of ``yamlemit.UNALIKE`` or past U+FFFD,
    or with a space next to a line break (both double-quote it, but fold it at different places).
    """
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if value and (max(value) > "\ufffd" or not yamlemit.UNALIKE.isdisjoint(value)
                          or " \n" in value or "\n " in value):
                return False
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.extend((key, item))
        elif isinstance(value, list):
            stack.extend(value)
        elif not isinstance(value, (int, float)):  # bool is an int
            return False
    return True


def text_bytes(converted: ctgov.Converted) -> int:
    """A floor under ``len(render_file(converted, form))`` in either form, found without rendering.

    The YAML or JSON of a record holds every key and string of it at least once, and never in
    fewer UTF-8 bytes (escapes, quotes and folds only add), so a record whose text alone is over the
    loader's limit is refused before PyYAML's pure-Python emitter spends tens of seconds on it.
    """
    total = 0
    stack: list[Any] = [converted.trial, *converted.sources]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, dict):  # keys of empty values are left out of the file, so not counted
            for key, item in value.items():
                if item is not None and item != []:
                    stack.extend((key, item))
        elif isinstance(value, list):
            stack.extend(value)
    return total


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {key: _compact(value) if isinstance(value, dict) else
            [_compact(item) if isinstance(item, dict) else item for item in value] if isinstance(value, list)
            else value for key, value in record.items() if value is not None and value != []}


def _against_existing(target: Path, content: bytes, name: str, force: bool) -> str | None:
    """``unchanged``, ``changed`` (forced), ``skipped`` (not forced) or None for a new file.

    ``target`` is the record's file, ``content`` the new file (named ``name``). Records that
    differ only in their ``reviewed`` date (the day of import) are unchanged, unless the file is
    in the other form and forced: then it is rewritten in the form asked for.
    """
    if not target.exists() and not target.is_symlink():
        return None
    try:
        old = target.read_bytes() if target.is_file() else None
    except OSError:
        old = None
    same_form = target.suffix == Path(name).suffix
    if (old is not None and (same_form or not force)
            and _without_reviewed(_parsed(target.name, old)) == _without_reviewed(_parsed(name, content))):
        return "unchanged"
    return "changed" if force and target.is_file() else "skipped"


def _parsed(name: str, content: bytes) -> Any:
    from mscli.loading.yamlsafe import YamlProblem

    try:
        return dataset.parse_text(name, content.decode("utf-8"))
    except (UnicodeDecodeError, YamlProblem):
        return None


def _without_reviewed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_reviewed(item) for key, item in value.items() if key != "reviewed"}
    if isinstance(value, list):
        return [_without_reviewed(item) for item in value]
    return value


def _validate(pending: list[_Pending], into: Path, bundled: Store) -> None:
    """Check the new files with everything they will be loaded with; skip those with problems.

    A problem in a file that is not new means the directory was broken already: nothing is
    written and the problems are raised.

    The bundled dataset (``bundled``, its compiled store when there is one) was valid when it
    was read, so at first only the user's files are parsed, and checked with its records in the
    checks that span records. Only when that finds a problem is every file parsed and checked
    again, so that each problem names the file and line it would name in ``mscli validate``.
    A check that finds nothing is remembered as ``mscli validate`` remembers one (``verdicts``),
    keyed on the bundled files' content key and the names and bytes of the user's files, so a
    dry run followed by the import checks the same files once.
    """
    from mscli.loading import verdicts

    existing = dataset.user_files(into)
    every_file: list[dataset.DataFile] | None = None
    base: Dataset | None = None
    while True:
        live = [item for item in pending if item.row.action != "skipped"]
        new = {str(item.path): item for item in live}
        replaced = {str(item.replaces) for item in live if item.replaces is not None}
        user = sorted([file for file in existing if file.name not in new and file.name not in replaced]
                      + [dataset.DataFile(name, item.content) for name, item in new.items()],
                      key=lambda file: file.name)
        key = verdicts.verdict_key(user, base=bundled.key) if bundled.key is not None else None
        if verdicts.is_remembered_valid(key):
            return
        base = base or bundled.dataset()
        _, problems = dataset.check(user, base=base)
        if problems:
            every_file = every_file or dataset.read_files(dataset.bundled_data_dir())
            _, problems = dataset.check(every_file + user)
        failed: dict[str, Problem] = {}
        for problem in problems:
            if problem.file in new:
                failed.setdefault(problem.file, problem)
        if not failed:
            if problems:
                raise DatasetError(problems)
            verdicts.remember_valid(key)
            return
        for name, problem in failed.items():
            where = " ".join(part for part in (problem.field,) if part)
            _skip(new[name].row, f"does not validate: {where + ': ' if where else ''}{problem.message}")


def _write(item: _Pending) -> None:
    try:
        dataset.write_atomically(item.path, item.content)
        written = item.path.read_bytes()
    except OSError as error:
        _skip(item.row, f"cannot write: {error.strerror or error}")
        return
    if written != item.content:
        _skip(item.row, "the file read back differs from what was written")
        return
    if item.replaces is not None:
        try:
            item.replaces.unlink()
        except OSError as error:
            item.row.note = f"could not remove {item.replaces.name}, the record's file in the other form: " \
                f"{error.strerror or error}; remove it, or the record is defined twice"
