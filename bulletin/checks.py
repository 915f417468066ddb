"""Editorial checks that warn but do not fail a build (unless --strict).

Add a check here: a function taking (SourceItem, SiteConfig, today) and yielding warnings,
listed in ``CHECKS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from .config import SiteConfig
from .content import SourceItem
from .diagnostics import Diagnostic
from .messages import Message, msg
from .schema import WITHHELD


def _warn(item: SourceItem, field: str | None, message: Message) -> Diagnostic:
    line = item.line_of(field) if field else None
    return Diagnostic(item.path, line, field, message, "warning")


def style(item: SourceItem, config: SiteConfig, today: dt.date) -> Iterator[Diagnostic]:
    """文风: 写短、写实 — long items, long titles, long items without a summary, empty sections."""
    rule = config.style_for(item.category)
    if rule is None:
        return
    chars = item.body.chars
    if rule.max_chars is not None and chars > rule.max_chars:
        yield _warn(item, None, msg("check.long_body", chars=chars, limit=rule.max_chars))
    if rule.max_title is not None and len(item.title) > rule.max_title:
        yield _warn(
            item, "title", msg("check.long_title", chars=len(item.title), limit=rule.max_title)
        )
    if rule.summary_over is not None and chars > rule.summary_over and not item.summary:
        yield _warn(item, "summary", msg("check.no_summary", chars=chars))
    for heading in item.body.empty_sections:
        yield _warn(item, None, msg("check.empty_section", heading=heading))


def future_dates(item: SourceItem, config: SiteConfig, today: dt.date) -> Iterator[Diagnostic]:
    """A date after today (in the site's reckoning) on something that has happened: the
    item's date, its reply date, an emergency's times — most likely a typing slip
    (2026 for 2025, 12 for 11). Due dates are meant to lie ahead and are not checked."""
    for field, value in (
        ("date", item.date),
        ("done", item.done),
        ("occurred", item.occurred),
        ("reported", item.reported),
    ):
        day = value.date() if isinstance(value, dt.datetime) else value
        if day is not None and day > today:
            yield _warn(
                item, field, msg("field.future", value=day.isoformat(), today=today.isoformat())
            )


CHECKS = (style, future_dates)
# What an item not (yet) published — a draft, an item awaiting sign-off — is checked for:
# the typing slips an editor wants to hear of at `bulletin check`, before sign-off; not
# style (a fresh draft's skeleton sections are empty on purpose).
DRAFT_CHECKS = (future_dates,)


def unpublished(sources: Sequence[SourceItem], published: set[str]) -> list[SourceItem]:
    """The items of ``sources`` that are not published (drafts, items awaiting sign-off)
    and not withheld: what ``DRAFT_CHECKS`` look at. ``published``: slugs."""
    return [s for s in sources if s.slug not in published and s.classification not in WITHHELD]


def run_checks(
    items: list[SourceItem],
    config: SiteConfig,
    today: dt.date,
    unpublished: Sequence[SourceItem] = (),
) -> list[Diagnostic]:
    """The warnings of every check for ``items`` (published) and of ``DRAFT_CHECKS`` for
    ``unpublished`` (drafts and items awaiting sign-off, never withheld ones); ``today``
    is the build's today."""
    found = [d for item in items for check in CHECKS for d in check(item, config, today)]
    found += [
        d for item in unpublished for check in DRAFT_CHECKS for d in check(item, config, today)
    ]
    return found
