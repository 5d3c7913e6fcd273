"""Shell completion of ids and filter values, read from the dataset in use.

The shell runs mscli on every Tab press, so these functions read the dataset through the cache
(``dataset.load``), honour ``--data`` when it is already on the command line, print nothing, and
never raise: a missing or broken dataset simply offers no completions. Choices that are fixed
(phases, statuses, formats) are completed by Click from the enums without reading any data.
"""

from __future__ import annotations

from collections.abc import Mapping

import typer

from mscli.model.records import CollectionName, Dataset

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_MSCLI_COMPLETE"


def _dataset(ctx: typer.Context) -> Dataset | None:
    try:
        from mscli.loading import dataset

        data = ctx.params.get("data") if ctx is not None else None
        return dataset.load(data if isinstance(data, str) else None)
    except Exception:  # noqa: BLE001 - a completion must never break the shell
        return None


def _records(ctx: typer.Context, incomplete: str, collections: tuple[CollectionName, ...]) -> list[tuple[str, str]]:
    loaded = _dataset(ctx)
    if loaded is None:
        return []
    try:
        from mscli.model.kinds import title_of

        prefix = incomplete.lower()
        return [(record["id"], title_of(collection, record)[:80]) for collection in collections
                for record in loaded[collection] if record["id"].startswith(prefix)]
    except Exception:  # noqa: BLE001 - a malformed cache entry must not break the shell
        return []


def therapy_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _records(ctx, incomplete, ("therapies",))


def trial_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _records(ctx, incomplete, ("trials",))


def term_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _records(ctx, incomplete, ("glossary",))


def record_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from mscli.model.kinds import LOOKUP_ORDER

    return _records(ctx, incomplete, LOOKUP_ORDER)


def countries(ctx: typer.Context, incomplete: str) -> list[str]:
    loaded = _dataset(ctx)
    if loaded is None:
        return []
    try:
        from mscli.loading.store import countries_in

        return [name for name in countries_in(loaded) if name.lower().startswith(incomplete.lower())]
    except Exception:  # noqa: BLE001
        return []


def finished_words(environ: Mapping[str, str]) -> list[str] | None:
    """The words after ``mscli`` that the user has finished typing, when a shell is asking for
    completions (None otherwise), so that only the command named needs building.

    bash passes the line in COMP_WORDS with the cursor's word index in COMP_CWORD; zsh and fish
    pass it in _TYPER_COMPLETE_ARGS, whose last word is still being typed unless the line ends
    in a space.
    """
    if not environ.get(COMPLETE_VAR):
        return None
    try:
        if "COMP_WORDS" in environ:
            words = environ["COMP_WORDS"].split()
            return words[1:int(environ.get("COMP_CWORD", "0"))]
        line = environ.get("_TYPER_COMPLETE_ARGS", "")
        words = line.split()
        return words[1:] if line[-1:].isspace() else words[1:-1]
    except ValueError:
        return []


def schema_types(incomplete: str) -> list[str]:
    from mscli.model.outputs import SCHEMA_TYPES

    return [name for name in SCHEMA_TYPES if name.startswith(incomplete)]


def script(shell: str) -> str:
    """The completion script Typer writes for ``shell``, for the ``mscli`` program.

    The same function Typer's own ``--show-completion`` uses; typer is pinned to 0.28.x.
    """
    from typer._completion_shared import get_completion_script

    return str(get_completion_script(prog_name="mscli", complete_var=COMPLETE_VAR, shell=shell))


def complete_shells(incomplete: str) -> list[str]:
    return [shell for shell in SHELLS if shell.startswith(incomplete)]
