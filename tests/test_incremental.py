"""Incremental builds must equal clean builds, whatever sequence of edits came before.

A fixture site is edited at random (bodies, titles, units, dates, adoptions, drafts,
classification, the fields of figures — categories, supervision dates and assignees,
honorees, final reports, report times, excellent reports, summaries — adds, deletes,
renames, template overrides, config); after each edit
the site is rebuilt incrementally and compared file by file with a clean build made
without any cache into a fresh directory.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import assert_same_tree, tree

from bench.corpus import generate
from bulletin.build import BuildOptions, build, finish_session
from bulletin.cache import BuildCache
from bulletin.output import output_signature
from bulletin.session import BuildSession

TODAY = dt.date(2026, 11, 27)


def items(site: Path) -> list[Path]:
    return sorted((site / "content").rglob("*.md"))


def set_field(path: Path, key: str, value: str | None) -> None:
    """Set (None: remove) a top-level front-matter key, with its indented lines."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    lines: list[str] = []
    skipping = False
    for ln in head.split("\n"):
        if ln.startswith(f"{key}:") or (skipping and ln.startswith((" ", "-"))):
            skipping = True
            continue
        skipping = False
        lines.append(ln)
    if value is not None:
        lines.insert(1, f"{key}: {value}")
    path.write_text("---\n" + "\n".join(lines) + sep + body, encoding="utf-8")


def front(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n")[0]


def later(path: Path, minutes: int) -> str:
    """The file's ``occurred`` time plus ``minutes`` (a report time), in YAML."""
    occurred = re.search(r"^occurred: *(\S+)", front(path), flags=re.M)
    assert occurred is not None
    return (
        dt.datetime.fromisoformat(occurred.group(1)) + dt.timedelta(minutes=minutes)
    ).isoformat()


# front-matter edits that change a figure of the whole site (plan/deps.py): the key, the
# files it is edited in (their front matter holds that text), the values it is given
# (None: the key removed; a callable: of the file)
FIGURE_EDITS: dict[str, tuple[str, str, list[object]]] = {
    "category": ("category", "category: briefing", ["notice", "research", "briefing"]),
    "due": ("due", "assignees:", ["2026-11-20", "2026-11-30", "2027-01-10", None]),
    "done": ("done", "assignees:", ["2026-11-26", None]),
    "assignees": ("assignees", "assignees:", ["[chengguan]", "[xinfeng, yingji]"]),
    "honorees": ("honorees", "honorees:", ["[{name: 先进集体甲, kind: collective}]"]),
    "final": ("final", "follow-up-of:", ["true", None]),
    "reported": ("reported", "occurred:", [lambda p: later(p, 30), lambda p: later(p, 300)]),
    "excellent": ("excellent", "category: research", ["true", None]),
    "summary": ("summary", "title:", ["修改后的摘要", None]),
}


def edit(site: Path, rng: random.Random, step: int) -> str:
    """One random edit; returns a description."""
    files = items(site)
    target = rng.choice(files)
    kind = rng.choice(
        [
            "body",
            "body",
            "title",
            "unit",
            "date",
            "adopt",
            "draft",
            "secret",
            "add",
            "delete",
            "rename",
            "template",
            "config",
            "noop",
            "figure",
            "figure",
        ]
    )
    if kind == "figure":
        kind = rng.choice(sorted(FIGURE_EDITS))
        key, among, values = FIGURE_EDITS[kind]
        target = rng.choice([f for f in files if among in front(f)] or files)
        value = rng.choice(values)
        set_field(target, key, value(target) if callable(value) else value)  # type: ignore[arg-type]
    elif kind == "body":
        with target.open("a", encoding="utf-8") as fh:
            fh.write(f"\n第{step}次修改：补充防汛督查情况。\n")
    elif kind == "title":
        set_field(target, "title", f"编辑后的标题第{step}号")
    elif kind == "unit":
        set_field(target, "unit", rng.choice(["chengguan", "xinfeng", "yingji", "nongye"]))
    elif kind == "date":
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
        set_field(target, "date", day.isoformat())
    elif kind == "adopt":
        set_field(target, "adopted-by", rng.choice(["[city]", "[province, media]", "[]"]))
    elif kind == "draft":
        set_field(target, "status", rng.choice(["draft", "published"]))
    elif kind == "secret":
        set_field(target, "classification", rng.choice(["秘密", "public", "internal"]))
    elif kind == "add":
        new = target.with_name(f"added-{step}.md")
        new.write_text(
            f"---\ntitle: 新增信息{step}号关于乡村振兴\nunit: chengguan\ncategory: briefing\n"
            f"date: 2026-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}\n---\n正文{step}。\n",
            encoding="utf-8",
        )
    elif kind == "delete":
        target.unlink()
    elif kind == "rename":
        target.rename(target.with_name(f"renamed-{step}.md"))
    elif kind == "template":
        layouts = site / "layouts"
        layouts.mkdir(exist_ok=True)
        override = layouts / "partials" / "item_list.html"
        if override.exists() and rng.random() < 0.5:
            override.unlink()
        else:
            override.parent.mkdir(parents=True, exist_ok=True)
            packaged = Path(__file__).parents[1] / "bulletin/layouts/partials/item_list.html"
            override.write_text(
                packaged.read_text(encoding="utf-8") + f"<!-- v{step} -->\n", encoding="utf-8"
            )
    elif kind == "config":
        toml = site / "site.toml"
        text = toml.read_text(encoding="utf-8")
        text = re.sub(r'^title = ".*"$', f'title = "平台{step}"', text, count=1, flags=re.M)
        toml.write_text(text, encoding="utf-8")
    return f"step {step}: {kind} {target.name}"


def repair(site: Path) -> None:
    """Drop edits that broke cross-references (follow-ups of removed items, a final
    report outside a thread, links to removed items)."""
    files = items(site)
    slugs = {p.stem for p in files}
    finals: set[str] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        fixed = re.sub(
            r"^follow-up-of: *(\S+)\n",
            lambda m: m.group(0) if m.group(1) in slugs else "",
            text,
            flags=re.M,
        )
        root = re.search(r"^follow-up-of: *(\S+)", fixed, flags=re.M)
        if root is None or root.group(1) in finals:
            fixed = re.sub(r"^final: true\n", "", fixed, flags=re.M)  # one final per thread
        elif re.search(r"^final: true", fixed, flags=re.M):
            finals.add(root.group(1))
        fixed = re.sub(r"\]\((?:\.\./)?[^)]*\.md\)", "]", fixed)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_match_clean_builds(tmp_path: Path, seed: int) -> None:
    site = tmp_path / "site"
    generate(site, 60, seed=seed)
    (site / "layouts").mkdir(exist_ok=True)
    repair(site)  # links to deleted items make random deletes fail; tested elsewhere
    rng = random.Random(seed)
    out = tmp_path / "out"
    options = BuildOptions(output=out, today=TODAY, jobs=2)
    first = build(site, options)
    assert first.ok, [d.format("en") for d in first.errors]
    for step in range(1, 31):
        what = edit(site, rng, step)
        repair(site)
        result = build(site, options)
        clean_out = tmp_path / f"clean-{step}"
        clean = build(site, BuildOptions(output=clean_out, today=TODAY, cache=False, jobs=1))
        assert result.ok == clean.ok, what
        if result.ok:
            assert_same_tree(out, clean_out, what)
        shutil.rmtree(clean_out, ignore_errors=True)


def test_unchanged_rebuild_writes_nothing_and_keeps_mtimes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, 20, seed=3)
    out = tmp_path / "out"
    options = BuildOptions(output=out, today=TODAY)
    assert build(site, options).ok
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build(site, options)
    assert again.ok and again.up_to_date and again.written == 0
    one = items(site)[0]
    with one.open("a", encoding="utf-8") as fh:
        fh.write("\n补充一句。\n")
    edited = build(site, options)
    assert edited.ok and not edited.up_to_date
    # pages: only the edited item's page (and pages showing its body, such as feeds)
    # change; the search index names its changed shards by content instead
    pages = {p: t for p, t in before.items() if "search-index" not in p.parts}
    changed = {p for p in pages if not p.exists() or p.stat().st_mtime_ns != pages[p]}
    assert 1 <= len(changed) <= 4, sorted(str(p.relative_to(out)) for p in changed)
    # the output's signature, updated from what the build wrote, is what a walk finds:
    # the next build trusts the output (nothing to render, and it says so)
    manifest = BuildCache(site).load_manifest()
    assert manifest.output_sig == output_signature(out)
    assert build(site, options).up_to_date
    (out / "index.html").write_text("edited by hand", encoding="utf-8")
    repaired = build(site, options)
    assert repaired.ok and repaired.written >= 1
    assert "edited by hand" not in (out / "index.html").read_text(encoding="utf-8")
    # the next build looks its files up by name instead of walking the output: a page
    # deleted by hand, or replaced by another file, is noticed all the same
    assert build(site, options).up_to_date
    page = next(out.glob("items/*/index.html"))
    text = page.read_bytes()
    page.unlink()
    restored = build(site, options)
    assert restored.ok and not restored.up_to_date and page.read_bytes() == text
    feed = out / "feed.xml"
    feed.unlink()
    feed.write_bytes(b"<feed/>")
    assert build(site, options).ok and feed.read_bytes() != b"<feed/>"
    assert BuildCache(site).load_manifest().output_sig == output_signature(out)


def test_corrupt_cache_is_ignored_not_trusted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, 20, seed=4)
    out = tmp_path / "out"
    options = BuildOptions(output=out, today=TODAY)
    assert build(site, options).ok
    reference = tree(out)
    cache = site / ".bulletin-cache"
    victims = sorted(p for p in cache.rglob("*") if p.is_file())
    assert victims
    for i, victim in enumerate(victims):
        data = victim.read_bytes()
        if i % 3 == 0:
            victim.write_bytes(data[: len(data) // 2])  # truncated
        elif i % 3 == 1:
            victim.write_bytes(data[:-10] + b"0123456789")  # flipped payload
        else:
            victim.write_bytes(b"not a cache file at all")
    # a changed input forces the build past the up-to-date check and into the cache
    first = items(site)[0]
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 1_000_000))
    again = build(site, options)
    assert again.ok
    assert tree(out) == reference


def test_cache_from_another_version_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    generate(site, 10, seed=5)
    out = tmp_path / "out"
    assert build(site, BuildOptions(output=out, today=TODAY)).ok
    reference = tree(out)
    import bulletin.cache as cache_module

    monkeypatch.setattr(cache_module, "__version__", "0.0.0-other")
    again = build(site, BuildOptions(output=out, today=TODAY))
    assert again.ok and not again.up_to_date
    assert again.rendered == again.pages  # nothing from the foreign cache was trusted
    assert tree(out) == reference


def test_cache_written_by_a_background_child_serves_the_next_build(
    tmp_path: Path, monkeypatch
) -> None:
    """A first build writes its big cache in a forked child; the next build must find
    every item in it (only the edited file is read again) and still match a clean build."""
    from bulletin import parallel, sources

    site = tmp_path / "site"
    generate(site, 20, seed=6)
    out = tmp_path / "out"
    options = BuildOptions(output=out, today=TODAY, search=False)
    children: list[int] = []
    real = parallel.in_background

    def counted(work):  # noqa: ANN001, ANN202
        children.append(1)
        return real(work)

    monkeypatch.setattr(sources, "BACKGROUND_WRITE_MIN", 1)
    monkeypatch.setattr(parallel, "in_background", counted)
    assert build(site, options).ok
    assert children == [1]
    one = items(site)[3]
    with one.open("a", encoding="utf-8") as fh:
        fh.write("\n补充一句。\n")
    again = build(site, options)
    assert again.ok and again.changed_sources == (one.relative_to(site).as_posix(),)
    clean_out = tmp_path / "clean"
    assert build(site, BuildOptions(output=clean_out, today=TODAY, search=False, cache=False)).ok
    assert_same_tree(out, clean_out, "an edit after a first build")


def test_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """A build pauses the collector while it allocates; serve and watch run builds in a
    long-lived process, which must not be left without it (or get it back unasked)."""
    import gc

    site = tmp_path / "site"
    generate(site, 5, seed=7)
    options = BuildOptions(output=tmp_path / "out", today=TODAY, search=False)
    assert gc.isenabled()
    assert build(site, options).ok
    assert gc.isenabled()
    gc.disable()
    try:
        assert build(site, replace(options, cache=False)).ok
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_load_site_items_have_their_bodies(tmp_path: Path) -> None:
    """``load_site`` (``bulletin stats``) reads without a cache; its model must still
    carry every body, although parsing splits the bodies off its results."""
    from bulletin.build import load_site
    from bulletin.config import load_config

    site = tmp_path / "site"
    generate(site, 300, seed=8)  # enough files for the worker pool
    loaded, problems = load_site(load_config(site))
    assert not [d for d in problems if d.is_error]
    assert len(loaded.items) == 300
    assert all("<p>" in item.html and item.text for item in loaded.items)


def snapshot(site: Path) -> dict[str, bytes]:
    """Every source file a watcher would report, by site-relative path."""
    files = {"site.toml": (site / "site.toml").read_bytes()}
    for folder in ("content", "layouts"):
        for p in (site / folder).rglob("*"):
            if p.is_file():
                files[p.relative_to(site).as_posix()] = p.read_bytes()
    return files


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
def test_session_rebuilds_from_watcher_paths_match_clean_builds(tmp_path: Path, seed: int) -> None:
    """What serve and watch do: a BuildSession told which paths changed (so body-only
    edits take the delta path), the search index deferred to finish_session()."""
    site = tmp_path / "site"
    generate(site, 60, seed=seed)
    (site / "layouts").mkdir(exist_ok=True)
    repair(site)
    rng = random.Random(seed)
    out = tmp_path / "out"
    options = BuildOptions(
        output=out, today=TODAY, jobs=2, session=BuildSession(), defer_search=True
    )
    assert build(site, options).ok
    finish_session(options)
    quick = 0
    for step in range(1, 41):
        before = snapshot(site)
        if rng.random() < 0.6:
            # the common case in an editor: one or a few bodies change
            targets = rng.sample(items(site), rng.choice([1, 1, 1, 2, 3]))
            for target in targets:
                with target.open("a", encoding="utf-8") as fh:
                    fh.write(f"\n第{step}次补充：群众反映{rng.randrange(1000)}件事项已办结。\n")
            what = f"step {step}: body of {[t.name for t in targets]}"
        else:
            what = edit(site, rng, step)
            repair(site)
        after = snapshot(site)
        changed = frozenset(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        result = build(site, replace(options, changed=changed))
        quick += not result.timings.get("scan-sources")
        if rng.random() < 0.7:  # sometimes the next edit comes before the search caught up
            finish_session(options)
        clean_out = tmp_path / f"clean-{step}"
        clean = build(site, BuildOptions(output=clean_out, today=TODAY, cache=False, jobs=1))
        assert result.ok == clean.ok, what
        if result.ok:
            finish_session(options)
            assert_same_tree(out, clean_out, what)
        shutil.rmtree(clean_out, ignore_errors=True)
    assert quick >= 10  # the delta path was taken (not only full builds)
