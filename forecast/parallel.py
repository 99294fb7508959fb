"""Independent fits in parallel: local worker processes, or an existing Dask cluster.

`map_tasks(fn, items)` is ``[fn(x) for x in items]`` with the calls spread over processes:

* ``workers=1``: in this process, one after another (no pickling, easiest to debug);
* default: a pool of local processes, one per core (``os.cpu_count()``), never more than
  there are tasks;
* ``dask="tcp://host:port"``: the tasks go to the Dask distributed scheduler at that address
  (``distributed.Client(address)``); its workers must be able to import `fn`'s module.

`fn` must be a top-level function (it is pickled by reference) and each item picklable.
Results come back in input order. If a task raises, the remaining tasks are cancelled and
`TaskFailed` names the task (``label(item)``) and the original error. `progress`, if given,
is called as ``progress(done, total, label)`` in this process each time a task finishes.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from forecast.errors import ForecastError, InvalidQuery

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int, str], None]
#: How long to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT = "10s"


class TaskFailed(ForecastError):
    """One task of a parallel map raised; `task` names it and `__cause__` is its error."""

    def __init__(self, task: str, error: BaseException) -> None:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        super().__init__(f"task {task} failed: {first}")
        self.task = task
        self.error = error


def default_workers() -> int:
    """The number of local worker processes used when none is asked for: one per core."""
    return max(os.cpu_count() or 1, 1)


def map_tasks(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
    label: Callable[[T], str] = str,
) -> list[R]:
    """``[fn(x) for x in items]``, in parallel (see the module docstring)."""
    items = list(items)
    if workers is not None and workers < 1:
        raise InvalidQuery(f"workers {workers} must be at least 1")
    labels = [label(x) for x in items]
    if not items:
        return []
    if dask:
        return _on_dask(fn, items, labels, dask, progress)
    n = min(workers or default_workers(), len(items))
    if n == 1:
        return _in_process(fn, items, labels, progress)
    return _on_processes(fn, items, labels, n, progress)


def _in_process(fn: Callable, items: Sequence, labels: list[str], progress: Progress | None) -> list:
    out = []
    for i, (x, name) in enumerate(zip(items, labels)):
        try:
            out.append(fn(x))
        except Exception as exc:
            raise TaskFailed(name, exc) from exc
        if progress:
            progress(i + 1, len(items), name)
    return out


def _context() -> multiprocessing.context.BaseContext:
    """Fresh worker processes from a fork server: nothing of this process's threads or
    open sampler state leaks into them, and they start faster than with spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _on_processes(fn: Callable, items: Sequence, labels: list[str], n: int,
                  progress: Progress | None) -> list:
    out: list[Any] = [None] * len(items)
    with ProcessPoolExecutor(max_workers=n, mp_context=_context()) as pool:
        index: dict[Future, int] = {pool.submit(fn, x): i for i, x in enumerate(items)}
        pending = set(index)
        done_count = 0
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=index.__getitem__):
                i = index[fut]
                exc = fut.exception()
                if exc is not None:
                    for other in pending:
                        other.cancel()
                    raise TaskFailed(labels[i], exc) from exc
                out[i] = fut.result()
                done_count += 1
                if progress:
                    progress(done_count, len(items), labels[i])
    return out


def _on_dask(fn: Callable, items: Sequence, labels: list[str], address: str,
             progress: Progress | None) -> list:
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - a dependency of the package
        raise InvalidQuery("dask address given but the 'distributed' package is not installed") from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidQuery(f"no Dask scheduler answered at {address!r} ({exc}); "
                           "give an address like tcp://127.0.0.1:8786") from None
    run = uuid.uuid4().hex[:8]
    with client:
        keys = [f"{getattr(fn, '__name__', 'task')}-{run}-{i}" for i in range(len(items))]
        futures = [client.submit(fn, x, key=k, pure=False) for x, k in zip(items, keys)]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(items)
        done_count = 0
        for fut in as_completed(futures):
            i = index[fut.key]
            if fut.status == "error":
                exc = fut.exception()
                client.cancel(futures)
                raise TaskFailed(labels[i], exc) from exc
            out[i] = fut.result()
            done_count += 1
            if progress:
                progress(done_count, len(items), labels[i])
    return out
