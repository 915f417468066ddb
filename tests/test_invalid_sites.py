"""Sites that must fail (or, for a few, build safely): one directory per case.

``tests/sites_invalid/<case>/`` is a tiny site. Its ``expected.txt`` holds the exact
diagnostic lines ``bulletin build`` must print on stderr (``path:line: field: message``);
``{SITE}`` stands for the site directory and ``{PARENT}`` for its parent. A non-empty
``expected.txt`` means exit code 1, and the test also checks that nothing on disk changed:
a good site built earlier into the case's ``public/`` (and everything around it) stays
byte-for-byte as it was. An empty ``expected.txt`` means the build succeeds with no
diagnostics; ``expected_output.txt`` then lists ``path | contains | text`` and
``path | lacks | text`` checks on the built files. A case with an ``xfail.txt`` shows a
known bug (the file says which): it is expected to fail until the bug is fixed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
CASES_DIR = TESTS / "sites_invalid"
GOOD_SITE = TESTS / "sites" / "basic"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.txt").is_file())
SUMMARY_PREFIX = "bulletin: "


def run_bulletin(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


def scratch(name: str) -> bool:
    """bulletin's own scratch space: the build cache, and the lock, spare tree and state
    file it keeps beside the output directory. Not the site, not its output."""
    return name == ".bulletin-cache" or (
        name.startswith(".") and name.endswith((".lock", ".spare", ".bulletin-state"))
    )


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and directory (None) under root, by relative path."""
    found: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not scratch(d))
        filenames = [f for f in filenames if not scratch(f)]
        for d in dirnames:
            found[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = None
        for f in filenames:
            full = os.path.join(dirpath, f)
            found[os.path.relpath(full, root)] = Path(full).read_bytes()
    return found


def describe_changes(before: dict[str, bytes | None], after: dict[str, bytes | None]) -> str:
    lines = [f"  removed: {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"  added:   {p}" for p in sorted(after.keys() - before.keys())]
    lines += [
        f"  changed: {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]
    ]
    return "\n".join(lines)


def expected_lines(case: Path, site: Path) -> list[str]:
    text = (case / "expected.txt").read_text(encoding="utf-8")
    text = text.replace("{SITE}", str(site.resolve())).replace(
        "{PARENT}", str(site.resolve().parent)
    )
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site tests/sites/basic, built once: the 'previous good site'."""
    from bulletin.build import BuildOptions, build

    root = tmp_path_factory.mktemp("good")
    site = root / "site"
    shutil.copytree(
        GOOD_SITE, site, ignore=shutil.ignore_patterns("expected", "public", ".bulletin-cache")
    )
    result = build(site, BuildOptions(output=root / "public"))
    assert result.ok, [d.format("en") for d in result.diagnostics]
    assert (root / "public" / "index.html").is_file()
    return root / "public"


def prepare(case: str, tmp_path: Path, good_output: Path) -> Path:
    """Copy the case to tmp_path/site, with a previous good build in its public/."""
    site = tmp_path / "site"
    shutil.copytree(
        CASES_DIR / case,
        site,
        ignore=shutil.ignore_patterns("expected*.txt", "xfail.txt", "public", ".bulletin-cache"),
    )
    shutil.copytree(good_output, site / "public")
    return site


def cli_build(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`bulletin build SITE` in this process (fast); the CLI tests run it in a subprocess."""
    from bulletin.cli import main

    capsys.readouterr()
    code = main(["build", str(site)])
    return code, capsys.readouterr().err


def case_param(case: str) -> object:
    """A case with an ``xfail.txt`` documents a known bug: it must fail until fixed."""
    reason = CASES_DIR / case / "xfail.txt"
    if reason.is_file():
        mark = pytest.mark.xfail(strict=True, reason=reason.read_text(encoding="utf-8").strip())
        return pytest.param(case, marks=mark)
    return case


@pytest.mark.parametrize("case", [case_param(c) for c in CASES])
def test_case(
    case: str, tmp_path: Path, good_output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = prepare(case, tmp_path, good_output)
    expected = expected_lines(CASES_DIR / case, site)
    before = snapshot(tmp_path)

    code, stderr = cli_build(site, capsys)

    diagnostics = [ln for ln in stderr.splitlines() if not ln.startswith(SUMMARY_PREFIX)]
    if expected:
        assert code == 1, stderr
        assert diagnostics == expected, "stderr was:\n" + stderr
        summary = [ln for ln in stderr.splitlines() if ln.startswith(SUMMARY_PREFIX)]
        assert summary and summary[-1].endswith("没有写入任何文件"), stderr
        changes = describe_changes(before, snapshot(tmp_path))
        assert not changes, f"a failed build changed files on disk:\n{changes}"
    else:
        assert code == 0, stderr
        assert diagnostics == [], stderr
        check_output(CASES_DIR / case, site / "public")


def check_output(case: Path, public: Path) -> None:
    spec = case / "expected_output.txt"
    assert spec.is_file(), f"{case.name}: a case that builds needs expected_output.txt"
    checks = 0
    for raw in spec.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        rel, verb, needle = (part.strip() for part in raw.split(" | ", 2))
        path = public / rel
        assert path.is_file(), f"{rel} was not built"
        text = path.read_text(encoding="utf-8")
        if verb == "contains":
            assert needle in text, f"{rel} should contain {needle!r}"
        elif verb == "lacks":
            assert needle not in text, f"{rel} must not contain {needle!r}"
        else:
            raise AssertionError(f"{case.name}/expected_output.txt: unknown check {verb!r}")
        checks += 1
    assert checks, f"{case.name}/expected_output.txt has no checks"


def test_gbk_fixture_really_is_gbk() -> None:
    """Guard against an editor or tool silently re-encoding the fixture as UTF-8."""
    data = (CASES_DIR / "gbk-file" / "content" / "chengguan" / "fangxun.md").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "城关镇".encode("gbk") in data


def test_crlf_bom_fixture_keeps_its_bytes() -> None:
    data = (CASES_DIR / "crlf-bom" / "content" / "chengguan" / "fangxun.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert data.count(b"\r\n") == data.count(b"\n") > 5


def test_every_case_is_collected() -> None:
    """A case directory without expected.txt would be skipped silently."""
    dirs = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
    assert dirs == CASES
    assert len(CASES) >= 20


def test_check_reports_the_same_as_build(tmp_path: Path) -> None:
    """`bulletin check`, in a subprocess: the same diagnostics, exit 1, nothing written."""
    site = tmp_path / "site"
    shutil.copytree(CASES_DIR / "many-errors", site, ignore=shutil.ignore_patterns("expected*"))
    before = snapshot(tmp_path)
    proc = run_bulletin("check", site)
    assert proc.returncode == 1
    diagnostics = [ln for ln in proc.stderr.splitlines() if not ln.startswith(SUMMARY_PREFIX)]
    assert diagnostics == expected_lines(CASES_DIR / "many-errors", site)
    assert not describe_changes(before, snapshot(tmp_path))
