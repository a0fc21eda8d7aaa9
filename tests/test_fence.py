"""The fenced worker: a job that breaks its limits costs its child process, and says which limit."""

import pytest

from opmaturity import fence

SMALL = fence.Limits(memory_bytes=768 * 1024**2, cpu_seconds=2, wall_seconds=30, output_bytes=10_000)


def test_a_job_within_its_limits_returns_its_output_byte_for_byte():
    assert fence.run("probe", "echo:髙橋①".encode(), SMALL) == "髙橋①".encode()


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


def test_a_child_that_aborts_is_a_crash_and_the_parent_goes_on():
    with pytest.raises(fence.FenceError) as caught:
        fence.run("probe", b"abort", SMALL)
    assert caught.value.reason == "crash"
    assert fence.run("probe", b"echo:still here", SMALL) == b"still here"


def test_only_named_jobs_run():
    with pytest.raises(ValueError, match="Not a fenced job"):
        fence.run("os:system", b"", SMALL)
