"""Write a file the user named, all or nothing, and never over an existing file unless asked.

The text goes to a temporary file in the target's directory and is then moved into place in
one step, so a reader (or a crash) never sees half a report. Without ``force`` the move is
done with a hard link, which fails if the name was taken meanwhile; where hard links are not
supported the existence check made just before is all there is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mscli.errors import OutputError


def check_new(path: str, force: bool) -> None:
    """Fail early, before any work, if ``path`` cannot be the output file."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    if not force and os.path.lexists(target):
        raise OutputError(f"{path} already exists; use --force to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {path}: the directory {target.parent} does not exist")


def write_atomic(path: str, data: bytes, force: bool) -> None:
    """Put ``data`` at ``path`` in one step; every failure becomes a one-line ``OutputError``."""
    check_new(path, force)
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        if force:
            os.replace(temporary, target)
        else:
            _link_new(temporary, target, path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


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
