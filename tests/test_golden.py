"""Golden files: the fixture site ``tests/sites/basic`` must build to exactly ``expected/``.

Every built file is compared byte for byte; missing, extra and different files are all
reported, with a diff. After an intended change to the output, regenerate with

    BULLETIN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the changes to ``tests/sites/basic/expected/`` before committing them.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from conftest import copy_basic_site

from bulletin.build import BuildOptions, build

SITE = Path(__file__).parent / "sites" / "basic"
EXPECTED = SITE / "expected"
UPDATE = os.environ.get("BULLETIN_UPDATE_GOLDEN") == "1"
MAX_DIFF_LINES = 60


def files_under(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def build_fixture(tmp_path: Path) -> Path:
    site = copy_basic_site(tmp_path / "basic")
    out = tmp_path / "out"
    # the search index has its own tests (tests/test_search_*.py); golden files are pages
    result = build(site, BuildOptions(output=out, search=False))
    assert result.ok, "\n".join(d.format("en") for d in result.diagnostics)
    assert not result.warnings, "\n".join(d.format("en") for d in result.warnings)
    return out


def diff(rel: str, want: bytes, got: bytes) -> str:
    try:
        a = want.decode("utf-8").splitlines(keepends=True)
        b = got.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"{rel}: binary files differ ({len(want)} vs {len(got)} bytes)\n"
    lines = list(difflib.unified_diff(a, b, f"expected/{rel}", f"built/{rel}", n=2))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more lines)\n"]
    return "".join(lines)


def compare(expected: dict[str, Path], built: dict[str, Path]) -> str:
    report = []
    missing = sorted(expected.keys() - built.keys())
    extra = sorted(built.keys() - expected.keys())
    if missing:
        report.append("missing (expected but not built):\n" + "\n".join(f"  {p}" for p in missing))
    if extra:
        report.append("extra (built but not expected):\n" + "\n".join(f"  {p}" for p in extra))
    for rel in sorted(expected.keys() & built.keys()):
        want, got = expected[rel].read_bytes(), built[rel].read_bytes()
        if want != got:
            report.append(diff(rel, want, got))
    return "\n".join(report)


def test_basic_site_matches_golden_files(tmp_path: Path) -> None:
    out = build_fixture(tmp_path)
    built = files_under(out)
    if UPDATE:
        if EXPECTED.exists():
            shutil.rmtree(EXPECTED)
        shutil.copytree(out, EXPECTED)
        print(f"golden files rewritten: {len(built)} files in {EXPECTED}")
        return
    expected = files_under(EXPECTED)
    assert expected, (
        f"no golden files in {EXPECTED}; create them with BULLETIN_UPDATE_GOLDEN=1 and review"
    )
    problems = compare(expected, built)
    assert not problems, (
        "built output differs from the golden files "
        "(if intended, rerun with BULLETIN_UPDATE_GOLDEN=1 and review):\n" + problems
    )


def test_golden_files_cover_every_page_kind() -> None:
    """The golden set itself must show what the fixture is for."""
    expected = files_under(EXPECTED)
    for rel in (
        "index.html",
        "items/2026-03-02-chungeng/index.html",
        "items/2026-04-18-防汛演练调研/index.html",
        "units/chengguan/index.html",
        "categories/briefing/index.html",
        "adopted/city/index.html",
        "assets/style.css",
        "assets/print.css",
        "issues/index.html",
        "issues/qingshi/2026/2/index.html",  # a special issue (专刊), three items
        "issues/qingshi/2026/1/index.html",  # an editor's note (编者按)
        "stats/2026/q1/index.html",  # a quarter over, with its 下一步要求 note
        "stats/2026/q2/index.html",  # a quarter in progress
    ):
        assert rel in expected, f"golden set lacks {rel}"
    # Withheld and draft items have no page, and nothing names the classified item.
    assert not any("baomi" in rel or "draft" in rel for rel in expected)
    # nor do the draft issue (No.3) and the withheld one (No.4)
    assert not any(
        rel.startswith(("issues/qingshi/2026/3", "issues/qingshi/2026/4")) for rel in expected
    )
    for path in expected.values():
        assert "青石区重点目标安保部署方案".encode() not in path.read_bytes(), path
        assert "青石区重点目标安保专报".encode() not in path.read_bytes(), path


def test_compare_reports_missing_extra_and_different_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "items").mkdir(parents=True)
        (root / "same.html").write_text("同\n", encoding="utf-8")
    (a / "gone.html").write_text("x", encoding="utf-8")
    (b / "new.html").write_text("y", encoding="utf-8")
    (a / "items" / "x.html").write_text("<p>旧</p>\n", encoding="utf-8")
    (b / "items" / "x.html").write_text("<p>新</p>\n", encoding="utf-8")
    report = compare(files_under(a), files_under(b))
    assert "missing (expected but not built):\n  gone.html" in report
    assert "extra (built but not expected):\n  new.html" in report
    assert "-<p>旧</p>" in report and "+<p>新</p>" in report
    assert "same.html" not in report
