"""The site's URL scheme in one place: where each kind of page lives.

A URL is a path below the site's ``base_path`` (``/`` or ``/bulletin/``…), always ending
in ``/`` for a page; ``out_path`` turns it into the output file that serves it. Ids and
slugs are percent-encoded where needed (a Chinese slug is encoded, a plain one is kept).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

URL_SAFE_RE = re.compile(r"[A-Za-z0-9_.~/-]*")  # what urllib.parse.quote leaves as it is
ITEMS = "items"  # the folder of item pages: items/<slug>/


def _segment(text: str) -> str:
    # most slugs need no quoting: skip quote()'s per-character work for them
    return text if URL_SAFE_RE.fullmatch(text) else quote(text)


def item_url(base_path: str, slug: str) -> str:
    """An item's page: ``<base>items/<slug>/``."""
    return f"{base_path}{ITEMS}/{_segment(slug)}/"


def item_dir(slug: str) -> str:
    """The output folder of an item's page (``items/<slug>/``, not encoded)."""
    return f"{ITEMS}/{slug}/"


def unit_url(base_path: str, unit_id: str) -> str:
    """A unit's page: its items by year and its dashboard."""
    return f"{base_path}units/{quote(unit_id)}/"


def category_url(base_path: str, category_id: str) -> str:
    """A category's page: its items by year."""
    return f"{base_path}categories/{quote(category_id)}/"


def level_url(base_path: str, level_id: str) -> str:
    """The list of items adopted at one level (区委, 市委…)."""
    return f"{base_path}adopted/{quote(level_id)}/"


def section_url(base_path: str, *parts: object) -> str:
    """A page of a site section: ``section_url(b, "stats", 2026)`` is ``<b>stats/2026/``."""
    return base_path + "".join(f"{p}/" for p in parts)


def out_path(url: str, base_path: str) -> str:
    """The output file serving a site URL: ``/b/items/x/`` → ``items/x/index.html``."""
    rel = unquote(url[len(base_path) :])
    return rel + "index.html" if rel.endswith("/") or not rel else rel


def feed_path(url: str, base_path: str) -> str:
    """The Atom feed of a page's items: ``/b/units/x/`` → ``units/x/feed.xml``."""
    return out_path(url, base_path).removesuffix("index.html") + "feed.xml"


def issues_url(base_path: str, bulletin_id: str | None = None) -> str:
    """``/issues/``, every bulletin's issues by year; with ``bulletin_id``, that bulletin's
    place on it (one page lists them all)."""
    return f"{base_path}issues/" + (f"#{quote(bulletin_id)}" if bulletin_id else "")


def issue_url(base_path: str, bulletin_id: str, year: int, number: int) -> str:
    """A bulletin issue (期) laid out as the printed 简报: ``<base>issues/<id>/<year>/<n>/``."""
    return f"{base_path}issues/{quote(bulletin_id)}/{year}/{number}/"


def issue_pdf_name(bulletin_id: str, year: int, number: int) -> str:
    """The file name of an issue's PDF beside its page: bulletin, year and number (never
    a title: a file name must not carry what a withheld issue would say)."""
    return f"{bulletin_id}-{year}-{number}.pdf"


def circular_url(base_path: str, year: int, quarter: int) -> str:
    """A quarter's circular (通报): ``<base>stats/<year>/q<N>/``."""
    return section_url(base_path, "stats", year, f"q{quarter}")
