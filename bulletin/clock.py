"""The site's clock: "now" and "today" in the site's time zone, whatever the machine's TZ.

Office rule: an office reckons its days -- the date of a new item, whether a supervision
item is overdue, which quarter has ended -- on its own calendar (China Standard Time for
a Chinese office: ``Asia/Shanghai``, the default of ``timezone`` in site.toml), not on
the calendar of whichever server or laptop runs the build. So nothing in the product
calls ``date.today()``, ``datetime.now()`` or ``time.localtime()``: "today" is
:func:`site_today`, and every date-time an editor wrote is placed on the site's calendar
by :func:`site_moment`.

The clock itself is a seam: ``clock`` arguments (``BuildOptions.clock``) take a function
returning seconds since the epoch, as ``time.time`` does, so tests fix "now" in-process;
subprocess tests replace ``time.time`` before the command starts. There is deliberately
no environment variable for it: one left set on a server would silently move "today".
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from .config import SiteConfig

Clock = Callable[[], float]  # seconds since 1970-01-01 UTC, like time.time


def site_now(zone: dt.tzinfo, clock: Clock | None = None) -> dt.datetime:
    """The current instant as an aware datetime in ``zone``.

    ``clock`` defaults to ``time.time`` (looked up at each call, so a replaced
    ``time.time`` is honoured).
    """
    seconds = time.time() if clock is None else clock()
    return dt.datetime.fromtimestamp(seconds, zone)


def site_today(
    config: SiteConfig, given: dt.date | None = None, clock: Clock | None = None
) -> dt.date:
    """Today for the site: ``given`` (``--today``), else site.toml ``today``, else the
    clock's date in the site's time zone (``config.zone``)."""
    if given is not None:
        return given
    if config.today is not None:
        return config.today
    return site_now(config.zone, clock).date()


def site_moment(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A date-time an editor wrote, as an aware datetime in ``zone``.

    With an offset (``2026-03-31T17:00:00Z``) it is that instant, shown on the site's
    clock (1 April 01:00 in Beijing); without one it is already site-local time.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def start_of_day(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The first instant of ``day`` on the site's calendar (midnight in ``zone``)."""
    return dt.datetime.combine(day, dt.time(0, 0), zone)
