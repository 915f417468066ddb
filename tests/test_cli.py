"""End-to-end: `python -m bulletin ...` in a subprocess on copies of tests/sites/basic."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import copy_basic_site
from conftest import tree as shared_tree

TESTS = Path(__file__).parent
REPO = TESTS.parent
BASIC = TESTS / "sites" / "basic"
SECRET_TITLE = "青石区重点目标安保部署方案"
DRAFT_TITLE = "北苑街道提前谋划冬季供暖（草稿）"
DRAFT_PAGE = "items/2026-06-01-gongnuan-draft/index.html"
OLD = 1_000_000_000  # 2001-09-09: an mtime no build can produce


def bulletin(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``bulletin ARGS`` with English messages (``--lang en``): these tests are about what
    the commands do; the Chinese messages are tested in test_editor.py and the
    invalid-site cases."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *map(str, args), "--lang", "en"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


def copy_site(dest: Path) -> Path:
    return copy_basic_site(dest)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "site")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One plain build of the fixture, shared by the tests that only read it: (public, stdout)."""
    site = copy_site(tmp_path_factory.mktemp("built") / "site")
    proc = ok(bulletin("build", site))
    assert proc.stderr == ""
    return site / "public", proc.stdout


def set_config(site: Path, old: str, new: str) -> None:
    toml = site / "site.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


CACHE_DIR = ".bulletin-cache"  # bulletin's scratch space; not the site, not its output


def tree(root: Path) -> dict[str, bytes]:
    return shared_tree(root, exclude=CACHE_DIR)


def html_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.html"))
    }


# a body's own closing tag is on a line of its own, indented as the page's template has it
# (an item page, an issue page showing its items); the body's HTML is never indented (its
# tables sit in divs of their own)
BODY_RE = re.compile(r'<div class="body">.*?\n +</div>', re.S)
FEED_BODY_TEXT_RE = re.compile(r"<content\b[^>]*>.*?</content>", re.S)  # an item body in a feed


def without_bodies(text: str) -> str:
    """Item bodies are the editors' own text; they may link anywhere."""
    return BODY_RE.sub("", text)


# --- exit codes -----------------------------------------------------------------------


def test_build_succeeds_with_exit_0_and_writes_the_site(built: tuple[Path, str]) -> None:
    public, _ = built
    assert (public / "index.html").is_file()
    assert (public / "items" / "2026-03-02-chungeng" / "index.html").is_file()
    assert (public / "items" / "2026-04-18-防汛演练调研" / "index.html").is_file()
    assert (public / "units" / "chengguan" / "index.html").is_file()
    assert (public / "categories" / "research" / "index.html").is_file()
    assert (public / "adopted" / "province" / "index.html").is_file()
    assert (public / "assets" / "style.css").is_file()


def test_build_defaults_to_the_current_directory(site: Path) -> None:
    ok(bulletin("build", cwd=site))
    assert (site / "public" / "index.html").is_file()


def test_content_error_exits_1_with_diagnostic_and_keeps_the_old_site(site: Path) -> None:
    ok(bulletin("build", site))
    before = tree(site / "public")
    item = site / "content" / "chengguan" / "2026-03-02-chungeng.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace("unit: chengguan", "unit: chenguan"),
        encoding="utf-8",
    )
    proc = bulletin("build", site)
    assert proc.returncode == 1
    assert (
        'content/chengguan/2026-03-02-chungeng.md:3: unit: unknown unit "chenguan" '
        '(did you mean "chengguan"?)'
    ) in proc.stderr.splitlines()
    assert "nothing was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree(site / "public") == before


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["build", "--no-such-option"],
        ["new", "briefing"],  # --unit and --title are required
        ["build", "--today", "yesterday"],
        ["export"],  # which document?
        ["export", "issue", "qs", "2026"],  # NUMBER and --format missing
        ["new-issue"],
    ],
)
def test_usage_errors_exit_2(args: list[str], site: Path) -> None:
    proc = bulletin(*args, cwd=site)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "usage:" in proc.stderr
    assert not (site / "public").exists()


# --- arguments in every order --help shows ----------------------------------------------

# Each command: its positional arguments (in their order) and its options (as --help lists
# them), each option with the words it takes; then what the namespace must hold.
COMMANDS = {
    "build": (
        ["SITE"],
        [["--output", "OUT"], ["--drafts"], ["--today", "2026-06-30"], ["--strict"],
         ["--no-search"], ["--no-cache"], ["--jobs", "2"]],
        {"site": Path("SITE"), "output": Path("OUT"), "drafts": True, "strict": True,
         "today": dt.date(2026, 6, 30), "no_search": True, "no_cache": True, "jobs": 2},
    ),
    "check": (
        ["SITE"],
        [["--drafts"], ["--strict"]],
        {"site": Path("SITE"), "drafts": True, "strict": True},
    ),
    "new": (
        ["briefing", "SITE"],
        [["--unit", "beiyuan"], ["--title", "标题"], ["--date", "2026-06-20"],
         ["--slug", "s"]],
        {"category": "briefing", "site": Path("SITE"), "unit": "beiyuan", "title": "标题",
         "date": dt.date(2026, 6, 20), "slug": "s"},
    ),
    "stats": (
        ["SITE"],
        [["--year", "2026"], ["--format", "csv"], ["--today", "2026-06-30"]],
        {"site": Path("SITE"), "year": 2026, "format": "csv", "today": dt.date(2026, 6, 30)},
    ),
    "serve": (
        ["SITE"],
        [["--host", "0.0.0.0"], ["--port", "0"], ["--drafts"], ["--today", "2026-06-30"],
         ["--no-search"]],
        {"site": Path("SITE"), "host": "0.0.0.0", "port": 0, "drafts": True,
         "today": dt.date(2026, 6, 30), "no_search": True},
    ),
    "watch": (["SITE"], [["--output", "OUT"]], {"site": Path("SITE"), "output": Path("OUT")}),
    "new-issue": (
        ["lanchuan", "SITE"],
        [["--number", "3"], ["--date", "2026-06-20"]],
        {"bulletin": "lanchuan", "site": Path("SITE"), "number": 3,
         "date": dt.date(2026, 6, 20)},
    ),
    "export issue": (
        ["lanchuan", "2026", "15", "SITE"],
        [["--format", "pdf"], ["-o", "OUT"], ["--today", "2026-06-30"]],
        {"document": "issue", "bulletin": "lanchuan", "year": 2026, "number": 15,
         "site": Path("SITE"), "format": "pdf", "output": Path("OUT"),
         "today": dt.date(2026, 6, 30)},
    ),
    "export circular": (
        ["2026", "2", "SITE"],
        [["--format", "docx"], ["-o", "OUT"], ["--today", "2026-06-30"]],
        {"document": "circular", "year": 2026, "quarter": 2, "site": Path("SITE"),
         "format": "docx", "output": Path("OUT"), "today": dt.date(2026, 6, 30)},
    ),
    "export anthology": (
        ["2026", "SITE"],
        [["--format", "pdf"], ["-o", "OUT"], ["--today", "2026-06-30"]],
        {"document": "anthology", "year": 2026, "site": Path("SITE"), "format": "pdf",
         "output": Path("OUT"), "today": dt.date(2026, 6, 30)},
    ),
}  # fmt: skip


def orders(positionals: list[str], options: list[list[str]]) -> list[list[str]]:
    """The options in the order --help lists them and reversed, with the positionals (in
    their own order) put at every possible place among them."""
    found = []
    for opts in (options, options[::-1]):
        for places in itertools.combinations(range(len(opts) + len(positionals)), len(positionals)):
            words, rest, given = [], iter(opts), iter(positionals)
            for i in range(len(opts) + len(positionals)):
                words += [next(given)] if i in places else next(rest)
            found.append(words)
    return found


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_takes_its_arguments_in_any_order(command: str) -> None:
    """`bulletin new CATEGORY --unit ID --title TEXT SITE_DIR` (the README's order) was
    refused: "unrecognized arguments: SITE_DIR"; so was `bulletin export issue … --format
    pdf SITE_DIR`."""
    from bulletin.cli import parse_command_line

    positionals, options, expected = COMMANDS[command]
    for words in orders(positionals, options):
        args = vars(parse_command_line([*command.split(), *words]))
        assert args.pop("command") == command.split()[0]
        assert args.pop("lang") is None and args.pop("language") in ("zh-CN", "en")
        assert args == expected, words


def test_new_in_the_readme_order_writes_the_item(site: Path) -> None:
    proc = ok(
        bulletin(
            "new", "briefing", "--unit", "beiyuan", "--title", "北苑街道开展消防安全检查",
            "--date", "2026-06-20", "--slug", "2026-06-20-xiaofang", site,
        )
    )  # fmt: skip
    assert proc.stdout == "content/beiyuan/2026-06-20-xiaofang.md\n"
    ok(bulletin("check", "--strict", site))


def test_commands_with_the_site_between_or_after_options(site: Path) -> None:
    ok(bulletin("build", "--drafts", site, "--no-search"))
    assert (site / "public" / DRAFT_PAGE).is_file()
    rows = ok(bulletin("stats", "--format", "csv", site, "--year", "2026")).stdout.splitlines()
    assert rows[0].startswith("\ufeff排名,") and rows[1].startswith("1,yingji,")


LONG = "城关镇" * 30  # 270 bytes: longer than a file name may be (255)


@pytest.mark.parametrize(
    "words",
    [
        ["new", "briefing", "--unit", "chengguan", "--title", LONG],  # every word probed
        ["build", "{site}/" + LONG],
        ["check", "{site}/" + LONG],
        ["build", "--output", "{tmp}/" + LONG],
        ["import", "{tmp}/" + LONG + ".docx", "--unit", "chengguan"],
        ["review", "{site}/" + LONG],
    ],
)
def test_a_path_the_system_refuses_is_named_without_a_traceback(
    site: Path, tmp_path: Path, words: list[str]
) -> None:
    """A word longer than a file name may be (a long Chinese title, a path): one line
    naming it, exit 1 or 2, no traceback, the last good site untouched."""
    ok(bulletin("build", site))
    before = tree(site / "public")
    args = [w.format(site=site, tmp=tmp_path) for w in words]
    proc = bulletin(*args, cwd=site)
    assert "Traceback" not in proc.stderr, proc.stderr
    if words[0] == "new":  # the title is a title, not a path: the draft is written
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode in (1, 2)
        assert proc.stderr.strip().endswith(
            "the path or file name is too long (a file name holds at most 255 bytes)"
        ), proc.stderr
    assert tree(site / "public") == before


def test_missing_site_directory_is_a_usage_error(tmp_path: Path) -> None:
    proc = bulletin("build", tmp_path / "nowhere")
    assert proc.returncode == 2
    assert "nowhere" in proc.stderr and "Traceback" not in proc.stderr


def test_directory_without_site_toml_says_so(tmp_path: Path) -> None:
    proc = bulletin("check", tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("site.toml: not found in")


# --- check ----------------------------------------------------------------------------


def test_check_writes_nothing(site: Path) -> None:
    before = tree(site)
    proc = ok(bulletin("check", site))
    assert "no errors" in proc.stdout
    assert tree(site) == before
    assert sorted(p.name for p in site.iterdir() if p.name != CACHE_DIR) == ["content", "site.toml"]


def test_check_fails_on_the_same_errors_as_build(site: Path) -> None:
    (site / "content" / "beiyuan" / "bad.md").write_text(
        "---\ntitle: 缺少日期\nunit: beiyuan\ncategory: briefing\n---\n正文\n", encoding="utf-8"
    )
    before = tree(site)
    check = bulletin("check", site)
    build = bulletin("build", site)
    assert check.returncode == build.returncode == 1
    line = "content/beiyuan/bad.md:1: date: is required but missing"
    assert line in check.stderr.splitlines()
    assert line in build.stderr.splitlines()
    assert tree(site) == before


# --- new ------------------------------------------------------------------------------


def test_new_writes_a_valid_item_and_prints_its_path(site: Path) -> None:
    proc = ok(
        bulletin(
            "new",
            "briefing",
            site,
            "--unit",
            "beiyuan",
            "--title",
            "北苑街道开展消防安全检查",
            "--date",
            "2026-06-20",
        )
    )
    rel = proc.stdout.strip()
    assert rel.startswith("content/beiyuan/") and rel.endswith(".md")
    text = (site / rel).read_text(encoding="utf-8")
    assert 'title: "北苑街道开展消防安全检查"' in text
    assert "unit: beiyuan" in text and "category: briefing" in text
    assert "date: 2026-06-20" in text
    assert "status: draft" in text  # a draft until the editor has written and signed it
    ok(bulletin("check", site))
    ok(bulletin("build", site))
    page = site / "public" / "items" / Path(rel).stem / "index.html"
    assert not page.exists()
    text = text.replace("status: draft\n", "").replace(
        "## 一、基本情况\n", "## 一、基本情况\n\n已检查。\n"
    )
    (site / rel).write_text(text, encoding="utf-8")
    ok(bulletin("build", site))
    assert "<h1>北苑街道开展消防安全检查</h1>" in page.read_text(encoding="utf-8")


def test_new_item_of_every_category_passes_check(site: Path) -> None:
    """Category-specific keys (times, assignees, honorees) are filled in validly."""
    made = []
    for category in ("notice", "commendation", "research", "supervision", "emergency"):
        proc = ok(
            bulletin("new", category, site, "--unit", "chengguan", "--title", f"测试{category}")
        )
        made.append(site / proc.stdout.strip())
    assert all(path.is_file() for path in made)
    out = ok(bulletin("check", site, "--drafts")).stdout
    assert re.search(r"^Items\s*\|\s*14\s*$", out, re.M)  # the fixture's 8 and its draft


def test_new_keeps_quotes_and_backslashes_in_the_title(site: Path) -> None:
    title = '关于"河长制"落实情况 C:\\temp 的报告'
    proc = ok(bulletin("new", "research", site, "--unit", "beiyuan", "--title", title))
    ok(bulletin("build", site, "--drafts"))
    page = site / "public" / "items" / Path(proc.stdout.strip()).stem / "index.html"
    assert "<h1>关于&#34;河长制&#34;落实情况 C:\\temp 的报告</h1>" in page.read_text("utf-8")


def test_new_refuses_to_overwrite(site: Path) -> None:
    args = ["new", "notice", site, "--unit", "quweiban", "--title", "关于报送材料的通知"]
    first = ok(bulletin(*args, "--date", "2026-06-21"))
    path = site / first.stdout.strip()
    path.write_text(path.read_text(encoding="utf-8") + "编辑已写的正文。\n", encoding="utf-8")
    edited = path.read_bytes()
    again = bulletin(*args, "--date", "2026-06-21")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert path.read_bytes() == edited


def test_new_refuses_a_slug_used_in_another_unit(site: Path) -> None:
    proc = bulletin(
        "new",
        "briefing",
        site,
        "--unit",
        "beiyuan",
        "--title",
        "x",
        "--slug",
        "2026-03-02-chungeng",
    )
    assert proc.returncode == 1
    assert "content/chengguan/2026-03-02-chungeng.md" in proc.stderr
    assert not (site / "content" / "beiyuan" / "2026-03-02-chungeng.md").exists()


UNSAFE = "has characters that are unsafe in URLs or on Windows"
RESERVED = "is reserved or invalid on Windows"
HIDDEN = "starts with a dot, so the build would skip it as a hidden file"


@pytest.mark.parametrize(
    ("slug", "why"),
    [
        ("con", RESERVED),
        ("nul", RESERVED),
        ("AUX", RESERVED),
        ("com1", RESERVED),
        ("lpt9.2026", RESERVED),
        ("foo.", RESERVED),
        ("foo ", UNSAFE),
        (" foo", UNSAFE),
        ("../../escape", UNSAFE),
        ("a/b", UNSAFE),
        ("a\\b", UNSAFE),
        ("bad|name", UNSAFE),
        ("50%", UNSAFE),
        ("tab\there", UNSAFE),
        ("bell\x07", UNSAFE),
        ("del\x7f", UNSAFE),
        (".hidden", HIDDEN),
        ("", "is empty"),
        pytest.param("长" * 84, None, id="longest"),  # 252 bytes and .md: the longest that fits
        pytest.param(
            "长" * 85, "is too long: 258 bytes with .md, over the limit of 255", id="long"
        ),
    ],
)
def test_new_refuses_a_slug_check_would_refuse(site: Path, slug: str, why: str | None) -> None:
    """One file-name rule for `new` and `check`: `new --slug con` wrote a file that `check`
    then refused. Refused before anything is written, exit 2; a slug it takes, check takes."""
    before = tree(site.parent)
    proc = bulletin("new", "briefing", site, "--unit", "beiyuan", "--title", "x", "--slug", slug)
    if why is None:  # the longest name that fits: written, and check accepts it
        assert ok(proc).stdout == f"content/beiyuan/{slug}.md\n"
        ok(bulletin("check", site))
        return
    assert proc.returncode == 2, proc.stdout + proc.stderr
    shown = slug if slug.isprintable() else repr(slug)[1:-1]
    assert proc.stderr == f'(command line): slug: "{shown}" {why}; choose another\n'
    assert proc.stdout == ""
    assert tree(site.parent) == before


@pytest.mark.parametrize("slug", ["con-2026", "COM10", "auxiliary", "a.b", "中文·名", "x-"])
def test_new_and_check_agree_on_borderline_names(site: Path, slug: str) -> None:
    proc = ok(bulletin("new", "notice", site, "--unit", "beiyuan", "--title", "x", "--slug", slug))
    assert proc.stdout == f"content/beiyuan/{slug}.md\n"
    ok(bulletin("check", site))


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
def test_a_file_name_that_is_not_utf8(site: Path) -> None:
    """`new` with such a slug refuses it; `check` on such a file said so with a traceback."""
    proc = bulletin("new", "briefing", site, "--unit", "beiyuan", "--title", "x", "--slug",
                    os.fsdecode(b"bad\xff"))  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == '(command line): slug: "bad\\udcff" is not valid UTF-8; choose another\n'
    good = site / "content" / "beiyuan" / "2025-11-06-yishi.md"
    with open(os.fsencode(good.parent) + b"/bad\xff.md", "wb") as fh:
        fh.write(good.read_bytes())
    os.mkdir(os.fsencode(site / "content") + b"/\xfe")
    with open(os.fsencode(site / "content") + b"/\xfe/x.md", "wb") as fh:
        fh.write(good.read_bytes())
    before = tree(site)
    for command in ("check", "build"):
        proc = bulletin(command, site)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.splitlines()[:2] == [
            "content/beiyuan/bad\\udcff.md: file name is not valid UTF-8; rename the file",
            "content/\\udcfe/x.md: file name is not valid UTF-8; rename the file",
        ]
    assert tree(site) == before


def test_new_rejects_unknown_unit_and_category(site: Path) -> None:
    proc = bulletin("new", "brief", site, "--unit", "城关", "--title", "x")
    assert proc.returncode == 2
    assert 'category: unknown category "brief" (did you mean "briefing"?)' in proc.stderr
    assert 'unit: unknown unit "城关" (did you mean "城关镇"?)' in proc.stderr
    assert not list((site / "content").rglob("*-x.md"))


# --- what a build shows ---------------------------------------------------------------


def test_summary_table_counts_items_withheld_and_drafts(built: tuple[Path, str]) -> None:
    _, out = built
    rows = dict(re.findall(r"^(\S.*?)\s*\|\s*(\d+)\s*$", out, re.M))
    assert rows["Items"] == "8"
    assert rows["Withheld (classified)"] == "1"
    assert rows["Drafts skipped"] == "1"
    assert rows["Warnings"] == "0"
    assert int(rows["Pages"]) >= 20
    assert re.search(r"^Built in \d+\.\d\d s", out, re.M)


def test_withheld_item_appears_nowhere_in_the_output(built: tuple[Path, str]) -> None:
    public, _ = built
    for rel, data in tree(public).items():
        assert SECRET_TITLE.encode() not in data, rel
        assert b"2026-06-05-baomi" not in data, rel
        assert "baomi" not in rel


def test_drafts_are_left_out_by_default(built: tuple[Path, str]) -> None:
    public, _ = built
    assert not (public / DRAFT_PAGE).exists()
    assert all(DRAFT_TITLE.encode() not in data for data in tree(public).values())


def test_drafts_are_shown_marked_with_drafts(site: Path) -> None:
    public = site / "public"
    out = ok(bulletin("build", site, "--drafts")).stdout
    assert re.search(r"^Items\s*\|\s*9\s*$", out, re.M)
    page = (public / DRAFT_PAGE).read_text(encoding="utf-8")
    assert "草稿" in page and "draft-notice" in page
    listing = (public / "units" / "beiyuan" / "index.html").read_text(encoding="utf-8")
    entry = listing[listing.index(DRAFT_TITLE) :]
    assert '<span class="badge draft">草稿</span>' in entry[:200]


def test_pages_declare_chinese_by_default(built: tuple[Path, str]) -> None:
    pages = html_files(built[0])
    assert len(pages) > 20
    for rel, text in pages.items():
        assert text.startswith('<!DOCTYPE html>\n<html lang="zh-CN">'), rel
    assert ">首页<" in pages["index.html"]


def test_pages_declare_english_when_configured(site: Path) -> None:
    set_config(site, 'language = "zh-CN"', 'language = "en"')
    ok(bulletin("build", site))
    pages = html_files(site / "public")
    for rel, text in pages.items():
        assert '<html lang="en">' in text, rel
    assert ">Home<" in pages["index.html"] and "首页" not in pages["index.html"]


def test_site_layout_overrides_the_packaged_one(site: Path) -> None:
    (site / "layouts").mkdir()
    (site / "layouts" / "index.html").write_text(
        '{% extends "base.html" %}\n{% block content %}<p class="notice">本周值班：区委办公室</p>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    ok(bulletin("build", site))
    pages = html_files(site / "public")
    assert '<p class="notice">本周值班：区委办公室</p>' in pages["index.html"]
    assert "最新信息" not in pages["index.html"]  # the packaged home page is replaced
    assert "本周值班" not in pages["units/index.html"]  # other pages keep the packaged layouts
    assert '<html lang="zh-CN">' in pages["index.html"]  # base.html still comes from bulletin


def test_base_url_sub_path_prefixes_every_link(site: Path) -> None:
    set_config(site, 'base_url = "/"', 'base_url = "/bulletin/"')
    ok(bulletin("build", site))
    checked = 0
    public = site / "public"
    for path in sorted([*public.rglob("*.html"), *public.rglob("*.xml")]):
        rel, text = path.relative_to(public).as_posix(), path.read_text(encoding="utf-8")
        text = FEED_BODY_TEXT_RE.sub("", without_bodies(text))
        for attr, value in re.findall(r'\b(href|src|action)="([^"]*)"', text):
            checked += 1
            if value == "data:,":  # the empty inline favicon: no request at all
                continue
            assert value.startswith(("/bulletin/", "#")), f"{rel}: {attr}={value!r}"
    assert checked > 100
    body_link = '<a href="/bulletin/items/2026-02-10-dubang/">区委督办事项</a>'
    page = site / "public" / "items" / "2026-03-02-chungeng" / "index.html"
    assert body_link in page.read_text(encoding="utf-8")


EXTERNAL = re.compile(
    rb"""https?://|(?:href|src|action|srcset|content)\s*=\s*["']?//|url\(\s*["']?//|@import"""
)
NAMESPACES = re.compile(rb'xmlns(?::\w+)?="http://www\.w3\.org/[^"]*"')
FEED_BODY_RE = re.compile(rb"<content\b[^>]*>.*?</content>", re.S)  # an item body in a feed


def test_no_external_urls_outside_item_bodies(built: tuple[Path, str]) -> None:
    public, _ = built
    found = []
    for rel, data in tree(public).items():
        if rel.endswith(".html"):
            data = without_bodies(data.decode("utf-8")).encode("utf-8")
        if rel.endswith(".xml"):
            data = FEED_BODY_RE.sub(b"", data)
        data = NAMESPACES.sub(b"", data)
        found += [f"{rel}: {m.group(0)!r}" for m in EXTERNAL.finditer(data)]
    assert not found, "external references:\n" + "\n".join(found)
    # The fixture's body does link out: the exemption is for bodies only.
    body = (public / "items" / "2026-03-02-chungeng" / "index.html").read_text("utf-8")
    assert 'href="https://weather.example.org/forecast"' in body


def test_every_internal_link_resolves_to_a_built_file(built: tuple[Path, str]) -> None:
    public, _ = built
    broken = set()
    for path in [*public.rglob("*.html"), *public.rglob("*.xml"), *public.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="(/[^"]*)"|url\(["\']?(/[^)"\']*)', text):
            url = "".join(url)
            target = public / unquote(urlsplit(url).path).lstrip("/")
            if url.split("#")[0].split("?")[0].endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.add(f"{path.relative_to(public).as_posix()} -> {url}")
    assert not broken, "links to files that were not built:\n" + "\n".join(sorted(broken))


# --- output safety and stability ------------------------------------------------------


def test_two_builds_are_byte_identical(built: tuple[Path, str], tmp_path: Path) -> None:
    """A second copy of the site, elsewhere, built into another directory: same bytes."""
    other = copy_site(tmp_path / "elsewhere" / "copy")
    ok(bulletin("build", other, "--output", tmp_path / "two"))
    one, two = tree(built[0]), tree(tmp_path / "two")
    assert len(one) > 20
    assert one.keys() == two.keys()
    assert [rel for rel in one if one[rel] != two[rel]] == []


def test_unchanged_files_keep_their_mtime_across_rebuilds(site: Path) -> None:
    ok(bulletin("build", site))
    public = site / "public"
    files = [p for p in public.rglob("*") if p.is_file()]
    for p in files:
        os.utime(p, (OLD, OLD))

    ok(bulletin("build", site))
    touched = [p.relative_to(public).as_posix() for p in files if p.stat().st_mtime != OLD]
    assert touched == []

    item = site / "content" / "chengguan" / "2026-03-02-chungeng.md"
    item.write_text(item.read_text(encoding="utf-8") + "\n三是加强技术指导。\n", encoding="utf-8")
    ok(bulletin("build", site))
    changed = public / "items" / "2026-03-02-chungeng" / "index.html"
    assert "三是加强技术指导。" in changed.read_text(encoding="utf-8")
    assert changed.stat().st_mtime != OLD
    for rel in ("items/2025-11-06-yishi/index.html", "assets/style.css", "units/index.html"):
        assert (public / rel).stat().st_mtime == OLD, f"{rel} was rewritten"


def test_output_option_writes_elsewhere_and_refuses_a_foreign_directory(
    site: Path, tmp_path: Path
) -> None:
    ok(bulletin("build", site, "--output", tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere" / "index.html").is_file()
    assert not (site / "public").exists()

    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "报告.docx").write_bytes(b"not ours")
    proc = bulletin("build", site, "--output", foreign)
    assert proc.returncode == 1
    assert "did not create" in proc.stderr
    assert tree(foreign) == {"报告.docx": b"not ours"}


def test_rebuild_restores_deleted_or_edited_output_files(site: Path) -> None:
    ok(bulletin("build", site))
    public = site / "public"
    good = tree(public)
    (public / "units" / "index.html").unlink()
    (public / "index.html").write_text("被误改的首页", encoding="utf-8")
    ok(bulletin("build", site))
    assert tree(public) == good


def test_removed_item_disappears_from_the_next_build(site: Path) -> None:
    ok(bulletin("build", site))
    page = site / "public" / "items" / "2025-11-06-yishi" / "index.html"
    assert page.is_file()
    (site / "content" / "beiyuan" / "2025-11-06-yishi.md").unlink()
    ok(bulletin("build", site))
    assert not page.exists()
    assert "北苑街道推行社区议事会制度" not in (site / "public" / "index.html").read_text("utf-8")
