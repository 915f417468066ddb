"""The site model: units, categories and the publishable items, cross-checked.

Withheld (classified) items and unpublished drafts never enter ``Site``: templates
cannot leak what they are never given. What the build must know about withheld items
(to scan the output for leaks) lives apart in ``Withheld``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .clock import start_of_day
from .config import SiteConfig
from .content import SourceItem
from .diagnostics import Diagnostic, did_you_mean
from .fingerprint import digest
from .issues import CircularNote, Documents, Issue, check_issues
from .messages import Message, msg
from .schema import WITHHELD, Honoree
from .urls import category_url, item_url, level_url, unit_url

BodyLookup = Callable[[str], tuple[str, str]]


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    key: bool
    url: str
    assessed: bool = True  # counted in quotas, scores, ranks and criticism notices


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    url: str


@dataclass(frozen=True)
class Level:
    id: str
    name: str
    points: int
    url: str


@dataclass(frozen=True)
class Adoption:
    level: Level
    date: dt.date | None
    by: str | None
    issue: Issue | None = None  # the issue (期) whose inclusion is this adoption


@dataclass(frozen=True)
class Instruction:
    by: str
    level: Level
    date: dt.date | None


@dataclass(frozen=True)
class Item:
    slug: str
    path: str
    url: str
    title: str
    unit: Unit
    category: Category
    date: dt.date  # on the site's calendar (the site-zone date of ``time``, if given)
    time: dt.datetime | None  # the date-time given as ``date``, in the site's time zone
    # when it was published: ``time``, else the start of ``date`` in the site's time zone
    moment: dt.datetime
    summary: str | None
    tags: tuple[str, ...]
    draft: bool
    internal: bool
    adoptions: tuple[Adoption, ...]
    instructions: tuple[Instruction, ...]
    follow_up_of: str | None
    final: bool
    occurred: dt.datetime | None
    reported: dt.datetime | None
    assignees: tuple[Unit, ...]
    due: dt.date | None
    done: dt.date | None
    honorees: tuple[Honoree, ...]
    excellent: bool
    reviewed_by: str | None  # 校核人
    approved_by: str | None  # 审批/签发人
    pending: bool  # published but not signed off; only in previews (--drafts), marked 待审核
    chars: int
    body_key: str
    meta_key: str
    bodies: BodyLookup = field(repr=False, compare=False)
    # newest first when sorted in reverse: (the instant of ``moment``, slug); the home page,
    # the lists and the feeds all use it, so they agree on which item is newer
    sort_key: tuple[float, str] = field(repr=False, compare=False)
    issues: tuple[Issue, ...] = ()  # the published issues it appeared in, oldest first

    @property
    def html(self) -> str:
        """The rendered body (loaded on demand: most pages never need it)."""
        return self.bodies(self.body_key)[0]

    @property
    def text(self) -> str:
        return self.bodies(self.body_key)[1]

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def quarter(self) -> int:
        return (self.date.month - 1) // 3 + 1

    def adopted_at(self, level_id: str) -> bool:
        return any(a.level.id == level_id for a in self.adoptions)


@dataclass(frozen=True)
class Thread:
    """An emergency report and its follow-ups (双报制: 首报, 续报, 综合上报)."""

    root: str  # slug of the first report
    items: tuple[Item, ...]  # oldest first

    @property
    def first(self) -> Item:
        return self.items[0]

    @property
    def final(self) -> Item | None:
        return next((i for i in self.items if i.final), None)

    @property
    def is_open(self) -> bool:
        return self.final is None


@dataclass(frozen=True)
class Withheld:
    """What the output must never contain: titles and slugs of withheld items."""

    titles: tuple[str, ...]
    slugs: tuple[str, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    levels: tuple[Level, ...]
    items: tuple[Item, ...]  # newest first
    threads: tuple[Thread, ...]
    drafts_included: bool
    drafts_skipped: int
    withheld_count: int
    issues: tuple[Issue, ...] = ()  # published issues, by bulletin then date
    notes: tuple[CircularNote, ...] = ()  # what quarterly circulars add (下一步要求)
    pending_count: int = 0  # items awaiting sign-off ([rules] require_signoff)
    _by_slug: dict[str, Item] = field(default_factory=dict, repr=False, compare=False)
    _thread_of: dict[str, Thread] = field(default_factory=dict, repr=False, compare=False)

    def item(self, slug: str) -> Item | None:
        return self._by_slug.get(slug)

    def thread_of(self, item: Item) -> Thread | None:
        return self._thread_of.get(item.slug)

    _groups: dict[str, tuple[Item, ...]] = field(default_factory=dict, repr=False, compare=False)

    def _group(self, key: str) -> list[Item]:
        """The items of one unit, category, adoption level or year, newest first.

        All groups are made in one pass over the items, the first time any is asked for.
        """
        if not self._groups:
            buckets: dict[str, list[Item]] = {}
            for item in self.items:
                keys = [f"unit:{item.unit.id}", f"category:{item.category.id}", f"year:{item.year}"]
                keys += [f"level:{lv}" for lv in dict.fromkeys(a.level.id for a in item.adoptions)]
                for k in keys:
                    buckets.setdefault(k, []).append(item)
            self._groups.update((k, tuple(v)) for k, v in buckets.items())
            self._groups[""] = ()  # marks the groups as made, even for a site without items
        return list(self._groups.get(key, ()))

    def items_of_unit(self, unit_id: str) -> list[Item]:
        return self._group(f"unit:{unit_id}")

    def items_of_category(self, category_id: str) -> list[Item]:
        return self._group(f"category:{category_id}")

    def items_adopted_at(self, level_id: str) -> list[Item]:
        return self._group(f"level:{level_id}")

    def items_of_year(self, year: int) -> list[Item]:
        return self._group(f"year:{year}")

    @property
    def years(self) -> list[int]:
        return sorted({i.year for i in self.items}, reverse=True)


def with_bodies(site: Site, bodies: dict[str, tuple[str, int]]) -> Site:
    """The same site after edits that changed only the bodies of some items.

    ``bodies`` maps a slug to its new ``(body_key, chars)``. The caller guarantees that
    front matter and links are unchanged, so order, groups, threads and figures are the
    same; only the changed ``Item`` objects (and what holds them) are new.
    """
    changed = {
        slug: replace(old, body_key=key, chars=chars)
        for slug, (key, chars) in bodies.items()
        if (old := site.item(slug)) is not None
    }
    if not changed:
        return site

    def swap(items: tuple[Item, ...]) -> tuple[Item, ...]:
        return tuple(changed.get(i.slug, i) for i in items)

    threads = tuple(
        Thread(t.root, swap(t.items)) if any(i.slug in changed for i in t.items) else t
        for t in site.threads
    )
    return replace(
        site,
        items=swap(site.items),
        threads=threads,
        _by_slug={**site._by_slug, **changed},
        _thread_of={i.slug: t for t in threads for i in t.items},
        _groups={},
    )


def is_withheld(src: SourceItem) -> bool:
    return src.classification in WITHHELD


def is_pending(src: SourceItem, config: SiteConfig) -> bool:
    """Whether ``src`` awaits sign-off: the site requires it (``[rules] require_signoff``),
    the item is meant to be published (not a draft, not withheld) and lacks its checker
    (``reviewed-by``, 校核) or its approver (``approved-by``, 审批). Rule 5 of the office
    (校核、审批): unsigned items are not reported; like a draft, it has no page, no count, no
    feed and no search entry, and it is not an error."""
    return (
        config.require_signoff
        and src.status != "draft"
        and not is_withheld(src)
        and not (src.reviewed_by and src.approved_by)
    )


def missing_signoff(src: SourceItem) -> tuple[str, ...]:
    """The sign-off keys ``src`` lacks: ``reviewed-by``, ``approved-by``, or both."""
    return tuple(
        key
        for key, value in (("reviewed-by", src.reviewed_by), ("approved-by", src.approved_by))
        if not value
    )


def build_site(
    config: SiteConfig,
    sources: Sequence[SourceItem],
    *,
    drafts: bool = False,
    bodies: BodyLookup | None = None,
    documents: Documents | None = None,
) -> tuple[Site, Withheld, list[Diagnostic]]:
    """Cross-check all items and keep what may be published.

    ``bodies`` maps an item key to its (html, text); by default the bodies carried
    by the sources themselves. ``documents`` holds the bulletin issues (期) — an item in
    a published issue is adopted at its bulletin's level (``issue_adoptions``) — and the
    circular notes.
    """
    if bodies is None:
        own = {s.key: (s.body.html, s.body.text) for s in sources}
        bodies = own.__getitem__
    base = config.base_path
    problems: list[Diagnostic] = []
    units = {
        u.id: Unit(u.id, u.name, u.kind, u.key, unit_url(base, u.id), u.assessed)
        for u in config.units
    }
    categories = {c.id: Category(c.id, c.name, category_url(base, c.id)) for c in config.categories}
    levels = {a.id: Level(a.id, a.name, a.points, level_url(base, a.id)) for a in config.adoption}

    by_slug: dict[str, SourceItem] = {}
    for src in sources:
        other = by_slug.get(src.slug)
        if other is not None:
            problems.append(
                Diagnostic(
                    src.path,
                    None,
                    None,
                    msg("model.duplicate_slug", slug=src.slug, other=other.path),
                )
            )
            continue
        by_slug[src.slug] = src

    withheld = [s for s in by_slug.values() if is_withheld(s)]
    drafts_all = [s for s in by_slug.values() if s.status == "draft" and not is_withheld(s)]
    pending = {s.slug for s in by_slug.values() if is_pending(s, config)}
    published = {
        slug: s
        for slug, s in by_slug.items()
        if not is_withheld(s) and (drafts or (s.status != "draft" and slug not in pending))
    }

    def unpublished_reason(slug: str) -> Message | None:
        target = by_slug.get(slug)
        if target is None:
            return msg("model.no_item")
        if is_withheld(target):
            return msg("model.target_withheld")
        if slug not in published:
            return msg("model.target_pending" if slug in pending else "model.target_draft")
        return None

    by_path = {s.path: s for s in by_slug.values()}
    # a "did you mean" may name any item an editor could mean (a draft too), never a withheld one
    hintable = [slug for slug, s in by_slug.items() if not is_withheld(s)]
    for src in published.values():
        for link in src.body.links:
            target = by_path.get("content/" + link.target)
            reason = (
                msg("model.no_item_file")
                if target is None or by_slug.get(target.slug) is not target
                else unpublished_reason(target.slug)
            )
            if reason:
                if target is None:
                    reason = msg(
                        "path.concat",
                        parts=(reason, _similar_file(link.target, src, by_path, hintable)),
                    )
                problems.append(
                    Diagnostic(
                        src.path,
                        link.line,
                        "link",
                        msg("model.broken_link", target=link.target, reason=reason),
                    )
                )
        if src.follow_up_of is not None:
            reason = unpublished_reason(src.follow_up_of)
            if src.follow_up_of == src.slug:
                reason = msg("model.follows_itself")
            if reason:
                hint = (
                    did_you_mean(src.follow_up_of, [s for s in hintable if s != src.slug])
                    if src.follow_up_of not in by_slug
                    else None
                )
                problems.append(
                    Diagnostic(
                        src.path,
                        src.line_of("follow-up-of"),
                        "follow-up-of",
                        msg("model.ref", slug=src.follow_up_of, reason=reason, hint=hint),
                    )
                )

    documents = documents or Documents()
    checked = check_issues(
        config,
        documents,
        by_slug,
        drafts=drafts,
        is_withheld=is_withheld,
        unpublished=unpublished_reason,
    )
    problems.extend(checked.problems)
    in_issues: dict[str, list[Issue]] = {}
    for issue in sorted(checked.issues, key=lambda i: (i.date, i.bulletin.id, i.number)):
        for slug in issue.slugs:
            in_issues.setdefault(slug, []).append(issue)

    items: dict[str, Item] = {}
    zone = config.zone
    for slug, src in published.items():
        appeared = tuple(in_issues.get(slug, ()))
        moment = src.time or start_of_day(src.date, zone)
        items[slug] = Item(
            slug=slug,
            path=src.path,
            url=item_url(base, slug),
            title=src.title,
            unit=units[src.unit],
            category=categories[src.category],
            date=src.date,
            time=src.time,
            moment=moment,
            summary=src.summary,
            tags=src.tags,
            draft=src.status == "draft" or slug in pending,
            internal=src.classification == "internal",
            adoptions=issue_adoptions(
                tuple(Adoption(levels[a.level], a.date, a.by) for a in src.adopted_by),
                appeared,
                levels,
            ),
            instructions=tuple(
                Instruction(i.by, levels[i.level], i.date) for i in src.instructions
            ),
            follow_up_of=src.follow_up_of,
            final=src.final,
            occurred=src.occurred,
            reported=src.reported,
            assignees=tuple(units[a] for a in src.assignees),
            due=src.due,
            done=src.done,
            honorees=src.honorees,
            excellent=src.excellent,
            reviewed_by=src.reviewed_by,
            approved_by=src.approved_by,
            pending=slug in pending,
            chars=src.body.chars,
            body_key=src.key,
            # what the issues add to an item is part of what list pages show of it
            meta_key=_with_issues(src.meta_key, appeared),
            bodies=bodies,
            sort_key=(moment.timestamp(), slug),
            issues=appeared,
        )

    threads, thread_problems = _threads(items, by_slug)
    problems.extend(thread_problems)
    ordered = tuple(sorted(items.values(), key=lambda i: i.sort_key, reverse=True))
    thread_of = {i.slug: t for t in threads for i in t.items}
    site = Site(
        config=config,
        units=tuple(units.values()),
        categories=tuple(categories.values()),
        levels=tuple(levels.values()),
        items=ordered,
        threads=threads,
        drafts_included=drafts,
        drafts_skipped=0 if drafts else len(drafts_all),
        withheld_count=len(withheld),
        issues=checked.issues,
        notes=documents.notes,
        pending_count=len(pending),
        _by_slug=dict(items),
        _thread_of=thread_of,
    )
    hidden = Withheld(
        titles=tuple(sorted([s.title for s in withheld] + list(checked.withheld_labels))),
        slugs=tuple(sorted(s.slug for s in withheld)),
        paths=tuple(sorted(s.path for s in withheld)),
    )
    return site, hidden, problems


def issue_adoptions(
    own: tuple[Adoption, ...], appeared: Sequence[Issue], levels: dict[str, Level]
) -> tuple[Adoption, ...]:
    """An item's adoptions: its own ``adopted-by`` and, for each published (non-draft)
    issue it appeared in, adoption at the bulletin's level by 《name》YYYY年第N期 on the
    issue's date. One adoption per level: the earliest issue replaces the item's own
    entry for that level, so an adoption is never counted twice. In level order.
    """
    by_level = {a.level.id: a for a in own}
    for issue in appeared:  # oldest first
        level = issue.bulletin.level
        if issue.draft or (level in by_level and by_level[level].issue is not None):
            continue
        by_level[level] = Adoption(levels[level], issue.date, issue.label, issue)
    if len(by_level) == len(own) and all(a is by_level[a.level.id] for a in own):
        return own
    order = list(levels)
    return tuple(sorted(by_level.values(), key=lambda a: order.index(a.level.id)))


def _with_issues(meta_key: str, appeared: Sequence[Issue]) -> str:
    if not appeared:
        return meta_key
    return digest(meta_key, *(f"{i.key}:{i.url}:{i.label}:{i.date}:{i.draft}" for i in appeared))


def _similar_file(
    target: str, src: SourceItem, by_path: dict[str, SourceItem], hintable: Sequence[str]
) -> Message | None:
    """A "did you mean" hint for a link to a missing file: the file of an item in
    ``hintable`` (slugs) with a similar name (not the linking item itself), shown as the
    path to write."""
    stem = target.rsplit("/", 1)[-1].removesuffix(".md")
    allowed = set(hintable)
    stems = {
        s.slug: p[len("content/") :]
        for p, s in by_path.items()
        if s is not src and s.slug in allowed
    }
    match = did_you_mean(stem, stems)
    if match is None:
        return None
    word = dict(match.args)["word"]
    return msg("hint.did_you_mean", word=stems[word])


def _threads(
    items: dict[str, Item], sources: dict[str, SourceItem]
) -> tuple[tuple[Thread, ...], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    roots: dict[str, list[Item]] = {}
    followed = {i.follow_up_of for i in items.values() if i.follow_up_of is not None}
    for item in items.values():
        seen = {item.slug}
        cur = item
        while cur.follow_up_of is not None and cur.follow_up_of in items:
            cur = items[cur.follow_up_of]
            if cur.slug in seen:
                src = sources[item.slug]
                problems.append(
                    Diagnostic(
                        item.path,
                        src.line_of("follow-up-of"),
                        "follow-up-of",
                        msg("model.loop"),
                    )
                )
                break
            seen.add(cur.slug)
        else:
            if cur is not item or item.slug in followed:
                roots.setdefault(cur.slug, []).append(item)
    threads = []
    for root, members in sorted(roots.items()):
        ordered = sorted(members, key=lambda i: (i.slug != root, i.final, i.sort_key))
        finals = [i for i in ordered if i.final]
        if len(finals) > 1:
            for extra in finals[1:]:
                problems.append(
                    Diagnostic(
                        extra.path,
                        sources[extra.slug].line_of("final"),
                        "final",
                        msg("model.two_finals", root=root, other=finals[0].path),
                    )
                )
        threads.append(Thread(root, tuple(ordered)))
    return tuple(threads), problems
