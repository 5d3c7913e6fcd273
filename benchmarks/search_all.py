"""Time ``mscli search`` listing a few hits and every hit, as JSON and as piped TSV.

    python benchmarks/search_all.py --data /tmp/s100k                   # this checkout's mscli
    python benchmarks/search_all.py --data /tmp/s100k --mscli OLD/bin/mscli --mscli NEW/bin/mscli \
        --caches /tmp/bench-caches
    python benchmarks/search_all.py --data /tmp/s100k --stages          # where the time goes

Datasets come from ``benchmarks/generate.py``; each cache is warmed by one run first. Every
figure is the median of runs interleaved across commands (so drift on a shared machine hits all
alike), with the peak RSS the kernel reports for the child. ``--stages`` runs the search in
this process and times its parts apart: the query (postings, scoring, ranking, hits), the view,
and encoding the payload with the standard library and, if installed, with orjson.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_SCRIPT = Path(sys.executable).with_name("mscli")
QUERY = "intrathecal crossover"


def run_once(command: list[str], cache: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run, output to a pipe that is read and dropped."""
    env = dict(os.environ, MSCLI_CACHE_DIR=str(cache)) if cache else None
    script = ("import resource, subprocess, sys, time; t = time.perf_counter();"
              "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, check=True);"
              "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True, check=True,
                         env=env)
    wall, rss = out.stdout.split()
    return float(wall), int(rss) / 1024


def compare(programs: list[str], data: str, runs: int, query: str, caches: Path | None) -> None:
    """Each program gets a cache folder of its own under ``caches``: versions of mscli sharing one
    would overwrite each other's remembered dataset key and hash the YAML again on every run."""
    cache = {program: caches / f"mscli-{number}" if caches else None for number, program in enumerate(programs)}
    cases = {f"--limit {limit} {shape}": ["search", "--data", data, query, "--limit", str(limit), *extra]
             for limit in (20, 0) for shape, extra in (("--json", ["--json"]), ("tsv", []))}
    for program in programs:
        run_once([program, *cases["--limit 20 tsv"]], cache[program])  # warm the cache
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(runs):
        for case, arguments in cases.items():
            for program in programs:
                samples.setdefault((case, program), []).append(run_once([program, *arguments], cache[program]))
    print(f"{data}: {query!r}, median of {runs} interleaved runs (wall s, peak RSS MB)")
    for case in cases:
        cells = []
        for program in programs:
            values = samples[(case, program)]
            wall, rss = statistics.median(w for w, _ in values), statistics.median(m for _, m in values)
            cells.append(f"{wall:6.2f} s {rss:6.0f} MB")
        ratio = ""
        if len(programs) == 2:
            old, new = (statistics.median(w for w, _ in samples[(case, program)]) for program in programs)
            ratio = f"  new/old {new / old:.2f}"
        print(f"  {case:<18} " + "   ".join(cells) + ratio)


def stages(data: str, query: str, runs: int) -> None:
    """The parts of one all-hits search, timed in this process (the median of ``runs``): the
    query's steps are timed by wrapping the search module's functions for the run."""
    from mscli.loading import dataset
    from mscli.output.render import OutputFormat, encoded
    from mscli.output.search_view import search_view
    from mscli.queries import search as searching

    try:
        import orjson
    except ImportError:  # optional: only to estimate a faster encoder
        orjson = None
    gc.disable()  # as mscli's entry point does
    start = time.perf_counter()
    store = dataset.open_store(data)
    opened = time.perf_counter() - start
    times: dict[str, list[float]] = {}
    steps = {"_term_scores": "postings and scoring", "_all_of": "joining the words",
             "_named": "whole names", "_decode": "hits (texts, snippets)"}
    spent: dict[str, float] = {}

    def timed(name: str, function: Any) -> Any:
        def run(*args: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - began
        return run

    originals = {name: getattr(searching, name) for name in steps}
    for name, function in originals.items():
        setattr(searching, name, timed(name, function))
    try:
        for number in range(runs + 1):
            spent.clear()
            start = time.perf_counter()
            results = searching.search_store(store, query, None)
            found = time.perf_counter()
            view = search_view(results, query)
            viewed = time.perf_counter()
            size = sum(map(len, encoded(view, OutputFormat.JSON)))
            done = time.perf_counter()
            if not number:  # the first run reads the files into the page cache
                continue
            times.setdefault("query (postings to hits)", []).append(found - start)
            for name, label in steps.items():
                times.setdefault(f"  {label}", []).append(spent.get(name, 0.0))
            times.setdefault("view", []).append(viewed - found)
            times.setdefault("encode (as mscli writes)", []).append(done - viewed)
            if orjson is not None:
                start = time.perf_counter()
                orjson.dumps(view.payload, option=orjson.OPT_INDENT_2)
                times.setdefault("  orjson.dumps alone", []).append(time.perf_counter() - start)
    finally:
        for name, function in originals.items():
            setattr(searching, name, function)
    print(f"{data}: {query!r}, {len(results['hits'])} hits, {size} bytes, median of {runs} (s)")
    print(f"  {'opening the store (once)':<28} {opened:6.3f}")
    for name, values in times.items():
        print(f"  {name:<28} {statistics.median(values):6.3f}")
    print(f"  peak RSS of this process    {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a dataset folder from generate.py")
    parser.add_argument("--mscli", action="append", help="an mscli command to time (repeat to compare)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--caches", type=Path, help="a folder for each command's own cache folder")
    parser.add_argument("--query", default=QUERY)
    parser.add_argument("--stages", action="store_true", help="time the parts of one search in this process")
    options = parser.parse_args()
    os.environ.setdefault("NO_COLOR", "1")
    if options.stages:
        stages(options.data, options.query, options.runs)
    else:
        compare(options.mscli or [str(_SCRIPT)], options.data, options.runs, options.query, options.caches)


if __name__ == "__main__":
    main()
