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
_OPENED_CONTEXTS = (
    "while scanning a quoted scalar",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
    "while scanning a simple key",
)


class FrontMatterError(Exception):
    """The front matter cannot be read at all: ``line`` (in the file, or None), the
    top-level key it is under (``field``, if any) and why."""

    def __init__(self, line: int | None, message: str, field: str | None = None):
        super().__init__(message)
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
        raise FrontMatterError(1, 'no front matter: the file must start with a "---" line')
    start = opening.end()
    end = CLOSING_RE.search(text, start)  # "^" matches at start: it follows a newline
    if end is None:
        raise FrontMatterError(1, 'front matter is not closed by a "---" line')
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
        raise FrontMatterError(*_yaml_problem(exc)) from None
    except RecursionError:  # the pure-Python composer, on nesting the events let through
        raise FrontMatterError(
            FIRST_LINE, f"front matter is nested more than {MAX_DEPTH} levels deep"
        ) from None


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
                f"front matter is {len(split.yaml_text):,} characters long, over the limit of "
                f"{MAX_FRONT_MATTER:,}; put long text in the body",
            )
        root = compose_front_matter(split.yaml_text)
        repeats: list[Diagnostic] = []
        if root is not None:
            _check_tag(root, ())
            if not _is_mapping(root):
                raise FrontMatterError(
                    FIRST_LINE, "front matter must be a mapping of keys to values"
                )
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


def _node_path(path: tuple[str, ...]) -> str:
    """How a problem below a top-level key names where it is: ``entry 2: level: ``."""
    return "".join(f"{part}: " for part in path)


def _is_mapping(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode) and node.tag == TAG + "map"


def _check_tree(
    node: yaml.Node,
    path: str,
    where: tuple[str, ...],
    depth: int,
    repeats: list[Diagnostic],
) -> None:
    """Refuse what YAML reads but an editor did not mean, at every depth below ``node``
    (a list or mapping whose own tag is known).

    ``where`` is the top-level key and the entries and keys leading to ``node``; a key
    given twice is added to ``repeats``; anything else raises ``FrontMatterError``.
    """
    if depth > MAX_DEPTH:
        raise FrontMatterError(
            _line(node), f"front matter is nested more than {MAX_DEPTH} levels deep"
        )
    if isinstance(node, yaml.SequenceNode):
        for i, entry in enumerate(node.value):
            _check_node(entry, path, (*where, f"entry {i + 1}"), depth, repeats)
        return
    first: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
            field, inner = _field(where)
            raise FrontMatterError(
                _line(key_node), f"{_node_path(inner)}a key must be text, not {kind}", field
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
                    f"{_node_path(inner)}is given twice (also on line {_line(earlier)}); keep one",
                )
            )
        _check_node(value_node, path, (*where, key), depth, repeats)


def _check_node(
    node: yaml.Node, path: str, where: tuple[str, ...], depth: int, repeats: list[Diagnostic]
) -> None:
    """``_check_tree`` for a node one level below a list or mapping at ``depth``."""
    _check_tag(node, where)
    if not isinstance(node, yaml.ScalarNode):
        _check_tree(node, path, where, depth + 1, repeats)


def _check_tag(node: yaml.Node, where: tuple[str, ...]) -> None:
    if node.tag not in KNOWN_TAGS:
        field, inner = _field(where)
        tag = "!!" + node.tag[len(TAG) :] if node.tag.startswith(TAG) else node.tag
        raise FrontMatterError(
            _line(node),
            f"{_node_path(inner)}unknown YAML tag {tag} (put the value in quotes if it is text)",
            field,
        )


def _field(where: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The top-level key of a place in the tree, and the path below it."""
    return (where[0], where[1:]) if where else (None, ())


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + FIRST_LINE


def _check_events(yaml_text: str) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream, before composing."""
    depth = 0
    try:
        for event in yaml.parse(yaml_text, Loader=Loader):
            line = event.start_mark.line + FIRST_LINE if event.start_mark else None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise FrontMatterError(
                    line, "YAML anchors and aliases are not allowed in front matter"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise FrontMatterError(
                        line, f"front matter is nested more than {MAX_DEPTH} levels deep"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # composing reports it, with its position


def _yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line in the file and an editor's message for PyYAML's error ``exc``."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context in _OPENED_CONTEXTS and getattr(exc, "context_mark", None) is not None:
        # An unclosed quote or bracket: point at where it was opened, not at the end.
        mark = exc.context_mark  # type: ignore[attr-defined]
        problem = f"{problem} ({context} that starts on this line)"
    elif problem == "mapping values are not allowed in this context":
        problem += ' (a value containing ": " must be put in quotes)'
    elif context in ("while scanning an alias", "while scanning for the next token"):
        problem += " (a value starting with * & % @ or ` must be put in quotes)"
    line = mark.line + FIRST_LINE if mark is not None else None
    return line, f"invalid YAML: {problem}"
