"""Reading one item file: decoding, front matter, validation, line numbers; discovery."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bulletin.config import SiteConfig, load_config
from bulletin.content import discover, file_name_problem, read_item

SITE_TOML = """
title = "测试"
[units.chengguan]
name = "城关镇"
kind = "town"
[units.nongye]
name = "区农业农村局"
kind = "department"
[units.0701]
name = "七〇一所"
kind = "department"
"""

GOOD = """---
title: 城关镇扎实推进防汛工作
unit: chengguan
category: briefing
date: 2026-04-24
adopted-by:
  - district
  - {level: city, date: 2026-04-28, by: 市委办公室《市委信息》第12期}
summary: 一句话摘要
tags: [防汛, 安全生产]
extra: {来源: 镇党政办}
---
汛期以来，城关镇压紧压实防汛责任。

见[上次报告](../nongye/2026-04-01-chunbo.md)。
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    (tmp_path / "content").mkdir()
    return tmp_path


@pytest.fixture
def config(site: Path) -> SiteConfig:
    return load_config(site)


def read(text: str | bytes, config: SiteConfig, rel: str = "content/chengguan/x.md"):  # noqa: ANN201
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_item(data, rel, config)


def problems(
    text: str | bytes, config: SiteConfig, rel: str = "content/chengguan/x.md"
) -> list[str]:
    result = read(text, config, rel)
    assert result.item is None, "expected the item to be rejected"
    return [d.format("en") for d in result.diagnostics]


def item_with(extra: str, *, category: str = "briefing", body: str = "正文。\n") -> str:
    return (
        "---\ntitle: 测试条目\nunit: chengguan\n"
        f"category: {category}\ndate: 2026-05-01\n{extra}---\n{body}"
    )


# --- a good item ----------------------------------------------------------------------


def test_good_item(config: SiteConfig) -> None:
    result = read(GOOD, config, "content/chengguan/2026-04-24-防汛.md")
    assert result.diagnostics == ()
    item = result.item
    assert item is not None
    assert item.slug == "2026-04-24-防汛"
    assert item.path == "content/chengguan/2026-04-24-防汛.md"
    assert item.title == "城关镇扎实推进防汛工作"
    assert (item.unit, item.category, item.date) == ("chengguan", "briefing", dt.date(2026, 4, 24))
    assert [a.level for a in item.adopted_by] == ["district", "city"]
    assert item.adopted_by[1].by == "市委办公室《市委信息》第12期"
    assert item.tags == ("防汛", "安全生产")
    assert item.status == "published" and item.classification == "public"
    assert "<p>汛期以来，城关镇压紧压实防汛责任。</p>" in item.body.html
    assert item.line_of("tags") == 10


def test_link_lines_point_into_the_file(config: SiteConfig) -> None:
    item = read(GOOD, config).item
    assert item is not None
    (link,) = item.body.links
    assert link.target == "nongye/2026-04-01-chunbo.md"
    assert link.line == 15  # the line of the link in the file, front matter included


def test_datetime_date_keeps_its_time(config: SiteConfig) -> None:
    item = read(item_with("").replace("2026-05-01", "2026-05-01T08:30:00+08:00"), config).item
    assert item is not None
    assert item.date == dt.date(2026, 5, 1)
    assert item.time is not None and item.time.hour == 8


def test_bom_and_crlf_are_accepted(config: SiteConfig) -> None:
    data = b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8")
    result = read(data, config)
    assert result.diagnostics == ()
    assert result.item is not None and result.item.title == "城关镇扎实推进防汛工作"
    assert "\r" not in result.item.body.html
    assert result.item.body.links[0].line == 15


def test_old_mac_line_endings_are_accepted(config: SiteConfig) -> None:
    item = read(GOOD.replace("\n", "\r"), config).item
    assert item is not None and item.tags == ("防汛", "安全生产")


def test_yaml_document_end_marker_closes_front_matter(config: SiteConfig) -> None:
    item = read(item_with("").replace("\n---\n正文", "\n...\n正文"), config).item
    assert item is not None


@pytest.mark.parametrize("opening", ["--- ", "---\t", "---  \t "])
def test_spaces_after_the_opening_fence_are_accepted(opening: str, config: SiteConfig) -> None:
    """As after the closing fence: editors cannot see them."""
    result = read(GOOD.replace("---\n", f"{opening}\n", 1), config)
    assert result.diagnostics == ()
    assert result.item is not None and result.item.line_of("tags") == 10
    assert result.item.body.links[0].line == 15


def test_other_text_on_the_opening_line_is_not_a_fence(config: SiteConfig) -> None:
    assert problems(GOOD.replace("---\n", "--- title: x\n", 1), config) == [
        'content/chengguan/x.md:1: no front matter: the file must start with a "---" line'
    ]


# --- encodings ------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_file_is_named_as_such(codec: str, config: SiteConfig) -> None:
    assert problems(GOOD.encode(codec), config) == [
        "content/chengguan/x.md:2: file is not UTF-8: it looks like GBK/GB18030 "
        "(common from Windows editors); save it as UTF-8"
    ]


def test_gbk_error_points_at_the_first_bad_line(config: SiteConfig) -> None:
    text = "---\ntitle: ok\nunit: chengguan\ncategory: briefing\ndate: 2026-05-01\n---\n" + "城关镇"
    (line,) = problems(text.encode("gbk"), config)
    assert line.startswith("content/chengguan/x.md:7: file is not UTF-8")


def test_other_binary_is_not_utf8(config: SiteConfig) -> None:
    assert problems(b"---\ntitle: \xff\xff\n---\n", config) == [
        "content/chengguan/x.md:2: file is not valid UTF-8; save it as UTF-8"
    ]


# --- front matter structure -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("城关镇扎实推进防汛工作\n", '1: no front matter: the file must start with a "---" line'),
        ("---\ntitle: x\n", '1: front matter is not closed by a "---" line'),
        ("---\n- a\n- b\n---\n", "2: front matter must be a mapping of keys to values"),
        (
            "---\ntitle: &t 标题\nsummary: *t\n---\n",
            "2: YAML anchors and aliases are not allowed in front matter",
        ),
    ],
)
def test_structure_errors(text: str, message: str, config: SiteConfig) -> None:
    assert problems(text, config) == [f"content/chengguan/x.md:{message}"]


def test_missing_required_fields_all_reported(config: SiteConfig) -> None:
    assert problems("---\nsummary: 只有摘要\n---\n", config) == [
        f"content/chengguan/x.md:1: {key}: is required but missing"
        for key in ("title", "unit", "category", "date")
    ]


def test_empty_front_matter(config: SiteConfig) -> None:
    assert len(problems("---\n---\n正文\n", config)) == 4


def test_unknown_key_has_hint_and_line(config: SiteConfig) -> None:
    assert problems(item_with("adopted_by: [city]\n"), config) == [
        'content/chengguan/x.md:6: adopted_by: unknown key (did you mean "adopted-by"?); '
        "put custom data under extra:"
    ]


def test_duplicate_key_is_an_error(config: SiteConfig) -> None:
    """YAML keeps the last of two equal keys silently; an editor must hear about it."""
    assert problems(item_with("date: 2026-05-02\n"), config) == [
        "content/chengguan/x.md:6: date: is given twice (also on line 5); keep one"
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "adopted-by: [district, {level: city, level: province}]\n",
            "6: adopted-by: entry 2: level: is given twice (also on line 6); keep one",
        ),
        (
            "adopted-by:\n  - level: city\n    date: 2026-05-02\n    level: province\n",
            "9: adopted-by: entry 1: level: is given twice (also on line 7); keep one",
        ),
        (
            "instructions:\n  - by: 市委副书记\n    level: city\n    by: 市长\n",
            "9: instructions: entry 1: by: is given twice (also on line 7); keep one",
        ),
        (
            "honorees: [{name: 张伟, kind: individual, name: 李强}]\n",
            "6: honorees: entry 1: name: is given twice (also on line 6); keep one",
        ),
        (
            "extra:\n  来源: 镇党政办\n  备注: 无\n  来源: 区委办\n",
            "9: extra: 来源: is given twice (also on line 7); keep one",
        ),
        (
            "extra:\n  a:\n    - [{b: 1}]\n    - [{b: 1, c: 2}, {c: 1,\n        c: 2}]\n",
            "10: extra: a: entry 2: entry 2: c: is given twice (also on line 9); keep one",
        ),
    ],
    ids=["flow-record", "block-record", "instruction", "honoree", "extra", "extra-deep"],
)
def test_duplicate_keys_at_every_depth(extra: str, expected: str, config: SiteConfig) -> None:
    """YAML keeps the last of two equal keys, at any depth: {level: city, level: province}
    silently counted a province adoption. Refused with the line of each."""
    category = "commendation" if "honorees" in extra else "briefing"
    assert problems(item_with(extra, category=category), config) == [
        f"content/chengguan/x.md:{expected}"
    ]


def test_a_key_inside_a_quoted_value_is_no_key(config: SiteConfig) -> None:
    """A line of a quoted value that looks like a key is part of the value, not a repeat."""
    item = read(item_with('summary: "汛期以来\ntitle: 城关镇"\n'), config).item
    assert item is not None
    assert item.summary == "汛期以来 title: 城关镇" and item.title == "测试条目"


def test_every_duplicate_is_reported_with_the_other_errors(config: SiteConfig) -> None:
    text = item_with("tags: [a]\nextra: {k: 1, k: 2}\ntags: [b]\nstatus: 待审\n")
    assert problems(text, config) == [
        "content/chengguan/x.md:7: extra: k: is given twice (also on line 7); keep one",
        "content/chengguan/x.md:8: tags: is given twice (also on line 6); keep one",
        'content/chengguan/x.md:9: status: "待审" is not a status; use one of published, draft',
    ]


# What YAML 1.1 reads by its look (a number, a boolean, a date) and the text the editor
# typed: every field that wants text, at every depth, keeps the text.
LOOKALIKES = ["12.30", "0701", "1_000", "0x1F", "1e3", "yes", "off", "On", "y", "2026-05-01"]


@pytest.mark.parametrize("typed", LOOKALIKES)
def test_text_fields_keep_what_the_editor_typed(typed: str, config: SiteConfig) -> None:
    text = item_with(
        f"summary: {typed}\n"
        f"tags: [防汛, {typed}]\n"
        f"adopted-by: [{{level: city, by: {typed}}}]\n"
        f"instructions:\n  - by: {typed}\n    level: city\n"
        f"honorees: [{{name: {typed}, kind: individual, unit: 0701}}]\n"
        f"follow-up-of: {typed}\n"
        "assignees: [0701, chengguan]\n"
        f"extra: {{n: {typed}, m: [{typed}]}}\n",
        category="commendation",
    ).replace("title: 测试条目", f"title: {typed}")
    result = read(text, config)
    assert result.diagnostics == ()
    item = result.item
    assert item is not None
    assert item.title == item.summary == typed
    assert item.tags == ("防汛", typed)
    assert item.adopted_by[0].by == item.instructions[0].by == item.honorees[0].name == typed
    assert item.follow_up_of == typed
    assert item.assignees == ("0701", "chengguan")  # a unit id that looks like a number
    assert item.honorees[0].unit == "0701"


def test_a_number_that_cannot_be_a_date_is_shown_as_typed(config: SiteConfig) -> None:
    """Typed fields still read YAML's types; the message shows the value as written."""
    assert problems(item_with("").replace("2026-05-01", "0701"), config) == [
        "content/chengguan/x.md:5: date: must be a date YYYY-MM-DD, got '0701'"
    ]


def test_flags_and_dates_keep_their_yaml_types(config: SiteConfig) -> None:
    text = item_with("excellent: yes\n", category="research")
    item = read(text, config).item
    assert item is not None and item.excellent is True and item.date == dt.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "summary: ~\n",
            "6: summary: must be text, not empty (~ means no value in YAML; put it in quotes if "
            "it is text)",
        ),
        (
            "tags: [防汛, null]\n",
            "6: tags: entry 2: must be text, not empty (null means no value in YAML; put it in "
            "quotes if it is text)",
        ),
        (
            "instructions: [{by: Null, level: city}]\n",
            "6: instructions: entry 1: by: must be text, not empty (Null means no value in "
            "YAML; put it in quotes if it is text)",
        ),
    ],
)
def test_yaml_null_is_never_text(extra: str, expected: str, config: SiteConfig) -> None:
    assert problems(item_with(extra), config) == [f"content/chengguan/x.md:{expected}"]


def test_quoted_null_is_text(config: SiteConfig) -> None:
    item = read(item_with("tags: ['~', \"null\"]\n"), config).item
    assert item is not None and item.tags == ("~", "null")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "summary: !custom 摘要\n",
            "6: summary: unknown YAML tag !custom (put the value in quotes if it is text)",
        ),
        (
            "extra: {a: [!!python/object/apply:os.system [echo]]}\n",
            "6: extra: a: entry 1: unknown YAML tag !!python/object/apply:os.system "
            "(put the value in quotes if it is text)",
        ),
        ("extra:\n  ? [a, b]\n  : c\n", "7: extra: a key must be text, not a list"),
    ],
)
def test_what_yaml_cannot_read_safely_is_refused_with_its_line(
    extra: str, expected: str, config: SiteConfig
) -> None:
    assert problems(item_with(extra), config) == [f"content/chengguan/x.md:{expected}"]


def test_unclosed_quote_points_at_its_line(config: SiteConfig) -> None:
    text = '---\ntitle: "城关镇推进防汛工作\nunit: chengguan\ncategory: briefing\ndate: 2026-05-01\n---\n'
    (line,) = problems(text, config)
    assert line == (
        "content/chengguan/x.md:2: the quotation that starts on this line is not closed"
    )


def test_unquoted_colon_gets_a_quoting_hint(config: SiteConfig) -> None:
    text = item_with("").replace("title: 测试条目", "title: 防汛: 城关镇在行动")
    assert problems(text, config) == [
        'content/chengguan/x.md:2: title: a value containing ": " must be put in quotes, '
        'e.g. title: "…"'
    ]


def test_impossible_date_is_reported_by_the_schema(config: SiteConfig) -> None:
    assert problems(item_with("").replace("2026-05-01", "2026-02-30"), config) == [
        "content/chengguan/x.md:5: date: February 2026 has no day 30 (2026-02-30)"
    ]


def test_list_entry_error_points_at_the_entry(config: SiteConfig) -> None:
    text = item_with("adopted-by:\n  - district\n  - {level: cty}\n")
    assert problems(text, config) == [
        'content/chengguan/x.md:8: adopted-by: entry 2: level: unknown adoption level "cty" '
        '(did you mean "city"?)'
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            # a record written as a block: the line of the key at fault, not of the entry
            "adopted-by:\n  - district\n  - level: city\n    date: 2026-13-45\n",
            "9: adopted-by: entry 2: date: there is no month 13 (2026-13-45)",
        ),
        (
            "instructions:\n  - by: 市委副书记\n    levle: city\n",
            '8: instructions: entry 1: unknown key "levle" (did you mean "level"?)',
        ),
        (
            # a flow list over several lines
            "tags: [防汛,\n  安全生产, 防汛]\n",
            "7: tags: entry 3: 防汛 is listed twice",
        ),
        (
            # a comment that looks like an entry is not one
            "tags:\n  # - 旧标签\n  - 防汛\n  - 防汛\n",
            "9: tags: entry 2: 防汛 is listed twice",
        ),
        (
            "honorees:\n  - name: 张伟\n    kind: individual\n  - name: 城关镇\n    kind: 团体\n",
            '10: honorees: entry 2: kind: "团体" is not a kind of honoree; use one of '
            "collective, individual",
        ),
    ],
    ids=["block-record", "unknown-key", "flow-over-lines", "comment", "honoree"],
)
def test_errors_deep_in_a_value_point_at_their_own_line(
    extra: str, expected: str, config: SiteConfig
) -> None:
    category = "commendation" if "honorees" in extra else "briefing"
    assert problems(item_with(extra, category=category), config) == [
        f"content/chengguan/x.md:{expected}"
    ]


def test_several_field_errors_are_collected(config: SiteConfig) -> None:
    text = (
        "---\ntitle: 测试\nunit: 城关\ncategory: brief\ndate: 明天\n"
        "status: 待审\nclassification: 保密\n---\n"
    )
    assert [line.split(": ")[1] for line in problems(text, config)] == [
        "unit",
        "category",
        "date",
        "status",
        "classification",
    ]


# --- rules between fields -------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "category", "expected"),
    [
        (
            "",
            "emergency",
            [
                "1: occurred: an emergency first report needs occurred and reported times",
                "1: reported: an emergency first report needs occurred and reported times",
            ],
        ),
        (
            "occurred: 2026-05-01T06:00:00+08:00\nreported: 2026-05-01T05:59:00+08:00\n",
            "emergency",
            ["7: reported: is earlier than occurred"],
        ),
        (
            "",
            "supervision",
            [
                "1: assignees: a supervision item needs at least one responsible unit",
                "1: due: a supervision item needs a due date",
            ],
        ),
        (
            "assignees: [chengguan]\ndue: 2026-06-30\ndone: 2026-04-30\n",
            "supervision",
            ["8: done: is earlier than the item's date"],
        ),
        ("done: 2026-05-09\n", "briefing", ["6: done: a reply date needs a due date"]),
        ("", "commendation", ["1: honorees: a commendation needs at least one honoree"]),
        (
            "excellent: true\n",
            "briefing",
            ["6: excellent: only research reports can be marked excellent"],
        ),
        (
            "final: true\n",
            "emergency",
            [
                "1: occurred: an emergency first report needs occurred and reported times",
                "1: reported: an emergency first report needs occurred and reported times",
                "6: final: a final report must say which report it follows up (follow-up-of)",
            ],
        ),
    ],
)
def test_category_rules(extra: str, category: str, expected: list[str], config: SiteConfig) -> None:
    got = problems(item_with(extra, category=category), config)
    assert sorted(got) == sorted(f"content/chengguan/x.md:{e}" for e in expected)


def test_emergency_follow_up_needs_no_times(config: SiteConfig) -> None:
    text = item_with("follow-up-of: 2026-05-01-first\nfinal: true\n", category="emergency")
    item = read(text, config).item
    assert item is not None and item.final and item.follow_up_of == "2026-05-01-first"


def test_naive_emergency_times_are_china_time(config: SiteConfig) -> None:
    text = item_with(
        "occurred: 2026-05-01 06:00:00\nreported: 2026-05-01T06:40:00+08:00\n",
        category="emergency",
    )
    item = read(text, config).item
    assert item is not None
    assert item.reported is not None and item.occurred is not None
    assert item.reported - item.occurred == dt.timedelta(minutes=40)


# --- file names -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a#b", "问题?", "x:y", "50%", " lead"])
def test_unsafe_file_names(name: str, config: SiteConfig) -> None:
    assert problems(GOOD, config, f"content/chengguan/{name}.md") == [
        f"content/chengguan/{name}.md: file name has characters that are unsafe in URLs "
        "or on Windows; rename the file"
    ]


@pytest.mark.parametrize(
    ("stem", "problem"),
    [
        ("2026-04-24-防汛", None),
        ("con-2026", None),
        ("COM10", None),
        ("a.b", None),
        ("长" * 84, None),
        ("", "is empty"),
        (".draft", "starts with a dot, so the build would skip it as a hidden file"),
        ("a/b", "has characters that are unsafe in URLs or on Windows"),
        ("a\\b", "has characters that are unsafe in URLs or on Windows"),
        ("del\x7f", "has characters that are unsafe in URLs or on Windows"),
        ("nel\x85", "has characters that are unsafe in URLs or on Windows"),
        ("trailing ", "has characters that are unsafe in URLs or on Windows"),
        ("con", "is reserved or invalid on Windows"),
        ("Nul.2026", "is reserved or invalid on Windows"),
        ("com¹", "is reserved or invalid on Windows"),
        ("CONIN$", "is reserved or invalid on Windows"),
        ("foo.", "is reserved or invalid on Windows"),
        ("bad\udcff", "is not valid UTF-8"),
        ("长" * 85, "is too long: 258 bytes with .md, over the limit of 255"),
    ],
)
def test_one_file_name_rule(stem: str, problem: str | None, config: SiteConfig) -> None:
    """The rule `bulletin new` applies before writing is the one reading applies."""
    found = file_name_problem(stem)
    assert (found.render("en") if found is not None else None) == problem
    if problem is not None and stem and "/" not in stem:  # (".md" is a hidden file)
        assert problems(GOOD, config, f"content/chengguan/{stem}.md") == [
            f"content/chengguan/{stem}.md: file name {problem}; rename the file"
        ]


def test_too_large_file(site: Path) -> None:
    (site / "site.toml").write_text("max_item_bytes = 100\n" + SITE_TOML, encoding="utf-8")
    config = load_config(site)
    (line,) = problems(GOOD, config)
    assert "over the limit of 100" in line


# --- discovery ------------------------------------------------------------------------


def test_discover_finds_markdown_sorted_and_skips_the_rest(site: Path, config: SiteConfig) -> None:
    content = site / "content"
    for rel in (
        "nongye/b.md",
        "chengguan/a.md",
        "chengguan/春耕.md",
        "chengguan/notes.txt",
        "chengguan/.hidden.md",
        ".git/x.md",
        "top.md",
    ):
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text("x", encoding="utf-8")
    files, found_problems = discover(config)
    assert found_problems == []
    assert [rel for _, rel in files] == [
        "content/chengguan/a.md",
        "content/chengguan/春耕.md",
        "content/nongye/b.md",
        "content/top.md",
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_discover_refuses_links_out_of_the_site(
    site: Path, config: SiteConfig, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("x", encoding="utf-8")
    (site / "content" / "leak.md").symlink_to(outside / "secret.md")
    (site / "content" / "leakdir").symlink_to(outside, target_is_directory=True)
    files, found = discover(config)
    assert files == []
    assert sorted(d.format("en") for d in found) == [
        "content/leak.md: symbolic link points outside the site; refused",
        "content/leakdir: symbolic link points outside the site; refused",
    ]


def test_missing_content_directory(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    files, found = discover(load_config(tmp_path))
    assert files == []
    assert [d.format("en") for d in found] == ["content: directory not found"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("adopted-by:\n  - district\n  - level：city\n", "8: adopted-by: entry 2: "),
        ("adopted-by:\n  - {level：city}\n", "7: adopted-by: entry 1: "),
        ("instructions:\n  - by：市委副书记\n", "7: instructions: entry 1: "),
    ],
)
def test_a_full_width_colon_yaml_reads_as_text_is_named(
    extra: str, expected: str, config: SiteConfig
) -> None:
    """Where YAML goes on (a list entry "level：city" is one text), the value it gives is
    refused with the slip's name, not "unknown adoption level"."""
    problems_found = problems(item_with(extra), config)
    message = 'the colon is a full-width "：" (Chinese input method); use ": " (colon and space)'
    assert problems_found[-1] == f"content/chengguan/x.md:{expected}{message}"
