"""Issues checked against each other and against the items: what to publish, what not."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..config import SiteConfig
from ..content import SourceItem
from ..diagnostics import Diagnostic, did_you_mean
from ..markdown import ItemLink
from ..messages import Message, msg
from ..urls import issue_url, issues_url
from .files import ITEMS
from .issue import Bulletin, Distribution, Documents, Issue, IssueSource, issue_label

# --- cross-checks and the published issues -------------------------------------------------


@dataclass(frozen=True)
class IssueCheck:
    """What ``check_issues`` found: the issues to publish and the labels to withhold."""

    issues: tuple[Issue, ...]  # published in this build (drafts only in previews)
    withheld_labels: tuple[str, ...]  # what the output must never contain
    problems: tuple[Diagnostic, ...]


def check_issues(
    config: SiteConfig,
    documents: Documents,
    items: Mapping[str, SourceItem],
    *,
    drafts: bool,
    is_withheld: Callable[[SourceItem], bool],
    unpublished: Callable[[str], Message | None],
) -> IssueCheck:
    """Check issues against each other and against the items (``items``: every item by
    slug; ``unpublished``: why the item of a slug is not published in this build, or
    None when it is: the same reasons as for an item's links).

    Errors, each on the line of the offending list entry where there is one: a number
    used twice in one bulletin and year (both files named); a slug that names no item; in
    an issue that is published, an item that is a draft or withheld (a withheld issue may
    name withheld items); an issue dated before one of its items; a link in an editor's
    or circular note that does not lead to a published item (as for an item's links).
    """
    sources = sorted(documents.issues, key=lambda s: (s.bulletin, s.year, s.number, s.path))
    problems = _duplicate_numbers(config, sources)
    by_path = {s.path: s for s in items.values()}

    def check_links(path: str, links: Iterable[ItemLink]) -> None:
        for link in links:
            target = by_path.get("content/" + link.target)
            reason = msg("model.no_item_file") if target is None else unpublished(target.slug)
            if reason:
                message = msg("model.broken_link", target=link.target, reason=reason)
                problems.append(Diagnostic(path, link.line, "link", message))

    out: list[Issue] = []
    hidden: list[str] = []
    for src in sources:
        publish = not src.withheld and (drafts or not src.draft)
        for entry in src.entries:
            item = items.get(entry.slug)
            reason: Message | None = None
            hint = None
            if item is None:
                reason = msg("model.no_item")
                hint = did_you_mean(entry.slug, [s for s, i in items.items() if not is_withheld(i)])
            elif publish:
                reason = unpublished(entry.slug)
            if reason is None and item is not None and item.date > src.date:
                reason = msg(
                    "issue.item_later",
                    item_date=item.date.isoformat(),
                    issue_date=src.date.isoformat(),
                )
            if reason:
                message = msg("model.ref", slug=entry.slug, reason=reason, hint=hint)
                problems.append(Diagnostic(src.path, entry.line, ITEMS, message))
        bulletin = config.bulletin(src.bulletin)
        assert bulletin is not None  # read_issue checked it
        if src.withheld:
            hidden.extend([issue_label(bulletin.name, src.year, src.number), src.title or ""])
            continue
        if not publish:
            continue
        check_links(src.path, src.note.links)
        default = Distribution(bulletin.report, bulletin.send, bulletin.distribute)
        out.append(
            Issue(
                bulletin=Bulletin(
                    bulletin.id,
                    bulletin.name,
                    bulletin.publisher,
                    bulletin.level,
                    default,
                    issues_url(config.base_path, bulletin.id),
                ),
                number=src.number,
                date=src.date,
                title=src.title,
                signed_by=src.signed_by,
                slugs=tuple(e.slug for e in src.entries),
                distribution=src.distribution if src.distribution is not None else default,
                copies=src.copies,
                draft=src.draft,
                note_html=src.note.html if src.note.text else "",
                note_text=src.note.text,
                url=issue_url(config.base_path, bulletin.id, src.year, src.number),
                key=src.key,
            )
        )
    for note in documents.notes:
        check_links(note.path, note.links)
    order = {b.id: n for n, b in enumerate(config.bulletins)}
    out.sort(key=lambda i: (order[i.bulletin.id], i.date, i.number))
    return IssueCheck(tuple(out), tuple(sorted(filter(None, hidden))), tuple(problems))


def _duplicate_numbers(config: SiteConfig, sources: list[IssueSource]) -> list[Diagnostic]:
    """A number used twice in one bulletin and year, named on the later file with both."""
    problems = []
    seen: dict[tuple[str, int, int], IssueSource] = {}
    for src in sources:
        other = seen.setdefault((src.bulletin, src.year, src.number), src)
        if other is not src:
            bulletin = config.bulletin(src.bulletin)
            name = bulletin.name if bulletin is not None else src.bulletin
            problems.append(
                Diagnostic(
                    src.path,
                    src.line_of("number"),
                    "number",
                    msg(
                        "issue.number_used",
                        label=issue_label(name, src.year, src.number),
                        path=other.path,
                    ),
                )
            )
    return problems
