"""Time mscli against its floors and against jq, and print the ratios the goals are set in.

    python benchmarks/bench.py                      # start-up, plus 100 and 10,000 trials
    python benchmarks/bench.py --sizes 100,10000,100000 --runs 7

Machines are noisy, so every figure is the median of repeated runs, and each comparison is a
ratio taken in the same run: start-up against bare imports, queries against jq on the same
records. mscli is run as the installed ``mscli`` command beside this Python, after compiling
its modules to bytecode as pip does when it installs the wheel. Needs jq on PATH for the
query comparison. Datasets are generated under benchmarks/out/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("mscli")
MSCLI = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "mscli"]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def medians(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median wall time of each command; runs are interleaved so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        timed(command, env)
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(timed(command, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def startup(runs: int, env: dict[str, str]) -> None:
    times = medians({
        "floor json": [PYTHON, "-c", "import typer, yaml"],
        "floor table": [PYTHON, "-c", "import typer, yaml, rich.console, rich.table"],
        "mscli json": [*MSCLI, "trials", "--therapy", "msc", "--json"],
        "mscli table": [*MSCLI, "trials", "--therapy", "msc", "--format", "table"],
    }, runs, env)
    print("start-up (median wall, warm cache, bundled dataset)")
    for name, value in times.items():
        print(f"  {name:<12} {value * 1000:7.1f} ms")
    print(f"  ratio json  {times['mscli json'] / times['floor json']:.2f}x  (goal <= 1.15x)")
    print(f"  ratio table {times['mscli table'] / times['floor table']:.2f}x  (goal <= 1.15x)")


def peak_memory_mb(command: list[str], env: dict[str, str]) -> float:
    script = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PYTHON, "-c", script, *command], capture_output=True, text=True, env=env, check=True)
    return int(out.stdout.strip()) / 1024


def scale(size: int, runs: int, env: dict[str, str]) -> None:
    folder = HERE / "out" / f"trials-{size}"
    json_file = HERE / "out" / f"trials-{size}-trials.json"
    if not json_file.exists():
        subprocess.run([PYTHON, str(HERE / "generate.py"), "--trials", str(size), "--out", str(folder)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    query = ["trials", "--data", str(folder), "--therapy", "msc", "--phase", "2", "--since", "2010",
             "--until", "2015", "--json"]
    cold = timed([*MSCLI, *query], env)
    matches = len(json.loads(subprocess.run([*MSCLI, *query], capture_output=True, env=env, check=True).stdout))
    jq_filter = ('[.[] | select(.therapy == "msc" and .phase == "2" and .start_year <= 2015 '
                 'and ((.end_year // .start_year) >= 2010))]')
    search = [*MSCLI, "search", "intrathecal crossover", "--data", str(folder), "--json"]
    commands = {"mscli query": [*MSCLI, *query], "mscli first 20": [*MSCLI, *query, "--limit", "20"],
                "mscli search": [*search, "--limit", "20"], "search all": [*search, "--limit", "0"],
                "search rare": [*MSCLI, "search", f"SYN{size // 2}", "--data", str(folder), "--json"],
                "trial ID": [*MSCLI, "trial", f"synthetic-trial-{size - 1}", "--data", str(folder), "--json"],
                "floor json": [PYTHON, "-c", "import typer, yaml"]}
    if shutil.which("jq"):
        commands["jq query"] = ["jq", jq_filter, str(json_file)]
    fts = _fts5_database(json_file)
    if fts is not None and shutil.which("sqlite3"):
        commands["sqlite FTS5"] = ["sqlite3", str(fts), "SELECT id FROM trials WHERE trials MATCH "
                                   "'intrathecal crossover' ORDER BY bm25(trials) LIMIT 20"]
    times = medians(commands, runs, env)
    memory = peak_memory_mb([*MSCLI, *query], env)
    search_memory = {name: peak_memory_mb(commands[name], env) for name in ("mscli search", "search all")}
    hits = json.loads(subprocess.run([*search, "--limit", "1"], capture_output=True, env=env, check=True).stdout)
    print(f"{size:,} trials: cold load {cold:.2f} s; the query matches {matches:,} trials; "
          f"its peak memory {memory:.0f} MB")
    print(f"  search 'intrathecal crossover' finds {hits[0]['total'] if hits else 0:,} records; peak memory "
          f"{search_memory['mscli search']:.0f} MB with --limit 20 (goal < 80 MB), "
          f"{search_memory['search all']:.0f} MB for all")
    for name, value in times.items():
        print(f"  {name:<13} {value * 1000:8.1f} ms")
    print(f"  trial ID      {times['trial ID'] / times['floor json']:.2f}x the start-up floor  (goal <= 1.2x)")
    print(f"  search        {times['mscli search']:.3f} s with --limit 20 (goal < 0.3 s), "
          f"{times['search all']:.3f} s for all (goal < 1 s)")
    if "sqlite FTS5" in times:
        print(f"  search / FTS5 {times['mscli search'] / times['sqlite FTS5']:.2f}x  (the same top 20 from sqlite3's "
              "full-text index of the same trials' text fields)")
    if "jq query" in times:
        print(f"  jq / mscli    {times['jq query'] / times['mscli query']:.2f}x  (goal >= 5x)")


def whole_listing(size: int, runs: int, env: dict[str, str]) -> None:
    """Every trial as JSON and as JSON Lines, unfiltered: median wall time and peak memory
    (goals at 100,000 trials: under 4 s and 1 GB; JSON Lines memory flat as the size grows)."""
    listing = [*MSCLI, "trials", "--data", str(HERE / "out" / f"trials-{size}")]
    commands = {"json": [*listing, "--json"], "jsonl": [*listing, "--format", "jsonl"]}
    times = medians(commands, runs, env)
    for name, command in commands.items():
        print(f"  all trials, {name:<5} {times[name]:7.2f} s, peak memory {peak_memory_mb(command, env):6.0f} MB")


def _fts5_database(json_file: Path) -> Path | None:
    """An sqlite3 FTS5 index of the trials' text fields, built once beside the JSON (None without FTS5)."""
    import sqlite3

    database = json_file.with_suffix(".fts5.sqlite")
    if database.exists():
        return database
    fields = ("title", "primary_endpoint", "result", "dose", "countries", "eligibility")
    try:
        with sqlite3.connect(database) as connection:
            connection.execute("CREATE VIRTUAL TABLE trials USING fts5(id UNINDEXED, title, primary_endpoint, result, "
                               "dose, countries, eligibility)")
            rows = ([trial["id"], *(json.dumps(trial.get(name), ensure_ascii=False) if not isinstance(
                trial.get(name), str) else trial[name] for name in fields)]
                for trial in json.loads(json_file.read_text(encoding="utf-8")))
            connection.executemany("INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    except sqlite3.OperationalError:
        database.unlink(missing_ok=True)
        return None
    return database


def compile_mscli(env: dict[str, str]) -> None:
    """Bytecode for mscli's modules, as an installed wheel has (an editable install may not)."""
    package = subprocess.run([PYTHON, "-c", "import mscli, os; print(os.path.dirname(mscli.__file__))"],
                             capture_output=True, text=True, env=env, check=True).stdout.strip()
    subprocess.run([PYTHON, "-m", "compileall", "-q", package], env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", default="100,10000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(MSCLI_CACHE_DIR=cache, MSCLI_USER_DATA=str(Path(cache) / "no-user-data"))
        compile_mscli(env)
        startup(args.runs, env)
        for size in (int(value) for value in args.sizes.split(",") if value):
            scale(size, max(3, args.runs // 2), env)
            whole_listing(size, max(3, args.runs // 2), env)


if __name__ == "__main__":
    main()
