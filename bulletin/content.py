"""Read items: walk content/, decode, split front matter, validate → ``SourceItem``.

Everything here works on one file at a time so it can run in worker processes and be
cached by the file's bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from .markdown import RenderedBody, make_parser, render_body
from .schema import (
    FIELDS,
    AdoptionRef,
    FieldError,
    Honoree,
    InstructionRef,
)

try:  # the C loader is several times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader whose impossible dates (2026-13-45) stay text for the schema to report."""


def _timestamp(loader: Loader, node: yaml.Node) -> Any:
    try:
        return _BaseLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

MAX_NUMBER_CHARS = 64


def _int(loader: Loader, node: yaml.Node) -> Any:
    """Integers, but not absurdly long ones (their digits cannot even be printed)."""
    value = loader.construct_scalar(node)
    if isinstance(value, str) and len(value) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of {len(value):,} characters is too long (put it in quotes if it is text)",
            node.start_mark,
        )
    return _BaseLoader.construct_yaml_int(loader, node)


Loader.add_constructor("tag:yaml.org,2002:int", _int)

UNSAFE_NAME_RE = re.compile(r'[<>:"|?*#%\\\x00-\x1f]')
# Device names Windows reserves, with or without an extension (con.md, NUL.draft.md).
WINDOWS_RESERVED_RE = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$)", re.IGNORECASE)
# Characters a text file never holds and XML (the Atom feeds) cannot carry.
CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
# The line that closes the front matter (searched for after the opening "---\n").
FRONT_MATTER_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# content/issues/: numbered bulletin issues; content/circulars/: what a quarter's circular
# adds (下一步要求). Read by bulletin.issues, never as items.
ISSUES_DIR = "issues"
CIRCULARS_DIR = "circulars"
DOCUMENT_DIRS = (ISSUES_DIR, CIRCULARS_DIR)
MAX_DEPTH = 64  # nesting levels of lists and mappings in front matter
MAX_FRONT_MATTER = 256 * 1024  # characters
REQUIRED_KEYS = tuple(key for key, spec in FIELDS.items() if spec.required)


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
        return found, [Diagnostic("content", None, None, "directory not found")]
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(content, followlinks=False):
        dirnames.sort()
        if dirpath == str(content):
            dirnames[:] = [d for d in dirnames if d not in DOCUMENT_DIRS]
        for d in list(dirnames):
            full = os.path.join(dirpath, d)
            if d.startswith("."):
                dirnames.remove(d)
            elif os.path.islink(full):
                rel = PurePosixPath(os.path.relpath(full, root)).as_posix()
                target = os.path.realpath(full)
                if not _inside(target, real_root):
                    problems.append(
                        Diagnostic(
                            rel, None, None, "symbolic link points outside the site; refused"
                        )
                    )
                    dirnames.remove(d)
        # content/ lies inside the site, so a file's site-relative path is a suffix of
        # its full path (os.walk joins names with "/" on POSIX)
        prefix = os.path.relpath(dirpath, root).replace(os.sep, "/") + "/"
        for name in sorted(filenames):
            if not name.endswith(".md") or name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            rel = prefix + name
            try:
                st = os.lstat(full)
            except OSError:
                st = None  # gone already: reading it reports why
            if st is not None and stat.S_ISLNK(st.st_mode):
                if not _inside(os.path.realpath(full), real_root):
                    problems.append(
                        Diagnostic(
                            rel, None, None, "symbolic link points outside the site; refused"
                        )
                    )
                    continue
                problem = _file_problem(full)
                try:
                    st = os.stat(full)
                except OSError:
                    st = None
            elif st is not None and not stat.S_ISREG(st.st_mode):
                problem = "not a regular file; refused"
            else:
                problem = None
            if problem is not None:
                problems.append(Diagnostic(rel, None, None, problem))
                continue
            found.append((full, rel, st))
    found.sort(key=lambda entry: entry[1])
    problems.extend(_outside_links(config.layouts_dir, root, real_root))
    return found, problems


def _file_problem(full: str) -> str | None:
    """Why an item file must not even be opened: a pipe or device would block or never end."""
    try:
        st = os.stat(full)
    except OSError:
        return None  # reading it reports why
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file; refused"
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
                problems.append(
                    Diagnostic(rel, None, None, "symbolic link points outside the site; refused")
                )
    return problems


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def too_large(rel: str, size: int, config: SiteConfig) -> Diagnostic:
    return Diagnostic(
        rel, None, None, f"file is {size:,} bytes, over the limit of {config.max_item_bytes:,}"
    )


def read_file(path: Path, rel: str, config: SiteConfig) -> ReadResult:
    """Read and parse one item file, never reading more than the size limit allows."""
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
                return ReadResult(
                    rel, None, (too_large(rel, os.fstat(fh.fileno()).st_size, config),)
                )
    except OSError as exc:
        return ReadResult(rel, None, (Diagnostic(rel, None, None, f"cannot read: {exc}"),))
    return read_item(data, rel, config)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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

    def fail(line: int | None, field: str | None, message: str) -> ReadResult:
        problems.append(Diagnostic(rel, line, field, message))
        return ReadResult(rel, None, tuple(problems))

    stem = _stem(rel)
    if len(data) > config.max_item_bytes:
        return ReadResult(rel, None, (too_large(rel, len(data), config),))
    if UNSAFE_NAME_RE.search(stem) or stem != stem.strip() or not stem:
        return fail(None, None, "file name has characters that are unsafe in URLs or on Windows")
    if WINDOWS_RESERVED_RE.match(stem) or stem.endswith("."):
        return fail(None, None, "file name is reserved or invalid on Windows; rename the file")
    front, problem = _split_front_matter(data)
    if problem is not None:
        return fail(*problem)
    assert front is not None
    fm_text, body, body_line, data_fm = front
    lines, repeats = _key_lines(fm_text)

    problems.extend(_repeated(rel, repeats))
    values: dict[str, Any] = {}
    for key, raw in data_fm.items():
        skey = key if isinstance(key, str) else _show_key(key)
        if skey not in FIELDS:
            hint = did_you_mean(skey, FIELDS)
            problems.append(
                Diagnostic(
                    rel,
                    lines.get(skey, 2),
                    skey,
                    f"unknown key{hint}; put custom data under extra:",
                )
            )
            continue
        try:
            values[skey] = FIELDS[skey].parse(raw, config)
        except FieldError as exc:
            line = lines.get(skey, 2)
            if exc.index is not None:
                line = _list_entry_line(fm_text, skey, exc.index) or line
            problems.append(Diagnostic(rel, line, skey, str(exc)))
    for key in REQUIRED_KEYS:
        if key not in data_fm:
            problems.append(Diagnostic(rel, 1, key, "is required but missing"))
    if problems:
        return ReadResult(rel, None, tuple(problems))

    category = values["category"]
    _check_category_fields(rel, category, values, lines, problems)
    if problems:
        return ReadResult(rel, None, tuple(problems))

    suffix = _key_suffix(rel, config)
    raw_date = data_fm["date"]
    time = raw_date if isinstance(raw_date, dt.datetime) else None
    source_dir = _source_dir(rel)
    # link lines count from the body's first line in the file
    rendered = render_body(_Parser.get(), body, source_dir, config.base_path, body_line)
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
        body=rendered,
        lines=tuple(sorted(lines.items())),
        key=item_key(data, rel, config, suffix),
        meta_key=item_key(fm_text.encode("utf-8"), rel, config, suffix),
    )
    return ReadResult(rel, item, ())


@dataclass(frozen=True)
class FrontMatter:
    """A Markdown file's front matter, parsed as items are (the same decoding, limits and
    YAML loader), for other kinds of content files (bulletin issues)."""

    values: dict[str, Any]
    text: str  # the YAML between the "---" lines
    body: str
    body_line: int  # line of the body's first line in the file
    lines: dict[str, int]  # top-level key → its line in the file

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def entry_line(self, key: str, index: int) -> int:
        """The line of entry ``index`` (from 0) of the list under ``key``."""
        return _list_entry_line(self.text, key, index) or self.line_of(key)


def read_front_matter(data: bytes, rel: str) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Decode ``data`` (the file at ``rel``), split and parse its front matter: the
    front matter and the problems (a key given twice is one; the front matter is None
    when the file cannot be read at all)."""
    front, problem = _split_front_matter(data)
    if problem is not None:
        return None, [Diagnostic(rel, *problem)]
    assert front is not None
    fm_text, body, body_line, values = front
    lines, repeats = _key_lines(fm_text)
    return FrontMatter(values, fm_text, body, body_line, lines), _repeated(rel, repeats)


def _repeated(rel: str, repeats: list[tuple[str, int, int]]) -> list[Diagnostic]:
    """Keys written twice. YAML would silently keep the last value; the editor surely
    meant only one."""
    return [
        Diagnostic(rel, line, key, f"is given twice (also on line {first}); keep one")
        for key, line, first in repeats
    ]


FrontMatterParts = tuple[str, str, int, dict[str, Any]]  # YAML text, body, body line, values


def _split_front_matter(
    data: bytes,
) -> tuple[FrontMatterParts | None, tuple[int | None, str | None, str] | None]:
    """Decode a Markdown file with front matter, split it and parse the YAML: the parts,
    or the problem as (line, field, message)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            return None, (
                line,
                None,
                "file is not UTF-8: it looks like GBK/GB18030 (common from Windows editors); "
                "save it as UTF-8",
            )
        except UnicodeDecodeError:
            return None, (line, None, "file is not valid UTF-8; save it as UTF-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        return None, (None, None, "file contains NUL bytes; is it a text file?")
    control = CONTROL_RE.search(text) if _has_control(data, text) else None
    if control is not None:
        return None, (
            text.count("\n", 0, control.start()) + 1,
            None,
            f"file contains the control character U+{ord(control.group()):04X}; remove it",
        )

    if not text.startswith("---\n"):
        return None, (1, None, 'no front matter: the file must start with a "---" line')
    end = FRONT_MATTER_END_RE.search(text, 4)  # "^" matches at 4: it follows a newline
    if end is None:
        return None, (1, None, 'front matter is not closed by a "---" line')
    fm_text = text[4 : end.start()]
    body_start = end.end()
    body = (
        text[body_start + 1 :] if text[body_start : body_start + 1] == "\n" else text[body_start:]
    )
    body_line = text.count("\n", 0, body_start) + 2

    if len(fm_text) > MAX_FRONT_MATTER:
        return None, (
            2,
            None,
            f"front matter is {len(fm_text):,} characters long, over the limit of "
            f"{MAX_FRONT_MATTER:,}; put long text in the body",
        )
    data_fm, err = _load_yaml(fm_text)
    if err is not None:
        line, message = err
        return None, (line + 1 if line is not None else 1, None, message)
    if data_fm is None:
        data_fm = {}
    if not isinstance(data_fm, dict):
        return None, (2, None, "front matter must be a mapping of keys to values")
    return (fm_text, body, body_line, data_fm), None


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
    h = hashlib.blake2b(data, digest_size=16)
    h.update(_key_suffix(rel, config) if suffix is None else suffix)
    return h.hexdigest()


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

    def bad(key: str, message: str) -> None:
        problems.append(Diagnostic(rel, lines.get(key, 1), key, message))

    occurred, reported = values.get("occurred"), values.get("reported")
    if category == "emergency" and "follow-up-of" not in values:
        for key in ("occurred", "reported"):
            if key not in values:
                bad(key, "an emergency first report needs occurred and reported times")
    if occurred and reported and reported < occurred:
        bad("reported", "is earlier than occurred")
    if "done" in values and "due" not in values:
        bad("done", "a reply date needs a due date")
    if category == "supervision":
        if not values.get("assignees"):
            bad("assignees", "a supervision item needs at least one responsible unit")
        if "due" not in values:
            bad("due", "a supervision item needs a due date")
    if "done" in values and values["done"] < values["date"]:
        bad("done", "is earlier than the item's date")
    if category == "commendation" and not values.get("honorees"):
        bad("honorees", "a commendation needs at least one honoree")
    if values.get("excellent") and category != "research":
        bad("excellent", "only research reports can be marked excellent")
    if values.get("final") and "follow-up-of" not in values:
        bad("final", "a final report must say which report it follows up (follow-up-of)")


def _show_key(key: Any) -> str:
    try:
        return str(key)[:100]
    except ValueError:  # an integer too long to print
        return f"({type(key).__name__})"


def _load_yaml(fm_text: str) -> tuple[Any, tuple[int | None, str] | None]:
    # Front matter short enough cannot nest deep enough to hurt; anything else is first
    # read as a stream of events (flat, cheap, stops early): anchors and aliases (alias
    # bombs) are refused, and so is deep nesting, which would crash the YAML composer
    # (C stack) or make the scanner quadratic.
    if "&" in fm_text or "*" in fm_text or len(fm_text) > 2048:
        depth = 0
        try:
            for event in yaml.parse(fm_text, Loader=Loader):
                line = event.start_mark.line + 1 if event.start_mark else None
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    return None, (line, "YAML anchors and aliases are not allowed in front matter")
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        return None, (
                            line,
                            f"front matter is nested more than {MAX_DEPTH} levels deep",
                        )
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
        except yaml.YAMLError:
            pass  # reported below with its position
    try:
        return yaml.load(fm_text, Loader=Loader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context in _OPENED_CONTEXTS and getattr(exc, "context_mark", None) is not None:
            # An unclosed quote or bracket: point at where it was opened, not at the end.
            mark = exc.context_mark
            problem = f"{problem} ({context} that starts on this line)"
        elif problem == "mapping values are not allowed in this context":
            problem += ' (a value containing ": " must be put in quotes)'
        elif context in ("while scanning an alias", "while scanning for the next token"):
            problem += " (a value starting with * & % @ or ` must be put in quotes)"
        line = mark.line + 1 if mark is not None else None
        return None, (line, f"invalid YAML: {problem}")
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a date like 2026-13-45
        return None, (None, f"invalid YAML value: {exc}")


_OPENED_CONTEXTS = (
    "while scanning a quoted scalar",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
    "while scanning a simple key",
)


# Top-level key → its line, and the keys given twice: (key, line, line of the first).
KeyLines = tuple[dict[str, int], list[tuple[str, int, int]]]


KEY_RE = re.compile(r"^([^\s#:'\"-][^:#]*?|'[^']*'|\"[^\"]*\")\s*:(?:\s|$)")


def _key_lines(fm_text: str) -> KeyLines:
    """Top-level keys → line number in the file (the opening --- is line 1), first
    occurrence; and the keys written more than once: (key, line, line of the first).
    """
    lines: dict[str, int] = {}
    repeats: list[tuple[str, int, int]] = []
    match = KEY_RE.match
    for i, line in enumerate(fm_text.split("\n"), 2):
        m = match(line)
        if m:
            key = m.group(1).strip("'\"")
            first = lines.get(key)
            if first is None:
                lines[key] = i
            else:
                repeats.append((key, i, first))
    return lines, repeats


def _list_entry_line(fm_text: str, key: str, index: int) -> int | None:
    rows = fm_text.split("\n")
    start = None
    for i, line in enumerate(rows):
        m = KEY_RE.match(line)
        if m and m.group(1).strip("'\"") == key:
            start = i
            break
    if start is None:
        return None
    count = -1
    for j in range(start + 1, len(rows)):
        line = rows[j]
        if line and not line[0].isspace() and not line.startswith("-"):
            break
        if line.lstrip().startswith("- ") or line.strip() == "-":
            count += 1
            if count == index:
                return j + 2
    return None
