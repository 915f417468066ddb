"""The quarterly circular (通报): 关于YYYY年第N季度{region}信息报送采用情况的通报.

Pure figures over a ``Site``, as ``bulletin.stats`` computes them for a year, restricted to
one quarter: each assessed unit's reported items, adoptions by level, score and quota
(met, short by how many, or still open); the adopted items grouped by level with the
issues (期) they appeared in; the units short of their quota; the criticism candidates as
of the quarter's end (``stats.criticism(..., until=end)``).

A quarter still in progress on ``today`` is marked as such: its figures run to ``today``,
no unit is "short" yet (``QuarterStat.state`` is "open"), and the months that have not
begun are not listed, so nothing is drawn as zero for days that have not happened.
Quarters that have not begun get no circular (``circular_quarters``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .. import stats
from ..issues import CircularNote, Issue
from ..model import Item, Level, Site, Unit
from ..stats import QuarterStat, Reason

CHINESE_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class UnitQuarter:
    """One unit's figures in the quarter."""

    unit: Unit
    reported: int
    adopted: tuple[tuple[str, int], ...]  # (level id, items adopted at it), level order
    adopted_items: int
    instructions: int
    score: int
    quota: QuarterStat

    def adopted_at(self, level_id: str) -> int:
        return dict(self.adopted).get(level_id, 0)


@dataclass(frozen=True)
class AdoptedItem:
    item: Item
    issues: tuple[Issue, ...]  # the issues of this level's bulletins it appeared in


@dataclass(frozen=True)
class Circular:
    year: int
    quarter: int
    start: dt.date
    end: dt.date
    today: dt.date
    units: tuple[UnitQuarter, ...]  # site.toml order
    adopted: tuple[tuple[Level, tuple[AdoptedItem, ...]], ...]  # levels with adoptions
    months: tuple[tuple[int, int], ...]  # (month, items reported) for months begun
    candidates: tuple[tuple[Unit, tuple[Reason, ...]], ...]  # as of the end (or today)
    note: CircularNote | None

    @property
    def in_progress(self) -> bool:
        """The quarter has not ended by ``today``."""
        return self.today <= self.end

    @property
    def as_of(self) -> dt.date:
        """The last day the figures cover."""
        return min(self.today, self.end)

    @property
    def short(self) -> tuple[UnitQuarter, ...]:
        """Units that missed their quota (only once the quarter is over)."""
        return tuple(u for u in self.units if u.quota.state == "short")

    @property
    def reported(self) -> int:
        return sum(u.reported for u in self.units)

    @property
    def adopted_items(self) -> int:
        return sum(u.adopted_items for u in self.units)

    @property
    def score(self) -> int:
        return sum(u.score for u in self.units)

    def adopted_at(self, level_id: str) -> int:
        return sum(u.adopted_at(level_id) for u in self.units)


def circular_quarters(site: Site, today: dt.date) -> list[tuple[int, int]]:
    """(year, quarter) of every circular the site has: each quarter of a year with
    published items that has begun by ``today``, newest first."""
    return [
        (year, q)
        for year in stats.stats_years(site)
        for q in reversed(stats.QUARTERS)
        if stats.quarter_start(year, q) <= today
    ]


def quarter_circular(site: Site, year: int, quarter: int, today: dt.date) -> Circular:
    """The circular of ``quarter`` of ``year`` as of ``today``."""
    start, end = stats.quarter_start(year, quarter), stats.quarter_end(year, quarter)
    last = min(today, end)
    reports = [
        i for i in site.items if stats.is_report(i) and start <= i.date <= last and i.year == year
    ]
    units = []
    for unit in stats.assessed_units(site):
        mine = [i for i in reports if i.unit.id == unit.id]
        levels = Counter(a.level.id for i in mine for a in i.adoptions)
        units.append(
            UnitQuarter(
                unit=unit,
                reported=len(mine),
                adopted=tuple((lv.id, levels.get(lv.id, 0)) for lv in site.levels),
                adopted_items=sum(1 for i in mine if i.adoptions),
                instructions=sum(len(i.instructions) for i in mine),
                score=sum(stats.item_points(i, site) for i in mine),
                quota=QuarterStat(quarter, len(mine), stats.quota_for(unit, site), end < today),
            )
        )
    assessed = {u.id for u in stats.assessed_units(site)}
    adopted = []
    for level in site.levels:
        entries = tuple(
            AdoptedItem(i, tuple(s for s in i.issues if s.bulletin.level == level.id))
            for i in sorted(reports, key=lambda i: i.sort_key)
            if i.unit.id in assessed and i.adopted_at(level.id)
        )
        if entries:
            adopted.append((level, entries))
    per_month = Counter(i.date.month for i in reports if i.unit.id in assessed)
    months = tuple(
        (m, per_month.get(m, 0))
        for m in range(start.month, end.month + 1)
        if dt.date(year, m, 1) <= last
    )
    found = stats.criticism(site, year, until=last)
    by_id = {u.id: u for u in site.units}
    note = next((n for n in site.notes if (n.year, n.quarter) == (year, quarter)), None)
    return Circular(
        year=year,
        quarter=quarter,
        start=start,
        end=end,
        today=today,
        units=tuple(units),
        adopted=tuple(adopted),
        months=months,
        candidates=tuple((by_id[uid], reasons) for uid, reasons in found.items()),
        note=note,
    )
