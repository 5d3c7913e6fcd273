"""Build the compiled folder that ``store`` reads (its layout is described there).

The folder is written under a temporary name and renamed into place, so a reader sees all of
it or none of it; a build killed midway leaves a temporary folder that the next build
reclaims once its process is gone.
"""

import contextlib
import os
import re
import shutil
import time
import zlib
from pathlib import Path
from typing import Any

from mscli.loading.hittexts import SPANS, TEXTS, write_texts
from mscli.loading.links import links_of
from mscli.loading.names import NAMES, names_file
from mscli.loading.store import CACHE_FORMAT, ENTRY_PREFIX, FILES, INDEX, META, TRIALS, USED_BY, MemoryStore, json_line
from mscli.loading.usedby import reverse
from mscli.model.records import INDEXED_TRIAL_FIELDS, start_order

_TEMPORARY = re.compile(r"\.mscli-[0-9a-f]{64}\.(\d+)\.[^/]*\.(?:tmp|old)")
_STALE_SECONDS = 3600


def compile_to(folder: Path, parsed: MemoryStore) -> None:
    """Write a freshly parsed dataset compiled into ``folder``; quietly give up if the disk says no."""
    import tempfile

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{os.getpid()}.", suffix=".tmp"))
    except OSError:
        return
    try:
        _write_files(building, parsed, folder.name.removeprefix(ENTRY_PREFIX))
        _move_aside(folder)
        os.rename(building, folder)
    except OSError:
        pass
    finally:
        shutil.rmtree(building, ignore_errors=True)


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


def _write_files(building: Path, parsed: MemoryStore, key: str) -> None:
    trials = parsed.trials()
    # Trials share few combinations of indexed values, so a filter tests each combination once.
    kinds: dict[tuple[Any, ...], int] = {}
    kind_of = [kinds.setdefault(tuple(trial.get(name) for name in INDEXED_TRIAL_FIELDS), len(kinds))
               for trial in trials]
    index: dict[str, list[Any]] = {"kinds": [list(kind) for kind in kinds], "kind_of": kind_of}
    offsets, crcs = [0], []
    with (building / TRIALS).open("wb") as lines:
        for trial in trials:
            line = json_line(trial) + b"\n"
            lines.write(line)
            offsets.append(offsets[-1] + len(line))
            crcs.append(zlib.crc32(line))
        _sync(lines)
    with (building / TEXTS).open("wb") as texts, (building / SPANS).open("wb") as spans:
        write_texts(trials, texts, spans)
        _sync(texts)
        _sync(spans)
    index["offsets"], index["crc"] = offsets, crcs
    index["order"] = sorted(range(len(trials)), key=lambda position: start_order(trials[position]))
    parsed.search_index().write(building)
    every = parsed.dataset()
    linked = links_of(every)
    with (building / USED_BY).open("wb") as handle:
        handle.write(json_line(reverse(every, linked)))
        _sync(handle)
    with (building / NAMES).open("wb") as handle:
        handle.write(names_file(offsets, trials, linked.pop("trials", [[] for _ in trials]),
                                {term["id"]: position for position, term in enumerate(parsed.meta["glossary"])}))
        _sync(handle)
    with (building / INDEX).open("wb") as handle:
        handle.write(json_line(index))
        _sync(handle)
    sizes = {name: (building / name).stat().st_size for name in FILES}
    meta = {"format": CACHE_FORMAT, "key": key,
            "dataset": parsed.meta, "countries": parsed.countries, "trials": len(trials),
            "sizes": sizes, "links": {record["id"]: terms for collection, lists in linked.items()
                                      for record, terms in zip(parsed.meta[collection], lists, strict=True)}}
    with (building / META).open("wb") as handle:
        handle.write(json_line(meta))
        _sync(handle)


def _sync(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())
