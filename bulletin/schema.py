"""The item front-matter schema: every key an editor may write, in one place.

Add a front-matter key here: a ``Field`` entry in ``FIELDS`` with a parser, and a
matching attribute on ``SourceItem`` (in ``content.py``).

Fields are parsed from PyYAML nodes (``frontmatter.read_front_matter`` composes them), not
from values YAML has already typed: YAML 1.1 reads an unquoted ``0701`` as the number 449,
``12.30`` as 12.3, ``yes`` as true and ``2026-05-01`` as a date, and editors do not know
YAML's quoting rules. So a leaf that wants text (``Scalar(text)``: titles, tags, names,
ids, ``by``) gets the text exactly as typed, whatever YAML would have made of it; a typed
leaf (``Scalar(date, typed=TIMESTAMPS)``) gets YAML's value for the types it names. A
``null`` (nothing, ``~``, ``null``) is no value anywhere: never the text "null". Errors
carry the node they are about, so the reader can give the line at any depth.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from .clock import site_moment
from .config import SiteConfig
from .diagnostics import did_you_mean

CLASSIFICATIONS = {
    "public": "public",
    "internal": "internal",
    "secret": "secret",
    "confidential": "confidential",
    "top-secret": "top-secret",
    "秘密": "secret",
    "机密": "confidential",
    "绝密": "top-secret",
}
WITHHELD = frozenset({"secret", "confidential", "top-secret"})
STATUSES = ("published", "draft")
HONOREE_KINDS = ("collective", "individual")


class FieldError(ValueError):
    """A front-matter value is invalid; ``node`` is the YAML node at fault, when known
    (its mark gives the line)."""

    def __init__(self, message: str, node: yaml.Node | None = None):
        super().__init__(message)
        self.node = node


@dataclass(frozen=True)
class AdoptionRef:
    level: str
    date: dt.date | None = None
    by: str | None = None


@dataclass(frozen=True)
class InstructionRef:
    by: str
    level: str
    date: dt.date | None = None


@dataclass(frozen=True)
class Honoree:
    name: str
    kind: str
    unit: str | None = None


ValueParser = Callable[[Any, SiteConfig], Any]  # a Python value → the field's value
Parser = Callable[[yaml.Node, SiteConfig], Any]  # a YAML node → the field's value


@dataclass(frozen=True)
class Field:
    """One front-matter key: ``parse`` reads its value node (raising ``FieldError``)."""

    parse: Parser
    required: bool = False
    attr: str = ""


# --- from YAML nodes to values ------------------------------------------------------------

TAG = "tag:yaml.org,2002:"
NULL, BOOL, TIMESTAMP, INT = (TAG + t for t in ("null", "bool", "timestamp", "int"))
TIMESTAMPS = frozenset({TIMESTAMP})
BOOLEANS = frozenset({BOOL})
# The tags YAML's resolver gives a scalar by its look (str when nothing else matches):
# where a leaf does not want YAML's type, such a scalar is the text the editor typed.
IMPLICIT_TAGS = frozenset(
    TAG + t for t in ("str", "bool", "int", "float", "timestamp", "merge", "value", "yaml")
)
MAX_NUMBER_CHARS = 64


class _Constructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, except that an impossible date (2026-13-45) stays text
    for the schema to report, and absurdly long numbers (their digits cannot even be
    printed) are refused."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        if len(node.value) > MAX_NUMBER_CHARS:
            raise FieldError(f"a number of {len(node.value):,} characters is too long", node)
        return super().construct_yaml_int(node)


_Constructor.add_constructor(TIMESTAMP, _Constructor.construct_yaml_timestamp)  # type: ignore[type-var]
_Constructor.add_constructor(INT, _Constructor.construct_yaml_int)  # type: ignore[type-var]


def yaml_value(node: yaml.Node, typed: frozenset[str] = frozenset()) -> Any:
    """The Python value a leaf parser reads from ``node``.

    A scalar whose tag is in ``typed`` gets YAML's value (``TIMESTAMPS``: 2026-05-01 is a
    ``dt.date``; ``BOOLEANS``: yes is True); a null (nothing, ``~``, ``null``) is None; any
    other scalar YAML typed by its look is the text exactly as typed ("0701", "12.30",
    "yes"). Anything else (binary data, lists, mappings, sets) is what PyYAML's safe
    constructor makes of it, for a message to name. Raises ``FieldError`` for a value
    PyYAML cannot construct.
    """
    if isinstance(node, yaml.ScalarNode):
        if node.tag == NULL:
            return None
        if node.tag not in typed and node.tag in IMPLICIT_TAGS:
            return node.value
    try:
        return _Constructor().construct_object(node, deep=True)
    except FieldError:
        raise
    except yaml.YAMLError as exc:
        raise FieldError(f"invalid YAML value: {getattr(exc, 'problem', exc)}", node) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise FieldError(f"invalid YAML value: {exc}", node) from None


def is_null(node: yaml.Node) -> bool:
    """Whether ``node`` is YAML's "no value": nothing written, ``~`` or ``null``."""
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL


@dataclass(frozen=True)
class Scalar:
    """A leaf of the schema: one value, read from its YAML node with ``yaml_value`` and
    checked by ``parse`` (a value parser such as ``text`` or ``date``).

    ``typed`` names the YAML types the leaf takes as YAML reads them (a date field wants
    2026-05-01 as a date); for every other plain scalar, ``parse`` gets the text as typed.
    Errors point at the node.
    """

    parse: ValueParser
    typed: frozenset[str] = frozenset()

    def __call__(self, node: yaml.Node, config: SiteConfig) -> Any:
        value = yaml_value(node, self.typed)
        try:
            return self.parse(value, config)
        except FieldError as exc:
            message = str(exc)
            if value is None and node.value and not self.typed:
                # ~ or null typed where text belongs: YAML reads it as "no value"
                message += f" ({node.value} means no value in YAML; put it in quotes if it is text)"
            raise FieldError(message, exc.node or node) from None


def describe(node: yaml.Node) -> str:
    """What kind of value ``node`` holds, for a message: "a list", "a mapping", "text"…"""
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a set" if node.tag == TAG + "set" else "a mapping"
    if node.tag == NULL:
        return "empty"
    if node.tag == TAG + "binary":
        return "binary data"
    return "text"


# --- scalar parsers ---------------------------------------------------------------------


def _type(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, set):
        return "a set"
    return "text"


def _show(value: Any) -> str:
    """A value for a message: its repr, shortened (an editor may have pasted a page)."""
    if value is None:
        return "nothing"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# C0/C1 control characters (tab and newline aside) and the noncharacters XML refuses.
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def text(value: Any, config: SiteConfig) -> str:
    if not isinstance(value, str):
        raise FieldError(f"must be text, not {_type(value)}")
    value = value.strip()
    if not value:
        raise FieldError("must not be empty")
    if _CONTROL_CHARS_RE.search(value):
        raise FieldError("contains control characters")
    return value


def one_line(value: Any, config: SiteConfig) -> str:
    value = text(value, config)
    if "\n" in value or "\u2028" in value or "\u2029" in value:
        raise FieldError("must be a single line")
    return value


def boolean(value: Any, config: SiteConfig) -> bool:
    if isinstance(value, str):
        raise FieldError(f"must be true or false, got {_show(value)}")
    if not isinstance(value, bool):
        raise FieldError(f"must be true or false, not {_type(value)}")
    return value


def date(value: Any, config: SiteConfig) -> dt.date:
    """A calendar date on the site's calendar; a date-time is accepted and reduced to the
    site-zone date of its instant (``2026-03-31T17:00:00Z`` is 1 April in Beijing); one
    without an offset is site-local time."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        return _on_site_clock(value, config).date()
    if isinstance(value, dt.date):
        return value
    raise FieldError(f"must be a date YYYY-MM-DD, got {_show(value)}")


def _on_site_clock(value: dt.datetime, config: SiteConfig) -> dt.datetime:
    try:
        return site_moment(value, config.zone)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is in the year 10000 in Beijing
        shown = value.isoformat()
        raise FieldError(f"{shown} falls outside the years 1-9999 on the site's calendar") from None


def date_time(value: Any, config: SiteConfig) -> dt.datetime | None:
    """The instant of a ``date`` value that has a time of day, in the site's time zone;
    None for a plain date. Call after :func:`date` accepted ``value``."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:  # YYYY-MM-DD: no time of day
            return None
        value = dt.datetime.fromisoformat(text)
    return _on_site_clock(value, config) if isinstance(value, dt.datetime) else None


def moment(value: Any, config: SiteConfig) -> dt.datetime:
    """A point in time, in the site's time zone; naive values are site-local time."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(
                f"must be a date and time like 2026-07-12T05:40:00+08:00, got {_show(value)}"
            ) from None
    else:
        raise FieldError("must be a date and time like 2026-07-12T05:40:00+08:00")
    return _on_site_clock(result, config)


def slug_ref(value: Any, config: SiteConfig) -> str:
    value = one_line(value, config)
    if value.endswith(".md"):
        value = value.rsplit("/", 1)[-1][:-3]
    return value


def _known_id(value: Any, config: SiteConfig, what: str, entries: tuple[Any, ...]) -> str:
    """An id among entries (each with .id and .name); the Chinese name gets a hint."""
    value = one_line(value, config)
    for entry in entries:
        if entry.id == value:
            return value
    ids = [e.id for e in entries]
    names = {e.name: e.id for e in entries}
    hint = f' (use its id "{names[value]}")' if value in names else did_you_mean(value, ids)
    raise FieldError(f'unknown {what} "{value}"{hint}')


def unit_id(value: Any, config: SiteConfig) -> str:
    return _known_id(value, config, "unit", config.units)


def category_id(value: Any, config: SiteConfig) -> str:
    return _known_id(value, config, "category", config.categories)


def level_id(value: Any, config: SiteConfig) -> str:
    return _known_id(value, config, "adoption level", config.adoption)


def choice(options: dict[str, str] | tuple[str, ...], what: str) -> ValueParser:
    mapping = options if isinstance(options, dict) else {o: o for o in options}

    def parse(value: Any, config: SiteConfig) -> str:
        value = one_line(value, config)
        if value not in mapping:
            raise FieldError(f'"{value}" is not a {what}; use one of {", ".join(mapping)}')
        return mapping[value]

    return parse


# --- composite parsers ------------------------------------------------------------------


def list_of(item: Parser, *, unique: bool = False) -> Parser:
    """A list of ``item``; one value alone is a list of one; nothing is the empty list.

    Errors name the entry ("entry 2: ...") and point at it (or deeper).
    """

    def parse(node: yaml.Node, config: SiteConfig) -> tuple[Any, ...]:
        if is_null(node):
            return ()
        if isinstance(node, yaml.ScalarNode):
            entries = [node]
        elif isinstance(node, yaml.SequenceNode):
            entries = node.value
        else:
            raise FieldError(f"must be a list, not {describe(node)}", node)
        out = []
        seen: set[Any] = set()  # a set: a long list must not cost quadratic time
        for i, entry in enumerate(entries):
            try:
                parsed = item(entry, config)
            except FieldError as exc:
                raise FieldError(f"entry {i + 1}: {exc}", exc.node or entry) from None
            if unique:
                if parsed in seen:
                    raise FieldError(f"entry {i + 1}: {parsed!s} is listed twice", entry)
                seen.add(parsed)
            out.append(parsed)
        return tuple(out)

    return parse


def record(fields: dict[str, tuple[Parser, bool]], build: Callable[..., Any]) -> Parser:
    """A mapping with known keys: {key: (parser, required)}, made into ``build(**values)``
    (keys with "-" become "_"). An optional key given as nothing (``by:`` or ``by: ~``) is
    absent; a required one is parsed, and its parser says why nothing will not do.
    Errors name the key ("level: ...") and point at it (or deeper).
    """

    def parse(node: yaml.Node, config: SiteConfig) -> Any:
        if not isinstance(node, yaml.MappingNode) or node.tag != TAG + "map":
            raise FieldError(f"must be a mapping with {', '.join(fields)}", node)
        given: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value  # frontmatter refuses keys that are lists or mappings
            if key not in fields:
                raise FieldError(f'unknown key "{key}"{did_you_mean(str(key), fields)}', key_node)
            given.setdefault(key, value_node)  # a repeated key is reported by frontmatter
        kwargs = {}
        for key, (parser, required) in fields.items():
            value_node = given.get(key)
            if value_node is None and required:
                raise FieldError(f'"{key}" is missing', node)
            if value_node is None or (is_null(value_node) and not required):
                continue
            try:
                kwargs[key.replace("-", "_")] = parser(value_node, config)
            except FieldError as exc:
                raise FieldError(f"{key}: {exc}", exc.node or value_node) from None
        return build(**kwargs)

    return parse


TEXT = Scalar(text)
ONE_LINE = Scalar(one_line)
DATE = Scalar(date, TIMESTAMPS)
MOMENT = Scalar(moment, TIMESTAMPS)
BOOLEAN = Scalar(boolean, BOOLEANS)
UNIT = Scalar(unit_id)
CATEGORY = Scalar(category_id)
LEVEL = Scalar(level_id)

_adoption_record = record(
    {"level": (LEVEL, True), "date": (DATE, False), "by": (ONE_LINE, False)}, AdoptionRef
)


def adoption(node: yaml.Node, config: SiteConfig) -> AdoptionRef:
    """A level id alone, or {level, date, by}."""
    if isinstance(node, yaml.ScalarNode):
        return AdoptionRef(LEVEL(node, config))
    return _adoption_record(node, config)


instruction = record(
    {"by": (ONE_LINE, True), "level": (LEVEL, True), "date": (DATE, False)}, InstructionRef
)
honoree = record(
    {
        "name": (ONE_LINE, True),
        "kind": (Scalar(choice(HONOREE_KINDS, "kind of honoree")), True),
        "unit": (UNIT, False),
    },
    Honoree,
)


def extra(node: yaml.Node, config: SiteConfig) -> None:
    """Free-form data of the site's own: any mapping, never validated or kept."""
    if not isinstance(node, yaml.MappingNode) or node.tag != TAG + "map":
        raise FieldError("must be a mapping", node)
    return None


_adoptions = list_of(adoption)


def _levels_unique(node: yaml.Node, config: SiteConfig) -> tuple[AdoptionRef, ...]:
    refs = _adoptions(node, config)
    seen: set[str] = set()
    for i, ref in enumerate(refs):
        if ref.level in seen:
            entry = node.value[i] if isinstance(node, yaml.SequenceNode) else node
            raise FieldError(f'entry {i + 1}: level "{ref.level}" is listed twice', entry)
        seen.add(ref.level)
    return refs


FIELDS: dict[str, Field] = {
    "title": Field(ONE_LINE, required=True),
    "unit": Field(UNIT, required=True),
    "category": Field(CATEGORY, required=True),
    "date": Field(DATE, required=True),
    "adopted-by": Field(_levels_unique),
    "summary": Field(TEXT),
    "tags": Field(list_of(ONE_LINE, unique=True)),
    "status": Field(Scalar(choice(STATUSES, "status"))),
    "classification": Field(Scalar(choice(CLASSIFICATIONS, "classification"))),
    "instructions": Field(list_of(instruction)),
    "follow-up-of": Field(Scalar(slug_ref)),
    "final": Field(BOOLEAN),
    "occurred": Field(MOMENT),
    "reported": Field(MOMENT),
    "assignees": Field(list_of(UNIT, unique=True)),
    "due": Field(DATE),
    "done": Field(DATE),
    "honorees": Field(list_of(honoree)),
    "excellent": Field(BOOLEAN),
    "extra": Field(extra),
}
