"""Rendering one planned page to bytes: its data, or its template with its context.

A page of kind ``PDF`` (``plan.page``) is its template's HTML laid out as a PDF document
(``export.pdf``, WeasyPrint: imported only when such a page is rendered).

No I/O: writing the bytes is the output's job, checking them the leak policy's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jinja2

from . import templates
from .diagnostics import Diagnostic
from .model import Site
from .plan.page import PDF, Page


@dataclass(frozen=True)
class Made:
    """A rendered page: its bytes, and the bytes the leak policy reads (the same, but for a
    PDF: the HTML it is laid out from; a PDF's text is glyphs in compressed streams)."""

    data: bytes
    text: bytes


def render_page(
    page: Page, env: jinja2.Environment, site: Site, today: dt.date
) -> bytes | Diagnostic:
    """The bytes of ``page`` (UTF-8 for templates), or the problem of its template
    (``path:line: template error …``). Raises ``BodyMissing`` if the cache lost a body
    the page shows; any other exception is a bug."""
    made = make_page(page, env, site, today)
    return made if isinstance(made, Diagnostic) else made.data


def make_page(page: Page, env: jinja2.Environment, site: Site, today: dt.date) -> Made | Diagnostic:
    """``render_page`` with the text to check for leaks (see ``Made``)."""
    data = page.make_data()
    if data is not None:
        return Made(data, data)
    context = {"site": site, "today": today, **page.make_context()}
    try:
        html = templates.render(env, page.template, context, site.config)
    except templates.TemplateFailure as exc:
        return exc.diagnostic
    text = html.encode("utf-8")
    if page.kind != PDF:
        return Made(text, text)
    from .export.links import PaperLinks
    from .export.pdf import html_pdf

    page_url = str(context.get("page_url", site.config.base_path))
    links = PaperLinks(context.get("anchors", {}), site.config.base_url)
    return Made(html_pdf(html, page_url, site.config.base_path, links).data, text)
