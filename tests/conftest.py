"""Shared pytest fixtures: a local HTTP server and headless Chromium through Playwright.

Browser fixtures use Debian's ``/usr/bin/chromium``; Playwright never downloads a browser.
Without Chromium the browser tests fail when ``CI`` is set and are skipped otherwise.

    def test_home(http_server, page, tmp_path):
        base = http_server(tmp_path)           # "http://127.0.0.1:PORT/"
        page.goto(base + "index.html")
        ...                                    # a request to any other origin fails the test

``page.requests`` lists every requested URL, ``page.external_requests`` those that left the
local server(s), ``page.console_errors`` / ``page.page_errors`` the console errors and
uncaught exceptions.  On failure a screenshot and the HTML go to ``tests/artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("BULLETIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
BASIC = Path(__file__).parent / "sites" / "basic"
# Schemes that never reach the network.
_LOCAL_SCHEMES = {"data", "blob", "about"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: needs headless Chromium")
    config.addinivalue_line("markers", "slow: slower end-to-end tests")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the browser so ``-m "not browser"`` deselects it."""
    for item in items:
        if {"browser", "page", "browser_context"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the item so fixtures can tell whether the test failed."""
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


# ---------------------------------------------------------------------------------------------
# HTTP server
# ---------------------------------------------------------------------------------------------
class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files under an optional URL prefix; quiet; no caching."""

    prefix = "/"
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
        ".webmanifest": "application/manifest+json",
        ".xml": "application/xml",
    }

    def send_head(self) -> Any:
        if not self.path.startswith(self.prefix):
            self.send_error(404, "outside the served prefix")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServers:
    """Factory returned by the ``http_server`` fixture; call it with a directory."""

    def __init__(self) -> None:
        self._servers: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []
        self.origins: set[str] = set()

    def __call__(self, directory: str | os.PathLike[str], prefix: str = "/") -> str:
        """Serve ``directory`` at ``http://127.0.0.1:PORT{prefix}`` and return that base URL.

        ``prefix`` (e.g. ``"/bulletin/"``) mimics a site deployed under a sub-path: only URLs
        below it are served, anything else is 404.
        """
        root = Path(directory)
        if not root.is_dir():
            raise NotADirectoryError(root)
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ValueError(f"prefix must start and end with '/': {prefix!r}")
        handler = type("Handler", (_Handler,), {"prefix": prefix})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
        )
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name="http_server", daemon=True)
        thread.start()
        self._servers.append((server, thread))
        host, port = server.server_address[:2]
        origin = f"http://{host}:{port}"
        self.origins.add(origin)
        return origin + prefix

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in _LOCAL_SCHEMES:
            return True
        return f"{parts.scheme}://{parts.netloc}" in self.origins

    def close(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()


@pytest.fixture
def http_server() -> Iterator[LocalServers]:
    """``http_server(directory, prefix="/") -> base_url``; every server stops at teardown."""
    servers = LocalServers()
    try:
        yield servers
    finally:
        servers.close()


# ---------------------------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------------------------
def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright's sync API, shared by the session."""
    if not os.path.exists(CHROMIUM):
        _unavailable(
            f"{CHROMIUM} not found: install Debian's chromium "
            "(apt-get install -y --no-install-recommends chromium chromium-driver)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def browser_context(browser: Any) -> Iterator[Any]:
    """A fresh incognito-like context (no shared cookies, storage or cache) per test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150]


@pytest.fixture
def page(
    browser_context: Any, http_server: LocalServers, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A Playwright page that must not request anything outside the local server(s).

    Every request URL is recorded in ``page.requests``; those to any origin other than a
    server started with ``http_server`` (``data:``/``blob:``/``about:`` are fine) are in
    ``page.external_requests`` and fail the test at teardown.  A test that provokes one on
    purpose can ``page.external_requests.clear()`` after checking it.
    """
    pg = browser_context.new_page()
    requests: list[str] = []
    external: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []

    def on_request(req: Any) -> None:
        requests.append(req.url)
        if not http_server.is_local(req.url):
            external.append(req.url)

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            console_errors.append(msg.text)

    pg.on("request", on_request)
    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: page_errors.append(str(exc)))
    pg.requests = requests
    pg.external_requests = external
    pg.console_errors = console_errors
    pg.page_errors = page_errors
    yield pg

    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed and not pg.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / _artifact_name(request.node.nodeid)
        try:
            pg.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(pg.content(), encoding="utf-8")
        except Exception as exc:  # the page may be broken; never mask the real failure
            print(f"could not save browser artifacts for {request.node.nodeid}: {exc}")
    if external:
        shown = "\n  ".join(dict.fromkeys(external))
        pytest.fail(
            f"the page made {len(external)} request(s) outside the local server "
            f"({', '.join(sorted(http_server.origins)) or 'none started'}):\n  {shown}",
            pytrace=False,
        )


# ---------------------------------------------------------------------------------------------
# Output trees
# ---------------------------------------------------------------------------------------------
def tree(root: Path, exclude: str | None = None) -> dict[str, bytes]:
    """Every file under ``root`` by posix path relative to it, with its bytes (symbolic
    links and, with ``exclude``, anything below a directory of that name left out)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and (exclude is None or exclude not in p.relative_to(root).parts)
    }


def paths(root: Path) -> set[str]:
    """Every path under ``root``, files and directories alike (what a directory listing
    of the published site shows)."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def assert_same_tree(built: Path, clean: Path, step: str) -> None:
    """``built`` holds exactly what ``clean`` holds: the same files with the same bytes,
    and the same directories (an empty directory left behind is a difference too)."""
    a, b = tree(built), tree(clean)
    missing = sorted(set(b) - set(a))
    extra = sorted(set(a) - set(b))
    different = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    assert not (missing or extra or different), (
        f"after {step}: missing {missing[:5]}, extra {extra[:5]}, different {different[:5]}"
    )
    dirs_a, dirs_b = paths(built) - set(a), paths(clean) - set(b)
    assert dirs_a == dirs_b, (
        f"after {step}: extra directories {sorted(dirs_a - dirs_b)[:5]}, "
        f"missing directories {sorted(dirs_b - dirs_a)[:5]}"
    )


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------
def copy_basic_site(dest: Path) -> Path:
    """A copy of ``tests/sites/basic`` (its sources only) at ``dest``."""
    shutil.copytree(
        BASIC, dest, ignore=shutil.ignore_patterns("expected", "public", ".bulletin-cache")
    )
    return dest


@pytest.fixture
def basic_site(tmp_path: Path) -> Path:
    """A fresh copy of the fixture site ``tests/sites/basic`` (sources only)."""
    return copy_basic_site(tmp_path / "basic")
