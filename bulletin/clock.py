""" "Today" for the whole program: one function, one rule.

A build's today decides open and overdue states, quarters that have ended and the date
``bulletin new`` writes. It is, in order: a date given on the command line (``--today``),
the site's ``today`` in site.toml (for reproducible builds), or the current date.
"""

from __future__ import annotations

import datetime as dt

from .config import SiteConfig


def today(config: SiteConfig | None = None, given: dt.date | None = None) -> dt.date:
    """The date a build or command counts as today (see module docstring)."""
    if given is not None:
        return given
    if config is not None and config.today is not None:
        return config.today
    return dt.date.today()


def now() -> dt.datetime:
    """The current time, on the same clock as ``today()`` (the watcher's day changes)."""
    return dt.datetime.now()
