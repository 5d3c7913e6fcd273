"""Every mscli command with a typical cheap argument, for start-up on the bundled dataset.

One entry per top-level command and per subcommand of a group, so a command added to the CLI
without one here is noticed (``bench.py`` compares this list with ``mscli --help``). The
arguments are the ones a person types first: a common filter, one id, a short word. The
registry commands are pointed at a closed local port with no retries, so they exercise their
start-up and the first request without the network (and exit 5, the documented "registry
cannot be reached").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CLOSED_PORT = "http://127.0.0.1:9/api/v2"


@dataclass
class Command:
    args: list[str]
    codes: tuple[int, ...] = (0,)
    has_json: bool = True  # cite, report and completion print text only: they have no JSON path


def every_command(data_dir: Path, ctgov_study: Path, scratch: Path) -> dict[str, Command]:
    """Every command by its name as typed (``import ctgov``)."""
    ok = (0,)
    offline = ("--registry-url", CLOSED_PORT, "--retries", "0", "--timeout", "1")
    table: dict[str, tuple[list[str], tuple[int, ...]] | tuple[list[str], tuple[int, ...], bool]] = {
        "therapies": (["therapies"], ok),
        "therapy": (["therapy", "msc"], ok),
        "trials": (["trials", "--therapy", "msc"], ok),
        "trial": (["trial", "mesems"], ok),
        "search": (["search", "thyroid", "--limit", "20"], ok),
        "sources": (["sources", "burt-2019-jama"], ok),
        "studies": (["studies"], ok),
        "guidance": (["guidance"], ok),
        "glossary": (["glossary", "edss"], ok),
        "show": (["show", "consensus-2010"], ok),
        "cite": (["cite", "mesems"], ok, False),
        "compare": (["compare", "ahsct", "msc"], ok),
        "clinic": (["clinic"], ok),
        "timeline": (["timeline", "--therapy", "msc"], ok),
        "report": (["report", "mesems", "--output", str(scratch / "report.md"), "--force"], ok, False),
        "match": (["match", "--age", "34", "--ms-type", "rrms", "--edss", "3.5"], ok),
        "coverage": (["coverage"], ok),
        "info": (["info"], ok),
        "validate": (["validate"], ok),
        "schema": (["schema", "trial"], ok),
        "diff": (["diff", str(data_dir), str(data_dir)], ok),
        "completion": (["completion", "bash"], ok, False),
        "import ctgov": (["import", "ctgov", str(ctgov_study), "--dry-run", "--into", str(scratch / "user")], (0, 1)),
        "registry check": (["registry", "check", "mesems", *offline], (5,)),
        "registry search": (["registry", "search", *offline], (5,)),
    }
    return {name: Command(*entry) for name, entry in table.items()}
