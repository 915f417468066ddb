"""parallel: one way to run work in worker processes, safe from a threaded process."""

from __future__ import annotations

import os
import threading

from bulletin import parallel


def _offset(base: int) -> int:
    return base


def _add(state: int, batch: list[int]) -> list[tuple[int, int]]:
    return [(n + state, os.getpid()) for n in batch]


def test_map_batches_in_process_and_in_workers_give_the_same_results() -> None:
    work = list(range(50))
    here = parallel.map_batches(_add, work, jobs=1, init=_offset, args=(100,))
    there = parallel.map_batches(_add, work, jobs=2, init=_offset, args=(100,))
    assert [n for n, _pid in here] == [n for n, _pid in there] == [n + 100 for n in work]
    assert {pid for _n, pid in here} == {os.getpid()}
    assert os.getpid() not in {pid for _n, pid in there}


def test_progress_is_reported_in_order() -> None:
    seen: list[tuple[str, int, int]] = []
    parallel.map_batches(
        _add,
        list(range(10)),
        jobs=1,
        init=_offset,
        args=(0,),
        stage="read",
        progress=lambda *a: seen.append(a),
    )
    assert seen[-1] == ("read", 10, 10) and [d for _s, d, _t in seen] == sorted(
        d for _s, d, _t in seen
    )


def test_with_another_thread_alive_workers_are_not_forked_from_it() -> None:
    """serve builds in a thread while HTTP threads run: a fork then could copy a held
    lock; the workers come from a forkserver instead (and still do the work)."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.can_inherit()
        got = parallel.map_batches(_add, list(range(20)), jobs=2, init=_offset, args=(1,))
        assert [n for n, _pid in got] == list(range(1, 21))
    finally:
        stop.set()
        other.join()


def test_in_background_runs_the_work_in_a_child_when_it_is_safe(tmp_path) -> None:  # noqa: ANN001
    """(Inline when another thread is alive: then the work is done before it returns.)"""
    marker = tmp_path / "done"
    forks = parallel.can_inherit()
    wait = parallel.in_background(lambda: marker.write_text(str(os.getpid())))
    wait()
    assert (marker.read_text() != str(os.getpid())) == forks


def test_chunks_cover_the_work_in_order() -> None:
    work = list(range(1000))
    pieces = parallel.chunks(work, 2)
    assert [n for piece in pieces for n in piece] == work
    assert max(len(p) for p in pieces) <= 128


def test_a_build_in_a_threaded_process_never_forks_it(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """serve builds in a thread while HTTP threads are alive: reading, rendering, the
    cache write and the search index must then run without forking this process (Python
    3.12+ warns about it, and a child can deadlock on a lock another thread held)."""
    import datetime as dt

    from bench.corpus import generate
    from bulletin.build import BuildOptions, build

    site = tmp_path / "site"
    generate(site, 300, seed=9)  # more than PARALLEL_MIN files to read and pages to render

    def no_fork() -> int:
        raise AssertionError("os.fork() called while another thread is alive")

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        monkeypatch.setattr(os, "fork", no_fork)
        options = BuildOptions(output=tmp_path / "out", today=dt.date(2026, 11, 27), jobs=2)
        result = build(site, options)
    finally:
        stop.set()
        other.join()
    assert result.ok, [d.format("en") for d in result.errors]
    assert result.rendered == result.pages
