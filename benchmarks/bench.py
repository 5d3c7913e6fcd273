"""Every performance goal of mscli in one run, as Markdown tables ready to paste, with pass/fail.

    python benchmarks/bench.py --sizes 1000,10000,100000 --runs 5
    python benchmarks/bench.py --quick                  # 100 and 1,000 trials, 3 runs
    python benchmarks/bench.py --only startup,query     # a subset (names below)

Measures (``--only`` names): ``startup`` (every command on a real pty, JSON and table path,
against the bare imports), ``cold`` (first load, empty cache, of the same trials in YAML
files and in JSON-form files: two rows), ``lookup`` (``trial ID``),
``search`` (a common word, top 20 and all hits), ``unfiltered`` (``trials --json``), ``jsonl``
(``trials --format jsonl``, streamed), ``query`` (a filtered query). References, where
installed: jq, sqlite3 (indexed table, FTS5) and duckdb, on the same trials (references.py).

Machines are noisy, so times are medians of interleaved runs (one run of each command per
round) and goals are checked on ratios taken in the same run. Peak memory is each child's own
(``wait4``), but the cold load's is that of mscli and its worker process together (their
resident memory summed, sampled every 20 ms, or the largest single peak if that is larger),
as the load may use the second core. mscli is the installed ``mscli`` command beside this
Python, with its modules compiled to bytecode as pip leaves a wheel. Datasets are generated
under benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import references
from commands import every_command
from measure import Job, Measured, interleaved, on_pty, piped

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MSCLI = str(Path(PYTHON).with_name("mscli"))
FLOOR_JSON = [PYTHON, "-c", "import typer, yaml"]
FLOOR_TABLE = [PYTHON, "-c", "import typer, yaml, rich.console, rich.table"]
WORDS = "intrathecal crossover"  # in about two thirds of generated trials: a common search
MEASURES = ("startup", "cold", "lookup", "search", "unfiltered", "jsonl", "query")


@dataclass
class Row:
    measure: str
    size: int
    mscli: Measured
    references: dict[str, Measured]
    goal: str = ""
    passed: bool | None = None
    ratio: str = ""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _mark(passed: bool | None) -> str:
    return "" if passed is None else ("pass" if passed else "**FAIL**")


def startup(runs: int, env: dict[str, str], scratch: Path) -> list[str]:
    """Every command on a pty against the floors: table path as typed, JSON path with --json."""
    from mscli.loading.dataset import bundled_data_dir

    commands = every_command(bundled_data_dir(), HERE.parent / "tests" / "fixtures" / "ctgov" / "single-msc.json",
                             scratch)
    missing = _cli_commands() - set(commands)
    jobs = {"floor json": Job(on_pty, FLOOR_JSON), "floor table": Job(on_pty, FLOOR_TABLE)}
    for name, command in commands.items():
        jobs[f"{name} table"] = Job(on_pty, [MSCLI, *command.args], command.codes)
        if command.has_json:
            jobs[f"{name} json"] = Job(on_pty, [MSCLI, *command.args, "--json"], command.codes)
    times = interleaved(jobs, runs, env)
    floor_json, floor_table = times["floor json"].seconds, times["floor table"].seconds
    lines = ["Start-up on a real pty (stdout and stderr a 120x40 pseudo-terminal, MSCLI_PAGER empty), bundled "
             f"dataset, warm cache, median of {runs}: "
             f"floor JSON `import typer, yaml` {_ms(floor_json)}, floor table `... rich.console, rich.table` "
             f"{_ms(floor_table)}. Goal: each <= 1.15x its floor (judged on wall time; the CPU-time ratio "
             "beside it moves less when the machine is busy).", "",
             "| command | JSON path | / floor | CPU / floor | | table path | / floor | CPU / floor | | peak MB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    cpu_json, cpu_table = times["floor json"].cpu, times["floor table"].cpu
    for name in commands:
        table, json_path = times[f"{name} table"], times.get(f"{name} json")
        peak = max(table.peak_mb, json_path.peak_mb if json_path else 0)
        ratio = json_path.seconds / floor_json if json_path else 0.0
        json_cells = (f"{_ms(json_path.seconds)} | {ratio:.2f}x | {json_path.cpu / cpu_json:.2f}x | "
                      f"{_mark(ratio <= 1.15)}") if json_path else "(text only) | | | "
        ratio = table.seconds / floor_table
        lines.append(f"| `{name}` | {json_cells} | {_ms(table.seconds)} | {ratio:.2f}x | "
                     f"{table.cpu / cpu_table:.2f}x | {_mark(ratio <= 1.15)} | {peak:.0f} |")
    if missing:
        lines.append(f"\nNot measured (add them to benchmarks/commands.py): {', '.join(sorted(missing))}")
    return lines


def _cli_commands() -> set[str]:
    """Every command and subcommand mscli has, by the words that run it."""
    from mscli.cli.app import app

    names = {command.name or getattr(command.callback, "__name__", "") for command in app.registered_commands}
    for group in app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            prefix = group.name if isinstance(group.name, str) else sub.info.name
            names |= {f"{prefix} {command.name or getattr(command.callback, '__name__', '')}"
                      for command in sub.registered_commands}
    return names


def dataset(size: int, env: dict[str, str], form: str = "yaml") -> tuple[Path, Path]:
    """The generated dataset of ``size`` trials in ``form`` (same seed, so the same trials)."""
    folder = HERE / "out" / (f"trials-{size}" if form == "yaml" else f"trials-{size}-{form}")
    json_file = HERE / "out" / f"{folder.name}-trials.json"
    if not json_file.exists():
        subprocess.run([PYTHON, str(HERE / "generate.py"), "--trials", str(size), "--out", str(folder),
                        "--form", form], check=True, env=env, stdout=subprocess.DEVNULL)
    return folder, json_file


def scale(size: int, runs: int, wanted: set[str], env: dict[str, str], tools: dict[str, str | None]) -> list[Row]:
    """The measures that grow with the dataset, at one size."""
    folder, json_file = dataset(size, env)
    data = ["--data", str(folder)]
    rows: list[Row] = []
    if "cold" in wanted:
        rows.append(cold_load(size, folder, env))
        rows.append(cold_load(size, dataset(size, env, "json")[0], env, measure="cold json"))
    last = f"synthetic-trial-{size - 1}"
    query = ["trials", *data, "--therapy", "msc", "--phase", "2", "--since", "2010", "--until", "2015", "--json"]
    # measure -> (mscli command, reference measure, how the row is judged)
    plans: dict[str, tuple[list[str], str, Callable[[Row], None]]] = {
        "lookup": (["trial", last, *data, "--json"], "lookup", _floor_ratio(1.2)),
        "search": (["search", WORDS, *data, "--limit", "20", "--json"], "search", _under(0.3, 80)),
        "search all": (["search", WORDS, *data, "--limit", "0", "--json"], "search all", _under(1.0, None)),
        "unfiltered": (["trials", *data, "--json"], "unfiltered", _under(4.0, 1024)),
        "jsonl": (["trials", *data, "--format", "jsonl"], "", _under(None, 100)),
        "query": (query, "query", _faster_than("jq", 5)),
    }
    chosen = {name: plan for name, plan in plans.items() if name.split()[0] in wanted}
    if not chosen:
        return rows
    jobs = {name: Job(piped, [MSCLI, *plan[0]]) for name, plan in chosen.items()}
    for name, plan in chosen.items():
        if plan[1]:
            extra = references.jobs(plan[1], json_file, tools, words=WORDS, trial_id=last)
            jobs |= {f"{name} / {tool}": job for tool, job in extra.items()}
    if "lookup" in chosen:
        jobs["floor json"] = Job(piped, FLOOR_JSON)
    times = interleaved(jobs, runs, env)
    for name, plan in chosen.items():
        row = Row(name, size, times[name], {tool.split(" / ")[1]: value for tool, value in times.items()
                                            if tool.startswith(f"{name} / ")})
        if name == "lookup":
            row.references["start-up floor"] = times["floor json"]
        plan[2](row)
        rows.append(row)
    return rows


def cold_load(size: int, folder: Path, env: dict[str, str], measure: str = "cold") -> Row:
    """First load with an empty cache, twice at every size, the faster run counted: on this
    shared machine one run of a 15-second load moves by a few seconds with its neighbours.

    For the YAML form, the first run fills the run's own cache (empty for this dataset), which
    the warm measures then use, so the slowest load is not paid twice; the JSON form's runs use
    caches of their own. Issue #17's goal (under 15 s and 300 MB) is judged at 100,000, on the
    memory of mscli and its worker process together: the load may use the second core."""
    runs = []
    for index in range(2):
        with tempfile.TemporaryDirectory() as scratch:
            cache = env["MSCLI_CACHE_DIR"] if index == 0 and measure == "cold" else scratch
            job = Job(piped, [MSCLI, "trials", "--data", str(folder), "--therapy", "msc", "--json"])
            run, peak = job.tree_peak_mb({**env, "MSCLI_CACHE_DIR": cache})
            runs.append((run.seconds, peak))
    row = Row(measure, size, Measured(min(seconds for seconds, _ in runs), max(peak for _, peak in runs), len(runs)),
              {}, goal="once per change of the data")
    if size >= 100_000:
        _under(15, 300)(row)
    return row


def _floor_ratio(goal: float) -> Callable[[Row], None]:
    def judge(row: Row) -> None:
        ratio = row.mscli.seconds / row.references["start-up floor"].seconds
        row.goal, row.ratio, row.passed = f"<= {goal}x the start-up floor", f"{ratio:.2f}x the floor", ratio <= goal
    return judge


def _under(seconds: float | None, megabytes: float | None) -> Callable[[Row], None]:
    def judge(row: Row) -> None:
        goals = ([f"< {seconds:g} s"] if seconds else []) + ([f"< {megabytes:g} MB"] if megabytes else [])
        row.goal = ", ".join(goals)
        row.passed = ((seconds is None or row.mscli.seconds < seconds)
                      and (megabytes is None or row.mscli.peak_mb < megabytes))
        best = min(row.references.items(), key=lambda item: item[1].seconds, default=None)
        if best:
            row.ratio = f"{row.mscli.seconds / best[1].seconds:.2f}x {best[0]}"
    return judge


def _faster_than(tool: str, times: float) -> Callable[[Row], None]:
    def judge(row: Row) -> None:
        reference = row.references.get(tool)
        row.goal = f"{tool} / mscli >= {times:g}x at 100,000" if row.size >= 100_000 else ""
        if reference is not None:
            ratio = reference.seconds / row.mscli.seconds
            row.ratio = f"{tool} / mscli {ratio:.1f}x"
            row.passed = ratio >= times if row.size >= 100_000 else None
    return judge


LABELS = {
    "cold": "first (cold) load, `trials --therapy msc --json`, empty cache, YAML files (peak: mscli and its "
            "worker summed)",
    "cold json": "the same first load, the same trials in JSON-form files (peak: mscli and its worker summed)",
    "lookup": "`trial ID --json` (the last trial)",
    "search": f"`search \"{WORDS}\" --limit 20 --json`",
    "search all": f"`search \"{WORDS}\" --limit 0 --json` (all hits)",
    "unfiltered": "`trials --json` (every trial)",
    "jsonl": "`trials --format jsonl` (streamed)",
    "query": "`trials --therapy msc --phase 2 --since 2010 --until 2015 --json`",
}


def scale_table(rows: list[Row]) -> list[str]:
    lines = ["| measure | trials | mscli | peak MB | references (time, peak MB) | ratio | goal | |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        refs = "; ".join(f"{tool} {_ms(value.seconds)}, {value.peak_mb:.0f}" for tool, value in row.references.items())
        lines.append(f"| {LABELS[row.measure]} | {row.size:,} | {_ms(row.mscli.seconds)} | {row.mscli.peak_mb:.0f} | "
                     f"{refs} | {row.ratio} | {row.goal} | {_mark(row.passed)} |")
    return lines


def growth_table(rows: list[Row]) -> list[str]:
    """Each measure's time and memory at every size, and the factor from one size to the next."""
    sizes = sorted({row.size for row in rows})
    if len(sizes) < 2:
        return []
    lines = [f"| measure | {' | '.join(f'{size:,}' for size in sizes)} | time x per size step | memory x per step |",
             f"| --- |{' --- |' * len(sizes)} --- | --- |"]
    for measure in LABELS:
        found = {row.size: row.mscli for row in rows if row.measure == measure}
        if len(found) < 2:
            continue
        ordered = [found[size] for size in sizes if size in found]
        steps = zip(ordered, ordered[1:], strict=False)
        factors = [(later.seconds / earlier.seconds, later.peak_mb / earlier.peak_mb) for earlier, later in steps]
        cells = " | ".join(f"{_ms(found[size].seconds)}, {found[size].peak_mb:.0f} MB" if size in found else ""
                           for size in sizes)
        lines.append(f"| {measure} | {cells} | {', '.join(f'{t:.1f}' for t, _ in factors)} | "
                     f"{', '.join(f'{m:.1f}' for _, m in factors)} |")
    return lines


def compile_mscli(env: dict[str, str]) -> None:
    """Bytecode for mscli's modules, as an installed wheel has (an editable install may not)."""
    import mscli

    subprocess.run([PYTHON, "-m", "compileall", "-q", os.path.dirname(mscli.__file__)], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of interleaved runs (start-up: twice as many)")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--only", default=",".join(MEASURES), help=f"comma-separated: {', '.join(MEASURES)}")
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 trials, 3 runs")
    args = parser.parse_args()
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    if wanted - set(MEASURES):
        parser.error(f"unknown measure: {', '.join(sorted(wanted - set(MEASURES)))}")
    sizes, runs = ([100, 1000], 3) if args.quick else ([int(size) for size in args.sizes.split(",") if size], args.runs)
    tools = references.installed()
    print("References: " + "; ".join(f"{name}: {version or 'not installed, left out'}"
                                      for name, version in tools.items()) + "\n")
    with tempfile.TemporaryDirectory() as scratch:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(MSCLI_CACHE_DIR=str(Path(scratch) / "cache"), MSCLI_USER_DATA=str(Path(scratch) / "no-user-data"),
                   MSCLI_PAGER="", TERM=env.get("TERM", "xterm-256color"))
        compile_mscli(env)
        if "startup" in wanted:
            print("\n".join(startup(runs * 2, env, Path(scratch))) + "\n", flush=True)
        rows: list[Row] = []
        for size in sizes if wanted - {"startup"} else []:
            rows += scale(size, runs, wanted, env, tools)
            print(f"({size:,} trials done)", file=sys.stderr, flush=True)
    if rows:
        print(f"Medians of {runs} interleaved runs, warm cache unless said; peak memory of the child process "
              "(of mscli and its worker together for the first load).\n")
        print("\n".join(scale_table(rows)) + "\n")
        print("\n".join(growth_table(rows)))
        with (HERE / "out" / "last-run.json").open("w") as saved:  # every figure, for comparing runs
            json.dump([row.__dict__ | {"mscli": row.mscli.__dict__, "references": {
                tool: value.__dict__ for tool, value in row.references.items()}} for row in rows], saved, indent=1)


if __name__ == "__main__":
    main()
