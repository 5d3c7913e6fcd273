"""How long ``mscli import ctgov`` takes to refuse a study whose record is over the loader's limit.

    python benchmarks/import_refusal.py            # a 19 MB study, 3 runs
    python benchmarks/import_refusal.py --mb 40 --runs 5

The study is the test fixture ``single-msc.json`` with its official title grown to the size
asked; the import is a dry run into a temporary folder, so nothing is kept. Figures are medians
of the installed command beside this Python.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SCRIPT = Path(sys.executable).with_name("mscli")
MSCLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "mscli"]
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ctgov" / "single-msc.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=19)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    study = json.loads(FIXTURE.read_text(encoding="utf-8"))
    ident = study["protocolSection"]["identificationModule"]
    ident["nctId"], ident["officialTitle"] = "NCT09999993", "stem cell " * (args.mb * 1024 * 1024 // 10)
    ident.pop("acronym", None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.json"
        path.write_text(json.dumps(study), encoding="utf-8")
        env = {**os.environ, "MSCLI_USER_DATA": str(Path(folder) / "data"), "MSCLI_CACHE_DIR": str(Path(folder) / "c")}
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run([*MSCLI, "import", "ctgov", str(path), "--dry-run", "--json"],
                                  capture_output=True, env=env, check=False)
            samples.append(time.perf_counter() - start)
        reason = json.loads(done.stdout)[0]["reason"]
    print(f"{args.mb} MB study refused in {statistics.median(samples):.2f} s (median of {args.runs}): {reason}")


if __name__ == "__main__":
    main()
