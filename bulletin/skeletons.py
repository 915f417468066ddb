"""What ``bulletin new`` writes: front matter for a draft, and a body skeleton per category.

The skeleton is the outline an office expects of each kind of item (a briefing: 基本情况,
主要做法, 取得成效, 下一步打算); its headings are to be filled. A published item whose
body is still only these headings is refused (``content``: 四个不报, nothing to report).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

from .clock import start_of_day
from .config import SiteConfig
from .messages import Message, msg

ITEM_SUFFIX = ".md"

# category id → section headings, per language; DEFAULT for categories of the site's own.
SKELETONS: dict[str, dict[str, tuple[str, ...]]] = {
    "briefing": {
        "zh-CN": ("一、基本情况", "二、主要做法", "三、取得成效", "四、下一步打算"),
        "en": ("Background", "What was done", "Results", "Next steps"),
    },
    "notice": {
        "zh-CN": ("一、有关情况", "二、工作要求"),
        "en": ("The matter", "Requirements"),
    },
    "commendation": {
        "zh-CN": ("一、表彰决定", "二、主要事迹", "三、希望和要求"),
        "en": ("The decision", "What they did", "Expectations"),
    },
    "research": {
        "zh-CN": ("一、基本情况", "二、存在问题", "三、原因分析", "四、对策建议"),
        "en": ("Background", "Problems", "Causes", "Recommendations"),
    },
    "supervision": {
        "zh-CN": ("一、交办事项", "二、办理要求", "三、办理情况"),
        "en": ("The matter assigned", "Requirements", "Progress"),
    },
    "emergency": {
        "zh-CN": ("一、事件经过", "二、伤亡和损失情况", "三、已采取的措施", "四、下一步工作"),
        "en": ("What happened", "Casualties and losses", "Measures taken", "Next steps"),
    },
}
DEFAULT = {"zh-CN": ("一、基本情况", "二、主要内容"), "en": ("Background", "Content")}

SIGNOFF_COMMENT = {
    "zh-CN": "# 校核人、审批（签发）人：校核、审批后填写，再删去上面 status: draft 一行即可发布",
    "en": "# checker and approver: fill in once signed off, then delete status: draft above",
}


def skeleton(category: str, language: str) -> str:
    """The body skeleton of ``category`` in ``language``: its headings, a blank line apart."""
    headings = SKELETONS.get(category, DEFAULT)
    chosen = headings.get(language) or headings["zh-CN"]
    return "".join(f"## {heading}\n\n" for heading in chosen)


def category_fields(category: str, unit: str, date: dt.date, zone: dt.tzinfo) -> str:
    """Front-matter lines a category requires beyond the common keys, filled to be valid
    (an emergency's times: the start of ``date`` in the site's time zone ``zone``)."""
    if category == "emergency":
        moment = start_of_day(date, zone).isoformat()  # with the site's offset
        return f"occurred: {moment}\nreported: {moment}\n"
    if category == "supervision":
        return f"assignees: [{unit}]\ndue: {(date + dt.timedelta(days=30)).isoformat()}\n"
    if category == "commendation":
        return f"honorees:\n  - {{name: 待填写, unit: {unit}, kind: collective}}\n"
    return ""


def new_item_text(
    title: str,
    unit: str,
    category: str,
    date: dt.date,
    config: SiteConfig,
    body: str | None = None,
) -> str:
    """A whole draft item file of ``config``'s site: front matter (``status: draft``,
    empty sign-off keys, comments in the site's language) and ``body`` (default: the
    category's skeleton)."""
    language = config.language
    # A JSON string is a valid YAML double-quoted scalar: quotes and backslashes survive.
    quoted = json.dumps(title.strip(), ensure_ascii=False)
    comment = SIGNOFF_COMMENT.get(language, SIGNOFF_COMMENT["zh-CN"])
    return (
        f"---\ntitle: {quoted}\nunit: {unit}\ncategory: {category}\ndate: {date.isoformat()}\n"
        f"{category_fields(category, unit, date, config.zone)}status: draft\n{comment}\n"
        f"reviewed-by:\napproved-by:\n---\n\n"
        f"{skeleton(category, language) if body is None else body}"
    )


def slug_for(title: str, date: dt.date) -> str:
    """The default file stem of a new item: its date and the letters, digits and Chinese
    characters of its title (at most 40)."""
    words = re.sub(r"[^0-9A-Za-z一-鿿-]+", "-", title).strip("-")[:40].strip("-")
    return f"{date.isoformat()}-{words}" if words else date.isoformat()


def write_new_item(
    config: SiteConfig, unit: str, slug: str, text: str
) -> tuple[str | None, Message | None]:
    """Write ``text`` as the new item ``content/<unit>/<slug>.md``: never over an existing
    file, never with a slug another item file has (slugs are unique). Returns the file's
    site-relative path, or None and why not."""
    path = config.content_dir / unit / f"{slug}{ITEM_SUFFIX}"
    rel = path.relative_to(config.root).as_posix()
    if path.exists():
        return None, msg("cli.exists", path=rel)
    for dirpath, _dirs, files in os.walk(config.content_dir):
        if f"{slug}{ITEM_SUFFIX}" in files:
            other = Path(dirpath, f"{slug}{ITEM_SUFFIX}").relative_to(config.root).as_posix()
            return None, msg("cli.slug_taken", path=other, slug=slug)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # never over a file made meanwhile
            fh.write(text)
    except FileExistsError:
        return None, msg("cli.exists", path=rel)
    except OSError as exc:
        return None, msg("cli.cannot_write", path=rel, error=str(exc.strerror or exc))
    return rel, None
