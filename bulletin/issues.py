"""Numbered bulletin issues (期): ``content/issues/**/*.md`` read, validated and cross-checked.

The office compiles reported items into numbered issues of its bulletins (简报), e.g.
《岚川信息》2026年第15期, configured in ``[bulletins.<id>]``. An issue file names the items
in order; its body is the editor's note (编者按). Being included in a published issue is
adoption at the bulletin's level (the office's rule: "being included in the district's
issue is what 区委采用 means"); ``model.build_site`` applies it, counted once per item and
level.

An issue is published like an item: ``status: draft`` only in ``--drafts`` previews, and a
``classification`` of secret/confidential/top-secret withholds it completely (no page, no
file, no adoption). A published issue must not name a withheld or unpublished item.

Front matter (one place for the keys, as ``schema.FIELDS`` is for items)::

    bulletin: lanchuan          # required: a [bulletins.<id>]
    number: 15                  # required: integer ≥ 1, unique per bulletin and year
    date: 2026-06-18            # required
    signed-by: 王建国            # required for a published issue (签发人)
    items: [slug, slug]         # required, non-empty for a published issue; in print order
    title: 防汛专刊              # optional: a special issue (专刊)
    distribution: {report: [...], send: [...], distribute: [...]}   # overrides the default
    copies: 60                  # optional: the print run (共印N份)
    status: draft               # optional
    classification: 秘密         # optional
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .config import DISTRIBUTION_KEYS, SiteConfig
from .content import CIRCULARS_DIR, DOCUMENT_DIRS, SourceItem, read_front_matter
from .diagnostics import Diagnostic, did_you_mean
from .markdown import make_parser, render_body
from .schema import (
    CLASSIFICATIONS,
    STATUSES,
    WITHHELD,
    FieldError,
    choice,
    date,
    list_of,
    one_line,
    slug_ref,
)

Signature = tuple[int, int, int, int]


@dataclass(frozen=True)
class Distribution:
    """The distribution lines at the foot of an issue: 报 (up), 送 (same level), 发 (down)."""

    report: tuple[str, ...] = ()
    send: tuple[str, ...] = ()
    distribute: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.report or self.send or self.distribute)


@dataclass(frozen=True)
class IssueEntry:
    """One item named in an issue's ``items`` list, with the line it was written on."""

    slug: str
    line: int


@dataclass(frozen=True)
class IssueSource:
    """One valid issue file, before it is checked against the items."""

    path: str  # relative to the site directory, posix
    bulletin: str
    number: int
    date: dt.date
    signed_by: str | None
    entries: tuple[IssueEntry, ...]
    title: str | None
    distribution: Distribution | None  # None: the bulletin's default
    copies: int | None
    status: str
    classification: str
    note_html: str  # the editor's note (编者按), rendered; "" when the body is empty
    note_text: str
    lines: tuple[tuple[str, int], ...]  # front-matter key → line
    key: str  # fingerprint of the file's bytes

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def withheld(self) -> bool:
        return self.classification in WITHHELD

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 1)


@dataclass(frozen=True)
class Bulletin:
    """A bulletin of the site (from ``[bulletins.<id>]``), with its index URL."""

    id: str
    name: str
    publisher: str
    level: str  # adoption level id
    distribution: Distribution
    url: str


@dataclass(frozen=True)
class Issue:
    """A published issue (期) of a bulletin: what pages, figures and exports show."""

    bulletin: Bulletin
    number: int
    date: dt.date
    title: str | None  # a special issue's title (专刊)
    signed_by: str | None
    slugs: tuple[str, ...]  # the items, in print order
    distribution: Distribution
    copies: int | None
    draft: bool
    note_html: str
    note_text: str
    url: str
    key: str

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def label(self) -> str:
        """《岚川信息》2026年第15期: how an adoption by this issue is written."""
        return issue_label(self.bulletin.name, self.date.year, self.number)

    @property
    def pdf_url(self) -> str:
        return self.url + pdf_name(self)


def issue_label(name: str, year: int, number: int) -> str:
    return f"《{name}》{year}年第{number}期"


def pdf_name(issue: Issue) -> str:
    """The file name of an issue's PDF: bulletin, year and number (never a title)."""
    return f"{issue.bulletin.id}-{issue.year}-{issue.number}.pdf"


def bulletin_url(base_path: str, bulletin_id: str) -> str:
    """A bulletin's place on /issues/ (one page lists every bulletin)."""
    return f"{base_path}issues/#{quote(bulletin_id)}"


def issue_url(base_path: str, bulletin_id: str, year: int, number: int) -> str:
    return f"{base_path}issues/{quote(bulletin_id)}/{year}/{number}/"


# --- reading ------------------------------------------------------------------------------


def find_issue_files(config: SiteConfig) -> list[tuple[str, str, Signature]]:
    """Issue files under content/issues/ and circular notes under content/circulars/:
    (full path, site-relative posix path, stat signature), sorted. Hidden files and
    anything but plain files (a symbolic link, a pipe) are skipped."""
    found: list[tuple[str, str, Signature]] = []
    for folder in (config.content_dir / d for d in DOCUMENT_DIRS):
        if folder.is_dir() and not folder.is_symlink():
            found.extend(_walk(folder, config))
    found.sort(key=lambda entry: entry[1])
    return found


def _walk(folder: Any, config: SiteConfig) -> list[tuple[str, str, Signature]]:
    found: list[tuple[str, str, Signature]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(".md") or name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            rel = PurePosixPath(os.path.relpath(full, config.root)).as_posix()
            found.append((full, rel, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)))
    return found


def issue_signatures(config: SiteConfig) -> list[tuple[str, Signature]]:
    """What a build's input fingerprint includes of the issue files (no file is read)."""
    return [(rel, sig) for _full, rel, sig in find_issue_files(config)]


def positive_int(value: Any, config: SiteConfig) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError("must be a whole number such as 15")
    if value < 1:
        raise FieldError("must be 1 or more")
    return value


def bulletin_id(value: Any, config: SiteConfig) -> str:
    value = one_line(value, config)
    if config.bulletin(value) is None:
        ids = [b.id for b in config.bulletins]
        names = {b.name: b.id for b in config.bulletins}
        hint = f' (use its id "{names[value]}")' if value in names else did_you_mean(value, ids)
        where = "" if ids else "; define it in site.toml as [bulletins.<id>]"
        raise FieldError(f'unknown bulletin "{value}"{hint}{where}')
    return value


def distribution(value: Any, config: SiteConfig) -> Distribution:
    if not isinstance(value, dict):
        raise FieldError("must be a mapping: {report: [...], send: [...], distribute: [...]}")
    lines: dict[str, tuple[str, ...]] = {}
    for key, names in value.items():
        if key not in DISTRIBUTION_KEYS:
            raise FieldError(f'unknown key "{key}"{did_you_mean(str(key), DISTRIBUTION_KEYS)}')
        try:
            lines[key] = list_of(one_line)(names, config)
        except FieldError as exc:
            raise FieldError(f"{key}: {exc}") from None
    return Distribution(**lines)


ISSUE_FIELDS: dict[str, Callable[[Any, SiteConfig], Any]] = {
    "bulletin": bulletin_id,
    "number": positive_int,
    "date": date,
    "signed-by": one_line,
    "items": lambda value, config: value,  # checked entry by entry in read_issue
    "title": one_line,
    "distribution": distribution,
    "copies": positive_int,
    "status": choice(STATUSES, "status"),
    "classification": choice(CLASSIFICATIONS, "classification"),
}
REQUIRED = ("bulletin", "number", "date")
REQUIRED_PUBLISHED = ("signed-by",)  # a draft is signed off last


def read_issue(
    data: bytes, rel: str, config: SiteConfig
) -> tuple[IssueSource | None, list[Diagnostic]]:
    """Parse and validate one issue file's bytes (front matter as items are read:
    ``content.read_front_matter``)."""
    front, problems = read_front_matter(data, rel)
    if front is None:
        return None, problems
    values: dict[str, Any] = {}
    for key, raw in front.values.items():
        skey = str(key)
        if skey not in ISSUE_FIELDS:
            hint = did_you_mean(skey, ISSUE_FIELDS)
            problems.append(Diagnostic(rel, front.line_of(skey), skey, f"unknown key{hint}"))
            continue
        if raw is None:
            continue
        try:
            values[skey] = ISSUE_FIELDS[skey](raw, config)
        except FieldError as exc:
            problems.append(Diagnostic(rel, front.line_of(skey), skey, str(exc)))
    draft = values.get("status") == "draft"
    for key in REQUIRED + (() if draft else REQUIRED_PUBLISHED):
        if key not in front.values or (front.values[key] is None and key not in values):
            problems.append(Diagnostic(rel, 1, key, "is required but missing"))
    entries = _entries(front.values.get("items"), front, rel, config, problems, draft)
    if problems:
        return None, problems
    note = render_body(
        make_parser(), front.body, _source_dir(rel), config.base_path, front.body_line
    )
    for link in note.links:
        problems.append(
            Diagnostic(
                rel, link.line, "link", "an editor's note cannot link to items; name them in items"
            )
        )
    if problems:
        return None, problems
    return (
        IssueSource(
            path=rel,
            bulletin=values["bulletin"],
            number=values["number"],
            date=values["date"],
            signed_by=values.get("signed-by"),
            entries=entries,
            title=values.get("title"),
            distribution=values.get("distribution"),
            copies=values.get("copies"),
            status=values.get("status", "published"),
            classification=values.get("classification", "public"),
            note_html=note.html if note.text.strip() else "",
            note_text=note.text.strip(),
            lines=tuple(sorted(front.lines.items())),
            key=hashlib.blake2b(data + b"\0" + rel.encode(), digest_size=16).hexdigest(),
        ),
        [],
    )


def _source_dir(rel: str) -> str:
    return PurePosixPath(rel).parent.relative_to("content").as_posix()


def _entries(
    raw: Any,
    front: Any,
    rel: str,
    config: SiteConfig,
    problems: list[Diagnostic],
    draft: bool,
) -> tuple[IssueEntry, ...]:
    """The ``items`` list: slugs in order, each with its line; a slug listed twice is
    reported on the line of its second entry."""
    if raw is None:
        if "items" in front.values and not draft:
            problems.append(Diagnostic(rel, front.line_of("items"), "items", "lists no item"))
        elif "items" not in front.values and not draft:
            problems.append(Diagnostic(rel, 1, "items", "is required but missing"))
        return ()
    if not isinstance(raw, list):
        problems.append(
            Diagnostic(rel, front.line_of("items"), "items", "must be a list of item slugs")
        )
        return ()
    if not raw and not draft:
        problems.append(Diagnostic(rel, front.line_of("items"), "items", "lists no item"))
    entries: list[IssueEntry] = []
    first: dict[str, int] = {}
    for index, value in enumerate(raw):
        line = front.entry_line("items", index)
        try:
            slug = slug_ref(value, config)
        except FieldError as exc:
            problems.append(Diagnostic(rel, line, "items", f"entry {index + 1}: {exc}"))
            continue
        if slug in first:
            problems.append(
                Diagnostic(
                    rel,
                    line,
                    "items",
                    f'"{slug}" is listed twice in this issue (also on line {first[slug]})',
                )
            )
            continue
        first[slug] = line
        entries.append(IssueEntry(slug, line))
    return tuple(entries)


@dataclass(frozen=True)
class CircularNote:
    """What ``content/circulars/<year>-q<N>.md`` adds to a quarter's circular: the
    closing 下一步要求 (its body), under its own ``title`` if given."""

    year: int
    quarter: int
    title: str | None
    html: str


@dataclass(frozen=True)
class Documents:
    """The office's own content files: issue sources and circular notes."""

    issues: tuple[IssueSource, ...] = ()
    notes: tuple[CircularNote, ...] = ()


NOTE_NAME_RE = re.compile(r"^(\d{4})-q([1-4])$")


def read_note(
    data: bytes, rel: str, config: SiteConfig
) -> tuple[CircularNote | None, list[Diagnostic]]:
    """A circular note: front matter (only ``title``, optional) and a Markdown body."""
    match = NOTE_NAME_RE.match(PurePosixPath(rel).stem)
    if match is None:
        return None, [
            Diagnostic(rel, None, None, "a circular note is named YEAR-qN.md, e.g. 2026-q2.md")
        ]
    front, problems = read_front_matter(data, rel)
    if front is None:
        return None, problems
    title = None
    for key, raw in front.values.items():
        if key != "title":
            problems.append(
                Diagnostic(rel, front.line_of(str(key)), str(key), 'unknown key (only "title")')
            )
            continue
        try:
            title = one_line(raw, config)
        except FieldError as exc:
            problems.append(Diagnostic(rel, front.line_of("title"), "title", str(exc)))
    body = render_body(
        make_parser(), front.body, _source_dir(rel), config.base_path, front.body_line
    )
    if not body.text.strip():
        problems.append(Diagnostic(rel, front.body_line, None, "the note has no text"))
    if problems:
        return None, problems
    return CircularNote(int(match.group(1)), int(match.group(2)), title, body.html), []


def read_issue_files(config: SiteConfig) -> tuple[Documents, list[Diagnostic]]:
    """Every issue file and circular note of the site, read and validated one by one."""
    found: list[IssueSource] = []
    notes: list[CircularNote] = []
    problems: list[Diagnostic] = []
    if config.export_pdf and importlib.util.find_spec("weasyprint") is None:
        problems.append(
            Diagnostic(
                "site.toml",
                None,
                "export.pdf",
                "needs WeasyPrint, which is not installed: pip install 'bulletin[export]'",
            )
        )
    for full, rel, _sig in find_issue_files(config):
        try:
            with open(full, "rb") as fh:
                data = fh.read(config.max_item_bytes + 1)
        except OSError as exc:
            problems.append(Diagnostic(rel, None, None, f"cannot read: {exc}"))
            continue
        if len(data) > config.max_item_bytes:
            problems.append(
                Diagnostic(
                    rel, None, None, f"file is over the limit of {config.max_item_bytes:,} bytes"
                )
            )
            continue
        if rel.startswith(f"content/{CIRCULARS_DIR}/"):
            note, note_problems = read_note(data, rel, config)
            problems.extend(note_problems)
            if note is not None:
                notes.append(note)
            continue
        issue, issue_problems = read_issue(data, rel, config)
        problems.extend(issue_problems)
        if issue is not None:
            found.append(issue)
    return Documents(tuple(found), tuple(notes)), problems


# --- cross-checks and the published issues -------------------------------------------------


@dataclass(frozen=True)
class IssueCheck:
    """What ``check_issues`` found: the issues to publish and the labels to withhold."""

    issues: tuple[Issue, ...]  # published in this build (drafts only in previews), by date
    withheld_labels: tuple[str, ...]  # what the output must never contain
    problems: tuple[Diagnostic, ...]


def check_issues(
    config: SiteConfig,
    sources: Iterable[IssueSource],
    items: Mapping[str, SourceItem],
    published: Mapping[str, SourceItem],
    *,
    drafts: bool,
    is_withheld: Callable[[SourceItem], bool],
) -> IssueCheck:
    """Check issues against each other and against the items (``items``: every item by
    slug; ``published``: those published in this build).

    Errors, each on the line of the offending list entry where there is one: a number
    used twice in one bulletin and year (both files named); a slug that names no item; in
    an issue that is published, an item that is a draft or withheld (a withheld issue may
    name withheld items); an issue dated before one of its items.
    """
    base = config.base_path
    sources = sorted(sources, key=lambda s: (s.bulletin, s.year, s.number, s.path))
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, int, int], IssueSource] = {}
    for src in sources:
        where = (src.bulletin, src.year, src.number)
        other = seen.get(where)
        if other is not None:
            problems.append(
                Diagnostic(
                    src.path,
                    src.line_of("number"),
                    "number",
                    f"{issue_label(config.bulletin(src.bulletin).name, src.year, src.number)} "  # type: ignore[union-attr]
                    f"is already {other.path}; numbers are unique per bulletin and year",
                )
            )
        else:
            seen[where] = src
    out: list[Issue] = []
    hidden: list[str] = []
    for src in sources:
        publish = not src.withheld and (drafts or not src.draft)
        for entry in src.entries:
            item = items.get(entry.slug)
            reason = None
            if item is None:
                reason = f": no such item{did_you_mean(entry.slug, items)}"
            elif publish and is_withheld(item):
                reason = ": that item is classified and withheld from the site"
            elif publish and entry.slug not in published:
                reason = ": that item is a draft and is not published"
            elif item.date > src.date:
                reason = (
                    f": that item is dated {item.date.isoformat()}, "
                    f"after this issue ({src.date.isoformat()})"
                )
            if reason:
                problems.append(
                    Diagnostic(src.path, entry.line, "items", f'"{entry.slug}"{reason}')
                )
        bulletin = config.bulletin(src.bulletin)
        assert bulletin is not None  # read_issue checked it
        if src.withheld:
            hidden.append(issue_label(bulletin.name, src.year, src.number))
            if src.title:
                hidden.append(src.title)
            continue
        if not publish:
            continue
        default = Distribution(bulletin.report, bulletin.send, bulletin.distribute)
        out.append(
            Issue(
                bulletin=Bulletin(
                    bulletin.id,
                    bulletin.name,
                    bulletin.publisher,
                    bulletin.level,
                    default,
                    bulletin_url(base, bulletin.id),
                ),
                number=src.number,
                date=src.date,
                title=src.title,
                signed_by=src.signed_by,
                slugs=tuple(e.slug for e in src.entries),
                distribution=src.distribution if src.distribution is not None else default,
                copies=src.copies,
                draft=src.draft,
                note_html=src.note_html,
                note_text=src.note_text,
                url=issue_url(base, bulletin.id, src.year, src.number),
                key=src.key,
            )
        )
    order = {b.id: n for n, b in enumerate(config.bulletins)}
    out.sort(key=lambda i: (order[i.bulletin.id], i.date, i.number))
    return IssueCheck(tuple(out), tuple(sorted(hidden)), tuple(problems))
