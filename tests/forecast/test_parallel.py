"""map_tasks: local processes, in-process, and a Dask LocalCluster; order, errors, progress."""

from __future__ import annotations

import os

import pytest

from forecast.errors import InvalidQuery
from forecast.parallel import TaskFailed, map_tasks


def square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError(f"no good: {x}")
    return x


def test_local_processes_keep_input_order_and_run_elsewhere() -> None:
    seen = []
    out = map_tasks(square_and_pid, [5, 1, 4, 2], workers=2,
                    progress=lambda done, total, name: seen.append((done, total, name)))
    assert [r for r, _ in out] == [25, 1, 16, 4]
    assert os.getpid() not in {pid for _, pid in out}
    assert [d for d, _, _ in seen] == [1, 2, 3, 4]
    assert sorted(n for _, _, n in seen) == ["1", "2", "4", "5"]
    assert {t for _, t, _ in seen} == {4}


def test_one_worker_runs_in_this_process() -> None:
    out = map_tasks(square_and_pid, [3, 2], workers=1)
    assert out == [(9, os.getpid()), (4, os.getpid())]


def test_a_failing_task_is_named() -> None:
    with pytest.raises(TaskFailed) as info:
        map_tasks(fail_on_three, [1, 2, 3, 4], workers=2, label=lambda x: f"cut-off #{x}")
    assert str(info.value) == "task cut-off #3 failed: no good: 3"
    assert info.value.task == "cut-off #3"
    assert isinstance(info.value.error, ValueError)


def test_in_process_failure_is_named_too() -> None:
    with pytest.raises(TaskFailed, match=r"^task 3 failed: no good: 3$"):
        map_tasks(fail_on_three, [3], workers=1)


def test_bad_worker_count() -> None:
    with pytest.raises(InvalidQuery, match="workers 0 must be at least 1"):
        map_tasks(fail_on_three, [1], workers=0)


def test_empty() -> None:
    assert map_tasks(fail_on_three, [], workers=2) == []


def test_dask_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        seen = []
        out = map_tasks(square_and_pid, [3, 1, 2], dask=cluster.scheduler_address,
                        progress=lambda done, total, name: seen.append(done))
        assert [r for r, _ in out] == [9, 1, 4]
        assert os.getpid() not in {pid for _, pid in out}
        assert seen == [1, 2, 3]
        with pytest.raises(TaskFailed, match=r"^task 3 failed: no good: 3$"):
            map_tasks(fail_on_three, [1, 3], dask=cluster.scheduler_address)


def test_dask_address_nobody_listens_on(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr("forecast.parallel.DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(InvalidQuery, match="no Dask scheduler answered at 'tcp://127.0.0.1:9'"):
        map_tasks(fail_on_three, [1], dask="tcp://127.0.0.1:9")
