"""``--fields`` and ``--query``: cut a View down to chosen fields, or query its JSON.

Both act on a finished View, in one place for every command, so no command knows about them.
The field names a view offers are those of the TypedDict its records are (named by
``View.record_type``), the same names its JSON uses. Queries are JMESPath, the language of the AWS CLI's ``--query``,
so scripts need no jq; the jmespath package is imported only when a query is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from mscli.errors import UsageError
from mscli.output.render import View
from mscli.output.views import marked, value_text

FIELDS_HELP = "help"


def parse_fields(option: str) -> list[str]:
    """``id, acronym,phase`` -> ["id", "acronym", "phase"]: once each, in the order given."""
    names = [name.strip() for name in option.split(",") if name.strip()]
    if not names:
        raise UsageError(f"--fields needs field names separated by commas, or '{FIELDS_HELP}' to list them")
    return list(dict.fromkeys(names))


def field_names(view: View) -> list[str]:
    """The fields each record of ``view`` has, in the order the model declares them."""
    if view.record_type is None:
        return []
    from mscli.model.fields import fields_of
    from mscli.model.outputs import SCHEMA_TYPES

    return [spec.name for spec in fields_of(SCHEMA_TYPES[view.record_type][0])]


def select_fields(view: View, wanted: Sequence[str]) -> View:
    """``view`` with only the ``wanted`` fields, in every format; unknown names are a usage error."""
    if view.record_type is None:
        raise UsageError("--fields: this command's answer is not a list of records; use --query to pick from "
                         "its JSON")
    valid = field_names(view)
    unknown = [name for name in wanted if name not in valid]
    if unknown:
        from mscli.errors import unknown as unknown_message
        from mscli.queries.suggestions import suggest

        raise UsageError(f"{unknown_message('field', unknown[0], suggest(unknown[0], valid))}; "
                         f"fields: {', '.join(valid)}")
    if isinstance(view.payload, Iterator):  # a streamed listing (JSON only): cut each record as it passes
        return View(payload=({name: record[name] for name in wanted} for record in view.payload), columns=list(wanted),
                    rows=[], title=view.title, notes=view.notes, record_type=view.record_type)
    if isinstance(view.payload, list):
        records = view.payload
        return View(payload=[{name: record[name] for name in wanted} for record in records],
                    columns=list(wanted),
                    rows=lambda: [[marked(record, name, value_text(name, record[name])) for name in wanted]
                                  for record in records],
                    title=view.title, notes=view.notes, record_type=view.record_type)
    record = view.payload
    return View(payload={name: record[name] for name in wanted}, columns=["field", "value"],
                rows=lambda: [[name, marked(record, name, value_text(name, record[name]))] for name in wanted],
                title=view.title, notes=view.notes, record_type=view.record_type)


def compile_query(expression: str) -> Any:
    """A compiled JMESPath expression; a syntax error is a one-line usage error."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    if len(expression) > MAX_QUERY_CHARS:
        raise UsageError(f"--query: longer than {MAX_QUERY_CHARS} characters")
    try:
        return jmespath.compile(expression)
    except JMESPathError as error:
        raise UsageError(f"--query: {_one_line(error)}") from None
    except (RecursionError, ValueError, OverflowError, TypeError) as error:
        raise UsageError(f"--query: cannot be read ({_one_line(error) or type(error).__name__})") from None


MAX_QUERY_CHARS = 10_000
QUERY_SECONDS = 5.0


class _OverBudget(Exception):
    """The query ran longer than ``QUERY_SECONDS`` (an expression whose result doubles per pipe)."""


def _with_budget(compiled: Any, payload: Any) -> Any:
    """Run the query under a time budget where the platform allows it (Unix, main thread)."""
    import signal
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return compiled.search(payload)

    def stop(_signum: int, _frame: Any) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, QUERY_SECONDS)
    try:
        return compiled.search(payload)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


MAX_RESULT_VALUES = 2_000_000


def _finite(value: Any) -> bool:
    """Whether every number is finite; raises ``_OverBudget`` past ``MAX_RESULT_VALUES`` values
    (``[@,@]`` piped 22 times shares references cheaply but would print gigabytes)."""
    import math

    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_RESULT_VALUES:
            raise _OverBudget
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def run_query(compiled: Any, payload: Any) -> Any:
    """What the expression selects from ``payload``; type errors in it are usage errors."""
    from jmespath.exceptions import JMESPathError, JMESPathTypeError

    try:
        result = _with_budget(compiled, payload)
    except _OverBudget:
        raise UsageError(f"--query: took longer than {QUERY_SECONDS:g} s; simplify the expression") from None
    except (RecursionError, MemoryError):
        raise UsageError("--query: the expression nests or grows too deeply to evaluate") from None
    except JMESPathTypeError as error:
        # Its own message quotes the whole offending value, which may be every trial.
        from jmespath.functions import TYPES_MAP

        expected = " or ".join(error.expected_types)
        found = TYPES_MAP.get(error.actual_type, error.actual_type)
        raise UsageError(f"--query: {error.function_name}() expects {expected}; found {found}") from None
    except JMESPathError as error:
        raise UsageError(f"--query: {_one_line(error)}") from None
    except (ValueError, OverflowError, ZeroDivisionError, TypeError, AttributeError) as error:
        raise UsageError(f"--query: cannot evaluate ({_one_line(error) or type(error).__name__})") from None
    try:
        finite = _finite(result)
    except _OverBudget:
        raise UsageError(f"--query: the result holds more than {MAX_RESULT_VALUES:,} values") from None
    if not finite:
        raise UsageError("--query: the result holds a number that is not finite (nan or infinity)")
    if not _is_json(result):
        # A bare expression reference (&field) evaluates to a function, not to data.
        raise UsageError("--query: the expression does not give JSON data (an &expression is "
                         "only meaningful as a function argument)")
    return result


def _is_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
