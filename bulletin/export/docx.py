"""Word (.docx) through python-docx, with the structure of the page it is made from.

The page's HTML (the same the site and the PDF show) is walked with lxml, python-docx's
own parser: the masthead becomes the bulletin's name in large red type with a red rule
under the publisher and date, headings become headings, paragraphs, lists and tables stay
what they are, and the 报/送/发 lines close the document. What is not printed on paper
(navigation, "view item" links, download links, hidden labels) is left out.

The page is A4 with the margins of GB/T 9704-2012 (37 mm top, 35 mm bottom, 28 mm left,
26 mm right); body text 3号 (16 pt) 仿宋, titles 2号 (22 pt) 小标宋, falling back to the
fonts Word finds; the marking and the publisher in the header and 「— 1 —」 page numbers in
the footer of every page.
"""

from __future__ import annotations

import io
from typing import Any

BODY_FONT = "仿宋_GB2312"
BODY_FONT_FALLBACK = "FangSong"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
RED = (0xC0, 0x00, 0x00)
SKIP_CLASSES = {"source", "downloads", "visually-hidden", "issue-toc", "circular-links"}
SKIP_TAGS = {"nav", "script", "style", "form", "button", "svg"}


def html_docx(html: str, marking: str, publisher: str) -> bytes:
    """A page's HTML (as the site renders it) as a .docx file's bytes, with ``marking``
    (内部资料，注意保存) and ``publisher`` in the header of every page. Raises ImportError
    without python-docx."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt
    from lxml import html as lxml_html

    page = lxml_html.fromstring(html)
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
    Writer(doc).walk(article)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class Writer:
    """Walks the page's HTML and adds paragraphs, headings, lists and tables to ``doc``."""

    def __init__(self, doc: Any):
        self.doc = doc

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
        if "masthead-name" in classes:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(self.text(el))
            run.font.size, run.font.bold = Pt(42), False
            run.font.color.rgb = RGBColor(*RED)
            _fonts(run._element, "SimSun", TITLE_FONT)
        elif "editor-note" in classes:
            self.doc.add_paragraph(self.text(el))
        elif classes & {"masthead-meta", "issue-foot-line"}:
            p = self.doc.add_paragraph()
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
            p = self.doc.add_paragraph()
            _rule(p, "C00000" if "red-rule" in classes else "000000", 12)
        elif "anthology-report" in classes and self.doc.paragraphs:
            self.doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
            self.walk(el)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self.text(el)
            if not text:
                return
            title = tag == "h1" or bool(classes & {"issue-item-title", "report-title"})
            p = self.doc.add_paragraph()
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
            text = self.text(el)
            if text:
                p = self.doc.add_paragraph(text)
                if classes & {"masthead-number", "masthead-title", "issue-item-unit"}:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif el.getparent() is not None and "body" in (el.getparent().get("class") or ""):
                    p.paragraph_format.first_line_indent = Pt(32)  # two characters
        elif tag in ("ul", "ol"):
            for n, li in enumerate((c for c in el if c.tag == "li"), 1):
                text = self.text(li)
                if text:
                    self.doc.add_paragraph(f"{n}. {text}" if tag == "ol" else f"· {text}")
        elif tag == "dl":
            for row in el.iter("div"):
                text = self.text(row)
                if text:
                    p = self.doc.add_paragraph(text)
                    _rule(p, "000000", 6)
        elif tag == "table":
            self.table(el)
        elif tag in ("section", "article", "header", "footer", "div", "aside", "main"):
            self.walk(el)
        else:
            text = self.text(el)
            if text:
                self.doc.add_paragraph(text)

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
