"""Rendering one planned page to bytes: its data, or its template with its context.

No I/O: writing the bytes is the output's job, checking them the leak policy's.
"""

from __future__ import annotations

import datetime as dt

import jinja2

from . import templates
from .diagnostics import Diagnostic
from .model import Site
from .plan.page import Page


def render_page(
    page: Page, env: jinja2.Environment, site: Site, today: dt.date
) -> bytes | Diagnostic:
    """The bytes of ``page`` (UTF-8 for templates), or the problem of its template
    (``path:line: template error …``). Raises ``BodyMissing`` if the cache lost a body
    the page shows; any other exception is a bug."""
    data = page.make_data()
    if data is not None:
        return data
    context = {"site": site, "today": today, **page.make_context()}
    try:
        return templates.render(env, page.template, context, site.config).encode("utf-8")
    except templates.TemplateFailure as exc:
        return exc.diagnostic
