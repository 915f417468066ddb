"""What a page is made from (its deps), and what each dep stands for in a site now.

A page lists its deps; its fingerprint (``plan.page.fingerprints``) is made of their
values, so a page is rendered again exactly when something it shows changed. The kinds:

- ``item:<slug>``: an item, body included (its ``body_key``: the whole file);
- ``meta:<slug>``: an item's front matter (``meta_key``);
- ``card:<slug>``: an item as lists show it (``partials/item_list.html``): its URL, title,
  date, draft or sign-off mark, unit, category and adoption badges — a summary or tag edit leaves
  the lists showing it as they are;
- figures, each the inputs of what some page shows of the whole site:
  ``stats:<year>`` (a year's figures: ``stats_inputs``), ``stats-years`` (the years with
  figures), ``counts`` (items per unit, category and adoption level), ``open-threads``
  (emergencies awaiting a final report), ``supervision`` (the supervision board),
  ``commendations`` (honour rolls), ``anthology`` (the anthology's volumes);
- ``all-items``: the front matter of every item (an empty feed's date);
- any other string stands for itself (``config``: only templates, config and options).

List pages name the cards of exactly the items they list, in order, so a change of
membership or order changes their value too.

The fine kinds hold for the packaged layouts, whose pages show only what their context
holds. A site with layouts of its own (``layouts/``) may show any field anywhere: there
``card:`` stands for the whole front matter and every figure for ``all-items``
(``Values(site, fine=False)``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import stats
from ..fingerprint import digest
from ..model import Item, Site

ALL_ITEMS = "all-items"
STATS_YEARS = "stats-years"
COUNTS = "counts"
OPEN_THREADS = "open-threads"
SUPERVISION = "supervision"
COMMENDATIONS = "commendations"
ANTHOLOGY = "anthology"
FIGURES = (STATS_YEARS, COUNTS, OPEN_THREADS, SUPERVISION, COMMENDATIONS, ANTHOLOGY)


def item(slug: str) -> str:
    """The dep on an item, body included."""
    return "item:" + slug


def meta(slug: str) -> str:
    """The dep on an item's front matter."""
    return "meta:" + slug


def cards(items: Iterable[Item]) -> tuple[str, ...]:
    """The deps of a list of ``items`` (in the order shown)."""
    return tuple("card:" + i.slug for i in items)


def stats_year(year: int) -> str:
    """The dep on the figures of ``year``."""
    return f"stats:{year}"


def body_slugs(deps: Iterable[str]) -> list[str]:
    """The items whose bodies a page with ``deps`` shows (its ``item:`` deps)."""
    return [dep[5:] for dep in deps if dep.startswith("item:")]


def card_key(i: Item) -> str:
    """What a list shows of an item (``partials/item_list.html``)."""
    return digest(
        i.slug,
        i.title,
        i.date,
        i.draft,
        i.pending,
        i.unit.id,
        i.category.id,
        *(a.level.id for a in i.adoptions),
    )


def stats_inputs(site: Site, year: int) -> str:
    """Everything the figures of ``year`` are made from (``stats.year_stats``): per
    published item of that year its unit, category, month and the levels of its
    adoptions and instructions; per emergency first report also what a criticism
    notice shows and judges (title, time, report delay, whether its thread is open)."""
    parts: list[object] = []
    for i in site.items_of_year(year):
        if i.draft:
            continue
        parts.append(
            (
                i.unit.id,
                i.category.id,
                i.date.month,
                tuple(a.level.id for a in i.adoptions),
                tuple(n.level.id for n in i.instructions),
            )
        )
        if i.category.id == stats.EMERGENCY and i.follow_up_of is None:
            thread = site.thread_of(i)
            members = [m for m in thread.items if not m.draft] if thread else [i]
            parts.append(
                (
                    i.slug,
                    i.title,
                    i.sort_key,
                    stats.report_delay_minutes(i),
                    not any(m.final for m in members),
                )
            )
    return digest(*parts)


def _figures(site: Site, dep: str) -> str:
    """The value of one of ``FIGURES``: the data its pages show, as the stats give it."""
    if dep == STATS_YEARS:
        return digest(*stats.stats_years(site))
    if dep == COUNTS:
        return digest(
            *(len(site.items_of_unit(u.id)) for u in site.units),
            *(len(site.items_of_category(c.id)) for c in site.categories),
            *(len(site.items_adopted_at(lv.id)) for lv in site.levels),
        )
    if dep == OPEN_THREADS:
        return digest(
            *(
                (t.root, t.first.slug, t.first.title, t.first.unit.id, len(t.items))
                for t in stats.open_emergencies(site)
            )
        )
    if dep == SUPERVISION:
        # the board's states follow from these dates and today (part of every fingerprint)
        return digest(
            *(
                (i.slug, i.title, i.date, i.due, i.done, tuple(u.id for u in i.assignees))
                for i in stats.published(site)
                if i.category.id == stats.SUPERVISION or i.assignees
            )
        )
    if dep == COMMENDATIONS:
        return digest(
            *(
                (year, tuple((i.slug, i.title, i.date, i.honorees) for i in items))
                for year, items in stats.commendations(site)
            )
        )
    assert dep == ANTHOLOGY
    return digest(
        *((year, tuple(i.slug for i in items)) for year, items in stats.anthology(site).items())
    )


class Values:
    """What deps stand for in ``site`` now, each figure and card computed once (one per
    plan)."""

    def __init__(self, site: Site, fine: bool = True) -> None:
        self.site = site
        self.fine = fine
        self._known: dict[str, str] = {}

    def __call__(self, dep: str) -> str:
        kind = dep[:5]
        if kind in ("item:", "meta:", "card:"):
            i = self.site.item(dep[5:])
            if i is None:
                return "-"
            if kind == "item:":
                return i.body_key
            if kind == "meta:" or not self.fine:
                return i.meta_key
            card = self._known.get(dep)  # an item is on several lists
            if card is None:
                card = self._known[dep] = card_key(i)
            return card
        if dep == ALL_ITEMS or (not self.fine and (dep in FIGURES or dep.startswith("stats:"))):
            dep = ALL_ITEMS
        elif dep not in FIGURES and not dep.startswith("stats:"):
            return dep  # stands for itself
        value = self._known.get(dep)
        if value is None:
            if dep == ALL_ITEMS:
                value = digest(*(i.meta_key for i in self.site.items))
            elif dep.startswith("stats:"):
                value = stats_inputs(self.site, int(dep[6:]))
            else:
                value = _figures(self.site, dep)
            self._known[dep] = value
        return value
