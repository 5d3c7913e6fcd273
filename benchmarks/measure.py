"""Running one command and measuring it: wall time and the child's own peak memory.

Wall time is taken around the child alone. Peak memory comes from GNU time's ``%M`` (the
child's maximum resident set), in the one unmeasured warm-up run: ``wait4`` on a child this
process forks would count this process's own pages, which the child shares until it execs
(and Linux keeps that maximum across exec). A run is either
piped (stdout to /dev/null, as a script uses mscli) or on a real pseudo-terminal (stdout and
stderr a pty of 120 x 40, as a person sees it): a command may choose its table path and load
Rich only when stdout is a terminal, which a pipe never shows.
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
import time
from collections.abc import Callable
from dataclasses import dataclass

GNU_TIME = "/usr/bin/time"
# A terminal the size people use; rows count for the pager check, which MSCLI_PAGER="" turns off.
COLUMNS, ROWS = 120, 40


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
        if not os.path.exists(GNU_TIME):
            self(env)
            return 0.0
        with tempfile.NamedTemporaryFile("r") as report:
            self.runner([GNU_TIME, "-f", "%M", "-o", report.name, *self.command], env, codes=self.codes)
            return int(report.read().split()[-1]) / 1024


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
