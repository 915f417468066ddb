"""Pages of the office's documents: bulletin issues (期), quarterly circulars (通报), and the
issues' PDFs built at build time.

Planners take ``(site, today)`` and yield ``Page`` objects, like those of
``bulletin.reports``; ``DOCUMENT_PLANNERS`` lists them (``pages.planners`` adds them):

* ``/issues/``: every bulletin with its issues by year;
* ``/issues/<bulletin>/<year>/<number>/``: an issue laid out as the printed 简报;
* ``/stats/<year>/q<N>/``: the quarter's circular (``plan.circular``);
* with ``[export] pdf = true``, ``…/<number>/<bulletin>-<year>-<number>.pdf`` beside each
  issue page: a page of kind ``PDF`` (``plan.page``), rendered from the issue page's
  template and context and laid out by WeasyPrint with the print stylesheet
  (``render``, ``export.pdf``). A PDF is fingerprinted like the page it is made from (plus
  the print stylesheet and the export code), so it is made again only when the issue or
  something it shows changed. Sessions (serve, watch) make such pages after the live ones
  (``session.split_deferred``, ``build.finish_session``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..fingerprint import digest, hasher
from ..issues import Issue
from ..model import Item, Site
from ..urls import circular_url, issues_url, out_path, section_url
from . import circular, deps
from .page import PDF, Page, Planner
from .reports import ReasonView, reason_text

PACKAGE = Path(__file__).parent.parent
# what a PDF is laid out with besides its page: the stylesheets and the code of the layout
PRINT_FILES = tuple(
    PACKAGE / name
    for name in ("static/style.css", "static/documents.css", "static/print.css", "export/pdf.py")
)


def issues_fingerprint(site: Site) -> str:
    """A dependency naming every published issue as it is (its file and its URL)."""
    return "issues:" + digest(*(f"{i.key}:{i.url}" for i in site.issues))


@functools.cache
def print_fingerprint() -> str:
    """A dependency of PDFs: the print stylesheet and the code that makes them."""
    h = hasher()
    for path in PRINT_FILES:
        h.update(path.read_bytes())
    return "print:" + h.hexdigest()


def issue_items(site: Site, issue: Issue) -> list[Item]:
    """The items of an issue, in its order (all published: ``check_issues`` saw to it)."""
    return [item for slug in issue.slugs if (item := site.item(slug)) is not None]


def issue_context(site: Site, issue: Issue) -> dict[str, Any]:
    """What ``issue.html`` shows of an issue (also the HTML its PDF and .docx come from).
    ``anchors``: each item's URL → the id of its part of the issue (``#i1``…), where a
    link to it leads on paper (``export.links``)."""
    items = issue_items(site, issue)
    return {
        "issue": issue,
        "items": items,
        "anchors": {item.url: f"i{n}" for n, item in enumerate(items, 1)},
        "level": site.config.level(issue.bulletin.level),
        "pdf_url": issue.pdf_url if site.config.export_pdf else None,
        "page_url": issue.url,
    }


def issue_deps(issue: Issue) -> tuple[str, ...]:
    """An issue page shows its items whole (bodies and front matter) and the issue file."""
    return (
        f"issue:{issue.key}",
        *(f"item:{slug}" for slug in issue.slugs),
        *(f"meta:{slug}" for slug in issue.slugs),
    )


def issue_pages(site: Site, today: dt.date) -> Iterator[Page]:
    """/issues/, each issue's page and, with ``[export] pdf = true``, its PDF."""
    if not site.config.bulletins:
        return
    base = site.config.base_path
    yield Page(
        out_path(issues_url(base), base),
        "issues.html",
        lambda: {"bulletins": bulletins_by_year(site), "page_url": issues_url(base)},
        (issues_fingerprint(site),),
        "issues",
    )
    for issue in site.issues:
        context = functools.partial(issue_context, site, issue)
        yield Page(out_path(issue.url, base), "issue.html", context, issue_deps(issue), "issue")
        if site.config.export_pdf:
            yield Page(
                out_path(issue.pdf_url, base),
                "issue.html",
                context,
                (*issue_deps(issue), print_fingerprint()),
                PDF,
            )


def bulletins_by_year(site: Site) -> list[dict[str, Any]]:
    """Each configured bulletin with its published issues by year, newest year first."""
    out = []
    for config in site.config.bulletins:
        mine = [i for i in site.issues if i.bulletin.id == config.id]
        years: dict[int, list[Issue]] = {}
        for issue in sorted(mine, key=lambda i: (i.date, i.number), reverse=True):
            years.setdefault(issue.year, []).append(issue)
        out.append(
            {
                "bulletin": config,
                "level": site.config.level(config.level),
                "years": sorted(years.items(), reverse=True),
                "count": len(mine),
            }
        )
    return out


def circular_context(site: Site, year: int, quarter: int, today: dt.date) -> dict[str, Any]:
    base = site.config.base_path
    url = circular_url(base, year, quarter)
    c = circular.quarter_circular(site, year, quarter, today)
    return {
        "c": c,
        "candidates": [
            (unit, [ReasonView(r.code, reason_text(r, site), r.item) for r in reasons])
            for unit, reasons in c.candidates
        ],
        "quarter_name": circular.CHINESE_QUARTERS[quarter],
        "region": site.config.region,
        "stats_url": section_url(base, "stats", year),
        "page_url": url,
    }


def circular_pages(site: Site, today: dt.date) -> Iterator[Page]:
    """/stats/<year>/q<N>/ for every quarter that has begun (``circular.circular_quarters``)."""
    base = site.config.base_path
    notes = digest(*site.notes)
    for year, quarter in circular.circular_quarters(site, today):
        yield Page(
            out_path(circular_url(base, year, quarter), base),
            "circular.html",
            functools.partial(circular_context, site, year, quarter, today),
            # the year's figures and what the quarter lists of its items (titles, units,
            # adoptions: their cards); the issues that adopted them; the notes
            (
                deps.stats_year(year),
                *deps.cards(site.items_of_year(year)),
                issues_fingerprint(site),
                f"notes:{notes}",
            ),
            "circular",
        )


DOCUMENT_PLANNERS: tuple[Planner, ...] = (issue_pages, circular_pages)
