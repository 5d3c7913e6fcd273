"""How ``clinic --offer`` time grows with its input: each size is four times the last, so a
linear check shows a ratio near 4 and a quadratic one near 16.

    python benchmarks/offer_scaling.py               # 64 KB, 256 KB and 1 MB (the input limit)
    python benchmarks/offer_scaling.py --runs 5

Inputs are the hostile ones of issue 16: one therapy name repeated, the same on separate
lines, names joined by hyphens, red-flag phrases repeated, and distinct registry numbers.
Figures are medians of repeated runs of the installed command beside this Python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SCRIPT = Path(sys.executable).with_name("mscli")
MSCLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "mscli"]
SIZES = (64 * 1024, 256 * 1024, 1000 * 1024)
UNITS = {
    "MSC words": lambda n: "MSC " * n,
    "MSC lines": lambda n: "MSC\n" * n,
    "MSC-MSC-": lambda n: "MSC-" * n,
    "flag phrases": lambda n: "cure guaranteed pay " * (n // 5 + 1),
    "registry numbers": lambda n: "".join(f"NCT{index:08d} " for index in range(n // 3 + 1)),
}


def seconds(path: Path, env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*MSCLI, "clinic", "--offer", str(path), "--json"], stdout=subprocess.DEVNULL,
                       env=env, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "MSCLI_CACHE_DIR": folder, "MSCLI_USER_DATA": str(Path(folder) / "none")}
        subprocess.run([*MSCLI, "clinic", "--offer", "MSC"], stdout=subprocess.DEVNULL, env=env, check=True)
        print(f"{'input':18} " + " ".join(f"{size // 1024:>8} KB" for size in SIZES) + "   ratio per x4")
        for name, make in UNITS.items():
            times = []
            for size in SIZES:
                path = Path(folder) / "offer.txt"
                path.write_text(make(size)[:size])
                times.append(seconds(path, env, args.runs))
            ratios = " ".join(f"{later / earlier:.1f}" for earlier, later in zip(times, times[1:], strict=False))
            print(f"{name:18} " + " ".join(f"{value:9.2f}s" for value in times) + f"   {ratios}")


if __name__ == "__main__":
    main()
