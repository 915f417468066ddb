"""The build context: what every stage of one build shares, decided once at its start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .cache import BuildCache
from .config import SiteConfig
from .fingerprint import digest
from .model import Site
from .parallel import Progress
from .plan.deps import Values


@dataclass(frozen=True)
class BuildContext:
    """One build's settings and resources (frozen: stages read it, never change it)."""

    config: SiteConfig
    output: Path  # resolved
    today: dt.date
    template_fp: str  # fingerprint of every template that could be used
    cache: BuildCache
    jobs: int  # worker processes
    drafts: bool = False
    strict: bool = False
    search: bool = True
    write: bool = True  # False: validate only (bulletin check)
    defer_search: bool = False  # a session: pages first, the search index after
    progress: Progress | None = None
    site_layouts: bool = False  # the site has layouts of its own (coarser page deps)

    @property
    def settings(self) -> tuple[object, ...]:
        """What the output depends on besides the items, today and the output path: one
        list, shared by the input fingerprint and a session's partial rebuilds."""
        return (
            __version__,
            self.config.fingerprint,
            self.template_fp,
            self.drafts,
            self.strict,
            self.search,
        )

    @property
    def page_base(self) -> str:
        """The part of every page's fingerprint that is not the page's own deps."""
        return digest(
            __version__, self.config.fingerprint, self.template_fp, self.drafts, self.today
        )

    def dep_values(self, site: Site) -> Values:
        """What page deps stand for in ``site`` (coarse with the site's own layouts)."""
        return Values(site, fine=not self.site_layouts)

    def input_fingerprint(self, signatures: list[tuple[str, tuple[int, int, int, int]]]) -> str:
        """Everything a build reads, by stat signature: equal means nothing to do."""
        return digest(*self.settings, self.today, self.output, signatures)
