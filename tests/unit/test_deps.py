"""plan.deps: every page's deps cover everything its template shows.

The property under test: after any front-matter edit, a page whose rendered bytes
changed has a changed fingerprint (else an incremental build would keep it stale).
Each edit names a page that must change, so no case passes by changing nothing; and
edits that lists do not show (summary, tags, a body) must leave the lists alone (the
point of the fine deps).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bench.corpus import generate
from bulletin import model, templates
from bulletin.build import load_site
from bulletin.config import load_config
from bulletin.diagnostics import Diagnostic
from bulletin.plan import deps
from bulletin.plan.page import Page, fingerprints
from bulletin.plan.pages import plan_pages
from bulletin.render import render_page

TODAY = dt.date(2026, 11, 27)  # the corpus's today


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deps") / "site"
    generate(root, 100, seed=14)
    return root


Snapshot = tuple[model.Site, dict[str, Page], dict[str, str]]


@pytest.fixture(scope="module")
def first(pristine: Path) -> tuple[Snapshot, dict[str, bytes | Diagnostic]]:
    """The pristine site's model, plan and fingerprints, and every page rendered."""
    site, plan, fps = snapshot(pristine)
    env = templates.make_environment(site.config)
    return (site, plan, fps), {p: render_page(page, env, site, TODAY) for p, page in plan.items()}


def set_field(path: Path, key: str, value: str | None) -> None:
    """Set (or with None remove) a top-level front-matter key, its indented lines too."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    lines: list[str] = []
    skipping = False
    for line in head.split("\n"):
        if line.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and line.startswith((" ", "-")):
            continue
        skipping = False
        lines.append(line)
    if value is not None:
        lines.append(f"{key}: {value}")
    path.write_text("---\n" + "\n".join(lines) + sep + body, encoding="utf-8")


def pick(site: model.Site, test: Callable[[model.Item], bool]) -> model.Item:
    return next(i for i in site.items if test(i))


def thread_of(site: model.Site, item: model.Item) -> model.Thread:
    thread = site.thread_of(item)
    assert thread is not None
    return thread


# (what, the item to edit, key, new YAML value, a page that must change)
Edit = tuple[str, Callable[[model.Site], model.Item], str, Callable[[model.Item], str | None], str]


def _newest(site: model.Site) -> model.Item:
    return site.items[0]


def _supervision(site: model.Site) -> model.Item:
    return pick(site, lambda i: i.category.id == "supervision")


def _supervision_done(site: model.Site) -> model.Item:
    return pick(site, lambda i: i.category.id == "supervision" and i.done is not None)


def _emergency_first(site: model.Site) -> model.Item:
    """A first report of 2026 still awaiting its final report (a criticism reason)."""
    return pick(
        site,
        lambda i: (
            i.category.id == "emergency"
            and i.follow_up_of is None
            and i.year == 2026
            and (site.thread_of(i) is None or thread_of(site, i).final is None)
        ),
    )


def _follow_up(site: model.Site) -> model.Item:
    """A follow-up in a thread still awaiting its final report."""
    return pick(site, lambda i: i.follow_up_of is not None and thread_of(site, i).final is None)


def _follow_up_final(site: model.Site) -> model.Item:
    return pick(site, lambda i: i.final)


def _commendation(site: model.Site) -> model.Item:
    return pick(site, lambda i: bool(i.honorees))


def _excellent(site: model.Site) -> model.Item:
    return pick(site, lambda i: i.excellent)


def _research(site: model.Site) -> model.Item:
    return pick(site, lambda i: i.category.id == "research" and not i.excellent)


def _report_2026(site: model.Site) -> model.Item:
    return pick(
        site, lambda i: i.year == 2026 and i.category.id == "briefing" and i.unit.id != "xinfeng"
    )


def _adopted(site: model.Site) -> model.Item:
    return pick(site, lambda i: bool(i.adoptions) and i.category.id == "briefing")


def _old(site: model.Site) -> model.Item:
    return pick(site, lambda i: i.year == 2021 and i.category.id == "briefing")


EDITS: list[Edit] = [
    ("title on the home page", _newest, lambda i: {"title": "新标题甲"}, "index.html"),
    ("title in a unit list", _old, lambda i: {"title": "新标题乙"}, "units/{unit}/index.html"),
    ("unit", _report_2026, lambda i: {"unit": "xinfeng"}, "units/xinfeng/index.html"),
    ("unit (the figures)", _report_2026, lambda i: {"unit": "xinfeng"}, "stats/2026/index.html"),
    ("unit (the counts)", _old, lambda i: {"unit": "xinfeng"}, "units/index.html"),
    ("category", _old, lambda i: {"category": "research"}, "categories/index.html"),
    (
        "category (reported or not)",
        _report_2026,
        lambda i: {"category": "notice"},
        "stats/2026.csv",
    ),
    (
        "date within its year",
        _old,
        lambda i: {"date": "2021-12-30"},
        "categories/briefing/index.html",
    ),
    ("date to another year", _old, lambda i: {"date": "2022-03-01"}, "stats/2022/index.html"),
    (
        "adoption",
        _report_2026,
        lambda i: {"adopted-by": "[province]"},
        "adopted/province/index.html",
    ),
    (
        "adoption (the score)",
        _report_2026,
        lambda i: {"adopted-by": "[province]"},
        "stats/2026.json",
    ),
    ("adoption removed", _adopted, lambda i: {"adopted-by": None}, "categories/index.html"),
    (
        "instructions (the count)",
        _adopted,
        lambda i: {
            "instructions": "[{by: 区委书记, level: district}, {by: 区长, level: district}]"
        },
        "stats/{year}/index.html",
    ),
    ("not done", _supervision_done, lambda i: {"done": None}, "supervision/index.html"),
    ("done", _supervision, lambda i: {"done": "2026-11-20"}, "supervision/index.html"),
    ("due date", _supervision, lambda i: {"due": "2026-11-29"}, "supervision/index.html"),
    ("overdue", _supervision_done, lambda i: {"due": "2026-10-01", "done": None}, "index.html"),
    (
        "assignees",
        _supervision,
        lambda i: {"assignees": "[beiguan, jinhe]"},
        "supervision/index.html",
    ),
    (
        "supervision title",
        _supervision,
        lambda i: {"title": "督办新标题"},
        "supervision/index.html",
    ),
    (
        "honorees",
        _commendation,
        lambda i: {"honorees": "[{name: 新的先进集体, unit: beiguan, kind: collective}]"},
        "commendations/index.html",
    ),
    (
        "commendation title",
        _commendation,
        lambda i: {"title": "表扬新标题"},
        "commendations/index.html",
    ),
    (
        "commendation date",
        _commendation,
        lambda i: {"date": "2026-01-05"},
        "commendations/index.html",
    ),
    (
        "final report",
        _follow_up,
        lambda i: {"final": "true"},
        "items/{root}/index.html",
    ),
    ("no longer final", _follow_up_final, lambda i: {"final": None}, "index.html"),
    (
        "thread member's title",
        _follow_up,
        lambda i: {"title": "续报新标题"},
        "items/{root}/index.html",
    ),
    (
        "open thread's title",
        _emergency_first,
        lambda i: {"title": "首报新标题"},
        "stats/2026/index.html",
    ),
    (
        "report time (late)",
        _emergency_first,
        lambda i: {"reported": f"{i.date.isoformat()}T23:59:00+08:00"},
        "stats/2026/index.html",
    ),
    ("excellent", _research, lambda i: {"excellent": "true"}, "anthology/index.html"),
    (
        "excellent's title",
        _excellent,
        lambda i: {"title": "调研新标题"},
        "anthology/{year}/index.html",
    ),
    ("follow-up drafted", _follow_up, lambda i: {"status": "draft"}, "index.html"),
    ("draft", _report_2026, lambda i: {"status": "draft"}, "stats/2026/index.html"),
]


def snapshot(root: Path, fine: bool = True) -> Snapshot:
    site, problems = load_site(load_config(root))
    assert not [d for d in problems if d.is_error], [d.format() for d in problems]
    plan = {p.path: p for p in plan_pages(site, TODAY)}
    return site, plan, fingerprints(site, plan.values(), "base", deps.Values(site, fine=fine))


def where(template: str, item: model.Item, site: model.Site) -> str:
    thread = site.thread_of(item)
    return template.format(
        unit=item.unit.id, year=item.year, root=thread.root if thread else item.slug
    )


@pytest.mark.slow
@pytest.mark.parametrize("edit", EDITS, ids=[e[0] for e in EDITS])
def test_a_page_whose_bytes_change_has_a_new_fingerprint(
    edit: Edit,
    pristine: Path,
    first: tuple[Snapshot, dict[str, bytes | Diagnostic]],
    tmp_path: Path,
) -> None:
    _what, choose, changes, must = edit
    root = shutil.copytree(pristine, tmp_path / "site")
    (site, plan, before), shown = first
    item = choose(site)
    must = where(must, item, site)
    for key, value in changes(item).items():
        set_field(root / item.path, key, value)
    new_site, new_plan, after = snapshot(root)
    env = templates.make_environment(site.config)
    stale: list[str] = []
    changed: set[str] = set()
    for path in sorted(plan.keys() & new_plan.keys()):
        if before[path] != after[path] and path != must:
            continue  # rendered again anyway
        new = render_page(new_plan[path], env, new_site, TODAY)
        assert not isinstance(new, Diagnostic), new.format()
        if shown[path] != new:
            changed.add(path)
            if before[path] == after[path]:
                stale.append(path)
    assert must in changed, f"the edit must change {must}"
    assert not stale, f"pages shown differently with unchanged fingerprints: {stale}"


def test_lists_ignore_what_they_do_not_show(pristine: Path, tmp_path: Path) -> None:
    root = shutil.copytree(pristine, tmp_path / "site")
    site, plan, before = snapshot(root)
    item = _old(site)
    path = root / item.path
    set_field(path, "summary", "新的摘要")
    set_field(path, "tags", "[新标签]")
    path.write_text(path.read_text(encoding="utf-8") + "\n新的一段正文。\n", encoding="utf-8")
    _site, _plan, after = snapshot(root)
    moved = {p for p in plan if before[p] != after.get(p)}
    lists = {p for p in moved if plan[p].kind not in ("item", "feed")}
    assert f"items/{item.slug}/index.html" in moved
    assert not lists, f"list pages rendered again for a summary, tag or body edit: {lists}"
    # with layouts of the site's own, a list may show any field: the same edit counts
    _site, _plan, coarse_before = snapshot(pristine, fine=False)
    _site, _plan, coarse_after = snapshot(root, fine=False)
    unit_page = f"units/{item.unit.id}/index.html"
    assert coarse_before[unit_page] != coarse_after[unit_page]


def test_a_card_changes_with_each_field_a_list_shows(pristine: Path) -> None:
    site, _problems = load_site(load_config(pristine))
    item = site.items[0]
    card = deps.card_key(item)
    for change in (
        {"slug": "another-slug"},
        {"title": "另一个标题"},
        {"date": item.date - dt.timedelta(days=1)},
        {"draft": not item.draft},
        {"pending": not item.pending},
        {"unit": next(u for u in site.units if u != item.unit)},
        {"category": next(c for c in site.categories if c != item.category)},
        {"adoptions": (model.Adoption(site.levels[-1], None, None), *item.adoptions)},
    ):
        assert deps.card_key(replace(item, **change)) != card, change  # type: ignore[arg-type]
    # what lists do not show leaves the card as it is
    assert deps.card_key(replace(item, summary="别的摘要", tags=("x",), chars=1)) == card
    values = deps.Values(site)
    assert values(f"card:{item.slug}") == card
    assert deps.Values(site, fine=False)(f"card:{item.slug}") == item.meta_key
    assert values("card:no-such-item") == "-"
    assert values("config") == "config"  # stands for itself


def test_each_figure_is_computed_once_per_plan(pristine: Path, monkeypatch) -> None:
    site, _problems = load_site(load_config(pristine))
    calls: list[int] = []
    real = deps.stats_inputs

    def counted(s: model.Site, year: int) -> str:
        calls.append(year)
        return real(s, year)

    monkeypatch.setattr(deps, "stats_inputs", counted)
    values = deps.Values(site)
    assert values("stats:2026") == values("stats:2026")
    assert calls == [2026]
    assert re.fullmatch(r"[0-9a-f]{32}", values(deps.COUNTS))
