"""Running work in worker processes: the one way, safe from a process with threads.

``pool`` starts a ``ProcessPoolExecutor``. When this process has no other thread, its
workers are forked: they inherit what it holds (the site model, the plan) and nothing is
pickled to them. When other threads are alive (``bulletin serve``: HTTP threads, the
watcher), forking could copy a lock some thread holds and deadlock the child (Python 3.12+
warns about it); the workers then come from a forkserver, a clean single-threaded process,
and get their arguments pickled. Work that needs to inherit memory asks ``can_inherit()``
and runs in-process otherwise.

Each worker runs the ``init`` given to ``pool`` once; what it returns is the worker's
state, handed to every call of a function mapped with ``map_batches`` (one module-level
slot per worker process: a worker runs one job at a time).
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # progress(stage, done, total)

# the state of this worker process (see module docstring); set by _start_worker only
_WORKER_STATE: dict[str, Any] = {}
# modules the forkserver imports once, so its children start warm
PRELOAD = ["bulletin.sources", "bulletin.search.worker"]


def default_jobs(jobs: int | None) -> int:
    """Worker processes to use: ``jobs``, or one per CPU."""
    return max(1, jobs or os.cpu_count() or 1)


def can_inherit() -> bool:
    """Whether workers can be forked from this process (no other thread is alive)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _start_worker(forked: bool, init: Callable[..., Any] | None, args: tuple[Any, ...]) -> None:
    if not forked:
        # Ctrl-C goes to the whole process group; the parent ends its workers itself
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.enable()  # a forked worker may come from a build that paused the collector
    _WORKER_STATE["state"] = init(*args) if init is not None else None


def _call(fn: Callable[[Any, list[T]], list[R]], batch: list[T]) -> list[R]:
    return fn(_WORKER_STATE.get("state"), batch)


@contextmanager
def pool(
    jobs: int, init: Callable[..., Any] | None = None, args: tuple[Any, ...] = ()
) -> Iterator[Executor]:
    """A pool of ``jobs`` worker processes, forked when that is safe (see above). While
    forked workers run, what this process holds is frozen out of garbage collection, so
    their collections never walk it (nor copy its memory by touching it)."""
    forked = can_inherit()
    ctx: multiprocessing.context.BaseContext
    if forked:
        ctx = multiprocessing.get_context("fork")
        gc.freeze()
    else:
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(PRELOAD)
        ctx = server
    try:
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=ctx,
            initializer=_start_worker,
            initargs=(forked, init, args),
        ) as executor:
            yield executor
    finally:
        if forked:
            gc.unfreeze()


def chunks(seq: Sequence[T], n: int) -> list[list[T]]:
    """``seq`` cut into pieces for ``n`` workers: about eight each, at most 128 long."""
    size = max(1, min(128, len(seq) // (n * 8) or 1))
    return [list(seq[i : i + size]) for i in range(0, len(seq), size)]


def map_batches(
    fn: Callable[[Any, list[T]], list[R]],
    work: Sequence[T],
    *,
    jobs: int,
    init: Callable[..., Any] | None = None,
    args: tuple[Any, ...] = (),
    parallel: bool = True,
    stage: str = "",
    progress: Progress | None = None,
    singles: int = 0,
) -> list[R]:
    """``fn(state, batch)`` over ``work`` in batches, results in order; ``state`` is
    ``init(*args)`` in the process running the batch. In worker processes when
    ``parallel`` and ``jobs > 1``, else here. The first ``singles`` pieces of work go
    one per batch (big ones, handed out first, so no worker is left with a long tail)."""
    if not work:
        return []
    out: list[R] = []
    if not parallel or jobs <= 1:
        state = init(*args) if init is not None else None
        for batch in chunks(work, 1):
            out.extend(fn(state, batch))
            if progress is not None:
                progress(stage, len(out), len(work))
        return out
    batches = [[w] for w in work[:singles]] + chunks(work[singles:], jobs)
    with pool(jobs, init, args) as executor:
        for result in executor.map(functools.partial(_call, fn), batches):
            out.extend(result)
            if progress is not None:
                progress(stage, len(out), len(work))
    return out


def _done() -> None:
    return None


def in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Run ``work`` in a forked child (it sees this process's memory: nothing is pickled)
    and return a function that waits for it. Inline where forking is unsafe (another
    thread is alive) or impossible. ``work`` must leave nothing half-done that matters if
    the child fails: its result is only awaited, never checked."""
    if not can_inherit():
        work()
        return _done
    pid = os.fork()
    if pid == 0:  # the child: no atexit handlers, no stdio flushing, no finally clauses
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    waited = False

    def wait() -> None:
        nonlocal waited
        if not waited:
            waited = True
            os.waitpid(pid, 0)

    return wait


@contextmanager
def gc_paused(paused: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector for a block (or, ``paused=False``, run it),
    then restore it as it was.

    A build allocates objects by the million that live until it ends (parsed items, the
    model, the plan); each collection their allocation triggers walks all of them again,
    which took a third of the time spent loading the item index. They hold little cyclic
    garbage. Rendering, which makes Jinja contexts by the thousand, runs the collector.
    """
    was = gc.isenabled()
    if paused:
        gc.disable()
    else:
        gc.enable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
