"""Readers (issue 7): accessibility, keyboard, print and mobile, in headless Chromium.

The repository's own sample site (site.toml, content/, layouts/) is built into a temporary
directory and served on loopback. axe-core comes from the npm registry, installed by
``.ci/run`` (or by hand) with::

    npm install --no-audit --no-fund --no-package-lock --prefix tests/.npm axe-core@4.14.1

and is injected into each page as a script (no request leaves the local server).
Mobile screenshots go to ``tests/artifacts/`` (git-ignored) for review.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulletin.build import BuildOptions, build

pytestmark = pytest.mark.browser

TESTS = Path(__file__).parent
REPO = TESTS.parent
AXE = TESTS / ".npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = (
    "npm install --no-audit --no-fund --no-package-lock --prefix tests/.npm axe-core@4.14.1"
)
ARTIFACTS = TESTS / "artifacts"
TODAY = dt.date(2026, 11, 27)
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample site, built; returns its output directory."""
    root = tmp_path_factory.mktemp("sample") / "site"
    root.mkdir()
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "layouts").is_dir():
        shutil.copytree(REPO / "layouts", root / "layouts")
    result = build(root, BuildOptions(today=TODAY))
    assert result.ok, "\n".join(d.format("en") for d in result.diagnostics)
    return root / "public"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        message = f"axe-core is not installed: {AXE_INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (required when CI is set)", pytrace=False)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def base(http_server: Any, sample: Path) -> str:
    return http_server(sample)


def item_page(public: Path) -> str:
    """An item page with the most to check: a report thread (timeline) if there is one."""
    pages = sorted((public / "items").glob("*/index.html"))
    assert pages, "the sample site has no item pages"
    threaded = [p for p in pages if 'class="timeline"' in p.read_text(encoding="utf-8")]
    chosen = (threaded or pages)[0]
    return chosen.parent.relative_to(public).as_posix() + "/"


def unit_page(public: Path) -> str:
    units = sorted(p.parent.name for p in (public / "units").glob("*/index.html"))
    assert units, "the sample site has no unit dashboards"
    return f"units/{'chengguan' if 'chengguan' in units else units[0]}/"


def anthology_page(public: Path) -> str:
    years = sorted(p.parent.name for p in (public / "anthology").glob("*/index.html"))
    assert years, "the sample site has no anthology"
    return f"anthology/{years[-1]}/"


def open_page(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("networkidle")
    if "/search/" in url:
        page.wait_for_selector(".bsearch-filters", state="attached")
        if "?q=" in url:
            page.wait_for_selector(".bsearch-result")


def run_axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary[:300]}")
            lines.append(f"        {node['html'][:200]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


PAGES = ["home", "item", "unit", "stats", "stats-year", "supervision", "search", "search-query"]


def page_path(name: str, public: Path) -> str:
    year = max(p.parent.name for p in (public / "stats").glob("*/index.html"))
    return {
        "home": "index.html",
        "item": item_page(public),
        "unit": unit_page(public),
        "stats": "stats/",
        "stats-year": f"stats/{year}/",
        "supervision": "supervision/",
        "search": "search/",
        "search-query": "search/?q=防汛",
        "anthology": anthology_page(public),
    }[name]


@pytest.mark.parametrize("name", [*PAGES, "anthology"])
def test_axe_finds_no_serious_violations(
    page: Any, base: str, sample: Path, axe_source: str, name: str
) -> None:
    path = page_path(name, sample)
    open_page(page, base + path)
    violations = run_axe(page, axe_source)
    if violations:
        print(f"axe on /{path}:\n{describe(violations)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe: serious or critical violations on /{path}:\n{describe(blocking)}"
    assert page.page_errors == [], page.page_errors


# --- keyboard -------------------------------------------------------------------------


def active(page: Any) -> str:
    """The focused element as tag#id.class (or its text for a link)."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return 'body';
            let s = e.tagName.toLowerCase();
            if (e.id) s += '#' + e.id;
            if (e.classList.length) s += '.' + [...e.classList].join('.');
            return s;
        }"""
    )


def test_tab_reaches_skip_link_then_search_box(page: Any, base: str) -> None:
    open_page(page, base + "index.html")
    page.keyboard.press("Tab")
    stops = [active(page)]
    assert stops[0] == "a.skip", f"the first Tab stop must be the skip link, got {stops}"
    # visible while focused (it sits off-screen otherwise)
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, box
    for _ in range(3):
        page.keyboard.press("Tab")
        stops.append(active(page))
    # after the skip link: the site title (a home link), then the search box, before the nav
    assert stops[1:3] == ["a.brand", "input#header-q"], stops


def test_skip_link_moves_focus_to_main(page: Any, base: str, sample: Path) -> None:
    for path in ("index.html", item_page(sample)):
        open_page(page, base + path)
        page.keyboard.press("Tab")
        assert active(page) == "a.skip"
        page.keyboard.press("Enter")
        page.wait_for_function("location.hash === '#main'")
        assert active(page).startswith("main#main"), active(page)
        page.keyboard.press("Tab")
        inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
        assert inside, f"the next Tab after the skip link left main: {active(page)}"


def test_search_with_the_keyboard_alone(page: Any, base: str) -> None:
    open_page(page, base + "index.html")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert active(page) == "input#header-q"
    page.keyboard.type("防汛")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector(".bsearch-result")
    assert page.locator(".bsearch-result").count() > 0


# --- print ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["item", "anthology"])
def test_print_hides_header_and_navigation(page: Any, base: str, sample: Path, which: str) -> None:
    path = item_page(sample) if which == "item" else anthology_page(sample)
    open_page(page, base + path)
    assert page.locator("header.site-header").is_visible()
    page.emulate_media(media="print")
    for selector in ("header.site-header", "nav.main-nav", "form.header-search", "a.skip"):
        assert page.locator(selector).is_hidden(), f"{selector} is printed on /{path}"
    assert page.locator("main h1").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"print-{which}.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.stat().st_size > 0


# --- mobile ---------------------------------------------------------------------------


@pytest.fixture
def mobile(page: Any) -> Iterator[Any]:
    page.set_viewport_size({"width": 390, "height": 844})
    yield page


@pytest.mark.parametrize("name", ["home", "unit", "search"])
def test_mobile_screenshots(mobile: Any, base: str, sample: Path, name: str) -> None:
    path = {"home": "index.html", "unit": unit_page(sample), "search": "search/?q=防汛"}[name]
    open_page(mobile, base + path)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"mobile-{name}.png"
    mobile.screenshot(path=str(shot), full_page=True)
    assert shot.is_file() and shot.stat().st_size > 0
    overflow = mobile.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    print(f"/{path} at 390x844: {shot} ({shot.stat().st_size} bytes), overflow {overflow}px")
