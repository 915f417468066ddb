"""Shortcuts in reading an item give what the plain way gives.

Reading an item file is on the path of every cold build, so ``content`` and ``markdown``
take a few shortcuts: a size-sized read, a byte scan for control characters, string
splitting instead of path objects, a character count in C, and markdown-it rules that
cannot change the result switched off. Each is checked here against the plain way.
"""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path, PurePosixPath

import pytest
from markdown_it import MarkdownIt

from bulletin import content
from bulletin.config import load_config
from bulletin.markdown import count_chinese, join_cjk_breaks, make_parser, render_body

SITE_TOML = """
title = "测试"
max_item_bytes = 64
[units.chengguan]
name = "城关镇"
kind = "town"
"""


# --- reading the file -----------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000])
def test_read_file_reads_what_the_limit_allows(tmp_path: Path, size: int) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    config = load_config(tmp_path)
    path = tmp_path / "x.md"
    path.write_bytes(b"x" * size)
    result = content.read_file(path, "content/chengguan/x.md", config)
    too_large = [d.text("en") for d in result.diagnostics if "over the limit" in d.text("en")]
    if size > 64:
        assert too_large == [f"file is {size:,} bytes, over the limit of 64"]
    else:
        assert too_large == []
        assert result == content.read_item(b"x" * size, "content/chengguan/x.md", config)


def test_read_file_of_a_directory_says_why(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    result = content.read_file(tmp_path, "content/chengguan/x.md", load_config(tmp_path))
    (problem,) = result.diagnostics
    assert problem.text("en").startswith("cannot read:")


# --- control characters ---------------------------------------------------------------

CHARS = ["a", "城", "\n", "\t", "\r", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\x85"]
CHARS += ["\ufffe", "\uffff", "\ufffd", "\ufeff", "😀", "，"]


def test_control_byte_scan_agrees_with_the_regex() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choices(CHARS, k=rnd.randint(0, 8)))
        data = text.encode("utf-8")
        found = content.CONTROL_RE.search(text) is not None
        assert content._has_control(data, text) == found, repr(text)


# --- file names -----------------------------------------------------------------------


def test_stem_and_folder_agree_with_purepath() -> None:
    parts = ["content", "a", ".", "..", "", "x.md", ".md", "a.", "b.c.md", " 城.md"]
    for count in range(1, 5):
        for combo in itertools.product(parts, repeat=count):
            for rel in ("/".join(combo), "/".join(combo) + "/"):
                path = PurePosixPath(rel)
                assert content._stem(rel) == path.stem, rel
                try:
                    expected = path.parent.relative_to("content").as_posix()
                except ValueError:
                    with pytest.raises(ValueError):
                        content._source_dir(rel)
                else:
                    assert content._source_dir(rel) == expected, rel


# --- Markdown -------------------------------------------------------------------------

NON_CJK_RE = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")


def test_chinese_count_agrees_with_the_definition() -> None:
    edges = [0x33FF, 0x3400, 0x9FFF, 0xA000, 0xF8FF, 0xF900, 0xFAFF, 0xFB00, 0xD800, 0xDFFF]
    pool = [chr(c) for c in edges] + ["a", "\n", "，", "城", "𠀀", "😀", "\x00"]
    rnd = random.Random(3)
    for _ in range(3000):
        text = "".join(rnd.choices(pool, k=rnd.randint(0, 12)))
        assert count_chinese(text) == len(NON_CJK_RE.sub("", text)), repr(text)


BODIES = [
    "段落\r\n第二行\r\n\r\n## 标题\r\n",
    "旧式\r换行\r\r- 一\r- 二\r",
    "空字符\x00在此\n",
    '<div onclick="x()">\n块\n</div>\n\n行内<b>粗</b><!-- 注释 -->\n',
    "<script>alert(1)</script>\n\n<?php echo 1; ?>\n\n<![CDATA[x]]>\n",
    "| a | b |\n|---|---|\n| <i>1</i> | 2 |\n\n~~删~~\n",
    "- <p>列表</p>\n> <em>引用</em>\n",
    "```\n<b>code</b>\n```\n\n    <i>缩进</i>\n",
]


@pytest.mark.parametrize("body", BODIES)
def test_parser_renders_as_the_full_rule_set(body: str) -> None:
    """The rules make_parser switches off would have changed nothing."""
    full = MarkdownIt("commonmark", {"html": False, "linkify": False})
    full.enable(["table", "strikethrough"]).disable("code")  # on purpose: see make_parser
    full.core.ruler.push("cjk_breaks", join_cjk_breaks)  # the rule make_parser adds
    assert render_body(make_parser(), body, "chengguan", "/").html == full.render(body)
