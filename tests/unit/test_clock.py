"""clock: the one "today"."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from bulletin import clock
from bulletin.config import load_config


def test_today_is_given_then_the_site_s_then_the_clock(basic_site: Path) -> None:
    config = load_config(basic_site)
    fixed = replace(config, today=dt.date(2026, 12, 31))
    assert clock.today(fixed, dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert clock.today(fixed) == dt.date(2026, 12, 31)
    assert clock.today(replace(config, today=None)) == dt.date.today()
    assert clock.today() == dt.date.today()
