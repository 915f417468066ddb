"""Item bodies: one configured MarkdownIt → HTML, plain text and outgoing item links."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .urls import item_url

SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# The Chinese characters counted in ``RenderedBody.chars``: U+3400–U+9FFF and U+F900–U+FAFF
# (CJK Extension A, the unified ideographs and the compatibility ideographs). A character
# is one of them exactly when its UTF-16 code unit's high byte is 0x34–0x9F or 0xF9–0xFA
# (characters beyond the BMP become surrogate pairs, high bytes 0xD8–0xDF: not counted).
_CJK_HIGH_BYTES = bytes(range(0x34, 0xA0)) + b"\xf9\xfa"


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


def make_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML is escaped, not passed through.

    Three rules are switched off because they never change the result here, yet cost time
    on every block and line: ``html_block`` and ``html_inline`` (they return at once when
    the ``html`` option is off) and the ``normalize`` core rule (line endings and NUL
    characters), which ``render_body`` does itself, only when the body needs it.
    """
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable(["table", "strikethrough"])
        .disable(["html_block", "html_inline", "normalize"])
    )


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
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "inline":
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
            add_text(tok.content)
    html = md.renderer.render(tokens, md.options, {})
    text = "".join(text_parts).strip()
    return RenderedBody(
        html=html,
        text=text,
        links=tuple(links),
        chars=count_chinese(text),
        empty_sections=tuple(t for t, empty in headings if empty),
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
