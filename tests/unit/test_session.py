"""session: what a change makes dirty (serve, watch)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

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


def test_a_front_matter_edit_runs_the_full_build(session_build: tuple[Path, BuildOptions]) -> None:
    site, options = session_build
    rel = item_file(site)
    changed = edit(site, rel, "title: ", "title: 改题")
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
