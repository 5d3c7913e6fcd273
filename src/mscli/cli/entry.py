"""The console script: answers ``mscli --version`` before anything else is imported.

Building the app imports Typer, Click and every command module; the version needs none of
that, so it is printed here and everything else is handed to ``mscli.cli.app.main``.
"""

import gc
import sys


def main() -> None:
    """Print the version for a bare ``--version``; otherwise run the app (the error boundary).

    The app runs with the cyclic garbage collector off, so every object it made is still in
    the youngest generation when it ends, and the interpreter's last collection at exit walks
    them all: a sixth of a warm ``trials --json``. Freezing them first leaves that collection
    nothing to walk; the process is ending, and reference counting still frees what it frees.
    This is the process's own entry point (``app.main`` is also run in-process by the tests).
    """
    if sys.argv[1:] == ["--version"]:
        sys.exit(_print_version())
    from mscli.cli.app import main as run_app

    try:
        run_app()
    finally:
        gc.freeze()


def _print_version() -> int:
    """Write the version; a closed or failing stdout is an I/O error (exit 4), one line."""
    from mscli import __version__
    from mscli.errors import ExitStatus

    try:
        if sys.stdout is None:
            raise OSError("standard output is closed")
        sys.stdout.write(f"mscli {__version__}\n")
        sys.stdout.flush()
    except BrokenPipeError:
        return int(ExitStatus.OK)
    except (OSError, ValueError) as error:
        _quiet_stdout()
        try:
            if sys.stderr is not None:
                sys.stderr.write(f"mscli: error: cannot write output: "
                                 f"{getattr(error, 'strerror', None) or error}\n")
        except (OSError, ValueError):
            pass
        return int(ExitStatus.IO)
    return int(ExitStatus.OK)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import contextlib
    import os

    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
