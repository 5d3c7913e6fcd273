"""The bench's memory of a process tree (benchmarks/measure.py), on real processes: a cold load
that starts a worker is judged on mscli and the worker together, which GNU time's ``%M``
alone (one process's peak) would understate. Only memory is asserted, with wide bounds:
nothing here is timed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from benchmarks.measure import GNU_TIME, Job, TreePeak, piped, tree_rss

# Each holds its bytes written (b"x" * n touches every page; bytearray(n) would not), the
# worker for a second so a 20 ms sampler cannot miss it, the parent until the worker ends.
WORKER = "import time; held = b'x' * (60 << 20); time.sleep(1)"
PARENT = ("import subprocess, sys; held = b'x' * (40 << 20); "
          f"subprocess.run([sys.executable, '-c', {WORKER!r}], check=True)")


@pytest.mark.skipif(not os.path.exists(GNU_TIME), reason="GNU time is what the tree is compared with")
def test_the_tree_peak_is_the_sum_where_gnu_time_gives_one_process() -> None:
    job = Job(piped, [sys.executable, "-c", PARENT])
    with TreePeak(depth=2) as tree:  # below GNU time, as Job.tree_peak_mb counts
        single = job.peak_mb(dict(os.environ))
    # 40 + 60 MB held, plus an interpreter each (about 10 MB).
    assert 90 <= tree.peak_mb < 170
    assert 55 <= single < 85  # the worker's own peak
    _, reported = job.tree_peak_mb(dict(os.environ))
    assert reported >= 90


def test_the_root_itself_is_not_counted() -> None:
    """The root is the one measuring (the bench), whose own memory is not the command's: a
    root holding 40 MB adds nothing to its one child's 30 MB."""
    child = "import time; held = b'x' * (30 << 20); time.sleep(60)"
    parent = f"import subprocess, sys; held = b'x' * (40 << 20); subprocess.run([sys.executable, '-c', {child!r}])"
    with subprocess.Popen([sys.executable, "-c", parent], start_new_session=True) as process:
        try:
            for _ in range(1000):  # until the child holds its bytes (a few tenths of a second)
                if tree_rss(process.pid) >= 30 << 20:
                    break
                time.sleep(0.01)
            assert 30 << 20 <= tree_rss(process.pid) < 60 << 20
            assert tree_rss(process.pid, depth=2) == 0  # the child started nothing
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # the child too
