"""Documents on paper: ``bulletin export`` to PDF (read back with pypdf) and Word (read back
with python-docx), the message without the export extra, and Chromium's print of a page."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pypdf  # the test extra: a missing one fails, never skips
import pytest
from test_issues import make_site

from bulletin.build import BuildOptions, build
from bulletin.cli import main

MARKING = "内部资料，注意保存"
A4 = (595.0, 842.0)  # points


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("export") / "site")


def export(site: Path, out: Path, *args: str) -> tuple[int, str]:
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["export", *args[:-1], str(site), "--format", args[-1], "-o", str(out)])
    return code, err.getvalue()


def pdf_text(path: Path) -> list[str]:
    reader = pypdf.PdfReader(str(path))
    return [page.extract_text() for page in reader.pages]


def test_issue_pdf_holds_the_masthead_items_marking_and_page_numbers(
    site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "issue.pdf"
    code, err = export(site, out, "issue", "qs", "2026", "2", "pdf")
    assert code == 0, err
    assert "字体：" in err and "CJK" in err  # which fonts were used (the site's language)
    assert "没有找到中文字体" not in err
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 1
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
    pages = pdf_text(out)
    text = "".join(pages).replace("\n", "")
    for needle in ("测试信息", "第2期", "基层治理专刊", "乙街道议事会制度", "甲镇春耕备耕"):
        assert needle in text, needle
    assert "报：" in text and "市委办公室" in text and "签发：王建国" in text
    for n, page_text in enumerate(pages, 1):
        assert MARKING in page_text, f"page {n} lacks the marking"
        assert f"— {n} —" in page_text, f"page {n} lacks its number"


def test_anthology_and_circular_pdfs(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.pdf"
    assert export(site, out, "circular", "2026", "1", "pdf")[0] == 0
    text = "".join(pdf_text(out)).replace("\n", "")
    assert "关于2026年第一季度测试区信息报送采用情况的通报" in text
    assert "甲镇" in text and "下一步要求" in text
    code, err = export(site, tmp_path / "a.pdf", "anthology", "2026", "pdf")
    assert code == 2 and "没有2026年的调研文集" in err  # no excellent report there


def test_issue_docx_has_the_structure_of_a_bulletin(site: Path, tmp_path: Path) -> None:
    import docx
    from docx.shared import Pt

    out = tmp_path / "issue.docx"
    code, err = export(site, out, "issue", "qs", "2026", "1", "docx")
    assert code == 0, err
    doc = docx.Document(str(out))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert MARKING in section.header.paragraphs[0].text
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    texts = [p.text for p in doc.paragraphs if p.text]
    masthead = next(p for p in doc.paragraphs if p.text == "测试信息")
    run = masthead.runs[0]
    assert run.font.size == Pt(42) and str(run.font.color.rgb) == "C00000"
    assert "第1期" in texts
    assert "中共测试区委办公室\t2026年2月15日" in texts
    titles = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert titles == ["甲镇春耕备耕", "甲镇防汛物资储备"]
    assert "甲镇春耕备耕的正文。" in texts
    assert any(t.startswith("编者按") and "各地要学习借鉴" in t for t in texts)
    assert "报：市委办公室" in texts and "发：各镇街" in texts
    assert "签发：王建国" in texts
    assert "查看原文" not in "\n".join(texts)  # a screen link, not on paper


def test_circular_docx_keeps_its_table(site: Path, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "c.docx"
    assert export(site, out, "circular", "2026", "1", "docx")[0] == 0
    doc = docx.Document(str(out))
    table = doc.tables[0]
    assert table.rows[0].cells[0].text == "单位"
    assert [r.cells[0].text for r in table.rows[1:]] == ["甲镇", "乙街道", "合计"]


def test_without_the_extra_one_line_says_what_to_install(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("weasyprint", "docx") else real(name, *a),
    )
    for fmt, library in (("pdf", "WeasyPrint"), ("docx", "python-docx")):
        code, err = export(site, tmp_path / f"x.{fmt}", "issue", "qs", "2026", "1", fmt)
        assert code == 2
        assert err.splitlines() == [
            f"bulletin: 导出 {fmt.upper()} 需要 {library}，尚未安装：pip install 'bulletin[export]'"
        ]
        assert not (tmp_path / f"x.{fmt}").exists()


def test_unknown_issue_is_a_usage_error(site: Path, tmp_path: Path) -> None:
    code, err = export(site, tmp_path / "x.pdf", "issue", "qs", "2026", "9", "pdf")
    assert code == 2
    assert "没有已发布的 qs 2026年第9期（本站有：qs 2026 1、qs 2026 2）" in err


@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_prints_an_item_page_on_a4_with_the_marking(
    site: Path, tmp_path: Path, http_server, page, width: int
) -> None:
    out = tmp_path / "public"
    assert build(site, BuildOptions(output=out, search=False)).ok
    base = http_server(out)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base + "items/a1/")
    pdf = page.pdf(prefer_css_page_size=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.pages
    for n, p in enumerate(reader.pages, 1):
        size = (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        assert size == A4, f"page {n}: {size}"
        text = p.extract_text()
        assert MARKING in text and "中共测试区委办公室" in text, f"page {n}: {text[:200]}"
        assert f"— {n} —" in text
        # no navigation, search box or footer on paper
        for screen_only in ("报送单位", "搜索", "由 bulletin 生成"):
            assert screen_only not in text, screen_only
    assert "甲镇春耕备耕" in reader.pages[0].extract_text()


def pdf_site(root: Path) -> Path:
    make_site(root)
    toml = root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[export]\npdf = true\n", "utf-8")
    return root


def test_build_time_pdfs_are_linked_and_made_only_when_their_issue_changes(
    tmp_path: Path,
) -> None:
    root = pdf_site(tmp_path / "site")
    out = root / "public"
    first = build(root, BuildOptions(output=out, search=False))
    assert first.ok, [d.format() for d in first.diagnostics]
    pdf = out / "issues/qs/2026/1/qs-2026-1.pdf"
    assert pdf.is_file() and (out / "issues/qs/2026/2/qs-2026-2.pdf").is_file()
    assert '<a href="/issues/qs/2026/1/qs-2026-1.pdf">下载 PDF</a>' in (
        out / "issues/qs/2026/1/index.html"
    ).read_text("utf-8")
    assert "甲镇春耕备耕" in "".join(pdf_text(pdf))
    assert not list(out.rglob("*2026-3*.pdf")) and not list(out.rglob("*2026-4*.pdf"))
    # an edit elsewhere (b1 is only in No.2) leaves No.1's PDF alone
    mtime = pdf.stat().st_mtime_ns
    b1 = root / "content/b/b1.md"
    b1.write_text(b1.read_text("utf-8") + "补充一段。\n", "utf-8")
    second = build(root, BuildOptions(output=out, search=False))
    assert second.ok
    assert pdf.stat().st_mtime_ns == mtime
    assert "issues/qs/2026/2/qs-2026-2.pdf" in second.written_files
    assert "issues/qs/2026/1/qs-2026-1.pdf" not in second.written_files
    assert "补充一段" in "".join(pdf_text(out / "issues/qs/2026/2/qs-2026-2.pdf"))


def test_sessions_make_pdfs_after_the_live_pages(tmp_path: Path) -> None:
    """serve and watch: pages go live first; finish_session() makes the PDFs."""
    from bulletin.build import finish_session
    from bulletin.session import BuildSession

    root = pdf_site(tmp_path / "site")
    out = root / "public"
    options = BuildOptions(output=out, search=False, session=BuildSession(), defer_search=True)
    result = build(root, options)
    assert result.ok and result.pending
    assert (out / "issues/qs/2026/1/index.html").is_file()
    assert not (out / "issues/qs/2026/1/qs-2026-1.pdf").exists()  # not yet
    assert finish_session(options) == []
    assert (out / "issues/qs/2026/1/qs-2026-1.pdf").is_file()
    # a body edit of an item in No.2: its page at once, its PDF after
    b1 = root / "content/b/b1.md"
    b1.write_text(b1.read_text("utf-8") + "补充一段。\n", "utf-8")
    edit = BuildOptions(
        output=out,
        search=False,
        session=options.session,
        defer_search=True,
        changed=frozenset({"content/b/b1.md"}),
    )
    result = build(root, edit)
    assert result.ok and result.pending
    assert "补充一段" in (out / "items/b1/index.html").read_text("utf-8")
    pdf2 = out / "issues/qs/2026/2/qs-2026-2.pdf"
    assert "补充一段" not in "".join(pdf_text(pdf2))  # the old PDF stays meanwhile
    assert finish_session(edit) == []
    assert "补充一段" in "".join(pdf_text(pdf2))
    # and the result is what a clean build makes
    clean = build(root, BuildOptions(output=tmp_path / "clean", search=False, cache=False))
    assert clean.ok
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        p.relative_to(tmp_path / "clean").as_posix()
        for p in (tmp_path / "clean").rglob("*")
        if p.is_file()
    )


NOTE_WITH_LINKS = (
    "各地要学习借鉴[甲镇的做法](../../a/a2.md#做法)，参见[乙街道议事会](../../b/b1.md)。\n"
)


def linked_site(root: Path, base_url: str) -> Path:
    """The fixture site with issue No.1's editor's note linking an item of the issue (a2)
    and one of another issue (b1); ``base_url`` in site.toml."""
    from test_issues import issue

    make_site(root)
    toml = root / "site.toml"
    toml.write_text(f'base_url = "{base_url}"\n' + toml.read_text("utf-8"), "utf-8")
    path = root / "content/issues/qs/2026-001.md"
    path.write_text(issue(1, "2026-02-15", ["a1", "a2"], body=NOTE_WITH_LINKS), "utf-8")
    return root


def pdf_links(path: Path) -> tuple[list[str], list[str]]:
    """The PDF's link annotations: (URIs, the named destinations of internal links)."""
    reader = pypdf.PdfReader(str(path))
    uris, internal = [], []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and action.get("/S") == "/URI":
                uris.append(str(action["/URI"]))
            elif action is not None and action.get("/S") == "/GoTo":
                internal.append(str(action["/D"]))
            elif annot.get("/Dest") is not None:
                internal.append(str(annot["/Dest"]))
    return uris, internal


@pytest.mark.parametrize(
    "base_url", ["http://xinxi.qs.gov.cn/bulletin/", "/"], ids=["absolute", "path"]
)
def test_editors_note_links_work_in_the_pdf(tmp_path: Path, base_url: str) -> None:
    """On paper the note's link to an item of the issue jumps to it; a link to another
    item opens it on the site (an absolute base_url) or is plain text — it used to lead to
    https://bulletin.invalid/…, a made-up address."""
    site = linked_site(tmp_path / "site", base_url)
    out = tmp_path / "issue.pdf"
    code, err = export(site, out, "issue", "qs", "2026", "1", "pdf")
    assert code == 0, err
    uris, internal = pdf_links(out)
    assert "i2" in internal  # 甲镇防汛物资储备, the issue's second item
    assert "i2" in pypdf.PdfReader(str(out)).named_destinations
    if base_url.startswith("http"):
        assert uris == ["http://xinxi.qs.gov.cn/bulletin/items/b1/"]
    else:
        assert uris == []
    assert "乙街道议事会" in "".join(pdf_text(out))  # the text stays


@pytest.mark.parametrize(
    "base_url", ["http://xinxi.qs.gov.cn/bulletin/", "/"], ids=["absolute", "path"]
)
def test_editors_note_links_work_in_word(tmp_path: Path, base_url: str) -> None:
    """In Word the note's link to an item of the issue is a hyperlink to a bookmark on that
    item's title; one to another item is a hyperlink to its address on the site (absolute
    base_url) or plain text. The note used to lose its links."""
    import docx
    from docx.oxml.ns import qn

    site = linked_site(tmp_path / "site", base_url)
    out = tmp_path / "issue.docx"
    code, err = export(site, out, "issue", "qs", "2026", "1", "docx")
    assert code == 0, err
    doc = docx.Document(str(out))
    note = next(p for p in doc.paragraphs if "各地要学习借鉴" in p.text)
    assert note.text == "编者按：各地要学习借鉴甲镇的做法，参见乙街道议事会。"
    links = note._p.findall(qn("w:hyperlink"))
    anchors = [h.get(qn("w:anchor")) for h in links if h.get(qn("w:anchor"))]
    targets = [note.part.rels[h.get(qn("r:id"))].target_ref for h in links if h.get(qn("r:id"))]
    assert anchors == ["i2"]
    title = next(p for p in doc.paragraphs if p.text == "甲镇防汛物资储备")
    assert [b.get(qn("w:name")) for b in title._p.iter(qn("w:bookmarkStart"))] == ["i2"]
    if base_url.startswith("http"):
        assert targets == ["http://xinxi.qs.gov.cn/bulletin/items/b1/"]
    else:
        assert targets == []


# the families of print.css's font stacks, in the order every stack lists them
FONT_ORDER = (
    ("Noto Serif CJK SC", "Noto Sans CJK SC"),  # Debian's fonts-noto-cjk
    ("Source Han Serif SC", "Source Han Serif CN", "思源宋体"),  # its Adobe twin
    ("Source Han Sans SC", "Source Han Sans CN", "思源黑体"),
    ("FangSong", "仿宋", "FangSong_GB2312", "仿宋_GB2312", "STFangsong"),  # office fonts
    ("FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimHei", "黑体"),
    ("SimSun", "宋体", "Songti SC"),
    ("serif", "sans-serif"),
)


def font_stacks(css: str) -> list[list[str]]:
    """Every font-family list of a stylesheet (also in the font shorthand)."""
    stacks = re.findall(r"font-family:\s*([^;}]+)", css)
    stacks += re.findall(r"\bfont:\s*[\d.]+pt\s+([^;}]+)", css)
    return [[f.strip().strip('"') for f in stack.split(",")] for stack in stacks]


def test_print_fonts_are_local_and_listed_in_one_order() -> None:
    """Every font stack of the print stylesheet lists the free CJK fonts the server has
    (Noto, then Source Han) before the office fonts (仿宋, 小标宋/黑体, then 宋体), and ends in
    a generic family; no web font. 仿宋 and 宋体 used to come first, so the order of the
    fonts a document was laid out with depended on the machine's Windows fonts."""
    css = (Path(__file__).parent.parent / "bulletin/static/print.css").read_text("utf-8")
    assert "@font-face" not in css and "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    rank = {family: n for n, group in enumerate(FONT_ORDER) for family in group}
    stacks = font_stacks(css)
    assert len(stacks) >= 6
    for stack in stacks:
        assert all(f in rank for f in stack), stack  # no family outside the known ones
        ranks = [rank[f] for f in stack]
        assert ranks == sorted(ranks), stack
        assert stack[0] in FONT_ORDER[0], stack  # the font the server has comes first
        assert stack[-1] in FONT_ORDER[-1], stack


def test_print_rules_live_in_print_css_alone() -> None:
    """print.css owns the page on paper (A4, fonts, what is hidden): the screen stylesheet
    keeps no print rules of its own that could disagree with it (style.css had two
    @media print blocks: 12 pt body text, a 30vh anthology cover, coloured quarter cells)."""
    static = Path(__file__).parent.parent / "bulletin/static"
    for name in ("style.css", "documents.css"):
        css = (static / name).read_text("utf-8")
        assert "@media print" not in css, name
        assert "print-color-adjust" not in css, name
    assert "@page" in (static / "print.css").read_text("utf-8")


def poppler(tool: str) -> str:
    """The path of a poppler-utils tool; in CI (which installs it) its absence fails."""
    import os
    import shutil

    path = shutil.which(tool)
    if path is None:
        message = f"{tool} not installed (Debian: apt-get install poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_pdf_shows_chinese_text_in_an_embedded_chinese_font(site: Path, tmp_path: Path) -> None:
    """The PDF's Chinese is real text in a Chinese font the PDF carries: pdftotext finds the
    masthead and the item titles, pdffonts lists an embedded CJK font (no boxes, no font
    the reader's machine must have). Made by the command, in its own process, as a user
    runs it."""
    import subprocess
    import sys

    out = tmp_path / "issue.pdf"
    command = [sys.executable, "-m", "bulletin", "export", "issue", "qs", "2026", "1"]
    proc = subprocess.run(
        [*command, str(site), "--format", "pdf", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(
        [poppler("pdftotext"), str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in ("测试信息", "甲镇春耕备耕", "甲镇防汛物资储备", "内部资料，注意保存"):
        assert title in text.replace("\n", ""), title
    fonts = subprocess.run(
        [poppler("pdffonts"), str(out)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if re.search(r"CJK|Han|Song|Hei|Fang", line.split()[0])]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), cjk  # emb


def test_export_speaks_english_with_lang_en(site: Path, tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        words = ["export", "issue", "qs", "2026", "9", str(site), "--format", "pdf"]
        code = main([*words, "--lang", "en", "-o", str(tmp_path / "x.pdf")])
    assert code == 2
    assert "no published issue qs 2026 No. 9; the site has: qs 2026 1, qs 2026 2" in err.getvalue()
