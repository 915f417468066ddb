"""One type for every user-facing problem, and how problems are printed."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TextIO

from .messages import DEFAULT_LANGUAGE, Message, as_message, msg

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem in the user's input: ``path:line: field: message``.

    ``message`` is a ``messages.Message``: words only when printed, in the language asked
    for (``format(language)``); the ``path:line: field:`` prefix is the same in every
    language. Ordered by ``sort_key`` (file, line, field, message): a problem without a
    line comes first in its file, whatever the others' lines are.
    """

    path: str
    line: int | None
    field: str | None
    message: Message
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if not isinstance(self.message, Message):  # text from code not yet on the catalogue
            object.__setattr__(self, "message", as_message(self.message))

    def format(self, language: str = DEFAULT_LANGUAGE) -> str:
        """``path:line: field: message`` in ``language`` (a warning says so first)."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        prefix = "" if self.severity == "error" else msg("severity.warning").render(language)
        text = self.message.render(language)
        if self.field:
            return f"{where}: {self.field}: {prefix}{text}"
        return f"{where}: {prefix}{text}"

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The message alone, in ``language``."""
        return self.message.render(language)

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


def sort_key(d: Diagnostic) -> tuple[str, int, str, str, str, str]:
    """The one order of diagnostics: by file, line (none first), field, message."""
    return (d.path, d.line or 0, d.field or "", d.message.id, repr(d.message.args), d.severity)


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


def report(
    diagnostics: Iterable[Diagnostic],
    stream: TextIO | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """Print diagnostics sorted by file and line, one per line, in ``language``."""
    out = stream if stream is not None else sys.stderr
    # one write: stderr is line-buffered, and a large site can have thousands of warnings
    out.write("".join(d.format(language) + "\n" for d in sorted(diagnostics, key=sort_key)))
    out.flush()


def did_you_mean(word: str, choices: Iterable[str]) -> Message | None:
    """A ' (did you mean "x"?)' hint, or None when nothing is close."""
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return msg("hint.did_you_mean", word=match[0]) if match else None
