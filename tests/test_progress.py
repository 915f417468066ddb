"""Long builds show progress on a terminal and stay quiet elsewhere."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bulletin.cli import terminal_progress

SAMPLE = Path(__file__).resolve().parents[1]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    term = FakeTerminal()
    show = terminal_progress(term, "en")
    assert show is not None
    show("read", 10, 10)
    show("render", 5, 5)
    assert "items read: 10/10" in term.getvalue()
    assert "pages written: 5/5" in term.getvalue()


def test_no_progress_for_pipes_or_ci(monkeypatch) -> None:
    assert terminal_progress(io.StringIO()) is None
    monkeypatch.setenv("CI", "true")
    assert terminal_progress(FakeTerminal()) is None


def test_build_output_piped_has_no_progress_escapes(tmp_path: Path) -> None:
    for name in ("site.toml", "content", "layouts"):
        src = SAMPLE / name
        dst = tmp_path / name
        if src.is_dir():
            import shutil

            shutil.copytree(src, dst)
        else:
            dst.write_bytes(src.read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "bulletin", "build", str(tmp_path), "--today", "2026-11-27"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "\033[" not in done.stderr
    assert "items read" not in done.stderr
