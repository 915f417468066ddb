"""Atom 1.0 feeds: the whole site's, and one per unit and per category.

A feed lists its newest entries (``FEED_LIMIT``) with their bodies, so it depends on
exactly the items it shows (``item:<slug>`` deps), and on every item only when empty.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from .. import stats
from ..i18n import translate
from ..model import Item, Site
from ..urls import feed_path
from . import deps
from .page import Page

FEED_LIMIT = 50


def absolute(site: Site, url: str) -> str:
    """``url`` (a site path) made absolute when base_url is absolute; else unchanged."""
    if not site.config.absolute_base:
        return url
    parts = urlsplit(site.config.base_url)
    return f"{parts.scheme}://{parts.netloc}{url}"


def feed_id(site: Site, url: str) -> str:
    """A permanent Atom id: the absolute URL, or a name-based UUID when there is no host."""
    if site.config.absolute_base:
        return absolute(site, url)
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"bulletin:{site.config.title}:{url}"))


def item_moment(item: Item) -> dt.datetime:
    """When an item was published, an aware datetime with the site's UTC offset: its
    date-time, or the start of its date, in the site's time zone."""
    return item.moment


def rfc3339(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def feed_order(items: list[Item]) -> list[Item]:
    """Newest moment first (ties by slug): the order of feed entries, and of the home page
    and every list (``Item.sort_key``)."""
    return sorted(items, key=lambda i: i.sort_key, reverse=True)


def feed_context(
    site: Site,
    items: list[Item],
    title: str,
    self_url: str,
    page_url: str,
    everything: list[Item],
) -> dict[str, Any]:
    """``items`` in feed order; ``everything`` is every published item, newest first."""
    items = items[:FEED_LIMIT]
    newest = items or everything[:1]
    updated = (
        max(item_moment(i) for i in newest) if newest else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    )
    return {
        "feed": {
            "id": feed_id(site, self_url),
            "title": title,
            "self": absolute(site, self_url),
            "alternate": absolute(site, page_url),
            "updated": rfc3339(updated),
            "base": absolute(site, site.config.base_path),
            "entries": [
                {
                    "id": feed_id(site, i.url),
                    "title": i.title,
                    "link": absolute(site, i.url),
                    "updated": rfc3339(item_moment(i)),
                    "author": i.unit.name,
                    "category": i.category,
                    "summary": i.summary,
                    "item": i,  # the template reads item.html: bodies load at render time
                }
                for i in items
            ],
        },
        "page_url": page_url,
    }


def feed_deps(context: dict[str, Any]) -> tuple[str, ...]:
    """A feed is made from exactly the entries it shows: bodies, and what the model adds
    to their front matter (adoptions by bulletin issues: ``meta:``)."""
    made = tuple(
        dep
        for e in context["feed"]["entries"]
        for dep in (deps.item(e["item"].slug), deps.meta(e["item"].slug))
    )
    return made or (deps.ALL_ITEMS,)  # an empty feed takes its date from the site's newest item


def feed_pages(site: Site, today: dt.date) -> Iterator[Page]:
    """Atom 1.0: /feed.xml, /units/<id>/feed.xml, /categories/<id>/feed.xml."""
    base = site.config.base_path
    lang = site.config.language
    everything = stats.published(site)
    ordered = feed_order(everything)
    context = feed_context(site, ordered, site.config.title, base + "feed.xml", base, everything)
    yield Page("feed.xml", "feed.xml", context, feed_deps(context), "feed")
    of_unit: dict[str, list[Item]] = {u.id: [] for u in site.units}
    of_category: dict[str, list[Item]] = {c.id: [] for c in site.categories}
    for item in ordered:  # one pass; each group keeps the feed order
        of_unit[item.unit.id].append(item)
        of_category[item.category.id].append(item)
    groups = [("feed_unit", unit, of_unit[unit.id]) for unit in site.units] + [
        ("feed_category", cat, of_category[cat.id]) for cat in site.categories
    ]
    for title_key, group, items in groups:
        context = feed_context(
            site,
            items,
            f"{translate(lang, title_key, name=group.name)} - {site.config.title}",
            group.url + "feed.xml",
            group.url,
            everything,
        )
        yield Page(
            feed_path(group.url, base),
            "feed.xml",
            context,
            feed_deps(context),
            "feed",
        )
