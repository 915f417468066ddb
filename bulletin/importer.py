"""``bulletin import``: Word (.docx) and plain-text (.txt) documents → draft items.

Editors write in Word or WPS. A .docx is read by mammoth (the optional ``import`` extra:
``pip install 'bulletin[import]'``), which gives simple semantic HTML (headings,
paragraphs, lists, tables, images); ``html_to_blocks`` walks that HTML with the stdlib's
``html.parser`` into blocks, and ``blocks_to_markdown`` writes them as the Markdown of an
item body. A .txt (UTF-8 or GBK, the project's one sniff in ``encoding``) is one paragraph
per line. In both:

- the title is the first heading or paragraph, whichever comes first (and leaves the body);
- paragraphs numbered the way official documents number sections become headings:
  一、… is a section (``##``), （一）… a subsection (``###``);
- the indentation Word users type (full-width spaces 　　, or ordinary spaces) is removed;
- tables are kept (as Markdown tables); images are left out, with a warning;
- the date is ``--date``, else the last date the document gives (its 落款, 2026年5月3日),
  else today.

The result is a draft (``status: draft``) under ``content/<unit>/``, written with the same
rules as ``bulletin new`` (never over a file, slugs unique). ``bulletin import DIR`` imports
every .docx and .txt in the folder and reports per file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .clock import site_today
from .config import SiteConfig
from .diagnostics import Diagnostic, report
from .fsutil import decode_document
from .messages import Message, msg
from .schema import FieldError, category_id, unit_id
from .skeletons import new_item_text, slug_for, write_new_item

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
SUFFIXES = (".docx", ".txt")
# 一、 二、… 十二、: a section; （一） (一): a subsection
SECTION_RE = re.compile(r"^[一二三四五六七八九十百]+、")
SUBSECTION_RE = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
INDENT = " \t\u3000\u00a0"
# A line a Markdown reader would take for a heading, quote, list or rule: escaped.
MARKDOWN_START_RE = re.compile(r"^(#|>|[-+*](\s|$)|\d+[.)](\s|$)|=+\s*$|`{3}|~{3})")


@dataclass(frozen=True)
class Block:
    """One block of a document: ``kind`` is "h1".."h6", "p", "li" or "table";
    ``text`` its text with inline emphasis as Markdown; ``rows`` a table's cells."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Converted:
    """A document as an item: its title, Markdown body, date (if it gives one) and the
    number of images left out."""

    title: str
    body: str
    date: dt.date | None
    images: int = 0


class _Blocks(HTMLParser):
    """mammoth's HTML → ``Block``s. Only the elements mammoth writes are known."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.text: list[str] = []
        self.kind: str | None = None
        self.rows: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.images = 0
        self.list_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.rows = []
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows is not None:
            self.cell = []
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li") and self.cell is None:
            self._flush()
            self.kind = tag
        elif tag in ("strong", "b"):
            self._add("**")
        elif tag in ("em", "i"):
            self._add("*")
        elif tag == "br":
            self._add("\n")
        elif tag == "img":
            self.images += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.rows is not None and self.cell is not None:
            self.rows[-1].append(_clean("".join(self.cell)))
            self.cell = None
        elif tag == "p" and self.cell is not None:
            self.cell.append(" ")  # paragraphs of one cell: one line
        elif tag == "table" and self.rows is not None:
            rows = tuple(tuple(r) for r in self.rows if r)
            if rows:
                self.blocks.append(Block("table", rows=rows))
            self.rows = None
        elif tag in ("strong", "b"):
            self._add("**")
        elif tag in ("em", "i"):
            self._add("*")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li") and self.cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._add(data)

    def _add(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.text.append(text)

    def _flush(self) -> None:
        text = "".join(self.text)
        self.text = []
        kind, self.kind = self.kind or "p", None
        for line in text.split("\n"):  # a line break inside a paragraph: two paragraphs
            line = _clean(line)
            if line.replace("*", ""):
                self.blocks.append(Block(kind, line))


def _clean(text: str) -> str:
    """Text of a block without the indentation editors type and with single spaces."""
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return text.strip(INDENT).replace("**\u3000", "**").strip(INDENT)


def html_to_blocks(html: str) -> tuple[list[Block], int]:
    """mammoth's HTML as blocks, and the number of images it held."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks, parser.images


def text_to_blocks(text: str) -> list[Block]:
    """A plain-text document as blocks: each non-empty line a paragraph."""
    return [Block("p", _clean(line)) for line in text.split("\n") if _clean(line)]


def blocks_to_markdown(blocks: list[Block]) -> str:
    """The Markdown body of ``blocks``: numbered paragraphs (一、/（一）) become headings."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "table":
            out.append(_table(block.rows))
        elif block.kind.startswith("h") or SECTION_RE.match(block.text):
            # Word's Heading 1 and 2 are sections, deeper ones subsections
            deep = block.kind in ("h3", "h4", "h5", "h6")
            level = 3 if deep or SUBSECTION_RE.match(block.text) else 2
            out.append("#" * level + " " + block.text.replace("*", ""))
        elif SUBSECTION_RE.match(block.text):
            out.append("### " + block.text.replace("*", ""))
        elif block.kind == "li":
            out.append("- " + _escape_inline(block.text))
        else:
            out.append(_escape_start(_escape_inline(block.text)))
    return "\n\n".join(out) + "\n" if out else ""


def _escape_start(text: str) -> str:
    """``text`` such that Markdown reads it as a paragraph, not a heading, list or quote:
    "1. 加强…" becomes "1\\. 加强…", "- x" becomes "\\- x"."""
    if not MARKDOWN_START_RE.match(text):
        return text
    number = re.match(r"^(\d+)([.)])", text)
    if number is not None:
        return f"{number.group(1)}\\{text[len(number.group(1)) :]}"
    return "\\" + text


def _escape_inline(text: str) -> str:
    return text.replace("<", "&lt;") if "<" in text else text


def _table(rows: tuple[tuple[str, ...], ...]) -> str:
    width = max(len(r) for r in rows)

    def line(cells: tuple[str, ...]) -> str:
        padded = [c.replace("|", "\\|").replace("\n", " ") for c in cells]
        padded += [""] * (width - len(cells))
        return "| " + " | ".join(padded) + " |"

    head, *rest = rows
    return "\n".join([line(head), "|" + "---|" * width, *(line(r) for r in rest)])


def convert_blocks(blocks: list[Block], images: int = 0) -> Converted:
    """Title, body and date of a document. The title is its first heading or paragraph,
    whichever comes first: an official document opens with its title (styled as a heading
    or only centred and bold); a Word heading further down is a section of the body
    (一、…) and stays there."""
    first = next((b for b in blocks if b.kind == "p" or b.kind.startswith("h")), None)
    title = first.text.replace("*", "").strip() if first is not None else ""
    body = blocks_to_markdown([b for b in blocks if b is not first])
    plain = " ".join(b.text for b in blocks) + " ".join(" ".join(r) for b in blocks for r in b.rows)
    date = None
    for match in DATE_RE.finditer(plain):
        try:
            date = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            continue
    return Converted(title, body, date, images)


def convert_docx(data: bytes) -> Converted:
    """A .docx document (its bytes) as an item; raises ImportError without mammoth and
    ValueError for a file mammoth cannot read."""
    import mammoth  # type: ignore[import-untyped, import-not-found]  # optional, no stubs

    def image(_image: object) -> dict[str, str]:
        return {}  # counted by html_to_blocks, never written out

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=mammoth.images.img_element(image)
        )
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file: say why, go on
        raise ValueError(str(exc) or type(exc).__name__) from None
    blocks, images = html_to_blocks(result.value)
    return convert_blocks(blocks, images)


def convert_txt(data: bytes) -> Converted:
    """A .txt document (UTF-8 or GBK) as an item; raises UnicodeError for neither."""
    text = decode_document(data)
    if text is None:
        raise UnicodeError("neither UTF-8 nor GBK")
    return convert_blocks(text_to_blocks(text))


@dataclass
class Outcome:
    """What importing one file gave: the item file written, or the problems."""

    source: str
    written: str | None = None
    problems: list[Diagnostic] = field(default_factory=list)


def import_file(
    path: Path, shown: str, config: SiteConfig, unit: str, category: str, date: dt.date | None
) -> Outcome:
    """Convert the document at ``path`` (``shown`` is how messages name it) into a draft
    item of ``unit`` and ``category`` and write it. Raises ImportError for a .docx
    without mammoth."""
    outcome = Outcome(shown)

    def fail(message: Message) -> Outcome:
        outcome.problems.append(Diagnostic(shown, None, None, message))
        return outcome

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return fail(msg("import.unsupported"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return fail(msg("content.cannot_read", error=str(exc.strerror or exc)))
    try:
        doc = convert_docx(data) if suffix == ".docx" else convert_txt(data)
    except ValueError as exc:
        if isinstance(exc, UnicodeError):
            return fail(msg("import.txt_encoding"))
        return fail(msg("import.unreadable", error=str(exc)))
    if not doc.title:
        return fail(msg("import.empty"))
    if doc.images:
        outcome.problems.append(
            Diagnostic(shown, None, None, msg("import.images", n=doc.images), "warning")
        )
    day = date or doc.date or site_today(config)
    text = new_item_text(doc.title, unit, category, day, config, body=doc.body)
    written, problem = write_new_item(config, unit, slug_for(doc.title, day), text)
    if problem is not None:
        return fail(problem)
    outcome.written = written
    return outcome


def documents_in(folder: Path) -> Iterator[Path]:
    """The .docx and .txt files directly in ``folder``, by name (Word's lock files ~$x
    and hidden files skipped)."""
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and path.suffix.lower() in SUFFIXES
            and not path.name.startswith(("~$", "."))
        ):
            yield path


def run_import(
    root: Path,
    config: SiteConfig,
    source: Path,
    *,
    unit: str,
    category: str | None,
    date: dt.date | None,
    language: str,
) -> int:
    """``bulletin import``: one document or a folder of them. Prints each item file
    written (stdout) and each problem (stderr), then for a folder a count. Exit 0 when
    every document was imported, 1 when one failed, 2 for bad arguments or no mammoth."""
    where = msg("cli.command_line").render(language)
    problems = []
    ids: dict[str, str] = {}
    for name, parse, value in (("unit", unit_id, unit), ("category", category_id, category)):
        try:
            ids[name] = parse(value or "briefing", config)
        except FieldError as exc:
            problems.append(Diagnostic(where, None, name, exc.message))
    if not source.exists():
        problems.append(Diagnostic(str(source), None, None, msg("import.not_found")))
    if problems:
        report(problems, language=language)
        return EXIT_USAGE
    files = list(documents_in(source)) if source.is_dir() else [source]
    if source.is_dir() and not files:
        report([Diagnostic(str(source), None, None, msg("import.dir_empty"))], language=language)
        return EXIT_CONTENT
    ok = failed = 0
    for path in files:
        shown = str(path)
        try:
            outcome = import_file(path, shown, config, ids["unit"], ids["category"], date)
        except ImportError:
            print(msg("import.no_mammoth").render(language), file=sys.stderr)
            return EXIT_USAGE
        report(outcome.problems, language=language)
        if outcome.written is not None:
            ok += 1
            print(msg("import.written", source=shown, path=outcome.written).render(language))
        else:
            failed += 1
    if source.is_dir():
        print(msg("import.summary", ok=ok, failed=failed).render(language), file=sys.stderr)
    if ok:
        print(msg("import.next").render(language), file=sys.stderr)
    return EXIT_CONTENT if failed else EXIT_OK
