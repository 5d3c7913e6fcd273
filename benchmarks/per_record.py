"""Time the per-record work of a cold load, one function at a time, over a generated dataset.

    python benchmarks/per_record.py benchmarks/out/10000
    python benchmarks/per_record.py benchmarks/out/100000 --files 20     # the first 20 files only
    python benchmarks/per_record.py benchmarks/out/10000 --only links,terms --profile links

The YAML is parsed once, outside every timing; then each step runs ``--runs`` times over every
record and its best CPU time is printed (other processes sharing the cores move it less than
wall time), so a change to one step can be judged apart from the parser and the disk. The
garbage collector is off, as it is while mscli runs a command. ``--profile NAME`` runs that
step once under cProfile and prints its top functions. Steps (``--only`` names):

    check_file   validate.check_file on each parsed file (the quick checker, the precise one on failure)
    assemble     validate.assemble with its cross-checks (rules.check_record, shared numbers)
    texts        kinds.search_texts of every record of every indexed collection
    terms        wordforms.terms of each of those texts (the index build's word work)
    record_text  links.record_text of every linked record
    words_of     textmatch.words_of of each record text
    links        links.links_of (record_text and Linker.terms_in for every record)
    names        kinds.names_of and normalise_key of every trial (names.txt)
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mscli.loading import dataset as datasets
from mscli.loading import links, validate
from mscli.model import kinds, textmatch, wordforms

STEPS = ("check_file", "assemble", "texts", "terms", "record_text", "words_of", "links", "names")


def _steps(parsed: list[tuple[str, Any]], dataset: Any) -> dict[str, Callable[[], Any]]:
    checked = [(name, validate.check_file(name, data, [])) for name, data in parsed]
    indexed = [(collection, dataset[collection]) for collection in kinds.KINDS]
    texts = [text for collection, records in indexed for record in records
             for text in kinds.search_texts(collection, record)]
    linked = [record for collection in links.LINKED for record in dataset[collection]]
    record_texts = [links.record_text(record) for record in linked]
    return {
        "check_file": lambda: [validate.check_file(name, data, []) for name, data in parsed],
        "assemble": lambda: validate.assemble(checked, []),
        "texts": lambda: [kinds.search_texts(collection, record) for collection, records in indexed
                          for record in records],
        "terms": lambda: [wordforms.terms(text) for text in texts if text],
        "record_text": lambda: [links.record_text(record) for record in linked],
        "words_of": lambda: [textmatch.words_of(text) for text in record_texts],
        "links": lambda: links.links_of(dataset),
        "names": lambda: [kinds.normalise_key(name) for trial in dataset["trials"]
                          for name in kinds.names_of("trials", trial)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--files", type=int, default=0, help="read only the first N files (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(STEPS))
    parser.add_argument("--profile", choices=STEPS)
    args = parser.parse_args()
    chosen = [name for name in args.only.split(",") if name]
    unknown = set(chosen) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))} (known: {', '.join(STEPS)})")
    gc.disable()  # as mscli runs a command (cli/app.py): collections would dominate the timings
    files = datasets.read_files(args.data)
    if args.files:
        files = files[:args.files]
    started = time.perf_counter()
    parsed = [(file.name, datasets.parse_text(file.name, datasets.decode(file))) for file in files]
    problems: list[Any] = []
    dataset = validate.assemble([(name, validate.check_file(name, data, problems)) for name, data in parsed],
                                problems)
    if problems:
        sys.exit(f"{args.data}: {len(problems)} problems, first: {problems[0]}")
    print(f"{len(dataset['trials']):,} trials in {len(files)} files, parsed and checked in "
          f"{time.perf_counter() - started:.1f} s")
    steps = _steps(parsed, dataset)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(steps[args.profile])
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    for name in chosen:
        best = float("inf")
        for _ in range(args.runs):
            started = time.process_time()
            steps[name]()
            best = min(best, time.process_time() - started)
        print(f"  {name:12} {best:7.3f} s")


if __name__ == "__main__":
    main()
