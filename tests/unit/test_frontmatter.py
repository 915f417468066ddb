"""The front-matter reader: fences, the composed node tree and its lines, refusals.

It knows nothing of items: any document with a YAML header (items, bulletin issues) is
read the same way; what the values mean is the schema's business (tests/unit/test_schema.py).
"""

from __future__ import annotations

import pytest
import yaml

from bulletin import frontmatter
from bulletin.frontmatter import (
    FrontMatter,
    FrontMatterError,
    read_front_matter,
    split_front_matter,
)

DOCUMENT = """---
bulletin: lanchuan
number: 15
items:
  - 2026-06-01-fangxun
  - slug: 2026-06-02-chungeng
    note: |
      编者按
      第二行
distribution: {report: [市委办公室], send: [区委各部门]}
---
编者按正文。
"""


def read(text: str) -> FrontMatter:
    front, problems = read_front_matter(text, "content/issues/15.md")
    assert problems == [], [d.format("en") for d in problems]
    assert front is not None
    return front


@pytest.fixture(params=["C", "pure"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both of PyYAML's parsers give the same nodes and lines (the C one when it is built)."""
    if request.param == "C":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(frontmatter, "Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(frontmatter, "Loader", yaml.SafeLoader)
    return str(request.param)


def test_any_document_gives_its_nodes_and_their_lines(loader: str) -> None:
    front = read(DOCUMENT)
    assert [e.key for e in front.entries] == ["bulletin", "number", "items", "distribution"]
    assert front.lines() == {"bulletin": 2, "number": 3, "items": 4, "distribution": 10}
    items = front.entries[2].value_node
    assert isinstance(items, yaml.SequenceNode)
    first, second = items.value
    assert (first.value, front.line(first)) == ("2026-06-01-fangxun", 5)
    (slug_key, slug), (note_key, note) = second.value
    assert [front.line(n) for n in (second, slug_key, slug, note_key)] == [6, 6, 6, 7]
    assert note.value == "编者按\n第二行\n"
    report = front.entries[3].value_node.value[0][1]
    assert (report.value[0].value, front.line(report.value[0])) == ("市委办公室", 10)
    assert front.body == "编者按正文。\n" and front.body_line == 12


def test_values_are_not_typed(loader: str) -> None:
    """0701 is not 449 here: the node keeps the text; YAML's guess is only its tag."""
    front = read("---\na: 0701\nb: yes\nc: 2026-05-01\n---\n")
    assert [(e.value_node.value, e.value_node.tag.rsplit(":", 1)[1]) for e in front.entries] == [
        ("0701", "int"),
        ("yes", "bool"),
        ("2026-05-01", "timestamp"),
    ]


def test_duplicates_at_every_depth_are_reported_and_the_first_is_kept(loader: str) -> None:
    text = "---\na: 1\nb: [{c: 1, c: 2}]\na: 2\n---\n"
    front, problems = read_front_matter(text, "doc.md")
    assert [d.format("en") for d in problems] == [
        "doc.md:3: b: entry 1: c: is given twice (also on line 3); keep one",
        "doc.md:4: a: is given twice (also on line 2); keep one",
    ]
    assert front is not None and front.entries[0].value_node.value == "1"


@pytest.mark.parametrize(
    ("text", "body", "body_line"),
    [
        ("---\na: 1\n---\nbody\n", "body\n", 4),
        ("--- \t\na: 1\n---\t \nbody\n", "body\n", 4),
        ("---\na: 1\n...\n\nbody", "\nbody", 4),
        ("---\n---\n", "", 3),
        ("---\na: 1\n---", "", 4),
    ],
)
def test_split(text: str, body: str, body_line: int) -> None:
    split = split_front_matter(text)
    assert (split.body, split.body_line) == (body, body_line)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\n", 1, 'no front matter: the file must start with a "---" line'),
        ("---a\n", 1, 'no front matter: the file must start with a "---" line'),
        ("---\na: 1\n", 1, 'front matter is not closed by a "---" line'),
        ("---\na: 1\n --- \n", 1, 'front matter is not closed by a "---" line'),
    ],
)
def test_split_refuses(text: str, line: int, message: str) -> None:
    with pytest.raises(FrontMatterError) as info:
        split_front_matter(text)
    assert (info.value.line, info.value.message.render("en")) == (line, message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\n- a\n---\n", "doc.md:2: front matter must be a mapping of keys to values"),
        ('---\na: "x\nb: 1\n---\n', "doc.md:2: the quotation that starts on this line"),
        ("---\na: 1\nb: &x 2\n---\n", "doc.md:3: YAML anchors and aliases are not allowed"),
        ("---\na: !!python/name:os.system x\n---\n", "doc.md:2: a: unknown YAML tag "),
        ("---\na:\n  b:\n    ? {c: 1}\n    : d\n---\n", "doc.md:4: a: b: a key must be text"),
        ("---\na: " + "[" * 70 + "]" * 70 + "\n---\n", "doc.md:2: front matter is nested more"),
    ],
)
def test_unreadable_front_matter(text: str, expected: str) -> None:
    front, problems = read_front_matter(text, "doc.md")
    assert front is None
    (problem,) = problems
    assert problem.format("en").startswith(expected)


def test_empty_front_matter_has_no_root() -> None:
    front = read("---\n# only a comment\n---\n正文\n")
    assert front.root is None and front.entries == () and front.body == "正文\n"


# --- typing slips named on their own line ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "field", "message_id"),
    [
        # the slip on the first line: YAML blames the next one
        ("---\ntitle：城关镇\nunit: a\n---\n", 2, "title", "yaml.fullwidth_colon"),
        # on the last line: YAML reads a scalar and wants a colon at the end
        ("---\ntitle: 城关镇\nunit：a\n---\n", 3, "unit", "yaml.fullwidth_colon"),
        # alone: the front matter is one scalar, not a mapping
        ("---\ntitle：城关镇\n---\n", 2, "title", "yaml.fullwidth_colon"),
        # in a list of mappings, where YAML cannot go on
        (
            "---\na:\n  - level：city\n    date: 2026-05-01\n---\n",
            3,
            "level",
            "yaml.fullwidth_colon",
        ),
        ("---\ntitle: x\nunit:\u3000a\n---\n", 3, "unit", "yaml.fullwidth_space"),
        ("---\ntitle: x\ntags:\n\u3000\u3000- a\n---\n", 4, None, "yaml.fullwidth_space"),
        ("---\ntitle: x\ntags:\n\t- a\n---\n", 4, None, "yaml.tab"),
        ("---\ntitle: x\n———\nbody\n", 3, None, "fm.fullwidth_fence"),
        ("－－－\ntitle: x\n---\n", 1, None, "fm.fullwidth_fence"),
        # an unquoted ": " in a value: the key it belongs to, with the quoting hint
        ("---\ntitle: 防汛: 演练\n---\n", 2, "title", "yaml.colon_in_value"),
        ("---\ntitle: x\nby: *市委\n---\n", 3, "by", "yaml.special_start"),
    ],
)
def test_typing_slips_are_named_on_their_line(
    text: str, line: int, field: str | None, message_id: str
) -> None:
    front, problems = read_front_matter(text, "doc.md")
    assert front is None
    (problem,) = problems
    assert (problem.line, problem.field, problem.message.id) == (line, field, message_id)


def test_full_width_colons_inside_values_are_text() -> None:
    text = "---\ntitle: 关于：城关镇\nsummary: |\n  Q3说明：完成\n---\n"
    front, problems = read_front_matter(text, "doc.md")
    assert problems == [] and front is not None


def test_a_slip_after_the_error_is_not_blamed() -> None:
    """Only lines up to YAML's error are searched: the slip is the cause, not a bystander."""
    text = '---\ntitle: "unclosed\nunit: a\n---\n'
    _front, (problem,) = read_front_matter(text, "doc.md")
    assert (problem.line, problem.message.id) == (2, "yaml.unclosed")


def test_slip_messages_in_both_languages() -> None:
    _front, (problem,) = read_front_matter("---\ntitle：城关镇\nunit: a\n---\n", "doc.md")
    assert problem.format("zh-CN") == (
        "doc.md:2: title: 冒号是全角的“：”（中文输入法）；请改为半角冒号加空格“: ”"
    )
    assert problem.format("en") == (
        'doc.md:2: title: the colon is a full-width "：" (Chinese input method); '
        'use ": " (colon and space)'
    )
