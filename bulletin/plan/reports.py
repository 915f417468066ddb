"""Pages of the office's rules: statistics, exports, supervision, honours, anthology.

Every planner takes ``(site, today)`` and yields ``Page`` objects built only from the
site model (``bulletin.stats`` does the arithmetic). JSON and CSV exports are made here
as bytes (``Page.data``); HTML and Atom are rendered from templates in ``layouts/``.
Drafts are never listed or counted (``stats.published``); withheld items are not in the
model at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import charts, stats
from ..i18n import translate
from ..model import Item, Site
from ..stats import Reason, UnitYear, YearStats
from ..urls import circular_url, out_path
from . import deps
from .circular import circular_quarters
from .page import Page

# --- text shared by pages, exports and the command line ---------------------------------


def format_minutes(language: str, minutes: int) -> str:
    """105 → 1小时45分钟 / 1 h 45 min."""
    h, m = divmod(minutes, 60)
    if h and m:
        return translate(language, "hours_minutes", h=h, m=m)
    if h:
        return translate(language, "hours_only", h=h)
    return translate(language, "minutes_only", m=m)


def reason_text(reason: Reason, site: Site) -> str:
    """One criticism reason as a sentence in the site language (without the item title)."""
    lang = site.config.language
    if reason.code == "late-report":
        return translate(
            lang,
            "reason_late_report",
            delay=format_minutes(lang, reason.minutes or 0),
            limit=format_minutes(lang, site.config.urgent_within_minutes),
        )
    return translate(lang, "reason_" + reason.code.replace("-", "_"))


@dataclass(frozen=True)
class ReasonView:
    code: str
    text: str
    item: Item | None


@dataclass(frozen=True)
class Candidate:
    unit: UnitYear
    reasons: tuple[ReasonView, ...]


def candidates(ys: YearStats, site: Site) -> list[Candidate]:
    return [
        Candidate(u, tuple(ReasonView(r.code, reason_text(r, site), r.item) for r in u.criticism))
        for u in ys.candidates
    ]


def quarter_text(q: stats.QuarterStat, language: str) -> str:
    if q.state == "met":
        return translate(language, "met")
    if q.state == "open":
        return translate(language, "quarter_open", n=q.short)
    return translate(language, "short_by", n=q.short)


def scoring_text(site: Site) -> str:
    lang = site.config.language
    sep = "、" if lang == "zh-CN" else ", "
    levels = sep.join(
        f"{lv.name}{translate(lang, 'points', n=lv.points)}" for lv in site.levels if lv.points
    )
    instructions = sep.join(
        f"{lv.name}{translate(lang, 'points', n=site.config.instruction_points_for(lv.id))}"
        for lv in site.levels
        if site.config.instruction_points_for(lv.id)
    )
    return translate(
        lang,
        "scoring_rule",
        report=site.config.report_points,
        levels=levels or "0",
        instructions=instructions or "0",
    )


# --- exports -----------------------------------------------------------------------------


def stats_data(ys: YearStats, site: Site) -> dict[str, Any]:
    """The JSON export of a year (``/stats/<year>.json``)."""
    config = site.config

    def reason(r: ReasonView) -> dict[str, Any]:
        out: dict[str, Any] = {"code": r.code, "text": r.text}
        if r.item is not None:
            out["item"] = {"slug": r.item.slug, "title": r.item.title, "url": r.item.url}
        return out

    views = {c.unit.unit.id: c.reasons for c in candidates(ys, site)}
    return {
        "year": ys.year,
        "as_of": ys.today.isoformat(),
        "rules": {
            "quota": {"key": config.quota_key, "regular": config.quota_regular},
            "report_points": config.report_points,
            "adoption_points": {lv.id: lv.points for lv in site.levels},
            "instruction_points": {
                lv.id: config.instruction_points_for(lv.id) for lv in site.levels
            },
            "urgent_within_minutes": config.urgent_within_minutes,
        },
        "levels": [{"id": lv.id, "name": lv.name} for lv in site.levels],
        "totals": {
            "reported": ys.reported,
            "adopted": {lv.id: ys.adopted_at(lv.id) for lv in site.levels},
            "adopted_items": ys.adopted_items,
            "instructions": ys.instructions,
            "score": ys.score,
        },
        "months": list(ys.months),
        "units": [
            {
                "id": u.unit.id,
                "name": u.unit.name,
                "kind": u.unit.kind,
                "key": u.unit.key,
                "reported": u.reported,
                "adopted": dict(u.adopted),
                "adopted_items": u.adopted_items,
                "instructions": u.instructions,
                "score": u.score,
                "rank": u.rank,
                "quarters": [
                    {
                        "quarter": q.quarter,
                        "reported": q.reported,
                        "quota": q.quota,
                        "met": q.met,
                        "short": q.short,
                        "ended": q.ended,
                        "state": q.state,
                    }
                    for q in u.quarters
                ],
                "criticism": [reason(r) for r in views.get(u.unit.id, ())],
                "repeat": u.repeat,
            }
            for u in ys.units
        ],
    }


def stats_json(ys: YearStats, site: Site) -> bytes:
    text = json.dumps(stats_data(ys, site), ensure_ascii=False, indent=2, sort_keys=False)
    return (text + "\n").encode("utf-8")


def stats_rows(ys: YearStats, site: Site) -> list[list[str]]:
    """The CSV export as rows: a header, then one row per unit in rank order."""
    lang = site.config.language

    def t(key: str, **kw: object) -> str:
        return translate(lang, key, **kw)

    header = [
        t("rank"),
        t("csv_id"),
        t("unit"),
        t("csv_kind"),
        t("csv_key"),
        t("reported_n"),
        *(f"{t('adopted_n')}-{lv.name}" for lv in site.levels),
        t("adopted_items"),
        t("instructions_n"),
        t("score"),
    ]
    for q in stats.QUARTERS:
        header += [
            f"{t(f'q{q}')}{t('reported_n')}",
            f"{t(f'q{q}')}{t('quota')}",
            f"{t(f'q{q}')}{t('met')}",
        ]
    header.append(t("criticism"))
    views = {c.unit.unit.id: c for c in candidates(ys, site)}
    rows = [header]
    sep = "；" if lang == "zh-CN" else "; "
    for u in ys.units:
        row = [
            str(u.rank),
            u.unit.id,
            u.unit.name,
            t("kind_" + u.unit.kind),
            t("yes") if u.unit.key else t("no"),
            str(u.reported),
            *(str(n) for _, n in u.adopted),
            str(u.adopted_items),
            str(u.instructions),
            str(u.score),
        ]
        for quarter in u.quarters:
            row += [str(quarter.reported), str(quarter.quota), quarter_text(quarter, lang)]
        reasons = []
        if u.unit.id in views:
            for r in views[u.unit.id].reasons:
                reasons.append(r.text + (f"《{r.item.title}》" if r.item else ""))
            if u.repeat:
                reasons.append(t("repeat"))
        row.append(sep.join(reasons))
        rows.append(row)
    return rows


def stats_csv(ys: YearStats, site: Site) -> bytes:
    """UTF-8 with a byte-order mark and CRLF lines, so Excel opens Chinese text correctly."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(stats_rows(ys, site))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def stats_table(ys: YearStats, site: Site) -> str:
    """The year's figures as an aligned plain-text table (``bulletin stats``)."""
    lang = site.config.language

    def t(key: str, **kw: object) -> str:
        return translate(lang, key, **kw)

    def cell(q: stats.QuarterStat) -> str:
        mark = {"met": "✓", "short": f"-{q.short}", "open": "…"}[q.state]
        return f"{q.reported}/{q.quota} {mark}"

    header = [
        t("rank"),
        t("unit"),
        t("reported_n"),
        *(lv.name for lv in site.levels),
        t("instructions_n"),
        t("score"),
        *(t(f"q{q}") for q in stats.QUARTERS),
    ]
    rows = [
        [
            str(u.rank),
            u.unit.name + ("*" if u.unit.key else ""),
            str(u.reported),
            *(str(n) for _, n in u.adopted),
            str(u.instructions),
            str(u.score),
            *(cell(q) for q in u.quarters),
        ]
        for u in ys.units
    ]
    rows.append(
        [
            "",
            t("total"),
            str(ys.reported),
            *(str(ys.adopted_at(lv.id)) for lv in site.levels),
            str(ys.instructions),
            str(ys.score),
            "",
            "",
            "",
            "",
        ]
    )
    widths = [max(_width(r[c]) for r in [header, *rows]) for c in range(len(header))]
    left = {1}
    lines = [
        t("stats_year", year=ys.year) + " · " + t("as_of", date=ys.today.isoformat()),
        "",
    ]
    for n, r in enumerate([header, *rows]):
        if n == len(rows):  # before the totals
            lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
        lines.append(
            "  ".join(_pad(v, widths[c], right=c not in left) for c, v in enumerate(r)).rstrip()
        )
    lines += [
        "",
        f"* {t('key_unit')}. {t('quota_rule', key_quota=site.config.quota_key, regular_quota=site.config.quota_regular)}",
        f"✓ {t('met')}  -N {t('short_by', n='N')}  … {t('quarter_open', n='N')}",
        scoring_text(site),
        "",
        t("criticism") + ":",
    ]
    found = candidates(ys, site)
    for c in found:
        for reason in c.reasons:
            title = f"《{reason.item.title}》" if reason.item else ""
            lines.append(f"  {c.unit.unit.name}: {reason.text}{title}")
        if c.unit.repeat:
            lines.append(f"  {c.unit.unit.name}: {t('repeat')}")
    if not found:
        lines.append("  " + t("no_candidates"))
    return "\n".join(lines) + "\n"


# --- charts ------------------------------------------------------------------------------


def stats_charts(ys: YearStats, site: Site) -> dict[str, str]:
    """The year's charts (units; months). Months after ``ys.today``'s month have not come
    yet: they get no bar rather than a 0."""
    lang = site.config.language
    units = ys.units_in_config_order

    def month_value(month: int) -> int | None:
        come = (ys.year, month) <= (ys.today.year, ys.today.month)
        return ys.months[month - 1] if come else None

    return {
        "units": charts.grouped_bars(
            [u.unit.name for u in units],
            [
                (translate(lang, "reported_n"), [u.reported for u in units]),
                (translate(lang, "adopted_n"), [u.adopted_items for u in units]),
            ],
            title=translate(lang, "chart_units", year=ys.year),
            ident=f"chart-units-{ys.year}",
            axis=translate(lang, "chart_axis_items"),
        ),
        "months": charts.column_bars(
            [translate(lang, "month_n", n=m) for m in range(1, 13)],
            [month_value(m) for m in range(1, 13)],
            title=translate(lang, "chart_months", year=ys.year),
            ident=f"chart-months-{ys.year}",
            axis_x=translate(lang, "chart_axis_month"),
            axis_y=translate(lang, "chart_axis_items"),
            missing=translate(lang, "chart_month_to_come"),
        ),
    }


# --- planners ----------------------------------------------------------------------------


def _export(
    export: Callable[[YearStats, Site], bytes], context: Callable[[], dict[str, Any]], site: Site
) -> bytes:
    return export(context()["ys"], site)


def stats_pages(site: Site, today: dt.date) -> Iterator[Page]:
    """/stats/ (latest year), /stats/<year>/, /stats/<year>.json and .csv.

    Contexts are made lazily (and once per year): a rebuild whose stats pages are
    unchanged never computes them.
    """
    base = site.config.base_path
    years = stats.stats_years(site)
    for n, year in enumerate(years):
        url = f"{base}stats/{year}/"
        # the year's figures; the year before's decide the "repeat" marks; the year list
        figures = (deps.STATS_YEARS, deps.stats_year(year), deps.stats_year(year - 1))

        @functools.cache
        def context(year: int = year, url: str = url) -> dict[str, Any]:
            ys = stats.year_stats(site, year, today)
            return {
                "ys": ys,
                "years": years,
                "candidates": candidates(ys, site),
                "charts": stats_charts(ys, site),
                "scoring": scoring_text(site),
                "json_url": f"{base}stats/{year}.json",
                "csv_url": f"{base}stats/{year}.csv",
                "circulars": [
                    (q, circular_url(base, year, q))
                    for y, q in reversed(circular_quarters(site, today))
                    if y == year
                ],
                "canonical": url,
            }

        def page_context(
            c: Callable[[], dict[str, Any]] = context, at: str = url
        ) -> dict[str, Any]:
            return {**c(), "page_url": at}

        yield Page(out_path(url, base), "stats.html", page_context, figures, "stats")
        if n == 0:
            yield Page(
                "stats/index.html",
                "stats.html",
                functools.partial(page_context, context, base + "stats/"),
                figures,
                "stats",
            )
        yield Page(
            f"stats/{year}.json",
            "",
            {},
            figures,
            "stats-json",
            data=functools.partial(_export, stats_json, context, site),
        )
        yield Page(
            f"stats/{year}.csv",
            "",
            {},
            figures,
            "stats-csv",
            data=functools.partial(_export, stats_csv, context, site),
        )
    if not years:
        yield Page(
            "stats/index.html",
            "stats.html",
            {"ys": None, "years": [], "page_url": base + "stats/"},
            (deps.STATS_YEARS,),
            "stats",
        )


def supervision_pages(site: Site, today: dt.date) -> Iterator[Page]:
    def context() -> dict[str, Any]:
        entries = stats.supervision(site, today)
        return {
            "entries": entries,
            "by_state": {
                state: [e for e in entries if e.state == state] for state in stats.SUPERVISION_ORDER
            },
            "by_assignee": stats.supervision_by_assignee(entries, site),
            "page_url": site.config.base_path + "supervision/",
        }

    yield Page(
        "supervision/index.html", "supervision.html", context, (deps.SUPERVISION,), "supervision"
    )


def commendation_pages(site: Site, today: dt.date) -> Iterator[Page]:
    yield Page(
        "commendations/index.html",
        "commendations.html",
        lambda: {
            "years": stats.commendations(site),
            "unit_by_id": {u.id: u for u in site.units},
            "page_url": site.config.base_path + "commendations/",
        },
        (deps.COMMENDATIONS,),
        "commendations",
    )


def anthology_pages(site: Site, today: dt.date) -> Iterator[Page]:
    base = site.config.base_path
    volumes = stats.anthology(site)
    yield Page(
        "anthology/index.html",
        "anthology.html",
        {"year": None, "reports": [], "volumes": volumes, "page_url": base + "anthology/"},
        (deps.ANTHOLOGY,),
        "anthology",
    )
    for year, reports in volumes.items():
        url = f"{base}anthology/{year}/"
        anchors = {item.url: f"r{n}" for n, item in enumerate(reports, 1)}  # on paper
        context = {"year": year, "reports": reports, "volumes": volumes, "page_url": url}
        yield Page(
            out_path(url, base),
            "anthology.html",
            {**context, "anchors": anchors},
            (deps.ANTHOLOGY, *(deps.item(i.slug) for i in reports)),
            "anthology",
        )


REPORT_PLANNERS = (stats_pages, supervision_pages, commendation_pages, anthology_pages)
