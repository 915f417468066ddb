"""The item front-matter schema: every key an editor may write, in one place.

Add a front-matter key here: a ``Field`` entry in ``FIELDS`` with a parser, and a
matching attribute on ``SourceItem`` (in ``content.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .clock import site_moment
from .config import SiteConfig
from .diagnostics import did_you_mean

CLASSIFICATIONS = {
    "public": "public",
    "internal": "internal",
    "secret": "secret",
    "confidential": "confidential",
    "top-secret": "top-secret",
    "秘密": "secret",
    "机密": "confidential",
    "绝密": "top-secret",
}
WITHHELD = frozenset({"secret", "confidential", "top-secret"})
STATUSES = ("published", "draft")
HONOREE_KINDS = ("collective", "individual")


class FieldError(ValueError):
    """A front-matter value is invalid; ``index`` points into a list when known."""

    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class AdoptionRef:
    level: str
    date: dt.date | None = None
    by: str | None = None


@dataclass(frozen=True)
class InstructionRef:
    by: str
    level: str
    date: dt.date | None = None


@dataclass(frozen=True)
class Honoree:
    name: str
    kind: str
    unit: str | None = None


Parser = Callable[[Any, SiteConfig], Any]


@dataclass(frozen=True)
class Field:
    parse: Parser
    required: bool = False
    attr: str = ""


# --- scalar parsers ---------------------------------------------------------------------


def _type(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, set):
        return "a set"
    return "text"


def _show(value: Any) -> str:
    """A value for a message: its repr, shortened (an editor may have pasted a page)."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# C0/C1 control characters (tab and newline aside) and the noncharacters XML refuses.
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def text(value: Any, config: SiteConfig) -> str:
    if not isinstance(value, str):
        raise FieldError(f"must be text, not {_type(value)}")
    value = value.strip()
    if not value:
        raise FieldError("must not be empty")
    if _CONTROL_CHARS_RE.search(value):
        raise FieldError("contains control characters")
    return value


def one_line(value: Any, config: SiteConfig) -> str:
    value = text(value, config)
    if "\n" in value or "\u2028" in value or "\u2029" in value:
        raise FieldError("must be a single line")
    return value


def boolean(value: Any, config: SiteConfig) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"must be true or false, not {_type(value)}")
    return value


def date(value: Any, config: SiteConfig) -> dt.date:
    """A calendar date on the site's calendar; a date-time is accepted and reduced to the
    site-zone date of its instant (``2026-03-31T17:00:00Z`` is 1 April in Beijing); one
    without an offset is site-local time."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        return _on_site_clock(value, config).date()
    if isinstance(value, dt.date):
        return value
    raise FieldError(f"must be a date YYYY-MM-DD, got {_show(value)}")


def _on_site_clock(value: dt.datetime, config: SiteConfig) -> dt.datetime:
    try:
        return site_moment(value, config.zone)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is in the year 10000 in Beijing
        shown = value.isoformat()
        raise FieldError(f"{shown} falls outside the years 1-9999 on the site's calendar") from None


def date_time(value: Any, config: SiteConfig) -> dt.datetime | None:
    """The instant of a ``date`` value that has a time of day, in the site's time zone;
    None for a plain date. Call after :func:`date` accepted ``value``."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:  # YYYY-MM-DD: no time of day
            return None
        value = dt.datetime.fromisoformat(text)
    return _on_site_clock(value, config) if isinstance(value, dt.datetime) else None


def moment(value: Any, config: SiteConfig) -> dt.datetime:
    """A point in time, in the site's time zone; naive values are site-local time."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(
                f"must be a date and time like 2026-07-12T05:40:00+08:00, got {_show(value)}"
            ) from None
    else:
        raise FieldError("must be a date and time like 2026-07-12T05:40:00+08:00")
    return _on_site_clock(result, config)


def slug_ref(value: Any, config: SiteConfig) -> str:
    value = one_line(value, config)
    if value.endswith(".md"):
        value = value.rsplit("/", 1)[-1][:-3]
    return value


def _known_id(value: Any, config: SiteConfig, what: str, entries: tuple[Any, ...]) -> str:
    """An id among entries (each with .id and .name); the Chinese name gets a hint."""
    value = one_line(value, config)
    for entry in entries:
        if entry.id == value:
            return value
    ids = [e.id for e in entries]
    names = {e.name: e.id for e in entries}
    hint = f' (use its id "{names[value]}")' if value in names else did_you_mean(value, ids)
    raise FieldError(f'unknown {what} "{value}"{hint}')


def unit_id(value: Any, config: SiteConfig) -> str:
    return _known_id(value, config, "unit", config.units)


def category_id(value: Any, config: SiteConfig) -> str:
    return _known_id(value, config, "category", config.categories)


def level_id(value: Any, config: SiteConfig) -> str:
    return _known_id(value, config, "adoption level", config.adoption)


def choice(options: dict[str, str] | tuple[str, ...], what: str) -> Parser:
    mapping = options if isinstance(options, dict) else {o: o for o in options}

    def parse(value: Any, config: SiteConfig) -> str:
        value = one_line(value, config)
        if value not in mapping:
            raise FieldError(f'"{value}" is not a {what}; use one of {", ".join(mapping)}')
        return mapping[value]

    return parse


# --- composite parsers ------------------------------------------------------------------


def list_of(item: Parser, *, unique: bool = False) -> Parser:
    def parse(value: Any, config: SiteConfig) -> tuple[Any, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise FieldError(f"must be a list, not {_type(value)}")
        out = []
        seen: set[Any] = set()  # a set: a long list must not cost quadratic time
        for i, entry in enumerate(value):
            try:
                parsed = item(entry, config)
            except FieldError as exc:
                raise FieldError(f"entry {i + 1}: {exc}", i) from None
            if unique:
                if parsed in seen:
                    raise FieldError(f"entry {i + 1}: {parsed!s} is listed twice", i)
                seen.add(parsed)
            out.append(parsed)
        return tuple(out)

    return parse


def record(fields: dict[str, tuple[Parser, bool]], build: Callable[..., Any]) -> Parser:
    """A mapping with known keys: {key: (parser, required)}."""

    def parse(value: Any, config: SiteConfig) -> Any:
        if not isinstance(value, dict):
            raise FieldError(f"must be a mapping with {', '.join(fields)}")
        kwargs = {}
        for key in value:
            if key not in fields:
                raise FieldError(f'unknown key "{key}"{did_you_mean(str(key), fields)}')
        for key, (parser, required) in fields.items():
            if key not in value or value[key] is None:
                if required:
                    raise FieldError(f'"{key}" is missing')
                continue
            try:
                kwargs[key.replace("-", "_")] = parser(value[key], config)
            except FieldError as exc:
                raise FieldError(f"{key}: {exc}") from None
        return build(**kwargs)

    return parse


_adoption_record = record(
    {"level": (level_id, True), "date": (date, False), "by": (one_line, False)}, AdoptionRef
)


def adoption(value: Any, config: SiteConfig) -> AdoptionRef:
    if isinstance(value, str):
        return AdoptionRef(level_id(value, config))
    return _adoption_record(value, config)


instruction = record(
    {"by": (one_line, True), "level": (level_id, True), "date": (date, False)}, InstructionRef
)
honoree = record(
    {
        "name": (one_line, True),
        "kind": (choice(HONOREE_KINDS, "kind of honoree"), True),
        "unit": (unit_id, False),
    },
    Honoree,
)


def tag(value: Any, config: SiteConfig) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return one_line(value, config)


def extra(value: Any, config: SiteConfig) -> None:
    if not isinstance(value, dict):
        raise FieldError("must be a mapping")
    return None


_adoptions = list_of(adoption)


def _levels_unique(value: Any, config: SiteConfig) -> tuple[AdoptionRef, ...]:
    refs = _adoptions(value, config)
    seen: set[str] = set()
    for i, ref in enumerate(refs):
        if ref.level in seen:
            raise FieldError(f'entry {i + 1}: level "{ref.level}" is listed twice', i)
        seen.add(ref.level)
    return refs


FIELDS: dict[str, Field] = {
    "title": Field(one_line, required=True),
    "unit": Field(unit_id, required=True),
    "category": Field(category_id, required=True),
    "date": Field(date, required=True),
    "adopted-by": Field(_levels_unique),
    "summary": Field(text),
    "tags": Field(list_of(tag, unique=True)),
    "status": Field(choice(STATUSES, "status")),
    "classification": Field(choice(CLASSIFICATIONS, "classification")),
    "instructions": Field(list_of(instruction)),
    "follow-up-of": Field(slug_ref),
    "final": Field(boolean),
    "occurred": Field(moment),
    "reported": Field(moment),
    "assignees": Field(list_of(unit_id, unique=True)),
    "due": Field(date),
    "done": Field(date),
    "honorees": Field(list_of(honoree)),
    "excellent": Field(boolean),
    "extra": Field(extra),
}
