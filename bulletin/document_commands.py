"""Command line of the office's documents: ``bulletin new-issue`` and ``bulletin export``.

Their arguments are read by ``arguments`` (``export``'s documents by their two words,
``"export issue"``, in any order); ``run`` runs a command for a site whose config ``cli`` loaded and
returns the exit code (0 done, 1 content or config errors, 2 usage: an unknown bulletin or
document, or the export extra not installed).

An export is a page of the site's own plan (``plan.pages``), rendered by the site's
templates (``render``) and laid out by ``export.pdf`` or ``export.docx``: the PDF and the
.docx show what the intranet page shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from .clock import site_today
from .config import SiteConfig
from .diagnostics import Diagnostic, did_you_mean, report
from .messages import Message, listing, msg

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def say(message: Message, language: str) -> None:
    """Print ``message`` in ``language`` on stderr."""
    print(message.render(language), file=sys.stderr)


def run(args: argparse.Namespace, config: SiteConfig, language: str) -> int:
    """Run ``new-issue`` or ``export`` for the site of ``config``, with messages in
    ``language``."""
    if args.command == "new-issue":
        return cmd_new_issue(args, config, language)
    return cmd_export(args, config, language)


def cmd_export(args: argparse.Namespace, config: SiteConfig, language: str) -> int:
    """bulletin export issue|circular|anthology … --format pdf|docx [-o FILE] [SITE_DIR]"""
    from . import export, templates
    from .build import load_site
    from .i18n import translate
    from .plan import pages
    from .render import render_page
    from .urls import circular_url, issue_url, out_path, section_url

    try:
        export.require(args.format)
    except export.ExportUnavailable as exc:
        say(exc.message, language)
        return EXIT_USAGE
    site, problems = load_site(config)
    errors = [d for d in problems if d.is_error]
    if errors:
        report(errors, language=language)
        say(msg("export.errors", n=len(errors)), language)
        return EXIT_CONTENT
    today = site_today(config, args.today)  # the site's calendar, not the machine's
    base = config.base_path
    if args.document == "issue":
        url = issue_url(base, args.bulletin, args.year, args.number)
        name = f"{args.bulletin}-{args.year}-{args.number}"
        known = [f"{i.bulletin.id} {i.year} {i.number}" for i in site.issues]
        missing = msg(
            "export.no_issue",
            bulletin=args.bulletin,
            year=args.year,
            number=args.number,
            known=msg("export.known_issues", issues=listing(known)) if known else None,
        )
    elif args.document == "circular":
        url = circular_url(base, args.year, args.quarter)
        name = f"circular-{args.year}-q{args.quarter}"
        missing = msg("export.no_circular", year=args.year, quarter=args.quarter)
    else:
        url = section_url(base, "anthology", args.year)
        name = f"anthology-{args.year}"
        missing = msg("export.no_anthology", year=args.year)
    path = out_path(url, base)
    page = next((p for p in pages.plan_pages(site, today) if p.path == path), None)
    if page is None:
        say(missing, language)
        return EXIT_USAGE
    html = render_page(page, templates.make_environment(config), site, today)
    if isinstance(html, Diagnostic):
        report([html], language=language)
        return EXIT_CONTENT
    from .export.links import PaperLinks

    # a link to an item the document holds jumps to it; others go to the site (if it has
    # an absolute base_url) or are plain text
    links = PaperLinks(page.make_context().get("anchors", {}), config.base_url)
    fonts: tuple[str, ...] | None = None
    if args.format == "pdf":
        from .export.pdf import html_pdf

        laid_out = html_pdf(html.decode("utf-8"), url, base, links)
        data, fonts = laid_out.data, laid_out.fonts
    else:
        from .export.docx import html_docx

        marking = config.marking or translate(config.language, "page_marking")
        data = html_docx(html.decode("utf-8"), marking, config.publisher, links)
    target = args.output or Path(f"{name}.{args.format}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        say(msg("cli.cannot_write", path=target, error=str(exc.strerror or exc)), language)
        return EXIT_CONTENT
    if fonts is not None:
        _report_fonts(fonts, language)
    print(target)
    return EXIT_OK


def _report_fonts(fonts: tuple[str, ...], language: str) -> None:
    """Which fonts the PDF embeds (Chinese ones first), then a warning if none is Chinese."""
    from .export.pdf import cjk_fonts, has_cjk

    ordered = sorted(fonts, key=lambda family: (not has_cjk((family,)), family))
    say(
        msg("export.fonts", fonts=listing(ordered) if ordered else msg("export.no_fonts")), language
    )
    installed = cjk_fonts()
    if (installed is not None and not installed) or not has_cjk(fonts):
        say(msg("export.no_cjk_font"), language)


def cmd_new_issue(args: argparse.Namespace, config: SiteConfig, language: str) -> int:
    """bulletin new-issue BULLETIN [--number N] [--date D] [SITE_DIR]: the next issue file,
    a draft, with the items reported since the bulletin's previous issue that are in no
    issue of it yet proposed as a commented list."""
    from . import stats
    from .build import load_site
    from .issues import issue_label

    where = msg("cli.command_line").render(language)
    bulletin = config.bulletin(args.bulletin)
    if bulletin is None:
        ids = [b.id for b in config.bulletins]
        hint = did_you_mean(args.bulletin, ids) or (
            msg("issue.bulletins", ids=listing(ids)) if ids else msg("issue.no_bulletins")
        )
        message = msg("issue.unknown_bulletin", value=args.bulletin, hint=hint)
        report([Diagnostic(where, None, "bulletin", message)], language=language)
        return EXIT_USAGE
    if args.number is not None and args.number < 1:
        report([Diagnostic(where, None, "number", msg("issue.number_min"))], language=language)
        return EXIT_USAGE
    date = args.date or site_today(config)  # the site's calendar, not the machine's
    site, _problems = load_site(config)
    sources = _issue_sources(config, bulletin.id)
    used = {s.number: s.path for s in sources if s.year == date.year}
    number = args.number if args.number is not None else max(used, default=0) + 1
    if number in used:
        label = issue_label(bulletin.name, date.year, number)
        say(msg("issue.number_taken", label=label, path=used[number]), language)
        return EXIT_CONTENT
    path = config.content_dir / "issues" / bulletin.id / f"{date.year}-{number:03d}.md"
    rel = path.relative_to(config.root).as_posix()
    previous = max(
        (s for s in sources if s.date <= date), key=lambda s: (s.date, s.number), default=None
    )
    taken = {e.slug for s in sources for e in s.entries}
    since = previous.date if previous is not None else dt.date(date.year, 1, 1)
    proposals = sorted(
        (
            i
            for i in site.items
            if stats.is_report(i) and since <= i.date <= date and i.slug not in taken
        ),
        key=lambda i: i.sort_key,
    )
    signer = previous.signed_by if previous is not None and previous.signed_by else None
    lines = [
        "---",
        f"bulletin: {bulletin.id}",
        f"number: {number}",
        f"date: {date.isoformat()}",
        f"signed-by: {signer}" if signer else "# signed-by: 签发人（发布前必填）",
        "status: draft            # 签发后删除此行",
        "items:",
    ]
    if proposals:
        what = f"上期（{previous.date.isoformat()}）以来" if previous else f"{date.year}年以来"
        lines.append(f"  # {what}报送、尚未编入本刊的信息；编入的去掉行首 #，按刊登顺序排列：")
        lines += [
            f"  # - {i.slug}    # {i.title}（{i.unit.name}，{i.date.isoformat()}）"
            for i in proposals
        ]
    else:
        lines.append("  # 暂无尚未编入本刊的信息")
    lines += ["---", "", ""]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # never over a file made meanwhile
            fh.write("\n".join(lines))
    except FileExistsError:
        say(msg("cli.exists", path=rel), language)
        return EXIT_CONTENT
    except OSError as exc:
        say(msg("cli.cannot_write", path=rel, error=str(exc.strerror or exc)), language)
        return EXIT_CONTENT
    print(rel)
    return EXIT_OK


def _issue_sources(config: SiteConfig, bulletin_id: str) -> list[Any]:
    """The issue files of one bulletin that can be read (drafts and withheld ones too)."""
    from .issues import read_documents
    from .sources import find_documents

    found = find_documents(config)
    documents, _problems = read_documents(((p, rel) for p, rel, _sig in found), config)
    return [s for s in documents.issues if s.bulletin == bulletin_id]
