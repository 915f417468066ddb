"""Reading one issue file or circular note: front matter field by field, the note's body."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

import yaml

from ..config import DISTRIBUTION_KEYS, SiteConfig
from ..content import document_text, file_name_diagnostic, file_name_problem
from ..content import read_limited as read_bytes
from ..diagnostics import Diagnostic, did_you_mean
from ..fingerprint import digest_bytes
from ..frontmatter import FrontMatter, read_front_matter
from ..markdown import RenderedBody, make_parser, render_body
from ..messages import msg
from ..schema import (
    CLASSIFICATIONS,
    DATE,
    ONE_LINE,
    STATUSES,
    FieldError,
    Parser,
    Scalar,
    choice,
    is_null,
    list_of,
    one_line,
    record,
    slug_ref,
)
from .issue import CircularNote, Distribution, Documents, IssueEntry, IssueSource

CIRCULARS_PREFIX = "content/circulars/"  # anything else found by sources is an issue file


# --- fields -------------------------------------------------------------------------------


def positive_int(value: Any, config: SiteConfig) -> int:
    """A whole number ≥ 1, from the text as typed (``015`` is 15, not YAML's octal 13)."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()):
        raise FieldError(msg("issue.whole_number"))
    if int(text) < 1:
        raise FieldError(msg("issue.number_min"))
    return int(text)


def bulletin_id(value: Any, config: SiteConfig) -> str:
    """The id of one of the site's ``[bulletins.<id>]``; its name gets a hint."""
    value = one_line(value, config)
    if config.bulletin(value) is None:
        ids = [b.id for b in config.bulletins]
        names = {b.name: b.id for b in config.bulletins}
        hint = (
            msg("issue.use_id", id=names[value])
            if value in names
            else did_you_mean(value, ids) or (None if ids else msg("issue.no_bulletins"))
        )
        raise FieldError(msg("issue.unknown_bulletin", value=value, hint=hint))
    return value


NAMES = list_of(ONE_LINE)
distribution: Parser = record(
    {key: (NAMES, False) for key in DISTRIBUTION_KEYS},
    lambda **lines: Distribution(**lines),
)
NUMBER = Scalar(positive_int)
ITEMS = "items"  # parsed entry by entry (``_entries``): each keeps its line

ISSUE_FIELDS: dict[str, Parser | None] = {
    "bulletin": Scalar(bulletin_id),
    "number": NUMBER,
    "date": DATE,
    "signed-by": ONE_LINE,
    ITEMS: None,
    "title": ONE_LINE,
    "distribution": distribution,
    "copies": NUMBER,
    "status": Scalar(choice(STATUSES, "status")),
    "classification": Scalar(choice(CLASSIFICATIONS, "classification")),
}
REQUIRED = ("bulletin", "number", "date")
REQUIRED_PUBLISHED = ("signed-by", ITEMS)  # a draft is signed off last, and may be empty


# --- reading ------------------------------------------------------------------------------


def _front(data: bytes, rel: str) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """The front matter of a document file (the one file-name rule applies to it too)."""
    problem = file_name_problem(PurePosixPath(rel).stem)
    if problem is not None:
        return None, [file_name_diagnostic(rel, problem)]
    text = document_text(data, rel)
    if isinstance(text, Diagnostic):
        return None, [text]
    return read_front_matter(text, rel)


def _body(front: FrontMatter, rel: str, config: SiteConfig) -> RenderedBody:
    source_dir = PurePosixPath(rel).parent.relative_to("content").as_posix()
    return render_body(make_parser(), front.body, source_dir, config.base_path, front.body_line)


def read_issue(
    data: bytes, rel: str, config: SiteConfig
) -> tuple[IssueSource | None, list[Diagnostic]]:
    """Parse and validate one issue file's bytes: the issue, or None and the problems."""
    front, problems = _front(data, rel)
    if front is None:
        return None, problems
    lines = front.lines()
    values: dict[str, Any] = {}
    nodes = {entry.key: entry.value_node for entry in front.entries}
    for entry in front.entries:
        key = entry.key
        if key not in ISSUE_FIELDS:
            problems.append(
                Diagnostic(
                    rel,
                    lines[key],
                    key[:100],
                    msg("issue.unknown_key", hint=did_you_mean(key, ISSUE_FIELDS)),
                )
            )
            continue
        parse = ISSUE_FIELDS[key]
        if parse is None or is_null(entry.value_node) and key not in REQUIRED:
            continue
        try:
            values[key] = parse(entry.value_node, config)
        except FieldError as exc:
            at = exc.node if exc.node is not None and exc.node is not entry.value_node else None
            problems.append(
                Diagnostic(rel, lines[key] if at is None else front.line(at), key, exc.message)
            )
    draft = values.get("status") == "draft"
    for key in REQUIRED + (() if draft else REQUIRED_PUBLISHED):
        if key not in nodes or (is_null(nodes[key]) and key not in REQUIRED):
            problems.append(Diagnostic(rel, lines.get(key, 1), key, msg("content.required")))
    entries = _entries(nodes.get(ITEMS), front, rel, config, problems, draft)
    if problems:
        return None, problems
    note = _body(front, rel, config)
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
            note=note,
            lines=tuple(sorted(lines.items())),
            key=digest_bytes(data, b"\0" + rel.encode()),
        ),
        [],
    )


def _entries(
    node: yaml.Node | None,
    front: FrontMatter,
    rel: str,
    config: SiteConfig,
    problems: list[Diagnostic],
    draft: bool,
) -> tuple[IssueEntry, ...]:
    """The ``items`` list: slugs in order, each with its line; a slug listed twice is
    reported on the line of its second entry."""
    if node is None or is_null(node):
        return ()  # missing: reported with the required keys
    line = front.line(node)
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Diagnostic(rel, line, ITEMS, msg("issue.items_list")))
        return ()
    if not node.value and not draft:
        problems.append(Diagnostic(rel, line, ITEMS, msg("issue.no_items")))
    entries: list[IssueEntry] = []
    first: dict[str, int] = {}
    for index, value in enumerate(node.value):
        line = front.line(value)
        try:
            slug = Scalar(slug_ref)(value, config)
        except FieldError as exc:
            at = front.line(exc.node) if exc.node is not None else line
            message = msg("path.concat", parts=(msg("path.entry", n=index + 1), exc.message))
            problems.append(Diagnostic(rel, at, ITEMS, message))
            continue
        if slug in first:
            problems.append(
                Diagnostic(
                    rel,
                    line,
                    ITEMS,
                    msg("issue.listed_twice", slug=slug, line=first[slug]),
                )
            )
            continue
        first[slug] = line
        entries.append(IssueEntry(slug, line))
    return tuple(entries)


NOTE_NAME_RE = re.compile(r"^(\d{4})-q([1-4])$")
NOTE_FIELDS: dict[str, Parser] = {"title": ONE_LINE}


def read_note(
    data: bytes, rel: str, config: SiteConfig
) -> tuple[CircularNote | None, list[Diagnostic]]:
    """A circular note: front matter (only ``title``, optional) and a Markdown body."""
    match = NOTE_NAME_RE.match(PurePosixPath(rel).stem)
    if match is None:
        return None, [Diagnostic(rel, None, None, msg("issue.note_name"))]
    front, problems = _front(data, rel)
    if front is None:
        return None, problems
    title = None
    for entry in front.entries:
        line = front.line(entry.key_node)
        if entry.key not in NOTE_FIELDS:
            hint = did_you_mean(entry.key, NOTE_FIELDS)
            problems.append(
                Diagnostic(rel, line, entry.key[:100], msg("issue.unknown_key", hint=hint))
            )
            continue
        try:
            title = NOTE_FIELDS[entry.key](entry.value_node, config)
        except FieldError as exc:
            problems.append(Diagnostic(rel, line, entry.key, exc.message))
    body = _body(front, rel, config)
    if not body.text:
        problems.append(Diagnostic(rel, front.body_line, None, msg("issue.note_empty")))
    if problems:
        return None, problems
    year, quarter = int(match.group(1)), int(match.group(2))
    return CircularNote(year, quarter, title, body.html, rel, body.links), []


def read_documents(
    files: Iterable[tuple[str, str]], config: SiteConfig
) -> tuple[Documents, list[Diagnostic]]:
    """Issue files and circular notes ((path, site-relative path), as ``sources`` finds
    them), read and validated one by one; never more than the size limit is read."""
    found: list[IssueSource] = []
    notes: list[CircularNote] = []
    problems: list[Diagnostic] = []
    for path, rel in files:
        data = read_bytes(path, rel, config)
        if isinstance(data, Diagnostic):
            problems.append(data)
            continue
        if rel.startswith(CIRCULARS_PREFIX):
            note, found_problems = read_note(data, rel, config)
            notes.extend([note] if note is not None else [])
        else:
            issue, found_problems = read_issue(data, rel, config)
            found.extend([issue] if issue is not None else [])
        problems.extend(found_problems)
    return Documents(tuple(found), tuple(notes)), problems
