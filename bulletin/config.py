"""site.toml → a frozen, validated ``SiteConfig``."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import export as exporting
from .diagnostics import BulletinError, Diagnostic, did_you_mean
from .fingerprint import digest_bytes
from .fsutil import NotUTF8, decode_utf8
from .messages import DEFAULT_LANGUAGE, Message, language_or_default, listing, msg
from .slips import date_slip

CONFIG_FILE = "site.toml"
LANGUAGES = ("zh-CN", "en")
UNIT_KINDS = ("town", "street", "department")
# The office's time zone when site.toml names none: China Standard Time (UTC+8, no DST).
DEFAULT_TIMEZONE = "Asia/Shanghai"
# Names people write for China's time that are not its IANA name.
CHINA_TIME_NAMES = frozenset(
    ("beijing", "asia/beijing", "china", "cst", "utc+8", "utc+08:00", "gmt+8", "+08:00", "+8")
)

DEFAULT_CATEGORIES = {
    "briefing": "信息简报",
    "notice": "通知通报",
    "commendation": "表彰",
    "research": "调研报告",
    "supervision": "督查督办",
    "emergency": "紧急信息",
}
# Ordered from the lowest to the highest body; points per adoption.
DEFAULT_ADOPTION = {
    "district": ("区委", 2),
    "city": ("市委", 5),
    "province": ("省委", 10),
    "media": ("新闻媒体", 1),
}
DEFAULT_INSTRUCTION_POINTS = {"district": 3, "city": 5, "province": 8}


@dataclass(frozen=True)
class UnitConfig:
    id: str
    name: str
    kind: str
    key: bool
    assessed: bool = True  # counted in quotas, scores, ranks and criticism


@dataclass(frozen=True)
class CategoryConfig:
    id: str
    name: str


@dataclass(frozen=True)
class AdoptionLevel:
    id: str
    name: str
    points: int


@dataclass(frozen=True)
class StyleRule:
    """Writing-style limits for one category (文风: 写短、写实)."""

    max_chars: int | None
    max_title: int | None
    summary_over: int | None


@dataclass(frozen=True)
class BulletinConfig:
    """One bulletin (简报/信息刊物) the office compiles into numbered issues (期).

    ``level`` is the adoption level an item reaches by appearing in one of its issues
    (being in the district's issue is what 区委采用 means); ``report``, ``send`` and
    ``distribute`` are the default 报/送/发 lines of its issues.
    """

    id: str
    name: str
    publisher: str
    level: str
    report: tuple[str, ...] = ()
    send: tuple[str, ...] = ()
    distribute: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    title: str
    language: str
    base_url: str
    output_dir: Path
    units: tuple[UnitConfig, ...]
    categories: tuple[CategoryConfig, ...]
    adoption: tuple[AdoptionLevel, ...]
    quota_key: int = 9
    quota_regular: int = 3
    report_points: int = 1
    instruction_points: tuple[tuple[str, int], ...] = ()
    urgent_within_minutes: int = 60
    require_signoff: bool = False  # [rules]: published items need reviewed-by and approved-by
    today: dt.date | None = None
    timezone: str = DEFAULT_TIMEZONE  # IANA name; validated by load_config
    max_item_bytes: int = 2 * 1024 * 1024
    style: tuple[tuple[str, StyleRule], ...] = ()
    bulletins: tuple[BulletinConfig, ...] = ()
    region: str = "全区"  # in the circular's heading: 关于…季度{region}信息报送采用情况的通报
    publisher: str = ""  # printed on every page (编印单位), e.g. 中共岚川区委办公室
    marking: str | None = None  # printed on every page; None: the language's 内部资料 line
    export_pdf: bool = False  # [export] pdf: build each issue's PDF beside its page
    fingerprint: str = field(default="", compare=False)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def absolute_base(self) -> bool:
        return bool(urlsplit(self.base_url).scheme)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The site's time zone: calendar days, quarters, "today" and feed times follow it."""
        return zoneinfo.ZoneInfo(self.timezone)  # cached by zoneinfo: one object per name

    def unit(self, unit_id: str) -> UnitConfig | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def category(self, category_id: str) -> CategoryConfig | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def level(self, level_id: str) -> AdoptionLevel | None:
        return next((a for a in self.adoption if a.id == level_id), None)

    def instruction_points_for(self, level_id: str) -> int:
        return dict(self.instruction_points).get(level_id, 0)

    def style_for(self, category_id: str) -> StyleRule | None:
        return dict(self.style).get(category_id)

    def bulletin(self, bulletin_id: str) -> BulletinConfig | None:
        return next((b for b in self.bulletins if b.id == bulletin_id), None)


# --- validation -----------------------------------------------------------------------

TOP_KEYS = {
    "title",
    "language",
    "base_url",
    "output_dir",
    "today",
    "timezone",
    "max_item_bytes",
    "units",
    "categories",
    "adoption",
    "quota",
    "scoring",
    "rules",
    "style",
    "bulletins",
    "export",
    "region",
    "publisher",
    "marking",
}
DISTRIBUTION_KEYS = ("report", "send", "distribute")  # 报, 送, 发
DEFAULT_STYLE = {"briefing": StyleRule(1500, 40, 800)}


class _Reader:
    """Validates one parsed TOML document, remembering the source for line numbers."""

    def __init__(self, text: str, path: str):
        self.lines = text.splitlines()
        self.path = path
        self.problems: list[Diagnostic] = []

    def line_of(self, table: str | None, key: str | None) -> int | None:
        start = 0
        if table:
            pattern = re.compile(
                r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]"
            )
            for i, line in enumerate(self.lines):
                if pattern.match(line):
                    start = i
                    break
            else:
                start = 0
        if key is None:
            return start + 1 if table else None
        kpat = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
        for i in range(start, len(self.lines)):
            if kpat.match(self.lines[i]):
                return i + 1
        return start + 1 if table else None

    def error(self, table: str | None, key: str | None, message: Message) -> None:
        name = ".".join(p for p in (table, key) if p) or None
        self.problems.append(Diagnostic(self.path, self.line_of(table, key), name, message))

    def check_keys(self, table: str | None, data: dict[str, Any], allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.error(table, key, msg("config.unknown_key", hint=did_you_mean(key, allowed)))

    def get(
        self, table: str | None, data: dict[str, Any], key: str, kind: type, default: Any
    ) -> Any:
        if key not in data:
            return default
        value = data[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            self.error(
                table,
                key,
                msg("config.wrong_type", want=_type_name(kind), got=_type_name(type(value))),
            )
            return default
        return value

    def table(self, table: str | None, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.error(table, key, msg("config.must_be_table"))
            return {}
        return value


def timezone_problem(name: str) -> Message | None:
    """Why ``name`` is no usable time zone (None if it is one): an IANA name such as
    "Asia/Shanghai", found by ``zoneinfo`` (system database, else the tzdata package).

    "localtime" is refused too: it is whatever zone the machine is set to.
    """
    if name.lower() == "localtime":
        return msg("config.timezone_local", name=name, default=DEFAULT_TIMEZONE)
    try:
        zoneinfo.ZoneInfo(name)
        return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    known = zoneinfo.available_timezones() - {"localtime"}
    hint: Message | None
    if not known:
        hint = msg("config.timezone_no_db")
    elif name.strip().lower() in CHINA_TIME_NAMES:
        hint = msg("config.timezone_china", default=DEFAULT_TIMEZONE)
    else:
        same = {z.lower(): z for z in known}.get(name.strip().lower())
        hint = msg("hint.did_you_mean", word=same) if same else did_you_mean(name, known)
    return msg(
        "config.timezone_unknown",
        name=name,
        hint=hint or msg("config.timezone_use_iana", default=DEFAULT_TIMEZONE),
    )


def _type_name(kind: type) -> Message:
    names = {
        str: "type.str",
        int: "type.int",
        bool: "type.bool",
        dict: "type.table",
        float: "type.float",
        list: "type.list",
        dt.date: "type.date",
    }
    return msg(names[kind]) if kind in names else msg("type.other", name=kind.__name__)


def read_language(root: Path) -> str:
    """The ``language`` the site.toml in ``root`` names, as far as it can be read without
    validating the rest (for messages printed before or without a full config); the
    default language when it cannot be read or names none bulletin speaks."""
    try:
        data = tomllib.loads((root / CONFIG_FILE).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return DEFAULT_LANGUAGE
    return language_or_default(data.get("language"))


ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def load_config(root: Path) -> SiteConfig:
    """Read and validate ``root/site.toml``; raise BulletinError with every problem."""
    path = root / CONFIG_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BulletinError(
            [Diagnostic(CONFIG_FILE, None, None, msg("config.not_found", root=str(root)))]
        ) from None
    try:
        text = decode_utf8(raw)
    except NotUTF8 as exc:
        raise BulletinError([Diagnostic(CONFIG_FILE, exc.line, None, exc.message)]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = toml_problem(str(exc), text)
        raise BulletinError([Diagnostic(CONFIG_FILE, line, None, message)]) from None
    config = _build(root, data, _Reader(text, CONFIG_FILE), raw)
    return config


def toml_problem(error: str, text: str) -> tuple[int | None, Message]:
    """The line and an editor's message for tomllib's ``error`` (its English words) about
    site.toml's ``text``: the slips an office makes named in the catalogue's words (a
    key given twice, with the other line; a full-width "：" or "＝"; a date typed as in
    Chinese text or impossible; text without quotes; an unclosed quote), else tomllib's
    problem as it is."""
    at = re.search(r"line (\d+)", error)
    line = int(at.group(1)) if at else None
    problem = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", error)
    lines = text.split("\n")
    here = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    value = here.split("=", 1)[1].split("#", 1)[0].strip() if "=" in here else ""
    slip = date_slip(value) if value[:1].isdigit() else None
    if slip is not None:  # 2026-2-3, 2026/5/3, 2026-02-30: tomllib's words vary
        return line, slip
    if problem.startswith(("Cannot overwrite a value", "Cannot declare")) and line:
        key = re.match(r"\s*(\[[^\]]*\]|[^=\s]+)", here)
        start = 0  # a table is declared once in the file; a key once in its table
        if key and not key.group(1).startswith("["):
            start = max(
                (n for n in range(line - 1) if lines[n].lstrip().startswith("[")), default=-1
            )
            start += 1
        first = next(
            (
                n + 1
                for n in range(start, line - 1)
                if key and re.match(r"\s*" + re.escape(key.group(1)) + r"\s*(=|$)", lines[n])
            ),
            None,
        )
        if first is not None:
            return line, msg("config.toml_repeat", other=first)
    elif problem.startswith("Expected '=' after a key"):
        wide = next((c for c in ("：", "＝", ":") if c in here), None)
        if wide is not None:
            return line, msg("config.toml_separator", char=wide)
    elif problem == "Invalid value" and line is not None and "=" in here:
        return line, msg("config.toml_unquoted")
    elif problem.startswith("Illegal character '\\n'"):
        return line, msg("yaml.unclosed", what=msg("yaml.what_quote"))
    return line, msg("config.toml", problem=problem)


def _build(root: Path, data: dict[str, Any], r: _Reader, raw: bytes) -> SiteConfig:
    r.check_keys(None, data, TOP_KEYS)
    title = r.get(None, data, "title", str, "信息平台")
    language = r.get(None, data, "language", str, "zh-CN")
    if language not in LANGUAGES:
        r.error(
            None,
            "language",
            msg("config.language", value=language, options=listing(LANGUAGES)),
        )
        language = "zh-CN"
    base_url = r.get(None, data, "base_url", str, "/")
    parts = urlsplit(base_url)
    local = base_url.startswith("/") and not base_url.startswith("//")
    if not (local or parts.scheme in ("http", "https") and parts.netloc):
        r.error(None, "base_url", msg("config.base_url"))
        base_url = "/"
    if not base_url.endswith("/"):
        base_url += "/"
    output = r.get(None, data, "output_dir", str, "public")
    if not output.strip():
        r.error(None, "output_dir", msg("config.empty"))
        output = "public"
    today = data.get("today")
    if today is not None and (not isinstance(today, dt.date) or isinstance(today, dt.datetime)):
        r.error(None, "today", msg("config.today"))
        today = None
    timezone = r.get(None, data, "timezone", str, DEFAULT_TIMEZONE)
    problem = timezone_problem(timezone)
    if problem:
        r.error(None, "timezone", problem)
        timezone = DEFAULT_TIMEZONE
    max_bytes = r.get(None, data, "max_item_bytes", int, 2 * 1024 * 1024)

    units: list[UnitConfig] = []
    for uid, u in r.table(None, data, "units").items():
        tname = f"units.{uid}"
        if not isinstance(u, dict):
            r.error(None, tname, msg("config.unit_table"))
            continue
        if not ID_RE.match(uid):
            r.error(tname, None, msg("config.unit_id"))
        r.check_keys(tname, u, {"name", "kind", "key", "assessed"})
        name = r.get(tname, u, "name", str, None)
        if not name:
            r.error(tname, "name" if "name" in u else None, msg("config.unit_name"))
            name = uid
        kind = r.get(tname, u, "kind", str, "department")
        if kind not in UNIT_KINDS:
            r.error(tname, "kind", msg("config.unit_kind", value=kind, options=listing(UNIT_KINDS)))
        key = r.get(tname, u, "key", bool, False)
        assessed = r.get(tname, u, "assessed", bool, True)
        units.append(UnitConfig(uid, name, kind, key, assessed))
    if not units and not r.problems:
        r.error(None, None, msg("config.no_units"))

    cats_raw = r.table(None, data, "categories")
    categories = []
    merged = {cid: {"name": name} for cid, name in DEFAULT_CATEGORIES.items()}
    for cid, c in cats_raw.items():
        if not isinstance(c, dict):
            r.error(None, f"categories.{cid}", msg("config.category_table"))
            continue
        r.check_keys(f"categories.{cid}", c, {"name"})
        merged[cid] = {"name": r.get(f"categories.{cid}", c, "name", str, cid)}
    for cid, c in merged.items():
        if not ID_RE.match(cid):
            r.error(f"categories.{cid}", None, msg("config.category_id"))
        categories.append(CategoryConfig(cid, c["name"]))

    levels = {lid: {"name": n, "points": p} for lid, (n, p) in DEFAULT_ADOPTION.items()}
    for lid, a in r.table(None, data, "adoption").items():
        tname = f"adoption.{lid}"
        if not isinstance(a, dict):
            r.error(None, tname, msg("config.level_table"))
            continue
        r.check_keys(tname, a, {"name", "points"})
        base = levels.get(lid, {"name": lid, "points": 0})
        levels[lid] = {
            "name": r.get(tname, a, "name", str, base["name"]),  # type: ignore[dict-item]
            "points": r.get(tname, a, "points", int, base["points"]),
        }
    adoption = tuple(
        AdoptionLevel(lid, str(v["name"]), int(v["points"]))  # type: ignore[call-overload]
        for lid, v in levels.items()
    )

    quota = r.table(None, data, "quota")
    r.check_keys("quota", quota, {"key", "regular"})
    scoring = r.table(None, data, "scoring")
    r.check_keys("scoring", scoring, {"report", "instruction"})
    instr = dict(DEFAULT_INSTRUCTION_POINTS)
    for lid, pts in r.table("scoring", scoring, "instruction").items():
        if lid not in levels:
            r.error(
                "scoring.instruction",
                lid,
                msg("config.unknown_level", hint=did_you_mean(lid, levels)),
            )
        elif not isinstance(pts, int) or isinstance(pts, bool):
            r.error("scoring.instruction", lid, msg("config.must_be_int"))
        else:
            instr[lid] = pts
    rules = r.table(None, data, "rules")
    r.check_keys("rules", rules, {"urgent_within_minutes", "require_signoff"})

    style = dict(DEFAULT_STYLE)
    for cid, s in r.table(None, data, "style").items():
        tname = f"style.{cid}"
        if cid not in merged:
            r.error("style", cid, msg("config.unknown_category", hint=did_you_mean(cid, merged)))
            continue
        if not isinstance(s, dict):
            r.error(None, tname, msg("config.must_be_table"))
            continue
        r.check_keys(tname, s, {"max_chars", "max_title", "summary_over"})
        style[cid] = StyleRule(
            r.get(tname, s, "max_chars", int, None),
            r.get(tname, s, "max_title", int, None),
            r.get(tname, s, "summary_over", int, None),
        )

    bulletins = _bulletins(r, data, levels)
    export = r.table(None, data, "export")
    r.check_keys("export", export, {"pdf"})
    export_pdf = r.get("export", export, "pdf", bool, False)
    if export_pdf and not exporting.available("pdf"):
        r.error("export", "pdf", msg("config.pdf_unavailable", install=exporting.INSTALL))
    region = r.get(None, data, "region", str, "全区")
    publisher = r.get(None, data, "publisher", str, "")
    marking = r.get(None, data, "marking", str, None)

    for table, d, key in (
        ("quota", quota, "key"),
        ("quota", quota, "regular"),
        ("scoring", scoring, "report"),
        ("rules", rules, "urgent_within_minutes"),
    ):
        if isinstance(d.get(key), int) and d[key] < 0:
            r.error(table, key, msg("config.negative"))

    if r.problems:
        raise BulletinError(r.problems)
    return SiteConfig(
        root=root,
        title=title,
        language=language,
        base_url=base_url,
        output_dir=(root / output).resolve() if not Path(output).is_absolute() else Path(output),
        units=tuple(units),
        categories=tuple(categories),
        adoption=adoption,
        quota_key=r.get("quota", quota, "key", int, 9),
        quota_regular=r.get("quota", quota, "regular", int, 3),
        report_points=r.get("scoring", scoring, "report", int, 1),
        instruction_points=tuple(sorted(instr.items())),
        urgent_within_minutes=r.get("rules", rules, "urgent_within_minutes", int, 60),
        require_signoff=r.get("rules", rules, "require_signoff", bool, False),
        today=today,
        timezone=timezone,
        max_item_bytes=max_bytes,
        style=tuple(sorted(style.items())),
        bulletins=bulletins,
        region=region,
        publisher=publisher,
        marking=marking,
        export_pdf=export_pdf,
        fingerprint=digest_bytes(raw),
    )


def _bulletins(
    r: _Reader, data: dict[str, Any], levels: dict[str, Any]
) -> tuple[BulletinConfig, ...]:
    """``[bulletins.<id>]`` tables: name, publisher, level and a default distribution."""
    out = []
    for bid, b in r.table(None, data, "bulletins").items():
        tname = f"bulletins.{bid}"
        if not isinstance(b, dict):
            r.error(None, tname, msg("config.bulletin_table"))
            continue
        if not ID_RE.match(bid):
            r.error(tname, None, msg("config.bulletin_id"))
        r.check_keys(tname, b, {"name", "publisher", "level", "distribution"})
        for key in ("name", "publisher", "level"):
            if key not in b:
                r.error(tname, None, msg("config.bulletin_needs", key=key))
        name = r.get(tname, b, "name", str, bid)
        publisher = r.get(tname, b, "publisher", str, "")
        level = r.get(tname, b, "level", str, "district")
        if "level" in b and level not in levels:
            r.error(tname, "level", msg("config.unknown_level", hint=did_you_mean(level, levels)))
        lines: dict[str, tuple[str, ...]] = {}
        dist = b.get("distribution", {})
        if not isinstance(dist, dict):
            r.error(
                tname,
                "distribution",
                msg("config.distribution_table"),
            )
            dist = {}
        for key, value in dist.items():
            if key not in DISTRIBUTION_KEYS:
                r.error(
                    tname,
                    "distribution",
                    msg("field.unknown_subkey", key=key, hint=did_you_mean(key, DISTRIBUTION_KEYS)),
                )
            elif not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                r.error(tname, "distribution", msg("config.distribution_names", key=key))
            else:
                lines[key] = tuple(v.strip() for v in value)
        out.append(BulletinConfig(bid, name, publisher, level, **lines))
    return tuple(out)
