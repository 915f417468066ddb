"""Hostile and broken input: the build reports, it never crashes (issue 7).

Every build here must end in one of two ways: success, or error diagnostics with the
previous good output left exactly as it was. Never an exception, never a traceback on
stderr, exit code 0 or 1 from the command line. Property-based tests (Hypothesis, fixed
seed through ``derandomize=True``) generate front matter and Markdown; explicit cases
cover alias bombs, deep nesting, oversized files, symbolic links, unsafe file names and
layouts that raise, reference unknown variables, recurse or loop for ever.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bulletin import content
from bulletin.build import BuildOptions, BuildResult, build
from bulletin.config import load_config

REPO = Path(__file__).parent.parent
TODAY = dt.date(2026, 6, 30)
OPTIONS = BuildOptions(today=TODAY, jobs=1)

SITE_TOML = """\
title = "测试站"
language = "zh-CN"
base_url = "/"
output_dir = "public"
today = 2026-06-30

[units.chengguan]
name = "城关镇"
kind = "town"
key = true

[units.beiyuan]
name = "北苑街道"
kind = "street"
key = false
"""

GOOD_ITEMS = {
    "chengguan/2026-04-24-fangxun.md": (
        "---\ntitle: 城关镇扎实推进防汛工作\nunit: chengguan\ncategory: briefing\n"
        "date: 2026-04-24\nadopted-by: [city]\ntags: [防汛]\n---\n汛期以来，城关镇压实责任。\n"
    ),
    "beiyuan/2026-05-20-fire-first.md": (
        "---\ntitle: 北苑街道仓库火情首报\nunit: beiyuan\ncategory: emergency\n"
        "date: 2026-05-20\noccurred: 2026-05-20T14:05:00+08:00\n"
        "reported: 2026-05-20T14:50:00+08:00\n---\n5月20日14时05分发生火情。\n"
    ),
    "chengguan/2026-03-01-dubang.md": (
        "---\ntitle: 关于春耕备耕的督办\nunit: chengguan\ncategory: supervision\n"
        "date: 2026-03-01\nassignees: [chengguan, beiyuan]\ndue: 2026-04-30\n---\n督办事项。\n"
    ),
}
FUZZ = "content/chengguan/fuzz.md"

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def make_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for rel, text in GOOD_ITEMS.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (directories by a trailing slash)."""
    found: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for d in dirnames:
            found[os.path.relpath(os.path.join(dirpath, d), folder) + "/"] = b""
        for name in filenames:
            full = os.path.join(dirpath, name)
            found[os.path.relpath(full, folder)] = Path(full).read_bytes()
    return found


def strays(root: Path) -> list[str]:
    """Staging or temporary directories a failed build must not leave beside the output."""
    return sorted(p.name for p in root.iterdir() if ".staging-" in p.name or ".old-" in p.name)


def check_well_formed(public: Path) -> None:
    """Every XML output parses, every JSON output loads, every CSV decodes."""
    for path in sorted(public.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(public).as_posix()
        data = path.read_bytes()
        if path.suffix == ".xml":
            try:
                ET.fromstring(data)
            except ET.ParseError as exc:
                raise AssertionError(f"{rel} is not well-formed XML: {exc}") from None
        elif path.suffix == ".json":
            json.loads(data.decode("utf-8"))
        elif path.suffix in (".html", ".csv", ".css", ".js"):
            data.decode("utf-8-sig")


def build_and_check(root: Path, options: BuildOptions = OPTIONS) -> BuildResult:
    """Build; on failure the old output must be untouched, on success well-formed."""
    public = root / "public"
    before = snapshot(public) if public.is_dir() else None
    result = build(root, options)  # must not raise: that is the point of this file
    assert isinstance(result, BuildResult)
    for d in result.diagnostics:
        assert d.path and isinstance(d.format("en"), str)
    if result.ok:
        assert not result.errors
        check_well_formed(public)
    else:
        assert result.errors or options.strict, "a failed build must say why"
        if before is not None:
            after = snapshot(public)
            assert after == before, "a failed build changed the previous good output"
    assert strays(root) == []
    return result


def messages(result: BuildResult) -> list[str]:
    return [d.format("en") for d in result.errors]


def run_cli(*args: object, measure: bool = False) -> subprocess.CompletedProcess[str]:
    """``python -m bulletin ARGS`` (or the same through a wrapper that prints its peak RSS)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONFAULTHANDLER", None)
    words = [*map(str, args), "--lang", "en"]  # the messages these tests expect
    if measure:
        command = [sys.executable, "-c", MEASURE, *words]
    else:
        command = [sys.executable, "-m", "bulletin", *words]
    proc = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120
    )
    assert proc.returncode in (0, 1), (
        f"exit code {proc.returncode} (a negative code is a signal: the process crashed)\n"
        f"{proc.stderr[-3000:]}"
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


# The peak resident size of the command's own memory: VmHWM, the high-water mark of this
# process's address space. Not ru_maxrss: Linux carries the parent's resident size at the
# spawn over exec into it, so a big test process (after in-process PDF exports, some
# 500 MB) was measured as the command's own.
MEASURE = r"""
import resource, sys
from bulletin.cli import main
code = main(sys.argv[1:])
try:
    with open("/proc/self/status", encoding="ascii") as fh:
        peak = next(int(row.split()[1]) for row in fh if row.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write("MAXRSS_KB %d\n" % peak)
sys.exit(code)
"""


def peak_rss_kb(proc: subprocess.CompletedProcess[str]) -> int:
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MAXRSS_KB ")][-1]
    return int(line.split()[1])


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("good") / "site")
    result = build(root, OPTIONS)
    assert result.ok, messages(result)
    return root


@pytest.fixture
def site(built_site: Path, tmp_path: Path) -> Path:
    """A tiny site with a previous good build in public/ (a copy: building is slower)."""
    root = tmp_path / "site"
    shutil.copytree(built_site, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One site shared by the examples of a property test (an example rewrites fuzz.md)."""
    root = make_site(tmp_path_factory.mktemp("fuzz") / "site")
    result = build(root, OPTIONS)
    assert result.ok, messages(result)
    yield root


# --------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------

# Odd but valid Unicode: right-to-left scripts and overrides, combining marks, astral
# characters (no surrogates: they cannot be in a UTF-8 file), zero-width and BOM, line and
# paragraph separators, look-alike markup, template syntax, CDATA ends.
ODD = [
    "مرحبا بالعالم",
    "שלום",
    "\u202eevil\u202c",
    "\u2067isolated\u2069",
    "e\u0301\u0301\u0301\u0301",
    "\u0e01\u0e49\u0e49\u0e49",
    "𠀀𪚥𰻞",
    "👨\u200d👩\u200d👧",
    "\U0001f1e8\U0001f1f3",
    "\u200b\u200c\u200d",
    "\ufeff",
    "\u00a0\u3000",
    "\u2028",
    "\u2029",
    "\x85",
    "\x7f",
    "Ａ　ｆｕｌｌ",
    "<script>alert(1)</script>",
    "{{ site_title }}",
    "{% raw %}",
    "]]>",
    "&amp;&#0;&#x110000;",
    "\\",
    "'\"`",
    "%2e%2e/%00",
    "../../etc/passwd",
    "\t",
    "\x01",
    "\x1b[31m",
    "\uffff",
    "城关镇",
]
odd_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.lists(st.sampled_from(ODD), min_size=1, max_size=4).map("".join),
)
# valid text: no control, separator, surrogate or unassigned characters
CLEAN_ODD = [p for p in ODD if not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in p)]
CLEAN_ODD = [p for p in CLEAN_ODD if p.strip() and not {"\u2028", "\u2029", "\uffff"} & set(p)]
nice_text = st.one_of(
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Cn")),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.sampled_from(CLEAN_ODD), min_size=1, max_size=4).map("".join),
).filter(lambda s: s.strip())
mostly_nice = st.one_of(nice_text, nice_text, nice_text, odd_text)
units = st.sampled_from(["chengguan", "beiyuan"])
tz = st.sampled_from(
    [None, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-12))]
    + [dt.timezone(dt.timedelta(hours=14)), dt.UTC]
)
dates = st.one_of(
    st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    st.dates(),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2026, 2, 28)]),
)
moments = st.datetimes(
    dt.datetime(2025, 1, 1), dt.datetime(2027, 1, 1), timezones=tz
) | st.sampled_from([dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)])

# Any YAML value, nested
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    odd_text,
    dates,
    moments,
    st.binary(max_size=8),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.one_of(odd_text, st.integers(), st.booleans()), inner, max_size=4)
    ),
    max_leaves=12,
)

FIELD_NAMES = list(content.FIELDS)


@st.composite
def valid_items(draw: st.DrawFn) -> dict[Any, Any]:
    """Front matter that is valid for its category (odd text, extreme dates)."""
    category = draw(
        st.sampled_from(
            ["briefing", "notice", "research", "supervision", "commendation", "emergency"]
        )
    )
    date = draw(dates)
    fm: dict[Any, Any] = {
        "title": draw(mostly_nice),
        "unit": draw(units),
        "category": category,
        "date": date,
    }
    if draw(st.booleans()):
        fm["adopted-by"] = draw(
            st.lists(
                st.one_of(
                    st.sampled_from(["district", "city", "province", "media"]),
                    st.fixed_dictionaries(
                        {"level": st.sampled_from(["city", "province"])},
                        optional={"date": dates, "by": mostly_nice},
                    ),
                ),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        fm["tags"] = draw(st.lists(mostly_nice | st.integers() | st.floats(), max_size=5))
    if draw(st.booleans()):
        fm["summary"] = draw(mostly_nice)
    if draw(st.booleans()):
        fm["instructions"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"by": mostly_nice, "level": st.sampled_from(["district", "city"])},
                    optional={"date": dates},
                ),
                max_size=2,
            )
        )
    if draw(st.booleans()):
        fm["classification"] = draw(
            st.sampled_from(["public", "internal", "秘密", "机密", "绝密", "secret", "bogus"])
        )
    if draw(st.integers(0, 9)) == 0:
        fm["status"] = "draft"
    if category == "research":
        fm["excellent"] = draw(st.booleans())
    elif category == "supervision":
        fm["assignees"] = draw(st.lists(units, min_size=1, max_size=2))
        fm["due"] = draw(dates)
        if draw(st.booleans()):
            fm["done"] = draw(dates)
    elif category == "commendation":
        fm["honorees"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"name": mostly_nice, "kind": st.sampled_from(["collective", "individual"])},
                    optional={"unit": units},
                ),
                min_size=1,
                max_size=3,
            )
        )
    elif category == "emergency":
        if draw(st.booleans()):
            fm["follow-up-of"] = draw(
                st.sampled_from(["2026-05-20-fire-first", "fuzz", "nothing-like-it"])
            )
            fm["final"] = draw(st.booleans())
        else:
            fm["occurred"] = draw(moments)
            fm["reported"] = draw(moments)
    return fm


@st.composite
def front_matters(draw: st.DrawFn) -> dict[Any, Any]:
    """A valid item, then a few mutations: keys dropped, values replaced, keys added."""
    fm = draw(valid_items())
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        action = draw(st.sampled_from(["drop", "replace", "add"]))
        if action == "drop" and fm:
            fm.pop(draw(st.sampled_from(sorted(fm, key=str))))
        elif action == "replace" and fm:
            fm[draw(st.sampled_from(sorted(fm, key=str)))] = draw(yaml_values)
        else:
            key = draw(st.one_of(st.sampled_from(FIELD_NAMES), odd_text, st.integers()))
            fm[key] = draw(yaml_values)
    return fm


def dump(fm: dict[Any, Any]) -> str:
    return yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, width=10**6)


# Raw YAML fragments: what a hand-written (or malicious) front matter may contain.
YAML_BITS = [
    "title: &a 标题\n",
    "summary: *a\n",
    "<<: {title: merged}\n",
    "tags: [&x a, *x, *x]\n",
    "title: !!binary aGVsbG8=\n",
    "title: !!python/object/apply:os.system [echo hi]\n",
    "tags: !!set {a, b}\n",
    "title: !custom x\n",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "title: 'unterminated\n",
    'title: "\\x01\\uFFFE"\n',
    'title: "\\ud800"\n',
    "title: [\n",
    "title: {a: 1\n",
    "? [a, b]\n: c\n",
    "? complex\n: key\n",
    "\ttitle: tab\n",
    "title: a: b\n",
    "date: 2026-13-45\n",
    "date: 2026-02-30T25:61:61+99:00\n",
    "date: 0x" + "f" * 5000 + "\n",
    "tags: [" + "9" * 5000 + "]\n",
    "tags: [1e99999, -.inf, .nan, 0o777, 0b101, 1_000, 1:2:3]\n",
    "title: " + "长" * 5000 + "\n",
    "extra: " + "[" * 3000 + "]" * 3000 + "\n",
    "extra: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n",
    "extra:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
    "extra:\n  " + "- " * 3000 + "x\n",
    "k" * 2000 + ": 1\n",
    "unit: 城关镇\n",
    "category: 信息简报\n",
    "title:\n",
    "title: ~\n",
    "title: |\n  多行\n  标题\n",
    "adopted-by: [{level: city, level: province}]\n",
    "title: a\ntitle: b\n",
    "# only a comment\n",
    "\n\n\n",
]
BASE_FM = "title: 标题\nunit: chengguan\ncategory: briefing\ndate: 2026-04-01\n"
raw_front_matters = st.lists(st.sampled_from(YAML_BITS), max_size=5).map(
    lambda bits: BASE_FM + "".join(bits)
)

# Markdown: block and inline syntax, links that try to escape, raw HTML, odd Unicode,
# control characters, and a very long line now and then.
MD_BITS = [
    "# 标题\n",
    "## \n",
    "###### 六级\n",
    "- 一\n  - 二\n    - 三\n",
    "1. a\n2. b\n",
    "> 引用\n> > 嵌套\n",
    "```\ncode <b>\n```\n",
    "    indented code\n",
    "`x`",
    "*em* **strong** ~~del~~",
    "[同站链接](2026-04-24-fangxun.md)",
    "[上跳](../beiyuan/2026-05-20-fire-first.md#x)",
    "[逃逸](../../../../etc/passwd.md)",
    "[缺失](nothing.md)",
    "[自己](fuzz.md)",
    "[js](javascript:alert(1))",
    "[data](data:text/html,<script>alert(1)</script>)",
    "![图](x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[ref]: http://example.com\n",
    "&#0; &#x110000; &nbsp; &bogus;",
    "\\",
    "[",
    "*",
    "_",
    "<",
    "\n\n",
    "\t",
    "---\n",
    "\x0c",
    "\x01",
]
long_lines = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["城", "[", "*a ", "`", "<", "a" + "\u0301"]),
    st.integers(1000, 20000),
)
bodies = st.one_of(
    st.lists(st.one_of(st.sampled_from(MD_BITS), odd_text), max_size=25).map("".join),
    long_lines,
)


def item_bytes(front: str, body: str) -> bytes:
    return f"---\n{front}---\n{body}\n".encode()


# --------------------------------------------------------------------------------------
# property-based tests
# --------------------------------------------------------------------------------------

FAST = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(
    FAST,
    max_examples=35,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_config(make_site(tmp_path_factory.mktemp("cfg") / "site"))


def _read(data: bytes, config: Any) -> content.ReadResult:
    result = content.read_item(data, FUZZ, config)  # must not raise
    assert (result.item is None) == bool(result.diagnostics)
    for d in result.diagnostics:
        assert d.path == FUZZ and d.is_error
        assert d.line is None or d.line >= 1
        assert len(d.text("en")) < 1000, "a message must not echo a whole pasted value"
    return result


@FAST
@given(fm=front_matters(), body=bodies)
def test_read_item_generated_front_matter(config: Any, fm: dict[Any, Any], body: str) -> None:
    _read(item_bytes(dump(fm), body), config)


@FAST
@given(front=raw_front_matters, body=bodies)
@example(front=BASE_FM + "title: 0x" + "f" * 5000 + "\n", body="")
def test_read_item_raw_front_matter(config: Any, front: str, body: str) -> None:
    _read(item_bytes(front, body), config)


@FAST
@given(data=st.binary(max_size=300))
@example(data=b"---\ntitle: \xff\xfe\n---\n")
@example(data="---\ntitle: 城关镇\n---\n".encode("gbk"))
@example(data=b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n")
@example(data=b"---\ntitle: x\x00\n---\n")
def test_read_item_arbitrary_bytes(config: Any, data: bytes) -> None:
    _read(data, config)


@SLOW
@given(fm=front_matters(), body=bodies)
@example(
    fm={
        "title": "\u202e倒序标题",
        "unit": "chengguan",
        "category": "briefing",
        "date": "2026-01-01",
    },
    body="正文\u2028𠀀\u0301 [链接](2026-04-24-fangxun.md)",
)
def test_build_generated_items(fuzz_site: Path, fm: dict[Any, Any], body: str) -> None:
    (fuzz_site / FUZZ).write_text(dump_item(fm, body), encoding="utf-8")
    build_and_check(fuzz_site)


def dump_item(fm: dict[Any, Any], body: str) -> str:
    return f"---\n{dump(fm)}---\n{body}\n"


@SLOW
@given(front=raw_front_matters, body=bodies)
def test_build_raw_items(fuzz_site: Path, front: str, body: str) -> None:
    (fuzz_site / FUZZ).write_bytes(item_bytes(front, body))
    build_and_check(fuzz_site)


# --------------------------------------------------------------------------------------
# explicit hostile cases
# --------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    "---\ntitle: 笑\nunit: chengguan\ncategory: briefing\ndate: 2026-04-01\nextra:\n"
    '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"  {chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "---\n正文\n"
)
MERGE_BOMB = (
    "---\ntitle: 笑\nunit: chengguan\ncategory: briefing\ndate: 2026-04-01\nextra:\n"
    "  base: &b {x: 1}\n  <<: *b\n---\n"
)


def test_alias_bomb_is_refused_with_bounded_memory(site: Path, tmp_path: Path) -> None:
    """A billion-laughs item is refused before it expands: memory stays near a normal build."""
    # the same site twice, so the runs differ only in the bomb
    baseline_site = tmp_path / "baseline"
    shutil.copytree(site, baseline_site)
    baseline = run_cli("build", baseline_site, measure=True)
    assert baseline.returncode == 0, baseline.stderr

    bomb = site / "content" / "chengguan" / "bomb.md"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    # hide it after 100 KB of ordinary front matter too
    padded = site / "content" / "beiyuan" / "bomb-late.md"
    padded.write_text(
        BILLION_LAUGHS.replace("extra:\n", "summary: " + "很长的摘要" * 20_000 + "\nextra:\n"),
        encoding="utf-8",
    )
    (site / "content" / "beiyuan" / "merge.md").write_text(MERGE_BOMB, encoding="utf-8")
    before = snapshot(site / "public")
    proc = run_cli("build", site, measure=True)
    assert proc.returncode == 1
    assert "content/chengguan/bomb.md:7: YAML anchors and aliases are not allowed" in proc.stderr
    assert "content/beiyuan/bomb-late.md:" in proc.stderr
    assert "content/beiyuan/merge.md:7: YAML anchors and aliases" in proc.stderr
    assert snapshot(site / "public") == before
    growth_mb = (peak_rss_kb(proc) - peak_rss_kb(baseline)) / 1024
    print(f"peak RSS: baseline {peak_rss_kb(baseline)} KB, with bombs {peak_rss_kb(proc)} KB")
    assert growth_mb < 64, f"the alias bomb grew memory by {growth_mb:.0f} MB"


def test_oversized_item_is_refused(site: Path) -> None:
    """Over max_item_bytes (2 MB by default): refused with a message, exit 1."""
    over = site / "content" / "chengguan" / "over.md"
    over.write_bytes(
        GOOD_ITEMS["chengguan/2026-04-24-fangxun.md"].encode() + b"x" * (2 * 1024 * 1024)
    )
    before = snapshot(site / "public")
    proc = run_cli("build", site)
    assert proc.returncode == 1
    size = over.stat().st_size
    assert (
        f"content/chengguan/over.md: file is {size:,} bytes, over the limit of 2,097,152"
        in proc.stderr
    )
    assert snapshot(site / "public") == before


def test_oversized_item_is_not_read_into_memory(site: Path) -> None:
    huge = site / "content" / "beiyuan" / "huge.md"
    with open(huge, "wb") as fh:
        fh.truncate(512 * 1024**2)  # sparse: costs no disk, only memory if it is read
    proc = run_cli("build", site, measure=True)
    assert proc.returncode == 1
    assert "content/beiyuan/huge.md: file is 536,870,912 bytes, over the limit" in proc.stderr
    # reading the 512 MiB file would take at least that much; the rest of the site and
    # the interpreter stay well below it
    assert peak_rss_kb(proc) < 400 * 1024, "the oversized file was read into memory"


def test_item_size_limit_is_configurable(site: Path) -> None:
    toml = site / "site.toml"
    toml.write_text("max_item_bytes = 200\n" + SITE_TOML, encoding="utf-8")
    result = build_and_check(site)
    assert not result.ok
    assert any("over the limit of 200" in m for m in messages(result))


@pytest.mark.parametrize(
    ("front", "line"),
    [
        # each under the 256 K front-matter limit, which would refuse them first; ``line``
        # is the file line where the nesting passes 64 levels (the --- line is line 1)
        pytest.param("extra: " + "[" * 100_000 + "]" * 100_000 + "\n", 6, id="flow-lists"),
        pytest.param("extra: " + "{a: " * 40_000 + "1" + "}" * 40_000 + "\n", 6, id="flow-maps"),
        pytest.param("extra:\n  " + "- " * 100_000 + "x\n", 7, id="block-compact"),
        pytest.param(
            "extra:\n" + "".join(" " * i + "- \n" for i in range(1, 200)), 70, id="block-indent"
        ),
    ],
)
def test_deep_nesting_is_refused_without_crashing(site: Path, front: str, line: int) -> None:
    """Deep nesting crashed the C YAML composer (SIGSEGV) or took minutes: now an error.

    Asserted by behaviour only -- exit code, file and line, no traceback (``run_cli``),
    the last good site untouched -- not by wording: which check stops first (ours, or
    a newer PyYAML's own limit) and how it words it is not the point.
    """
    public = site / "public"
    before = snapshot(public)
    path = site / "content" / "chengguan" / "deep.md"
    path.write_bytes(item_bytes(BASE_FM + front, "正文"))
    proc = run_cli("build", site)
    assert proc.returncode == 1
    problems = [row for row in proc.stderr.splitlines() if not row.startswith("bulletin: ")]
    assert len(problems) == 1, proc.stderr[-2000:]
    where, _, message = problems[0].partition(": ")
    assert where == f"content/chengguan/deep.md:{line}"
    assert message.strip()
    assert snapshot(public) == before
    assert strays(site) == []


@pytest.mark.parametrize(
    ("front", "body", "expected"),
    [
        # a number where text belongs is the text as typed; inside a list where text
        # belongs, it is read as a number for the message, and must not crash that
        (
            "tags: [[0x" + "f" * 5000 + "]]\n",
            "",
            "content/chengguan/x.md:6: tags: entry 1: a number of 5,002 characters is too long",
        ),
        (
            "summary: [" + "9" * 5000 + "]\n",
            "",
            "content/chengguan/x.md:6: summary: a number of 5,000 characters is too long",
        ),
        ("", "第一行\n第二\x01行\n", "content/chengguan/x.md:8: file contains the control"),
        ("", "正文\ufffe\n", "content/chengguan/x.md:7: file contains the control character"),
        ('summary: "\\x9b"\n', "", "content/chengguan/x.md:6: summary: contains control"),
        ('title: "a\\u2028b"\n', "", "content/chengguan/x.md:2: title: must be a single line"),
        ("tags: !!set {a}\n", "", "content/chengguan/x.md:6: tags: must be a list, not a set"),
        (
            "summary: " + "长" * 300_000 + "\n",
            "",
            "content/chengguan/x.md:2: front matter is 300,072 characters long, over the "
            "limit of 262,144",
        ),
    ],
    ids=[
        "hex-number",
        "decimal-number",
        "control-in-body",
        "noncharacter-in-body",
        "c1-control",
        "line-separator",
        "yaml-set",
        "huge-front-matter",
    ],
)
def test_hostile_values_are_reported(site: Path, front: str, body: str, expected: str) -> None:
    # a title replaces the base title (line 2); anything else follows the base (line 6)
    fm = BASE_FM.replace("title: 标题\n", front) if front.startswith("title:") else BASE_FM + front
    (site / "content" / "chengguan" / "x.md").write_bytes(item_bytes(fm, body))
    result = build_and_check(site)
    assert not result.ok
    assert any(m.startswith(expected) for m in messages(result)), messages(result)


def test_long_list_is_linear(site: Path) -> None:
    """20,000 distinct tags cost quadratic time (seconds) in the duplicate check."""
    tags = ", ".join(f"t{i}" for i in range(20_000))
    (site / "content" / "chengguan" / "x.md").write_bytes(
        item_bytes(BASE_FM + f"tags: [{tags}, t7]\n", "")
    )
    result = build_and_check(site)
    assert messages(result) == ["content/chengguan/x.md:6: tags: entry 20001: t7 is listed twice"]


def test_odd_unicode_builds_and_feeds_stay_well_formed(site: Path) -> None:
    title = "\u202e倒序\u202c 𠀀𪚥 e\u0301 👨\u200d👩\u200d👧 مرحبا ]]> <b>&amp;"
    (site / "content" / "chengguan" / "odd.md").write_text(
        f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nunit: chengguan\n"
        "category: briefing\ndate: 2026-06-01\ntags: ['\u200b', '𠀀']\n---\n"
        "正文\u2028第二段\u0085 \U0001f1e8\U0001f1f3 <script>alert(1)</script>\n",
        encoding="utf-8",
    )
    result = build_and_check(site)
    assert result.ok, messages(result)
    page = (site / "public" / "items" / "odd" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    feed = ET.parse(site / "public" / "feed.xml").getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    assert title in [e.findtext(f"{ns}title") for e in feed.iter(f"{ns}entry")]


# --------------------------------------------------------------------------------------
# symbolic links, special files and unsafe file names
# --------------------------------------------------------------------------------------

OUTSIDE_SECRET = "站外文件的内容绝不能出现在站点中"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(
        f"---\ntitle: {OUTSIDE_SECRET}\nunit: chengguan\ncategory: briefing\n"
        "date: 2026-04-01\n---\n" + OUTSIDE_SECRET + "\n",
        encoding="utf-8",
    )
    (folder / "item.html").write_text(f"<p>{OUTSIDE_SECRET}</p>\n", encoding="utf-8")
    (folder / "partials").mkdir()
    (folder / "partials" / "item_facts.html").write_text(OUTSIDE_SECRET, encoding="utf-8")
    return folder


def assert_refused(site: Path, expected: list[str]) -> None:
    # without the cache: see test_refusals_after_a_previous_good_build for why
    result = build_and_check(site, replace(OPTIONS, cache=False))
    assert not result.ok
    assert sorted(messages(result)) == sorted(expected)
    for path in (site / "public").rglob("*"):
        if path.is_file():
            assert OUTSIDE_SECRET.encode() not in path.read_bytes()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_content_symlinks_out_of_the_site_are_refused(site: Path, outside: Path) -> None:
    (site / "content" / "chengguan" / "leak.md").symlink_to(outside / "secret.md")
    (site / "content" / "leakdir").symlink_to(outside, target_is_directory=True)
    assert_refused(
        site,
        [
            "content/chengguan/leak.md: symbolic link points outside the site; refused",
            "content/leakdir: symbolic link points outside the site; refused",
        ],
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_refusals_after_a_previous_good_build(site: Path, outside: Path) -> None:
    assert build(site, OPTIONS).ok  # the manifest now matches this site and output
    (site / "content" / "chengguan" / "leak.md").symlink_to(outside / "secret.md")
    result = build_and_check(site)
    assert messages(result) == [
        "content/chengguan/leak.md: symbolic link points outside the site; refused"
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_layout_symlinks_out_of_the_site_are_refused(site: Path, outside: Path) -> None:
    layouts = site / "layouts"
    layouts.mkdir()
    (layouts / "item.html").symlink_to(outside / "item.html")
    (layouts / "partials").symlink_to(outside / "partials", target_is_directory=True)
    (layouts / "unused.html").symlink_to("/etc/hostname")
    assert_refused(
        site,
        [
            "layouts/item.html: symbolic link points outside the site; refused",
            "layouts/partials: symbolic link points outside the site; refused",
            "layouts/unused.html: symbolic link points outside the site; refused",
        ],
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_layout_loader_refuses_outside_links_itself(site: Path, outside: Path) -> None:
    """Defence in depth: the Jinja loader never reads a layout whose real path is outside."""
    from bulletin import templates

    layouts = site / "layouts"
    layouts.mkdir()
    (layouts / "item.html").symlink_to(outside / "item.html")
    env = templates.make_environment(load_config(site))
    with pytest.raises(templates.TemplateFailure) as failure:
        templates.render(env, "item.html", {}, load_config(site))
    assert failure.value.diagnostic.format("en") == (
        "layouts/item.html: symbolic link points outside the site; refused"
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_inside_the_site_are_fine(site: Path) -> None:
    shared = site / "shared"
    shared.mkdir()
    (shared / "footer.html").write_text(
        '{% extends "base.html" %}{% block footer %}共享页脚{% endblock %}', encoding="utf-8"
    )
    (site / "layouts").mkdir()
    (site / "layouts" / "units.html").symlink_to("../shared/footer.html")
    result = build_and_check(site)
    assert result.ok, messages(result)
    assert "共享页脚" in (site / "public" / "units" / "index.html").read_text(encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_are_refused_not_read(site: Path) -> None:
    """A named pipe called *.md would block the build for ever if it were opened."""
    os.mkfifo(site / "content" / "chengguan" / "pipe.md")
    assert_refused(site, ["content/chengguan/pipe.md: not a regular file; refused"])


UNSAFE = "file name has characters that are unsafe in URLs or on Windows; rename the file"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("问题?", UNSAFE),
        ("a#b", UNSAFE),
        ("50%", UNSAFE),
        ("x:y", UNSAFE),
        ("a<b", UNSAFE),
        ("a>b", UNSAFE),
        ('say"hi"', UNSAFE),
        ("a|b", UNSAFE),
        ("a*b", UNSAFE),
        ("tab\tname", UNSAFE),
        (" lead", UNSAFE),
        ("con", "file name is reserved or invalid on Windows; rename the file"),
        ("NUL.backup", "file name is reserved or invalid on Windows; rename the file"),
        ("com1", "file name is reserved or invalid on Windows; rename the file"),
        ("trailing.", "file name is reserved or invalid on Windows; rename the file"),
    ],
)
def test_unsafe_file_names_are_reported(site: Path, name: str, message: str) -> None:
    path = site / "content" / "chengguan" / f"{name}.md"
    path.write_text(GOOD_ITEMS["chengguan/2026-04-24-fangxun.md"], encoding="utf-8")
    result = build_and_check(site)
    assert not result.ok
    assert messages(result) == [f"content/chengguan/{name}.md: {message}"]


def test_unsafe_file_names_through_the_cli(site: Path) -> None:
    for name in ("问题?", "a#b", "50%", "x:y", "a<b"):
        path = site / "content" / "chengguan" / f"{name}.md"
        path.write_text(GOOD_ITEMS["chengguan/2026-04-24-fangxun.md"], encoding="utf-8")
    before = snapshot(site / "public")
    proc = run_cli("build", site)
    assert proc.returncode == 1
    for name in ("问题?", "a#b", "50%", "x:y", "a<b"):
        assert f"content/chengguan/{name}.md: {UNSAFE}" in proc.stderr
    assert snapshot(site / "public") == before


# --------------------------------------------------------------------------------------
# layouts that fail
# --------------------------------------------------------------------------------------

LAYOUT_CASES = [
    pytest.param(
        "item.html",
        '{% extends "base.html" %}\n{% block content %}\n<p>\n{{ 1 / 0 }}\n{% endblock %}\n',
        "layouts/item.html:4: template error: division by zero",
        id="raises",
    ),
    pytest.param(
        "item.html",
        '{% extends "base.html" %}\n{% block content %}\n{{ item.leader_name }}\n{% endblock %}\n',
        "layouts/item.html:3: undefined variable: 'bulletin.model.Item object' "
        "has no attribute 'leader_name'",
        id="unknown-attribute",
    ),
    pytest.param(
        "index.html",
        "<p>\n\n{{ no_such_variable }}\n",
        "layouts/index.html:3: undefined variable: 'no_such_variable' is undefined",
        id="unknown-variable",
    ),
    pytest.param(
        "item.html",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}\n",
        "layouts/item.html:1: template recursed too deeply",
        id="recursive-macro",
    ),
    pytest.param(
        "item.html",
        '<p>\n{% include "item.html" %}\n',
        "layouts/item.html:2: template recursed too deeply",
        id="includes-itself",
    ),
    pytest.param(
        "item.html",
        "{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}\n",
        "layouts/item.html:1: template recursed too deeply",
        id="recursive-loop",
    ),
    pytest.param(
        "item.html",
        "<ul>\n{% for i in range(10 ** 12) %}<li>{{ i }}</li>{% endfor %}\n</ul>\n",
        "layouts/item.html:2: template error: range() of more than 100,000 numbers; refused",
        id="endless-loop",
    ),
    pytest.param(
        "partials/item_list.html",
        "{% for i in items %}\n{{ i.title|no_such_filter }}\n{% endfor %}\n",
        "layouts/partials/item_list.html:2: template syntax error: No filter named "
        "'no_such_filter'.",
        id="unknown-filter",
    ),
    pytest.param(
        "item.html",
        '{% extends "base.html" %}\n{% block content %}\n{% include "missing.html" %}\n'
        "{% endblock %}\n",
        "layouts/item.html:3: template not found: missing.html",
        id="missing-include",
    ),
]


@pytest.mark.parametrize(("template", "source", "expected"), LAYOUT_CASES)
def test_failing_layouts_name_template_and_line(
    site: Path, template: str, source: str, expected: str
) -> None:
    path = site / "layouts" / template
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    result = build_and_check(site)
    assert not result.ok
    assert expected in messages(result), messages(result)


def test_failing_layout_through_the_cli(site: Path) -> None:
    (site / "layouts").mkdir()
    (site / "layouts" / "unit.html").write_text(
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}\n", encoding="utf-8"
    )
    (site / "layouts" / "item.html").write_text(
        "{% for i in range(10 ** 12) %}{% endfor %}\n", encoding="utf-8"
    )
    before = snapshot(site / "public")
    proc = run_cli("build", site)
    assert proc.returncode == 1
    assert "layouts/unit.html:1: template recursed too deeply" in proc.stderr
    assert "layouts/item.html:1: template error: range() of more than" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].endswith("nothing was written")
    assert snapshot(site / "public") == before


# --------------------------------------------------------------------------------------
# a few generated items through the real command line
# --------------------------------------------------------------------------------------

CLI_ITEMS = [
    pytest.param(BASE_FM + "".join(YAML_BITS[:4]), "正文", id="anchors"),
    pytest.param(BASE_FM, "".join(MD_BITS[:-2]) + "".join(ODD[:10]), id="markdown-soup"),
    pytest.param(BASE_FM + "title: [\n", "", id="unclosed"),
    pytest.param(BASE_FM.replace("briefing", "emergency"), "", id="emergency-missing-times"),
    pytest.param(BASE_FM + "extra: " + "[" * 100_000 + "]" * 100_000 + "\n", "", id="deep-nesting"),
]


@pytest.mark.parametrize(("front", "body"), CLI_ITEMS)
def test_cli_never_prints_a_traceback(site: Path, front: str, body: str) -> None:
    (site / FUZZ).write_bytes(item_bytes(front, body))
    before = snapshot(site / "public")
    proc = run_cli("build", site)  # asserts exit 0/1 and no traceback
    if proc.returncode == 1:
        assert snapshot(site / "public") == before
        assert proc.stderr.strip().splitlines()[-1].endswith("nothing was written")
    else:
        check_well_formed(site / "public")
