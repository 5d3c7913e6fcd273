"""Start-up on the JSON path in instructions executed (callgrind), against the floor's.

    python benchmarks/instructions.py                  # every command with a JSON path
    python benchmarks/instructions.py trials match     # some of them
    python benchmarks/instructions.py --keep DIR       # keep the callgrind files for callgrind_annotate

Wall-clock start-up on a shared machine moves by more than the goal's margin from run to run
and through the day; the count of instructions a command executes does not (it moves by a
fraction of a per cent), so a change of a millisecond or two shows as itself. Each command runs
once under ``valgrind --tool=callgrind`` on a pseudo-terminal as in ``bench.py``, warm cache, and
its count is given as a ratio to that of ``python -c "import typer, yaml"`` run the same way.
The ratio is not the wall-clock ratio (start-up's instructions are not all equally fast), but it
moves with it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from commands import every_command
from measure import on_pty

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
MSCLI = str(Path(PYTHON).with_name("mscli"))
FLOOR = [PYTHON, "-c", "import typer, yaml"]


def count(command: list[str], env: dict[str, str], out: Path, codes: tuple[int, ...]) -> int:
    """Instructions the command executes (callgrind's total), run on a pty."""
    on_pty(["/usr/bin/valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command], env, codes=codes)
    found = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no total in {out}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="commands as named in benchmarks/commands.py (default: all)")
    parser.add_argument("--keep", type=Path, help="a folder to keep the callgrind files in")
    args = parser.parse_args()
    from mscli.loading.dataset import bundled_data_dir

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(MSCLI_CACHE_DIR=str(Path(scratch) / "cache"), MSCLI_USER_DATA=str(Path(scratch) / "no-user-data"),
                   MSCLI_PAGER="", TERM=env.get("TERM", "xterm-256color"))
        import mscli

        subprocess.run([PYTHON, "-m", "compileall", "-q", os.path.dirname(mscli.__file__)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        commands = {name: command for name, command in every_command(
            bundled_data_dir(), HERE.parent / "tests" / "fixtures" / "ctgov" / "single-msc.json", Path(scratch)).items()
            if command.has_json and (not args.names or name in args.names)}
        jobs = {"floor": (FLOOR, (0,))} | {name: ([MSCLI, *command.args, "--json"], command.codes)
                                           for name, command in commands.items()}
        for argv, codes in jobs.values():  # warm the cache and the bytecode outside the count
            on_pty(argv, env, codes=codes)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            counts = dict(zip(jobs, pool.map(
                lambda item: count(item[1][0], env, folder / f"cg.{item[0].replace(' ', '-')}", item[1][1]),
                jobs.items()), strict=True))
    floor = counts.pop("floor")
    print(f"floor `import typer, yaml`: {floor:,} instructions\n")
    print("| command | instructions | / floor |\n| --- | --- | --- |")
    for name, total in counts.items():
        print(f"| `{name}` | {total:,} | {total / floor:.3f}x |")


if __name__ == "__main__":
    main()
