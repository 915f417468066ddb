"""Live reload in headless Chromium: edit Markdown, see it; break it, see the overlay; fix it.

Uses the ``page`` fixture of tests/conftest.py (Debian's /usr/bin/chromium through
Playwright); the dev server runs in-process on an ephemeral loopback port.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from test_watch import TIMEOUT, atomic_write, make_site

from bulletin.serve import OVERLAY_ID, DevSession, ServeSettings

pytestmark = pytest.mark.browser

ITEM = "content/chengguan/2026-04-18-防汛演练.md"
WAIT_MS = int(TIMEOUT * 1000)


@pytest.fixture
def dev_url(tmp_path: Path, http_server: Any) -> Iterator[tuple[str, Path]]:
    site = make_site(tmp_path / "site")
    session = DevSession(site, ServeSettings(port=0), log=io.StringIO()).start()
    try:
        assert session.watcher is not None and session.watcher.wait_for_builds(1, TIMEOUT)
        url = session.url
        parts = urlsplit(url)
        http_server.origins.add(f"{parts.scheme}://{parts.netloc}")  # a local origin, too
        yield url, site
    finally:
        assert session.close()


def test_edit_break_and_fix_in_the_browser(page: Any, dev_url: tuple[str, Path]) -> None:
    from playwright.sync_api import expect

    url, site = dev_url
    page.goto(url + "items/" + quote("2026-04-18-防汛演练") + "/")
    main = page.locator("main")
    expect(main).to_contain_text("演练共有300余人参加", timeout=WAIT_MS)
    # the page's event stream has delivered its first state: edits from now on are seen
    page.wait_for_function("() => window.__bulletin && window.__bulletin.state", timeout=WAIT_MS)

    path = site / ITEM
    good = path.read_text("utf-8")
    atomic_write(path, good.replace("演练共有300余人参加", "演练共有420余人参加"))
    expect(main).to_contain_text("演练共有420余人参加", timeout=WAIT_MS)

    atomic_write(path, good.replace("date: 2026-04-18", "date: 2026-04-31"))
    overlay = page.locator(f"#{OVERLAY_ID}")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text(ITEM)
    # in the site's language: the overlay's words and the diagnostic
    expect(overlay).to_contain_text("构建失败：仍显示上一次成功构建的页面")
    expect(overlay).to_contain_text("date: 2026年4月没有31日（2026-04-31）")
    expect(overlay.locator("button")).to_have_text("关闭")
    expect(main).to_contain_text("演练共有420余人参加")  # the last good page stays

    atomic_write(path, good.replace("演练共有300余人参加", "演练共有510余人参加"))
    expect(overlay).to_have_count(0, timeout=WAIT_MS)
    expect(main).to_contain_text("演练共有510余人参加", timeout=WAIT_MS)
    assert page.page_errors == []


def test_overlay_escapes_the_message(page: Any, dev_url: tuple[str, Path]) -> None:
    """A diagnostic quoting markup is shown as text, never parsed as HTML."""
    from playwright.sync_api import expect

    url, site = dev_url
    page.goto(url)
    page.wait_for_function("() => window.__bulletin && window.__bulletin.state", timeout=WAIT_MS)
    path = site / ITEM
    good = path.read_text("utf-8")
    atomic_write(path, good.replace("unit: chengguan", 'unit: "<img src=x onerror=alert(1)>"'))
    overlay = page.locator(f"#{OVERLAY_ID}")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text(f"{ITEM}:3: unit:")
    expect(overlay).to_contain_text("“<img src=x onerror=alert(1)>”")  # shown as text
    assert overlay.locator("img").count() == 0
    atomic_write(path, good)
    expect(overlay).to_have_count(0, timeout=WAIT_MS)
