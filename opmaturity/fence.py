"""A fenced worker: run one job on untrusted input in a child process with limits, so that a hostile or broken
file costs that child, never the dashboard or the command line.

The parent hands the job's input to the child as its standard input (a file, written once: a pipe would cost
a system call and a wake-up per 4 KB of a large file) and reads its output from a file; the child
runs with a cap on its address space (memory), its CPU time and the size of what it may write, and the parent
kills it when the wall-clock time runs out. Output comes back as bytes the job defines (never a pickle: a child
that a file took over must not be able to run code in the parent). Only the jobs named in JOBS can run.

`python -m opmaturity.fence JOB` is the child's entry point; nothing else should call it.
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

# job name -> "module:function" taking the input stream (stdin) and returning the output bytes
JOBS: dict[str, str] = {
    "probe": "opmaturity.fence:probe",
    "parse": "opmaturity.parsing:job",
}
MEMORY_EXIT = 71  # the child ran out of its memory cap (MemoryError)
LENGTH_BYTES = 8  # the child's output starts with its length, so that a write cut short is never read as whole
OUTPUT_EXIT = 72  # the child's output passed its cap (Python ignores SIGXFSZ: the write fails with EFBIG)
ERROR_EXIT = 1  # the job raised: Python prints the traceback to standard error (a native library may exit 1 too)


@dataclass(frozen=True)
class Limits:
    """What one job may use. The defaults fit a 2-core, 4 GB machine serving several people at once."""

    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 120
    wall_seconds: float = 180.0
    output_bytes: int = 512 * 1024**2


class FenceError(Exception):
    """The job did not finish within its limits, or died: `reason` is memory, cpu, time, output, disk (its answer
    was cut short), crash, or error (the job raised: a bug, whose traceback is in `log`, the end of what the
    child wrote to its standard error)."""

    def __init__(self, reason: str, detail: str = "", log: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.log = log


def run(job: str, data: bytes | Sequence[bytes], limits: Limits | None = None) -> bytes:
    """The output of `job` run on `data` (bytes, or parts read one after the other) in a fenced child process;
    FenceError when a limit stopped it."""
    if job not in JOBS:
        raise ValueError(f"Not a fenced job: {job!r}")
    limits = limits or Limits()
    parts = [data] if isinstance(data, bytes) else data
    with tempfile.TemporaryDirectory(prefix="opmaturity-fence-") as folder:
        out_path = os.path.join(folder, "out")
        with open(out_path, "wb") as out, tempfile.TemporaryFile(dir=folder) as given, tempfile.TemporaryFile() as err:
            try:
                for part in parts:
                    given.write(part)
                given.flush()
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # a full disk, a quota, a file size cap
                    raise FenceError("disk", "the input could not be written to a temporary file") from None
                raise
            given.seek(0)
            child = subprocess.Popen(
                [sys.executable, "-m", "opmaturity.fence", job],
                stdin=given,
                stdout=out,
                stderr=err,
                env={**_environment(), _LIMITS_ENV: _rlimits(limits), _PARENT_ENV: str(os.getpid())},  # applied first
                start_new_session=True,  # its own process group: a signal to the dashboard's terminal reaches it once
                cwd=folder,
            )
            try:
                child.wait(timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                raise FenceError("time", f"stopped after {limits.wall_seconds:g} s") from None
            except BaseException:  # Ctrl+C, a stopped script run: the worker never outlives the wait for it
                child.kill()
                child.wait()
                raise
            err.seek(0, os.SEEK_END)
            err.seek(max(0, err.tell() - 8000))
            log = err.read().decode("utf-8", "replace").strip()
        code = child.returncode
        if code == 0:
            if os.path.getsize(out_path) > limits.output_bytes + LENGTH_BYTES:
                raise FenceError("output", f"more than {limits.output_bytes} bytes")
            with open(out_path, "rb") as result:
                written = result.read()
            told = int.from_bytes(written[:LENGTH_BYTES], "big")
            if told > limits.output_bytes:  # the cap cut it short
                raise FenceError("output", f"more than {limits.output_bytes} bytes")
            if len(written) < LENGTH_BYTES or len(written) - LENGTH_BYTES != told:  # a full disk cut it short
                raise FenceError("disk", f"the answer was cut short ({len(written)} of {told + LENGTH_BYTES} bytes)")
            return written[LENGTH_BYTES:]
        raise FenceError(_reason(code, log), log.splitlines()[-1] if log else f"exit status {code}", log)


def _reason(code: int, log: str) -> str:
    if code == MEMORY_EXIT:
        return "memory"
    if code == OUTPUT_EXIT:
        return "output"
    if code == ERROR_EXIT and "Traceback (most recent call last)" in log:
        return "error"
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return "cpu"
    if code == -signal.SIGXFSZ:
        return "output"
    if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        if "Out of memory" in log or "std::bad_alloc" in log:
            return "memory"  # a native library (Arrow) that could not allocate under the cap, and said so
        return "crash"  # often a native library that could not allocate under the memory cap, silently
    return "crash"


# The limits travel to the child in its environment and it sets them before it imports anything: a preexec_fn
# would run Python between fork and exec, which is unsafe in a process with threads (the dashboard, DuckDB and
# Arrow all run some), and did crash children under the test suite.
_LIMITS_ENV = "OPMATURITY_FENCE_RLIMITS"
_KINDS = {
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "fsize": resource.RLIMIT_FSIZE,
    "core": resource.RLIMIT_CORE,
}


def _rlimits(limits: Limits) -> str:
    """The child's resource limits as JSON, never above what this process may use itself."""
    output = limits.output_bytes + LENGTH_BYTES + 1
    wanted = {"as": (limits.memory_bytes, limits.memory_bytes), "cpu": (limits.cpu_seconds, limits.cpu_seconds + 5),
              "fsize": (output, output), "core": (0, 0)}  # fmt: skip
    capped = {}
    for name, (soft, hard) in wanted.items():
        _, ceiling = resource.getrlimit(_KINDS[name])
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        capped[name] = [soft, hard]
    return json.dumps(capped)


def _apply_rlimits() -> None:
    """In the child: set the limits the parent chose (from the environment), before anything else runs; and die
    with the parent (Linux): in a session of its own it kept parsing at full CPU after a `kill -9` of the command
    line until its own limits stopped it (an outside review)."""
    for name, (soft, hard) in json.loads(os.environ.pop(_LIMITS_ENV, "{}")).items():
        resource.setrlimit(_KINDS[name], (soft, hard))
    parent = int(os.environ.pop(_PARENT_ENV, "0") or 0)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's kill on the way out still holds
        return
    if parent and os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(ERROR_EXIT)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_PARENT_ENV = "OPMATURITY_FENCE_PARENT"


def _environment() -> dict[str, str]:
    """The child's environment: the parent's, with thread pools at one thread (memory is capped), Arrow on the
    system allocator (its default, mimalloc, spent a third of a large parse in the kernel, and reserves more) and
    glibc handing large blocks back when they are freed (a 500,000-answer CSV peaked at 380 MB instead of 550)."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[name] = "1"
    env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    env["MALLOC_MMAP_THRESHOLD_"] = str(64 * 1024)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


def probe(stream: BinaryIO) -> bytes:
    """A job that checks the fence itself: `echo:TEXT`, `allocate:BYTES`, `spin` (CPU), `write:BYTES`, `abort`."""
    command, _, argument = stream.read().decode("utf-8").partition(":")
    if command == "echo":
        return argument.encode("utf-8")
    if command == "allocate":
        block = bytearray(int(argument))
        return str(len(block)).encode()
    if command == "spin":
        while True:
            pass
    if command == "write":
        return b"x" * int(argument)
    if command == "abort":
        os.abort()
    raise ValueError(f"unknown probe {command!r}")


def _main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in JOBS:
        print("usage: python -m opmaturity.fence JOB (an internal entry point)", file=sys.stderr)
        return 2
    _apply_rlimits()
    module, _, function = JOBS[argv[0]].partition(":")
    # pyarrow and openpyxl import numpy when they can (and pyarrow's grouping then pandas), only to know its
    # types: that would double the child's start-up and need memory of its own. No job needs numpy, so the
    # child never loads it.
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        job = getattr(importlib.import_module(module), function)
        result = job(sys.stdin.buffer)  # a job reads its input itself (a large file is never copied whole)
    except MemoryError:
        return MEMORY_EXIT
    except ImportError:
        if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
            return MEMORY_EXIT  # a native library (Arrow needs about 200 MB of address space) not loaded under the cap
        raise
    try:
        sys.stdout.buffer.write(len(result).to_bytes(LENGTH_BYTES, "big"))  # the parent checks it got all of it
        sys.stdout.buffer.write(result)
        sys.stdout.buffer.flush()
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            return OUTPUT_EXIT
        raise
    return 0


if __name__ == "__main__":
    status = _main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without the interpreter's teardown: Arrow's thread pool, torn down at exit, now and then ended the
    # child with "terminate called without an active exception" after its answer was already written.
    os._exit(status)
