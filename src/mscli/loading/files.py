"""Write a file the user named, all or nothing, and never over an existing file unless asked.

The text goes to a temporary file in the target's directory and is then moved into place in
one step, so a reader (or a crash) never sees half a report. Without ``force`` the move is
done with a hard link, which fails if the name was taken meanwhile; where hard links are not
supported the existence check made just before is all there is.

Only a regular file or a new name can be the target: renaming over a device, FIFO or socket
would replace it (as root, ``-o /dev/null`` would turn the device into a file), so those are
refused. A symbolic link to a regular file is followed, so the link survives; a replaced file
keeps its permission bits, and a file with other hard links is refused rather than silently
split from them.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from mscli.errors import OutputError

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


def _fail(path: str, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def _resolved(path: str) -> Path:
    """The file a name stands for: a symbolic link is followed so the link itself survives."""
    try:
        return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    except (OSError, ValueError) as error:
        raise OutputError(f"cannot write {path}: {getattr(error, 'strerror', None) or error}") from None


def check_new(path: str, force: bool) -> os.stat_result | None:
    """Fail early, before any work, if ``path`` cannot be the output file.

    Returns the status of the existing regular file that ``force`` will replace, else None.
    """
    if not path or "\x00" in path:
        raise OutputError("cannot write: the output path is empty or holds a NUL character")
    target = _resolved(path)
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _fail(path, error) from None
    if info is not None:
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise OutputError(f"cannot write {path}: it is {kind}; --output takes a regular file")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"cannot write {path}: not a regular file")
        if not force:
            raise OutputError(f"{path} already exists; use --force to replace it")
        if info.st_nlink > 1:
            raise OutputError(f"cannot replace {path}: it has {info.st_nlink} hard links, which replacing "
                              "it would break; remove it first or choose another name")
    elif os.path.islink(path):
        raise OutputError(f"cannot write {path}: it is a symbolic link to nothing")
    try:
        parent_ok = target.parent.is_dir()
    except OSError as error:
        raise _fail(path, error) from None
    if not parent_ok:
        raise OutputError(f"cannot write {path}: the directory {target.parent} does not exist")
    return info


def write_atomic(path: str, data: bytes, force: bool) -> None:
    """Put ``data`` at ``path`` in one step; every failure becomes a one-line ``OutputError``."""
    existing = check_new(path, force)
    target = _resolved(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise _fail(path, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        if existing is not None:
            _replace_regular(temporary, target, path)
        else:
            _link_new(temporary, target, path)
    except OSError as error:
        raise _fail(path, error) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _replace_regular(temporary: str, target: Path, path: str) -> None:
    """Rename over ``target`` only if it is (still) a regular file, never over anything else."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError(f"cannot write {path}: it is no longer a regular file")
    os.replace(temporary, target)


def _link_new(temporary: str, target: Path, path: str) -> None:
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise OutputError(f"{path} already exists; use --force to replace it") from None
    except OSError:
        if os.path.lexists(target):
            raise OutputError(f"{path} already exists; use --force to replace it") from None
        os.replace(temporary, target)


def _umask() -> int:
    """The process umask, so the report gets the permissions any new file would get."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
