"""The office's documents for paper and OA systems: PDF and Word (.docx).

``bulletin export issue BULLETIN YEAR NUMBER | circular YEAR QUARTER | anthology YEAR
--format pdf|docx`` picks a ``Document`` here and hands it to ``pdf.document_pdf``
(WeasyPrint, from the same HTML and print stylesheet as the site) or ``docx.document_docx``
(python-docx, the same structure: masthead, headings, items, 报/送/发). Both libraries are
the optional extra ``bulletin[export]``; without it ``require`` raises ``ExportUnavailable``
whose message is the one line to show.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass
from typing import Any

from .. import circular, stats
from ..documents import circular_context, issue_context
from ..model import Site

INSTALL = "pip install 'bulletin[export]'"
LIBRARIES = {"pdf": ("weasyprint", "WeasyPrint"), "docx": ("docx", "python-docx")}


class ExportUnavailable(Exception):
    """The library a format needs is not installed (the message says what to install)."""


def require(fmt: str) -> None:
    """Raise ``ExportUnavailable`` unless the library for ``fmt`` (pdf | docx) imports."""
    module, name = LIBRARIES[fmt]
    if importlib.util.find_spec(module) is None:
        raise ExportUnavailable(
            f"exporting {fmt.upper()} needs {name}, which is not installed: {INSTALL}"
        )


@dataclass(frozen=True)
class Document:
    """One exportable document: the template and context of its page, its file name."""

    kind: str  # issue | circular | anthology
    template: str
    context: dict[str, Any]
    filename: str  # without extension
    title: str


def issue_document(site: Site, bulletin: str, year: int, number: int) -> Document | None:
    """A published issue, or None if the site has no such issue."""
    for issue in site.issues:
        if (issue.bulletin.id, issue.year, issue.number) == (bulletin, year, number):
            return Document(
                "issue",
                "issue.html",
                issue_context(site, issue),
                f"{bulletin}-{year}-{number}",
                issue.label + (f"（{issue.title}）" if issue.title else ""),
            )
    return None


def circular_document(site: Site, year: int, quarter: int, today: dt.date) -> Document | None:
    """A quarter's circular, or None if that quarter has none (not begun, no items)."""
    if (year, quarter) not in circular.circular_quarters(site, today):
        return None
    context = circular_context(site, year, quarter, today)
    return Document(
        "circular",
        "circular.html",
        context,
        f"circular-{year}-q{quarter}",
        f"{year}-q{quarter}",
    )


def anthology_document(site: Site, year: int) -> Document | None:
    """The year's anthology of excellent research reports, or None if it has none."""
    volumes = stats.anthology(site)
    if year not in volumes:
        return None
    base = site.config.base_path
    return Document(
        "anthology",
        "anthology.html",
        {
            "year": year,
            "reports": volumes[year],
            "volumes": volumes,
            "page_url": f"{base}anthology/{year}/",
        },
        f"anthology-{year}",
        str(year),
    )
