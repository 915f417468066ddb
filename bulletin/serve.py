"""``bulletin serve``: a development server with live reload and an error overlay.

Design
------
* The site is built with ``build()`` into a private output directory, never the production
  ``output_dir``: ``<site>/.bulletin-cache/serve/public`` (git-ignored, reused by the next
  ``serve`` so the first build only rewrites what changed). If that directory is locked by
  another ``bulletin serve`` of the same site, or the site is read-only, a temporary
  directory is used and removed on exit.
* A ``Watcher`` (bulletin/watch.py) rebuilds after each burst of changes, in one worker
  thread. Each build is staged and swapped in atomically by ``build()``; every request
  opens its file afresh under the output directory, so it is answered from one complete
  build, the previous one while a rebuild runs. Files are never rewritten in place (a
  changed file is a new inode), so an open file is always whole.
* HTML responses get, at response time only, one ``<script>`` tag loading
  ``/__bulletin/reload.js`` (served from memory; nothing is written to the output, so the
  script never reaches ``bulletin build`` output). The script listens to Server-Sent
  Events at ``/__bulletin/events``: the state after each build (the id of the last good
  build, whether the last build failed, its errors). A page whose build id differs from
  the last good one reloads; a failed build shows an overlay listing
  ``file:line: field: message`` (built with ``textContent``: escaped by construction),
  which goes away when a good build lands. Pages of the last good build stay served.
* Paths are resolved segment by segment: each segment is percent-decoded once (UTF-8,
  strict); empty segments are skipped; ``.``/``..``, hidden names, and segments holding a
  slash, backslash or NUL after decoding are refused; every directory is opened with
  ``O_NOFOLLOW`` relative to the previous one and the file itself with ``O_NOFOLLOW``, so no
  path and no symlink leads out of the output directory. Only regular files are served.
* Bound to loopback (the default), requests must name a loopback host in ``Host``, which
  keeps other web sites from reading drafts through DNS rebinding. Binding any other
  address needs ``--host`` and prints a warning.
* Ctrl-C or SIGTERM: the server stops accepting, open connections (event streams and
  idle keep-alive ones) are shut down and their threads joined, the watcher and its
  build thread are stopped; nothing is left running and no traceback is printed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import http.server
import ipaddress
import json
import mimetypes
import os
import re
import secrets
import shutil
import socket
import socketserver
import stat
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, unquote, urlsplit

from .build import BuildOptions, BuildResult
from .cache import BuildSession
from .messages import DEFAULT_LANGUAGE, Message, msg
from .watch import (
    Change,
    Rebuild,
    Watcher,
    log_finish,
    log_rebuild,
    stop_on_signals,
    wait_for,
)

PREFIX = "/__bulletin/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "reload.js"
STATUS = PREFIX + "status"
OVERLAY_ID = "__bulletin-overlay"
MAX_ERRORS = 100
MAX_CHANGED = 500
SWAP_RETRIES = 20
KEEPALIVE = 15.0  # seconds between SSE comments, to notice closed connections

RELOAD_JS = r"""/* bulletin serve: live reload and build-error overlay (development only) */
(function () {
  "use strict";
  var me = document.currentScript;
  var page = (me && me.getAttribute("data-bulletin-build")) || "";
  var file = (me && me.getAttribute("data-bulletin-file")) || "";
  var ID = "__OVERLAY_ID__";
  var reloading = false;

  function hide() {
    var old = document.getElementById(ID);
    if (old) old.parentNode.removeChild(old);
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  }

  function show(errors, more, text) {
    hide();
    var box = el("div", "", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(24,0,0,.92);color:#fff;padding:2em 2.5em;margin:0;" +
      "font:15px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left");
    box.id = ID;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", ID + "-title");
    var title = el("h2", text.title,
      "font:bold 20px/1.4 system-ui,sans-serif;margin:0 0 .5em;color:#ffb4b4");
    title.id = ID + "-title";
    var hint = el("p", text.hint, "margin:0 0 1em;font-family:system-ui,sans-serif");
    var list = el("ul", "", "margin:0;padding-left:1.2em");
    for (var i = 0; i < errors.length; i++) {
      list.appendChild(el("li", errors[i], "white-space:pre-wrap;margin:.3em 0"));
    }
    if (more > 0) {
      list.appendChild(el("li", text.more, ""));
    }
    var close = el("button", text.close,
      "position:absolute;top:1em;right:1em;font:inherit;padding:.2em .8em;cursor:pointer");
    close.type = "button";
    close.onclick = hide;
    box.appendChild(close);
    box.appendChild(title);
    box.appendChild(hint);
    box.appendChild(list);
    (document.body || document.documentElement).appendChild(box);
  }

  // Does a build that wrote these output files change what this page shows?
  function touches(changed) {
    if (!file) return true;
    for (var i = 0; i < changed.length; i++) {
      var c = changed[i];
      if (c === file || /\.(css|js|mjs)$/.test(c)) return true;
    }
    return false;
  }

  function apply(state) {
    if (reloading) return;
    if (state.build && state.build !== page) {
      if (page && state.previous === page && state.changed && !touches(state.changed)) {
        page = state.build;  // a good build that left this page and its styles alone
      } else {
        reloading = true;
        location.reload();
        return;
      }
    }
    if (state.ok === false) show(state.errors || [], state.more || 0, state.text || {});
    else hide();
  }

  if (!window.EventSource) return;
  var source = new EventSource("__EVENTS__");
  var live = window.__bulletin = { state: null };  // for tests and curious editors
  source.addEventListener("state", function (event) {
    try { live.state = JSON.parse(event.data); } catch (e) { return; }
    apply(live.state);
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
""".replace("__OVERLAY_ID__", OVERLAY_ID).replace("__EVENTS__", EVENTS)

PLACEHOLDER = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font:16px/1.6 system-ui,sans-serif;margin:3em">
<h1 style="font-size:1.4em">{title}</h1><p>{text}</p>
</body></html>
"""

TEXT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".svg": "image/svg+xml",
    ".md": "text/plain",
}
BINARY_TYPES = {".wasm": "application/wasm", ".woff2": "font/woff2", ".woff": "font/woff"}
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def content_type(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext] + "; charset=utf-8"
    if ext in BINARY_TYPES:
        return BINARY_TYPES[ext]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def script_tag(build_id: str | None, file: str = "") -> bytes:
    """The one tag added to served HTML; ``file`` is the output file the page came from."""
    from html import escape

    return (
        f'<script src="{SCRIPT}" data-bulletin-build="{escape(build_id or "")}" '
        f'data-bulletin-file="{escape(file)}"></script>'
    ).encode()


def inject(html: bytes, build_id: str | None, file: str = "") -> bytes:
    """The page with the reload script before its last ``</body>`` (or at its end)."""
    tag = script_tag(build_id, file)
    matches = list(BODY_END.finditer(html))
    if not matches:
        return html + tag
    at = matches[-1].start()
    return html[:at] + tag + html[at:]


# --- what browsers are told -------------------------------------------------------------


def changed_files(result: BuildResult) -> list[str] | None:
    """The output files a build changed, when few enough to send and known exactly.

    None tells pages to reload whatever they show: removals are not listed by the build,
    and a long list is not worth sending.
    """
    files = getattr(result, "written_files", None)
    if files is None or result.removed or len(files) != result.written:
        return None
    return list(files) if len(files) <= MAX_CHANGED else None


class LiveState:
    """The last good build and the outcome of the last build, shared with all requests."""

    def __init__(self) -> None:
        self.instance = secrets.token_hex(4)  # a restarted server makes open pages reload
        self.generation = 0  # good builds that changed the output
        self.previous: str | None = None  # the build id before the current one
        self.changed: list[str] | None = None  # output files that build wrote, if known
        self.ok: bool | None = None  # None: no build finished yet
        self.errors: list[str] = []
        self.more = 0
        self.building = False
        self.builds = 0
        self.seq = 0  # bumped on every published build; SSE streams wait on it
        self.closed = False
        self.base_path = "/"
        self.language = DEFAULT_LANGUAGE  # of the overlay and its diagnostics
        self.cond = threading.Condition()

    @property
    def build_id(self) -> str | None:
        """Id of the build now served, or None before the first good build."""
        return f"{self.instance}-{self.generation}" if self.generation else None

    def started(self, changes: tuple[Change, ...]) -> None:
        with self.cond:
            self.building = True

    def publish(self, rebuild: Rebuild) -> None:
        result = rebuild.result
        with self.cond:
            self.builds += 1
            self.building = False
            if result.ok:
                if self.generation == 0 or rebuild.changed_output:
                    self.previous = self.build_id
                    self.generation += 1
                    self.changed = changed_files(result)
                self.ok = True
                self.errors, self.more = [], 0
            else:
                errors = [d.format(self.language) for d in result.errors] or [
                    d.format(self.language) for d in result.diagnostics
                ]
                self.ok = False
                self.errors, self.more = errors[:MAX_ERRORS], max(0, len(errors) - MAX_ERRORS)
            self.seq += 1
            self.cond.notify_all()

    def snapshot(self) -> dict[str, Any]:
        with self.cond:
            return {
                "build": self.build_id,
                "previous": self.previous,
                "changed": self.changed,
                "ok": self.ok,
                "errors": list(self.errors),
                "more": self.more,
                "text": overlay_text(self.language, self.more),
                "building": self.building,
                "builds": self.builds,
            }

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until a build newer than ``seen`` is published (or close, or timeout)."""
        with self.cond:
            self.cond.wait_for(lambda: self.seq != seen or self.closed, timeout)
            return self.seq

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


# --- the HTTP server -------------------------------------------------------------------


class BadPath(Exception):
    def __init__(self, status: int):
        self.status = status


def request_parts(path: str, base_path: str) -> tuple[list[str], bool]:
    """Decoded path segments under ``base_path`` and whether the path ended in '/'.

    Raises ``BadPath(400)`` for anything that could name a file outside the output
    directory or a hidden file, ``BadPath(404)`` for paths outside ``base_path``.
    """
    if not path.startswith(base_path):
        raise BadPath(404)
    rest = path[len(base_path) :]
    parts = []
    for raw in rest.split("/"):
        if not raw:
            continue
        try:
            seg = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise BadPath(400) from None
        if (
            seg in (".", "..")
            or seg.startswith(".")
            or any(c in seg for c in "/\\\x00")
            or len(seg.encode("utf-8", "surrogatepass")) > 255
        ):
            raise BadPath(400)
        parts.append(seg)
    return parts, rest == "" or rest.endswith("/")


O_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


class RootMissing(FileNotFoundError):
    """The output directory itself is missing: between the two renames of a non-atomic
    swap (where renameat2 is unavailable), or before the first build."""


def _open_at(name: str, dir_fd: int, flags: int) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT, errno.EACCES, errno.EISDIR):
            raise FileNotFoundError(name) from None
        raise


def open_under(root: Path, parts: list[str]) -> tuple[int, bool]:
    """Open ``root/parts...`` without following any symlink: (fd, is_directory).

    Raises ``FileNotFoundError`` for anything missing, a symlink, or neither a regular
    file nor a directory (a FIFO is opened non-blocking, then refused).
    """
    try:
        fd = os.open(
            root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
        )
    except FileNotFoundError:
        raise RootMissing(str(root)) from None
    try:
        for i, seg in enumerate(parts):
            nfd = _open_at(seg, fd, O_FLAGS | getattr(os, "O_NONBLOCK", 0))
            os.close(fd)
            fd = nfd
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode) or i != len(parts) - 1:
                raise FileNotFoundError(seg)
            return fd, False
        return fd, True
    except BaseException:
        os.close(fd)
        raise


def open_index(dir_fd: int) -> int:
    """Open ``index.html`` in an open directory, refusing symlinks and non-files."""
    fd = _open_at("index.html", dir_fd, O_FLAGS | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileNotFoundError("index.html")
    return fd


def read_fd(fd: int) -> bytes:
    with os.fdopen(fd, "rb", closefd=True) as f:
        return f.read()


def is_loopback(host: str) -> bool:
    name = host.strip("[]")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def _host_of(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class DevServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a safety net only: close() shuts connections and joins threads
    block_on_close = True

    def __init__(self, address: tuple[str, int], state: LiveState, output: Path, loopback: bool):
        self.state = state
        self.output = output
        self.loopback = loopback
        self.bound_host = address[0].lower()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock every handler thread: event streams and idle keep-alive reads."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return  # the browser went away
        super().handle_error(request, client_address)

    def host_allowed(self, header: str | None) -> bool:
        if not self.loopback or not header:
            return True
        host = _host_of(header)
        if host in ("localhost", self.bound_host) or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


class Handler(http.server.BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    server_version = "bulletin-serve"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after a minute

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # no access log: the terminal is for build results

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    # --- dispatch ---------------------------------------------------------------------

    def _handle(self, head: bool) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            target = urlsplit(target).path or "/"
        if not target.startswith("/"):
            return self._plain(400, "http.bad_request", head)
        if not self.server.host_allowed(self.headers.get("Host")):
            return self._plain(421, "http.loopback_only", head)
        path, _, query = target.partition("?")
        path = path.partition("#")[0]
        if path.startswith(PREFIX):
            if path == EVENTS and not head:
                return self._events()
            if path == SCRIPT:
                return self._send(200, RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
            if path == STATUS:
                body = json.dumps(self.server.state.snapshot(), ensure_ascii=False).encode()
                return self._send(200, body, "application/json; charset=utf-8", head)
            return self._plain(404, "http.not_found", head)
        self._file(path, query, head)

    def _file(self, path: str, query: str, head: bool) -> None:
        state = self.server.state
        base = state.base_path
        if path in ("/", "") and base != "/":
            return self._redirect(base, query)
        build_id = state.build_id  # read before the file: a newer file only adds a reload
        if build_id is None:
            return self._placeholder(503, msg("http.building"), msg("http.building_text"), head)
        try:
            parts, slash = request_parts(path, base)
        except BadPath as bad:
            problem = "http.bad_path" if bad.status == 400 else "http.not_found"
            return self._plain(bad.status, problem, head)
        found = None
        for attempt in range(SWAP_RETRIES):
            try:
                found = self._open(parts, slash)
                break
            except RootMissing:
                time.sleep(0.005)  # a non-atomic swap is between its renames
            except FileNotFoundError:
                if attempt:  # a second try lands in the new build if a swap raced us
                    break
            except OSError:
                return self._plain(403, "http.forbidden", head)
        if found is None:
            return self._placeholder(
                404, msg("http.not_found"), msg("http.not_built", path=path), head, build_id
            )
        if found == "redirect":
            link = base + "".join(quote(p) + "/" for p in parts)
            return self._redirect(link, query)
        name, data = found
        ctype = content_type(name)
        if ctype.startswith("text/html"):
            rel = "/".join(parts + (["index.html"] if name == "index.html" and slash else []))
            data = inject(data, build_id, rel)
        self._send(200, data, ctype, head)

    def _open(self, parts: list[str], slash: bool) -> tuple[str, bytes] | str:
        fd, is_dir = open_under(self.server.output, parts)
        if not is_dir:
            return parts[-1], read_fd(fd)
        try:
            if not slash:
                return "redirect"
            index = open_index(fd)
        finally:
            os.close(fd)
        return "index.html", read_fd(index)

    # --- responses ----------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str,
        head: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _plain(self, status: int, message_id: str, head: bool) -> None:
        text = msg(message_id).render(self.server.state.language)
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8", head)

    def _placeholder(
        self, status: int, title: Message, text: Message, head: bool, build_id: str | None = None
    ) -> None:
        import html

        language = self.server.state.language
        page = PLACEHOLDER.format(
            lang=language,
            title=html.escape(title.render(language)),
            text=html.escape(text.render(language)),
        ).encode()
        self._send(status, inject(page, build_id), "text/html; charset=utf-8", head)

    def _redirect(self, location: str, query: str) -> None:
        if query:
            location += "?" + query
        self._send(301, b"", "text/plain; charset=utf-8", False, {"Location": location})

    def _events(self) -> None:
        state = self.server.state
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                with state.cond:
                    if state.closed:
                        return
                    seq = state.seq
                if seq != seen:
                    seen = seq
                    data = json.dumps(state.snapshot(), ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                state.wait(seen, KEEPALIVE)
        except (OSError, ValueError):
            return  # the browser went away, or the server is closing


# --- a whole session --------------------------------------------------------------------


@dataclass
class ServeSettings:
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
    base = root / ".bulletin-cache" / "serve"
    lock = None
    try:
        import fcntl

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
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}{self.state.base_path}"

    def _update_base_path(self) -> None:
        """The base path and the language of messages, from the site's config."""
        from .config import load_config, read_language
        from .diagnostics import BulletinError

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


def overlay_text(language: str, more: int) -> dict[str, str]:
    """The words of the error overlay, in ``language`` (the page's script shows them)."""
    return {
        "title": msg("serve.overlay_title").render(language),
        "hint": msg("serve.overlay_hint").render(language),
        "close": msg("serve.overlay_close").render(language),
        "more": msg("serve.overlay_more", n=more).render(language),
    }
