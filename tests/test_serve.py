"""bulletin/serve.py over real HTTP and real filesystem events.

Path traversal, loopback-only defaults, the reload script (in served HTML, never in build
output), Server-Sent Events after good and bad builds, complete pages during rebuilds, and
the ``bulletin serve`` command's start-up and clean exit.
"""

from __future__ import annotations

import http.client
import io
import json
import queue
import re
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from test_watch import (
    TIMEOUT,
    Proc,
    atomic_write,
    clean_build,
    make_site,
    processes_mentioning,
    tree,
    wait_until,
)

from bulletin.build import BuildOptions, build
from bulletin.serve import (
    EVENTS,
    SCRIPT,
    BadPath,
    DevSession,
    ServeSettings,
    inject,
    is_loopback,
    request_parts,
)

CANARY = "CANARY-不应被读到-7f3a"
ITEM = "content/chengguan/2026-04-18-防汛演练.md"
ITEM_URL = "/items/" + quote("2026-04-18-防汛演练") + "/"


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    port: int, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> Response:
    """Send the request target exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.putrequest(method, target, skip_host=bool(headers and "Host" in headers))
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


class Events:
    """A Server-Sent Events client reading ``state`` events into a queue."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.sendall(
            f"GET {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        self.file = self.sock.makefile("rb")
        self.states: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.status_line = self.file.readline().decode()
        while self.file.readline() not in (b"\r\n", b""):
            pass  # headers
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event, data = None, []
        try:
            for raw in self.file:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "":
                    if event == "state" and data:
                        self.states.put(json.loads("\n".join(data)))
                    event, data = None, []
        except OSError:
            pass
        self.states.put(None)  # end of stream

    def next(self, predicate: Any = lambda s: True, timeout: float = TIMEOUT) -> dict[str, Any]:
        while True:
            state = self.states.get(timeout=timeout)
            assert state is not None, "the event stream ended"
            if predicate(state):
                return state

    def close(self) -> None:
        self.sock.close()


class Served:
    def __init__(self, session: DevSession, root: Path):
        self.session, self.root = session, root
        self.port = session.server.server_address[1]  # type: ignore[union-attr]

    def get(self, target: str, **kw: Any) -> Response:
        return request(self.port, target, **kw)

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("/__bulletin/status").body)

    def sync(self) -> None:
        assert self.session.watcher is not None
        assert self.session.watcher.sync(TIMEOUT)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = make_site(tmp_path / "site")
    (root / "secret.txt").write_text(CANARY, encoding="utf-8")
    with open(root / "site.toml", "a", encoding="utf-8") as f:
        f.write(f"# {CANARY}\n")
    return root


def start_session(root: Path, **settings: Any) -> DevSession:
    session = DevSession(root, ServeSettings(port=0, **settings), log=io.StringIO())
    session.start()
    assert session.watcher is not None and session.watcher.wait_for_builds(1, TIMEOUT)
    return session


@pytest.fixture
def served(site: Path) -> Iterator[Served]:
    session = start_session(site)
    try:
        yield Served(session, site)
    finally:
        assert session.close()


# --- pure functions -----------------------------------------------------------------------


def test_request_parts() -> None:
    assert request_parts("/", "/") == ([], True)
    assert request_parts("/items/%E9%98%B2/", "/") == (["items", "防"], True)
    assert request_parts("//items//a.css", "/") == (["items", "a.css"], False)
    assert request_parts("/b/items/", "/b/") == (["items"], True)
    for bad in ("/../x", "/%2e%2e/x", "/a/%2F/b", "/a%5cb", "/%00", "/.git/config", "/%c0%ae"):
        with pytest.raises(BadPath) as info:
            request_parts(bad, "/")
        assert info.value.status == 400, bad
    with pytest.raises(BadPath) as info:
        request_parts("/other/", "/b/")
    assert info.value.status == 404


def test_inject_before_the_last_body_end() -> None:
    page = b"<html><body><p>&lt;/body&gt;</p></BODY >\n</html>\n"
    out = inject(page, "abc-1", "items/x/index.html")
    assert out.startswith(b"<html><body><p>&lt;/body&gt;</p><script src=")
    assert out.endswith(b"</script></BODY >\n</html>\n")
    assert (
        b'data-bulletin-build="abc-1"' in out and b'data-bulletin-file="items/x/index.html"' in out
    )
    assert inject(b"no body", None).startswith(b"no body<script")


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.10")


# --- serving ------------------------------------------------------------------------------


def test_serves_pages_with_the_reload_script(served: Served) -> None:
    resp = served.get("/")
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    build_id = served.status()["build"]
    assert build_id
    assert f'<script src="{SCRIPT}" data-bulletin-build="{build_id}"' in resp.text
    assert resp.text.endswith("</html>\n")
    assert int(resp.headers["content-length"]) == len(resp.body)
    script = served.get(SCRIPT)
    assert script.status == 200 and "EventSource" in script.text
    assert script.headers["content-type"].startswith("text/javascript")
    css = served.get("/assets/style.css")
    assert css.status == 200 and "__bulletin" not in css.text
    head = served.get("/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == resp.headers["content-length"]


def test_serve_output_is_private_and_has_no_script(served: Served) -> None:
    output = served.session.output
    assert output == served.root / ".bulletin-cache" / "serve" / "public"
    assert not (served.root / "public").exists()  # the production output is not touched
    files = tree(output)
    assert "index.html" in files
    assert not [rel for rel, data in files.items() if b"__bulletin" in data]


def test_build_output_never_contains_the_reload_script(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "built"
    proc = Proc("build", str(site), "--output", str(out))
    assert proc.wait() == 0, proc.stderr
    files = tree(out)
    assert any(rel.endswith(".html") for rel in files)
    leaked = [rel for rel, data in files.items() if b"__bulletin" in data or b"EventSource" in data]
    assert leaked == []


def test_chinese_percent_encoded_paths(served: Served) -> None:
    resp = served.get(ITEM_URL)
    assert resp.status == 200
    assert "城关镇开展防汛应急演练" in resp.text
    assert 'data-bulletin-file="items/2026-04-18-防汛演练/index.html"' in resp.text
    assert served.get(ITEM_URL + "index.html").status == 200
    lower = ITEM_URL.lower()  # percent-escapes are case-insensitive
    assert served.get(lower).status == 200


def test_directories_redirect_to_a_slash_on_this_host(served: Served) -> None:
    resp = served.get(ITEM_URL.rstrip("/"))
    assert resp.status == 301 and resp.headers["location"] == ITEM_URL
    resp = served.get("//units?x=1")
    assert resp.status == 301 and resp.headers["location"] == "/units/?x=1"
    resp = served.get(f"http://127.0.0.1:{served.port}//units")  # absolute-form target
    assert resp.status == 301 and resp.headers["location"] == "/units/"
    assert served.get("http://evil.example/units/").status == 421  # Host: evil.example


def test_missing_pages_are_404_with_the_script(served: Served) -> None:
    resp = served.get("/items/no-such-item/")
    assert resp.status == 404
    assert SCRIPT in resp.text  # so the page reloads once the item is written


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/../../../secret.txt",
    "/items/../../../../secret.txt",
    "/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/%2E%2E/secret.txt",
    "/.%2e/.%2e/.%2e/secret.txt",
    "/items/..%2f..%2f..%2f..%2fsecret.txt",
    "/items/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%5c..%5c..%5csecret.txt",
    "/items/..\\..\\..\\..\\secret.txt",
    "/%252e%252e/%252e%252e/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
    "/%2fsecret.txt",
    "//secret.txt",
    "/secret.txt",
    "/%00",
    "/index.html%00.txt",
    "/.bulletin-output",
    "/..",
    "/.",
    "/%2e",
    "/" + "../" * 12 + "etc/passwd",
    "/" + "%2e%2e/" * 12 + "etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "http://127.0.0.1/../../../secret.txt",
    "*",
]


def test_path_traversal_never_leaves_the_output(served: Served) -> None:
    site_path = quote(str(served.root))
    attempts = [*TRAVERSALS, f"/{site_path}/secret.txt", f"//{site_path}/secret.txt"]
    for target in attempts:
        resp = served.get(target)
        assert resp.status in (400, 404), (target, resp.status)
        assert CANARY not in resp.text, target
        assert "root:" not in resp.text, target


def test_symlinks_in_the_output_are_not_followed(served: Served, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text(CANARY, encoding="utf-8")
    output = served.session.output
    (output / "leak.txt").symlink_to(outside / "x.txt")
    (output / "leakdir").symlink_to(outside, target_is_directory=True)
    (output / "units" / "leak.txt").symlink_to(served.root / "secret.txt")
    (output / "site").symlink_to(served.root, target_is_directory=True)
    for target in ("/leak.txt", "/leakdir/x.txt", "/leakdir/", "/units/leak.txt", "/site/"):
        resp = served.get(target)
        assert resp.status == 404, target
        assert CANARY not in resp.text, target


def test_fifo_in_the_output_does_not_hang(served: Served) -> None:
    import os

    os.mkfifo(served.session.output / "pipe.html")
    assert served.get("/pipe.html").status == 404


def test_other_host_names_are_refused_on_loopback(served: Served) -> None:
    port = served.port
    assert served.get("/", headers={"Host": "evil.example"}).status == 421
    assert served.get("/", headers={"Host": f"attacker.example:{port}"}).status == 421
    assert served.get("/", headers={"Host": f"localhost:{port}"}).status == 200
    assert served.get("/", headers={"Host": f"127.0.0.1:{port}"}).status == 200
    assert served.get("/", headers={"Host": f"[::1]:{port}"}).status == 200


def test_site_under_a_base_path(site: Path) -> None:
    toml = site / "site.toml"
    toml.write_text(toml.read_text("utf-8").replace('base_url = "/"', 'base_url = "/bulletin/"'))
    session = start_session(site)
    try:
        s = Served(session, site)
        assert session.url.endswith("/bulletin/")
        resp = s.get("/")
        assert resp.status == 301 and resp.headers["location"] == "/bulletin/"
        assert s.get("/bulletin/").status == 200
        assert s.get("/bulletin" + ITEM_URL).status == 200
        assert s.get(ITEM_URL).status == 404
        assert s.get("/bulletin/../secret.txt").status == 400
    finally:
        assert session.close()


# --- live reload --------------------------------------------------------------------------


def test_events_after_good_bad_and_fixed_builds(served: Served) -> None:
    events = Events(served.port)
    try:
        assert events.status_line.startswith("HTTP/1.1 200")
        first = events.next()
        assert first["ok"] is True and first["build"]
        path = served.root / ITEM
        good = path.read_text("utf-8")

        atomic_write(path, good.replace("300余人", "420余人"))
        second = events.next(lambda s: s["build"] != first["build"])
        assert second["ok"] is True and second["previous"] == first["build"]
        page = served.get(ITEM_URL)
        assert "420余人" in page.text
        assert f'data-bulletin-build="{second["build"]}"' in page.text

        broken = good.replace("title: 城关镇开展防汛应急演练", 'title: "<b>未闭合')
        atomic_write(path, broken)
        failed = events.next(lambda s: s["ok"] is False)
        assert failed["build"] == second["build"]  # still serving the last good build
        assert any(e.startswith(ITEM) for e in failed["errors"]), failed["errors"]
        # in the site's language (zh-CN): the diagnostic and the overlay's words
        assert f"{ITEM}:2: 这一行开始的引号没有结束" in failed["errors"]
        assert failed["text"]["title"] == "构建失败：仍显示上一次成功构建的页面"
        assert failed["text"]["close"] == "关闭"
        page = served.get(ITEM_URL)
        assert page.status == 200 and "420余人" in page.text
        assert served.status()["ok"] is False

        atomic_write(path, good.replace("300余人", "510余人"))
        fixed = events.next(lambda s: s["ok"] is True)
        assert fixed["build"] not in (first["build"], second["build"])
        assert fixed["errors"] == []
        assert "510余人" in served.get(ITEM_URL).text
    finally:
        events.close()


def test_requests_during_rebuilds_get_complete_pages(served: Served) -> None:
    path = served.root / ITEM
    text = path.read_text("utf-8")

    def version(n: int) -> str:
        return text.replace("城关镇开展防汛应急演练", f"城关镇开展防汛应急演练V{n}").replace(
            "演练共有300余人参加。", f"演练共有300余人参加。正文V{n}。"
        )

    atomic_write(path, version(0))
    served.sync()
    stop = threading.Event()
    problems: list[str] = []
    seen: set[str] = set()
    counts = [0]

    def hammer() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=TIMEOUT)
        while not stop.is_set():
            for target in (ITEM_URL, "/", "/units/chengguan/"):
                conn.request("GET", target)
                resp = conn.getresponse()
                body = resp.read().decode("utf-8")
                counts[0] += 1
                if resp.status != 200 or not body.endswith("</html>\n"):
                    problems.append(f"{target}: {resp.status} {body[-40:]!r}")
                if target == ITEM_URL:
                    titles = set(re.findall(r"演练V(\d+)", body))
                    bodies = set(re.findall(r"正文V(\d+)", body))
                    if len(titles) != 1 or titles != bodies:
                        problems.append(f"mixed versions: {titles} {bodies}")
                    seen.update(titles)
        conn.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(1, 6):
            atomic_write(path, version(n))
            served.sync()
    finally:
        stop.set()
        for t in threads:
            t.join(TIMEOUT)
    assert problems == []
    assert counts[0] > 0 and len(seen) >= 2  # requests really overlapped the rebuilds


def test_first_build_failing_shows_errors_then_the_site(site: Path) -> None:
    path = site / ITEM
    good = path.read_text("utf-8")
    path.write_text("---\ntitle: [未闭合\n---\n", encoding="utf-8")
    session = start_session(site)
    try:
        s = Served(session, site)
        resp = s.get("/")
        assert resp.status == 503 and SCRIPT in resp.text
        status = s.status()
        assert status["ok"] is False and status["build"] is None
        assert any(ITEM in e for e in status["errors"])
        path.write_text(good, encoding="utf-8")
        s.sync()
        assert s.get("/").status == 200
    finally:
        assert session.close()


def test_second_session_on_a_site_uses_a_temporary_directory(site: Path) -> None:
    first = start_session(site)
    try:
        second = start_session(site)
        try:
            assert second.output != first.output
            assert not second.output.is_relative_to(site)
            assert Served(second, site).get("/").status == 200
            temp = second.output.parent
        finally:
            assert second.close()
        assert not temp.exists()
    finally:
        assert first.close()


def test_serving_does_not_disturb_a_later_production_build(site: Path, tmp_path: Path) -> None:
    """The build cache is shared by the site; builds into two outputs must not mix."""
    assert build(site, BuildOptions()).ok
    session = start_session(site)
    try:
        path = site / ITEM
        atomic_write(path, path.read_text("utf-8").replace("300余人", "640余人"))
        Served(session, site).sync()
    finally:
        assert session.close()
    assert build(site, BuildOptions()).ok
    assert tree(site / "public") == clean_build(site, tmp_path / "clean")


# --- the command --------------------------------------------------------------------------


def _url(proc: Proc) -> str:
    assert wait_until(lambda: "http://" in proc.stdout or proc.popen.poll() is not None)
    match = re.search(r"http://\S+", proc.stdout)
    assert match, proc.stdout + proc.stderr
    return match.group(0)


def test_serve_command_on_loopback_exits_cleanly_on_ctrl_c(site: Path) -> None:
    proc = Proc("serve", str(site), "--port", "0")
    try:
        url = _url(proc)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert wait_until(lambda: request(port, "/").status == 200)
        events = Events(port)  # an open event stream must not delay the exit
        assert events.next()["ok"] is True
        keepalive = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        keepalive.request("GET", "/")  # an idle keep-alive connection, too
        keepalive.getresponse().read()
        proc.signal(signal.SIGINT)
        code = proc.wait()
        assert events.states.get(timeout=TIMEOUT) is None  # the stream was closed
        keepalive.close()
        events.close()
    finally:
        proc.kill()
    assert code == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "warning" not in proc.stderr
    assert processes_mentioning(str(site)) == []
    assert not (site / "public").exists()


def test_serve_command_warns_when_bound_beyond_loopback(site: Path) -> None:
    proc = Proc("serve", str(site), "--host", "0.0.0.0", "--port", "0")
    try:
        _url(proc)
        assert wait_until(lambda: "开发用的预览服务器" in proc.stderr), proc.stderr
        proc.signal(signal.SIGTERM)
        code = proc.wait()
    finally:
        proc.kill()
    assert code == 0, proc.stderr
    assert "bulletin: 警告：正在 0.0.0.0 上提供服务" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_serve_command_reports_a_busy_port(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = Proc("serve", str(site), "--port", str(port))
        try:
            code = proc.wait()
        finally:
            proc.kill()
    assert code == 2
    assert f"bulletin: 127.0.0.1 的端口 {port} 已被占用；请用 --port 另选一个" in proc.stderr
    assert "Traceback" not in proc.stderr
