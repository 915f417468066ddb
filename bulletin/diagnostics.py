"""One type for every user-facing problem, and how problems are printed."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TextIO

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem in the user's input: ``path:line: field: message``.

    Ordered by ``sort_key`` (file, line, field, message): a problem without a line
    comes first in its file, whatever the others' lines are.
    """

    path: str
    line: int | None
    field: str | None
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        prefix = "" if self.severity == "error" else "warning: "
        if self.field:
            return f"{where}: {self.field}: {prefix}{self.message}"
        return f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) < sort_key(other)


class BulletinError(Exception):
    """Raised to stop a stage when it found errors; carries them all."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class BodyMissing(Exception):
    """A rendered body the cache's item index promised is not in the cache (a shard lost
    or corrupted since). Not a problem of the input: ``build()`` starts again without the
    cache, once; template rendering lets it through."""


def sort_key(d: Diagnostic) -> tuple[str, int, str, str, str]:
    """The one order of diagnostics: by file, line (none first), field, message."""
    return (d.path, d.line or 0, d.field or "", d.message, d.severity)


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


def report(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    """Print diagnostics sorted by file and line, one per line."""
    out = stream if stream is not None else sys.stderr
    # one write: stderr is line-buffered, and a large site can have thousands of warnings
    out.write("".join(d.format() + "\n" for d in sorted(diagnostics, key=sort_key)))
    out.flush()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' hint, or an empty string."""
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""
