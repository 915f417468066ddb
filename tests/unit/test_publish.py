"""publish: the one executor (render, stage, leak check, swap, search)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import tree

from bulletin import model, templates
from bulletin.build import BuildOptions, build, load_site
from bulletin.cache import BuildCache
from bulletin.confidential import CONTENT_LEAK, policy
from bulletin.config import load_config
from bulletin.context import BuildContext
from bulletin.diagnostics import Diagnostic
from bulletin.plan.page import Page
from bulletin.publish import Published, Work, publish

TODAY = dt.date(2026, 11, 27)
SECRET = "青石区涉密选址方案"


@pytest.fixture
def built(basic_site: Path, tmp_path: Path) -> tuple[BuildContext, model.Site, Path]:
    out = tmp_path / "out"
    assert build(basic_site, BuildOptions(output=out, today=TODAY, jobs=1, search=False)).ok
    config = load_config(basic_site)
    site, _ = load_site(config)
    ctx = BuildContext(config, out.resolve(), TODAY, "t", BuildCache(basic_site, False), 1)
    return ctx, site, out


def run(ctx: BuildContext, work: Work) -> Published | list[Diagnostic]:
    return publish(ctx, work, lambda: templates.make_environment(ctx.config), lambda _s: None)


def test_a_partial_work_carries_the_rest_of_the_output_over(
    built: tuple[BuildContext, model.Site, Path],
) -> None:
    ctx, site, out = built
    before = tree(out)
    page = Page("feed.xml", "", {}, data=b"<feed/>")
    work = Work(
        site,
        [page],
        {"feed.xml": "new"},
        {"feed.xml": "old"},
        policy(site, model.Withheld((), (), ())),
        rescan=False,
        carry=frozenset(before),
        assets=False,
    )
    done = run(ctx, work)
    assert isinstance(done, Published)
    assert done.rendered == 1 and done.written == ("feed.xml",) and not done.removed
    after = tree(out)
    assert after.pop("feed.xml") == b"<feed/>"
    before.pop("feed.xml")
    assert after == before


def test_a_leak_publishes_nothing(built: tuple[BuildContext, model.Site, Path]) -> None:
    ctx, site, out = built
    before = tree(out)
    rules = policy(site, model.Withheld((SECRET,), ("qs",), ("content/x/qs.md",)))
    page = Page("notes/index.html", "", {}, data=f"<p>{SECRET}</p>".encode())
    work = Work(site, [page], {page.path: "x"}, {}, rules, rescan=True, carry=frozenset(before))
    problems = run(ctx, work)
    assert [(d.path, d.message) for d in problems] == [  # type: ignore[union-attr]
        (str(out.resolve() / "notes/index.html"), CONTENT_LEAK)
    ]
    assert tree(out) == before


def test_unchanged_pages_are_kept_not_rendered(
    built: tuple[BuildContext, model.Site, Path],
) -> None:
    ctx, site, out = built
    boom = Page("feed.xml", "no-such-template.html", {})
    work = Work(
        site,
        [boom],
        {"feed.xml": "same"},
        {"feed.xml": "same"},
        policy(site, model.Withheld((), (), ())),
        rescan=False,
        carry=frozenset(tree(out)),
    )
    done = run(ctx, work)
    assert isinstance(done, Published) and done.rendered == 0
