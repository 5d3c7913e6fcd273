"""Shell completion of ids and filter values, read from the dataset in use.

The shell runs mscli on every Tab press, so these functions read the dataset through the cache
(``dataset.load``), honour ``--data`` when it is already on the command line, print nothing, and
never raise: a missing or broken dataset simply offers no completions. Choices that are fixed
(phases, statuses, formats) are completed by Click from the enums without reading any data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import typer

from mscli.model.vocabularies import CollectionName

if TYPE_CHECKING:
    from mscli.model.records import Dataset

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_MSCLI_COMPLETE"


def _dataset(ctx: typer.Context) -> Dataset | None:
    try:
        from mscli.loading import dataset

        data = ctx.params.get("data") if ctx is not None else None
        return dataset.load(data if isinstance(data, str) else None)
    except Exception:  # noqa: BLE001 - a completion must never break the shell
        return None


def _records(ctx: typer.Context, incomplete: str, collections: tuple[CollectionName, ...],
             numbers: bool = False) -> list[tuple[str, str]]:
    """Ids of ``collections`` starting with ``incomplete``; with ``numbers``, also the registry
    numbers of the trials (NCT..., ISRCTN..., EudraCT), once something of one is typed."""
    loaded = _dataset(ctx)
    if loaded is None:
        return []
    try:
        from mscli.model.kinds import title_of

        prefix = incomplete.lower()
        found = [(record["id"], title_of(collection, record)[:80]) for collection in collections
                 for record in loaded[collection] if record["id"].startswith(prefix)]
        if numbers and prefix:
            found += [(registration["id"], title_of("trials", trial)[:80]) for trial in loaded["trials"]
                      for registration in trial.get("registrations", [])
                      if registration["id"].lower().startswith(prefix)]
        return list(dict(found).items())
    except Exception:  # noqa: BLE001 - a malformed cache entry must not break the shell
        return []


def therapy_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _records(ctx, incomplete, ("therapies",))


def trial_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _records(ctx, incomplete, ("trials",), numbers=True)


def term_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _records(ctx, incomplete, ("glossary",))


def record_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from mscli.model.kinds import LOOKUP_ORDER

    return _records(ctx, incomplete, LOOKUP_ORDER, numbers=True)


def report_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """What ``report`` has sections for: therapies, trials, studies and guidance."""
    return _records(ctx, incomplete, ("therapies", "trials", "studies", "guidance"), numbers=True)


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


# Typer's bash script leaves each reply unquoted, so "United Kingdom" goes in as two words; this
# one quotes every reply as bash would (printf %q). Its zsh script only registers itself, so
# installed in $fpath (the usual way, and Typer's own installer's) the first Tab offered nothing;
# this one answers when compinit autoloads it, and registers itself when sourced.
_SCRIPTS = {
    "bash": r"""
%(complete_func)s() {
    local reply
    COMPREPLY=()
    while IFS= read -r reply; do
        [[ -n "$reply" ]] && COMPREPLY+=("$(printf '%%q' "$reply")")
    done < <(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD %(autocomplete_var)s=complete_bash "$1")
    return 0
}

complete -o default -F %(complete_func)s %(prog_name)s
""",
    "zsh": r"""
#compdef %(prog_name)s

%(complete_func)s() {
  eval "$(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(autocomplete_var)s=complete_zsh %(prog_name)s)"
}

if [[ "${funcstack[1]}" == _%(prog_name)s ]]; then
  %(complete_func)s "$@"
else
  compdef %(complete_func)s %(prog_name)s
fi
""",
}


def use_own_scripts() -> None:
    """Give Typer's ``--install-completion`` and ``--show-completion`` the scripts above, so
    every way of installing writes the same one. Typer is pinned to 0.28.x, whose table of
    scripts this fills."""
    from typer import _completion_shared

    _completion_shared._completion_scripts.update(_SCRIPTS)


def script(shell: str) -> str:
    """The completion script for ``shell`` and the ``mscli`` program, as Typer's installer writes it."""
    from typer._completion_shared import get_completion_script

    use_own_scripts()
    return str(get_completion_script(prog_name="mscli", complete_var=COMPLETE_VAR, shell=shell))


def complete_shells(incomplete: str) -> list[str]:
    return [shell for shell in SHELLS if shell.startswith(incomplete)]
