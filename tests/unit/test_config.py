"""site.toml → SiteConfig: defaults, validation, hints and line numbers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin.config import DEFAULT_CATEGORIES, load_config
from bulletin.diagnostics import BulletinError

UNITS = """
[units.chengguan]
name = "城关镇"
kind = "town"
key = true

[units.nongye]
name = "区农业农村局"
kind = "department"
"""


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    (tmp_path / "site.toml").write_bytes(text.encode(encoding))
    return tmp_path


def errors_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(BulletinError) as info:
        load_config(write(tmp_path, text))
    return [d.format("en") for d in info.value.diagnostics]


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'title = "某区信息平台"\n' + UNITS))
    assert config.title == "某区信息平台"
    assert config.language == "zh-CN"
    assert config.base_url == "/" and config.base_path == "/"
    assert config.output_dir == (tmp_path / "public").resolve()
    assert {c.id: c.name for c in config.categories} == DEFAULT_CATEGORIES
    assert {a.id: a.name for a in config.adoption} == {
        "district": "区委",
        "city": "市委",
        "province": "省委",
        "media": "新闻媒体",
    }
    assert config.quota_key == 9 and config.quota_regular == 3
    assert config.urgent_within_minutes == 60
    assert config.today is None


def test_units_keep_order_and_fields(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, UNITS))
    assert [u.id for u in config.units] == ["chengguan", "nongye"]
    chengguan = config.unit("chengguan")
    assert chengguan is not None
    assert (chengguan.name, chengguan.kind, chengguan.key) == ("城关镇", "town", True)
    nongye = config.unit("nongye")
    assert nongye is not None and nongye.key is False
    assert config.unit("nope") is None


def test_categories_and_levels_extend_and_rename_defaults(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            UNITS
            + '[categories.briefing]\nname = "信息"\n[categories.minsheng]\nname = "民生实事"\n'
            + '[adoption.city]\npoints = 6\n[adoption.ministry]\nname = "部委"\npoints = 12\n',
        )
    )
    names = {c.id: c.name for c in config.categories}
    assert names["briefing"] == "信息" and names["minsheng"] == "民生实事"
    assert names["emergency"] == "紧急信息"
    city = config.level("city")
    assert city is not None and (city.name, city.points) == ("市委", 6)
    ministry = config.level("ministry")
    assert ministry is not None and (ministry.name, ministry.points) == ("部委", 12)


@pytest.mark.parametrize(
    ("base_url", "stored", "path"),
    [
        ("/bulletin/", "/bulletin/", "/bulletin/"),
        ("/bulletin", "/bulletin/", "/bulletin/"),
        ("https://intranet.example/bulletin/", "https://intranet.example/bulletin/", "/bulletin/"),
        ("http://10.0.0.8", "http://10.0.0.8/", "/"),
    ],
)
def test_base_url(tmp_path: Path, base_url: str, stored: str, path: str) -> None:
    config = load_config(write(tmp_path, f'base_url = "{base_url}"\n' + UNITS))
    assert config.base_url == stored
    assert config.base_path == path


@pytest.mark.parametrize("base_url", ["bulletin/", "//cdn.example/bulletin/", "ftp://x/"])
def test_bad_base_url(tmp_path: Path, base_url: str) -> None:
    assert errors_of(tmp_path, f'base_url = "{base_url}"\n' + UNITS) == [
        'site.toml:1: base_url: must start with "/" or be an absolute http(s) URL'
    ]


def test_english(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, 'language = "en"\n' + UNITS)).language == "en"


def test_unknown_language(tmp_path: Path) -> None:
    assert errors_of(tmp_path, 'language = "fr"\n' + UNITS) == [
        'site.toml:1: language: "fr" is not supported; use one of zh-CN, en'
    ]


def test_unknown_top_level_key_has_hint_and_line(tmp_path: Path) -> None:
    assert errors_of(tmp_path, 'title = "x"\noutput-dir = "out"\n' + UNITS) == [
        'site.toml:2: output-dir: unknown key (did you mean "output_dir"?)'
    ]


def test_unknown_key_in_unit_table_points_at_its_line(tmp_path: Path) -> None:
    text = UNITS.replace('kind = "department"', 'kind = "department"\nkeys = true')
    assert errors_of(tmp_path, text) == [
        'site.toml:10: units.nongye.keys: unknown key (did you mean "key"?)'
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        'titel = "x"\n'
        "[units.a]\n"
        'name = "甲镇"\n'
        'kind = "village"\n'
        'key = "yes"\n'
        "[units.b]\n"
        'kind = "town"\n'
        "[quota]\n"
        "key = -1\n"
        "[scoring.instruction]\n"
        "county = 2\n"
    )
    assert sorted(errors_of(tmp_path, text)) == [
        'site.toml:11: scoring.instruction.county: unknown adoption level (did you mean "city"?)',
        'site.toml:1: titel: unknown key (did you mean "title"?)',
        'site.toml:4: units.a.kind: "village" is not one of town, street, department',
        "site.toml:5: units.a.key: must be true or false, not a string",
        "site.toml:6: units.b: a unit needs a name",
        "site.toml:9: quota.key: must not be negative",
    ]


def test_no_units(tmp_path: Path) -> None:
    assert errors_of(tmp_path, 'title = "x"\n') == [
        "site.toml: no [units.<id>] tables: define at least one reporting unit"
    ]


def test_bad_unit_id(tmp_path: Path) -> None:
    lines = errors_of(tmp_path, '[units.ChengGuan]\nname = "城关镇"\nkind = "town"\n')
    assert lines == [
        "site.toml:1: units.ChengGuan: unit ids use lowercase ASCII letters, digits, '-' and '_'"
    ]


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    lines = errors_of(tmp_path, 'title = "x"\n[units.a]\nname = 城关镇\n')
    assert len(lines) == 1
    assert lines[0].startswith("site.toml:3: invalid TOML: ")
    assert "line 3" not in lines[0]  # said once, in the prefix


def test_missing_site_toml(tmp_path: Path) -> None:
    with pytest.raises(BulletinError) as info:
        load_config(tmp_path)
    (d,) = info.value.diagnostics
    assert d.format("en") == f"site.toml: not found in {tmp_path} (is this a bulletin site?)"


def test_gbk_site_toml(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_bytes(('title = "城关镇"\n' + UNITS).encode("gbk"))
    with pytest.raises(BulletinError) as info:
        load_config(tmp_path)
    assert [d.format("en") for d in info.value.diagnostics] == [
        "site.toml:1: file is not UTF-8: it looks like GBK/GB18030 (common from Windows editors); "
        "save it as UTF-8"
    ]


def test_binary_site_toml(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_bytes(b'title = "x"\n\xff\xff\n')
    with pytest.raises(BulletinError) as info:
        load_config(tmp_path)
    assert [d.format("en") for d in info.value.diagnostics] == [
        "site.toml:2: file is not valid UTF-8; save it as UTF-8"
    ]


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    text = ('title = "某区"\n' + UNITS).replace("\n", "\r\n")
    (tmp_path / "site.toml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    config = load_config(tmp_path)
    assert config.title == "某区"
    assert len(config.units) == 2


def test_today(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "today = 2026-11-27\n" + UNITS))
    assert config.today == dt.date(2026, 11, 27)


@pytest.mark.parametrize("value", ['"2026-11-27"', "2026-11-27T10:00:00"])
def test_today_must_be_a_plain_date(tmp_path: Path, value: str) -> None:
    assert errors_of(tmp_path, f"today = {value}\n" + UNITS) == [
        "site.toml:1: today: must be a date such as 2026-11-27 (unquoted)"
    ]


def test_absolute_and_relative_output_dir(tmp_path: Path) -> None:
    rel = load_config(write(tmp_path, 'output_dir = "build/site"\n' + UNITS))
    assert rel.output_dir == (tmp_path / "build" / "site").resolve()
    target = tmp_path / "elsewhere"
    absolute = load_config(write(tmp_path, f'output_dir = "{target}"\n' + UNITS))
    assert absolute.output_dir == target


def test_fingerprint_follows_the_bytes(tmp_path: Path) -> None:
    a = load_config(write(tmp_path, 'title = "甲"\n' + UNITS)).fingerprint
    b = load_config(write(tmp_path, 'title = "甲"\n' + UNITS)).fingerprint
    c = load_config(write(tmp_path, 'title = "乙"\n' + UNITS)).fingerprint
    assert a == b != c


# --- timezone (issue 12 §4) -------------------------------------------------------------


def test_timezone_defaults_to_china_standard_time(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, UNITS))
    assert config.timezone == "Asia/Shanghai"
    assert config.zone.key == "Asia/Shanghai"
    assert dt.datetime(2026, 3, 31, 17, tzinfo=dt.UTC).astimezone(config.zone).day == 1


def test_timezone_is_any_iana_zone(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'timezone = "Pacific/Auckland"\n' + UNITS))
    assert config.zone.key == "Pacific/Auckland"
    assert config.zone.utcoffset(dt.datetime(2026, 1, 15)) == dt.timedelta(hours=13)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"Asia/Shanghia"', 'unknown time zone "Asia/Shanghia" (did you mean "Asia/Shanghai"?)'),
        ('"asia/shanghai"', 'unknown time zone "asia/shanghai" (did you mean "Asia/Shanghai"?)'),
        ('"Beijing"', 'unknown time zone "Beijing" (China Standard Time is "Asia/Shanghai")'),
        ('"UTC+8"', 'unknown time zone "UTC+8" (China Standard Time is "Asia/Shanghai")'),
        ('"Mars/Olympus"', 'unknown time zone "Mars/Olympus"; use an IANA name such as'),
        ('"../../etc/passwd"', 'unknown time zone "../../etc/passwd"; use an IANA name'),
        ('"Asia"', 'unknown time zone "Asia"'),
        ('""', 'unknown time zone ""; use an IANA name such as "Asia/Shanghai"'),
        ('"localtime"', "\"localtime\" is the machine's own time zone; name the office's"),
        ("8", "must be a string, not an integer"),
    ],
)
def test_unknown_timezone_is_a_config_error_with_a_hint(
    tmp_path: Path, value: str, message: str
) -> None:
    errors = errors_of(tmp_path, f'title = "某区"\ntimezone = {value}\n' + UNITS)
    assert len(errors) == 1
    assert errors[0].startswith(f"site.toml:2: timezone: {message}")


ZONE_OF_SITE = """
import sys
from pathlib import Path

if sys.argv[2] == "no-tzdata":
    import importlib.abc

    class NoTzdata(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] == "tzdata":
                raise ImportError(name)

    sys.meta_path.insert(0, NoTzdata())
from bulletin.config import load_config
from bulletin.diagnostics import BulletinError

try:
    print(load_config(Path(sys.argv[1])).zone.key)
except BulletinError as exc:
    print(exc)
"""


@pytest.mark.parametrize(
    ("tzdata", "out"),
    [
        ("tzdata", "Asia/Shanghai"),
        (
            "no-tzdata",
            "site.toml: timezone: 未知的时区“Asia/Shanghai”（找不到时区数据库：请安装 tzdata 包）",
        ),
    ],
)
def test_time_zones_without_a_system_database(tmp_path: Path, tzdata: str, out: str) -> None:
    """Minimal containers (Alpine, distroless) and Windows have no /usr/share/zoneinfo:
    the tzdata dependency answers for them; without it the error says what to install."""
    write(tmp_path, UNITS)
    env = {**os.environ, "PYTHONTZPATH": str(tmp_path / "no-zoneinfo-here")}
    proc = subprocess.run(
        [sys.executable, "-c", ZONE_OF_SITE, str(tmp_path), tzdata],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.stdout.strip() == out, proc.stderr


def test_an_unknown_timezone_is_named_in_the_sites_language(tmp_path: Path) -> None:
    with pytest.raises(BulletinError) as info:
        load_config(write(tmp_path, 'title = "某区"\ntimezone = "Beijing"\n' + UNITS))
    assert [d.format() for d in info.value.diagnostics] == [
        "site.toml:2: timezone: 未知的时区“Beijing”（中国标准时间是“Asia/Shanghai”）"
    ]
