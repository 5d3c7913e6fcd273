"""Running one command and measuring it: wall time and the child's own peak memory.

Wall time is taken around the child alone. Peak memory comes from GNU time's ``%M`` (the
child's maximum resident set), in the one unmeasured warm-up run: ``wait4`` on a child this
process forks would count this process's own pages, which the child shares until it execs
(and Linux keeps that maximum across exec). ``%M`` is one process's peak (the largest of the
child and those it waited for), never their sum, so a command that starts a worker process
is measured with ``Job.tree_peak_mb`` instead: ``TreePeak`` samples the summed resident
memory of every process below GNU time (the command and any worker) while it runs, and the
larger of that and ``%M`` counts. A run is either piped (stdout to /dev/null, as a script uses mscli) or on a real
pseudo-terminal (stdout and stderr a pty of 120 x 40, as a person sees it): a command may
choose its table path and load Rich only when stdout is a terminal, which a pipe never shows.
"""

from __future__ import annotations

import fcntl
import os
import pty
import statistics
import struct
import subprocess
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

GNU_TIME = "/usr/bin/time"
# A terminal the size people use; rows count for the pager check, which MSCLI_PAGER="" turns off.
COLUMNS, ROWS = 120, 40
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    seconds: float
    cpu: float
    output: bytes


def _finish(pid: int, start: float, codes: tuple[int, ...]) -> tuple[float, float]:
    """Wall seconds since ``start`` and the child's CPU seconds (user and system; its own, as
    the few pages it shared with this process before exec cost no CPU time)."""
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in codes:
        raise RuntimeError(f"exit {code}")
    return seconds, usage.ru_utime + usage.ru_stime


def piped(command: list[str], env: dict[str, str], keep: bool = False, codes: tuple[int, ...] = (0,)) -> Run:
    """Run with stdout to /dev/null, or captured when ``keep`` (the output is then checked)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE if keep else subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    output = process.stdout.read() if process.stdout is not None else b""
    try:
        seconds, cpu = _finish(process.pid, start, codes)
    except RuntimeError as error:
        raise RuntimeError(f"{' '.join(command)}: {error}") from None
    process.returncode = 0  # already reaped
    return Run(seconds, cpu, output)


def on_pty(command: list[str], env: dict[str, str], keep: bool = False, codes: tuple[int, ...] = (0,)) -> Run:
    """Run with stdout and stderr on a fresh pseudo-terminal, reading all it writes."""
    start = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the pty's slave end
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
            os.execve(command[0], command, env)  # noqa: S606 - the benchmarked command, no shell
        finally:
            os._exit(127)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        if keep:
            chunks.append(chunk)
    os.close(master)
    try:
        seconds, cpu = _finish(pid, start, codes)
    except RuntimeError as error:
        raise RuntimeError(f"{' '.join(command)} (on a pty): {error}") from None
    return Run(seconds, cpu, b"".join(chunks))


Runner = Callable[..., Run]


@dataclass
class Job:
    """One command to measure: how it is run, and the exit codes that count as its answer."""

    runner: Runner
    command: list[str]
    codes: tuple[int, ...] = (0,)

    def __call__(self, env: dict[str, str], keep: bool = False) -> Run:
        return self.runner(self.command, env, keep=keep, codes=self.codes)

    def peak_mb(self, env: dict[str, str]) -> float:
        """One run under GNU time, for the child's own peak memory (0 without /usr/bin/time)."""
        return self._timed(env)[1]

    def tree_peak_mb(self, env: dict[str, str]) -> tuple[Run, float]:
        """One run under GNU time with its process tree sampled: the run, whose wall time is
        taken as in any other (the sampler is a thread of this process), and the peak of the
        command and every process it starts together, the larger of the sampled sum and ``%M``
        (which sampling can miss when the peak lasts less than the interval)."""
        with TreePeak(depth=2 if os.path.exists(GNU_TIME) else 1) as tree:  # GNU time's own 1-2 MB not counted
            run, single = self._timed(env)
        return run, max(tree.peak_mb, single)

    def _timed(self, env: dict[str, str]) -> tuple[Run, float]:
        if not os.path.exists(GNU_TIME):
            return self(env), 0.0
        with tempfile.NamedTemporaryFile("r") as report:
            run = self.runner([GNU_TIME, "-f", "%M", "-o", report.name, *self.command], env, codes=self.codes)
            return run, int(report.read().split()[-1]) / 1024


def _parents() -> dict[int, int]:
    """Each process's parent, read from ``/proc/PID/stat``: not every kernel has
    ``/proc/PID/task/TID/children`` to walk down from the root. ``os.open`` and ``os.read``
    because ``open`` costs about twice as much per file; a scan of a container's hundred-odd
    processes then takes under a millisecond."""
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            descriptor = os.open(f"/proc/{name}/stat", os.O_RDONLY)
            try:
                stat = os.read(descriptor, 4096)
            finally:
                os.close(descriptor)
        except OSError:  # it exited since the listing
            continue
        # The name in parentheses may hold spaces and parentheses; the state and parent follow the last ")".
        parents[int(name)] = int(stat[stat.rindex(b")") + 2:].split(None, 2)[1])
    return parents


def tree_rss(root: int, depth: int = 1) -> int:
    """Resident bytes of every process ``depth`` or more levels below ``root``, summed: 1 for
    all its descendants, 2 to leave out a wrapper such as GNU time between it and the command.

    Pages two of them share (the interpreter's own, shared libraries) count once for each, so
    the sum errs high, which is the safe side for a memory goal."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total, waiting = 0, [(pid, 1) for pid in children.get(root, [])]
    while waiting:
        pid, level = waiting.pop()
        waiting += [(child, level + 1) for child in children.get(pid, [])]
        if level < depth:
            continue
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError):  # exited since the scan
            continue
    return total


class TreePeak:
    """The largest summed resident memory of the processes ``depth`` or more levels below
    ``root`` (this process unless told), sampled every ``interval`` seconds by a thread while
    the ``with`` block runs.

    Sampling can miss a peak shorter than the interval (it falls between two samples), while
    GNU time's ``%M`` is exact but for one process only, so ``Job.tree_peak_mb`` reports the
    larger of the two. 20 ms keeps the thread light: 5-6% of one core, in this process,
    not in the one timed. A sample in the instant between a fork and its exec counts this
    process's pages in the child, as ``wait4`` would, far below any load's peak."""

    def __init__(self, root: int | None = None, depth: int = 1, interval: float = 0.02) -> None:
        self.root = os.getpid() if root is None else root
        self.depth = depth
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss(self.root, self.depth))
            if self._stop.wait(self.interval):
                return

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Measured:
    seconds: float  # median wall time
    peak_mb: float  # of the warm-up run (0 when not measured)
    runs: int
    cpu: float = 0.0  # median CPU time: steadier than wall time on a busy machine


def interleaved(jobs: dict[str, Job], runs: int, env: dict[str, str],
                warm: bool = True) -> dict[str, Measured]:
    """Median wall time of each command over ``runs`` rounds, one run of each per round, so a
    slow moment of a shared machine hits every command alike. One unmeasured round first when
    ``warm`` (it fills the OS file cache and mscli's own), then one under GNU time for the peak
    memory of each."""
    if warm:
        for job in jobs.values():
            job(env)
    peaks = {name: job.peak_mb(env) for name, job in jobs.items()}
    samples: dict[str, list[Run]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            samples[name].append(job(env))
    return {name: Measured(statistics.median(run.seconds for run in done), peaks.get(name, 0.0), len(done),
                           statistics.median(run.cpu for run in done))
            for name, done in samples.items()}
