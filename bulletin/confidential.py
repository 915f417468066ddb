"""The leak policy (保密): what the output must never contain, and the check before a swap.

Withheld (classified) items never enter the site model (``model.build_site``), so no
template can show them. This module is the second line: before any build is swapped in,
the staged output is searched for what would betray them —

- in file contents: their titles (raw, HTML-, JSON- or URL-escaped) and their
  addresses (``items/<slug>/``);
- in path names: their slugs and titles, raw or URL-encoded, in the name of any file or
  directory, and anything below their ``items/<slug>/`` folder.

A withheld title or slug that is also public text (a unit's name, a published title or
slug) is no evidence of a leak when found, so it is not searched. Pages rendered in this
build are searched as they are written; other new files here; files kept from the last
build only when the withheld set changed since (``LeakPolicy.fingerprint``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markupsafe import escape

from .diagnostics import Diagnostic
from .fingerprint import digest
from .messages import msg
from .model import Site, Withheld
from .urls import item_dir

NAME_LEAK = msg("leak.file_name")
CONTENT_LEAK = msg("leak.content")


@dataclass(frozen=True)
class LeakPolicy:
    """What one build's output must not contain (see the module docstring)."""

    content: re.Pattern[bytes] | None  # in file contents
    names: re.Pattern[str] | None  # in file and directory names
    item_dirs: tuple[str, ...]  # items/<slug>/ of withheld items: nothing may be below
    fingerprint: str  # of the withheld set: files kept from a build with another are rescanned

    def leaks(self, data: bytes) -> bool:
        """Whether file contents betray a withheld item."""
        return self.content is not None and self.content.search(data) is not None


def policy(site: Site, withheld: Withheld) -> LeakPolicy:
    """The leak policy of a site with these withheld items."""
    config = site.config
    public = "\n".join(
        [config.title]
        + [i.title for i in site.items]
        + [u.name for u in site.units]
        + [c.name for c in site.categories]
        + [lv.name for lv in site.levels]
    )
    titles = [t for t in withheld.titles if t not in public]
    addresses = [a for slug in withheld.slugs for a in (item_dir(slug), item_dir(quote(slug)))]
    public_names = public + "\n" + "\n".join(i.slug for i in site.items)
    return LeakPolicy(
        content=content_pattern(titles + addresses),
        names=name_pattern(titles + [s for s in withheld.slugs if s not in public_names]),
        item_dirs=tuple(item_dir(slug) for slug in withheld.slugs),
        fingerprint=digest(withheld.titles, withheld.slugs),
    )


def content_pattern(needles: Iterable[str]) -> re.Pattern[bytes] | None:
    """One regex matching any withheld string as it could appear in an output file:
    raw, HTML-escaped (Python's and Jinja's forms), JSON-escaped or URL-encoded."""
    forms: set[bytes] = set()
    for needle in needles:
        if not needle:
            continue
        for form in (
            needle,
            html.escape(needle),
            html.escape(needle, quote=False),
            str(escape(needle)),
            json.dumps(needle, ensure_ascii=False)[1:-1],
            json.dumps(needle)[1:-1],
            quote(needle),
        ):
            forms.add(form.encode("utf-8"))
    if not forms:
        return None
    return re.compile(b"|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def name_pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any withheld string as it could appear in an output path's
    names (of a file or of a directory): raw or URL-encoded."""
    forms = {form for n in needles if n for form in (n, quote(n, safe=""), quote(n))}
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def names_with_leaks(files: Iterable[str], policy: LeakPolicy) -> list[str]:
    """The files (posix paths) whose name, or the name of a directory they are in,
    betrays a withheld item. Directories are named through their files: the staged
    output holds no directory without a file below it (see ``output``)."""
    found = []
    for rel in files:
        if (policy.names is not None and policy.names.search(rel)) or (
            policy.item_dirs and rel.startswith(policy.item_dirs)
        ):
            found.append(rel)
    return found


def scan_files(root: Path, files: Iterable[str], pattern: re.Pattern[bytes]) -> list[str]:
    """Files under ``root`` whose contents match ``pattern``."""
    found = []
    for rel in files:
        try:
            data = (root / rel).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue
        if pattern.search(data):
            found.append(rel)
    return found


def check(
    root: Path,
    files: Iterable[str],
    to_scan: Iterable[str],
    leaked: Iterable[str],
    policy: LeakPolicy,
    shown: Path,
    site_root: Path,
) -> list[Diagnostic]:
    """The problems of a staged output at ``root`` holding ``files``: names betraying a
    withheld item (every file), contents betraying one (``to_scan`` read here, ``leaked``
    found as they were written). Paths are shown as files of the output ``shown``,
    relative to the site when inside it."""

    def where(rel: str) -> str:
        path = shown / rel
        try:
            return path.relative_to(site_root).as_posix()
        except ValueError:
            return str(path)

    problems = [
        Diagnostic(where(rel), None, None, NAME_LEAK)
        for rel in names_with_leaks(sorted(files), policy)
    ]
    suspects = set(leaked)
    if policy.content is not None:
        suspects.update(scan_files(root, to_scan, policy.content))
    problems += [Diagnostic(where(rel), None, None, CONTENT_LEAK) for rel in sorted(suspects)]
    return problems
