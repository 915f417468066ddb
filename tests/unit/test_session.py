"""session: what a change makes dirty (serve, watch)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import assert_same_tree

from bulletin.build import BuildOptions, build, finish_session
from bulletin.session import BuildSession

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def session_build(basic_site: Path, tmp_path: Path) -> tuple[Path, BuildOptions]:
    options = BuildOptions(
        output=tmp_path / "out", today=TODAY, jobs=1, session=BuildSession(), defer_search=True
    )
    assert build(basic_site, options).ok
    finish_session(options)
    return basic_site, options


def edit(site: Path, rel: str, old: str, new: str) -> frozenset[str]:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return frozenset({rel})


def item_file(site: Path) -> str:
    return next(
        p.relative_to(site).as_posix()
        for p in sorted((site / "content").rglob("*.md"))
        if "classification" not in p.read_text(encoding="utf-8")
        and "status: draft" not in p.read_text(encoding="utf-8")
    )


def test_a_body_edit_renders_only_the_pages_showing_that_body(
    session_build: tuple[Path, BuildOptions],
) -> None:
    site, options = session_build
    rel = item_file(site)
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    result = build(site, replace(options, changed=frozenset({rel})))
    assert result.ok and result.pending
    assert "scan-sources" not in result.timings  # narrowed: no scan, no full plan
    assert 1 <= result.rendered < result.pages
    assert any(f.startswith("items/") for f in result.written_files)
    assert finish_session(options) == []
    assert finish_session(options) is None  # nothing left to do


def test_a_title_edit_renders_only_the_pages_showing_that_title(
    session_build: tuple[Path, BuildOptions], tmp_path: Path
) -> None:
    site, options = session_build
    rel = item_file(site)
    changed = edit(site, rel, "title: ", "title: 改题")
    result = build(site, replace(options, changed=changed))
    assert result.ok and "scan-sources" not in result.timings  # narrowed: no scan
    assert 1 <= result.rendered < result.pages
    written = set(result.written_files)
    assert any(f.startswith("items/") for f in written) and "index.html" in written
    assert not any(f.startswith("supervision/") for f in written)  # shows no such title
    assert finish_session(options) == []
    clean = tmp_path / "clean"
    assert build(site, BuildOptions(output=clean, today=TODAY, cache=False, jobs=1)).ok
    assert_same_tree(options.output, clean, "a title edit")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new"),
    [("title: ", "status: draft\ntitle: "), ("title: ", "classification: 秘密\ntitle: ")],
)
def test_a_status_or_classification_edit_runs_the_full_build(
    session_build: tuple[Path, BuildOptions], old: str, new: str
) -> None:
    site, options = session_build
    rel = item_file(site)
    changed = edit(site, rel, old, new)
    result = build(site, replace(options, changed=changed))
    assert result.ok and "scan-sources" in result.timings


def test_a_new_file_runs_the_full_build(session_build: tuple[Path, BuildOptions]) -> None:
    site, options = session_build
    rel = item_file(site)
    new = rel.rpartition("/")[0] + "/brand-new.md"
    (site / new).write_text((site / rel).read_text(encoding="utf-8"), encoding="utf-8")
    result = build(site, replace(options, changed=frozenset({new})))
    assert result.ok and "scan-sources" in result.timings


def test_a_failed_build_forgets_what_the_session_knew(
    session_build: tuple[Path, BuildOptions],
) -> None:
    site, options = session_build
    rel = item_file(site)
    assert options.session is not None and options.session.last is not None
    result = build(site, replace(options, changed=edit(site, rel, "title: ", "title: [")))
    assert not result.ok
    assert options.session.last is None


def test_a_config_edit_renders_with_the_new_config(
    session_build: tuple[Path, BuildOptions], tmp_path: Path
) -> None:
    """The session keeps its template environment between builds; the site's title,
    language and base path live in it, so a config edit must give a new one."""
    site, options = session_build
    changed = edit(site, "site.toml", 'title = "', 'title = "新平台名称 ')
    result = build(site, replace(options, changed=changed))
    assert result.ok, [d.format() for d in result.errors]
    finish_session(options)
    assert "新平台名称" in (options.output / "index.html").read_text(encoding="utf-8")  # type: ignore[operator]
    clean = tmp_path / "clean"
    assert build(site, BuildOptions(output=clean, today=TODAY, cache=False, jobs=1)).ok
    assert_same_tree(options.output, clean, "a config edit")  # type: ignore[arg-type]


def test_a_body_edit_of_a_draft_keeps_its_date_warning(basic_site: Path, tmp_path: Path) -> None:
    """A narrowed build reports what a full build would: a draft's date after today is
    warned about (checks.DRAFT_CHECKS) before and after an edit of its body."""
    rel = "content/chengguan/future-draft.md"
    (basic_site / rel).write_text(
        "---\ntitle: 城关镇草稿\nunit: chengguan\ncategory: briefing\ndate: 2027-01-05\n"
        "status: draft\n---\n正文。\n",
        encoding="utf-8",
    )
    warning = "content/chengguan/future-draft.md:5: date: 警告：日期 2027-01-05 在今天（2026-11-27）之后；是不是写错了？"
    options = BuildOptions(
        output=tmp_path / "out", today=TODAY, jobs=1, session=BuildSession(), defer_search=True
    )
    first = build(basic_site, options)
    assert first.ok and warning in [d.format("zh-CN") for d in first.diagnostics]
    finish_session(options)
    result = build(
        basic_site, replace(options, changed=edit(basic_site, rel, "正文。", "正文改。"))
    )
    assert result.ok and "scan-sources" not in result.timings  # narrowed
    assert warning in [d.format("zh-CN") for d in result.diagnostics]


def test_a_sign_off_edit_that_withdraws_an_item_runs_the_full_build(tmp_path: Path) -> None:
    """An item whose approver is taken away awaits sign-off again: its page, its list
    entries and its counts go, which only the full plan knows (status and classification
    as they were, so the narrowing must see the item leave the site)."""
    site = tmp_path / "site"
    (site / "content" / "chengguan").mkdir(parents=True)
    (site / "site.toml").write_text(
        'title = "测试站点"\n\n[units.chengguan]\nname = "城关镇"\nkind = "town"\n\n'
        "[rules]\nrequire_signoff = true\n",
        encoding="utf-8",
    )
    for n in (1, 2):
        (site / "content" / "chengguan" / f"item-{n}.md").write_text(
            f"---\ntitle: 城关镇信息{n}\nunit: chengguan\ncategory: briefing\n"
            f"date: 2026-03-0{n}\nreviewed-by: 张三\napproved-by: 李四\n---\n正文{n}。\n",
            encoding="utf-8",
        )
    options = BuildOptions(
        output=tmp_path / "out", today=TODAY, jobs=1, session=BuildSession(), defer_search=True
    )
    assert build(site, options).ok
    finish_session(options)
    changed = edit(site, "content/chengguan/item-1.md", "approved-by: 李四\n", "")
    result = build(site, replace(options, changed=changed))
    assert result.ok and "scan-sources" in result.timings  # the full plan
    finish_session(options)
    assert not (tmp_path / "out" / "items" / "item-1").exists()
    clean = tmp_path / "clean"
    assert build(site, BuildOptions(output=clean, today=TODAY, cache=False, jobs=1)).ok
    assert_same_tree(tmp_path / "out", clean, "a sign-off withdrawn")
