"""Item bodies: one configured MarkdownIt → HTML, plain text and outgoing item links."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
NON_CJK_RE = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")


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


def item_url(base_path: str, slug: str) -> str:
    return f"{base_path}items/{quote(slug)}/"


def make_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML is escaped, not passed through."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_body(md: MarkdownIt, body: str, source_dir: str, base_path: str) -> RenderedBody:
    """Render ``body`` of an item whose file lies in ``source_dir`` (relative to content/)."""
    tokens = md.parse(body)
    links: list[ItemLink] = []
    text_parts: list[str] = []
    headings: list[tuple[str, bool]] = []  # (title, has content after)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            title = tokens[i + 1].content if i + 1 < len(tokens) else ""
            nxt = tokens[i + 3] if i + 3 < len(tokens) else None
            empty = nxt is None or (
                nxt.type == "heading_open" and int(nxt.tag[1]) <= int(tok.tag[1])
            )
            headings.append((title, empty))
        if tok.type == "inline" and tok.children:
            line = (tok.map[0] + 1) if tok.map else 1
            for child in tok.children:
                if child.type == "link_open":
                    _rewrite_link(child, source_dir, base_path, line, links)
                elif child.type in ("text", "code_inline"):
                    text_parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    text_parts.append("\n")
            text_parts.append("\n")
        elif tok.type in ("fence", "code_block"):
            text_parts.append(tok.content)
    html = md.renderer.render(tokens, md.options, {})
    text = "".join(text_parts).strip()
    return RenderedBody(
        html=html,
        text=text,
        links=tuple(links),
        chars=len(NON_CJK_RE.sub("", text)),
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
