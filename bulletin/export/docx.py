"""Word (.docx) through python-docx, with the structure of the page it is made from.

The page's HTML (the same the site and the PDF show) is walked with lxml, python-docx's
own parser: the masthead becomes the bulletin's name in large red type with a red rule
under the publisher and date, headings become headings, paragraphs, lists and tables stay
what they are, and the 报/送/发 lines close the document. What is not printed on paper
(navigation, "view item" links, download links, hidden labels) is left out. Links stay
links, placed as in the PDF (``links.paper_html``): one to an item the document holds
jumps to its heading (a Word bookmark), one elsewhere on the site opens its address.

The page is A4 with the margins of GB/T 9704-2012 (37 mm top, 35 mm bottom, 28 mm left,
26 mm right); body text 3号 (16 pt) 仿宋, titles 2号 (22 pt) 小标宋, falling back to the
fonts Word finds; the marking and the publisher in the header and 「— 1 —」 page numbers in
the footer of every page.
"""

from __future__ import annotations

import io
from typing import Any

from .links import PaperLinks, paper_html

BODY_FONT = "仿宋_GB2312"
BODY_FONT_FALLBACK = "FangSong"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
RED = (0xC0, 0x00, 0x00)
SKIP_CLASSES = {"source", "downloads", "visually-hidden", "issue-toc", "circular-links"}
SKIP_TAGS = {"nav", "script", "style", "form", "button", "svg"}


def html_docx(html: str, marking: str, publisher: str, links: PaperLinks) -> bytes:
    """A page's HTML (as the site renders it) as a .docx file's bytes, with ``marking``
    (内部资料，注意保存) and ``publisher`` in the header of every page, its links placed
    by ``links``. Raises ImportError without python-docx."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt
    from lxml import html as lxml_html

    page = lxml_html.fromstring(paper_html(html, links))
    article = page.find(".//main") if page.find(".//main") is not None else page
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _fonts(normal.element, BODY_FONT_FALLBACK, BODY_FONT)
    header = section.header.paragraphs[0]
    header.text = f"{marking}\t\t{publisher}"
    _small(header, Pt(10.5))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _page_field(footer)
    footer.add_run(" —")
    _small(footer, Pt(14))
    Writer(doc, article).walk(article)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class Writer:
    """Walks the page's HTML and adds paragraphs, headings, lists and tables to ``doc``."""

    def __init__(self, doc: Any, page: Any):
        self.doc = doc
        # the ids an internal link of the page leads to
        self.targets = {
            str(a.get("href"))[1:] for a in page.iter("a") if a.get("href", "")[:1] == "#"
        }
        self.bookmark: str | None = None  # an id waiting for the next paragraph
        self.bookmarks = 0

    def paragraph(self, text: str = "") -> Any:
        """A new paragraph of ``text``, with the bookmark of the element it starts."""
        p = self.doc.add_paragraph(text)
        if self.bookmark is not None:
            _bookmark(p, self.bookmarks, self.bookmark)
            self.bookmarks += 1
            self.bookmark = None
        return p

    def linked(self, el: Any, prefix: str = "") -> Any:
        """A new paragraph of ``prefix`` and the element's text, its links kept as Word
        hyperlinks."""
        p = self.paragraph(prefix)
        for text, href in self.segments(el):
            if href is None:
                p.add_run(text)
            else:
                _hyperlink(p, text, href)
        return p

    def segments(self, el: Any) -> list[tuple[str, str | None]]:
        """The element's text as ``text()`` gives it, in pieces: (text, the href of the
        link it is in, or None)."""
        parts: list[tuple[str, str | None]] = []

        def collect(node: Any, href: str | None) -> None:
            if isinstance(node.tag, str) and self.skipped(node):
                if node.tail:
                    parts.append((node.tail, href))
                return
            here = node.get("href") if node.tag == "a" and node.get("href") else href
            if node.text:
                parts.append((node.text, here))
            for sub in node:
                collect(sub, here)
            if node is not el and node.tail:
                parts.append((node.tail, href))

        collect(el, None)
        merged: list[tuple[str, str | None]] = []
        for text, href in parts:
            if merged and merged[-1][1] == href:
                merged[-1] = (merged[-1][0] + text, href)
            else:
                merged.append((text, href))
        # whitespace as HTML shows it (runs of it one space, none at the ends)
        out: list[tuple[str, str | None]] = []
        for text, href in merged:
            squeezed = " ".join(text.split())
            spaced = bool(out) and out[-1][0].endswith(" ")
            if not squeezed:
                if out and not spaced:
                    out[-1] = (out[-1][0] + " ", out[-1][1])
                continue
            if text[:1].isspace() and out and not spaced:
                squeezed = " " + squeezed
            if text[-1:].isspace():
                squeezed += " "
            out.append((squeezed, href))
        if out:
            out[0] = (out[0][0].lstrip(), out[0][1])
            out[-1] = (out[-1][0].rstrip(), out[-1][1])
        return out

    def walk(self, element: Any) -> None:
        for child in element:
            if not isinstance(child.tag, str) or self.skipped(child):
                continue
            self.block(child)

    def skipped(self, el: Any) -> bool:
        classes = set((el.get("class") or "").split())
        return (
            el.tag in SKIP_TAGS
            or bool(classes & SKIP_CLASSES)
            or el.get("download") is not None
            or el.get("role") == "search"
        )

    def text(self, el: Any) -> str:
        """The element's text without what paper leaves out, whitespace as HTML shows it."""
        parts: list[str] = []

        def collect(node: Any) -> None:
            if isinstance(node.tag, str) and self.skipped(node):
                if node.tail:
                    parts.append(node.tail)
                return
            if node.text:
                parts.append(node.text)
            for sub in node:
                collect(sub)
            if node is not el and node.tail:
                parts.append(node.tail)

        collect(el)
        return " ".join("".join(parts).split())

    def block(self, el: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.shared import Pt, RGBColor

        classes = set((el.get("class") or "").split())
        tag = el.tag
        if el.get("id") in self.targets:
            self.bookmark = el.get("id")
        if "masthead-name" in classes:
            p = self.paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(self.text(el))
            run.font.size, run.font.bold = Pt(42), False
            run.font.color.rgb = RGBColor(*RED)
            _fonts(run._element, "SimSun", TITLE_FONT)
        elif "editor-note" in classes:
            self.linked(el)
        elif classes & {"masthead-meta", "issue-foot-line"}:
            p = self.paragraph()
            spans = [self.text(s) for s in el if isinstance(s.tag, str)]
            p.add_run("\t".join(spans) if spans else self.text(el))
            p.paragraph_format.tab_stops.add_tab_stop(
                self.doc.sections[0].page_width
                - self.doc.sections[0].left_margin
                - self.doc.sections[0].right_margin,
                alignment=2,  # right
            )
            if "masthead-meta" in classes:
                _rule(p, "C00000", 18)
        elif tag == "hr":
            p = self.paragraph()
            _rule(p, "C00000" if "red-rule" in classes else "000000", 12)
        elif "anthology-report" in classes and self.doc.paragraphs:
            self.doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
            self.walk(el)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self.text(el)
            if not text:
                return
            title = tag == "h1" or bool(classes & {"issue-item-title", "report-title"})
            p = self.paragraph()
            run = p.add_run(text)
            if title:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.font.size = Pt(22)
                _fonts(run._element, "SimSun", TITLE_FONT)
            else:
                run.font.size = Pt(16)
                _fonts(run._element, "SimHei", HEADING_FONT)
            p.style = self.doc.styles["Heading 1" if title else "Heading 2"]
            for r in p.runs:
                r.font.color.rgb = RGBColor(0, 0, 0)
        elif tag == "p":
            if self.text(el):
                p = self.linked(el)
                if classes & {"masthead-number", "masthead-title", "issue-item-unit"}:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif el.getparent() is not None and "body" in (el.getparent().get("class") or ""):
                    p.paragraph_format.first_line_indent = Pt(32)  # two characters
        elif tag in ("ul", "ol"):
            for n, li in enumerate((c for c in el if c.tag == "li"), 1):
                if self.text(li):
                    self.linked(li, f"{n}. " if tag == "ol" else "· ")
        elif tag == "dl":
            for row in el.iter("div"):
                text = self.text(row)
                if text:
                    p = self.paragraph(text)
                    _rule(p, "000000", 6)
        elif tag == "table":
            self.table(el)
        elif tag in ("section", "article", "header", "footer", "div", "aside", "main"):
            self.walk(el)
        else:
            text = self.text(el)
            if text:
                self.paragraph(text)

    def table(self, el: Any) -> None:
        rows = [r for r in el.iter("tr")]
        if not rows:
            return
        width = max(len([c for c in r if c.tag in ("td", "th")]) for r in rows)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for r in rows:
            cells = table.add_row().cells
            for i, c in enumerate(c for c in r if c.tag in ("td", "th")):
                cells[i].text = self.text(c)


def _fonts(element: Any, latin: str, east_asia: str) -> None:
    """Set a run's or style's fonts, the Chinese one included (w:eastAsia)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _bookmark(paragraph: Any, number: int, name: str) -> None:
    """A bookmark ``name`` around the paragraph (where an internal hyperlink jumps)."""
    from docx.oxml.ns import qn

    p = paragraph._p
    start = p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): str(number), qn("w:name"): name})
    end = p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): str(number)})
    ppr = p.find(qn("w:pPr"))
    p.insert(p.index(ppr) + 1 if ppr is not None else 0, start)
    p.append(end)


def _hyperlink(paragraph: Any, text: str, href: str) -> None:
    """A hyperlink run: to a bookmark for ``#id``, else to the address ``href``."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn

    p = paragraph._p
    if href.startswith("#"):
        attrs = {qn("w:anchor"): href[1:], qn("w:history"): "1"}
    else:
        rel = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        attrs = {qn("r:id"): rel, qn("w:history"): "1"}
    link = p.makeelement(qn("w:hyperlink"), attrs)
    run = paragraph.add_run(text)
    run.font.underline = True
    run.font.color.rgb = _rgb(0x0B, 0x4F, 0x9C)
    p.remove(run._r)
    link.append(run._r)
    p.append(link)


def _rgb(r: int, g: int, b: int) -> Any:
    from docx.shared import RGBColor

    return RGBColor(r, g, b)


def _small(paragraph: Any, size: Any) -> None:
    for run in paragraph.runs:
        run.font.size = size


def _rule(paragraph: Any, color: str, size: int) -> None:
    """A bottom border under the paragraph (the red rule of a masthead)."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(
        qn("w:bottom"),
        {qn("w:val"): "single", qn("w:sz"): str(size), qn("w:space"): "1", qn("w:color"): color},
    )
    border.append(bottom)
    ppr.append(border)


def _page_field(paragraph: Any) -> None:
    """A PAGE field: Word fills in the page number."""
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        run._r.append(el)
