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
# The start of a line where spaces separate: indentation, a list's dash, a key's colon.
SPACES_START_RE = re.compile(r"^[ \t\u3000]*(?:-[ \u3000]+)*(?:[A-Za-z][A-Za-z0-9_-]*:[ \u3000]+)?")
# A line that is a key and its colon (every front-matter key is ASCII), its indentation
# and, after "- " list dashes, the column of its key; and a value after the colon.
KEY_LINE_RE = re.compile(
    r"^(?P<indent> *)(?P<dashes>(?:- +)*)(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?: +(?P<value>.*))?$"
)

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
    above: re.Match[str] | None = None  # the last line that held something, as a key line
    first = True
    for index, line in enumerate(lines):
        if line.lstrip(" \t\u3000").startswith("#") or not line.strip():
            continue
        colon = FULLWIDTH_COLON_RE.match(line)
        if colon is not None:
            return index, msg("yaml.fullwidth_colon"), colon.group(1)
        space = FULLWIDTH_SPACE_RE.match(line)
        if space is not None:
            return index, msg("yaml.fullwidth_space"), space.group("key")
        if TAB_INDENT_RE.match(line):
            return index, msg("yaml.tab"), None
        indented = indent_slip(line, above, first)
        if indented is not None:
            return index, indented, None
        above, first = KEY_LINE_RE.match(line), False
    return None


def mend_slip(line: str, message_id: str) -> str | None:
    """``line`` with the slip named by ``message_id`` (a ``yaml.*`` message of
    ``line_slip``) mended as its message tells the editor to, or None for a slip whose
    meaning is not plain (a tab: how deep was it meant?). A full-width colon becomes
    ": ", a full-width space in the indentation or after the colon an ordinary one, a
    stray indentation goes."""
    if message_id == "yaml.fullwidth_colon":
        colon = FULLWIDTH_COLON_RE.match(line)
        if colon is None:
            return None
        return line[: colon.end() - 1] + ": " + line[colon.end() :].lstrip(" \u3000")
    if message_id == "yaml.fullwidth_space":
        start = SPACES_START_RE.match(line)
        return line[: start.end()].replace("\u3000", " ") + line[start.end() :] if start else None
    if message_id in ("yaml.indented_first", "yaml.indented_key"):
        return line.lstrip(" ")
    return None


def indent_slip(line: str, above: re.Match[str] | None, first: bool) -> Message | None:
    """The message for a key line indented where no nesting can be (pasted or typed with
    stray spaces): the first line of the front matter, or a line under a key that
    already has its value on its own line (``summary: x`` then ``  tags: …``); None if
    the line is not such a slip. ``above`` is the previous non-blank line as a
    ``KEY_LINE_RE`` match (None if it was no key line)."""
    key = KEY_LINE_RE.match(line)
    if key is None or not key.group("indent"):
        return None
    if first:
        return msg("yaml.indented_first")
    if above is None:
        return None
    value = (above.group("value") or "").strip()
    if not value or value[0] in "|>[{\"'&*!" or value.startswith("#"):
        return None  # nothing on the line above (the key opens a block), or a value that
        # may go on over several lines
    column = len(above.group("indent")) + len(above.group("dashes"))
    if len(key.group("indent")) <= column:
        return None
    return msg("yaml.indented_key", key=above.group("key"))


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
