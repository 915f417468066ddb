"""What browsers of ``bulletin serve`` are told: the reload script and the build state.

HTML responses get, at response time only, one ``<script>`` tag loading
``/__bulletin/reload.js`` (``reload.js`` beside this file, served from memory); the script
listens to Server-Sent Events at ``/__bulletin/events`` carrying ``LiveState.snapshot()``.
"""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
import threading
from html import escape
from pathlib import Path
from typing import Any

from ..build import BuildResult
from ..messages import DEFAULT_LANGUAGE, msg
from ..watch import Change, Rebuild

PREFIX = "/__bulletin/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "reload.js"
STATUS = PREFIX + "status"
OVERLAY_ID = "__bulletin-overlay"
MAX_ERRORS = 100
MAX_CHANGED = 500
RELOAD_JS = (
    (Path(__file__).parent / "reload.js")
    .read_text(encoding="utf-8")
    .replace("__OVERLAY_ID__", OVERLAY_ID)
    .replace("__EVENTS__", EVENTS)
)

PLACEHOLDER = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font:16px/1.6 system-ui,sans-serif;margin:3em">
<h1 style="font-size:1.4em">{title}</h1><p>{text}</p>
</body></html>
"""

TEXT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".svg": "image/svg+xml",
    ".md": "text/plain",
}
BINARY_TYPES = {".wasm": "application/wasm", ".woff2": "font/woff2", ".woff": "font/woff"}
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def content_type(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext] + "; charset=utf-8"
    if ext in BINARY_TYPES:
        return BINARY_TYPES[ext]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def script_tag(build_id: str | None, file: str = "") -> bytes:
    """The one tag added to served HTML; ``file`` is the output file the page came from."""
    return (
        f'<script src="{SCRIPT}" data-bulletin-build="{escape(build_id or "")}" '
        f'data-bulletin-file="{escape(file)}"></script>'
    ).encode()


def inject(html: bytes, build_id: str | None, file: str = "") -> bytes:
    """The page with the reload script before its last ``</body>`` (or at its end)."""
    tag = script_tag(build_id, file)
    matches = list(BODY_END.finditer(html))
    if not matches:
        return html + tag
    at = matches[-1].start()
    return html[:at] + tag + html[at:]


def changed_files(result: BuildResult) -> list[str] | None:
    """The output files a build changed, when few enough to send and known exactly.

    None tells pages to reload whatever they show: removals are not listed by the build,
    and a long list is not worth sending.
    """
    files = getattr(result, "written_files", None)
    if files is None or result.removed or len(files) != result.written:
        return None
    return list(files) if len(files) <= MAX_CHANGED else None


class LiveState:
    """The last good build and the outcome of the last build, shared with all requests."""

    def __init__(self) -> None:
        self.instance = secrets.token_hex(4)  # a restarted server makes open pages reload
        self.generation = 0  # good builds that changed the output
        self.previous: str | None = None  # the build id before the current one
        self.changed: list[str] | None = None  # output files that build wrote, if known
        self.ok: bool | None = None  # None: no build finished yet
        self.errors: list[str] = []
        self.more = 0
        self.building = False
        self.builds = 0
        self.seq = 0  # bumped on every published build; SSE streams wait on it
        self.closed = False
        self.base_path = "/"
        self.language = DEFAULT_LANGUAGE  # of the overlay and its diagnostics
        self.cond = threading.Condition()

    @property
    def build_id(self) -> str | None:
        """Id of the build now served, or None before the first good build."""
        return f"{self.instance}-{self.generation}" if self.generation else None

    def started(self, changes: tuple[Change, ...]) -> None:
        with self.cond:
            self.building = True

    def publish(self, rebuild: Rebuild) -> None:
        result = rebuild.result
        with self.cond:
            self.builds += 1
            self.building = False
            if result.ok:
                if self.generation == 0 or rebuild.changed_output:
                    self.previous = self.build_id
                    self.generation += 1
                    self.changed = changed_files(result)
                self.ok = True
                self.errors, self.more = [], 0
            else:
                errors = [d.format(self.language) for d in result.errors] or [
                    d.format(self.language) for d in result.diagnostics
                ]
                self.ok = False
                self.errors, self.more = errors[:MAX_ERRORS], max(0, len(errors) - MAX_ERRORS)
            self.seq += 1
            self.cond.notify_all()

    def snapshot(self) -> dict[str, Any]:
        with self.cond:
            return {
                "build": self.build_id,
                "previous": self.previous,
                "changed": self.changed,
                "ok": self.ok,
                "errors": list(self.errors),
                "more": self.more,
                "text": overlay_text(self.language, self.more),
                "building": self.building,
                "builds": self.builds,
            }

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until a build newer than ``seen`` is published (or close, or timeout)."""
        with self.cond:
            self.cond.wait_for(lambda: self.seq != seen or self.closed, timeout)
            return self.seq

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


def overlay_text(language: str, more: int) -> dict[str, str]:
    """The words of the error overlay, in ``language`` (the page's script shows them)."""
    return {
        "title": msg("serve.overlay_title").render(language),
        "hint": msg("serve.overlay_hint").render(language),
        "close": msg("serve.overlay_close").render(language),
        "more": msg("serve.overlay_more", n=more).render(language),
    }
