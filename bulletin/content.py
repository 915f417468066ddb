"""Read items: walk content/, decode, split front matter, validate → ``SourceItem``.

Everything here works on one file at a time so it can run in worker processes and be
cached by the file's bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from . import __version__
from .config import SiteConfig
from .diagnostics import Diagnostic, did_you_mean
from .fingerprint import digest_bytes
from .frontmatter import read_front_matter
from .fsutil import NotUTF8, decode_utf8
from .markdown import RenderedBody, make_parser, render_body
from .messages import Message, msg
from .schema import (
    FIELDS,
    TIMESTAMPS,
    AdoptionRef,
    FieldError,
    Honoree,
    InstructionRef,
    date_time,
    yaml_value,
)
from .slips import tag_slip

# Characters an item's file stem (its slug and URL) must not hold: unsafe in URLs (# % ?),
# refused by Windows (< > : " | ? * \\), a path separator, control characters (C0, DEL, C1).
UNSAFE_NAME_RE = re.compile(r'[<>:"|?*#%\\/\x00-\x1f\x7f-\x9f]')
# Device names Windows reserves, with or without an extension (con.md, NUL.draft.md).
WINDOWS_RESERVED_RE = re.compile(
    r"^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(?:\.|$)", re.IGNORECASE
)
MAX_NAME_BYTES = 255  # the longest file name (in UTF-8 bytes) Linux file systems allow
ITEM_SUFFIX = ".md"
NOT_UTF8 = msg("name.not_utf8")
# Characters a text file never holds and XML (the Atom feeds) cannot carry.
CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
REQUIRED_KEYS = tuple(key for key, spec in FIELDS.items() if spec.required)
# content/issues/ (bulletin issues) and content/circulars/ (circular notes): never items
DOCUMENT_DIRS = ("issues", "circulars")


@dataclass(frozen=True)
class SourceItem:
    """One valid item file, before cross-item checks."""

    path: str  # relative to the site directory, posix
    slug: str
    title: str
    unit: str
    category: str
    date: dt.date
    time: dt.datetime | None
    adopted_by: tuple[AdoptionRef, ...]
    summary: str | None
    tags: tuple[str, ...]
    status: str
    classification: str
    instructions: tuple[InstructionRef, ...]
    follow_up_of: str | None
    final: bool
    occurred: dt.datetime | None
    reported: dt.datetime | None
    assignees: tuple[str, ...]
    due: dt.date | None
    done: dt.date | None
    honorees: tuple[Honoree, ...]
    excellent: bool
    reviewed_by: str | None
    approved_by: str | None
    body: RenderedBody
    lines: tuple[tuple[str, int], ...]  # front-matter key → line in the file
    key: str = ""  # fingerprint of everything this item was made from
    meta_key: str = ""  # fingerprint of its front matter only (what list pages show)

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 1)


@dataclass(frozen=True)
class ReadResult:
    path: str
    item: SourceItem | None
    diagnostics: tuple[Diagnostic, ...]


def discover(config: SiteConfig) -> tuple[list[tuple[Path, str]], list[Diagnostic]]:
    """All item files as (absolute path, site-relative posix path), sorted."""
    found, problems = find_items(config)
    return [(Path(full), rel) for full, rel, _st in found], problems


def find_items(
    config: SiteConfig,
) -> tuple[list[tuple[str, str, os.stat_result | None]], list[Diagnostic]]:
    """``discover`` with plain string paths and each file's stat (of the file a link
    points to; None if it vanished meanwhile): a build stats every file anyway."""
    root = config.root
    content = config.content_dir
    found: list[tuple[str, str, os.stat_result | None]] = []
    problems: list[Diagnostic] = []
    if not content.is_dir():
        return found, [Diagnostic("content", None, None, msg("content.dir_missing"))]
    real_root = os.path.realpath(root)
    top = str(content)
    for dirpath, dirnames, filenames in os.walk(content, followlinks=False):
        dirnames.sort()
        if dirpath == top:  # bulletin issues and circular notes are not items
            dirnames[:] = [d for d in dirnames if d not in DOCUMENT_DIRS]
        for d in list(dirnames):
            full = os.path.join(dirpath, d)
            if d.startswith("."):
                dirnames.remove(d)
            elif os.path.islink(full):
                rel = PurePosixPath(os.path.relpath(full, root)).as_posix()
                target = os.path.realpath(full)
                if not _inside(target, real_root):
                    problems.append(Diagnostic(rel, None, None, msg("content.link_outside")))
                    dirnames.remove(d)
        # content/ lies inside the site, so a file's site-relative path is a suffix of
        # its full path (os.walk joins names with "/" on POSIX)
        prefix = os.path.relpath(dirpath, root).replace(os.sep, "/") + "/"
        for name in sorted(filenames):
            if not name.endswith(".md") or name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            rel = prefix + name
            if not _utf8(rel):  # a path the build could not even hash or write out
                problems.append(file_name_diagnostic(rel, NOT_UTF8))
                continue
            try:
                st = os.lstat(full)
            except OSError:
                st = None  # gone already: reading it reports why
            if st is not None and stat.S_ISLNK(st.st_mode):
                if not _inside(os.path.realpath(full), real_root):
                    problems.append(Diagnostic(rel, None, None, msg("content.link_outside")))
                    continue
                problem = _file_problem(full)
                try:
                    st = os.stat(full)
                except OSError:
                    st = None
            elif st is not None and not stat.S_ISREG(st.st_mode):
                problem = msg("content.not_regular")
            else:
                problem = None
            if problem is not None:
                problems.append(Diagnostic(rel, None, None, problem))
                continue
            found.append((full, rel, st))
    found.sort(key=lambda entry: entry[1])
    problems.extend(_outside_links(config.layouts_dir, root, real_root))
    return found, problems


def _utf8(path: str) -> bool:
    """Whether ``path`` (as ``os.fsdecode`` gives it) was valid UTF-8 on disk."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _file_problem(full: str) -> Message | None:
    """Why an item file must not even be opened: a pipe or device would block or never end."""
    try:
        st = os.stat(full)
    except OSError:
        return None  # reading it reports why
    if not stat.S_ISREG(st.st_mode):
        return msg("content.not_regular")
    return None


def _outside_links(folder: Path, root: Path, real_root: str) -> list[Diagnostic]:
    """Symbolic links under ``folder`` (layouts/) that point outside the site."""
    problems: list[Diagnostic] = []
    if not folder.is_dir():
        return problems
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(dirnames) + sorted(filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and not _inside(os.path.realpath(full), real_root):
                rel = PurePosixPath(os.path.relpath(full, root)).as_posix()
                problems.append(Diagnostic(rel, None, None, msg("content.link_outside")))
    return problems


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def file_name_problem(stem: str) -> Message | None:
    """Why ``stem`` cannot name an item file (``<stem>.md``: the item's slug and URL), or
    None if it can. The one file-name rule: ``bulletin check`` applies it to every item
    file, ``bulletin new`` to the file it is about to write.

    A name must be found by the build (hidden files, starting with a dot, are skipped),
    survive a URL and a checkout on Windows (no ``# % ? < > : " | * \\ /``, no control
    characters, no space at either end, not a device name such as ``con`` or ``com1``, no
    dot at the end: Windows' rules for file names), be valid UTF-8, and fit in
    ``MAX_NAME_BYTES`` with its ``.md``. The answer completes "file name …" (for example
    "is reserved or invalid on Windows").
    """
    if not stem:
        return msg("name.empty")
    if UNSAFE_NAME_RE.search(stem) or stem != stem.strip():
        return msg("name.unsafe")
    if stem.startswith("."):
        return msg("name.dot")
    if WINDOWS_RESERVED_RE.match(stem) or stem.endswith("."):
        return msg("name.reserved")
    try:
        size = len(stem.encode("utf-8")) + len(ITEM_SUFFIX)
    except UnicodeEncodeError:  # bytes that are not UTF-8, as os.fsdecode gives them
        return NOT_UTF8
    if size > MAX_NAME_BYTES:
        return msg("name.too_long", size=size, suffix=ITEM_SUFFIX, limit=MAX_NAME_BYTES)
    return None


def file_name_diagnostic(rel: str, problem: Message) -> Diagnostic:
    """The diagnostic for the item file at ``rel`` whose name has ``problem``
    (``file_name_problem``'s answer)."""
    return Diagnostic(rel, None, None, msg("name.rename", problem=problem))


def too_large(rel: str, size: int, config: SiteConfig) -> Diagnostic:
    return Diagnostic(
        rel, None, None, msg("content.too_large", size=size, limit=config.max_item_bytes)
    )


def read_file(path: Path, rel: str, config: SiteConfig) -> ReadResult:
    """Read and parse one item file, never reading more than the size limit allows."""
    data = read_limited(path, rel, config)
    if isinstance(data, Diagnostic):
        return ReadResult(rel, None, (data,))
    return read_item(data, rel, config)


def read_limited(path: Path | str, rel: str, config: SiteConfig) -> bytes | Diagnostic:
    """A content file's bytes, or why not (unreadable; over ``max_item_bytes``: found
    reading at most the limit and a byte, whatever the file's size)."""
    limit = config.max_item_bytes + 1
    try:
        with open(path, "rb") as fh:
            # Ask for the file's size and a byte more (to meet its end): asking for the
            # whole limit would allocate that much (2 MB) for every file. A file longer
            # than its size said (it grew meanwhile) is read on, up to the same limit.
            want = min(os.fstat(fh.fileno()).st_size + 1, limit)
            data = fh.read(want)
            if len(data) == want < limit:
                data += fh.read(limit - want)
            if len(data) > config.max_item_bytes:
                return too_large(rel, os.fstat(fh.fileno()).st_size, config)
    except OSError as exc:
        return Diagnostic(rel, None, None, msg("content.cannot_read", error=str(exc)))
    return data


class _Parser:
    """Per-process state: one MarkdownIt instance reused for every file."""

    md = None

    @classmethod
    def get(cls):  # noqa: ANN206
        if cls.md is None:
            cls.md = make_parser()
        return cls.md


def read_item(data: bytes, rel: str, config: SiteConfig) -> ReadResult:
    """Decode, split, parse and validate one item file's bytes."""
    problems: list[Diagnostic] = []
    stem = _stem(rel)
    if len(data) > config.max_item_bytes:
        return ReadResult(rel, None, (too_large(rel, len(data), config),))
    name_problem = file_name_problem(stem)
    if name_problem is not None:
        return ReadResult(rel, None, (file_name_diagnostic(rel, name_problem),))
    text = document_text(data, rel)
    if isinstance(text, Diagnostic):
        return ReadResult(rel, None, (text,))
    front, found = read_front_matter(text, rel)
    problems.extend(found)
    if front is None:
        return ReadResult(rel, None, tuple(problems))
    lines = front.lines()
    values: dict[str, Any] = {}
    nodes = {entry.key: entry.value_node for entry in front.entries}
    for entry in front.entries:
        key = entry.key
        if key not in FIELDS:
            problems.append(
                Diagnostic(
                    rel,
                    lines[key],
                    key[:100],
                    msg("content.unknown_key", hint=did_you_mean(key, FIELDS)),
                )
            )
            continue
        try:
            values[key] = FIELDS[key].parse(entry.value_node, config)
        except FieldError as exc:
            # a problem with the whole value is on the key's line; one inside it, on its own
            at = exc.node if exc.node is not None and exc.node is not entry.value_node else None
            line = lines[key] if at is None else front.line(at)
            problems.append(Diagnostic(rel, line, key, exc.message))
    for key in REQUIRED_KEYS:
        if key not in nodes:
            problems.append(Diagnostic(rel, 1, key, msg("content.required")))
    # named with the errors too: one run of bulletin check tells the editor everything
    warnings = _tag_warnings(rel, nodes.get("tags"), values.get("tags", ()), front)
    if problems:
        return ReadResult(rel, None, tuple(problems + warnings))

    category = values["category"]
    _check_category_fields(rel, category, values, lines, problems)
    if problems:
        return ReadResult(rel, None, tuple(problems + warnings))

    suffix = _key_suffix(rel, config)
    time = _time_of(nodes["date"], config)
    source_dir = _source_dir(rel)
    # link lines count from the body's first line in the file
    rendered = render_body(_Parser.get(), front.body, source_dir, config.base_path, front.body_line)
    if values.get("status", "published") != "draft" and not rendered.prose:
        # 四个不报: an item with nothing to say is not reported
        empty = not front.body.strip()
        problem = msg("content.empty_body" if empty else "content.skeleton_body")
        return ReadResult(
            rel,
            None,
            (
                Diagnostic(rel, _empty_body_line(front.body, front.body_line), None, problem),
                *warnings,
            ),
        )
    warnings += [
        Diagnostic(rel, line, None, msg("content.indented_code"), "warning")
        for line in rendered.indented
    ]
    item = SourceItem(
        path=rel,
        slug=stem,
        title=values["title"],
        unit=values["unit"],
        category=category,
        date=values["date"],
        time=time,
        adopted_by=values.get("adopted-by", ()),
        summary=values.get("summary"),
        tags=values.get("tags", ()),
        status=values.get("status", "published"),
        classification=values.get("classification", "public"),
        instructions=values.get("instructions", ()),
        follow_up_of=values.get("follow-up-of"),
        final=values.get("final", False),
        occurred=values.get("occurred"),
        reported=values.get("reported"),
        assignees=values.get("assignees", ()),
        due=values.get("due"),
        done=values.get("done"),
        honorees=values.get("honorees", ()),
        excellent=values.get("excellent", False),
        reviewed_by=values.get("reviewed-by"),
        approved_by=values.get("approved-by"),
        body=rendered,
        lines=tuple(sorted(lines.items())),
        key=item_key(data, rel, config, suffix),
        meta_key=item_key(front.yaml_text.encode("utf-8"), rel, config, suffix),
    )
    return ReadResult(rel, item, tuple(warnings))


def _tag_warnings(
    rel: str, node: yaml.Node | None, tags: tuple[str, ...], front: Any
) -> list[Diagnostic]:
    """Warnings for tags that are surely several tags typed as one (``[防汛，安全生产]``,
    ``防汛 安全生产``), each on the line of its entry, with the list as it should be."""
    if node is None:
        return []
    entries = node.value if isinstance(node, yaml.SequenceNode) else [node]
    found = []
    for tag, entry in zip(tags, entries, strict=False):
        message = tag_slip(tag)
        if message is not None:
            found.append(Diagnostic(rel, front.line(entry), "tags", message, "warning"))
    return found


def _empty_body_line(body: str, body_line: int) -> int:
    """Where to point at a body with nothing to say: its first line that is not blank
    (a heading of the skeleton), else the closing fence above it."""
    blank = len(body) - len(body.lstrip())
    if blank == len(body):
        return body_line - 1
    return body_line + body.count("\n", 0, blank)


def document_text(data: bytes, rel: str) -> str | Diagnostic:
    """A content file's bytes as text with "\\n" newlines, or why not (not UTF-8, NUL
    bytes, control characters: with their line)."""
    try:
        text = decode_utf8(data)
    except NotUTF8 as exc:
        return Diagnostic(rel, exc.line, None, exc.message)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        return Diagnostic(rel, None, None, msg("content.nul"))
    control = CONTROL_RE.search(text) if _has_control(data, text) else None
    if control is not None:
        return Diagnostic(
            rel,
            text.count("\n", 0, control.start()) + 1,
            None,
            msg("content.control", code=ord(control.group())),
        )
    return text


def _time_of(node: yaml.Node, config: SiteConfig) -> dt.datetime | None:
    """The instant a valid ``date:`` value gives when it has a time of day
    (2026-04-24T09:30:00+08:00, quoted or not), on the site's clock; None for a date."""
    if len(node.value) <= len("2026-04-24"):  # a date alone: no need to read it again
        return None
    return date_time(yaml_value(node, TIMESTAMPS), config)


def _has_control(data: bytes, text: str) -> bool:
    """Whether ``text`` (``data`` decoded) holds a character ``CONTROL_RE`` finds.

    Cheaper than the regex over the whole text: the ASCII control characters are looked
    for in the bytes (in valid UTF-8 such a byte is always that character), in one pass of
    ``bytes.translate``; U+FFFE and U+FFFF in the text.
    """
    return (
        len(data.translate(None, _CONTROL_BYTES)) != len(data)
        or "\ufffe" in text
        or "\uffff" in text
    )


def _plain_rel(rel: str) -> bool:
    """Whether splitting ``rel`` at "/" gives the parts PurePosixPath would (as for every
    path ``discover`` finds): under content/, no empty or "." part, no trailing slash."""
    return (
        rel.startswith("content/")
        and "//" not in rel
        and "/./" not in rel
        and not rel.endswith(("/", "/."))
    )


def _stem(rel: str) -> str:
    """``PurePosixPath(rel).stem``, without making a path object for the common case."""
    if not _plain_rel(rel):
        return PurePosixPath(rel).stem
    name = rel.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _source_dir(rel: str) -> str:
    """The folder of ``rel`` relative to content/, as posix ("." for content/ itself)."""
    if not _plain_rel(rel):
        return PurePosixPath(rel).parent.relative_to("content").as_posix()
    return rel.rpartition("/")[0][len("content/") :] or "."


def item_key(data: bytes, rel: str, config: SiteConfig, suffix: bytes | None = None) -> str:
    """What a parsed item depends on: its bytes, its path and the site config.

    ``suffix`` is ``_key_suffix(rel, config)`` when the caller already has it.
    """
    return digest_bytes(data, _key_suffix(rel, config) if suffix is None else suffix)


def _key_suffix(rel: str, config: SiteConfig) -> bytes:
    """What every key of the item at ``rel`` hashes after the bytes it is made from."""
    return f"\0{rel}\0{config.fingerprint}\0{config.root}\0{__version__}".encode()


def _check_category_fields(
    rel: str,
    category: str,
    values: dict[str, Any],
    lines: dict[str, int],
    problems: list[Diagnostic],
) -> None:
    """Keys that only make sense together, or for one kind of item."""

    def bad(key: str, message: Message) -> None:
        problems.append(Diagnostic(rel, lines.get(key, 1), key, message))

    occurred, reported = values.get("occurred"), values.get("reported")
    if category == "emergency" and "follow-up-of" not in values:
        for key in ("occurred", "reported"):
            if key not in values:
                bad(key, msg("content.emergency_times"))
    if occurred and reported and reported < occurred:
        bad("reported", msg("content.reported_early"))
    if "done" in values and "due" not in values:
        bad("done", msg("content.done_needs_due"))
    if category == "supervision":
        if not values.get("assignees"):
            bad("assignees", msg("content.supervision_assignees"))
        if "due" not in values:
            bad("due", msg("content.supervision_due"))
    if "done" in values and values["done"] < values["date"]:
        bad("done", msg("content.done_early"))
    if category == "commendation" and not values.get("honorees"):
        bad("honorees", msg("content.honorees"))
    if values.get("excellent") and category != "research":
        bad("excellent", msg("content.excellent"))
    if values.get("final") and "follow-up-of" not in values:
        bad("final", msg("content.final_needs_follow_up"))
