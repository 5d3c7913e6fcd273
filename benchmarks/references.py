"""The tools mscli is compared with, on the same trials: jq, sqlite3 and duckdb, where installed.

Each reads what suits it best: jq the one JSON file ``generate.py`` writes beside the YAML;
sqlite3 a database built once from that file (a table of the trials with an index on the
filtered columns and the id as primary key, plus an FTS5 full-text index of the same text
fields search reads); duckdb the JSON file itself (duckdb is run from Python, so its figures
include importing the module). A tool that is missing is left out and said so.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from measure import Job, piped

PYTHON = sys.executable
TEXT_FIELDS = ("title", "primary_endpoint", "result", "dose", "countries", "eligibility")
# The filtered query of the benchmark, as each tool says it (mscli: --therapy msc --phase 2
# --since 2010 --until 2015).
JQ_FILTER = ('[.[] | select(.therapy == "msc" and .phase == "2" and .start_year <= 2015 '
             'and ((.end_year // .start_year) >= 2010))]')
SQL_FILTER = "therapy = 'msc' AND phase = '2' AND start_year <= 2015 AND coalesce(end_year, start_year) >= 2010"


def installed() -> dict[str, str | None]:
    """Each reference tool with its version, or None when it is not installed."""
    found: dict[str, str | None] = {"jq": None, "sqlite3": None, "duckdb": None}
    if shutil.which("jq"):
        found["jq"] = subprocess.run(["jq", "--version"], capture_output=True, text=True).stdout.strip()
    if shutil.which("sqlite3") and _has_fts5():
        found["sqlite3"] = f"sqlite3 {sqlite3.sqlite_version} (CLI, FTS5)"
    try:
        import duckdb
    except ImportError:
        pass
    else:
        found["duckdb"] = f"duckdb {duckdb.__version__} (Python module)"
    return found


def _has_fts5() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    return True


def database(json_file: Path) -> Path:
    """The sqlite3 copy of the trials, built once beside the JSON file (again if it is newer)."""
    path = json_file.with_suffix(".sqlite")
    if path.exists() and path.stat().st_mtime >= json_file.stat().st_mtime:
        return path
    path.unlink(missing_ok=True)
    trials = json.loads(json_file.read_text(encoding="utf-8"))
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE trials (id TEXT PRIMARY KEY, therapy TEXT, phase TEXT, start_year INT, "
                           "end_year INT, body TEXT)")
        connection.executemany("INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?)", (
            (trial["id"], trial["therapy"], trial["phase"], trial.get("start_year"), trial.get("end_year"),
             json.dumps(trial, ensure_ascii=False)) for trial in trials))
        connection.execute("CREATE INDEX trials_filter ON trials (therapy, phase, start_year)")
        connection.execute(f"CREATE VIRTUAL TABLE texts USING fts5(id UNINDEXED, {', '.join(TEXT_FIELDS)})")
        connection.executemany(f"INSERT INTO texts VALUES (?{', ?' * len(TEXT_FIELDS)})", (
            [trial["id"], *(value if isinstance(value := trial.get(name), str) else json.dumps(value)
                            for name in TEXT_FIELDS)] for trial in trials))
    return path


def _duckdb(select: str, json_file: Path) -> list[str]:
    """duckdb writing the rows of ``select`` (over the table ``t``, the JSON file) as JSON lines."""
    script = ("import duckdb, sys; duckdb.sql(\"CREATE VIEW t AS SELECT * FROM read_json(?, format='array', "
              "maximum_object_size=1000000000)\".replace('?', repr(sys.argv[1]))); "
              f"duckdb.sql(\"COPY ({select}) TO '/dev/stdout' (FORMAT json)\")")
    return [PYTHON, "-c", script, str(json_file)]


def jobs(measure: str, json_file: Path, tools: dict[str, str | None], words: str = "",
         trial_id: str = "") -> dict[str, Job]:
    """The reference commands for one measure, named by tool, among those installed."""
    sql = str(database(json_file)) if tools["sqlite3"] else ""
    file = str(json_file)
    commands: dict[str, dict[str, list[str]]] = {
        "query": {"jq": ["jq", JQ_FILTER, file],
                  "sqlite3": ["sqlite3", sql, f"SELECT body FROM trials WHERE {SQL_FILTER}"],
                  "duckdb": _duckdb(f"SELECT * FROM t WHERE {SQL_FILTER}", json_file)},
        "unfiltered": {"jq": ["jq", ".", file], "sqlite3": ["sqlite3", sql, "SELECT body FROM trials"],
                       "duckdb": _duckdb("SELECT * FROM t", json_file)},
        "lookup": {"jq": ["jq", f'.[] | select(.id == "{trial_id}")', file],
                   "sqlite3": ["sqlite3", sql, f"SELECT body FROM trials WHERE id = '{trial_id}'"]},
        "search": {"sqlite3": ["sqlite3", sql, f"SELECT id, snippet(texts, -1, '[', ']', '...', 12) FROM texts "
                                               f"WHERE texts MATCH '{words}' ORDER BY bm25(texts) LIMIT 20"]},
        "search all": {"sqlite3": ["sqlite3", sql, f"SELECT id, snippet(texts, -1, '[', ']', '...', 12) FROM texts "
                                                   f"WHERE texts MATCH '{words}' ORDER BY bm25(texts)"]},
    }
    return {tool: Job(piped, command) for tool, command in commands[measure].items() if tools[tool]}
