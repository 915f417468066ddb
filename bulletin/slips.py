"""The typing slips every Chinese typist makes in front matter, recognised by name.

Editors type with a Chinese input method: a full-width colon (``title：…``), full-width
spaces, a tab, a fence of dashes (``———``), dates as they are written in Chinese text
(``2026年5月3日``, ``2026/5/3``), several tags in one (``[防汛，安全生产]``). Many of these
break YAML, whose own error then points at another line and blames something else; the
others give a value that is surely not what was meant. The recognisers here name the slip
(a ``messages.Message``) so that ``frontmatter``, ``schema`` and ``content`` report it on
its own line, with the corrected value where there is one.
"""

from __future__ import annotations

import datetime as dt
import re

from .messages import Message, msg

# A fence typed with a Chinese input method: dashes that are not "-" (——— is three
# U+2014 EM DASH; －－－ full-width hyphen-minus), alone on a line.
FULLWIDTH_FENCE_RE = re.compile(r"^[ \t]*(?=[-—－―–ー]*[—－―–ー])([-—－―–ー]{2,})[ \t\u3000]*$")
# A key (ASCII, as every front-matter key is) followed by a full-width colon.
FULLWIDTH_COLON_RE = re.compile(
    r"^[ \t\u3000]*(?:-[ \u3000]+)?([A-Za-z][A-Za-z0-9_-]*)[ \u3000]*："
)
# A full-width space in the indentation or right after a key's colon or a list dash.
FULLWIDTH_SPACE_RE = re.compile(
    r"^[ \t]*\u3000|^[ \t\u3000]*(?:- )?(?P<key>[A-Za-z][A-Za-z0-9_-]*):\u3000|^[ \t]*-\u3000"
)
TAB_INDENT_RE = re.compile(r"^ *\t")

# Dates as editors type them: 2026/5/3, 2026年5月3日, 2026-5-3, 2026.5.3, 2026。5。3,
# with full-width digits too. Groups: year, month, day.
DATE_SLIP_RE = re.compile(
    r"^([0-9０-９]{4})\s*(?:[-/.．。／－年]|\s)\s*([0-9０-９]{1,2})\s*(?:[-/.．。／－月]|\s)\s*"
    r"([0-9０-９]{1,2})\s*(?:日|号)?$"
)
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
# Chinese characters (a tag of several CJK words separated by spaces is several tags)
CJK_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def fence_slip(line: str) -> Message | None:
    """The message for a fence line typed with full-width dashes, or None."""
    fence = FULLWIDTH_FENCE_RE.match(line)
    return msg("fm.fullwidth_fence", fence=fence.group(1)) if fence else None


def line_slip(lines: list[str]) -> tuple[int, Message, str | None] | None:
    """The first line of ``lines`` (YAML source lines) holding a slip that breaks YAML:
    its index in ``lines``, the message and the key it is on (if known); None if none.

    A full-width colon after a key, a full-width space in the indentation or after the
    colon, a tab in the indentation. YAML's own error points later (the next line, or
    where the broken mapping ends); the real cause is on the first such line.
    """
    for index, line in enumerate(lines):
        if line.lstrip(" \t\u3000").startswith("#"):
            continue
        colon = FULLWIDTH_COLON_RE.match(line)
        if colon is not None:
            return index, msg("yaml.fullwidth_colon"), colon.group(1)
        space = FULLWIDTH_SPACE_RE.match(line)
        if space is not None:
            return index, msg("yaml.fullwidth_space"), space.group("key")
        if TAB_INDENT_RE.match(line):
            return index, msg("yaml.tab"), None
    return None


def colon_slip(text: str) -> bool:
    """Whether ``text`` (a value YAML read as one text) is a key and a full-width colon:
    ``level：city`` typed for ``level: city``."""
    return FULLWIDTH_COLON_RE.match(text) is not None


def date_slip(value: str) -> Message | None:
    """Why ``value`` (text given for a date) is not a date, when it can be said precisely:
    a date written another way gets its corrected form ("写成 2026-05-03"), an impossible
    one the fact that makes it impossible (February has no 30th). None for anything else
    (the caller says what a date must look like)."""
    match = DATE_SLIP_RE.match(value.translate(FULLWIDTH_DIGITS))
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return msg("field.month_impossible", month=month, value=value)
    try:
        fixed = dt.date(year, month, day)
    except ValueError:
        name = MONTHS[month - 1]
        return msg(
            "field.date_impossible", year=year, month=month, month_name=name, day=day, value=value
        )
    if value == fixed.isoformat():  # a valid date is not a slip
        return None
    return msg("field.date_slip", value=value, fixed=fixed.isoformat())


def tag_slip(tag: str) -> Message | None:
    """The warning for a tag that is surely several tags typed as one (``防汛，安全生产``:
    a Chinese comma; ``防汛 安全生产``: CJK words and spaces), with the list as it should
    be written; None for a tag that is one tag."""
    parts = [p.strip() for p in re.split("[，、,]", tag) if p.strip()]
    if len(parts) > 1 and re.search("[，、]", tag):
        return msg("field.tags_comma", value=tag, fixed=", ".join(parts))
    words = tag.replace("\u3000", " ").split()
    if len(words) > 1 and all(CJK_RE.search(w) for w in words):
        return msg("field.tags_space", value=tag, fixed=", ".join(words))
    return None
