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
    return str(info.value)


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


@pytest.mark.parametrize("value", ["2026-13-45", "2026/04/24", "去年", 20260424, None, True])
def test_date_rejects_everything_else(value: object, config: SiteConfig) -> None:
    assert fails(schema.date, value, config) == f"must be a date YYYY-MM-DD, got {value!r}"


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


def test_tags_may_be_numbers(config: SiteConfig) -> None:
    assert schema.tag(2026, config) == "2026"
    assert fails(schema.tag, True, config) == "must be text, not true/false"


# --- ids ------------------------------------------------------------------------------


def test_unit_id(config: SiteConfig) -> None:
    assert schema.unit_id("chengguan", config) == "chengguan"
    assert (
        fails(schema.unit_id, "chenguan", config)
        == 'unknown unit "chenguan" (did you mean "chengguan"?)'
    )
    assert (
        fails(schema.unit_id, "城关镇", config) == 'unknown unit "城关镇" (use its id "chengguan")'
    )
    assert fails(schema.unit_id, "xyz", config) == 'unknown unit "xyz"'


def test_category_id(config: SiteConfig) -> None:
    assert schema.category_id("emergency", config) == "emergency"
    assert (
        fails(schema.category_id, "紧急信息", config)
        == 'unknown category "紧急信息" (use its id "emergency")'
    )


def test_level_id(config: SiteConfig) -> None:
    assert schema.level_id("province", config) == "province"
    assert fails(schema.level_id, "省委", config) == (
        'unknown adoption level "省委" (use its id "province")'
    )


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
    assert FIELDS["classification"].parse(value, config) == expected


def test_withheld_levels() -> None:
    assert schema.WITHHELD == {"secret", "confidential", "top-secret"}
    assert {v for k, v in schema.CLASSIFICATIONS.items() if v in schema.WITHHELD} == set(
        schema.WITHHELD
    )


def test_status(config: SiteConfig) -> None:
    assert FIELDS["status"].parse("draft", config) == "draft"
    assert fails(FIELDS["status"].parse, "草稿", config) == (
        '"草稿" is not a status; use one of published, draft'
    )


# --- composite values -----------------------------------------------------------------


def test_adoption_as_id_or_mapping(config: SiteConfig) -> None:
    parse = FIELDS["adopted-by"].parse
    refs = parse(
        ["district", {"level": "city", "date": dt.date(2026, 4, 28), "by": "《市委信息》第12期"}],
        config,
    )
    assert refs == (
        schema.AdoptionRef("district"),
        schema.AdoptionRef("city", dt.date(2026, 4, 28), "《市委信息》第12期"),
    )
    assert parse("city", config) == (schema.AdoptionRef("city"),)
    assert parse(None, config) == ()


@pytest.mark.parametrize(
    ("value", "message", "index"),
    [
        (["city", "city"], 'entry 2: level "city" is listed twice', 1),
        (["city", {"level": "cty"}], 'entry 2: level: unknown adoption level "cty"', 1),
        ([{"date": dt.date(2026, 1, 1)}], 'entry 1: "level" is missing', 0),
        ([{"level": "city", "issue": "x"}], 'entry 1: unknown key "issue"', 0),
        ({"level": "city"}, "must be a list, not a mapping", None),
    ],
)
def test_adoption_errors(
    value: object, message: str, index: int | None, config: SiteConfig
) -> None:
    with pytest.raises(FieldError) as info:
        FIELDS["adopted-by"].parse(value, config)
    assert str(info.value).startswith(message)
    assert info.value.index == index


def test_list_of_unique(config: SiteConfig) -> None:
    parse = FIELDS["tags"].parse
    assert parse(["防汛", "安全生产"], config) == ("防汛", "安全生产")
    assert parse("防汛", config) == ("防汛",)
    assert fails(parse, ["防汛", "防汛"], config) == "entry 2: 防汛 is listed twice"


def test_instructions_and_honorees(config: SiteConfig) -> None:
    (instr,) = FIELDS["instructions"].parse([{"by": "市委副书记", "level": "city"}], config)
    assert instr == schema.InstructionRef("市委副书记", "city")
    honorees = FIELDS["honorees"].parse(
        [
            {"name": "城关镇党委办公室", "unit": "chengguan", "kind": "collective"},
            {"name": "张伟", "kind": "individual"},
        ],
        config,
    )
    assert [h.kind for h in honorees] == ["collective", "individual"]
    assert fails(FIELDS["honorees"].parse, [{"name": "张伟", "kind": "先进个人"}], config) == (
        'entry 1: kind: "先进个人" is not a kind of honoree; use one of collective, individual'
    )


def test_follow_up_of_accepts_a_file_name(config: SiteConfig) -> None:
    parse = FIELDS["follow-up-of"].parse
    assert parse("2026-07-12-flood", config) == "2026-07-12-flood"
    assert parse("../chengguan/2026-07-12-flood.md", config) == "2026-07-12-flood"


def test_extra_is_free_form_but_a_mapping(config: SiteConfig) -> None:
    assert FIELDS["extra"].parse({"anything": [1, {"x": None}]}, config) is None
    assert fails(FIELDS["extra"].parse, [1], config) == "must be a mapping"


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
