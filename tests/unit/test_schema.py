"""The front-matter schema: each parser, and the schema against its documentation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bulletin import schema
from bulletin.config import SiteConfig, load_config
from bulletin.frontmatter import Loader
from bulletin.schema import FIELDS, FieldError

REPO = Path(__file__).resolve().parents[2]
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    root = tmp_path_factory.mktemp("site")
    (root / "site.toml").write_text(
        '[units.chengguan]\nname = "城关镇"\nkind = "town"\n'
        '[units.nongye]\nname = "区农业农村局"\nkind = "department"\n',
        encoding="utf-8",
    )
    return load_config(root)


def fails(parser, value, config: SiteConfig) -> str:  # noqa: ANN001
    with pytest.raises(FieldError) as info:
        parser(value, config)
    return info.value.message.render("en")


def node(source: str) -> yaml.Node:
    """The YAML node of ``key: source``'s value, as the front-matter reader composes it."""
    composed = yaml.compose(f"key: {source}", Loader=Loader)
    assert isinstance(composed, yaml.MappingNode)
    return composed.value[0][1]


def field(key: str, source: str, config: SiteConfig) -> object:
    """``FIELDS[key]`` parsed from its value written in YAML as an editor would."""
    return FIELDS[key].parse(node(source), config)


def field_fails(key: str, source: str, config: SiteConfig) -> FieldError:
    with pytest.raises(FieldError) as info:
        field(key, source, config)
    return info.value


# --- dates and times ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2026, 4, 24),
        dt.datetime(2026, 4, 24, 9, 30),
        dt.datetime(2026, 4, 24, 9, 30, tzinfo=CST),
        "2026-04-24",
        " 2026-04-24T09:30:00+08:00 ",
    ],
)
def test_date_accepts_dates_and_datetimes(value: object, config: SiteConfig) -> None:
    assert schema.date(value, config) == dt.date(2026, 4, 24)


@pytest.mark.parametrize("value", ["2026-04", "去年", 20260424, True])
def test_date_rejects_everything_else(value: object, config: SiteConfig) -> None:
    assert fails(schema.date, value, config) == f"must be a date YYYY-MM-DD, got {value!r}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026/5/3", "write the date as 2026-05-03 (got 2026/5/3)"),
        ("2026年5月3日", "write the date as 2026-05-03 (got 2026年5月3日)"),
        ("2026-5-3", "write the date as 2026-05-03 (got 2026-5-3)"),
        ("2026.5.3", "write the date as 2026-05-03 (got 2026.5.3)"),
        ("２０２６年５月３日", "write the date as 2026-05-03 (got ２０２６年５月３日)"),
        ("2026-02-30", "February 2026 has no day 30 (2026-02-30)"),
        ("2026/2/29", "February 2026 has no day 29 (2026/2/29)"),
        ("2026-13-45", "there is no month 13 (2026-13-45)"),
    ],
)
def test_date_slips_say_the_corrected_value(value: str, expected: str, config: SiteConfig) -> None:
    assert fails(schema.date, value, config) == expected
    assert fails(schema.date, None, config) == "must be a date YYYY-MM-DD, got nothing"


@pytest.mark.parametrize(
    ("source", "shown"),
    [("0701", "'0701'"), ("2026", "'2026'"), ("2026-13", "'2026-13'"), ("", "nothing")],
)
def test_a_date_field_shows_the_date_as_typed(source: str, shown: str, config: SiteConfig) -> None:
    """YAML reads 0701 as 449: the message must show what the editor wrote."""
    assert str(field_fails("date", source, config)) == f"must be a date YYYY-MM-DD, got {shown}"


def test_date_fields_keep_yaml_dates_and_times(config: SiteConfig) -> None:
    assert field("date", "2026-04-24", config) == dt.date(2026, 4, 24)
    assert field("date", "'2026-04-24'", config) == dt.date(2026, 4, 24)
    assert field("due", "2026-04-24T23:00:00+08:00", config) == dt.date(2026, 4, 24)
    assert field("occurred", "2026-07-12 05:40:00", config) == dt.datetime(
        2026, 7, 12, 5, 40, tzinfo=CST
    )


def test_moment_reads_naive_times_as_china_standard_time(config: SiteConfig) -> None:
    naive = schema.moment(dt.datetime(2026, 7, 12, 5, 40), config)
    assert naive == dt.datetime(2026, 7, 12, 5, 40, tzinfo=CST)
    text = schema.moment("2026-07-12T05:40:00", config)
    assert text.utcoffset() == dt.timedelta(hours=8)
    utc = schema.moment(dt.datetime(2026, 7, 11, 21, 40, tzinfo=dt.UTC), config)
    assert utc == naive  # the same instant


@pytest.mark.parametrize(
    ("value", "beijing", "auckland"),
    [
        ("2026-03-31T17:00:00Z", "2026-04-01", "2026-04-01"),  # 01:00 / 06:00 on 1 April
        (dt.datetime(2026, 3, 31, 10, 30, tzinfo=dt.UTC), "2026-03-31", "2026-03-31"),
        ("2026-03-31T11:30:00+00:00", "2026-03-31", "2026-04-01"),  # 00:30 NZDT
        (dt.datetime(2026, 3, 31, 23, 30), "2026-03-31", "2026-03-31"),  # site-local
        ("2026-03-31T23:30:00", "2026-03-31", "2026-03-31"),
        ("2026-03-31", "2026-03-31", "2026-03-31"),
    ],
)
def test_date_is_the_site_calendar_day_of_the_instant(
    value: object, beijing: str, auckland: str, config: SiteConfig
) -> None:
    assert schema.date(value, config).isoformat() == beijing
    nz = replace(config, timezone="Pacific/Auckland")
    assert schema.date(value, nz).isoformat() == auckland


def test_date_time_is_the_instant_on_the_site_clock(config: SiteConfig) -> None:
    assert schema.date_time(dt.date(2026, 4, 24), config) is None
    assert schema.date_time("2026-04-24", config) is None
    given = schema.date_time("2026-03-31T17:00:00Z", config)
    assert given is not None and given.isoformat() == "2026-04-01T01:00:00+08:00"
    naive = schema.date_time(dt.datetime(2026, 3, 31, 23, 30), config)
    assert naive is not None and naive.isoformat() == "2026-03-31T23:30:00+08:00"


def test_moment_is_shown_on_the_site_clock(config: SiteConfig) -> None:
    utc = schema.moment("2026-07-11T21:40:00Z", config)
    assert utc.isoformat() == "2026-07-12T05:40:00+08:00"
    nz = schema.moment("2026-07-12T05:40:00", replace(config, timezone="Pacific/Auckland"))
    assert nz.isoformat() == "2026-07-12T05:40:00+12:00"  # naive: the site's local time


@pytest.mark.parametrize("parser", [schema.date, schema.moment])
@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:00:00-05:00",
        dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9))),
    ],
)
def test_date_times_beyond_the_site_calendar_are_refused(
    parser: schema.Parser, value: object, config: SiteConfig
) -> None:
    """Moved onto the site's clock, these fall in the year 10000 or 0: an error, no crash."""
    assert fails(parser, value, config).endswith(
        "falls outside the years 1-9999 on the site's calendar"
    )


@pytest.mark.parametrize("value", [dt.date(2026, 7, 12), "凌晨五点", 5])
def test_moment_needs_a_time(value: object, config: SiteConfig) -> None:
    assert "must be a date and time like 2026-07-12T05:40:00+08:00" in fails(
        schema.moment, value, config
    )


# --- text -----------------------------------------------------------------------------


def test_text_is_stripped(config: SiteConfig) -> None:
    assert schema.text("  城关镇推进防汛工作 ", config) == "城关镇推进防汛工作"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        (None, "must be text, not empty"),
        (2026, "must be text, not a number"),
        (["a"], "must be text, not a list"),
        ("响铃\x07", "contains control characters"),
    ],
)
def test_text_errors(value: object, message: str, config: SiteConfig) -> None:
    assert fails(schema.text, value, config) == message


def test_one_line(config: SiteConfig) -> None:
    assert fails(schema.one_line, "第一行\n第二行", config) == "must be a single line"
    assert schema.text("第一行\n第二行", config) == "第一行\n第二行"


# What YAML 1.1 would type by its look, and the text the editor typed: where a field wants
# text, the text is kept exactly.
LOOKALIKES = [
    "2026",
    "12.30",
    "0701",
    "1_000",
    "0x1F",
    "0o17",
    "1e3",
    "-.inf",
    ".NaN",
    "1:20",
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "y",
    "n",
    "2026-05-01",
    "2026-05-01 08:00:00",
    "<<",
    "=",
]


@pytest.mark.parametrize("typed", LOOKALIKES)
def test_text_fields_keep_the_text_as_typed(typed: str, config: SiteConfig) -> None:
    assert field("title", typed, config) == typed
    assert field("summary", typed, config) == typed
    assert field("follow-up-of", typed, config) == typed
    assert field("tags", f"[{typed}, x]", config) == (typed, "x")
    assert field("tags", typed, config) == (typed,)
    (adoption,) = field("adopted-by", f"[{{level: city, by: {typed}}}]", config)
    assert adoption.by == typed
    (instruction,) = field("instructions", f"[{{by: {typed}, level: city}}]", config)
    assert instruction.by == typed
    (honoree,) = field("honorees", f"[{{name: {typed}, kind: individual}}]", config)
    assert honoree.name == typed


def test_ids_are_read_as_typed(config: SiteConfig) -> None:
    """A unit id may look like a number (TOML allows [units.0701])."""
    with pytest.raises(FieldError, match='unknown unit "0701"'):
        field("unit", "0701", config)  # not 449
    assert str(field_fails("status", "yes", config)).startswith('"yes" is not a status')


@pytest.mark.parametrize("source", ["~", "null", "NULL"])
def test_a_yaml_null_is_no_text(source: str, config: SiteConfig) -> None:
    """~ and null mean "no value" in YAML: never the text "null", and the message says so."""
    assert str(field_fails("title", source, config)) == (
        f"must be text, not empty ({source} means no value in YAML; put it in quotes if it is text)"
    )
    assert field("title", f"'{source}'", config) == source
    assert str(field_fails("tags", f"[a, {source}]", config)).startswith(
        "entry 2: must be text, not empty ("
    )
    (adoption,) = field("adopted-by", f"[{{level: city, by: {source}}}]", config)
    assert adoption.by is None  # an optional key given as no value is absent


def test_flags_keep_yaml_booleans(config: SiteConfig) -> None:
    assert field("final", "yes", config) is True
    assert field("excellent", "off", config) is False
    assert str(field_fails("final", "1", config)) == "must be true or false, got '1'"
    assert str(field_fails("final", "[x]", config)) == "must be true or false, not a list"


# --- ids ------------------------------------------------------------------------------


def test_unit_id(config: SiteConfig) -> None:
    assert schema.unit_id("chengguan", config) == "chengguan"
    assert (
        fails(schema.unit_id, "chenguan", config)
        == 'unknown unit "chenguan" (did you mean "chengguan"?)'
    )
    # the name the site shows is accepted where it names one unit
    assert schema.unit_id("城关镇", config) == "chengguan"
    assert fails(schema.unit_id, "城关", config) == 'unknown unit "城关" (did you mean "城关镇"?)'
    assert fails(schema.unit_id, "xyz", config) == 'unknown unit "xyz"'


def test_category_id(config: SiteConfig) -> None:
    assert schema.category_id("emergency", config) == "emergency"
    assert schema.category_id("紧急信息", config) == "emergency"


def test_level_id(config: SiteConfig) -> None:
    assert schema.level_id("province", config) == "province"
    assert schema.level_id("省委", config) == "province"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("public", "public"),
        ("internal", "internal"),
        ("secret", "secret"),
        ("秘密", "secret"),
        ("机密", "confidential"),
        ("绝密", "top-secret"),
    ],
)
def test_classification_aliases(value: str, expected: str, config: SiteConfig) -> None:
    assert field("classification", value, config) == expected


def test_withheld_levels() -> None:
    assert schema.WITHHELD == {"secret", "confidential", "top-secret"}
    assert {v for k, v in schema.CLASSIFICATIONS.items() if v in schema.WITHHELD} == set(
        schema.WITHHELD
    )


def test_status(config: SiteConfig) -> None:
    assert field("status", "draft", config) == "draft"
    assert field("status", "草稿", config) == "draft"
    assert str(field_fails("status", "待定", config)) == (
        '"待定" is not a status; use one of published, draft'
    )


# --- composite values -----------------------------------------------------------------


def test_adoption_as_id_or_mapping(config: SiteConfig) -> None:
    refs = field(
        "adopted-by", "[district, {level: city, date: 2026-04-28, by: 《市委信息》第12期}]", config
    )
    assert refs == (
        schema.AdoptionRef("district"),
        schema.AdoptionRef("city", dt.date(2026, 4, 28), "《市委信息》第12期"),
    )
    assert field("adopted-by", "city", config) == (schema.AdoptionRef("city"),)
    assert field("adopted-by", "", config) == ()


@pytest.mark.parametrize(
    ("source", "message", "at"),
    [
        ("[city, city]", 'entry 2: level "city" is listed twice', "city]"),
        ("[city, {level: cty}]", 'entry 2: level: unknown adoption level "cty"', "cty}"),
        ("[{date: 2026-01-01}]", 'entry 1: "level" is missing', "{date"),
        ("[{level: city, issue: x}]", 'entry 1: unknown key "issue"', "issue"),
        ("{level: city}", "must be a list, not a mapping", "{level"),
        ("[{level: city, date: 2026-13-45}]", "entry 1: date: there is no month 13", "2026-13"),
    ],
)
def test_adoption_errors_name_and_point_at_the_node(
    source: str, message: str, at: str, config: SiteConfig
) -> None:
    """The error carries the node at fault: its mark is the line (and column) to report."""
    error = field_fails("adopted-by", source, config)
    assert str(error).startswith(message)
    assert error.node is not None
    assert error.node.start_mark.column == len("key: ") + source.index(at)


def test_list_of_unique(config: SiteConfig) -> None:
    assert field("tags", "[防汛, 安全生产]", config) == ("防汛", "安全生产")
    assert field("tags", "防汛", config) == ("防汛",)
    assert str(field_fails("tags", "[防汛, 防汛]", config)) == "entry 2: 防汛 is listed twice"
    assert str(field_fails("tags", "!!set {a}", config)) == "must be a list, not a set"


def test_instructions_and_honorees(config: SiteConfig) -> None:
    (instr,) = field("instructions", "[{by: 市委副书记, level: city}]", config)
    assert instr == schema.InstructionRef("市委副书记", "city")
    honorees = field(
        "honorees",
        "[{name: 城关镇党委办公室, unit: chengguan, kind: collective}, "
        "{name: 张伟, kind: individual}]",
        config,
    )
    assert [h.kind for h in honorees] == ["collective", "individual"]
    (person,) = field("honorees", "[{name: 张伟, kind: 先进个人}]", config)
    assert person.kind == "individual"
    assert str(field_fails("honorees", "[{name: 张伟, kind: 团体}]", config)) == (
        'entry 1: kind: "团体" is not a kind of honoree; use one of collective, individual'
    )


def test_follow_up_of_accepts_a_file_name(config: SiteConfig) -> None:
    assert field("follow-up-of", "2026-07-12-flood", config) == "2026-07-12-flood"
    assert field("follow-up-of", "../chengguan/2026-07-12-flood.md", config) == "2026-07-12-flood"


def test_extra_is_free_form_but_a_mapping(config: SiteConfig) -> None:
    assert field("extra", "{anything: [1, {x: ~}], n: 0x" + "f" * 100 + "}", config) is None
    assert str(field_fails("extra", "[1]", config)) == "must be a mapping"


# --- one schema, documented -----------------------------------------------------------


def test_required_fields() -> None:
    assert {k for k, f in FIELDS.items() if f.required} == {"title", "unit", "category", "date"}


def test_schema_matches_the_front_matter_reference() -> None:
    """Every key in docs/front-matter.md is in the schema, and the schema has no secret keys."""
    doc = (REPO / "docs" / "front-matter.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n---\n(.*?)\n---\n", doc, re.S)
    assert block, "docs/front-matter.md lost its YAML example"
    documented = set(yaml.safe_load(block.group(1)))
    assert documented == set(FIELDS)
