"""Watching a site's sources and rebuilding once after each burst of changes.

``Watcher`` watches ``site.toml``, ``content/`` and ``layouts/`` with watchdog and runs
``build()`` in one worker thread:

* events are debounced: a build starts once the sources have been quiet for ``debounce``
  seconds (or ``max_delay`` after the first event of an endless stream), so an editor's
  atomic save or a ``git checkout`` of hundreds of files gives one rebuild;
* a change that arrives while a build runs gives exactly one more build after it;
* the site root is watched non-recursively and ``content/`` and ``layouts/`` recursively,
  so the output directory (often ``public/`` inside the site) and ``.bulletin-cache/`` are
  never watched: builds cannot trigger builds, and staging copies cost no inotify watches;
* when ``content/`` or ``layouts/`` is deleted, moved away or replaced (a ``git checkout``
  of another branch), its watch is dropped and set up again on the new directory, and a
  build waits up to ``missing_grace`` seconds for a vanished ``content/`` to come back;
* reads by the build (open/close-no-write events) are not subscribed to; hidden files,
  editor swap and backup files and non-Markdown files in ``content/`` are ignored.

Every build goes through ``build(root, options)``; the build's staging directory and
atomic swap keep the live output complete whatever happens here.

``bulletin watch`` (the production watcher) is ``console.run_watch``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import sys
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from .build import BuildOptions, BuildResult, build, finish_session
from .clock import site_now, site_today, start_of_day
from .config import load_config, read_language
from .diagnostics import BulletinError, Diagnostic
from .messages import CATALOGUE, DEFAULT_LANGUAGE, msg

Kind = Literal["created", "modified", "deleted", "moved", "initial", "new day"]

SOURCES = ("content", "layouts")  # watched recursively
ROOT_NAMES = frozenset((*SOURCES, "site.toml"))
EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
BARRIER_PREFIX = ".bulletin-barrier-"
BARRIER_RETRY = 0.5  # seconds before a barrier is written again (see Watcher.sync)
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")
IGNORED_NAMES = frozenset(("4913",))  # vim probes the directory with this name


@dataclass(frozen=True)
class Change:
    """One changed source path, relative to the site root (posix)."""

    kind: Kind
    path: str
    dest: str | None = None

    def describe(self, language: str = DEFAULT_LANGUAGE) -> str:
        """What changed, for a log line, in ``language``."""
        if self.kind == "moved":
            return msg("change.moved", path=self.path, dest=self.dest).render(language)
        if self.kind == "initial":
            return msg("change.initial").render(language)
        if self.kind == "new day":
            day = self.path.rsplit(" ", 1)[-1]
            return msg("change.new_day", day=day).render(language)
        if self.path == "(requested)":
            return msg("change.requested").render(language)
        if f"change.{self.kind}" in CATALOGUE:
            return msg(f"change.{self.kind}", path=self.path).render(language)
        return f"{self.path} {self.kind}"  # pragma: no cover - every kind is listed

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.dest is None else (self.path, self.dest)


@dataclass(frozen=True)
class Rebuild:
    """One finished build: what triggered it and what came of it."""

    number: int  # 0 is the initial build
    changes: tuple[Change, ...]
    result: BuildResult
    seconds: float  # wall time of build(), as seen by the watcher
    crash: str | None = None  # a traceback if build() raised (a bug, not bad input)

    @property
    def initial(self) -> bool:
        return self.number == 0

    @property
    def changed_output(self) -> bool:
        return self.result.ok and (self.result.written > 0 or self.result.removed > 0)


def summarize(
    changes: tuple[Change, ...] | list[Change],
    limit: int = 3,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """'content/a.md modified, content/b.md deleted (+3 more)', in ``language``."""
    if not changes:
        return msg("change.none").render(language)
    sep = "、" if language == "zh-CN" else ", "
    shown = sep.join(c.describe(language) for c in changes[:limit])
    more = len(changes) - limit
    return shown + (msg("change.more", n=more).render(language) if more > 0 else "")


def relevant(rel: PurePosixPath, is_directory: bool) -> bool:
    """Whether a change at this site-relative path can change the built site."""
    parts = rel.parts
    if not parts or parts[0] not in ROOT_NAMES:
        return False
    if len(parts) == 1:
        return True
    if parts[0] == "site.toml":
        return False
    name = parts[-1]
    if any(p.startswith(".") for p in parts[1:]):
        return False  # hidden: skipped by the build; editor temp files; barriers
    if name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES):
        return False
    if parts[0] == "content" and not is_directory:
        return name.endswith(".md")
    return True


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher._on_event(event)


def _coalesce(pending: dict[str, Change], change: Change) -> None:
    """Merge a change into the pending set, one entry per path, latest meaning wins."""
    key = change.path
    before = pending.pop(key, None)
    if before is not None and change.kind == "modified" and before.kind == "created":
        change = before
    elif before is not None and change.kind == "created" and before.kind == "deleted":
        change = Change("modified", key)
    pending[key] = change


class Watcher:
    """Watches a site's sources and rebuilds it in one worker thread.

    ``on_build`` is called in the worker thread after every build (the initial one too).
    Use as a context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(
        self,
        root: Path,
        options: BuildOptions,
        *,
        on_build: Callable[[Rebuild], None] | None = None,
        on_start: Callable[[tuple[Change, ...]], None] | None = None,
        debounce: float = 0.05,
        max_delay: float = 2.0,
        missing_grace: float = 2.0,
        daily: bool | None = None,
        builder: Callable[[Path, BuildOptions], BuildResult] = build,
        finisher: Callable[[BuildOptions], list[Diagnostic] | None] = finish_session,
        on_finish: Callable[[list[Diagnostic], float], None] | None = None,
        halt: threading.Event | None = None,
    ):
        self.root = Path(root).resolve()
        self.options = options
        self.on_build = on_build
        self.on_start = on_start
        self.debounce = debounce
        self.max_delay = max_delay
        self.missing_grace = missing_grace
        self.daily = options.today is None if daily is None else daily
        self.builder = builder
        # after a build, when no change is waiting: the deferred search index and manifest
        self.finisher = finisher
        self.on_finish = on_finish
        # set by a signal handler the moment Ctrl-C or SIGTERM arrives, before stop() runs:
        # a build that the signal broke (its worker processes got it too) is not reported
        self.halt = halt or threading.Event()

        self._cond = threading.Condition()
        self._pending: dict[str, Change] = {}
        self._first_event = 0.0
        self._last_event = 0.0
        self._building = False
        self._stopping = False
        self._builds = 0
        self._barriers: set[str] = set()  # barriers seen, of those awaited
        self._awaited: set[str] = set()  # barriers made by sync() calls still waiting
        self._last: Rebuild | None = None
        self._day: dt.date | None = None  # the site's date the last build was made for

        self._observer = Observer()
        self._handler = _Handler(self)
        self._dir_watches: dict[str, tuple[tuple[int, int], object]] = {}
        self._worker = threading.Thread(target=self._run, name="bulletin-build", daemon=True)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Watcher:
        """Start watching; the initial build runs at once in the worker thread."""
        # A directory moved out of content/ and back is watched again under the same inotify
        # descriptor; watchdog warns and replaces the old callback, which is what we want.
        warnings.filterwarnings(
            "ignore", message="Callback with id", category=RuntimeWarning, module="watchdog"
        )
        self._observer.schedule(
            self._handler, str(self.root), recursive=False, event_filter=EVENT_TYPES
        )
        self._sync_watches()
        self._observer.start()
        with self._cond:
            self._pending["(initial build)"] = Change("initial", "initial build")
            self._first_event = self._last_event = 0.0  # no debounce for the first build
        self._worker.start()
        return self

    def stop(self, timeout: float = 5.0, *, kill_build: bool = False) -> bool:
        """Stop watching and building; True if the build thread has ended.

        A build in progress is waited for up to ``timeout`` seconds. Then, with
        ``kill_build``, the build's worker processes (multiprocessing children of this
        process: use it only in a process of its own, as the CLI does) are terminated,
        which ends the build at once. An abandoned build leaves the live output complete
        (builds swap in atomically); its staging directory is removed by the next build.
        """
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        with contextlib.suppress(Exception):
            self._observer.stop()
        if self._worker.is_alive():
            self._worker.join(timeout)
        if self._worker.is_alive() and kill_build:
            children = multiprocessing.active_children()
            for child in children:
                child.terminate()
            if children:
                self._worker.join(min(timeout, 5.0))
        with contextlib.suppress(Exception):
            self._observer.join(timeout)
        return not self._worker.is_alive()

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- state for callers and tests ---------------------------------------------------

    @property
    def builds(self) -> int:
        """Number of finished builds, the initial one included."""
        with self._cond:
            return self._builds

    @property
    def last(self) -> Rebuild | None:
        with self._cond:
            return self._last

    @property
    def building(self) -> bool:
        with self._cond:
            return self._building

    def request(self, change: Change | None = None) -> None:
        """Ask for a rebuild as if the sources had changed."""
        self._add(change or Change("modified", "(requested)"))

    def wait_for_builds(self, count: int, timeout: float) -> bool:
        """Wait until at least ``count`` builds have finished."""
        with self._cond:
            return self._cond.wait_for(lambda: self._builds >= count, timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no change is pending and no build runs."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._pending and not self._building and self._builds > 0, timeout
            )

    def sync(self, timeout: float = 30.0) -> bool:
        """Wait until every change made to the sources before this call has been built.

        inotify delivers the events of one watch in order, but watchdog reads each watch
        (the site root, content/, layouts/) in a thread of its own, so events of different
        watches arrive in any order. So a barrier is made in the site root (site.toml, a
        new layouts/) and in each watched directory, one after the other, and each is
        waited for: once its event has arrived, every earlier change in that directory
        has been seen. In layouts/ the barrier is an empty directory (the template
        fingerprint hashes every file there). If content/ was just replaced, its new
        watch is set up before the next build; the barrier is made again until it is seen.
        Then waits for the builds to finish. False on timeout.
        """
        deadline = time.monotonic() + timeout

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        places = ("", *(name for name in SOURCES if name in tuple(self._dir_watches)))
        for place in places:
            if not self._barrier(place, left):
                return False
        return self.wait_idle(left())

    def _barrier(self, place: str, left: Callable[[], float]) -> bool:
        """Make a barrier in ``place`` ("" for the site root) and wait for its event.

        Made again every ``BARRIER_RETRY`` seconds while none has been seen (a directory
        just replaced is watched again only before the next build); the event of any of
        them will do, so a watch that lags behind is waited for, not flooded.
        """
        folder = self.root / place
        as_directory = place == "layouts"
        made: set[str] = set()
        try:
            while True:
                name = f"{BARRIER_PREFIX}{uuid.uuid4().hex}"
                barrier = folder / name
                try:
                    if as_directory:
                        barrier.mkdir()
                    else:
                        barrier.write_bytes(b"")
                except OSError:  # the directory is gone: nothing in it to wait for
                    return True
                made.add(name)
                with self._cond:
                    self._awaited.add(name)
                try:
                    with self._cond:
                        seen = self._cond.wait_for(
                            lambda: not made.isdisjoint(self._barriers),
                            min(left(), BARRIER_RETRY),
                        )
                finally:
                    with contextlib.suppress(OSError):
                        if as_directory:
                            barrier.rmdir()
                        else:
                            barrier.unlink()
                if seen:
                    return True
                if left() <= 0:
                    return False
        finally:
            with self._cond:
                self._barriers -= made
                self._awaited -= made

    # --- events ----------------------------------------------------------------------------

    def _relative(self, path: str | bytes) -> PurePosixPath | None:
        if not path:
            return None
        text = os.fsdecode(path)
        try:
            rel = os.path.relpath(text, self.root)
        except ValueError:
            return None
        if rel == "." or rel.startswith(".."):
            return None
        return PurePosixPath(Path(rel).as_posix())

    def _on_event(self, event: FileSystemEvent) -> None:
        src = self._relative(event.src_path)
        dest = self._relative(getattr(event, "dest_path", "") or "")
        if (
            src is not None
            and src.name.startswith(BARRIER_PREFIX)
            and (len(src.parts) == 1 or len(src.parts) == 2 and src.parts[0] in SOURCES)
        ):
            if event.event_type == "created":
                with self._cond:
                    if src.name in self._awaited:  # not one that came after its wait ended
                        self._barriers.add(src.name)
                        self._cond.notify_all()
            return
        is_dir = event.is_directory
        src_ok = src is not None and relevant(src, is_dir)
        dest_ok = dest is not None and relevant(dest, is_dir)
        if not (src_ok or dest_ok):
            return
        etype = event.event_type
        if etype == "moved":
            if src_ok and dest_ok:
                change = Change("moved", str(src), str(dest))
            elif dest_ok:  # an editor's atomic save: temp file renamed over the real one
                change = Change("modified", str(dest))
            else:
                change = Change("deleted", str(src))
        elif etype == "created":
            change = Change("created", str(src))
        elif etype == "deleted":
            change = Change("deleted", str(src))
        else:  # modified, closed (after writing)
            change = Change("modified", str(src))
        self._add(change)

    def _add(self, change: Change) -> None:
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first_event = now
            self._last_event = now
            _coalesce(self._pending, change)
            self._cond.notify_all()

    def _sync_watches(self) -> None:
        """(Re)schedule the recursive watches of content/ and layouts/ on current dirs.

        Cheap (two stat calls), so it runs before every build: a directory that was
        deleted, moved away or replaced since is watched again, by inode.
        """
        for name in SOURCES:
            path = self.root / name
            try:
                st = os.stat(path)
                ident = (st.st_dev, st.st_ino) if os.path.isdir(path) else None
            except OSError:
                ident = None
            current = self._dir_watches.get(name)
            if current is not None and current[0] == ident:
                continue
            if current is not None:
                with contextlib.suppress(Exception):
                    self._observer.unschedule(current[1])  # type: ignore[arg-type]
                del self._dir_watches[name]
            if ident is None:
                continue
            try:
                watch = self._observer.schedule(
                    self._handler, str(path), recursive=True, event_filter=EVENT_TYPES
                )
            except OSError as exc:
                # vanished again (retried before the next build), or out of inotify watches
                if exc.errno not in (2, 20):  # ENOENT, ENOTDIR
                    problem = msg("live.cannot_watch_dir", name=name, error=str(exc.strerror))
                    print(problem.render(read_language(self.root)), file=sys.stderr)
                continue
            self._dir_watches[name] = (ident, watch)

    # --- the worker ----------------------------------------------------------------------

    def _site_clock(self) -> tuple[dt.datetime, dt.date] | None:
        """Now and today in the site's time zone (site.toml ``timezone``, read again each
        time: it may change while watching); None while site.toml does not load."""
        try:
            config = load_config(self.root)
        except (BulletinError, OSError):
            return None
        clock = self.options.clock
        return site_now(config.zone, clock), site_today(config, self.options.today, clock)

    def _next_wakeup(self, clock: tuple[dt.datetime, dt.date] | None) -> float | None:
        """Seconds until just after the site's next midnight, at most a minute."""
        if not self.daily:
            return None
        if clock is None:
            return 60.0
        now = clock[0]
        midnight = start_of_day(now.date() + dt.timedelta(days=1), now.tzinfo or dt.UTC)
        return min(60.0, max(1.0, midnight.timestamp() - now.timestamp() + 1))

    def _take(self) -> tuple[Change, ...] | None:
        """Block until changes are pending and quiet; None when stopping.

        Unless "today" is fixed, a new day on the site's calendar is a change too: the
        pages showing overdue and open states are built again (also when midnight
        passed during a build)."""
        if self.daily and self._day is None:
            clock = self._site_clock()
            self._day = clock[1] if clock else None
        with self._cond:
            while True:
                if self._stopping:
                    return None
                if self._pending:
                    now = time.monotonic()
                    due = min(self._last_event + self.debounce, self._first_event + self.max_delay)
                    if now >= due:
                        break
                    self._cond.wait(due - now)
                    continue
                self._cond.wait(self._next_wakeup(self._site_clock() if self.daily else None))
                if not self.daily or self._pending:
                    continue
                clock = self._site_clock()
                day = clock[1] if clock else None
                if day is not None and day != self._day:
                    if self._day is not None:
                        self._pending["(new day)"] = Change("new day", f"new day {day}")
                        self._first_event = self._last_event = 0.0
                    self._day = day
            changes = tuple(self._pending.values())
            self._pending.clear()
            self._building = True
            return changes

    def _wait_for_content(self) -> None:
        """A checkout may delete content/ and write it again: give it a moment."""
        deadline = time.monotonic() + self.missing_grace
        content = self.root / "content"
        with self._cond:
            while not content.is_dir() and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(min(left, 0.05))

    def _run(self) -> None:
        number = 0
        while True:
            changes = self._take()
            if changes is None:
                return
            rebuild = None
            try:
                rebuild = self._build(number, changes)
                number += 1
                if self._stopping or self.halt.is_set():
                    return  # an interrupted build is not news
                if self.on_build is not None:
                    self.on_build(rebuild)  # before the build counts as done: see wait_idle
                if rebuild.result.pending:
                    self._finish()
            except Exception:  # a bug here must not end watching
                traceback.print_exc()
            finally:
                with self._cond:
                    self._building = False
                    if rebuild is not None:
                        self._builds += 1
                        self._last = rebuild
                    self._cond.notify_all()

    def _finish(self) -> None:
        with self._cond:
            if self._pending or self._stopping:
                return  # the next build comes first; it finishes afterwards
        started = time.perf_counter()
        problems = self.finisher(self.options)
        if problems is not None and self.on_finish is not None and not self.halt.is_set():
            self.on_finish(problems, round(time.perf_counter() - started, 3))

    def _build(self, number: int, changes: tuple[Change, ...]) -> Rebuild:
        self._sync_watches()
        if not (self.root / "content").is_dir():
            self._wait_for_content()
            self._sync_watches()
        if self.on_start is not None:
            self.on_start(changes)
        crash = None
        started = time.perf_counter()
        # the paths a watcher saw change let a session narrow the build (session.narrow)
        known = all(c.kind in ("created", "modified", "deleted", "moved") for c in changes)
        changed = frozenset(p for c in changes for p in c.paths) if known else None
        try:
            result = self.builder(self.root, replace(self.options, changed=changed))
        except Exception as exc:  # build() must not raise; if it does, keep going
            crash = traceback.format_exc()
            result = BuildResult(
                False, (Diagnostic("(build)", None, None, msg("build.internal", error=repr(exc))),)
            )
        return Rebuild(number, changes, result, round(time.perf_counter() - started, 3), crash)


def changed_paths(changes: tuple[Change, ...]) -> set[str]:
    """Every site-relative path the changes name (sources and destinations of moves)."""
    return {p for c in changes for p in c.paths}
