"""Remember that a dataset was found valid, so ``mscli validate`` and ``mscli diff`` need not
parse and check the same bytes again with the same rules.

Only "valid" is ever remembered: problems are always found afresh, so their wording, lines and
order never come from a file. The key is a BLAKE2b (32 bytes) of everything the verdict depends on:

- the name and bytes of every dataset file checked (a name is part of a problem, and decides
  whether a folder is read as an import folder);
- the bytes of every Python file of the mscli package: the rules, the YAML reader and the
  record model are code, and a changed rule must never be hidden by an old verdict, even
  during development when the version number does not move. Their digest is remembered in
  ``SOURCES_MEMO`` with each file's size, inode and times, as a dataset's content key is, so
  the files are read again only after one of them changed;
- PyYAML's location, its ``__init__.py`` (which holds its version) and the name and size of
  every file beside it (whether libyaml's C parser is there), found without importing it;
- the Python version;
- today's date, because one rule (a recruiting trial past its planned end) falls back to
  today's date for a record with no review date.

Verdicts are empty-bodied files named by their key in ``mscli-verdicts/`` under the cache folder
(never a name ``store`` prunes), beside ``SOURCES_MEMO``; the newest ``KEEP`` are kept. A cache that cannot be read
or written only means the dataset is checked again.
"""

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from mscli.loading.dataset import DataFile, cache_dir, fingerprint, remember_key, remembered_key

try:  # hashlib's own BLAKE2b: importing hashlib loads OpenSSL, 2 ms of a 3 ms remembered verdict
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b

FOLDER = "mscli-verdicts"
KEEP = 32
SOURCES_MEMO = "sources.json"
_FORMAT = b"mscli validate verdict 3\n"
_SOURCES_FORMAT = "mscli sources digest 1"


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _package_sources() -> list[tuple[str, str]]:
    """Every Python file of the mscli package (the dataset folder shipped inside it holds none),
    as its path under the package and its full path: plain strings, as ``pathlib`` would cost
    a millisecond over eighty files."""
    root = _package_root()
    found: list[tuple[str, str]] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__" and not name.startswith(".")]
        under = os.path.relpath(folder, root)
        found += ((os.path.join(under, name), os.path.join(folder, name)) for name in names if name.endswith(".py"))
    return sorted(found)


def _yaml_parts() -> Iterable[bytes]:
    """PyYAML's location, its ``__init__.py`` and its folder's files, without importing it
    (importing it costs more than the rest of a remembered verdict)."""
    from importlib.util import find_spec

    spec = find_spec("yaml")
    if spec is None or spec.origin is None:
        yield b"no yaml"
        return
    origin = Path(spec.origin)
    yield str(origin).encode("utf-8", "surrogateescape")
    yield origin.read_bytes()
    with os.scandir(origin.parent) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.is_file():
                yield f"{entry.name}:{entry.stat().st_size}".encode("utf-8", "surrogateescape")


def verdict_key(files: Sequence[DataFile], base: str | None = None) -> str | None:
    """The key of a verdict on ``files``; None if mscli's or PyYAML's files cannot be read.

    ``base`` is the content key (``dataset.cache_key``) of a dataset ``files`` were checked on
    top of, as ``import ctgov`` checks the user's files on the bundled dataset's compiled store.
    """
    try:
        return _key(files, base)
    except OSError:
        return None


def _key(files: Sequence[DataFile], base: str | None) -> str:
    sources = _package_sources()
    if not sources:  # installed without its sources (bytecode only): nothing to key the rules on
        raise OSError("no mscli source files")
    digest = blake2b(_FORMAT, digest_size=32)

    def add(part: bytes) -> None:
        digest.update(b"%d:" % len(part))
        digest.update(part)

    if base is not None:
        add(b"on top of the dataset of content key " + base.encode("ascii"))
    for file in files:
        add(file.name.encode("utf-8", "surrogateescape"))
        add(file.content)
    add(_sources_digest(sources).encode("ascii"))
    for part in _yaml_parts():
        add(part)
    add(f"{sys.version}\n{sys.implementation.cache_tag}".encode())
    add(time.strftime("%Y-%m-%d").encode())  # the local date, as datetime.date.today() gives
    return digest.hexdigest()


def _sources_digest(sources: list[tuple[str, str]]) -> str:
    """The BLAKE2b of the names and bytes of ``sources``, remembered while none of them changes."""
    folder, root, hashed_at = _folder(), Path(_package_root()), time.time_ns()
    if folder is None:
        return _hash_sources(sources)
    memo, seen = folder / SOURCES_MEMO, fingerprint([(path, name) for name, path in sources])
    remembered = remembered_key(memo, root, seen, _SOURCES_FORMAT)
    if remembered is not None:
        return remembered
    digest = _hash_sources(sources)
    remember_key(memo, root, seen, digest, hashed_at, _SOURCES_FORMAT)
    return digest


def _hash_sources(sources: list[tuple[str, str]]) -> str:
    digest = blake2b(_SOURCES_FORMAT.encode(), digest_size=32)
    for name, path in sources:
        with open(path, "rb") as handle:
            for part in (name.encode("utf-8", "surrogateescape"), handle.read()):
                digest.update(b"%d:" % len(part))
                digest.update(part)
    return digest.hexdigest()


def _folder() -> Path | None:
    cache = cache_dir()
    return None if cache is None else cache / FOLDER


def is_remembered_valid(key: str | None) -> bool:
    """Whether the files of ``key`` were found valid by this mscli, PyYAML and Python today."""
    folder = _folder()
    if folder is None or key is None:
        return False
    try:
        return (folder / key).is_file()
    except OSError:
        return False


def remember_valid(key: str | None) -> None:
    """Remember that the files of ``key`` are valid; quietly nothing when the cache cannot be written."""
    folder = _folder()
    if folder is None or key is None:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).touch()
        _prune(folder)


def is_key_name(name: str) -> bool:
    """Whether ``name`` in the verdicts folder is a verdict (and not, say, ``SOURCES_MEMO``)."""
    return len(name) == 64 and all(char in "0123456789abcdef" for char in name)


def _prune(folder: Path) -> None:
    """Keep the newest ``KEEP`` verdicts; only names that are keys are touched."""
    entries = []
    with os.scandir(folder) as found:
        for entry in found:
            if is_key_name(entry.name):
                with contextlib.suppress(OSError):
                    entries.append((entry.stat().st_mtime_ns, entry.path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
