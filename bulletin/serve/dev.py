"""A ``bulletin serve`` session: the server, the watcher and their shared state."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..build import BuildOptions
from ..cache import cache_dir
from ..config import load_config, read_language
from ..console import log_finish, log_rebuild, stop_on_signals, wait_for
from ..diagnostics import BulletinError
from ..messages import Message, msg
from ..session import BuildSession
from ..watch import Rebuild, Watcher
from .http import DevServer, is_loopback
from .live import LiveState


@dataclass
class ServeSettings:
    """What ``bulletin serve`` was asked for."""

    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    today: dt.date | None = None
    output: Path | None = None  # default: <site>/.bulletin-cache/serve/public
    debounce: float = 0.05
    search: bool = True
    language: str | None = None  # of messages and the overlay (--lang); default: the site's


def private_output(root: Path) -> tuple[Path, Any]:
    """The serve output directory and a cleanup function (see module docstring)."""
    base = cache_dir(root) / "serve"
    lock = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        lock = open(base / "lock", "a+b")  # noqa: SIM115 - held for the session
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return base / "public", lock.close
    except (OSError, ImportError):
        if lock is not None:
            lock.close()
    tmp = Path(tempfile.mkdtemp(prefix="bulletin-serve-"))
    return tmp / "public", lambda: shutil.rmtree(tmp, ignore_errors=True)


class DevSession:
    """Server + watcher + shared state. ``start()``, then ``close()``."""

    def __init__(
        self,
        root: Path,
        settings: ServeSettings,
        log: TextIO | None = None,
        halt: threading.Event | None = None,
    ):
        self.root = Path(root).resolve()
        self.settings = settings
        self.log = log if log is not None else sys.stderr
        self.halt = halt
        self.state = LiveState()
        self._cleanup: Any = None
        if settings.output is not None:
            self.output = settings.output.resolve()
        else:
            self.output, self._cleanup = private_output(self.root)
        self.loopback = is_loopback(settings.host)
        self.server: DevServer | None = None
        self.watcher: Watcher | None = None
        self._thread: threading.Thread | None = None
        self._update_base_path()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{self.state.base_path}"

    def _update_base_path(self) -> None:
        """The base path and the language of messages, from the site's config."""
        language = self.settings.language or read_language(self.root)
        with self.state.cond:
            self.state.language = language
        try:
            base = load_config(self.root).base_path
        except (BulletinError, OSError):
            return
        with self.state.cond:
            self.state.base_path = base if base.startswith("/") else "/"

    def _on_build(self, rebuild: Rebuild) -> None:
        if any(c.path == "site.toml" or c.dest == "site.toml" for c in rebuild.changes):
            self._update_base_path()
        self.state.publish(rebuild)
        log_rebuild(rebuild, self.log, language=self.state.language)

    def start(self) -> DevSession:
        s = self.settings
        self.server = DevServer((s.host, s.port), self.state, self.output, self.loopback)
        options = BuildOptions(
            drafts=s.drafts,
            output=self.output,
            today=s.today,
            search=s.search,
            session=BuildSession(),  # parsed items and bodies stay in memory between rebuilds
            defer_search=True,  # pages first; the search index follows (finish_session)
        )
        self.watcher = Watcher(
            self.root,
            options,
            on_build=self._on_build,
            on_finish=lambda problems, seconds: log_finish(
                problems, seconds, self.log, language=self.state.language
            ),
            on_start=self.state.started,
            debounce=s.debounce,
            halt=self.halt,
        )
        try:
            self.watcher.start()
        except BaseException:
            self.server.server_close()
            raise
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, name="bulletin-http"
        )
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0, *, kill_build: bool = False) -> bool:
        """Stop everything; True if the build thread ended (see Watcher.stop)."""
        done = True
        self.state.close()
        if self.server is not None:
            if self._thread is not None and self._thread.is_alive():
                self.server.shutdown()
                self._thread.join(timeout)
            self.server.close_connections()
            self.server.server_close()  # joins the request threads
        if self.watcher is not None:
            done = self.watcher.stop(timeout, kill_build=kill_build)
        if self._cleanup is not None and done:
            self._cleanup()
            self._cleanup = None
        return done

    def __enter__(self) -> DevSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_serve(root: Path, settings: ServeSettings, stop: threading.Event | None = None) -> int:
    """``bulletin serve``: serve and rebuild until Ctrl-C or SIGTERM."""
    stop = stop or threading.Event()
    err = sys.stderr

    def say(message: Message, stream: TextIO = err) -> None:
        print(message.render(session.state.language), file=stream, flush=True)

    with stop_on_signals(stop):
        session = DevSession(root, settings, halt=stop)
        try:
            session.start()
        except OSError as exc:
            session.close()
            where = {"host": settings.host, "port": settings.port}
            if exc.errno == errno.EADDRINUSE:
                say(msg("serve.port_in_use", **where))
            else:
                say(msg("serve.cannot_serve", **where, error=str(exc.strerror or exc)))
            return 2
        if not session.loopback:
            say(msg("serve.not_loopback", host=settings.host))
        say(msg("serve.serving", root=str(root), url=session.url), sys.stdout)
        say(msg("serve.output", output=str(session.output)))
        wait_for(stop)
        say(msg("live.stopping"))
        if not session.close(timeout=3.0, kill_build=True):
            say(msg("serve.abandoned"))
    return 0
