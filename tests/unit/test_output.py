"""Writing the output: refusing dangerous directories, staging, swapping, leak scanning."""

from __future__ import annotations

import os
from pathlib import Path

import markupsafe
import pytest

from bulletin.confidential import content_pattern, scan_files
from bulletin.config import SiteConfig, load_config
from bulletin.output import MARKER, PageWriter, Staging, check_output_dir

OLD = 1_000_000_000


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "layouts").mkdir()
    (site / "site.toml").write_text('[units.a]\nname = "甲镇"\nkind = "town"\n', "utf-8")
    return load_config(site)


def refusal(config: SiteConfig, output: Path) -> str:
    (d,) = check_output_dir(config, output)
    assert (d.path, d.field) == ("site.toml", "output_dir")
    assert d.text("en").endswith("; nothing was written")
    return d.text("en")


# --- which directories may be written -------------------------------------------------


def test_dangerous_output_directories_are_refused(config: SiteConfig) -> None:
    root = config.root.resolve()
    assert "is the site directory itself" in refusal(config, root)
    assert "is an ancestor of the site directory" in refusal(config, root.parent)
    assert "is an ancestor of the site directory" in refusal(config, Path("/"))
    assert "is inside content/" in refusal(config, root / "content")
    assert "is inside content/" in refusal(config, root / "content" / "a" / "public")
    assert "is inside layouts/" in refusal(config, root / "layouts" / "public")
    assert "is the site directory itself" in refusal(config, root / "content" / "..")


def test_foreign_directory_and_file_are_refused(config: SiteConfig, tmp_path: Path) -> None:
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "年终总结.docx").write_bytes(b"x")
    assert "non-empty directory that bulletin did not create" in refusal(config, foreign)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", "utf-8")
    assert "exists and is not a directory" in refusal(config, a_file)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_to_the_site_is_refused(config: SiteConfig, tmp_path: Path) -> None:
    link = tmp_path / "public-link"
    link.symlink_to(config.root, target_is_directory=True)
    assert "is the site directory itself" in refusal(config, link)


def test_acceptable_output_directories(config: SiteConfig, tmp_path: Path) -> None:
    root = config.root
    assert check_output_dir(config, root / "public") == []  # does not exist yet
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_output_dir(config, empty) == []
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / MARKER).write_text("", "utf-8")
    (ours / "index.html").write_text("旧站点", "utf-8")
    assert check_output_dir(config, ours) == []


# --- staging and swapping -------------------------------------------------------------


def build(output: Path, files: dict[str, str]) -> None:
    with Staging(output) as staging:
        for rel, text in files.items():
            staging.put(rel, text.encode("utf-8"))
        staging.prune()
        staging.swap()


def contents(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text("utf-8") for p in root.rglob("*") if p.is_file()
    }


def test_first_build_creates_output_with_marker(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(out, {"index.html": "首页", "items/春耕/index.html": "春耕"})
    got = contents(out)
    assert got["index.html"] == "首页" and got["items/春耕/index.html"] == "春耕"
    assert MARKER in got
    assert not list(tmp_path.glob(".public.staging-*"))


def test_rebuild_keeps_unchanged_files_and_prunes_stale_ones(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(out, {"index.html": "首页", "a.html": "甲", "gone.html": "旧"})
    for p in out.rglob("*"):
        os.utime(p, (OLD, OLD))
    inode = (out / "a.html").stat().st_ino

    build(out, {"index.html": "新首页", "a.html": "甲"})
    got = contents(out)
    assert got == {"index.html": "新首页", "a.html": "甲", MARKER: got[MARKER]}
    assert (out / "a.html").stat().st_mtime == OLD
    assert (out / "a.html").stat().st_ino == inode
    assert (out / "index.html").stat().st_mtime != OLD


def test_many_rebuilds_stay_correct(tmp_path: Path) -> None:
    """Each build must show exactly its own files, whatever was reused from earlier ones."""
    out = tmp_path / "public"
    generations = [
        {"a.html": "1", "b.html": "1", "c/index.html": "1"},
        {"a.html": "2", "b.html": "1"},
        {"a.html": "2", "b.html": "3", "c/index.html": "3"},
        {"a.html": "4", "b.html": "3", "c/index.html": "3"},
        {"a.html": "4", "b.html": "3", "c/index.html": "3"},
        {"b.html": "6"},
    ]
    for files in generations:
        build(out, files)
        got = contents(out)
        got.pop(MARKER)
        assert got == files


def test_live_site_is_untouched_until_the_swap(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(out, {"index.html": "旧首页", "a.html": "甲"})
    with Staging(out) as staging:
        staging.put("index.html", "新首页".encode())
        staging.put("b.html", "乙".encode())
        staging.prune()
        assert contents(out) == {
            "index.html": "旧首页",
            "a.html": "甲",
            MARKER: contents(out)[MARKER],
        }
        staging.swap()
    assert contents(out)["index.html"] == "新首页"


def test_failed_build_leaves_the_old_site_and_no_litter(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(out, {"index.html": "旧首页", "a.html": "甲"})
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    inodes = {p: p.stat().st_ino for p in before}
    siblings = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(RuntimeError), Staging(out) as staging:
        staging.put("index.html", "半成品".encode())
        staging.prune()
        raise RuntimeError("template failed")

    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_ino for p in after} == inodes
    assert not list(tmp_path.glob(".public.staging-*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings


def test_unchanged_write_reports_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(out, {"a.html": "甲"})
    with Staging(out) as staging:
        assert staging.put("a.html", "甲".encode()) is False
        assert staging.put("b.html", "乙".encode()) is True
        assert staging.stats.written == 1 and staging.stats.unchanged == 1


def test_staging_knows_the_files_it_started_from(tmp_path: Path) -> None:
    out = tmp_path / "public"
    with Staging(out) as staging:  # a first build: nothing to prune, nothing to walk
        assert staging.previous == set()
        staging.put("a.html", "甲".encode())
        staging.swap()
    (tmp_path / ".public.bulletin-state").unlink(missing_ok=True)  # no spare: linked afresh
    with Staging(out) as staging:
        assert staging.previous == {"a.html", MARKER}
        staging.prune()
        assert staging.removed == ("a.html",)


def test_a_page_new_to_staging_never_writes_through_a_link_to_the_live_site(
    tmp_path: Path,
) -> None:
    """Told a page is absent when a hard link to the live file is there after all, the
    writer must replace the link, not write into the file both trees share."""
    out = tmp_path / "public"
    build(out, {"a.html": "旧"})
    (tmp_path / ".public.bulletin-state").unlink(missing_ok=True)
    with Staging(out) as staging:
        assert (staging.path / "a.html").stat().st_ino == (out / "a.html").stat().st_ino
        writer = PageWriter(str(staging.path) + os.sep, frozenset())  # "a.html" absent
        assert writer.write("a.html", b"new") is True
        writer.write("b/index.html", b"b")
        assert (out / "a.html").read_text(encoding="utf-8") == "旧"
        assert (staging.path / "a.html").read_bytes() == b"new"
        assert (staging.path / "b" / "index.html").read_bytes() == b"b"


# --- leak scan ------------------------------------------------------------------------

TITLE = "城关镇<重点>目标安保部署&方案"


@pytest.mark.parametrize(
    "form",
    [
        TITLE,
        str(markupsafe.escape(TITLE)),
        "城关镇&lt;重点&gt;目标安保部署&amp;方案",
    ],
)
def test_content_pattern_matches_raw_and_escaped_titles(form: str) -> None:
    pattern = content_pattern([TITLE])
    assert pattern is not None
    assert pattern.search(f"<p>{form}</p>".encode())


@pytest.mark.parametrize("title", ['关于"甲项目"的涉密部署', "关于'甲项目'的涉密部署"])
def test_content_pattern_matches_titles_with_quotes_as_jinja_escapes_them(title: str) -> None:
    pattern = content_pattern([title])
    assert pattern is not None
    assert pattern.search(str(markupsafe.escape(title)).encode())


def test_content_pattern_of_nothing() -> None:
    assert content_pattern([]) is None
    assert content_pattern([""]) is None


def test_scan_files_names_the_files(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    (tmp_path / "index.html").write_text(f"<li>{markupsafe.escape(TITLE)}</li>", "utf-8")
    (tmp_path / "items" / "ok.html").write_text("<p>公开信息</p>", "utf-8")
    (tmp_path / "search.json").write_text(f'{{"t": "{TITLE}"}}', "utf-8")
    pattern = content_pattern([TITLE, "另一条涉密标题"])
    assert pattern is not None
    found = scan_files(
        tmp_path, ["index.html", "items/ok.html", "search.json", "gone.html"], pattern
    )
    assert found == ["index.html", "search.json"]


def test_names_with_leaks_sees_file_and_directory_names_raw_and_encoded() -> None:
    from urllib.parse import quote

    from bulletin.confidential import LeakPolicy, name_pattern, names_with_leaks

    policy = LeakPolicy(None, name_pattern(["涉密选址", "xqz-slug"]), ("items/gone/",), "")
    files = [
        "index.html",
        "a/涉密选址/index.html",
        f"b/{quote('涉密选址')}.html",
        "c/xqz-slug.json",
        "items/public/index.html",
        "items/gone/index.html",
    ]
    assert names_with_leaks(files, policy) == [*files[1:4], files[5]]
    assert name_pattern([]) is None
