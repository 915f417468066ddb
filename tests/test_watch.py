"""bulletin/watch.py with real filesystem events (inotify through watchdog; nothing mocked).

Every test edits a small temp site and waits on a condition with a bounded timeout:
``Watcher.sync()`` writes a barrier file into content/ and returns once its event has
arrived (events of one watch arrive in order) and the resulting builds have finished.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import pytest
from conftest import tree

from bulletin.build import BuildOptions, BuildResult, build
from bulletin.watch import Change, Rebuild, Watcher, relevant, summarize

REPO = Path(__file__).resolve().parent.parent
PACKAGED_LAYOUTS = REPO / "bulletin" / "layouts"
TIMEOUT = 60.0

SITE_TOML = """\
# 监听测试用小站点（虚构）
title = "监听测试信息平台"
language = "zh-CN"
base_url = "/"
output_dir = "public"
today = 2026-06-30

[units.chengguan]
name = "城关镇"
kind = "town"
key = true

[units.beiyuan]
name = "北苑街道"
kind = "street"
key = false
"""


def item_text(title: str, unit: str, date: str, body: str, extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\nunit: {unit}\ncategory: briefing\ndate: {date}\n{extra}---\n{body}\n"
    )


ITEMS = {
    "content/chengguan/2026-03-02-chungeng.md": item_text(
        "城关镇抓好春耕备耕",
        "chengguan",
        "2026-03-02",
        "全镇储备化肥1200吨、良种85吨。",
        "tags: [春耕]\n",
    ),
    "content/chengguan/2026-04-18-防汛演练.md": item_text(
        "城关镇开展防汛应急演练", "chengguan", "2026-04-18", "演练共有300余人参加。"
    ),
    "content/beiyuan/2025-11-06-yishi.md": item_text(
        "北苑街道推行社区议事会制度", "beiyuan", "2025-11-06", "协商解决居民诉求56件。"
    ),
    "content/beiyuan/2026-05-10-laonian.md": item_text(
        "北苑街道建成老年助餐点", "beiyuan", "2026-05-10", "新建助餐点8个。", "tags: [民生]\n"
    ),
}


def make_site(dest: Path) -> Path:
    """A small site: two units, four items; a stub search layout if none is packaged."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for rel, text in ITEMS.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not (PACKAGED_LAYOUTS / "search.html").is_file():
        (dest / "layouts").mkdir(exist_ok=True)
        (dest / "layouts" / "search.html").write_text(
            '{% extends "base.html" %}\n', encoding="utf-8"
        )
    return dest


def html_containing(root: Path, text: str) -> list[str]:
    needle = text.encode("utf-8")
    return [rel for rel, data in tree(root).items() if rel.endswith(".html") and needle in data]


def clean_build(site: Path, dest: Path, **options: object) -> dict[str, bytes]:
    """Build a fresh copy of the site's sources (no cache, no previous output)."""
    copy = dest / "site"
    shutil.copytree(
        site,
        copy,
        ignore=shutil.ignore_patterns(".bulletin-cache", "public", ".public*", ".bulletin-*"),
    )
    out = dest / "out"
    result = build(copy, BuildOptions(output=out, **options))  # type: ignore[arg-type]
    assert result.ok, [d.format("en") for d in result.diagnostics]
    return tree(out)


def atomic_write(path: Path, text: str) -> None:
    """Save the way editors do: write a temp file beside it, then rename over it."""
    tmp = path.with_name(f".{path.name}.swp-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wait_until(predicate: Callable[[], object], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


class Recorder:
    def __init__(self) -> None:
        self.rebuilds: list[Rebuild] = []
        self.lock = threading.Lock()

    def __call__(self, rebuild: Rebuild) -> None:
        with self.lock:
            self.rebuilds.append(rebuild)

    @property
    def last(self) -> Rebuild:
        with self.lock:
            return self.rebuilds[-1]


class Watched:
    def __init__(self, root: Path, out: Path, watcher: Watcher, rec: Recorder):
        self.root, self.out, self.watcher, self.rec = root, out, watcher, rec

    def sync(self) -> Rebuild:
        assert self.watcher.sync(TIMEOUT), "changes were not built in time"
        return self.rec.last

    def page(self, slug: str) -> Path:
        return self.out / "items" / slug / "index.html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


def _start(site: Path, out: Path, **kw: object) -> Iterator[Watched]:
    rec = Recorder()
    options = BuildOptions(output=out)
    watcher = Watcher(site, options, on_build=rec, debounce=0.05, **kw)  # type: ignore[arg-type]
    watcher.start()
    try:
        assert watcher.wait_for_builds(1, TIMEOUT)
        assert rec.rebuilds[0].result.ok, [
            d.format("en") for d in rec.rebuilds[0].result.diagnostics
        ]
        yield Watched(site, out, watcher, rec)
    finally:
        assert watcher.stop(TIMEOUT)


@pytest.fixture
def watched(site: Path, tmp_path: Path) -> Iterator[Watched]:
    yield from _start(site, tmp_path / "out")


# --- pure helpers -------------------------------------------------------------------------


def test_relevant_paths() -> None:
    from pathlib import PurePosixPath as P

    assert relevant(P("site.toml"), False)
    assert relevant(P("content"), True)
    assert relevant(P("content/chengguan/a.md"), False)
    assert relevant(P("content/chengguan"), True)
    assert relevant(P("layouts/item.html"), False)
    assert not relevant(P("content/chengguan/.a.md.swp"), False)
    assert not relevant(P("content/chengguan/a.md~"), False)
    assert not relevant(P("content/chengguan/4913"), False)
    assert not relevant(P("content/chengguan/notes.txt"), False)
    assert not relevant(P("content/.git/index"), False)
    assert not relevant(P("public/index.html"), False)
    assert not relevant(P(".bulletin-cache/manifest"), False)
    assert not relevant(P("README.md"), False)


def test_summarize() -> None:
    changes = [Change("modified", f"content/a/{i}.md") for i in range(5)]
    assert summarize(changes, language="en") == (
        "content/a/0.md modified, content/a/1.md modified, content/a/2.md modified (+2 more)"
    )
    assert summarize(changes) == (
        "content/a/0.md 修改、content/a/1.md 修改、content/a/2.md 修改（另有 2 处）"
    )
    assert summarize([Change("initial", "initial build")], language="en") == "initial build"
    assert summarize([Change("moved", "content/a.md", "content/b.md")]) == (
        "content/a.md → content/b.md"
    )


# --- events → rebuilds ---------------------------------------------------------------------


def test_initial_build_and_no_feedback_loop(site: Path, tmp_path: Path) -> None:
    """The output inside the site (public/) and the cache never trigger a rebuild."""
    rec = Recorder()
    watcher = Watcher(site, BuildOptions(), on_build=rec, debounce=0.05)
    with watcher:
        assert watcher.sync(TIMEOUT)
        assert (site / "public" / "index.html").is_file()
        (site / "public" / "stray.txt").write_text("x")  # inside the output: not a source
        (site / "notes.md").write_text("x")  # at the root, not a source
        (site / "content" / "chengguan" / "readme.txt").write_text("x")  # not an item
        (site / "content" / "chengguan" / ".hidden.md").write_text("x")  # hidden
        (site / "content" / "chengguan" / "a.md~").write_text("x")  # backup file
        assert watcher.sync(TIMEOUT)
        assert len(rec.rebuilds) == 1, [summarize(r.changes) for r in rec.rebuilds]
        assert rec.rebuilds[0].initial


def test_write_new_item(watched: Watched) -> None:
    path = watched.root / "content/beiyuan/2026-06-20-xinxiang.md"
    path.write_text(
        item_text("北苑街道开展新乡贤座谈", "beiyuan", "2026-06-20", "座谈会收集建议40条。"),
        encoding="utf-8",
    )
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert "content/beiyuan/2026-06-20-xinxiang.md" in summarize(rebuild.changes)
    assert "座谈会收集建议40条" in watched.page("2026-06-20-xinxiang").read_text("utf-8")
    listed = html_containing(watched.out, "北苑街道开展新乡贤座谈")
    assert "index.html" in listed
    assert "units/beiyuan/index.html" in listed


def test_edit_in_place(watched: Watched) -> None:
    path = watched.root / "content/chengguan/2026-03-02-chungeng.md"
    path.write_text(path.read_text("utf-8").replace("1200吨", "1350吨"), encoding="utf-8")
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert "1350吨" in watched.page("2026-03-02-chungeng").read_text("utf-8")


def test_atomic_rename_save_keeps_unchanged_files(watched: Watched) -> None:
    other = watched.page("2025-11-06-yishi")
    before = other.stat()
    path = watched.root / "content/chengguan/2026-04-18-防汛演练.md"
    atomic_write(path, path.read_text("utf-8").replace("300余人", "420余人"))
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert [c.kind for c in rebuild.changes] == ["modified"]
    assert rebuild.changes[0].path == "content/chengguan/2026-04-18-防汛演练.md"
    assert "420余人" in watched.page("2026-04-18-防汛演练").read_text("utf-8")
    after = other.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_delete_removes_item_from_every_page(watched: Watched) -> None:
    title = "北苑街道建成老年助餐点"
    assert len(html_containing(watched.out, title)) >= 3  # its page, home, unit, ...
    (watched.root / "content/beiyuan/2026-05-10-laonian.md").unlink()
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert rebuild.changes == (Change("deleted", "content/beiyuan/2026-05-10-laonian.md"),)
    assert not (watched.out / "items" / "2026-05-10-laonian").exists()
    assert html_containing(watched.out, title) == []
    assert html_containing(watched.out, "2026-05-10-laonian") == []


def test_rename_moves_the_page(watched: Watched) -> None:
    src = watched.root / "content/chengguan/2026-03-02-chungeng.md"
    dst = watched.root / "content/chengguan/2026-03-02-春耕备耕.md"
    os.rename(src, dst)
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert any(c.kind == "moved" for c in rebuild.changes)
    assert not (watched.out / "items" / "2026-03-02-chungeng").exists()
    assert "城关镇抓好春耕备耕" in watched.page("2026-03-02-春耕备耕").read_text("utf-8")
    assert html_containing(watched.out, "2026-03-02-chungeng") == []


def test_unit_directory_moved_away_and_back(watched: Watched) -> None:
    unit = watched.root / "content/beiyuan"
    parked = watched.root / "parked-beiyuan"
    os.rename(unit, parked)
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert html_containing(watched.out, "北苑街道推行社区议事会制度") == []
    os.rename(parked, unit)
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert html_containing(watched.out, "北苑街道推行社区议事会制度")


def test_burst_of_200_files_gives_few_rebuilds_and_a_clean_result(
    watched: Watched, tmp_path: Path
) -> None:
    before = len(watched.rec.rebuilds)
    folder = watched.root / "content" / "chengguan"
    for i in range(200):
        day = f"2026-0{1 + i % 6}-{10 + i % 18:02d}"
        (folder / f"{day}-burst-{i:03d}.md").write_text(
            item_text(f"城关镇批量信息第{i}条", "chengguan", day, f"正文第{i}条。"),
            encoding="utf-8",
        )
    rebuild = watched.sync()
    assert rebuild.result.ok
    builds = len(watched.rec.rebuilds) - before
    assert 1 <= builds <= 3, [summarize(r.changes) for r in watched.rec.rebuilds[before:]]
    assert sum(len(r.changes) for r in watched.rec.rebuilds[before:]) >= 200
    assert tree(watched.out) == clean_build(watched.root, tmp_path / "clean")


def test_broken_front_matter_keeps_last_good_site_then_fix(watched: Watched) -> None:
    path = watched.root / "content/chengguan/2026-04-18-防汛演练.md"
    good = path.read_text("utf-8")
    page = watched.page("2026-04-18-防汛演练")
    served = tree(watched.out)
    path.write_text(good.replace("date: 2026-04-18", "date: 2026-13-45"), encoding="utf-8")
    rebuild = watched.sync()
    assert not rebuild.result.ok
    assert any(d.path == "content/chengguan/2026-04-18-防汛演练.md" for d in rebuild.result.errors)
    assert tree(watched.out) == served  # the last good site, untouched
    path.write_text(good.replace("300余人", "360余人"), encoding="utf-8")
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert "360余人" in page.read_text("utf-8")


def test_layout_and_config_changes_rebuild(watched: Watched) -> None:
    layouts = watched.root / "layouts"
    layouts.mkdir(exist_ok=True)
    base = (PACKAGED_LAYOUTS / "base.html").read_text("utf-8")
    (layouts / "base.html").write_text(
        base.replace("</footer>", "<p>LAYOUT-MARK</p></footer>"), encoding="utf-8"
    )
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert "LAYOUT-MARK" in (watched.out / "index.html").read_text("utf-8")
    toml = watched.root / "site.toml"
    atomic_write(toml, toml.read_text("utf-8").replace("监听测试信息平台", "改名后的信息平台"))
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert Change("modified", "site.toml") in rebuild.changes
    assert "改名后的信息平台" in (watched.out / "index.html").read_text("utf-8")


@pytest.mark.parametrize("lagging", ["site.toml", "layouts/base.html"])
def test_sync_waits_for_a_watch_that_lags(site: Path, tmp_path: Path, lagging: str) -> None:
    """Each watched directory's events come through a thread of their own, in any order
    relative to the others': a change that arrives late is still built before sync()
    returns. The lag is made certain by delaying the events of the watch holding it."""
    (site / "layouts").mkdir(exist_ok=True)
    base = (PACKAGED_LAYOUTS / "base.html").read_text("utf-8")
    (site / "layouts" / "base.html").write_text(base, encoding="utf-8")
    for watched in _start(site, tmp_path / "out"):
        folder = site / PurePosixPath(lagging).parent
        emitter = next(
            e for e in watched.watcher._observer.emitters if Path(e.watch.path) == folder
        )
        queue_event = emitter.queue_event

        def late(event: object, queue_event: Callable[[object], None] = queue_event) -> None:
            time.sleep(0.3)
            queue_event(event)

        emitter.queue_event = late  # type: ignore[method-assign]
        path = site / lagging
        if lagging == "site.toml":
            atomic_write(path, path.read_text("utf-8").replace("监听测试信息平台", "LAG-MARK"))
        else:
            atomic_write(path, base.replace("</footer>", "<p>LAG-MARK</p></footer>"))
        rebuild = watched.sync()
        assert rebuild.result.ok
        assert Change("modified", lagging) in rebuild.changes
        assert "LAG-MARK" in (watched.out / "index.html").read_text("utf-8")


def test_content_directory_replaced_like_a_checkout(watched: Watched) -> None:
    """content/ vanishes and comes back as a new directory; later edits are still seen."""
    content = watched.root / "content"
    staged = watched.root / "content.next"
    shutil.copytree(content, staged)
    path = staged / "beiyuan" / "2025-11-06-yishi.md"
    path.write_text(path.read_text("utf-8").replace("56件", "61件"), encoding="utf-8")
    shutil.rmtree(content)
    os.rename(staged, content)
    rebuild = watched.sync()
    assert rebuild.result.ok, [d.format("en") for d in rebuild.result.diagnostics]
    assert "61件" in watched.page("2025-11-06-yishi").read_text("utf-8")
    # the new directory is watched: an edit inside it rebuilds
    path = content / "beiyuan" / "2025-11-06-yishi.md"
    path.write_text(path.read_text("utf-8").replace("61件", "75件"), encoding="utf-8")
    rebuild = watched.sync()
    assert "75件" in watched.page("2025-11-06-yishi").read_text("utf-8")


def test_content_missing_for_a_while_keeps_the_site(watched: Watched) -> None:
    served = tree(watched.out)
    parked = watched.root / "parked"
    os.rename(watched.root / "content", parked)
    watched.watcher.request()  # the barrier needs content/; ask for the build directly
    assert watched.watcher.wait_for_builds(len(watched.rec.rebuilds) + 1, TIMEOUT)
    assert watched.watcher.wait_idle(TIMEOUT)
    assert not watched.rec.last.result.ok
    assert tree(watched.out) == served
    os.rename(parked, watched.root / "content")
    rebuild = watched.sync()
    assert rebuild.result.ok
    assert tree(watched.out) == served


def test_change_during_a_build_gives_exactly_one_more_build(site: Path, tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow_build(root: Path, options: BuildOptions) -> BuildResult:
        calls.append(1)
        if len(calls) == 2:  # the first rebuild waits until the test has made more changes
            entered.set()
            assert release.wait(TIMEOUT)
        return build(root, options)

    rec = Recorder()
    watcher = Watcher(
        site, BuildOptions(output=tmp_path / "out"), on_build=rec, debounce=0.05, builder=slow_build
    )
    with watcher:
        assert watcher.wait_for_builds(1, TIMEOUT)
        first = site / "content/beiyuan/2025-11-06-yishi.md"
        first.write_text(first.read_text("utf-8").replace("56件", "57件"), encoding="utf-8")
        assert entered.wait(TIMEOUT)
        for n in (58, 59, 60):
            text = first.read_text("utf-8")
            first.write_text(text.replace(str(n - 1) + "件", f"{n}件"), encoding="utf-8")
        other = site / "content/beiyuan/2026-05-10-laonian.md"
        other.write_text(other.read_text("utf-8").replace("8个", "9个"), encoding="utf-8")
        # everything is written; once the watcher has seen it all, let the build go on
        wanted = {"content/beiyuan/2025-11-06-yishi.md", "content/beiyuan/2026-05-10-laonian.md"}
        assert wait_until(lambda: wanted <= set(watcher._pending))
        release.set()
        assert watcher.sync(TIMEOUT)
        assert len(calls) == 3, [summarize(r.changes) for r in rec.rebuilds]
        last = rec.rebuilds[-1]
        assert {c.path for c in last.changes} == {
            "content/beiyuan/2025-11-06-yishi.md",
            "content/beiyuan/2026-05-10-laonian.md",
        }
        page = tmp_path / "out" / "items" / "2025-11-06-yishi" / "index.html"
        assert "60件" in page.read_text("utf-8")


def test_build_exception_does_not_stop_watching(site: Path, tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky(root: Path, options: BuildOptions) -> BuildResult:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return build(root, options)

    rec = Recorder()
    with Watcher(
        site, BuildOptions(output=tmp_path / "out"), on_build=rec, debounce=0.05, builder=flaky
    ) as watcher:
        assert watcher.wait_for_builds(1, TIMEOUT)
        path = site / "content/beiyuan/2025-11-06-yishi.md"
        path.write_text(path.read_text("utf-8") + "\n补充。\n", encoding="utf-8")
        assert watcher.sync(TIMEOUT)
        assert not rec.last.result.ok and rec.last.crash and "boom" in rec.last.crash
        path.write_text(path.read_text("utf-8") + "\n再补充。\n", encoding="utf-8")
        assert watcher.sync(TIMEOUT)
        assert rec.last.result.ok


# --- bulletin watch, the command -----------------------------------------------------------


class Proc:
    """``python -m bulletin ...`` in its own process group, its output read by threads."""

    def __init__(self, *args: str):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bulletin", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.popen.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.popen.stderr, self.err), daemon=True),
        ]
        for t in self._readers:
            t.start()

    @staticmethod
    def _read(stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def signal(self, sig: int) -> None:
        os.killpg(self.popen.pid, sig)  # the whole group, as Ctrl-C in a terminal does

    def wait(self, timeout: float = TIMEOUT) -> int:
        code = self.popen.wait(timeout)
        for t in self._readers:
            t.join(timeout)
        return code

    def kill(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def processes_mentioning(marker: str) -> list[int]:
    """Processes whose command line holds marker (forked build workers keep the parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_watch_command_rebuilds_then_exits_cleanly(
    site: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "live"
    proc = Proc("watch", str(site), "--output", str(out))
    try:
        page = out / "items" / "2025-11-06-yishi" / "index.html"
        assert wait_until(page.is_file), proc.stderr
        path = site / "content/beiyuan/2025-11-06-yishi.md"
        atomic_write(path, path.read_text("utf-8").replace("56件", "88件"))
        assert wait_until(lambda: "88件" in page.read_text("utf-8")), proc.stderr
        path.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
        assert wait_until(lambda: "构建失败" in proc.stderr), proc.stderr  # the site's language
        assert "88件" in page.read_text("utf-8")  # the last good site stays live
        proc.signal(sig)
        code = proc.wait()
    finally:
        proc.kill()
    err = proc.stderr
    assert code == 0, err
    assert "Traceback" not in err
    assert "首次构建" in err
    assert "content/beiyuan/2025-11-06-yishi.md 修改" in err
    assert "bulletin: 正在监视 " in err and "bulletin: 正在停止" in err
    assert "content/beiyuan/2025-11-06-yishi.md:" in err  # the diagnostic names the file
    assert processes_mentioning(str(site)) == []
