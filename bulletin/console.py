"""The terminal face of the long-running commands: build logs, signals, ``bulletin watch``.

``log_rebuild`` prints one line per build (then its errors, and the warnings of the files
that changed), ``log_finish`` one line when the search index caught up; ``stop_on_signals``
turns SIGINT and SIGTERM into a stop request. ``serve`` and ``watch`` share them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .build import BuildOptions
from .config import read_language
from .diagnostics import Diagnostic, sort_key
from .messages import DEFAULT_LANGUAGE, Message, msg
from .session import BuildSession
from .watch import Rebuild, Watcher, changed_paths, summarize

# --- logging shared by watch and serve ------------------------------------------------


def log_finish(
    problems: list[Diagnostic],
    seconds: float,
    stream: TextIO | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """One line after the search index caught up (or why it did not), in ``language``."""
    out = stream or sys.stderr
    for d in problems:
        print(d.format(language), file=out)
    if not problems:
        print(msg("live.search_done", seconds=seconds).render(language), file=out, flush=True)


def log_rebuild(
    rebuild: Rebuild,
    stream: TextIO | None = None,
    *,
    warn_limit: int = 20,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """One line per build, then its diagnostics, in ``language``.

    Errors are always printed. Warnings are printed for the files that changed (all of
    them after the initial build if there are few, else only their count).
    """
    out = stream if stream is not None else sys.stderr
    r = rebuild.result
    stamp = time.strftime("%H:%M:%S")
    what = summarize(rebuild.changes, language=language)
    if r.ok:
        done = msg(
            "live.rebuilt",
            stamp=stamp,
            what=what,
            written=r.written,
            removed=r.removed,
            pages=r.pages,
            seconds=rebuild.seconds,
        )
    else:
        n = len(r.errors)
        s = "s" if n != 1 else ""
        done = msg("live.failed", stamp=stamp, what=what, n=n, s=s, seconds=rebuild.seconds)
    line = done.render(language)
    warnings = r.warnings
    if rebuild.initial:
        shown = warnings if len(warnings) <= warn_limit else []
    else:
        touched = changed_paths(rebuild.changes)
        shown = [d for d in warnings if d.path in touched]
    hidden = len(warnings) - len(shown)
    if hidden and rebuild.initial:
        line += msg("live.hidden_warnings", n=hidden).render(language)
    print(line, file=out)
    for d in sorted([*r.errors, *shown], key=sort_key):
        print("  " + d.format(language), file=out)
    if rebuild.crash:
        print(rebuild.crash, file=out, end="")
    out.flush()


# --- signals -----------------------------------------------------------------------------


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (no KeyboardInterrupt); a second one exits at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    owner = os.getpid()

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            # A build worker forked from this process (Ctrl-C reaches the whole process
            # group): leave at once and quietly; the parent ends the build and exits.
            os._exit(128 + signum)
        if stop.is_set():
            print(msg("live.stopped_hard").render(DEFAULT_LANGUAGE), file=sys.stderr)
            sys.stderr.flush()
            os._exit(130 if signum == signal.SIGINT else 143)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def wait_for(stop: threading.Event) -> None:
    """Wait for ``stop`` in a way that lets signal handlers run in the main thread."""
    while not stop.wait(0.5):
        pass


# --- bulletin watch ----------------------------------------------------------------------


@dataclass
class WatchSettings:
    """What ``bulletin watch`` was asked for."""

    output: Path | None = None
    drafts: bool = False
    today: dt.date | None = None
    debounce: float = 0.2
    language: str | None = None  # of the log lines (--lang); default: the site's


def run_watch(root: Path, settings: WatchSettings, stop: threading.Event | None = None) -> int:
    """``bulletin watch``: rebuild the production output on every change until signalled."""
    stop = stop or threading.Event()
    options = BuildOptions(
        drafts=settings.drafts,
        output=settings.output,
        today=settings.today,
        session=BuildSession(),  # parsed items and bodies stay in memory between rebuilds
        defer_search=True,  # pages first; the search index follows (finish_session)
    )

    def language() -> str:  # --lang, else the site's (site.toml may change meanwhile)
        return settings.language or read_language(root)

    def say(message: Message) -> None:
        print(message.render(language()), file=sys.stderr, flush=True)

    watcher = Watcher(
        root,
        options,
        on_build=lambda rebuild: log_rebuild(rebuild, language=language()),
        on_finish=lambda problems, seconds: log_finish(problems, seconds, language=language()),
        debounce=settings.debounce,
        halt=stop,
    )
    with stop_on_signals(stop):
        try:
            watcher.start()
        except OSError as exc:
            say(msg("live.cannot_watch", root=str(root), error=str(exc.strerror or exc)))
            return 1
        say(msg("live.watching", root=str(root)))
        wait_for(stop)
        say(msg("live.stopping"))
        if not watcher.stop(timeout=30.0, kill_build=True):
            say(msg("live.abandoned"))
    return 0
