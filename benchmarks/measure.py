"""Running one command and measuring it: wall time and the child's own peak memory.

Each run is one child process waited for with ``os.wait4``, whose resource usage is that
child's alone (``ru_maxrss``), so time and memory come from the same run. A run is either
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
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass

# A terminal the size people use; rows count for the pager check, which MSCLI_PAGER="" turns off.
COLUMNS, ROWS = 120, 40


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: bytes


def _finish(pid: int, start: float, codes: tuple[int, ...]) -> tuple[float, float]:
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in codes:
        raise RuntimeError(f"exit {code}")
    return seconds, usage.ru_maxrss / 1024


def piped(command: list[str], env: dict[str, str], keep: bool = False, codes: tuple[int, ...] = (0,)) -> Run:
    """Run with stdout to /dev/null, or captured when ``keep`` (the output is then checked)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE if keep else subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    output = process.stdout.read() if process.stdout is not None else b""
    try:
        seconds, peak = _finish(process.pid, start, codes)
    except RuntimeError as error:
        raise RuntimeError(f"{' '.join(command)}: {error}") from None
    process.returncode = 0  # already reaped by wait4
    return Run(seconds, peak, output)


def on_pty(command: list[str], env: dict[str, str], keep: bool = False, codes: tuple[int, ...] = (0,)) -> Run:
    """Run with stdout and stderr on a fresh pseudo-terminal, reading all it writes."""
    start = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the pty's slave end
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
            os.execve(command[0], command, env)
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
        seconds, peak = _finish(pid, start, codes)
    except RuntimeError as error:
        raise RuntimeError(f"{' '.join(command)} (on a pty): {error}") from None
    return Run(seconds, peak, b"".join(chunks))


Runner = Callable[..., Run]


@dataclass
class Job:
    """One command to measure: how it is run, and the exit codes that count as its answer."""

    runner: Runner
    command: list[str]
    codes: tuple[int, ...] = (0,)

    def __call__(self, env: dict[str, str], keep: bool = False) -> Run:
        return self.runner(self.command, env, keep=keep, codes=self.codes)


@dataclass
class Measured:
    seconds: float  # median wall time
    peak_mb: float  # the largest peak memory of any run
    runs: int


def interleaved(jobs: dict[str, Job], runs: int, env: dict[str, str],
                warm: bool = True) -> dict[str, Measured]:
    """Median wall time of each command over ``runs`` rounds, one run of each per round, so a
    slow moment of a shared machine hits every command alike; one unmeasured round first when
    ``warm`` (it fills the OS file cache and mscli's own)."""
    if warm:
        for job in jobs.values():
            job(env)
    samples: dict[str, list[Run]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            samples[name].append(job(env))
    return {name: Measured(statistics.median(run.seconds for run in done), max(run.peak_mb for run in done),
                           len(done))
            for name, done in samples.items()}
