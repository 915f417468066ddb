"""Smoke tests of the browser harness in conftest.py: server, Chromium, request guard."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

TITLE = "城关镇扎实推进防汛工作"

PAGE = f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
<main><h1>{TITLE}</h1><p>汛期以来，城关镇切实压紧压实防汛责任，排查隐患点位12处。</p></main>
</body>
</html>
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    return tmp_path


@pytest.mark.browser
def test_chinese_title_is_visible(http_server, page, site: Path) -> None:
    from playwright.sync_api import expect

    base = http_server(site)
    response = page.goto(base + "index.html")
    assert response is not None and response.ok
    assert page.title() == TITLE
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert page.requests == [base + "index.html"]
    assert page.external_requests == []


@pytest.mark.browser
def test_request_to_another_origin_is_recorded(http_server, page, site: Path) -> None:
    """A different origin is caught, even on loopback (localhost vs 127.0.0.1)."""
    base = http_server(site)
    port = base.rsplit(":", 1)[1].split("/", 1)[0]
    other = f"http://localhost:{port}/style.css"
    (site / "other.html").write_text(
        PAGE.replace("</head>", f'<link rel="stylesheet" href="{other}"></head>'), "utf-8"
    )
    page.goto(base + "other.html")
    page.wait_for_load_state("load")
    assert page.external_requests == [other]
    page.external_requests.clear()  # provoked on purpose: don't fail at teardown


def test_http_server_prefix(http_server, site: Path) -> None:
    base = http_server(site, prefix="/bulletin/")
    assert base.endswith("/bulletin/")
    with urllib.request.urlopen(base + "index.html") as resp:
        assert resp.status == 200
        assert TITLE in resp.read().decode("utf-8")
    outside = base.replace("/bulletin/", "/index.html")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(outside)
    assert err.value.code == 404
