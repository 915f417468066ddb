"""The data of bulletin issues (期) and circular notes, from their files to the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..markdown import ItemLink, RenderedBody
from ..schema import WITHHELD
from ..urls import issue_pdf_name


@dataclass(frozen=True)
class Distribution:
    """The distribution lines at the foot of an issue: 报 (up), 送 (same level), 发 (down)."""

    report: tuple[str, ...] = ()
    send: tuple[str, ...] = ()
    distribute: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.report or self.send or self.distribute)


@dataclass(frozen=True)
class IssueEntry:
    """One item named in an issue's ``items`` list, with the line it was written on."""

    slug: str
    line: int


@dataclass(frozen=True)
class IssueSource:
    """One valid issue file, before it is checked against the items."""

    path: str  # relative to the site directory, posix
    bulletin: str
    number: int
    date: dt.date
    signed_by: str | None
    entries: tuple[IssueEntry, ...]
    title: str | None
    distribution: Distribution | None  # None: the bulletin's default
    copies: int | None
    status: str
    classification: str
    note: RenderedBody  # the editor's note (编者按); its text is "" when there is none
    lines: tuple[tuple[str, int], ...]  # front-matter key → line
    key: str  # fingerprint of the file's bytes and path

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def withheld(self) -> bool:
        return self.classification in WITHHELD

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 1)


@dataclass(frozen=True)
class Bulletin:
    """A bulletin of the site (from ``[bulletins.<id>]``), with its place on /issues/."""

    id: str
    name: str
    publisher: str
    level: str  # adoption level id
    distribution: Distribution
    url: str


@dataclass(frozen=True)
class Issue:
    """A published issue (期) of a bulletin: what pages, figures and exports show."""

    bulletin: Bulletin
    number: int
    date: dt.date
    title: str | None  # a special issue's title (专刊)
    signed_by: str | None
    slugs: tuple[str, ...]  # the items, in print order
    distribution: Distribution
    copies: int | None
    draft: bool
    note_html: str  # "" without an editor's note
    note_text: str
    url: str
    key: str

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def label(self) -> str:
        """《岚川信息》2026年第15期: how an adoption by this issue is written."""
        return issue_label(self.bulletin.name, self.date.year, self.number)

    @property
    def pdf_url(self) -> str:
        return self.url + issue_pdf_name(self.bulletin.id, self.year, self.number)


def issue_label(name: str, year: int, number: int) -> str:
    """《name》YYYY年第N期, the way an issue is cited (in adoptions, messages, files)."""
    return f"《{name}》{year}年第{number}期"


@dataclass(frozen=True)
class CircularNote:
    """What ``content/circulars/<year>-q<N>.md`` adds to a quarter's circular: the closing
    下一步要求 (its body), under its own ``title`` if given."""

    year: int
    quarter: int
    title: str | None
    html: str
    path: str = ""
    links: tuple[ItemLink, ...] = ()


@dataclass(frozen=True)
class Documents:
    """The office's own content files: issue sources and circular notes."""

    issues: tuple[IssueSource, ...] = ()
    notes: tuple[CircularNote, ...] = ()
