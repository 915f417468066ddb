"""The message catalogue: both languages for every message, and no message outside it."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bulletin.diagnostics import Diagnostic
from bulletin.messages import ARGPARSE_ZH, CATALOGUE, LANGUAGES, Listing, Message, msg

PACKAGE = Path(__file__).resolve().parents[2] / "bulletin"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "messages.py")


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("message_id", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_fields(message_id: str) -> None:
    templates = CATALOGUE[message_id]
    assert set(templates) == set(LANGUAGES)
    # fields one language's grammar needs and the other's does not: an English plural
    # "s", a month's English name where Chinese says its number
    one_language = {"s", "month", "month_name"}
    assert fields(templates["zh-CN"]) - one_language == fields(templates["en"]) - one_language


def test_every_message_is_used() -> None:
    """An id no code names is dead; ids built from parts are named by their prefix."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    dynamic = (
        "progress.",
        "cli.check_",
        "cli.failed_",
        "review.",
        "what.",
        "yaml.what_",
        "change.",
        "verbatim",  # the mechanism's own (messages.as_message)
    )
    unused = [
        message_id
        for message_id in CATALOGUE
        if f'"{message_id}"' not in code and not message_id.startswith(dynamic)
    ]
    assert unused == []


MESSAGE_TAKERS = {"Diagnostic": 3, "FieldError": 0, "FrontMatterError": 1}


def literal(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def test_no_message_is_written_outside_the_catalogue() -> None:
    """Diagnostics, field errors and printed lines take catalogue messages, never text
    written in place (which could only ever be in one language)."""
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if name in MESSAGE_TAKERS:
                index = MESSAGE_TAKERS[name]
                if len(node.args) > index and literal(node.args[index]):
                    found.append(where)
            elif name == "print" and node.args and literal(node.args[0]):
                found.append(where)
    allowed = {"bulletin/search/worker.py"}  # a worker process's protocol error (a bug)
    assert [w for w in found if w.split(":")[0] not in allowed] == []


def test_a_diagnostic_is_rendered_in_either_language() -> None:
    d = Diagnostic(
        "content/a.md",
        3,
        "unit",
        msg("field.unknown_id", what=msg("what.unit"), value="x", hint=None),
    )
    assert d.format("zh-CN") == "content/a.md:3: unit: 未知的单位“x”"
    assert d.format("en") == 'content/a.md:3: unit: unknown unit "x"'
    warning = Diagnostic(
        "content/a.md", None, None, msg("check.empty_section", heading="一"), "warning"
    )
    assert warning.format("zh-CN") == "content/a.md: 警告：小标题“一”下面没有内容"
    assert warning.format("en") == 'content/a.md: warning: section "一" is empty'


def test_values_render_in_the_language_of_the_message() -> None:
    listed = msg(
        "field.not_choice", value="x", what=msg("what.status"), options=Listing(("a", "b"))
    )
    assert listed.render("zh-CN") == "“x”不是有效的状态；可选：a、b"
    assert listed.render("en") == '"x" is not a status; use one of a, b'


def test_an_unknown_id_is_a_bug() -> None:
    with pytest.raises(KeyError):
        msg("no.such.message")
    assert isinstance(msg("field.empty"), Message)


def test_argparse_translations_keep_their_placeholders() -> None:
    for english, chinese in ARGPARSE_ZH.items():
        assert re.findall(r"%\(\w+\)[sr]|%[sr]", english) == re.findall(
            r"%\(\w+\)[sr]|%[sr]", chinese
        ), english


def test_text_from_outside_the_catalogue_is_shown_as_it_is() -> None:
    """Code merged from elsewhere that still writes its own sentence never crashes a build
    (the static test above flags it)."""
    d = Diagnostic("a.md", 1, None, "plain words")  # type: ignore[arg-type]
    assert d.format("zh-CN") == d.format("en") == "a.md:1: plain words"
