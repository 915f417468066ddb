"""``build()``: the pipeline's entry point — what it returns, raises and retries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import tree

from bulletin.build import BuildOptions, build
from bulletin.plan import pages

TODAY = dt.date(2026, 11, 27)


def test_a_bug_in_a_planner_surfaces_once_as_itself(
    basic_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 12 §6: a KeyError from a page planner is a bug: it propagates from the first
    build, not retried (once per recursion level) and never reported as invalid YAML."""
    calls = []

    def broken(site, today):  # noqa: ANN001, ANN202
        calls.append(1)
        raise KeyError("no-such-unit")

    monkeypatch.setattr(pages, "PLANNERS", (*pages.PLANNERS, broken))
    with pytest.raises(KeyError, match="no-such-unit"):
        build(basic_site, BuildOptions(output=tmp_path / "out", today=TODAY, jobs=1))
    assert calls == [1]


def test_a_body_missing_from_the_cache_rebuilds_without_it(
    basic_site: Path, tmp_path: Path
) -> None:
    """The item index promises bodies a lost shard no longer has: the build starts again
    without the cache (once) and publishes what a clean build publishes."""
    out = tmp_path / "out"
    options = BuildOptions(output=out, today=TODAY, jobs=1, search=False)
    assert build(basic_site, options).ok
    for shard in (basic_site / ".bulletin-cache" / "bodies").iterdir():
        shard.unlink()
    (out / "feed.xml").unlink()  # a page to render again that needs the bodies it lists
    result = build(basic_site, options)
    assert result.ok, [d.format("en") for d in result.diagnostics]
    clean = tmp_path / "clean"
    assert build(basic_site, BuildOptions(output=clean, today=TODAY, search=False, cache=False)).ok
    assert tree(out) == tree(clean)
