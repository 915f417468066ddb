"""Item bodies: safe HTML, item links rewritten to URLs, plain text and character counts."""

from __future__ import annotations

import pytest

from bulletin.markdown import ItemLink, make_parser, render_body
from bulletin.urls import item_url


def render(body: str, source_dir: str = "chengguan", base: str = "/"):  # noqa: ANN201
    return render_body(make_parser(), body, source_dir, base)


# --- safety ---------------------------------------------------------------------------


def test_raw_html_is_escaped() -> None:
    html = render('防汛<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>\n').html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_block_is_escaped() -> None:
    html = render('<div onclick="steal()">\n点我\n</div>\n').html
    assert "<div" not in html
    assert "&lt;div onclick=&quot;steal()&quot;&gt;" in html


@pytest.mark.parametrize(
    "body",
    [
        "[点我](javascript:alert(1))",
        "[点我](JAVASCRIPT:alert(1))",
        "[点我]( javascript:alert(1) )",
        "[点我](javascript&#58;alert(1))",
        "[点我](vbscript:msgbox(1))",
        "[点我](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "[点我][x]\n\n[x]: javascript:alert(1)",
    ],
)
def test_script_links_are_not_links(body: str) -> None:
    html = render(body + "\n").html
    assert "<a " not in html
    assert "href" not in html


def test_ordinary_links_stay_links() -> None:
    html = render("[市气象台](https://weather.example.org/x) 和 <mailto:ban@example.org>\n").html
    assert '<a href="https://weather.example.org/x">市气象台</a>' in html
    assert '<a href="mailto:ban@example.org">' in html


def test_tables_and_strikethrough() -> None:
    html = render("| 项目 | 数量 |\n|---|---|\n| 化肥 | 1200吨 |\n\n~~作废~~\n").html
    assert "<table>" in html and "<th>项目</th>" in html and "<td>1200吨</td>" in html
    assert "<s>作废</s>" in html


# --- links to other items -------------------------------------------------------------


def test_item_link_becomes_item_url() -> None:
    body = render("见[上次报告](2026-04-01-chunbo.md)。\n")
    assert '<a href="/items/2026-04-01-chunbo/">上次报告</a>' in body.html
    assert body.links == (ItemLink("chengguan/2026-04-01-chunbo.md", 1),)


def test_relative_paths_fragments_and_base_path() -> None:
    body = render("第一行\n\n[农业](../nongye/x.md#做法) [本单位](./sub/y.md)\n", base="/bulletin/")
    assert '<a href="/bulletin/items/x/#%E5%81%9A%E6%B3%95">农业</a>' in body.html
    assert '<a href="/bulletin/items/y/">本单位</a>' in body.html
    assert body.links == (ItemLink("nongye/x.md", 3), ItemLink("chengguan/sub/y.md", 3))


def test_chinese_file_names_are_percent_encoded() -> None:
    body = render("[春耕](春耕备耕.md)\n")
    assert f'href="{item_url("/", "春耕备耕")}"' in body.html
    assert 'href="/items/%E6%98%A5%E8%80%95%E5%A4%87%E8%80%95/"' in body.html
    assert body.links == (ItemLink("chengguan/春耕备耕.md", 1),)


def test_item_at_content_root() -> None:
    assert render("[x](y.md)\n", source_dir=".").links == (ItemLink("y.md", 1),)


@pytest.mark.parametrize(
    "body",
    ["[外部](https://example.org/a.md)", "[锚点](#做法)", "[站内](/units/x/)", "[图](a.png)"],
)
def test_other_links_are_left_alone(body: str) -> None:
    assert render(body + "\n").links == ()


def test_link_lines_in_lists_and_tables() -> None:
    body = render("段落\n\n- 一\n- [二](b.md)\n\n| a |\n|---|\n| [三](c.md) |\n")
    assert [link.line for link in body.links] == [4, 8]


# --- text, counts, sections -----------------------------------------------------------


def test_plain_text_and_chinese_character_count() -> None:
    body = render("## 基本情况\n\n城关镇**扎实**推进 *防汛* 工作，共 12 处。\n\n`代码`\n")
    assert "基本情况" in body.text
    assert "城关镇扎实推进 防汛 工作，共 12 处。" in body.text
    assert "*" not in body.text and "#" not in body.text
    assert body.chars == len("基本情况城关镇扎实推进防汛工作共处代码")


def test_empty_sections_are_found() -> None:
    body = render("## 一、做法\n\n有内容。\n\n## 二、问题\n\n## 三、建议\n\n### 细项\n\n内容\n")
    assert body.empty_sections == ("二、问题",)
    assert render("## 结尾\n").empty_sections == ("结尾",)
    assert render("正文。\n").empty_sections == ()


# --- soft line breaks between CJK characters (issue 12 §3) ----------------------------


@pytest.mark.parametrize(
    ("body", "html", "text"),
    [
        ("城关镇完成防\n汛物资储备", "城关镇完成防汛物资储备", None),  # Han, Han
        ("储备完成。\n下一步", "储备完成。下一步", None),  # full stop, Han
        ("物资储备\n，共计", "物资储备，共计", None),  # Han, full-width comma
        ("见《防汛\n条例》", "见《防汛条例》", None),  # inside book-title marks
        ("（一）\n主要做法", "（一）主要做法", None),  # full-width bracket, Han
        ("かな\nカナ", "かなカナ", None),  # kana
        ("ｶﾅ\n汉字", "ｶﾅ汉字", None),  # half-width katakana
        ("强调“防汛”\n“抗旱”两项", "强调“防汛”“抗旱”两项", None),  # quotes: their text's class
        ("工作……\n下一步", "工作……下一步", None),  # an ellipsis after Chinese
        ("**防**\n汛", "<strong>防</strong>汛", "防汛"),  # through emphasis
        ("[防](a.md)\n汛", '<a href="/items/a/">防</a>汛', "防汛"),  # through a link
        ("~~防~~\n汛", "<s>防</s>汛", "防汛"),  # through strikethrough
        ("`代码`\n防汛", "<code>代码</code>防汛", "代码防汛"),  # after inline code
        ("防汛 \n储备", "防汛储备", None),  # a trailing space before the break
        ("防汛\n   储备", "防汛储备", None),  # an indented continuation line
    ],
)
def test_break_between_cjk_characters_is_joined(body: str, html: str, text: str | None) -> None:
    out = render(body + "\n")
    assert out.html == f"<p>{html}</p>\n"
    assert out.text == (text or html)  # the text (search, counts) comes from the same tokens


@pytest.mark.parametrize(
    ("body", "html", "text"),
    [
        ("Flood\nprevention", "Flood\nprevention", None),  # Latin words: the break is a space
        ("防汛\nwork", "防汛\nwork", None),  # CJK then Latin
        ("work\n防汛", "work\n防汛", None),  # Latin then CJK
        ("共12\n处", "共12\n处", None),  # a digit then CJK
        ("say “ok”\n工作", "say “ok”\n工作", None),  # a quote after Latin text is Latin
        ("한국\n어", "한국\n어", None),  # Hangul separates words with spaces
        ("防![图](a.png)\n汛", '防<img src="a.png" alt="图" />\n汛', "防\n汛"),  # no text
    ],
)
def test_break_next_to_latin_digits_or_hangul_stays(body: str, html: str, text: str | None) -> None:
    out = render(body + "\n")
    assert out.html == f"<p>{html}</p>\n"  # the soft break, which the browser shows as a space
    assert out.text == (text or html)


def test_cjk_breaks_in_lists_quotes_and_hard_breaks() -> None:
    out = render("- 防\n  汛\n\n> 物资\n> 储备\n\n防汛  \n储备\n\n防汛\\\n储备\n")
    assert "<li>防汛</li>" in out.html
    assert "<p>物资储备</p>" in out.html
    # a hard break (two spaces, or a backslash) is a line break the editor asked for
    assert out.html.count("<br />") == 2
    assert out.text.split("\n") == ["防汛", "物资储备", "防汛", "储备", "防汛", "储备"]
