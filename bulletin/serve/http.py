"""The HTTP side of ``bulletin serve``: safe path resolution, the server, the handler.

Paths are resolved segment by segment: each segment is percent-decoded once (UTF-8,
strict); empty segments are skipped; ``.``/``..``, hidden names, and segments holding a
slash, backslash or NUL after decoding are refused; every directory is opened with
``O_NOFOLLOW`` relative to the previous one and the file itself with ``O_NOFOLLOW``, so no
path and no symlink leads out of the output directory. Only regular files are served.
Bound to loopback, requests must name a loopback host in ``Host`` (DNS rebinding).
"""

from __future__ import annotations

import contextlib
import errno
import html
import http.server
import ipaddress
import json
import os
import socket
import socketserver
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..messages import Message, msg
from .live import (
    EVENTS,
    PLACEHOLDER,
    PREFIX,
    RELOAD_JS,
    SCRIPT,
    STATUS,
    LiveState,
    content_type,
    inject,
)

SWAP_RETRIES = 20
KEEPALIVE = 15.0  # seconds between SSE comments, to notice closed connections


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
        if isinstance(found, str):  # "redirect": a directory named without its slash
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
