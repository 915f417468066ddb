"""A planned page: its output path, template, context and what it is made from.

``deps`` names what a page is made from (the kinds are in ``plan/deps.py``), and so when
it must be rendered again. Templates, config, options and today always count (the
fingerprint's ``base``). ``fingerprints`` turns deps into one fingerprint per page; the
build renders a page only when its fingerprint differs from the last build's. A new kind
of dep is added in ``plan/deps.py`` alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..fingerprint import digest
from ..model import Site
from . import deps as dep_kinds
from .deps import ALL_ITEMS, Values

# A page of this kind is a PDF laid out from its template's HTML (``render``); slow to make,
# so sessions (serve, watch) make such pages after the live ones: ``DEFERRED_KINDS``.
PDF = "pdf"
DEFERRED_KINDS = frozenset({PDF})

__all__ = [
    "ALL_ITEMS",
    "DEFERRED_KINDS",
    "PDF",
    "Page",
    "Planner",
    "Values",
    "body_slugs",
    "fingerprints",
]


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
    return dep_kinds.body_slugs(page.deps)


def fingerprints(
    site: Site, pages: Iterable[Page], base: str, values: Values | None = None
) -> dict[str, str]:
    """Each page's fingerprint: ``base`` (templates, config, options, today), its kind,
    template and what its deps stand for (``values``: by default the fine kinds of
    ``site``)."""
    value = values if values is not None else Values(site)
    return {
        page.path: digest(base, page.kind, page.template, *map(value, page.deps)) for page in pages
    }
