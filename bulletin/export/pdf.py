"""PDF through WeasyPrint, from a page's own HTML and the print stylesheet.

The HTML is what the site's templates render for the page on the intranet (``render``);
WeasyPrint lays it out for print media: ``bulletin/static/print.css`` gives A4, the
GB/T 9704 margins, 「— 1 —」 page numbers and the marking on every page. Nothing is
fetched from a network: the only URLs resolved are the site's own stylesheets, served from
the package (``SiteFetcher``). Fonts come from the system through fontconfig (Debian:
``fonts-noto-cjk``); ``PdfResult.fonts`` names the ones the PDF embeds.
"""

from __future__ import annotations

import mimetypes
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .links import PaperLinks, paper_html

STATIC = Path(__file__).parent.parent / "static"
ORIGIN = "https://bulletin.invalid"  # a base for the page's URLs; never contacted
CJK_FAMILY_RE = re.compile(
    r"CJK|Song|Hei|Kai|Fang|Ming|Han |WenQuanYi|Fallback|[\u4e00-\u9fff]", re.I
)


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    fonts: tuple[str, ...]  # font families embedded in the PDF
    pages: int


def html_pdf(html: str, page_url: str, base_path: str, links: PaperLinks) -> PdfResult:
    """Lay out a page's HTML (the page at ``page_url``, a path below the site's
    ``base_path``) as an A4 PDF document, its links placed by ``links`` (``paper_html``:
    to a part of the document, the site's absolute address, or none). Its stylesheets are
    read from the package; no other URL is fetched. Raises ImportError without
    WeasyPrint."""
    import weasyprint

    document = weasyprint.HTML(
        string=paper_html(html, links),
        base_url=ORIGIN + page_url,
        url_fetcher=_fetcher(ORIGIN + base_path),
        media_type="print",
    ).render()
    data = document.write_pdf()
    fonts = tuple(sorted({str(f.family) for f in getattr(document, "fonts", {}).values()}))
    return PdfResult(data, fonts, len(document.pages))


def _fetcher(base: str) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the site's packaged assets; refuses everything else (no network)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            prefix = base + "assets/"
            if url.startswith(prefix):
                name = url[len(prefix) :].split("?")[0].split("#")[0]
                path = (STATIC / name).resolve()
                if path.parent == STATIC.resolve() and path.is_file():
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"not fetched (documents use no network): {url}")

    return SiteFetcher()


def cjk_fonts() -> list[str] | None:
    """Font families fontconfig has for Chinese, or None if it cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def has_cjk(fonts: tuple[str, ...]) -> bool:
    """Whether one of the embedded families looks like a Chinese font."""
    return any(CJK_FAMILY_RE.search(f) for f in fonts)
