"""The office's rules as numbers: pure computations over a ``Site``.

Nothing here reads files, clocks or module state: every function takes the site model
(and ``today`` where open/overdue states depend on a date) and returns frozen values, so
pages, exports and ``bulletin stats`` agree and are reproducible.

What counts (documented in docs/front-matter.md, "Statistics and scoring"):

* Only **published** items count. Classified items are withheld before the model is
  built (they are not in ``Site`` at all), and drafts — present only in a ``--drafts``
  preview — are skipped here (``Item.draft``). No figure therefore reveals a withheld
  item: it is neither counted nor reasoned about, per unit or in totals.
* **Reported** (报送) items are the items a unit sent up: every category except the
  documents the office *issues* to units (``notice``, ``commendation``, ``supervision``,
  see ``ISSUED_CATEGORIES``). An item belongs to the year and quarter of its ``date``,
  and so do its adoptions and instructions (even if adopted later).
* **Score** (积分) = ``[scoring] report`` per reported item + the adoption level's
  ``points`` per adoption + ``[scoring.instruction]`` points per leader instruction.
* **Quota** (报送数量): key units ``[quota] key`` items per quarter, others
  ``[quota] regular``. A quarter that has not ended by ``today`` and is not yet met is
  *open*, not *short*.
* **Rank**: by score, highest first; equal scores share a rank (1, 2, 2, 4).
* **Criticism candidates** (通报批评) of a year: a unit with no published item at all that
  year (so zero points); a unit whose first emergency report (首报) came later than
  ``[rules] urgent_within_minutes`` after the event; a unit with an emergency thread
  (first report in that year) that has no final report (综合上报) yet. A unit that was a
  candidate in the previous year too is marked ``repeat`` (two notices in a row require a
  written self-examination, 书面检查).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import Item, Level, Site, Thread, Unit

#: Categories of documents the office issues to units; they are not reports of a unit.
ISSUED_CATEGORIES = frozenset({"notice", "commendation", "supervision"})
EMERGENCY = "emergency"
SUPERVISION = "supervision"
COMMENDATION = "commendation"
DUE_SOON_DAYS = 7
QUARTERS = (1, 2, 3, 4)


# --- which items count -------------------------------------------------------------------


def published(site: Site) -> list[Item]:
    """Items that count and may be listed on rule pages: never drafts (newest first)."""
    return [i for i in site.items if not i.draft]


def is_report(item: Item) -> bool:
    """An item a unit reported (报送), as opposed to a document the office issued."""
    return not item.draft and item.category.id not in ISSUED_CATEGORIES


def item_points(item: Item, site: Site) -> int:
    """Points one reported item earns its unit; 0 for items that do not count."""
    if not is_report(item):
        return 0
    config = site.config
    return (
        config.report_points
        + sum(a.level.points for a in item.adoptions)
        + sum(config.instruction_points_for(i.level.id) for i in item.instructions)
    )


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, quarter * 3 - 2, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    if quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, quarter * 3 + 1, 1) - dt.timedelta(days=1)


def quota_for(unit: Unit, site: Site) -> int:
    return site.config.quota_key if unit.key else site.config.quota_regular


def competition_ranks(scores: Sequence[int]) -> list[int]:
    """Rank of each score, highest first; ties share a rank and leave a gap (1, 2, 2, 4)."""
    return [1 + sum(1 for other in scores if other > s) for s in scores]


def stats_years(site: Site) -> list[int]:
    """Years with at least one published item, newest first."""
    return sorted({i.year for i in published(site)}, reverse=True)


# --- emergencies -------------------------------------------------------------------------


def report_delay_minutes(item: Item) -> int | None:
    """Whole minutes from ``occurred`` to ``reported`` (rounded up), or None if unknown."""
    if item.occurred is None or item.reported is None:
        return None
    seconds = (item.reported - item.occurred).total_seconds()
    return int(-(-seconds // 60))


def is_late(item: Item, site: Site) -> bool:
    """Reported more than ``urgent_within_minutes`` after the event occurred."""
    delay = report_delay_minutes(item)
    return delay is not None and delay > site.config.urgent_within_minutes


def emergency_threads(site: Site) -> list[Thread]:
    """Every emergency event: its first report and follow-ups, oldest event first.

    A first report without follow-ups is a thread of one (still awaiting its final
    report). Drafts are left out of the threads.
    """
    threads = []
    for item in published(site):
        if item.category.id != EMERGENCY or item.follow_up_of is not None:
            continue
        thread = site.thread_of(item)
        if thread is None:
            thread = Thread(item.slug, (item,))
        else:
            thread = Thread(thread.root, tuple(i for i in thread.items if not i.draft))
        threads.append(thread)
    return sorted(threads, key=lambda t: (t.first.sort_key, t.root))


def open_emergencies(site: Site) -> list[Thread]:
    """Emergency threads with no final report yet (待续报), newest first."""
    return sorted(
        (t for t in emergency_threads(site) if t.is_open),
        key=lambda t: t.first.sort_key,
        reverse=True,
    )


# --- criticism ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a unit is a criticism candidate. ``code``: no-items | late-report | not-finalised."""

    code: str
    item: Item | None = None
    minutes: int | None = None


def assessed_units(site: Site) -> list[Unit]:
    """Units held to quotas and ranked; the office that runs the system may opt out
    (``assessed = false``), e.g. the district office issuing notices."""
    return [u for u in site.units if u.assessed]


def criticism(site: Site, year: int, until: dt.date | None = None) -> dict[str, tuple[Reason, ...]]:
    """Criticism candidates (通报批评) of ``year``: unit id → reasons, in unit order.

    With ``until`` (a quarter's end, for its circular), as things stood that day: only
    items dated up to it count, and a thread whose final report came later is still open.
    """
    last = until or dt.date.max
    active = {i.unit.id for i in published(site) if i.year == year and i.date <= last}
    found: dict[str, list[Reason]] = defaultdict(list)
    for unit in assessed_units(site):
        if unit.id not in active:
            found[unit.id].append(Reason("no-items"))
    for thread in emergency_threads(site):
        first = thread.first
        if first.year != year or first.date > last:
            continue
        if is_late(first, site):
            found[first.unit.id].append(Reason("late-report", first, report_delay_minutes(first)))
        final = thread.final
        if final is None or final.date > last:
            found[first.unit.id].append(Reason("not-finalised", first))
    return {u.id: tuple(found[u.id]) for u in assessed_units(site) if found.get(u.id)}


# --- per unit and year -------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterStat:
    quarter: int
    reported: int
    quota: int
    ended: bool  # the quarter is over by ``today``

    @property
    def met(self) -> bool:
        return self.reported >= self.quota

    @property
    def short(self) -> int:
        """How many items are missing to meet the quota (0 when met)."""
        return max(0, self.quota - self.reported)

    @property
    def state(self) -> str:
        """met | short (quarter over, quota missed) | open (quarter not over yet)."""
        if self.met:
            return "met"
        return "short" if self.ended else "open"


@dataclass(frozen=True)
class UnitYear:
    unit: Unit
    year: int
    reported: int
    adopted: tuple[tuple[str, int], ...]  # (level id, items adopted at that level), level order
    adopted_items: int  # items adopted at one level at least
    instructions: int
    score: int
    rank: int
    quarters: tuple[QuarterStat, ...]
    criticism: tuple[Reason, ...]
    repeat: bool  # also a criticism candidate in the previous year
    order: int  # position of the unit in site.toml

    def adopted_at(self, level_id: str) -> int:
        return dict(self.adopted).get(level_id, 0)

    @property
    def quarters_met(self) -> int:
        return sum(1 for q in self.quarters if q.met)


@dataclass(frozen=True)
class YearStats:
    year: int
    today: dt.date
    levels: tuple[Level, ...]
    units: tuple[UnitYear, ...]  # by rank, then in site.toml order
    months: tuple[int, ...]  # reported items per month, January first

    @property
    def reported(self) -> int:
        return sum(u.reported for u in self.units)

    @property
    def adopted_items(self) -> int:
        return sum(u.adopted_items for u in self.units)

    @property
    def instructions(self) -> int:
        return sum(u.instructions for u in self.units)

    @property
    def score(self) -> int:
        return sum(u.score for u in self.units)

    def adopted_at(self, level_id: str) -> int:
        return sum(u.adopted_at(level_id) for u in self.units)

    @property
    def candidates(self) -> list[UnitYear]:
        """Criticism candidates in site.toml unit order."""
        return [u for u in self.units_in_config_order if u.criticism]

    @property
    def units_in_config_order(self) -> list[UnitYear]:
        return sorted(self.units, key=lambda u: u.order)

    def unit(self, unit_id: str) -> UnitYear | None:
        return next((u for u in self.units if u.unit.id == unit_id), None)


def year_stats(site: Site, year: int, today: dt.date) -> YearStats:
    """Every figure of ``year`` for every unit, as of ``today``."""
    reports = [i for i in site.items if i.year == year and is_report(i)]
    by_unit: dict[str, list[Item]] = defaultdict(list)
    for item in reports:
        by_unit[item.unit.id].append(item)
    ended = {q: quarter_end(year, q) < today for q in QUARTERS}
    this_year = criticism(site, year)
    last_year = criticism(site, year - 1) if (year - 1) in stats_years(site) else {}

    def points(unit: Unit) -> int:
        return sum(item_points(i, site) for i in by_unit.get(unit.id, []))

    assessed = assessed_units(site)
    scores = [points(u) for u in assessed]
    ranks = competition_ranks(scores)
    units = []
    for order, unit in enumerate(assessed):
        items = by_unit.get(unit.id, [])
        levels = Counter(a.level.id for i in items for a in i.adoptions)
        per_quarter = Counter(i.quarter for i in items)
        quota = quota_for(unit, site)
        units.append(
            UnitYear(
                unit=unit,
                year=year,
                reported=len(items),
                adopted=tuple((lv.id, levels.get(lv.id, 0)) for lv in site.levels),
                adopted_items=sum(1 for i in items if i.adoptions),
                instructions=sum(len(i.instructions) for i in items),
                score=scores[order],
                rank=ranks[order],
                quarters=tuple(
                    QuarterStat(q, per_quarter.get(q, 0), quota, ended[q]) for q in QUARTERS
                ),
                criticism=this_year.get(unit.id, ()),
                repeat=unit.id in this_year and unit.id in last_year,
                order=order,
            )
        )
    units.sort(key=lambda u: (u.rank, u.order))
    months = Counter(i.date.month for i in reports)
    return YearStats(
        year=year,
        today=today,
        levels=site.levels,
        units=tuple(units),
        months=tuple(months.get(m, 0) for m in range(1, 13)),
    )


# --- supervision -------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionEntry:
    item: Item
    state: str  # done | overdue | due-soon | open
    days_left: int | None  # until due (negative: overdue by), None when done or no due
    days_taken: int | None  # from assignment (item date) to reply, when done
    late_by: int | None  # days the reply came after the due date, when done late

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


SUPERVISION_ORDER = {"overdue": 0, "due-soon": 1, "open": 2, "done": 3}


def supervision_entry(item: Item, today: dt.date) -> SupervisionEntry:
    if item.done is not None:
        late = (item.done - item.due).days if item.due and item.done > item.due else None
        return SupervisionEntry(item, "done", None, (item.done - item.date).days, late)
    if item.due is None:
        return SupervisionEntry(item, "open", None, None, None)
    left = (item.due - today).days
    if left < 0:
        state = "overdue"
    elif left <= DUE_SOON_DAYS:
        state = "due-soon"
    else:
        state = "open"
    return SupervisionEntry(item, state, left, None, None)


def _supervision_sort(e: SupervisionEntry) -> tuple[int, dt.date, str]:
    return (SUPERVISION_ORDER[e.state], e.item.due or dt.date.max, e.item.slug)


def supervision(site: Site, today: dt.date) -> list[SupervisionEntry]:
    """Supervision items (督查督办) as of ``today``: overdue, due soon, open, then done."""
    entries = [
        supervision_entry(i, today)
        for i in published(site)
        if i.category.id == SUPERVISION or i.assignees
    ]
    open_ = sorted((e for e in entries if e.state != "done"), key=_supervision_sort)
    done = sorted(
        (e for e in entries if e.state == "done"),
        key=lambda e: (e.item.done or e.item.date, e.item.slug),
        reverse=True,
    )
    return open_ + done


def supervision_by_assignee(
    entries: Iterable[SupervisionEntry], site: Site
) -> list[tuple[Unit, list[SupervisionEntry]]]:
    """Each unit (site.toml order) with the supervision entries assigned to it."""
    entries = list(entries)
    return [
        (unit, [e for e in entries if unit in e.item.assignees])
        for unit in site.units
        if any(unit in e.item.assignees for e in entries)
    ]


# --- commendations and anthology ---------------------------------------------------------


def commendations(site: Site) -> list[tuple[int, list[Item]]]:
    """Commendation items with honorees, grouped by year, newest first."""
    years: dict[int, list[Item]] = defaultdict(list)
    for item in published(site):
        if item.honorees:
            years[item.year].append(item)
    return sorted(years.items(), reverse=True)


def anthology(site: Site) -> dict[int, list[Item]]:
    """Excellent research reports (优秀调研报告) per year, oldest first within a year."""
    years: dict[int, list[Item]] = defaultdict(list)
    for item in sorted(published(site), key=lambda i: i.sort_key):
        if item.excellent:
            years[item.year].append(item)
    return dict(sorted(years.items(), reverse=True))
