"""Find, read, validate and cache a dataset.

Parsing and validating YAML is the slowest thing mscli does, so a validated dataset is kept
as JSON in the user's cache directory, keyed on the bytes of every file plus the mscli version:
an edited file always misses the cache, and a missing, corrupt or unwritable cache only costs
time. The cache is written atomically (temp file, fsync, rename), so no reader sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mscli import __version__
from mscli.errors import DatasetError, DatasetPathError, Problem
from mscli.model import Dataset

CACHE_FORMAT = 1
MAX_FILES = 10_000
MAX_FILE_BYTES = 16 * 1024 * 1024
ENV_DATA = "MSCLI_DATA"
ENV_CACHE = "MSCLI_CACHE_DIR"
ENV_USER_DATA = "MSCLI_USER_DATA"


@dataclass(frozen=True)
class DataFile:
    """One YAML file of a dataset: its name for messages, and its bytes."""

    name: str
    content: bytes


def bundled_data_dir() -> Path:
    """The dataset shipped with mscli: inside the wheel, or ``data/`` in a source checkout."""
    packaged = Path(str(resources.files("mscli"))) / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def user_data_dir() -> Path | None:
    """Where ``mscli import`` puts records: ``$MSCLI_USER_DATA``, else the XDG data directory."""
    explicit = os.environ.get(ENV_USER_DATA)
    if explicit:
        return Path(explicit)
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"]) / "mscli"
    home = os.path.expanduser("~")
    return Path(home) / ".local" / "share" / "mscli" if home != "~" else None


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


def dataset_files(option: str | None) -> list[DataFile]:
    """The files to load: a chosen dataset alone, or the bundled one plus the user's own.

    Records the user imported live in the user data directory, so that a new mscli version
    never loses them; they are read after the bundled files and named by their full path.
    """
    files = read_files(resolve_path(option))
    if _chosen_path(option) is not None:
        return files
    return files + user_files(user_data_dir())


def data_locations(option: str | None) -> list[Path]:
    """Where the dataset is read from, for ``mscli info``: the user directory when it is used."""
    user = user_data_dir()
    if _chosen_path(option) is None and user is not None and user_files(user):
        return [resolve_path(option), user]
    return [resolve_path(option)]


def user_files(root: Path | None) -> list[DataFile]:
    """The YAML files of the user data directory; none when it does not exist yet."""
    if root is None or not root.is_dir():
        return []
    return [_read_one(file, str(file)) for file in _yaml_files_under(root)]


def read_files(path: Path) -> list[DataFile]:
    """Read every ``.yaml``/``.yml`` file of a dataset file or directory, in sorted order."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DatasetPathError(f"{path}: no such file or directory") from None
    except OSError as error:
        raise DatasetPathError(f"{path}: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        files = _yaml_files_under(path)
        if not files:
            raise DatasetPathError(f"{path}: no .yaml or .yml files in this directory")
        return [_read_one(file, str(file.relative_to(path))) for file in files]
    return [_read_one(path, path.name)]


def _yaml_files_under(root: Path) -> list[Path]:
    found: list[Path] = []

    def fail(error: OSError) -> None:
        raise DatasetPathError(f"{error.filename}: {error.strerror or error}")

    for folder, subfolders, names in os.walk(root, onerror=fail, followlinks=False):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in names:
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                found.append(Path(folder) / name)
        if len(found) > MAX_FILES:
            raise DatasetPathError(f"{root}: more than {MAX_FILES} YAML files")
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


def decode(file: DataFile) -> str:
    """UTF-8 text of a file, with a located error for a BOM or bytes that are not UTF-8."""
    if file.content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise DatasetError([Problem(file.name, "starts with a byte-order mark; save as UTF-8 without BOM", 1)])
    try:
        return file.content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = file.content[: error.start].count(b"\n") + 1
        raise DatasetError([Problem(file.name, f"not valid UTF-8 (byte {error.start})", line)]) from None


def check(files: list[DataFile], progress: Callable[[int], Any] | None = None) -> tuple[Dataset, list[Problem]]:
    """Parse and validate; return the dataset and every problem found (empty when valid).

    ``progress`` is called with the byte count of each file once it has been parsed.
    """
    from mscli.validate import assemble, check_file
    from mscli.yamlload import YamlProblem, parse

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
            data = parse(text)
        except YamlProblem as error:
            problems.append(Problem(file.name, error.message, error.line))
            unreadable += 1
            continue
        checked.append((file.name, check_file(file.name, data, problems)))
    # References into a file that could not be read would all look dangling: skip those checks.
    dataset = assemble(checked, problems, check_references=unreadable == 0)
    return dataset, problems


def _reporting(files: list[DataFile], progress: Callable[[int], Any] | None) -> Iterator[DataFile]:
    """Yield each file; once the caller is done with it, report its size to ``progress``."""
    for file in files:
        yield file
        if progress is not None:
            progress(len(file.content))


def cache_dir() -> Path | None:
    explicit = os.environ.get(ENV_CACHE)
    if explicit:
        return Path(explicit)
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "mscli"
    home = os.path.expanduser("~")
    return Path(home) / ".cache" / "mscli" if home != "~" else None


def cache_key(files: list[DataFile]) -> str:
    digest = hashlib.sha256(f"mscli {__version__} cache {CACHE_FORMAT}\n".encode())
    for file in files:
        digest.update(f"{len(file.name)}:{file.name}:{len(file.content)}:".encode())
        digest.update(file.content)
    return digest.hexdigest()


def _read_cache(path: Path) -> Dataset | None:
    try:
        with path.open("rb") as handle:
            payload = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != CACHE_FORMAT:
        return None
    dataset = payload.get("dataset")
    return dataset if isinstance(dataset, dict) else None  # type: ignore[return-value]


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


def _write_cache(path: Path, dataset: Dataset) -> None:
    payload = json.dumps({"format": CACHE_FORMAT, "dataset": dataset}, ensure_ascii=False,
                         allow_nan=False, separators=(",", ":"))
    try:
        write_atomically(path, payload.encode("utf-8"))
    except OSError:
        return


def load(data_option: str | None = None, *, use_cache: bool = True,
         on_cold_load: Callable[[int], Callable[[int], Any] | None] | None = None) -> Dataset:
    """Load a valid dataset or raise ``DatasetError`` with every problem found.

    When the cache misses, ``on_cold_load`` is called with the number of bytes about to be
    parsed and may return a progress callback (see ``check``), so a caller can draw progress.
    """
    files = dataset_files(data_option)
    folder = cache_dir() if use_cache else None
    cache_file = folder / f"{cache_key(files)}.json" if folder is not None else None
    if cache_file is not None:
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    progress = on_cold_load(sum(len(file.content) for file in files)) if on_cold_load else None
    dataset, problems = check(files, progress)
    if problems:
        raise DatasetError(problems)
    if cache_file is not None:
        _write_cache(cache_file, dataset)
        _prune_cache(cache_file.parent, keep=cache_file)
    return dataset


def _prune_cache(folder: Path, keep: Path, most: int = 8) -> None:
    """Remove all but the ``most`` newest cache entries; only files mscli itself named."""
    try:
        entries = sorted((entry for entry in folder.glob("*.json")
                          if len(entry.stem) == 64 and entry != keep),
                         key=lambda entry: entry.stat().st_mtime, reverse=True)
        for entry in entries[most - 1:]:
            entry.unlink()
    except OSError:
        return
