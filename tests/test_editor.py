"""The editor's side (issue 15): sign-off and review, bulletin new, warnings for typing
slips, messages in the site's language, Word and text import, git hooks.

Typing slips that are errors have their invalid-site cases (tests/sites_invalid/slip-*);
this file holds the warnings (a build still succeeds) and the commands, run as a user
runs them: ``python -m bulletin`` in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).parent
REPO = TESTS.parent
SAMPLE_PENDING = "content/dongba/2026-11-24-dongchu-anquan.md"
PENDING_SLUG = "2026-11-24-dongchu-anquan"
PENDING_TITLE = "东坝乡部署冬季森林防火和冬储安全工作"
PENDING_PHRASE = "发现隐患3处"


def run(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None):
    environ = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "CI": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**environ, **(env or {})},
        timeout=300,
    )


SITE_TOML = """title = "测试站点"
language = "{language}"
today = 2026-06-30

[units.chengguan]
name = "城关镇"
kind = "town"
key = true

[units.beiyuan]
name = "北苑街道"
kind = "street"
key = false

[rules]
require_signoff = {signoff}
"""


def make_site(tmp_path: Path, *, language: str = "zh-CN", signoff: bool = False) -> Path:
    site = tmp_path / "site"
    (site / "content" / "chengguan").mkdir(parents=True)
    (site / "site.toml").write_text(
        SITE_TOML.format(language=language, signoff=str(signoff).lower()), encoding="utf-8"
    )
    return site


def item(site: Path, name: str, front: str, body: str = "正文。\n") -> Path:
    path = site / "content" / "chengguan" / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


BASE = "title: 城关镇开展防汛演练\nunit: chengguan\ncategory: briefing\ndate: 2026-05-08\n"


def diagnostics(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("content/")]


# --- warnings for typing slips: the build goes on -------------------------------------


def test_tags_typed_as_one_are_warned_about_on_their_line(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    item(site, "a.md", BASE + "tags: [防汛，安全生产]\n")
    item(site, "b.md", BASE.replace("演练", "演练二") + "tags:\n  - 应急\n  - 防汛 安全生产\n")
    item(site, "c.md", BASE.replace("演练", "演练三") + "tags: [flood control, 防汛]\n")
    proc = run("check", site)
    assert proc.returncode == 0, proc.stderr
    assert diagnostics(proc.stderr) == [
        "content/chengguan/a.md:6: tags: 警告：标签“防汛，安全生产”里有中文逗号“，”，"
        "会被当成一个标签；请写成 [防汛, 安全生产]",
        "content/chengguan/b.md:8: tags: 警告：标签“防汛 安全生产”里有空格，会被当成一个标签；"
        "多个标签请写成 [防汛, 安全生产]",
    ]


def test_a_date_after_today_is_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path)  # today = 2026-06-30
    item(site, "a.md", BASE.replace("2026-05-08", "2026-07-08"))
    item(site, "b.md", BASE.replace("演练", "演练二").replace("2026-05-08", "2026-06-30"))
    proc = run("check", site)
    assert proc.returncode == 0, proc.stderr
    assert diagnostics(proc.stderr) == [
        "content/chengguan/a.md:5: date: 警告：日期 2026-07-08 在今天（2026-06-30）之后；是不是写错了？"
    ]
    assert run("check", site, "--strict").returncode == 1


def test_a_draft_or_pending_item_dated_after_today_is_warned_about_at_check(
    tmp_path: Path,
) -> None:
    """The editor checks a draft before sign-off (README: new → check → sign-off): the
    date slip is named then, not only once the item is published. A fresh draft's empty
    skeleton sections are not warned about."""
    site = make_site(tmp_path, signoff=True)  # today = 2026-06-30
    proc = run(
        "new",
        "briefing",
        "--unit",
        "chengguan",
        "--title",
        "城关镇防汛",
        "--date",
        "2026-07-08",
        site,
    )
    assert proc.returncode == 0, proc.stderr
    item(site, "b.md", BASE.replace("2026-05-08", "2027-05-08"))  # awaits sign-off
    proc = run("check", site)
    assert proc.returncode == 0, proc.stderr
    assert diagnostics(proc.stderr) == [
        "content/chengguan/2026-07-08-城关镇防汛.md:5: date: 警告：日期 2026-07-08 在今天"
        "（2026-06-30）之后；是不是写错了？",
        "content/chengguan/b.md:5: date: 警告：日期 2027-05-08 在今天（2026-06-30）之后；"
        "是不是写错了？",
    ]


def test_a_paragraph_pasted_with_four_spaces_is_a_paragraph_with_a_warning(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path)
    body = (
        "第一段。\n\n    从 Word 粘贴的段落，开头有四个空格，不是代码。\n\n```\n真正的代码\n```\n"
    )
    item(site, "a.md", BASE, body)
    proc = run("build", site)
    assert proc.returncode == 0, proc.stderr
    assert diagnostics(proc.stderr) == [
        "content/chengguan/a.md:9: 警告：这段以 4 个空格缩进（从 Word 粘贴常见），已按普通段落显示；"
        "请删除行首空格"
    ]
    page = (site / "public" / "items" / "a" / "index.html").read_text(encoding="utf-8")
    assert "<p>从 Word 粘贴的段落，开头有四个空格，不是代码。</p>" in page
    assert "<pre><code>真正的代码\n</code></pre>" in page  # fenced code stays code
    assert page.count("<pre>") == 1


# --- messages in the site's language -------------------------------------------------

SLIPS = (
    ("title：城关镇开展防汛演练\nunit: chengguan\ncategory: briefing\ndate: 2026-05-08\n"),
    BASE.replace("2026-05-08", "2026年5月8日"),
)


def test_an_english_site_gets_english_messages(tmp_path: Path) -> None:
    site = make_site(tmp_path, language="en")
    item(site, "a.md", SLIPS[0])
    item(site, "b.md", SLIPS[1])
    item(site, "c.md", BASE.replace("演练", "演练三") + "tags: [防汛，安全生产]\n")
    proc = run("check", site)
    assert proc.returncode == 1
    assert diagnostics(proc.stderr) == [
        'content/chengguan/a.md:2: title: the colon is a full-width "：" (Chinese input '
        'method); use ": " (colon and space)',
        "content/chengguan/b.md:5: date: write the date as 2026-05-08 (got 2026年5月8日)",
        'content/chengguan/c.md:6: tags: warning: the tag "防汛，安全生产" holds a Chinese comma'
        ' "，" and is one tag; write [防汛, 安全生产]',
    ]
    assert proc.stderr.splitlines()[-1] == "bulletin: 2 errors; see above"


def test_lang_overrides_the_site_language_both_ways(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    item(site, "b.md", SLIPS[1])
    zh = run("check", site)
    en = run("check", site, "--lang", "en")
    assert diagnostics(zh.stderr) == [
        "content/chengguan/b.md:5: date: 日期要写成 2026-05-08（现在是 2026年5月8日）"
    ]
    assert diagnostics(en.stderr) == [
        "content/chengguan/b.md:5: date: write the date as 2026-05-08 (got 2026年5月8日)"
    ]
    assert zh.stderr.splitlines()[-1] == "bulletin: 1 个错误；见上"
    english_site = make_site(tmp_path / "en", language="en")
    item(english_site, "b.md", SLIPS[1])
    assert diagnostics(run("check", english_site, "--lang", "zh-CN").stderr) == diagnostics(
        zh.stderr
    )


def test_lang_before_the_command_overrides_the_site_language(tmp_path: Path) -> None:
    """``bulletin --lang en check``, the order ``bulletin --help`` shows
    (``bulletin [--lang] COMMAND``), speaks English to the end, as ``check --lang en``."""
    site = make_site(tmp_path)
    item(site, "b.md", SLIPS[1])
    for words in (["--lang", "en", "check", site], ["--lang=en", "check", site]):
        proc = run(*words)
        assert diagnostics(proc.stderr) == [
            "content/chengguan/b.md:5: date: write the date as 2026-05-08 (got 2026年5月8日)"
        ], words
        assert proc.stderr.splitlines()[-1] == "bulletin: 1 error; see above", words
    english_site = make_site(tmp_path / "en", language="en")
    item(english_site, "b.md", SLIPS[1])
    proc = run("--lang", "zh-CN", "check", english_site)
    assert proc.stderr.splitlines()[-1] == "bulletin: 1 个错误；见上"
    proc = run("--lang", "en", "review", site)
    assert "待审核" not in proc.stdout + proc.stderr and "write the date" in proc.stderr


def test_the_build_summary_is_in_the_site_language(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    item(site, "a.md", BASE)
    zh = run("build", site)
    assert zh.returncode == 0, zh.stderr
    rows = dict(
        (part.strip() for part in line.split("|"))
        for line in zh.stdout.splitlines()
        if "|" in line and line.split("|")[0].strip()
    )
    assert rows["发布信息"] == "1" and rows["待审核"] == "0" and rows["涉密不发布"] == "0"
    assert zh.stdout.splitlines()[-1].startswith("构建完成，用时 ")
    en = run("build", site, "--lang", "en")
    assert "Items" in en.stdout and en.stdout.splitlines()[-1].startswith("Up to date in ")


def test_usage_errors_and_help_follow_the_language(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    proc = run("new", "briefing", "--title", "标题", cwd=site)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0].startswith("用法：bulletin new [-h] [--lang {zh-CN,en}]")
    assert proc.stderr.splitlines()[-1] == "bulletin new：错误：缺少必需的参数：--unit"
    proc = run("new", "briefing", "--title", "标题", "--lang", "en", cwd=site)
    assert proc.stderr.splitlines()[-1] == (
        "bulletin new: error: the following arguments are required: --unit"
    )
    proc = run("build", "--jobs", "zero", cwd=site)
    assert proc.stderr.splitlines()[-1] == "bulletin build：错误：参数 --jobs：不是正整数：'zero'"
    # outside any site: zh-CN, the default the README names
    proc = run("nosuchcommand", cwd=tmp_path)
    assert proc.returncode == 2 and "错误：" in proc.stderr


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("2026/5/3", "日期要写成 2026-05-03（现在是 2026/5/3）"),
        ("2026年5月3日", "日期要写成 2026-05-03（现在是 2026年5月3日）"),
        ("2026-02-30", "2026年2月没有30日（2026-02-30）"),
    ],
)
def test_a_date_slip_on_the_command_line_is_named_as_in_front_matter(
    tmp_path: Path, value: str, said: str
) -> None:
    """--date and --today, typed as editors type dates, get the corrected value (or why
    the date cannot be), as the same slip in front matter does; exit 2, nothing written."""
    site = make_site(tmp_path)
    for words, option in (
        (["new", "briefing", "--unit", "chengguan", "--title", "标题", "--date", value], "new"),
        (["import", tmp_path / "a.txt", "--unit", "chengguan", "--date", value], "import"),
        (["build", "--today", value], "build"),
        (["stats", "--today", value], "stats"),
    ):
        (tmp_path / "a.txt").write_text("标题\n正文。\n", encoding="utf-8")
        proc = run(*words, cwd=site)
        assert proc.returncode == 2, words
        flag = "--today" if "--today" in words else "--date"
        assert proc.stderr.splitlines()[-1] == f"bulletin {option}：错误：参数 {flag}：{said}"
    assert not (site / "public").exists()
    assert not list((site / "content").rglob("*.md"))


def test_a_broken_site_toml_is_reported_in_the_default_language(tmp_path: Path) -> None:
    site = make_site(tmp_path, language="en")
    (site / "site.toml").write_text('title = "x"\nlanguage = "en"\n[units\n', encoding="utf-8")
    proc = run("check", site)
    assert proc.returncode == 1
    assert proc.stderr.startswith("site.toml:3: TOML 格式有误：")
    assert run("check", site, "--lang", "en").stderr.startswith("site.toml:3: invalid TOML: ")


# --- bulletin new -------------------------------------------------------------------


def test_new_writes_a_draft_with_the_category_skeleton_and_says_what_next(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, signoff=True)
    proc = run(
        "new", "信息简报", "--unit", "城关镇", "--title", "城关镇防汛", "--date", "2026-05-08", site
    )
    assert proc.returncode == 0, proc.stderr
    rel = proc.stdout.strip()
    assert rel == "content/chengguan/2026-05-08-城关镇防汛.md"
    assert "bulletin check" in proc.stderr and "status: draft" in proc.stderr
    text = (site / rel).read_text(encoding="utf-8")
    assert "\ncategory: briefing\n" in text and "\nunit: chengguan\n" in text
    assert "\nstatus: draft\n" in text and "\nreviewed-by:\napproved-by:\n" in text
    for heading in ("一、基本情况", "二、主要做法", "三、取得成效", "四、下一步打算"):
        assert f"\n## {heading}\n" in text
    check = run("check", site)
    assert check.returncode == 0, check.stderr
    assert "草稿（未发布） |      1" in check.stdout

    # publishing the untouched skeleton is refused
    path = site / rel
    path.write_text(text.replace("status: draft\n", ""), encoding="utf-8")
    proc = run("check", site)
    assert proc.returncode == 1
    assert diagnostics(proc.stderr) == [
        f"{rel}:11: 正文还是 bulletin new 生成的模板，没有填写；请填写各部分内容"
    ]
    # filled in but not signed: pending, not an error
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "## 一、基本情况\n", "## 一、基本情况\n\n已部署。\n"
        ),
        encoding="utf-8",
    )
    proc = run("check", site)
    assert proc.returncode == 0, proc.stderr
    assert "待审核         |      1" in proc.stdout


def test_new_help_lists_the_site_units_and_categories(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    proc = run("new", "--help", cwd=site)
    assert proc.returncode == 0
    assert "本站的单位：" in proc.stdout and "本站的类别：" in proc.stdout
    assert "chengguan" in proc.stdout and "城关镇" in proc.stdout
    assert "briefing" in proc.stdout and "信息简报" in proc.stdout
    assert "新建一条信息草稿" in proc.stdout


# --- sign-off on the sample site ---------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """The repository's sample site (sign-off on, one item pending), built."""
    root = tmp_path_factory.mktemp("sample") / "site"
    root.mkdir()
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "layouts", root / "layouts")
    proc = run("build", root, "--today", "2026-11-27")
    assert proc.returncode == 0, proc.stderr
    return root, proc


def test_the_sample_site_has_one_pending_item_listed_by_review(sample) -> None:
    root, build = sample
    assert "待审核         |      1" in build.stdout
    proc = run("review", root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "待审核信息 1 条：",
        "",
        "东坝乡（1 条）",
        f"  {SAMPLE_PENDING}",
        f"    {PENDING_TITLE}",
        "    缺：审批人 approved-by",
    ]
    en = run("review", root, "--lang", "en")
    assert en.stdout.splitlines()[-1] == "    missing: approver (approved-by)"


def test_the_pending_item_leaves_no_trace_in_public(sample) -> None:
    """No page, no file or directory name, no count, no feed, no search entry."""
    root, _build = sample
    public = root / "public"
    assert (public / "index.html").is_file()
    for path in public.rglob("*"):
        assert PENDING_SLUG not in path.as_posix()
        if path.is_file():
            data = path.read_bytes()
            for needle in (PENDING_TITLE, PENDING_SLUG, PENDING_PHRASE, "冬储物资"):
                assert needle.encode() not in data, f"{path.relative_to(public)} has {needle}"
    # the search index, read as the browser reads it: no entry for the pending item
    from bulletin.search.query import SearchIndex

    index = SearchIndex(public / "search-index")
    assert index.search("冬储").ids == [] and index.search("东坝乡部署").ids == []
    assert index.search("森林防火").ids  # other items about forest fires are found
    assert index.search("防汛").ids  # the index itself answers
    assert index.count == 77
    # not counted: 东坝乡 has the same figures as without the item
    unit = json.loads((public / "stats" / "2026.json").read_text(encoding="utf-8"))
    dongba = next(u for u in unit["units"] if u["id"] == "dongba")
    assert dongba["reported"] == 3  # its three signed-off items of 2026, not the pending one


def test_items_show_who_checked_and_approved(sample) -> None:
    root, _build = sample
    page = (root / "public" / "items" / "2026-05-29-fangxun-yanlian" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "<dt>校核</dt><dd>李明</dd>" in page
    assert "<dt>审批</dt><dd>王建国</dd>" in page


def test_previews_mark_the_pending_item(sample, tmp_path: Path) -> None:
    root, _build = sample
    out = tmp_path / "preview"
    proc = run("build", root, "--drafts", "--output", out, "--today", "2026-11-27")
    assert proc.returncode == 0, proc.stderr
    page = (out / "items" / PENDING_SLUG / "index.html").read_text(encoding="utf-8")
    assert "<strong>待审核</strong>" in page
    assert "<dt>校核</dt><dd>赵红梅</dd>" in page
    draft = (out / "items" / "2026-11-19-dongji-gongnuan-draft" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "<strong>草稿</strong>" in draft and "待审核" not in draft


def test_review_without_the_rule_says_so(tmp_path: Path) -> None:
    site = make_site(tmp_path, signoff=False)
    item(site, "a.md", BASE)
    proc = run("review", site)
    assert proc.returncode == 0
    assert "require_signoff" in proc.stdout


def test_with_the_rule_off_unsigned_items_are_published(tmp_path: Path) -> None:
    site = make_site(tmp_path, signoff=False)
    item(site, "a.md", BASE)
    assert run("build", site).returncode == 0
    assert (site / "public" / "items" / "a" / "index.html").is_file()
    site_on = make_site(tmp_path / "on", signoff=True)
    item(site_on, "a.md", BASE)
    item(
        site_on, "b.md", BASE.replace("演练", "演练二") + "reviewed-by: 李明\napproved-by: 王建国\n"
    )
    proc = run("build", site_on)
    assert proc.returncode == 0, proc.stderr
    assert not (site_on / "public" / "items" / "a").exists()
    assert (site_on / "public" / "items" / "b" / "index.html").is_file()


# --- bulletin import ----------------------------------------------------------------


def make_docx(path: Path, *, image: Path | None = None) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("城关镇扎实推进防汛工作", level=1)
    document.add_paragraph("\u3000\u3000今年以来，城关镇坚持早部署、早落实。")
    document.add_paragraph("一、基本情况")
    document.add_paragraph("（一）组织领导")
    paragraph = document.add_paragraph("全镇成立防汛指挥部，")
    paragraph.add_run("镇长任总指挥").bold = True
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "抢险队伍", "12支"
    cell = table.cell(1, 0).paragraphs[0]
    cell.add_run("（含")
    cell.add_run("民兵").italic = True  # runs of one cell stay one text
    cell.add_run("）")
    table.cell(1, 1).add_paragraph("已集结")  # paragraphs of one cell: one line
    if image is not None:
        document.add_picture(str(image))
    document.add_paragraph("二、下一步打算")
    document.add_paragraph("1. 加强值班值守")
    document.add_paragraph("城关镇党委办公室\n2026年5月3日")
    document.save(str(path))
    return path


def png_1x1() -> bytes:
    """A valid one-pixel PNG (python-docx reads its header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_import_turns_a_word_document_into_a_draft_that_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    png = tmp_path / "photo.png"
    png.write_bytes(png_1x1())
    source = make_docx(tmp_path / "防汛.docx", image=png)
    proc = run("import", source, "--unit", "城关镇", site)
    assert proc.returncode == 0, proc.stderr
    rel = "content/chengguan/2026-05-03-城关镇扎实推进防汛工作.md"
    assert proc.stdout.strip() == f"{source} → {rel}"
    assert f"{source}: 警告：文件里的 1 张图片没有导入（网站信息不带图片）" in proc.stderr
    text = (site / rel).read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "城关镇扎实推进防汛工作"\nunit: chengguan\n')
    assert "\ndate: 2026-05-03\nstatus: draft\n" in text
    body = text.split("\n---\n", 1)[1]
    assert "\n今年以来，城关镇坚持早部署、早落实。\n" in body  # 　　 removed
    assert "\n## 一、基本情况\n" in body and "\n### （一）组织领导\n" in body
    assert "全镇成立防汛指挥部，**镇长任总指挥**" in body
    assert "| 项目 | 数量 |\n|---|---|\n| 抢险队伍（含*民兵*） | 12支 已集结 |" in body
    assert "\n1\\. 加强值班值守\n" in body  # a numbered line stays a line of text
    assert "城关镇扎实推进防汛工作" not in body  # the title is not repeated
    out = tmp_path / "preview"
    build = run("build", site, "--drafts", "--output", out)
    assert build.returncode == 0, build.stderr
    page = (out / "items" / "2026-05-03-城关镇扎实推进防汛工作" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "<h2>一、基本情况</h2>" in page and "<h3>（一）组织领导</h3>" in page
    assert "<td>抢险队伍（含<em>民兵</em>）</td>" in page and "<p>1. 加强值班值守</p>" in page


def test_import_takes_a_plain_first_paragraph_as_title_and_keeps_word_headings(
    tmp_path: Path,
) -> None:
    """The usual office document: the title is an ordinary paragraph (centred, bold), the
    sections use Word's heading styles. Every section stays in the body."""
    import docx

    site = make_site(tmp_path)
    document = docx.Document()
    document.add_paragraph().add_run("关于城关镇冬季安全生产工作的报告").bold = True
    document.add_paragraph("\u3000\u3000今年以来，城关镇认真贯彻落实上级部署。")
    document.add_heading("一、基本情况", level=1)
    document.add_paragraph("全镇检查企业35家。")
    document.add_heading("二、主要做法", level=1)
    document.add_paragraph("开展拉网式排查。")
    source = tmp_path / "报告.docx"
    document.save(str(source))
    proc = run("import", source, "--unit", "chengguan", "--date", "2026-05-08", site)
    assert proc.returncode == 0, proc.stderr
    rel = "content/chengguan/2026-05-08-关于城关镇冬季安全生产工作的报告.md"
    assert proc.stdout.strip() == f"{source} → {rel}"
    text = (site / rel).read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "关于城关镇冬季安全生产工作的报告"\n')
    assert text.split("\n---\n", 1)[1] == (
        "\n今年以来，城关镇认真贯彻落实上级部署。\n\n## 一、基本情况\n\n全镇检查企业35家。\n\n"
        "## 二、主要做法\n\n开展拉网式排查。\n"
    )


# Text a Word or text document may hold that Markdown would otherwise read as syntax
PUNCTUATED = [
    "价格为 5*3*2 元，面积_约_100平方米",
    "2026年完成`测试`和<b>加粗</b>&amp;",
    "见[附件](http://example.org)与![图](x.png)",
    "> 引用的话",
    "* 注：以上为初步统计",
    "---",
    "~~作废~~ a\\b",
    "# 一号文件",
]


def visible_text(html: str) -> str:
    """The words a reader sees in ``html``: tags gone, entities read."""
    import html as html_lib
    import re

    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_import_keeps_every_character_the_document_holds(tmp_path: Path, kind: str) -> None:
    """Markdown's punctuation in a document (5*3*2, `, [ ], <b>, &amp;, ---, a leading
    > or *) is shown as typed in the title, headings, paragraphs and table cells: never
    read as emphasis, code, links, tags, rules or quotes, never dropped."""
    site = make_site(tmp_path)
    title = "关于5*3*2号<文件>的[报告]"
    heading = "一、关于_A_和*B*的做法"
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_paragraph(title)
        document.add_paragraph(heading)
        for text in PUNCTUATED:
            document.add_paragraph(text)
        table = document.add_table(rows=2, cols=1)
        table.cell(0, 0).text, table.cell(1, 0).text = "项目", "a*b*c|`d`"
        source = tmp_path / "报告.docx"
        document.save(str(source))
    else:
        source = tmp_path / "报告.txt"
        source.write_text("\n".join([title, heading, *PUNCTUATED]), encoding="utf-8")
    proc = run("import", source, "--unit", "chengguan", "--date", "2026-05-08", site)
    assert proc.returncode == 0, proc.stderr
    (item_file,) = (site / "content" / "chengguan").glob("2026-05-08-*.md")
    assert yaml.safe_load(item_file.read_text(encoding="utf-8").split("---")[1])["title"] == title
    out = tmp_path / "preview"
    build = run("build", site, "--drafts", "--output", out)
    assert build.returncode == 0, build.stderr
    page = (out / "items" / item_file.stem / "index.html").read_text(encoding="utf-8")
    body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert "<em>" not in body and "<code>" not in body and "<a " not in body
    assert "<hr" not in body and "<blockquote>" not in body and "<ul>" not in body
    shown = visible_text(body)
    for text in [heading, *PUNCTUATED]:
        assert f"\n{text}\n" in f"\n{shown}\n", text
    assert f"<h2>{heading}</h2>" in body
    if kind == "docx":
        assert "a*b*c|`d`" in shown


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_import_reads_text_files_in_utf8_and_gbk(tmp_path: Path, encoding: str) -> None:
    site = make_site(tmp_path)
    source = tmp_path / "通报.txt"
    source.write_bytes(
        "城关镇防汛工作情况\r\n\r\n\u3000\u3000全镇共排查隐患12处。\r\n一、主要做法\r\n"
        "\u3000\u3000落实责任。\r\n".encode(encoding)
    )
    proc = run("import", source, "--unit", "chengguan", "--date", "2026-05-08", site)
    assert proc.returncode == 0, proc.stderr
    text = (site / "content/chengguan/2026-05-08-城关镇防汛工作情况.md").read_text(encoding="utf-8")
    assert text.endswith("---\n\n全镇共排查隐患12处。\n\n## 一、主要做法\n\n落实责任。\n")
    assert run("check", site, "--drafts").returncode == 0


def test_import_of_a_folder_reports_each_file(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    drop = tmp_path / "drop"
    drop.mkdir()
    make_docx(drop / "a.docx")
    (drop / "b.txt").write_text("北苑街道信息\n正文一段。\n", encoding="utf-8")
    (drop / "c.docx").write_bytes(b"not a zip file")
    (drop / "notes.pdf").write_bytes(b"%PDF")
    (drop / "~$a.docx").write_bytes(b"lock")
    (drop / "d.doc").write_bytes(b"\xd0\xcf\x11\xe0")  # old Word, and WPS Office's own
    (drop / "e.WPS").write_bytes(b"\xd0\xcf\x11\xe0")
    proc = run("import", drop, "--unit", "beiyuan", "--date", "2026-05-09", site)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{drop / 'a.docx'} → content/beiyuan/2026-05-09-城关镇扎实推进防汛工作.md",
        f"{drop / 'b.txt'} → content/beiyuan/2026-05-09-北苑街道信息.md",
    ]
    assert f"{drop / 'c.docx'}: 无法读取这个 Word 文件：" in proc.stderr
    for name, suffix in (("d.doc", ".doc"), ("e.WPS", ".wps")):
        assert (
            f"{drop / name}: {suffix} 文件不能直接导入；请在 Word 或 WPS 里打开，“另存为” .docx 后再导入"
        ) in proc.stderr.splitlines()
    assert "导入 2 个文件，失败 3 个" in proc.stderr
    assert "notes.pdf" not in proc.stderr and "~$a.docx" not in proc.stderr


def test_import_without_mammoth_says_so_in_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    source = make_docx(tmp_path / "a.docx")
    code = (
        "import sys; sys.modules['mammoth'] = None\n"
        "from bulletin.cli import main\n"
        f"sys.exit(main(['import', {str(source)!r}, '--unit', 'chengguan', {str(site)!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", env=env
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "bulletin: 导入 Word 文件需要 mammoth：pip install 'bulletin[import]'"
    ]
    assert not list((site / "content").rglob("*.md"))


# --- hooks -------------------------------------------------------------------------


def test_pre_commit_hook_runs_bulletin_check() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "bulletin-check"
    assert hook["entry"] == "bulletin check" and hook["pass_filenames"] is False
    assert hook["language"] == "python"


def git(*args: object, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        ["git", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_receive_refuses_a_push_with_the_chinese_diagnostics(tmp_path: Path) -> None:
    bare = tmp_path / "units.git"
    assert git("init", "--bare", "-q", bare, cwd=tmp_path).returncode == 0
    shutil.copy2(REPO / "contrib" / "pre-receive", bare / "hooks" / "pre-receive")
    site = make_site(tmp_path)
    ident = {
        "GIT_AUTHOR_NAME": "信息员",
        "GIT_AUTHOR_EMAIL": "x@example.invalid",
        "GIT_COMMITTER_NAME": "信息员",
        "GIT_COMMITTER_EMAIL": "x@example.invalid",
        "BULLETIN": f"{sys.executable} -m bulletin",
        "PYTHONPATH": str(REPO),
    }
    git("init", "-q", "-b", "main", cwd=site)
    item(site, "a.md", BASE)
    git("add", "-A", cwd=site)
    git("commit", "-qm", "good", cwd=site, env=ident)
    good = git("push", bare, "main", cwd=site, env=ident)
    assert good.returncode == 0, good.stderr

    item(site, "b.md", "title：城关镇防汛\nunit: chengguan\ncategory: briefing\ndate: 2026-05-08\n")
    git("add", "-A", cwd=site)
    git("commit", "-qm", "bad", cwd=site, env=ident)
    bad = git("push", bare, "main", cwd=site, env=ident)
    assert bad.returncode != 0
    assert "推送被拒绝（push refused）：refs/heads/main 没有通过 bulletin check" in bad.stderr
    assert (
        "remote: content/chengguan/b.md:2: title: 冒号是全角的“：”（中文输入法）；"
        "请改为半角冒号加空格“: ”" in bad.stderr
    )
    log = git("log", "--format=%s", "main", cwd=bare)
    assert log.stdout.split() == ["good"]
