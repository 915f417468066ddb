"""Confidentiality (保密): withheld items leave no trace in any output file (issue 7).

A corpus of public items plus items classified 秘密/机密/绝密/secret/confidential/top-secret.
The withheld items carry distinctive tags, adoptions (with ``by``), leader instructions,
honorees, a withheld follow-up (and a withheld final report) of public emergency reports,
supervision assignees, an excellent research report and unusual file names. Every string
that identifies them contains a rare marker (a Latin nonce word or a rare CJK character),
so a leak anywhere — HTML, Atom feeds, JSON/CSV statistics, search-index shards and
fragments, even output file names — is found by scanning every byte of every file.

The strongest check: the site built with the withheld files is byte-for-byte the site
built without them, so no count, rank, quota state, criticism, thread state or list can
reveal them either. A positive control reclassifies one item as public and proves the
scanner does find its strings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import assert_same_tree, paths

from bulletin.build import BuildOptions, build, finish_session
from bulletin.session import BuildSession

REPO = Path(__file__).parent.parent
TODAY = "2026-12-31"

SITE_TOML = """\
title = "保密测试区信息平台"
language = "zh-CN"
base_url = "/"
output_dir = "public"
today = 2026-12-31

[units.chengguan]
name = "城关镇"
kind = "town"
key = true

[units.beiyuan]
name = "北苑街道"
kind = "street"
key = false

[units.yingji]
name = "区应急管理局"
kind = "department"
key = true

[units.dongba]
name = "东坝乡"
kind = "town"
key = false
"""

PUBLIC = {
    "chengguan/2026-04-24-fangxun.md": """\
title: 城关镇扎实推进防汛工作
unit: chengguan
category: briefing
date: 2026-04-24
adopted-by: [city]
tags: [防汛]
---
汛期以来，城关镇压实防汛责任，排查隐患点位12处。
""",
    "yingji/2026-05-20-fire-first.md": """\
title: 区应急管理局关于一仓库火情的首报
unit: yingji
category: emergency
date: 2026-05-20
occurred: 2026-05-20T14:05:00+08:00
reported: 2026-05-20T14:50:00+08:00
adopted-by: [province]
---
5月20日14时05分，一物流仓库发生火情，无人员伤亡。
""",
    "yingji/2026-05-22-fire-final.md": """\
title: 区应急管理局关于仓库火情的综合报告
unit: yingji
category: emergency
date: 2026-05-22
follow-up-of: 2026-05-20-fire-first
final: true
---
火情已于当日扑灭，原因系电气线路老化。
""",
    "beiyuan/2026-07-01-flood-first.md": """\
title: 北苑街道关于积水险情的首报
unit: beiyuan
category: emergency
date: 2026-07-01
occurred: 2026-07-01T06:00:00+08:00
reported: 2026-07-01T06:30:00+08:00
---
7月1日6时，北苑街道低洼路段出现积水。
""",
    "chengguan/2026-03-01-dubang.md": """\
title: 关于春耕备耕工作的督办
unit: chengguan
category: supervision
date: 2026-03-01
assignees: [chengguan, beiyuan]
due: 2026-04-30
done: 2026-04-20
---
请按期办结并回复。
""",
    "chengguan/2026-01-15-biaozhang.md": """\
title: 关于表彰信息工作先进集体的通报
unit: chengguan
category: commendation
date: 2026-01-15
honorees:
  - {name: 城关镇党委办公室, unit: chengguan, kind: collective}
---
予以通报表彰。
""",
    "beiyuan/2026-09-01-diaoyan.md": """\
title: 关于社区治理的调研报告
unit: beiyuan
category: research
date: 2026-09-01
excellent: true
---
调研发现，社区治理仍有短板。
""",
    "chengguan/2026-10-10-tongzhi.md": """\
title: 关于做好冬季安全生产工作的通知
unit: chengguan
category: notice
date: 2026-10-10
---
各单位要切实做好冬季安全生产工作。
""",
}


@dataclass(frozen=True)
class Secret:
    """A withheld item: where it goes, its front matter, and the strings that betray it."""

    path: str  # under content/, with an unusual file name
    front: str
    body: str
    strings: tuple[str, ...] = field(default=())

    @property
    def slug(self) -> str:
        return Path(self.path).stem

    def betrayals(self) -> list[str]:
        """Everything that must not appear: the strings, the slug, the file name, its URL."""
        name = Path(self.path).name
        return [*self.strings, self.slug, name, quote(self.slug), quote(self.slug).lower()]


SECRETS = [
    Secret(
        "beiyuan/xqz-alpha (龘) 稿.md",
        """\
title: 北苑街道QZXALPHA龘靐信息
unit: beiyuan
category: briefing
date: 2026-05-02
classification: 秘密
summary: QZXSUMALPHA摘要
tags: [QZXTAGALPHA, 鱻龘标签]
adopted-by:
  - {level: province, date: 2026-05-03, by: QZXBYALPHA省委办公厅}
  - city
instructions:
  - {by: QZXINSTRALPHA副书记, level: province, date: 2026-05-04}
""",
        "QZXBODYALPHA爨齉之句，内容涉密。",
        (
            "QZXALPHA",
            "北苑街道QZXALPHA龘靐信息",
            "QZXSUMALPHA",
            "QZXTAGALPHA",
            "鱻龘标签",
            "QZXBYALPHA",
            "QZXINSTRALPHA",
            "QZXBODYALPHA",
            "爨齉",
        ),
    ),
    Secret(
        "chengguan/xqz.beta[机密].md",
        """\
title: 关于表彰QZXBETA先进的决定
unit: chengguan
category: commendation
date: 2026-06-01
classification: 机密
honorees:
  - {name: QZXHONOREEBETA龘先进个人, unit: chengguan, kind: individual}
  - {name: QZXCOLLBETA靐集体, unit: beiyuan, kind: collective}
""",
        "QZXBODYBETA表彰内容。",
        ("QZXBETA", "QZXHONOREEBETA", "QZXCOLLBETA", "QZXBODYBETA", "靐集体"),
    ),
    Secret(
        "yingji/xqz_gamma 续报.md",
        """\
title: QZXGAMMA火情续报
unit: yingji
category: emergency
date: 2026-05-21
classification: 绝密
follow-up-of: 2026-05-20-fire-first
""",
        "QZXBODYGAMMA续报内容，鱻。",
        ("QZXGAMMA", "QZXBODYGAMMA"),
    ),
    Secret(
        "chengguan/xqz-delta督办.md",
        """\
title: QZXDELTA专项督办事项
unit: chengguan
category: supervision
date: 2026-06-15
classification: secret
assignees: [beiyuan, dongba]
due: 2026-08-01
""",
        "QZXBODYDELTA督办要求。",
        ("QZXDELTA", "QZXBODYDELTA"),
    ),
    Secret(
        "beiyuan/xqz-epsilon-调研.md",
        """\
title: QZXEPSILON调研报告
unit: beiyuan
category: research
date: 2026-08-01
classification: confidential
excellent: true
tags: [QZXTAGEPSILON]
""",
        "QZXBODYEPSILON调研内容。",
        ("QZXEPSILON", "QZXTAGEPSILON", "QZXBODYEPSILON"),
    ),
    Secret(
        "yingji/ＸＱＺ全角zeta.md",
        """\
title: QZXZETA重要信息
unit: yingji
category: briefing
date: 2026-08-20
classification: top-secret
adopted-by:
  - {level: district, by: QZXBYZETA区委}
  - city
  - {level: province, date: 2026-08-25}
  - media
instructions:
  - {by: QZXINSTRZETA市委书记, level: city}
""",
        "QZXBODYZETA。",
        ("QZXZETA", "QZXBYZETA", "QZXINSTRZETA", "QZXBODYZETA"),
    ),
    Secret(
        "dongba/xqz-eta-首报.md",
        """\
title: QZXETA东坝乡突发事件首报
unit: dongba
category: emergency
date: 2026-09-09
classification: 秘密
occurred: 2026-09-09T08:00:00+08:00
reported: 2026-09-09T12:00:00+08:00
""",
        "QZXBODYETA事件经过。",
        ("QZXETA", "QZXBODYETA"),
    ),
    Secret(
        "beiyuan/xqz-theta-终报.md",
        """\
title: QZXTHETA积水险情综合报告
unit: beiyuan
category: emergency
date: 2026-07-03
classification: 机密
follow-up-of: 2026-07-01-flood-first
final: true
""",
        "QZXBODYTHETA原因、经过、结果和措施。",
        ("QZXTHETA", "QZXBODYTHETA"),
    ),
]
# Rare characters used only by withheld items: not even one may reach the search index.
RARE = ("龘", "靐", "爨", "齉", "鱻")
MARKER = "qzx"  # every withheld string carries it (search lower-cases Latin words)
SLUG_MARKER = "xqz"


def write_item(root: Path, rel: str, front: str, body: str) -> None:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")


def make_site(root: Path, *, secrets: bool = True) -> Path:
    root.mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for rel, text in PUBLIC.items():
        front, body = text.split("---\n", 1)
        write_item(root, rel, front, body)
    if secrets:
        for s in SECRETS:
            write_item(root, s.path, s.front, s.body)
    return root


def output_files(public: Path) -> dict[str, bytes]:
    return {
        p.relative_to(public).as_posix(): p.read_bytes()
        for p in sorted(public.rglob("*"))
        if p.is_file()
    }


def readable(rel: str, data: bytes) -> str:
    """A file's text as a reader (or a script) would see it: JSON unescaped, binary kept."""
    text = data.decode("utf-8", errors="replace")
    if rel.endswith(".json"):
        try:
            text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def find_leaks(
    files: dict[str, bytes], secrets: list[Secret], *, markers: bool = True
) -> list[str]:
    """Every (file, string) where a withheld item shows through, in any common encoding.

    With ``markers``, also any rare character or Latin marker that only withheld items use.
    """
    leaks = []
    for rel, data in files.items():
        if markers and (MARKER in rel.lower() or SLUG_MARKER in rel.lower()):
            leaks.append(f"{rel}: the file name itself")
        text = readable(rel, data)
        folded = text.lower()
        for s in secrets:
            for needle in s.betrayals():
                forms = {needle, needle.lower(), json.dumps(needle)[1:-1]}
                forms.add(needle.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                if any(f in text or f.lower() in folded for f in forms):
                    leaks.append(f"{rel}: {needle!r} (from {s.path})")
        for ch in RARE if markers else ():
            if ch in text:
                leaks.append(f"{rel}: rare character {ch!r} used only by withheld items")
        if markers and MARKER in folded:
            leaks.append(f"{rel}: marker {MARKER!r}")
    return leaks


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The corpus built twice: with the withheld files and without them."""
    base = tmp_path_factory.mktemp("conf")
    with_secrets = make_site(base / "with")
    without = make_site(base / "without", secrets=False)
    for root in (with_secrets, without):
        result = build(root, BuildOptions(jobs=1))
        assert result.ok, [d.format("en") for d in result.diagnostics]
    return {"with": with_secrets, "without": without}


def test_every_withheld_item_is_withheld(built: dict[str, Path]) -> None:
    result = build(built["with"], BuildOptions(jobs=1, cache=False))
    assert result.ok
    assert result.withheld == len(SECRETS)
    assert result.items == len(PUBLIC)


def test_no_output_file_contains_a_withheld_string(built: dict[str, Path]) -> None:
    public = built["with"] / "public"
    files = output_files(public)
    kinds = {Path(rel).suffix for rel in files}
    # the scan covers every kind of output the site has
    assert {".html", ".xml", ".json", ".csv"} <= kinds, kinds
    if (public / "search-index").is_dir():
        assert any(rel.startswith("search-index/") and rel.endswith(".bin") for rel in files)
    leaks = find_leaks(files, SECRETS)
    assert not leaks, "withheld items leak:\n  " + "\n  ".join(leaks[:50])


def test_output_is_identical_without_the_withheld_files(built: dict[str, Path]) -> None:
    """No count, rank, quota, criticism, thread state, list or index reveals them."""
    a = output_files(built["with"] / "public")
    b = output_files(built["without"] / "public")
    assert sorted(a) == sorted(b), sorted(set(a) ^ set(b))
    different = [rel for rel in a if a[rel] != b[rel]]
    assert not different, f"these outputs change when withheld items exist: {different}"


def stats_json(root: Path) -> dict:
    return json.loads((root / "public" / "stats" / "2026.json").read_text(encoding="utf-8"))


def test_stats_exports_count_only_public_items(built: dict[str, Path]) -> None:
    data = stats_json(built["with"])
    units = {u["id"]: u for u in data["units"]}
    # reported: every category except notice, commendation, supervision
    assert units["chengguan"]["reported"] == 1
    assert units["yingji"]["reported"] == 2  # first and final fire reports, not QZXGAMMA/ZETA
    assert units["beiyuan"]["reported"] == 2  # flood first report and research
    assert units["dongba"]["reported"] == 0
    assert units["yingji"]["adopted_items"] == 1 and units["yingji"]["instructions"] == 0
    assert units["beiyuan"]["adopted_items"] == 0 and units["beiyuan"]["instructions"] == 0
    # dongba has only a withheld (late, unfinished) emergency: criticised for no items only
    assert [c["code"] for c in units["dongba"]["criticism"]] == ["no-items"]
    # the withheld final report does not close beiyuan's public thread
    assert "not-finalised" in [c["code"] for c in units["beiyuan"]["criticism"]]
    assert sum(u["reported"] for u in data["units"]) == 5
    csv = (built["with"] / "public" / "stats" / "2026.csv").read_bytes().decode("utf-8-sig")
    without = (built["without"] / "public" / "stats" / "2026.csv").read_bytes()
    assert csv == without.decode("utf-8-sig")


def test_unit_pages_and_boards_do_not_count_them(built: dict[str, Path]) -> None:
    public = built["with"] / "public"
    for unit in ("chengguan", "beiyuan", "yingji", "dongba"):
        with_page = (public / "units" / unit / "index.html").read_bytes()
        without_page = (built["without"] / "public" / "units" / unit / "index.html").read_bytes()
        assert with_page == without_page, f"units/{unit}/ differs"
    anthology = (public / "anthology" / "2026" / "index.html").read_text(encoding="utf-8")
    assert "关于社区治理的调研报告" in anthology
    thread = (public / "items" / "2026-05-20-fire-first" / "index.html").read_text("utf-8")
    assert "区应急管理局关于仓库火情的综合报告" in thread


@pytest.mark.parametrize("drafts", [False, True], ids=["published", "drafts-preview"])
def test_incremental_builds_keep_them_out(tmp_path: Path, drafts: bool) -> None:
    """Withheld files added to a built site, edited, then removed: no trace at any step."""
    root = make_site(tmp_path / "site", secrets=False)
    options = BuildOptions(jobs=1, drafts=drafts)
    assert build(root, options).ok
    clean = output_files(root / "public")
    for s in SECRETS:
        write_item(root, s.path, s.front, s.body)
    result = build(root, options)
    assert result.ok and result.withheld == len(SECRETS)
    assert output_files(root / "public") == clean
    # a withheld item edited (new tag, new body) and another reclassified 秘密 → 绝密
    first, second = SECRETS[0], SECRETS[1]
    write_item(root, first.path, first.front + "status: draft\n", first.body + "QZXEDIT")
    write_item(root, second.path, second.front.replace("机密", "绝密"), second.body)
    assert build(root, options).ok
    files = output_files(root / "public")
    assert find_leaks(files, SECRETS) == []
    assert files == clean


def test_positive_control_the_scanner_finds_a_published_item(tmp_path: Path) -> None:
    """Reclassify one item as public: the scan must find it everywhere it now appears."""
    root = make_site(tmp_path / "site")
    alpha = SECRETS[0]
    write_item(root, alpha.path, alpha.front.replace("classification: 秘密\n", ""), alpha.body)
    result = build(root, BuildOptions(jobs=1))
    assert result.ok, [d.format("en") for d in result.diagnostics]
    files = output_files(root / "public")
    leaks = find_leaks(files, [alpha])
    leaked_files = {line.split(":", 1)[0] for line in leaks}
    assert "index.html" in leaked_files
    assert "feed.xml" in leaked_files
    assert f"items/{alpha.slug}/index.html" in leaked_files, sorted(leaked_files)
    if (root / "public" / "search-index").is_dir():
        assert any(p.startswith("search-index/") for p in leaked_files), leaked_files
    # and the other withheld items still do not leak
    assert find_leaks(files, SECRETS[1:], markers=False) == []


def test_cli_reports_the_withheld_count(built: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(built["with"], root, ignore=shutil.ignore_patterns("public", ".*"))
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "bulletin", "build", str(root)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "涉密不发布     |      8" in proc.stdout
    # the console is not an output file, but nothing there names a withheld item either
    assert MARKER not in (proc.stdout + proc.stderr).lower()


def test_a_withheld_title_that_is_public_text_does_not_stop_the_build(tmp_path: Path) -> None:
    """A classified item titled like a unit, or like a published item, is still withheld,
    but finding that ordinary text in the output is no evidence of a leak."""
    site = make_site(tmp_path / "site", secrets=False)
    write_item(
        site,
        "chengguan/plain-secret.md",
        "title: 城关镇\nunit: chengguan\ncategory: briefing\ndate: 2026-03-01\n"
        "classification: 秘密\n",
        "涉密正文。",
    )
    result = build(site, BuildOptions(output=tmp_path / "out"))
    assert result.ok, [d.format("en") for d in result.errors]
    assert result.withheld == 1
    assert not (tmp_path / "out" / "items" / "plain-secret").exists()


GONE_SLUG = "2026-04-24-fangxun"
GONE_PATH = f"chengguan/{GONE_SLUG}.md"


def make_gone(root: Path, how: str) -> None:
    """Take the item GONE_SLUG out of the site: withheld, drafted, deleted or renamed."""
    path = root / "content" / GONE_PATH
    if how == "withheld":
        text = path.read_text("utf-8").replace("---\n", "---\nclassification: 秘密\n", 1)
        path.write_text(text, "utf-8")
    elif how == "drafted":
        path.write_text(
            path.read_text("utf-8").replace("---\n", "---\nstatus: draft\n", 1), "utf-8"
        )
    elif how == "deleted":
        path.unlink()
    else:
        path.rename(path.with_name("2026-04-24-fangxun-renamed.md"))


@pytest.mark.parametrize("how", ["withheld", "drafted", "deleted", "renamed"])
@pytest.mark.parametrize("kind", ["cli", "session"])
def test_a_gone_item_leaves_no_empty_directory(tmp_path: Path, how: str, kind: str) -> None:
    """issue 12 §1: public build, then the item is withheld (or drafted, deleted,
    renamed), then any other edit: its directory under items/ must not come back, empty
    or not, and the output holds exactly the paths of a clean build."""
    root = make_site(tmp_path / "site", secrets=False)
    out = tmp_path / "out"
    options = BuildOptions(output=out, jobs=1)
    if kind == "session":
        options = BuildOptions(output=out, jobs=1, session=BuildSession(), defer_search=True)
    assert build(root, options).ok
    finish_session(options)
    assert f"items/{GONE_SLUG}" in paths(out)
    make_gone(root, how)
    assert build(root, options).ok
    finish_session(options)
    other = root / "content" / "beiyuan" / "2026-09-01-diaoyan.md"
    for step in range(2):  # a body edit, twice: the spare tree is reused both times
        with other.open("a", encoding="utf-8") as fh:
            fh.write(f"\n补充第{step}段。\n")
        changed = frozenset({other.relative_to(root).as_posix()})
        result = build(root, replace(options, changed=changed) if kind == "session" else options)
        assert result.ok
        finish_session(options)
        assert f"items/{GONE_SLUG}" not in paths(out)
        clean = tmp_path / f"clean-{step}"
        assert build(root, BuildOptions(output=clean, jobs=1, cache=False)).ok
        assert_same_tree(out, clean, f"{how}, then edit {step}")


ALPHA = SECRETS[0]
ALPHA_TITLE = "北苑街道QZXALPHA龘靐信息"


@pytest.mark.parametrize(
    "name",
    [
        f"archive/{ALPHA_TITLE}/index.html",  # a directory named by the title
        f"archive/{quote(ALPHA_TITLE)}/index.html",  # … URL-encoded
        f"units/{ALPHA.slug}.html",  # a file named by the slug, outside items/
        f"downloads/{quote(ALPHA.slug)}/list.csv",  # … URL-encoded
    ],
)
def test_a_withheld_slug_or_title_in_an_output_path_refuses_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """issue 12 §1: the leak scan covers the names of files and directories, wherever
    they are (a planner bug, a stale directory), not only items/<slug>/."""
    from bulletin.plan import pages
    from bulletin.plan.pages import Page

    root = make_site(tmp_path / "site")

    def leaky(site, today):  # noqa: ANN001, ANN202 - a planner with a bug
        yield Page(name, "", {}, ("config",), "leaky", data=b"nothing secret inside")

    monkeypatch.setattr(pages, "PLANNERS", (*pages.PLANNERS, leaky))
    out = tmp_path / "out"
    result = build(root, BuildOptions(output=out, jobs=1))
    assert not result.ok
    assert [d.text("zh-CN") for d in result.errors] == ["输出文件名泄露了涉密（不发布）信息"]
    assert not out.exists()  # nothing was published
