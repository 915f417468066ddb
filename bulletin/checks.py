"""Editorial checks that warn but do not fail a build (unless --strict).

Add a check here: a function taking (SourceItem, SiteConfig) and yielding warnings,
listed in ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .config import SiteConfig
from .content import SourceItem
from .diagnostics import Diagnostic


def _warn(item: SourceItem, field: str | None, message: str) -> Diagnostic:
    line = item.line_of(field) if field else None
    return Diagnostic(item.path, line, field, message, "warning")


def style(item: SourceItem, config: SiteConfig) -> Iterator[Diagnostic]:
    """文风: 写短、写实 — long items, long titles, long items without a summary, empty sections."""
    rule = config.style_for(item.category)
    if rule is None:
        return
    if rule.max_chars is not None and item.body.chars > rule.max_chars:
        yield _warn(
            item,
            None,
            f"body has {item.body.chars} Chinese characters, over the {rule.max_chars} "
            f"advised for this category (写短、写实)",
        )
    if rule.max_title is not None and len(item.title) > rule.max_title:
        yield _warn(item, "title", f"title has {len(item.title)} characters, over {rule.max_title}")
    if rule.summary_over is not None and item.body.chars > rule.summary_over and not item.summary:
        yield _warn(
            item, "summary", f"item has {item.body.chars} characters but no summary; add one"
        )
    for heading in item.body.empty_sections:
        yield _warn(item, None, f'section "{heading}" is empty')


CHECKS = (style,)


def run_checks(items: list[SourceItem], config: SiteConfig) -> list[Diagnostic]:
    return [d for item in items for check in CHECKS for d in check(item, config)]
