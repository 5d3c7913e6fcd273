"""Find, read, validate and cache a dataset.

Parsing and validating YAML is the slowest thing mscli does, so a validated dataset is compiled
into the user's cache (see ``store``), keyed on the bytes of every file plus the mscli version:
an edited file always misses the cache, and a missing, corrupt or unwritable cache only costs
time. To skip reading and hashing every file on every run, the key last computed for a dataset
path is remembered with each file's size, inode and times; it is trusted only while all of
those are unchanged and were already in the past when the key was computed.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mscli import __version__
from mscli.errors import DatasetError, DatasetPathError, Problem
from mscli.loading.forms import DATA_SUFFIXES, check_text
from mscli.loading.forms import DataFile as DataFile
from mscli.loading.forms import decode as decode
from mscli.loading.forms import parse_text as parse_text
from mscli.loading.store import CACHE_FORMAT, MemoryStore, Store, countries_in, entry_name, open_compiled

if TYPE_CHECKING:
    from mscli.model.records import Dataset

MAX_FILES = 10_000
MAX_FILE_BYTES = 16 * 1024 * 1024
ENV_DATA = "MSCLI_DATA"
ENV_CACHE = "MSCLI_CACHE_DIR"
ENV_USER_DATA = "MSCLI_USER_DATA"


def bundled_data_dir() -> Path:
    """The dataset shipped with mscli: inside the wheel, or ``data/`` in a source checkout."""
    packaged = Path(__file__).resolve().parents[1] / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "data"


def user_data_dir() -> Path | None:
    """Where ``mscli import`` puts records: ``$MSCLI_USER_DATA``, else the XDG data directory."""
    return _user_dir(ENV_USER_DATA, "XDG_DATA_HOME", ".local", "share")


def _user_dir(override: str, xdg: str, *under_home: str) -> Path | None:
    """``$override``, else ``$xdg/mscli``, else ``~/<under_home>/mscli``; None with no home."""
    if os.environ.get(override):
        return Path(os.environ[override])
    if os.environ.get(xdg):
        return Path(os.environ[xdg]) / "mscli"
    home = os.path.expanduser("~")
    return Path(home, *under_home, "mscli") if home != "~" else None


def _chosen_path(option: str | None) -> str | None:
    return option if option is not None else os.environ.get(ENV_DATA) or None


def resolve_path(option: str | None) -> Path:
    """The dataset path from ``--data``, else ``$MSCLI_DATA``, else the bundled one."""
    chosen = _chosen_path(option)
    if chosen is None:
        return bundled_data_dir()
    if not chosen.strip():
        raise DatasetPathError("--data: empty path")
    return Path(chosen)


def dataset_entries(option: str | None) -> list[tuple[Path, str]]:
    """The files to load: a chosen dataset alone, or the bundled one plus the user's own.

    Records the user imported live in the user data directory, so that a new mscli version
    never loses them; they are read after the bundled files and named by their full path.
    """
    chosen = resolve_path(option)
    entries = list_files(chosen)
    if _chosen_path(option) is not None and _is_import_folder(chosen, entries):
        # A folder written by 'import ctgov --into DIR' holds only imported/ records, which
        # cite the bundled therapies: read it on top of the bundled dataset, as the import did.
        return list_files(bundled_data_dir()) + [(file, str(file)) for file, _ in entries]
    user = user_data_dir() if _chosen_path(option) is None else None
    if user is None or not user.is_dir():
        return entries
    return entries + [(file, str(file)) for file in _data_files_under(user)]


def _is_import_folder(path: Path, entries: list[tuple[Path, str]]) -> bool:
    return path.is_dir() and bool(entries) and all(
        file.relative_to(path).parts[0] == "imported" for file, _ in entries)


def dataset_files(option: str | None) -> list[DataFile]:
    return [_read_one(path, name) for path, name in dataset_entries(option)]


def data_locations(option: str | None) -> list[Path]:
    """Where the dataset is read from, for ``mscli info``: the user directory when it is used."""
    user = user_data_dir()
    if _chosen_path(option) is None and user is not None and user_files(user):
        return [resolve_path(option), user]
    return [resolve_path(option)]


def user_files(root: Path | None) -> list[DataFile]:
    """The data files of the user data directory; none when it does not exist yet."""
    if root is None or not root.is_dir():
        return []
    return [_read_one(file, str(file)) for file in _data_files_under(root)]


def read_files(path: Path) -> list[DataFile]:
    """Read every data file (``.yaml``, ``.yml``, ``.json``) of a dataset file or directory, sorted."""
    return [_read_one(file, name) for file, name in list_files(path)]


def list_files(path: Path) -> list[tuple[Path, str]]:
    """Every data file of a dataset file or directory, with the name messages use for it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DatasetPathError(f"{path}: no such file or directory") from None
    except OSError as error:
        raise DatasetPathError(f"{path}: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        files = _data_files_under(path)
        if not files:
            raise DatasetPathError(f"{path}: no data files (.yaml, .yml or .json) in this directory")
        return [(file, str(file.relative_to(path))) for file in files]
    return [(path, path.name)]


def _data_files_under(root: Path) -> list[Path]:
    found: list[Path] = []

    def fail(error: OSError) -> None:
        raise DatasetPathError(f"{error.filename}: {error.strerror or error}")

    for folder, subfolders, names in os.walk(root, onerror=fail, followlinks=False):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in names:
            if name.endswith(DATA_SUFFIXES) and not name.startswith("."):
                found.append(Path(folder) / name)
        if len(found) > MAX_FILES:
            raise DatasetPathError(f"{root}: more than {MAX_FILES} data files")
    return sorted(found)


def _read_one(path: Path, name: str) -> DataFile:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DatasetPathError(f"{path}: not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise DatasetPathError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        with path.open("rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DatasetPathError(f"{path}: {error.strerror or error}") from None
    if len(content) > MAX_FILE_BYTES:
        raise DatasetPathError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return DataFile(name, content)


def check(files: list[DataFile], progress: Callable[[int], Any] | None = None,
          base: Dataset | None = None) -> tuple[Dataset, list[Problem]]:
    """Parse and validate; return the dataset and every problem found (empty when valid).

    ``progress`` is called with the byte count of each file once it has been parsed. ``base``
    is a dataset already found valid, read before the files and checked with them only in
    the checks that span records; its records have no file or line, so a caller that needs
    a problem's exact wording checks every file again when there is one.
    """
    from mscli.loading.validate import assemble
    from mscli.loading.yamlsafe import YamlProblem

    problems: list[Problem] = []
    checked = []
    unreadable = 0
    for file in _reporting(files, progress):
        try:
            text = decode(file)
        except DatasetError as error:
            problems.extend(error.problems)
            unreadable += 1
            continue
        if not text.strip() or all(line.lstrip().startswith("#") or not line.strip()
                                   for line in text.splitlines()):
            problems.append(Problem(file.name, "file is empty; expected a mapping with therapies/trials/sources"))
            unreadable += 1
            continue
        try:
            collections = check_text(file.name, text, problems)
        except YamlProblem as error:
            problems.append(Problem(file.name, error.message, error.line))
            unreadable += 1
            continue
        checked.append((file.name, collections))
    # References into a file that could not be read would all look dangling: skip those checks.
    dataset = assemble(checked, problems, check_references=unreadable == 0, base=base)
    return dataset, problems


def _reporting(files: list[DataFile], progress: Callable[[int], Any] | None) -> Iterator[DataFile]:
    """Yield each file; once the caller is done with it, report its size to ``progress``."""
    for file in files:
        yield file
        if progress is not None:
            progress(len(file.content))


def cache_dir() -> Path | None:
    return _user_dir(ENV_CACHE, "XDG_CACHE_HOME", ".cache")


_KEY_FORMAT = f"mscli {__version__} cache {CACHE_FORMAT}"


def cache_key(files: Iterable[DataFile]) -> str:
    digest = _key_digest()
    for file in files:
        _digest_file(digest, file)
    return str(digest.hexdigest())


def _key_digest() -> Any:
    import hashlib

    return hashlib.sha256(f"{_KEY_FORMAT}\n".encode())


def _digest_file(digest: Any, file: DataFile) -> DataFile:
    digest.update(f"{len(file.name)}:{file.name}:{len(file.content)}:".encode())
    digest.update(file.content)
    return file


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either its old bytes or all the new ones."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def fingerprint(files: Sequence[tuple[str | os.PathLike[str], str]]) -> list[list[Any]] | None:
    """Name, size, inode and times of each file; None if one cannot be read."""
    try:
        return [[name, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
                for path, name in files for info in (os.stat(path),)]
    except OSError:
        return None


def _remembered_path(folder: Path, root: Path) -> Path:
    import zlib

    text = str(root.resolve())
    return folder / "paths" / f"{zlib.crc32(text.encode('utf-8', 'surrogateescape')):08x}-{len(text)}.json"


def remembered_key(memo: Path, root: Path, seen: list[list[Any]] | None, form: str) -> str | None:
    """The key ``remember_key`` kept in ``memo`` for the files of ``root``, if they are still as ``seen``."""
    if seen is None:
        return None
    try:
        saved = json.loads(memo.read_bytes())
        if saved["root"] == str(root.resolve()) and saved["files"] == seen and saved["format"] == form:
            key = saved["key"]
            return key if isinstance(key, str) and len(key) == 64 else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def remember_key(memo: Path, root: Path, seen: list[list[Any]] | None, key: str, hashed_at_ns: int,
                 form: str) -> None:
    """Remember ``key`` for files ``seen`` (``fingerprint``) as they were when hashed from
    ``hashed_at_ns``, unless one changed so recently that a same-size edit could hide."""
    if seen is None or any(max(entry[3], entry[4]) >= hashed_at_ns - 2_000_000_000 for entry in seen):
        return
    payload = {"root": str(root.resolve()), "files": seen, "key": key, "format": form}
    with contextlib.suppress(OSError):
        write_atomically(memo, json.dumps(payload).encode("utf-8"))


def open_store(data_option: str | None = None, *, use_cache: bool = True,
               on_cold_load: Callable[[int], Callable[[int], Any] | None] | None = None) -> Store:
    """Open a valid dataset, or raise ``DatasetError`` with every problem found.

    When the cache misses, ``on_cold_load`` is called with the number of bytes about to be
    parsed and may return a progress callback (see ``check``), so a caller can draw progress.
    """
    root = resolve_path(data_option)
    entries = dataset_entries(data_option)
    cache = cache_dir() if use_cache else None
    if cache is None:
        return _parse([_read_one(path, name) for path, name in entries], on_cold_load)
    folder: Path = cache
    hashed_at = time.time_ns()
    seen = fingerprint(entries)
    remembered = remembered_key(_remembered_path(folder, root), root, seen, _KEY_FORMAT)
    key = remembered or cache_key(_read_one(path, name) for path, name in entries)

    def rebuild() -> MemoryStore:
        """The plain way, all in memory: for a damaged folder, and to name a dataset's problems."""
        from mscli.loading.compiling import compile_to, prune_cache, reclaim_temporary

        files = [_read_one(path, name) for path, name in entries]
        fresh = _parse(files, on_cold_load)
        reclaim_temporary(folder)
        compile_to(folder / entry_name(cache_key(files)), fresh)
        prune_cache(folder, keep=entry_name(cache_key(files)))
        return fresh

    store = open_compiled(folder / entry_name(key), rebuild) or _cold_load(
        folder, key, entries, sum(entry[1] for entry in seen or []), on_cold_load, rebuild)
    if not remembered:
        remember_key(_remembered_path(folder, root), root, seen, key, hashed_at, _KEY_FORMAT)
    return store


def _cold_load(folder: Path, key: str, entries: list[tuple[Path, str]], total: int,
               on_cold_load: Callable[[int], Callable[[int], Any] | None] | None,
               rebuild: Callable[[], MemoryStore]) -> Store:
    """Compile file by file (``coldload``) and answer from it; from memory if the cache is unwritable."""
    from mscli.loading.coldload import Invalid, compile_first_load
    from mscli.loading.compiling import prune_cache, reclaim_temporary

    def read() -> tuple[Iterator[DataFile], Callable[[], str]]:
        digest = _key_digest()  # of the bytes parsed, a few files held at a time (a file may change meanwhile)
        return (_digest_file(digest, _read_one(path, name)) for path, name in entries), \
            lambda: str(digest.hexdigest())

    reclaim_temporary(folder)
    try:
        built = compile_first_load(folder, key, read, total, on_cold_load)
    except Invalid:
        return rebuild()  # so that ``check`` names the problems
    if built is None:
        return _parse([_read_one(path, name) for path, name in entries], on_cold_load)
    prune_cache(folder, keep=entry_name(built))
    return open_compiled(folder / entry_name(built), rebuild) or rebuild()


def load(data_option: str | None = None, *, use_cache: bool = True,
         on_cold_load: Callable[[int], Callable[[int], Any] | None] | None = None) -> Dataset:
    """The whole of a valid dataset (see ``open_store``)."""
    return open_store(data_option, use_cache=use_cache, on_cold_load=on_cold_load).dataset()


def _parse(files: list[DataFile], on_cold_load: Callable[[int], Callable[[int], Any] | None] | None) -> MemoryStore:
    progress = on_cold_load(sum(len(file.content) for file in files)) if on_cold_load else None
    dataset, problems = check(files, progress)
    if problems:
        raise DatasetError(problems)
    return MemoryStore(dataset, countries_in(dataset))
