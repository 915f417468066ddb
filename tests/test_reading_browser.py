"""Every page type of the sample site, as a reader sees it, at 1280 px and 390 px (issue 16).

The repository's sample site is built; its page plan says which page kinds exist, and one
page of each kind is opened in headless Chromium at both widths -- the richest one (the
largest file), plus a page for each feature not yet covered (tables, charts, lists in
columns, report threads…). So a page type added later is checked as soon as the sample
site has one, and a template that the sample site never uses fails
``test_every_template_has_a_sample_page``.

Each page is measured once per width by ``tests/reading.js``; the tests below each assert
one kind of defect over all pages. Screenshots of every page go to
``tests/artifacts/screens/<page-kind>-<width>.png`` (git-ignored) for a person to look at.
axe-core comes from npm, as in ``test_a11y_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import LocalServers

from bulletin.build import BuildOptions, build, load_site
from bulletin.config import load_config
from bulletin.templates import PACKAGED

try:  # the page plan moves into a plan/ package (issue 13)
    from bulletin.plan.pages import plan_pages
except ImportError:
    from bulletin.pages import plan_pages  # type: ignore[no-redef]

pytestmark = pytest.mark.browser

TESTS = Path(__file__).parent
REPO = TESTS.parent
SCREENS = TESTS / "artifacts" / "screens"
MEASURE = (TESTS / "reading.js").read_text(encoding="utf-8")
AXE = TESTS / ".npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = (
    "npm install --no-audit --no-fund --no-package-lock --prefix tests/.npm axe-core@4.14.1"
)
TODAY = dt.date(2026, 11, 30)  # a month still to come in the charts: December
WIDTHS = (1280, 390)
HEIGHT = {1280: 900, 390: 844}
BLOCKING = ("serious", "critical")
# Features that some pages of a kind have and others lack: a page having each is visited.
FEATURES = {
    "table": "<table",
    "chart": "<svg",
    "columns": "columns",
    "timeline": 'class="timeline"',
    "facts": 'class="facts"',
    "dashboard": 'class="dashboard"',
}
# The search page is visited with a query (results on screen) and with a phrase no item
# holds whole (the labelled fallback).
SEARCHES = {"search": "防汛", "search-fallback": "防汛工作"}
TEMPLATES_WITHOUT_PAGES = {"base.html"}  # extended, never rendered on its own


@dataclass
class Sample:
    public: Path
    kinds: set[str]
    templates: set[str]
    pages: dict[str, str] = field(default_factory=dict)  # page kind -> URL path


def _choose(public: Path, plan: list[Any]) -> dict[str, str]:
    """One URL per page kind (its largest page), then one per feature not yet covered."""
    by_kind: dict[str, list[str]] = {}
    for page in plan:
        if page.template.endswith(".html"):
            by_kind.setdefault(page.kind, []).append(page.path)
    html = {p: (public / p).read_text(encoding="utf-8") for ps in by_kind.values() for p in ps}
    chosen: dict[str, str] = {}
    for kind, paths in sorted(by_kind.items()):
        chosen[kind] = max(paths, key=lambda p: (len(html[p]), p))
    for feature, marker in FEATURES.items():
        if any(marker in html[p] for p in chosen.values()):
            continue
        having = [
            (kind, p) for kind, ps in sorted(by_kind.items()) for p in ps if marker in html[p]
        ]
        if having:
            kind, path = max(having, key=lambda kp: (len(html[kp[1]]), kp[1]))
            chosen[f"{kind}-{feature}"] = path
    urls = {name: path.removesuffix("index.html") for name, path in chosen.items()}
    if "search" in urls:
        search = urls.pop("search")
        for name, q in SEARCHES.items():
            urls[name] = f"{search}?q={quote(q)}"
    return urls


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    root = tmp_path_factory.mktemp("reading") / "site"
    root.mkdir()
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "layouts").is_dir():
        shutil.copytree(REPO / "layouts", root / "layouts")
    result = build(root, BuildOptions(today=TODAY))
    assert result.ok, "\n".join(d.format("en") for d in result.diagnostics)
    site, problems = load_site(load_config(root))
    assert not [p for p in problems if p.is_error]
    plan = plan_pages(site, TODAY)
    public = root / "public"
    return Sample(
        public,
        {p.kind for p in plan if p.template.endswith(".html")},
        {p.template for p in plan if p.template},
        _choose(public, plan),
    )


@pytest.fixture(scope="module")
def server(sample: Sample) -> Iterator[str]:
    servers = LocalServers()
    try:
        yield servers(sample.public)
    finally:
        servers.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        message = f"axe-core is not installed: {AXE_INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (required when CI is set)", pytrace=False)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def readings(browser: Any, sample: Sample, server: str, axe_source: str) -> Any:
    """``readings(width)``: {page kind: what reading.js and axe found}, measured once."""
    done: dict[int, dict[str, dict[str, list[str]]]] = {}

    def measure(width: int) -> dict[str, dict[str, list[str]]]:
        if width in done:
            return done[width]
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": HEIGHT[width]}
        )
        outside: list[str] = []
        context.on(
            "request",
            lambda req: outside.append(req.url) if not req.url.startswith(server) else None,
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        found: dict[str, dict[str, list[str]]] = {}
        SCREENS.mkdir(parents=True, exist_ok=True)
        try:
            for name, path in sorted(sample.pages.items()):
                response = page.goto(server + path)
                assert response is not None and response.ok, path
                page.wait_for_load_state("networkidle")
                if "/search/" in path:
                    page.wait_for_selector("#bsearch[data-ready]")
                result = page.evaluate(MEASURE)
                page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
                page.add_script_tag(content=axe_source)
                violations = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                    ".violations"
                )
                result["axe"] = [
                    f"[{v['impact']}] {v['id']}: {v['help']} at "
                    + ", ".join(str(n["target"]) for n in v["nodes"][:4])
                    for v in violations
                    if v["impact"] in BLOCKING
                ]
                result["errors"] = list(errors)
                errors.clear()
                found[name] = result
        finally:
            context.close()
        assert outside == [], f"requests outside the local server: {outside}"
        done[width] = found
        return found

    return measure


def problems(found: dict[str, dict[str, list[str]]], sample: Sample, check: str) -> str:
    lines = [
        f"/{sample.pages[name]} ({name}): {problem}"
        for name, result in sorted(found.items())
        for problem in result[check]
    ]
    return "\n".join(lines)


# --- the sample covers every page type --------------------------------------------------


def test_every_template_has_a_sample_page(sample: Sample) -> None:
    """A page template the sample site never renders would go unchecked: add content."""
    templates = {p.name for p in PACKAGED.glob("*.html")} - TEMPLATES_WITHOUT_PAGES
    missing = templates - sample.templates
    assert not missing, f"no page of the sample site uses {sorted(missing)}"
    missing_kinds = {k for k in sample.kinds if k not in sample.pages and k != "search"}
    assert not missing_kinds, f"no sample URL for page kinds {sorted(missing_kinds)}"
    print("page kinds visited:", ", ".join(f"{k} /{p}" for k, p in sorted(sample.pages.items())))


# --- one test per kind of defect, each over every page ----------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen(readings: Any, sample: Sample, width: int) -> None:
    found = readings(width)
    assert not problems(found, sample, "overflow"), problems(found, sample, "overflow")
    assert not problems(found, sample, "errors"), problems(found, sample, "errors")


@pytest.mark.parametrize("width", WIDTHS)
def test_table_cells_keep_names_readable(readings: Any, sample: Sample, width: int) -> None:
    """No cell narrower than about three Chinese characters; short names on one line."""
    found = readings(width)
    assert not problems(found, sample, "tables"), problems(found, sample, "tables")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_list_entry_is_split_across_columns(readings: Any, sample: Sample, width: int) -> None:
    found = readings(width)
    assert not problems(found, sample, "columns"), problems(found, sample, "columns")


@pytest.mark.parametrize("width", WIDTHS)
def test_content_keeps_its_distance_from_the_header(
    readings: Any, sample: Sample, width: int
) -> None:
    found = readings(width)
    assert not problems(found, sample, "header"), problems(found, sample, "header")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_has_a_title_and_axis_caption(
    readings: Any, sample: Sample, width: int
) -> None:
    found = readings(width)
    assert any("chart" in name or name.startswith("stats") for name in found)
    assert not problems(found, sample, "charts"), problems(found, sample, "charts")


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_serious_violations(readings: Any, sample: Sample, width: int) -> None:
    found = readings(width)
    assert not problems(found, sample, "axe"), problems(found, sample, "axe")


@pytest.mark.parametrize("width", WIDTHS)
def test_sections_of_an_article_sit_below_its_title(
    readings: Any, sample: Sample, width: int
) -> None:
    found = readings(width)
    assert not problems(found, sample, "headings"), problems(found, sample, "headings")


@pytest.mark.parametrize("width", WIDTHS)
def test_text_reads_as_chinese_is_written(readings: Any, sample: Sample, width: int) -> None:
    """No half-width space beside Chinese punctuation; the footer says each thing once."""
    found = readings(width)
    assert not problems(found, sample, "spacing"), problems(found, sample, "spacing")
    assert not problems(found, sample, "footer"), problems(found, sample, "footer")


@pytest.mark.parametrize("width", WIDTHS)
def test_one_search_box_and_plain_feed_links(readings: Any, sample: Sample, width: int) -> None:
    found = readings(width)
    assert not problems(found, sample, "searchBoxes"), problems(found, sample, "searchBoxes")
    assert not problems(found, sample, "feeds"), problems(found, sample, "feeds")


def test_screenshots_of_every_page_kind(readings: Any, sample: Sample) -> None:
    for width in WIDTHS:
        readings(width)
        for name in sample.pages:
            shot = SCREENS / f"{name}-{width}.png"
            assert shot.is_file() and shot.stat().st_size > 0, shot
    print("\n".join(sorted(str(p.relative_to(REPO)) for p in SCREENS.glob("*.png"))))


# --- the checks themselves can fail -------------------------------------------------------

FAULTS = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>每种缺陷各一处</title>
<style>body { margin: 0 } header { height: 40px } main { padding: 0 } h1 { margin: 0 }</style>
</head><body>
<header class="site-header">站点</header>
<main>
<h1>每种缺陷各一处</h1>
<div style="width: 3000px">比屏幕宽</div>
<table style="width: 60px"><tr><th>城关镇</th><td>区住房和城乡建设局</td></tr></table>
<ul style="columns: 3; width: 600px"><li>甲</li><li style="height: 300px">一条很长的条目</li></ul>
<figure><svg role="img" width="200" height="50"><rect width="50" height="20"/></svg></figure>
<article><h2>报告标题</h2><h2>一、基本情况</h2></article>
<p>区农业农村局办公室 （区农业农村局）</p>
<input type="search" id="one"><input type="search" id="two">
<p><a href="feed.xml">订阅</a></p>
</main>
<footer>内部资料，注意保存 · 内部资料，注意保存</footer>
</body></html>
"""


def test_each_check_catches_its_fault(page: Any, http_server: Any, tmp_path: Path) -> None:
    """A page with one of each fault: every check of reading.js, and axe, report it."""
    (tmp_path / "index.html").write_text(FAULTS, encoding="utf-8")
    page.goto(http_server(tmp_path) + "index.html")
    found = page.evaluate(MEASURE)
    quiet = sorted(check for check, seen in found.items() if not seen)
    assert not quiet, f"checks that missed their fault: {quiet}\n{found}"
    if AXE.is_file():
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        ids = page.evaluate(
            "async () => (await axe.run(document)).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
        )
        assert "svg-img-alt" in ids, ids
