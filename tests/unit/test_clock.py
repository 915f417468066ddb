"""clock: the one "today", in the site's time zone; "now" is always injected here."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from bulletin import clock
from bulletin.config import load_config

# 21:00 on 24 April 2026 in Beijing; 01:00 on the 25th in Auckland; 13:00 UTC
EVENING = dt.datetime(2026, 4, 24, 13, tzinfo=dt.UTC).timestamp()


def test_today_is_given_then_the_site_s_then_the_clock(basic_site: Path) -> None:
    config = replace(load_config(basic_site), today=None)
    fixed = replace(config, today=dt.date(2026, 12, 31))
    assert clock.site_today(fixed, dt.date(2026, 1, 2), lambda: EVENING) == dt.date(2026, 1, 2)
    assert clock.site_today(fixed, None, lambda: EVENING) == dt.date(2026, 12, 31)
    assert clock.site_today(config, None, lambda: EVENING) == dt.date(2026, 4, 24)
    auckland = replace(config, timezone="Pacific/Auckland")
    assert clock.site_today(auckland, None, lambda: EVENING) == dt.date(2026, 4, 25)


def test_now_is_an_aware_time_in_the_zone(basic_site: Path) -> None:
    zone = load_config(basic_site).zone
    now = clock.site_now(zone, lambda: EVENING)
    assert now.isoformat() == "2026-04-24T21:00:00+08:00"


def test_written_times_go_on_the_site_clock(basic_site: Path) -> None:
    zone = load_config(basic_site).zone
    written = dt.datetime(2026, 3, 31, 17, tzinfo=dt.UTC)
    assert clock.site_moment(written, zone).isoformat() == "2026-04-01T01:00:00+08:00"
    naive = dt.datetime(2026, 3, 31, 23, 30)
    assert clock.site_moment(naive, zone).isoformat() == "2026-03-31T23:30:00+08:00"
    assert clock.start_of_day(dt.date(2026, 4, 1), zone).isoformat() == "2026-04-01T00:00:00+08:00"
