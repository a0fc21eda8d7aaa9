"""The fenced worker: a job that breaks its limits costs its child process, and says which limit."""

import pytest

from opmaturity import fence

SMALL = fence.Limits(memory_bytes=768 * 1024**2, cpu_seconds=2, wall_seconds=30, output_bytes=10_000)


def test_a_job_within_its_limits_returns_its_output_byte_for_byte():
    assert fence.run("probe", "echo:髙橋①".encode(), SMALL) == "髙橋①".encode()


def test_input_given_in_parts_reaches_the_child_as_one_stream():
    assert fence.run("probe", [b"echo:", "髙橋".encode(), b"", "①".encode()], SMALL) == "髙橋①".encode()


def test_a_job_that_wants_more_memory_than_its_cap_is_stopped_as_memory():
    with pytest.raises(fence.FenceError) as caught:
        fence.run("probe", b"allocate:2000000000", SMALL)
    assert caught.value.reason == "memory"


def test_a_job_that_spins_is_stopped_by_its_cpu_limit():
    with pytest.raises(fence.FenceError) as caught:
        fence.run("probe", b"spin", SMALL)
    assert caught.value.reason == "cpu"


def test_a_job_that_runs_past_the_wall_clock_is_killed():
    with pytest.raises(fence.FenceError) as caught:
        fence.run("probe", b"spin", fence.Limits(cpu_seconds=60, wall_seconds=1.5))
    assert caught.value.reason == "time"


def test_too_much_output_is_refused():
    with pytest.raises(fence.FenceError) as caught:
        fence.run("probe", b"write:50000", SMALL)
    assert caught.value.reason == "output"


def test_a_native_library_that_aborts_saying_it_is_out_of_memory_is_a_memory_refusal():
    import signal

    said = "arrow/result.cc:27: ValueOrDie called on an error: Out of memory: malloc of size 16777216 failed"
    assert fence._reason(-signal.SIGABRT, said) == "memory"
    assert fence._reason(-signal.SIGABRT, "terminate called after throwing an instance of 'std::bad_alloc'") == "memory"
    assert fence._reason(-signal.SIGABRT, "something else") == "crash"


def test_a_child_that_aborts_is_a_crash_and_the_parent_goes_on():
    with pytest.raises(fence.FenceError) as caught:
        fence.run("probe", b"abort", SMALL)
    assert caught.value.reason == "crash"
    assert fence.run("probe", b"echo:still here", SMALL) == b"still here"


def test_only_named_jobs_run():
    with pytest.raises(ValueError, match="Not a fenced job"):
        fence.run("os:system", b"", SMALL)


def test_the_child_never_gets_more_than_its_parent_may_use_and_sets_its_limits_itself():
    """A parent limited to 1 GB gives its child 1 GB even when asked for 2; the limits travel in the child's
    environment (no Python runs between fork and exec in a process with threads)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import resource, sys; sys.path.insert(0, sys.argv[1]);"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "from opmaturity import fence; print(fence._rlimits(fence.Limits(memory_bytes=2 << 30)))"
    )
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", script, root], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["as"] == [1 << 30, 1 << 30]
    assert fence.run("probe", b"allocate:300000000", fence.Limits(memory_bytes=2 << 30)) == b"300000000"


def test_a_worker_never_outlives_an_interrupted_wait_for_it(monkeypatch):
    """Ctrl+C while the command line waited left the worker parsing at full CPU (an outside review)."""
    import subprocess

    started = []
    real_popen = subprocess.Popen

    class Interrupted(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

        def wait(self, timeout=None):
            if timeout is not None and not getattr(self, "_asked", False):
                self._asked = True
                raise KeyboardInterrupt
            return super().wait(timeout)

    monkeypatch.setattr(subprocess, "Popen", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        fence.run("probe", b"spin", fence.Limits(cpu_seconds=60, wall_seconds=60))
    (child,) = started
    assert child.returncode is not None  # killed and reaped, not left spinning
