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
from .messages import Message, as_message, listing, msg
from .slips import colon_slip, date_slip

CLASSIFICATIONS = {
    "public": "public",
    "internal": "internal",
    "公开": "public",
    "内部": "internal",
    "secret": "secret",
    "confidential": "confidential",
    "top-secret": "top-secret",
    "秘密": "secret",
    "机密": "confidential",
    "绝密": "top-secret",
}
WITHHELD = frozenset({"secret", "confidential", "top-secret"})
STATUSES = {
    "published": "published",
    "draft": "draft",
    "发布": "published",
    "已发布": "published",
    "草稿": "draft",
}
HONOREE_KINDS = {
    "collective": "collective",
    "individual": "individual",
    "先进集体": "collective",
    "集体": "collective",
    "先进个人": "individual",
    "个人": "individual",
}


class FieldError(ValueError):
    """A front-matter value is invalid; ``node`` is the YAML node at fault, when known
    (its mark gives the line)."""

    def __init__(self, message: Message, node: yaml.Node | None = None):
        message = as_message(message)
        super().__init__(message.render("en"))
        self.message = message
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
            raise FieldError(msg("field.number_too_long", n=len(node.value)), node)
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
        problem = str(getattr(exc, "problem", exc))
        raise FieldError(msg("field.invalid_value", problem=problem), node) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise FieldError(msg("field.invalid_value", problem=str(exc)), node) from None


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
            if isinstance(value, str) and colon_slip(value):
                # "level：city" typed where "level: city" was meant: one text to YAML
                raise FieldError(msg("yaml.fullwidth_colon"), node) from None
            message = exc.message
            if value is None and node.value and not self.typed:
                # ~ or null typed where text belongs: YAML reads it as "no value"
                message = msg(
                    "path.concat", parts=(message, msg("field.null_hint", value=node.value))
                )
            raise FieldError(message, exc.node or node) from None


def describe(node: yaml.Node) -> Message:
    """What kind of value ``node`` holds, for a message: "a list", "a mapping", "text"…"""
    if isinstance(node, yaml.SequenceNode):
        return msg("kind.list")
    if isinstance(node, yaml.MappingNode):
        return msg("kind.set" if node.tag == TAG + "set" else "kind.mapping")
    if node.tag == NULL:
        return msg("kind.empty")
    if node.tag == TAG + "binary":
        return msg("kind.binary")
    return msg("kind.text")


# --- scalar parsers ---------------------------------------------------------------------


def _type(value: Any) -> Message:
    if value is None:
        return msg("kind.empty")
    if isinstance(value, bool):
        return msg("kind.bool")
    if isinstance(value, int | float):
        return msg("kind.number")
    if isinstance(value, dt.datetime | dt.date):
        return msg("kind.date")
    if isinstance(value, list):
        return msg("kind.list")
    if isinstance(value, dict):
        return msg("kind.mapping")
    if isinstance(value, bytes):
        return msg("kind.binary")
    if isinstance(value, set):
        return msg("kind.set")
    return msg("kind.text")


def _show(value: Any) -> Message | str:
    """A value for a message: its repr, shortened (an editor may have pasted a page)."""
    if value is None:
        return msg("value.nothing")
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# C0/C1 control characters (tab and newline aside) and the noncharacters XML refuses.
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def text(value: Any, config: SiteConfig) -> str:
    if not isinstance(value, str):
        raise FieldError(msg("field.not_text", kind=_type(value)))
    value = value.strip()
    if not value:
        raise FieldError(msg("field.empty"))
    if _CONTROL_CHARS_RE.search(value):
        raise FieldError(msg("field.control"))
    return value


def one_line(value: Any, config: SiteConfig) -> str:
    value = text(value, config)
    if "\n" in value or "\u2028" in value or "\u2029" in value:
        raise FieldError(msg("field.one_line"))
    return value


def boolean(value: Any, config: SiteConfig) -> bool:
    if isinstance(value, str):
        raise FieldError(msg("field.bool_text", value=_show(value)))
    if not isinstance(value, bool):
        raise FieldError(msg("field.bool_kind", kind=_type(value)))
    return value


def date(value: Any, config: SiteConfig) -> dt.date:
    """A calendar date on the site's calendar; a date-time is accepted and reduced to the
    site-zone date of its instant (``2026-03-31T17:00:00Z`` is 1 April in Beijing); one
    without an offset is site-local time."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(
                date_slip(value.strip()) or msg("field.date", value=_show(value))
            ) from None
    if isinstance(value, dt.datetime):
        return _on_site_clock(value, config).date()
    if isinstance(value, dt.date):
        return value
    raise FieldError(msg("field.date", value=_show(value)))


def _on_site_clock(value: dt.datetime, config: SiteConfig) -> dt.datetime:
    try:
        return site_moment(value, config.zone)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is in the year 10000 in Beijing
        raise FieldError(msg("field.outside_calendar", value=value.isoformat())) from None


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
            raise FieldError(msg("field.moment", value=_show(value))) from None
    else:
        raise FieldError(msg("field.moment_kind"))
    return _on_site_clock(result, config)


def slug_ref(value: Any, config: SiteConfig) -> str:
    value = one_line(value, config)
    if value.endswith(".md"):
        value = value.rsplit("/", 1)[-1][:-3]
    return value


def _known_id(value: Any, config: SiteConfig, what: str, entries: tuple[Any, ...]) -> str:
    """An id among ``entries`` (each with .id and .name), or the name the site shows for
    one of them when no other entry has that name (``unit: 城关镇``).

    Raises ``FieldError`` for a name several entries share (naming their ids) and for a
    value that is neither, with a "did you mean" hint among ids and names.
    """
    value = one_line(value, config)
    for entry in entries:
        if entry.id == value:
            return value
    named = [e.id for e in entries if e.name == value]
    if len(named) == 1:
        return named[0]
    if named:
        raise FieldError(
            msg("field.ambiguous_name", value=value, what=msg(what), ids=listing(named))
        )
    choices = [e.id for e in entries] + [e.name for e in entries]
    hint = did_you_mean(value, choices)
    raise FieldError(msg("field.unknown_id", what=msg(what), value=value, hint=hint))


def unit_id(value: Any, config: SiteConfig) -> str:
    """A unit's id, or its unique name (site.toml ``[units.<id>] name``)."""
    return _known_id(value, config, "what.unit", config.units)


def category_id(value: Any, config: SiteConfig) -> str:
    """A category's id, or its unique name."""
    return _known_id(value, config, "what.category", config.categories)


def level_id(value: Any, config: SiteConfig) -> str:
    """An adoption level's id, or its unique name (区委, 市委…)."""
    return _known_id(value, config, "what.level", config.adoption)


def choice(options: dict[str, str], what: str) -> ValueParser:
    """One of ``options`` (what is written → the value kept; Chinese words are accepted
    beside the English ids); ``what`` is the message id naming the kind of value."""

    def parse(value: Any, config: SiteConfig) -> str:
        value = one_line(value, config)
        if value not in options:
            shown = listing(dict.fromkeys(k for k in options if k.isascii()))
            raise FieldError(msg("field.not_choice", value=value, what=msg(what), options=shown))
        return options[value]

    return parse


# --- composite parsers ------------------------------------------------------------------


def at_entry(n: int, message: Message) -> Message:
    """``message`` about entry ``n`` (from 1) of a list: "entry 2: …" / "第2项：…"."""
    return msg("path.concat", parts=(msg("path.entry", n=n), message))


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
            raise FieldError(msg("field.not_list", kind=describe(node)), node)
        out = []
        seen: set[Any] = set()  # a set: a long list must not cost quadratic time
        for i, entry in enumerate(entries):
            try:
                parsed = item(entry, config)
            except FieldError as exc:
                raise FieldError(at_entry(i + 1, exc.message), exc.node or entry) from None
            if unique:
                if parsed in seen:
                    twice = msg("field.listed_twice", value=str(parsed))
                    raise FieldError(at_entry(i + 1, twice), entry)
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
            if isinstance(node, yaml.ScalarNode) and colon_slip(node.value):
                raise FieldError(msg("yaml.fullwidth_colon"), node)  # "by：…" is one text
            raise FieldError(msg("field.not_record", keys=listing(fields)), node)
        given: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value  # frontmatter refuses keys that are lists or mappings
            if key not in fields:
                if colon_slip(str(key)):
                    raise FieldError(msg("yaml.fullwidth_colon"), key_node)
                hint = did_you_mean(str(key), fields)
                raise FieldError(msg("field.unknown_subkey", key=key, hint=hint), key_node)
            given.setdefault(key, value_node)  # a repeated key is reported by frontmatter
        kwargs = {}
        for key, (parser, required) in fields.items():
            value_node = given.get(key)
            if value_node is None and required:
                raise FieldError(msg("field.missing_subkey", key=key), node)
            if value_node is None or (is_null(value_node) and not required):
                continue
            try:
                kwargs[key.replace("-", "_")] = parser(value_node, config)
            except FieldError as exc:
                inner = msg("path.concat", parts=(msg("path.key", key=key), exc.message))
                raise FieldError(inner, exc.node or value_node) from None
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
        "kind": (Scalar(choice(HONOREE_KINDS, "what.honoree_kind")), True),
        "unit": (UNIT, False),
    },
    Honoree,
)


def optional(parser: Parser) -> Parser:
    """``parser``, except that nothing written (``reviewed-by:``) means no value."""

    def parse(node: yaml.Node, config: SiteConfig) -> Any:
        return None if is_null(node) else parser(node, config)

    return parse


def extra(node: yaml.Node, config: SiteConfig) -> None:
    """Free-form data of the site's own: any mapping, never validated or kept."""
    if not isinstance(node, yaml.MappingNode) or node.tag != TAG + "map":
        raise FieldError(msg("field.not_mapping"), node)
    return None


_adoptions = list_of(adoption)


def _levels_unique(node: yaml.Node, config: SiteConfig) -> tuple[AdoptionRef, ...]:
    refs = _adoptions(node, config)
    seen: set[str] = set()
    for i, ref in enumerate(refs):
        if ref.level in seen:
            entry = node.value[i] if isinstance(node, yaml.SequenceNode) else node
            raise FieldError(at_entry(i + 1, msg("field.level_twice", level=ref.level)), entry)
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
    "status": Field(Scalar(choice(STATUSES, "what.status"))),
    "classification": Field(Scalar(choice(CLASSIFICATIONS, "what.classification"))),
    "reviewed-by": Field(optional(ONE_LINE)),
    "approved-by": Field(optional(ONE_LINE)),
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
