"""Links on paper: where a link of a page's HTML goes in its PDF or .docx.

On the intranet a link in an issue (the editor's note naming an item, an item's body
linking another) goes to the item's page, ``/items/<slug>/``. A PDF or a Word file is
read away from the site: there a link to an item the document itself holds jumps to it
(the issue's ``#i2``, the anthology's ``#r3``), a link elsewhere on the site is the
site's absolute address when ``base_url`` in site.toml is one, and otherwise plain text
(a path alone leads nowhere outside the site, so no link is better than a broken one).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

A_HREF_RE = re.compile(r'(<a\b[^>]*?)\shref="([^"]*)"')


@dataclass(frozen=True)
class PaperLinks:
    """``anchors``: the path of a page the document holds (an item's URL) → the id of
    the part of the document that shows it; ``site_url``: site.toml's ``base_url`` (an
    absolute http(s) URL, or a path when the site has no fixed address)."""

    anchors: Mapping[str, str] = field(default_factory=dict)
    site_url: str = "/"

    def target(self, href: str) -> str | None:
        """Where ``href`` (as the page's HTML has it) leads on paper: ``#id`` inside the
        document, an absolute URL, or None (no link)."""
        if href.startswith("#") or urlsplit(href).scheme in ("http", "https", "mailto"):
            return href
        path = unquote(href.split("#", 1)[0].split("?", 1)[0])
        anchor = next((a for url, a in self.anchors.items() if unquote(url) == path), None)
        if anchor is not None:
            return "#" + anchor
        if urlsplit(self.site_url).scheme:
            return urljoin(self.site_url, href)
        return None


def paper_html(html: str, links: PaperLinks) -> str:
    """``html`` with the ``href`` of every ``<a>`` as ``links`` places it on paper (see
    the module); an ``<a>`` whose link leads nowhere off the site loses its ``href``.
    Only ``<a>`` elements change: stylesheets are still read from the site's assets."""

    def replace(match: re.Match[str]) -> str:
        target = links.target(match.group(2).replace("&amp;", "&"))
        if target is None:
            return match.group(1)
        return f'{match.group(1)} href="{target.replace("&", "&amp;").replace(chr(34), "%22")}"'

    return A_HREF_RE.sub(replace, html)
