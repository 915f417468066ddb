"""A planned page: its output path, template, context and what it is made from.

``deps`` names what a page is made from, and so when it must be rendered again:

- ``item:<slug>``: an item, its body included;
- ``meta:<slug>``: an item's front matter only (title, unit, dates…: what lists show);
- ``all-items``: the front matter of every item (the order and groups of the site);
- any other string stands for itself (``config``: only templates, config and options).

Templates, config, options and today always count (the fingerprint's ``base``).
``fingerprints`` turns deps into one fingerprint per page; the build renders a page only
when its fingerprint differs from the last build's. A new kind of dep (say, one naming the
fields a list shows) is added in ``dep_value`` alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..fingerprint import digest
from ..model import Site

ALL_ITEMS = "all-items"
# A page of this kind is a PDF laid out from its template's HTML (``render``); slow to make,
# so sessions (serve, watch) make such pages after the live ones: ``DEFERRED_KINDS``.
PDF = "pdf"
DEFERRED_KINDS = frozenset({PDF})


@dataclass(frozen=True)
class Page:
    """One output file of the plan (see the module docstring for ``deps``)."""

    path: str  # output file, relative to the output root
    template: str
    # the template's variables, or a function making them: called only when the page
    # must be rendered, so planning a one-item rebuild skips expensive contexts
    context: dict[str, Any] | Callable[[], dict[str, Any]] = field(hash=False, compare=False)
    deps: tuple[str, ...] = ()
    kind: str = "page"
    # bytes made in Python (JSON, CSV) instead of a template, or a function making them
    data: bytes | Callable[[], bytes] | None = field(default=None, hash=False, compare=False)

    def make_context(self) -> dict[str, Any]:
        return self.context() if callable(self.context) else self.context

    def make_data(self) -> bytes | None:
        return self.data() if callable(self.data) else self.data


Planner = Callable[[Site, dt.date], Iterable[Page]]


def body_slugs(page: Page) -> list[str]:
    """The items whose bodies ``page`` shows (its ``item:`` deps)."""
    return [dep[5:] for dep in page.deps if dep.startswith("item:")]


def dep_value(dep: str, site: Site, every: Callable[[], str]) -> str:
    """What ``dep`` stands for in ``site`` now (see the module docstring); ``every`` gives
    the fingerprint of all items' front matter (made once per plan)."""
    if dep.startswith(("item:", "meta:")):
        item = site.item(dep[5:])
        if item is None:
            return "-"
        return item.body_key if dep[0] == "i" else item.meta_key
    if dep == ALL_ITEMS:
        return every()
    return dep


def fingerprints(site: Site, pages: Iterable[Page], base: str) -> dict[str, str]:
    """Each page's fingerprint: ``base`` (templates, config, options, today), its kind,
    template and what its deps stand for."""
    every: list[str] = []

    def all_items() -> str:
        if not every:
            every.append(digest(*(i.meta_key for i in site.items)))
        return every[0]

    return {
        page.path: digest(
            base, page.kind, page.template, *(dep_value(d, site, all_items) for d in page.deps)
        )
        for page in pages
    }
