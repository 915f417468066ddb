"""Item bodies: one configured MarkdownIt → HTML, plain text and outgoing item links."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .urls import item_url

SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# The Chinese characters counted in ``RenderedBody.chars``: U+3400–U+9FFF and U+F900–U+FAFF
# (CJK Extension A, the unified ideographs and the compatibility ideographs). A character
# is one of them exactly when its UTF-16 code unit's high byte is 0x34–0x9F or 0xF9–0xFA
# (characters beyond the BMP become surrogate pairs, high bytes 0xD8–0xDF: not counted).
_CJK_HIGH_BYTES = bytes(range(0x34, 0xA0)) + b"\xf9\xfa"
# The Hangul script (Unicode Scripts.txt): Korean separates words with spaces, so a line
# break next to Hangul stays a space although its characters are wide.
_HANGUL_RE = re.compile(
    "[\u1100-\u11ff\u302e\u302f\u3131-\u318e\u3200-\u321e\u3260-\u327e"
    "\ua960-\ua97c\uac00-\ud7a3\ud7b0-\ud7c6\ud7cb-\ud7fb\uffa0-\uffdc]"
)
_WIDE = frozenset("FWH")  # East Asian Width: fullwidth, wide, halfwidth (UAX #11)
# Inline tokens a soft line break's neighbouring characters are looked for through:
# emphasis, strikethrough and link markers carry no text of their own.
_MARKUP = frozenset(
    ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close")
    + ("link_open", "link_close")
)


@dataclass(frozen=True)
class ItemLink:
    """A link from a body to another item's Markdown file."""

    target: str  # path relative to content/, posix
    line: int  # line in the body (1-based)


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str
    links: tuple[ItemLink, ...]
    chars: int  # Chinese characters in the body
    empty_sections: tuple[str, ...]  # headings directly followed by another heading or the end
    prose: bool = True  # whether it holds anything besides headings (text, tables, code)
    indented: tuple[int, ...] = ()  # lines (in the file) of paragraphs indented 4+ spaces


def make_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML is escaped, not passed through.

    Indented code blocks (CommonMark's ``code`` rule) are off: editors paste paragraphs
    from Word indented by four spaces, which CommonMark would turn into a code block (one
    long unwrapped line, cut off on a phone). Such a paragraph stays a paragraph (and
    ``render_body`` reports its line); code is shown only when fenced with ```.

    Three rules are switched off because they never change the result here, yet cost time
    on every block and line: ``html_block`` and ``html_inline`` (they return at once when
    the ``html`` option is off) and the ``normalize`` core rule (line endings and NUL
    characters), which ``render_body`` does itself, only when the body needs it.

    One core rule is added, ``cjk_breaks`` (:func:`join_cjk_breaks`): a line break inside a
    paragraph between two Chinese characters disappears instead of becoming a space.
    """
    md = (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable(["table", "strikethrough"])
        .disable(["html_block", "html_inline", "normalize", "code"])
    )
    md.core.ruler.push("cjk_breaks", join_cjk_breaks)
    return md


def is_cjk_wide(char: str) -> bool:
    """Whether a line break next to ``char`` (one code point) is no word space.

    True for the characters of scripts written without spaces: East Asian Width
    fullwidth, wide or halfwidth (Unicode UAX #11), which covers Han ideographs, kana,
    CJK and full-width punctuation (。，、《》（）：！？「」), but not Hangul, whose words are
    separated by spaces. This is the class of CSS Text Level 3, §4.1.2 (segment break
    transformation), which removes a line break between two such characters.
    """
    return unicodedata.east_asian_width(char) in _WIDE and not _HANGUL_RE.match(char)


def _ambiguous_punctuation(char: str) -> bool:
    """Punctuation of East Asian Width "ambiguous" (“ ” ‘ ’ … — ·): as wide as its text."""
    return unicodedata.east_asian_width(char) == "A" and unicodedata.category(char)[0] == "P"


def _chars(children: list[Token], start: int, step: int) -> Iterator[str]:
    """The characters of the inline text from ``children[start]`` on, walking by ``step``
    (-1: backwards), through emphasis and link markers; ends at anything else (a line
    break, an image, the edge of the paragraph)."""
    i = start
    while 0 <= i < len(children):
        tok = children[i]
        if tok.type == "text" or tok.type == "code_inline":
            yield from (tok.content if step > 0 else reversed(tok.content))
        elif tok.type not in _MARKUP:
            return
        i += step


def _side_is_cjk(chars: Iterator[str]) -> bool:
    """Whether the first character of ``chars`` that decides is CJK-wide; ambiguous-width
    punctuation (a closing ” before the break, an opening “ after it) takes the class of
    the character beyond it."""
    for char in chars:
        if not _ambiguous_punctuation(char):
            return is_cjk_wide(char)
    return False


def join_cjk_breaks(state: StateCore) -> None:
    """Core rule: drop each soft line break whose neighbours are both CJK-wide characters.

    Editors hard-wrap Chinese text (城关镇完成防⏎汛物资储备); a soft break renders as a
    space, and in Chinese that space is visible (防 汛) and splits the words search
    looks for. The rule follows CSS Text Level 3's segment break transformation, as
    Firefox applies it and Chromium does not: a break between two characters of
    :func:`is_cjk_wide` is removed. Next to a Latin letter, a digit or Hangul the break
    stays and renders as one space, as before (mixed text: 采用⏎AI技术 reads 采用 AI技术;
    the space is the usual separation of Chinese from Western text). Emphasis and link
    markers between the break and the characters are looked through (**防**⏎汛).

    The HTML and the plain text (search, character counts) are both made from the
    tokens after this rule, so they always agree.
    """
    for block in state.tokens:
        children = block.children
        if block.type != "inline" or not children or "\n" not in block.content:
            continue
        drop = [
            i
            for i, tok in enumerate(children)
            if tok.type == "softbreak"
            and _side_is_cjk(_chars(children, i - 1, -1))
            and _side_is_cjk(_chars(children, i + 1, 1))
        ]
        for i in reversed(drop):
            del children[i]


def count_chinese(text: str) -> int:
    """How many characters of ``text`` are Chinese characters (U+3400–U+9FFF, U+F900–U+FAFF).

    Counted in C: the high bytes of the UTF-16 code units, minus those that are not CJK.
    """
    high = text.encode("utf-16-le", "surrogatepass")[1::2]
    return len(high) - len(high.translate(None, _CJK_HIGH_BYTES))


def render_body(
    md: MarkdownIt, body: str, source_dir: str, base_path: str, first_line: int = 1
) -> RenderedBody:
    """Render ``body`` of an item whose file lies in ``source_dir`` (relative to content/).

    ``md`` comes from ``make_parser``. Link lines count from ``first_line``: the line of
    the item file on which the body starts (1 for a body on its own).
    """
    if "\r" in body or "\0" in body:
        # What markdown-it's normalize rule (off in make_parser) would do.
        body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    tokens = md.parse(body)
    links: list[ItemLink] = []
    text_parts: list[str] = []
    add_text = text_parts.append
    headings: list[tuple[str, bool]] = []  # (title, has content after)
    count = len(tokens)
    prose = False
    indented: list[int] = []
    lines = body.split("\n") if ("\n    " in body or "\n\t" in body or body[:1] in " \t") else None
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "inline":
            if not prose and (i == 0 or tokens[i - 1].type != "heading_open"):
                prose = bool(tok.content.strip())
            children = tok.children
            if not children:
                continue
            for child in children:
                child_kind = child.type
                if child_kind == "text" or child_kind == "code_inline":
                    add_text(child.content)
                elif child_kind == "link_open":
                    line = (tok.map[0] + first_line) if tok.map else first_line
                    _rewrite_link(child, source_dir, base_path, line, links)
                elif child_kind == "softbreak" or child_kind == "hardbreak":
                    add_text("\n")
            add_text("\n")
        elif kind == "heading_open":
            title = tokens[i + 1].content if i + 1 < count else ""
            nxt = tokens[i + 3] if i + 3 < count else None
            empty = nxt is None or (
                nxt.type == "heading_open" and int(nxt.tag[1]) <= int(tok.tag[1])
            )
            headings.append((title, empty))
        elif kind == "fence" or kind == "code_block":
            prose = True
            add_text(tok.content)
        elif kind == "paragraph_open" and lines is not None and tok.level == 0 and tok.map:
            start = tok.map[0]
            if lines[start].startswith(("    ", "\t")):
                indented.append(start + first_line)
    html = md.renderer.render(tokens, md.options, {})
    text = "".join(text_parts).strip()
    return RenderedBody(
        html=html,
        text=text,
        links=tuple(links),
        chars=count_chinese(text),
        empty_sections=tuple(t for t, empty in headings if empty),
        prose=prose,
        indented=tuple(indented),
    )


def _rewrite_link(
    tok: Token, source_dir: str, base_path: str, line: int, links: list[ItemLink]
) -> None:
    href = str(tok.attrGet("href") or "")
    if not href or SCHEME_RE.match(href) or href.startswith(("#", "/", "//")):
        return
    parts = urlsplit(href)
    path = unquote(parts.path)
    if not path.endswith(".md"):
        return
    target = posixpath.normpath(posixpath.join(source_dir, path))
    links.append(ItemLink(target, line))
    slug = posixpath.basename(target)[:-3]
    url = item_url(base_path, slug)
    if parts.fragment:
        url += "#" + parts.fragment
    tok.attrSet("href", url)
