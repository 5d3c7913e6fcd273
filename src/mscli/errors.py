"""Errors a user can meet, and the exit status each one ends with.

Domain code raises these; only the CLI turns them into a message and an exit code, so the
library stays usable from Python without catching SystemExit.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Documented exit codes (README, "Exit codes and errors")."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    DATA = 3
    IO = 4
    NETWORK = 5  # mscli registry only: ClinicalTrials.gov could not be reached or answered badly
    INTERNAL = 70  # a bug in mscli (EX_SOFTWARE); the message asks for a report
    INTERRUPTED = 130


class MscliError(Exception):
    """Base class: a message fit for one line on stderr."""

    status = ExitStatus.DATA


class Problem:
    """One located validation problem: where it is and what is wrong.

    A plain class, not a dataclass: this module is imported on every run, and building a
    dataclass costs about a millisecond of start-up.
    """

    __slots__ = ("file", "message", "line", "record", "field")

    def __init__(self, file: str, message: str, line: int | None = None, record: str | None = None,
                 field: str | None = None) -> None:
        self.file, self.message, self.line, self.record, self.field = file, message, line, record, field

    def _key(self) -> tuple[str, str, int | None, str | None, str | None]:
        return (self.file, self.message, self.line, self.record, self.field)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Problem{self._key()!r}"

    @property
    def location(self) -> str:
        """``file:line: record field``, as much of it as is known."""
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        where = " ".join(part for part in (self.record, self.field) if part)
        return f"{place}: {where}" if where else place

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class DatasetError(MscliError):
    """The dataset could not be loaded; carries every problem found."""

    status = ExitStatus.DATA

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid dataset"
        more = f" (and {len(problems) - 1} more; run 'mscli validate')" if len(problems) > 1 else ""
        super().__init__(first + more)


class DatasetPathError(MscliError):
    """The dataset path is missing, unreadable or not a dataset."""

    status = ExitStatus.IO


class NotFoundError(MscliError):
    """An id or name matched nothing; the message carries suggestions."""

    status = ExitStatus.NOT_FOUND


class UsageError(MscliError):
    """Options that cannot be satisfied together or a value out of range."""

    status = ExitStatus.USAGE


class OutputError(MscliError):
    """Output could not be written (full disk, closed stdout)."""

    status = ExitStatus.IO


class InputError(MscliError):
    """A file or text named on the command line (not the dataset) is missing, unusable or too
    large, or a target is not a folder."""

    status = ExitStatus.IO


class RegistryOffline(MscliError):
    """The registry could not be reached at all (no network, no DNS, connection refused)."""

    status = ExitStatus.NETWORK


class RegistryError(MscliError):
    """The registry was reached but kept failing (429 or 5xx after retries, a cut-off answer)."""

    status = ExitStatus.NETWORK


def unknown(word: str, value: str, suggestions: list[str] | tuple[str, ...] = (), otherwise: str = "") -> str:
    """The one wording of every unknown value, id or choice, so people learn one form.

    ``unknown therapy 'stemcell'; did you mean 'msc' or 'nsc'?``: the value as given (cut at
    60 characters), then real ids or choices to try, or ``otherwise`` (where to find the list).
    """
    shown = value if len(value) <= 60 else value[:57] + "..."
    message = f"unknown {word} {shown!r}"
    if suggestions:
        quoted = [repr(suggestion) for suggestion in suggestions]
        options = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        return f"{message}; did you mean {options}?"
    return f"{message}; {otherwise}" if otherwise else message
