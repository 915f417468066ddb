"""Front matter: a document's YAML header, split off its body and composed into nodes.

``read_front_matter(text, path)`` is the one entry point, for items (``content``) and for
any other document written the same way (``---`` line, YAML, ``---`` line, Markdown body).
It gives a ``FrontMatter``: the YAML text, PyYAML's composed node tree and the body. Every
node keeps the position PyYAML's parser gave it, so ``FrontMatter.line(node)`` is the line
in the file of any key or value at any depth. Values are *not* constructed here: PyYAML's
YAML 1.1 typing would read ``0701`` as the number 449 and ``yes`` as true; what a value
means is for the schema (``schema``) to decide, field by field, from the node.

What YAML itself would accept but an editor surely did not mean is refused here, at every
depth, with its line: a key given twice (YAML keeps the last silently), anchors and
aliases (alias bombs), nesting deeper than ``MAX_DEPTH``, keys that are lists or mappings,
tags PyYAML's safe loader cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .diagnostics import Diagnostic
from .messages import Message, as_message, msg
from .slips import fence_slip, line_slip

try:  # the C parser is several times faster
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

# The fence lines: "---" opens, "---" or "..." closes; spaces or tabs may follow either.
OPENING_RE = re.compile(r"---[ \t]*\n")
CLOSING_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
FIRST_LINE = 2  # the line in the file of the YAML's first line (the opening fence is 1)
MAX_DEPTH = 64  # nesting levels of lists and mappings in front matter
MAX_FRONT_MATTER = 256 * 1024  # characters

TAG = "tag:yaml.org,2002:"
# Tags PyYAML's safe loader reads (and those its resolver gives plain scalars such as "<<"
# or "=", which a field that wants text takes as typed). Anything else (!custom,
# !!python/object) is refused.
KNOWN_TAGS = frozenset(
    TAG + name
    for name in (
        "str",
        "int",
        "float",
        "bool",
        "null",
        "timestamp",
        "binary",
        "seq",
        "map",
        "set",
        "omap",
        "pairs",
        "merge",
        "value",
        "yaml",
    )
)

# Problems with the YAML itself: PyYAML's wording, made actionable for an editor.
_OPENED_CONTEXTS = {
    "while scanning a quoted scalar": "yaml.what_quote",
    "while parsing a flow sequence": "yaml.what_bracket",
    "while parsing a flow mapping": "yaml.what_brace",
}


class FrontMatterError(Exception):
    """The front matter cannot be read at all: ``line`` (in the file, or None), the
    top-level key it is under (``field``, if any) and why."""

    def __init__(self, line: int | None, message: Message, field: str | None = None):
        message = as_message(message)
        super().__init__(message.render("en"))
        self.line = line
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Split:
    """A document cut at its fences: the YAML text and the body.

    ``yaml_text`` is the text between the fence lines (its first line is line
    ``FIRST_LINE`` of the file); ``body`` is everything after the closing fence line;
    ``body_line`` is the line in the file where the body starts.
    """

    yaml_text: str
    body: str
    body_line: int


@dataclass(frozen=True)
class Entry:
    """One top-level key of the front matter: its text and its key and value nodes."""

    key: str
    key_node: yaml.Node
    value_node: yaml.Node


@dataclass(frozen=True)
class FrontMatter:
    """A document's front matter, composed: the node tree with its marks, and the body.

    ``yaml_text`` is its YAML source; ``root`` the top-level ``yaml.MappingNode`` (None
    for empty front matter); ``entries`` its keys in the order written, each key once (the
    first time it is given; a repeat is reported by ``read_front_matter``).
    """

    yaml_text: str
    root: yaml.MappingNode | None
    entries: tuple[Entry, ...]
    body: str
    body_line: int

    def line(self, node: yaml.Node) -> int:
        """The line in the file (1-based, the opening fence is line 1) where ``node`` starts."""
        return int(node.start_mark.line) + FIRST_LINE

    def lines(self) -> dict[str, int]:
        """Top-level key → the line it is written on."""
        return {entry.key: self.line(entry.key_node) for entry in self.entries}


def split_front_matter(text: str) -> Split:
    """Cut ``text`` (decoded, newlines already "\\n") at its front-matter fences.

    Raises ``FrontMatterError`` when the first line is not a ``---`` fence (spaces or tabs
    after it are fine) or no closing ``---`` / ``...`` line follows.
    """
    opening = OPENING_RE.match(text)
    if opening is None:
        first = fence_slip(text.split("\n", 1)[0])
        if first is not None:
            raise FrontMatterError(1, first)
        raise FrontMatterError(1, msg("fm.no_front_matter"))
    start = opening.end()
    end = CLOSING_RE.search(text, start)  # "^" matches at start: it follows a newline
    if end is None:
        for number, line in enumerate(text[start:].split("\n"), FIRST_LINE):
            fence = fence_slip(line)
            if fence is not None:
                raise FrontMatterError(number, fence)
        raise FrontMatterError(1, msg("fm.not_closed"))
    body_start = end.end()
    body = (
        text[body_start + 1 :] if text[body_start : body_start + 1] == "\n" else text[body_start:]
    )
    return Split(text[start : end.start()], body, text.count("\n", 0, body_start) + 2)


def compose_front_matter(yaml_text: str) -> yaml.Node | None:
    """PyYAML's node tree of ``yaml_text`` (None if it holds no value), without typing
    any value. Raises ``FrontMatterError`` (with the line in the file) for invalid YAML,
    anchors and aliases, and nesting deeper than ``MAX_DEPTH``.
    """
    # Front matter short enough cannot nest deep enough to hurt; anything else is first
    # read as a stream of events (flat, cheap, stops early): anchors and aliases (alias
    # bombs) are refused, and so is deep nesting, which would crash the YAML composer
    # (C stack) or make the scanner quadratic.
    if "&" in yaml_text or "*" in yaml_text or len(yaml_text) > 2048:
        _check_events(yaml_text)
    try:
        return yaml.compose(yaml_text, Loader=Loader)
    except yaml.YAMLError as exc:
        raise FrontMatterError(*_yaml_problem(exc, yaml_text)) from None
    except RecursionError:  # the pure-Python composer, on nesting the events let through
        raise FrontMatterError(FIRST_LINE, msg("fm.too_deep", limit=MAX_DEPTH)) from None


def read_front_matter(text: str, path: str) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Split, compose and check the front matter of ``text`` (the file at ``path``).

    Returns the front matter and the problems found in it, as diagnostics for ``path``:
    ``(None, problems)`` when it cannot be read at all; ``(front_matter, problems)`` when
    it can, but a key is given twice somewhere (the reader goes on, so that the editor
    hears about every other problem of the file in the same run).
    """
    try:
        split = split_front_matter(text)
        if len(split.yaml_text) > MAX_FRONT_MATTER:
            raise FrontMatterError(
                FIRST_LINE,
                msg("fm.too_long", size=len(split.yaml_text), limit=MAX_FRONT_MATTER),
            )
        root = compose_front_matter(split.yaml_text)
        repeats: list[Diagnostic] = []
        if root is not None:
            _check_tag(root, ())
            if not _is_mapping(root):
                slip = yaml_slip(split.yaml_text, len(split.yaml_text.split("\n")))
                raise slip or FrontMatterError(FIRST_LINE, msg("fm.not_mapping"))
            _check_tree(root, path, (), 1, repeats)
    except FrontMatterError as exc:
        return None, [Diagnostic(path, exc.line, exc.field, exc.message)]
    entries: dict[str, Entry] = {}
    for key_node, value_node in root.value if root is not None else ():
        entries.setdefault(key_node.value, Entry(key_node.value, key_node, value_node))
    front = FrontMatter(
        split.yaml_text,
        root,  # type: ignore[arg-type]  # a mapping node: checked above
        tuple(entries.values()),
        split.body,
        split.body_line,
    )
    return front, sorted(repeats, key=lambda d: d.line or 0)


def node_path(path: tuple[str | int, ...]) -> tuple[Message, ...]:
    """How a problem below a top-level key names where it is: ``entry 2: level: ``
    (``path`` holds keys, and entry numbers counted from 1), as message parts."""
    return tuple(
        msg("path.entry", n=part) if isinstance(part, int) else msg("path.key", key=part)
        for part in path
    )


def _is_mapping(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode) and node.tag == TAG + "map"


def _check_tree(
    node: yaml.Node,
    path: str,
    where: tuple[str | int, ...],
    depth: int,
    repeats: list[Diagnostic],
) -> None:
    """Refuse what YAML reads but an editor did not mean, at every depth below ``node``
    (a list or mapping whose own tag is known).

    ``where`` is the top-level key and the entries and keys leading to ``node``; a key
    given twice is added to ``repeats``; anything else raises ``FrontMatterError``.
    """
    if depth > MAX_DEPTH:
        raise FrontMatterError(_line(node), msg("fm.too_deep", limit=MAX_DEPTH))
    if isinstance(node, yaml.SequenceNode):
        for i, entry in enumerate(node.value):
            _check_node(entry, path, (*where, i + 1), depth, repeats)
        return
    first: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            kind = msg("kind.list" if isinstance(key_node, yaml.SequenceNode) else "kind.mapping")
            field, inner = _field(where)
            raise FrontMatterError(
                _line(key_node), msg("fm.key_not_text", where=node_path(inner), kind=kind), field
            )
        _check_node(key_node, path, where, depth, repeats)
        key = key_node.value
        earlier = first.setdefault(key, key_node)
        if earlier is not key_node:
            # YAML would silently keep the last value; the editor surely meant only one.
            field, inner = _field((*where, key))
            repeats.append(
                Diagnostic(
                    path,
                    _line(key_node),
                    field,
                    msg("fm.repeated", where=node_path(inner), other=_line(earlier)),
                )
            )
        _check_node(value_node, path, (*where, key), depth, repeats)


def _check_node(
    node: yaml.Node,
    path: str,
    where: tuple[str | int, ...],
    depth: int,
    repeats: list[Diagnostic],
) -> None:
    """``_check_tree`` for a node one level below a list or mapping at ``depth``."""
    _check_tag(node, where)
    if not isinstance(node, yaml.ScalarNode):
        _check_tree(node, path, where, depth + 1, repeats)


def _check_tag(node: yaml.Node, where: tuple[str | int, ...]) -> None:
    if node.tag not in KNOWN_TAGS:
        field, inner = _field(where)
        tag = "!!" + node.tag[len(TAG) :] if node.tag.startswith(TAG) else node.tag
        raise FrontMatterError(
            _line(node),
            msg("fm.unknown_tag", where=node_path(inner), tag=tag),
            field,
        )


def _field(where: tuple[str | int, ...]) -> tuple[str | None, tuple[str | int, ...]]:
    """The top-level key of a place in the tree, and the path below it."""
    return (str(where[0]), where[1:]) if where else (None, ())


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + FIRST_LINE


def _check_events(yaml_text: str) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream, before composing."""
    depth = 0
    try:
        for event in yaml.parse(yaml_text, Loader=Loader):
            line = event.start_mark.line + FIRST_LINE if event.start_mark else None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise FrontMatterError(line, msg("fm.anchors"))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise FrontMatterError(line, msg("fm.too_deep", limit=MAX_DEPTH))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # composing reports it, with its position


def yaml_slip(yaml_text: str, last: int) -> FrontMatterError | None:
    """The first typing slip (``slips.line_slip``) on lines 1..``last`` of ``yaml_text``,
    as the error to report on its line in the file; None if there is none."""
    found = line_slip(yaml_text.split("\n")[:last])
    if found is None:
        return None
    index, message, field = found
    return FrontMatterError(index + FIRST_LINE, message, field)


def _yaml_problem(exc: yaml.YAMLError, yaml_text: str) -> tuple[int | None, Message, str | None]:
    """The line in the file, an editor's message and the key (if known) for PyYAML's
    error ``exc`` about ``yaml_text``: a typing slip named on its own line when one is
    found up to the error, else PyYAML's problem made actionable."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    lines = yaml_text.split("\n")
    last = max(m.line for m in (mark, context_mark) if m is not None) + 1 if mark else len(lines)
    slip = yaml_slip(yaml_text, last)
    if slip is not None:
        return slip.line, slip.message, slip.field
    if "maximum nesting depth" in problem:  # libyaml's own limit, met before our events check
        return (
            (mark.line + FIRST_LINE if mark else FIRST_LINE),
            msg("fm.too_deep", limit=MAX_DEPTH),
            None,
        )
    if context in _OPENED_CONTEXTS and context_mark is not None:
        # An unclosed quote or bracket: point at where it was opened, not at the end.
        return (
            context_mark.line + FIRST_LINE,
            msg("yaml.unclosed", what=msg(_OPENED_CONTEXTS[context])),
            None,
        )
    line = mark.line + FIRST_LINE if mark is not None else None
    text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    key = re.match(r"^\s*(?:-\s+)?([^\s:]+)\s*:", text)
    field = key.group(1) if key else None
    if problem in (
        "mapping values are not allowed here",
        "mapping values are not allowed in this context",
    ):
        return line, msg("yaml.colon_in_value", key=field or "title"), field
    if context == "while scanning a simple key" or problem.startswith(
        "could not find expected ':'"
    ):
        at = context_mark if context_mark is not None else mark
        return (at.line + FIRST_LINE if at is not None else line), msg("yaml.no_colon"), None
    if context in (
        "while scanning an alias",
        "while scanning an anchor",
        "while scanning a directive",
    ) or (context == "while scanning for the next token"):
        char = text[mark.column : mark.column + 1] if mark is not None else ""
        char = char if char and char in "*&%@`" else "* & % @ `"
        return line, msg("yaml.special_start", char=char), field
    return line, msg("yaml.other", problem=problem), None
