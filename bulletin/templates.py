"""The Jinja environment: the site's layouts/ over the packaged defaults."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .config import SiteConfig
from .diagnostics import BodyMissing, Diagnostic
from .fingerprint import hasher
from .i18n import client_strings, format_date, translate
from .messages import msg

PACKAGED = Path(__file__).parent / "layouts"
MAX_RANGE = 100_000  # range() in a layout: a loop on bad data must end, and soon


class TemplateFailure(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class LayoutRefused(jinja2.TemplateError):
    """A layout that is a symbolic link to a file outside the site."""

    def __init__(self, path: str):
        super().__init__(f"{path}: symbolic link points outside the site; refused")
        self.path = path


class _SiteLoader(jinja2.FileSystemLoader):
    """The site's layouts/; a template whose real path is outside the site is refused."""

    def __init__(self, folder: Path, root: Path):
        super().__init__(str(folder))
        self.root = os.path.realpath(root)
        self.site_root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        if not _inside(os.path.realpath(filename), self.root):
            raise LayoutRefused(_relative(Path(filename), self.site_root))
        return source, filename, uptodate


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _range(*args: int) -> range:
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:
        count = MAX_RANGE + 1
    if count > MAX_RANGE:
        raise OverflowError(f"range() of more than {MAX_RANGE:,} numbers; refused")
    return numbers


def make_environment(config: SiteConfig, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The site's Jinja environment. With ``bytecode_dir``, compiled templates are kept
    there (Jinja checks each against its template's source before using it)."""
    loaders: list[jinja2.BaseLoader] = []
    if config.layouts_dir.is_dir():
        loaders.append(_SiteLoader(config.layouts_dir, config.root))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGED)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(bytecode_dir),
    )
    lang = config.language
    base = config.base_path
    env.globals.update(
        t=lambda key, /, **kw: translate(lang, key, **kw),  # t('x', key=...) must work
        lang=lang,
        url=lambda path="": base + str(path).lstrip("/"),
        site_title=config.title,
        range=_range,
        search_strings=lambda: client_strings(lang),  # search.html hands them to search.js
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["cndate"] = lambda value: format_date(lang, value)
    env.filters["isodate"] = lambda value: value.isoformat()
    env.filters["css_string"] = css_string
    env.filters["demote_headings"] = demote_headings
    env.filters["wrap_tables"] = wrap_tables
    return env


_HEADING_TAG = re.compile(r"<(/?)h([1-5])(?=[\s>])")


def demote_headings(html: str) -> Markup:
    """Rendered body HTML with every heading one level lower (h2 → h3 … h5 → h6).

    For a body shown under a heading of its own level, e.g. a report in the anthology,
    whose title is an h2. Bodies come from the Markdown renderer with raw HTML off, so
    every ``<hN`` tag is a heading the renderer made.
    """
    return Markup(_HEADING_TAG.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", str(html)))


def wrap_tables(html: str) -> Markup:
    """Rendered body HTML with each table in a ``<div class="table-scroll">``: on a phone
    a wide table scrolls inside its box (style.css) instead of squeezing its columns.

    Bodies come from the Markdown renderer with raw HTML off: every ``<table>`` and
    ``</table>`` is a tag the renderer made.
    """
    text = str(html)
    if "<table>" not in text:
        return Markup(text)
    return Markup(
        text.replace("<table>", '<div class="table-scroll"><table>').replace(
            "</table>", "</table></div>"
        )
    )


def css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string, safe inside a <style> element."""
    text = str(value)
    for char, escaped in (("\\", "\\5c "), ('"', "\\22 "), ("<", "\\3c "), ("\n", "\\a ")):
        text = text.replace(char, escaped)
    return Markup(f'"{text}"')


def _bytecode_cache(directory: Path | None) -> jinja2.BytecodeCache | None:
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only site still builds, compiling as it goes
    return jinja2.FileSystemBytecodeCache(str(directory))


def has_site_layouts(config: SiteConfig) -> bool:
    """Whether the site has layouts of its own (any file under ``layouts/``): they may
    show any field of any item, so pages then depend on more (``plan.deps``)."""
    folder = config.layouts_dir
    if not folder.is_dir():
        return False
    return any(filenames for _dirpath, _dirs, filenames in os.walk(folder, followlinks=False))


def templates_fingerprint(config: SiteConfig) -> str:
    """A hash of every template that could be used: packaged and site overrides."""
    h = hasher()
    root = os.path.realpath(config.root)
    for folder in (PACKAGED, config.layouts_dir):
        if not folder.is_dir():
            continue
        files = []
        for dirpath, _dirs, filenames in os.walk(folder, followlinks=False):
            files += [Path(dirpath, name) for name in filenames]
        for path in sorted(files):
            h.update(str(path.relative_to(folder)).encode())
            if path.is_symlink():
                # never read through a link that leaves the site (it is refused anyway)
                h.update(b"\0link:" + os.fsencode(os.readlink(path)))
                if folder is not PACKAGED and not _inside(os.path.realpath(path), root):
                    continue
            if path.is_file():
                h.update(path.read_bytes())
    return h.hexdigest()


def render(
    env: jinja2.Environment, template: str, context: Mapping[str, Any], config: SiteConfig
) -> str:
    """Render a template; any failure becomes a TemplateFailure naming template and line."""
    try:
        return env.get_template(template).render(context)
    except BodyMissing:
        raise  # the cache's fault, not the layout's: the build starts again without it
    except LayoutRefused as exc:
        raise TemplateFailure(
            Diagnostic(exc.path, None, None, msg("template.link_outside"))
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailure(
            Diagnostic(
                _template_path(exc.filename, exc.name or template, config),
                exc.lineno,
                None,
                msg("template.syntax", error=str(exc.message)),
            )
        ) from None
    except RecursionError:
        where = _template_frame(sys.exc_info()[2], config) or (template, None)
        raise TemplateFailure(
            Diagnostic(where[0], where[1], None, msg("template.recursion"))
        ) from None
    except Exception as exc:  # noqa: BLE001 - any template failure is reported, not crashed on
        where = _template_frame(sys.exc_info()[2], config) or (
            _template_path(None, template, config),
            None,
        )
        if isinstance(exc, jinja2.TemplateNotFound):
            raise TemplateFailure(
                Diagnostic(where[0], where[1], None, msg("template.not_found", name=str(exc.name)))
            ) from None
        kind = "template.undefined" if isinstance(exc, jinja2.UndefinedError) else "template.error"
        problem = msg(kind, error=str(exc))
        raise TemplateFailure(Diagnostic(where[0], where[1], None, problem)) from None


def _template_path(filename: str | None, name: str, config: SiteConfig) -> str:
    if filename:
        p = Path(filename)
        try:
            return p.relative_to(config.root).as_posix()
        except ValueError:
            return f"(packaged) {name}"
    site = config.layouts_dir / name
    return site.relative_to(config.root).as_posix() if site.exists() else f"(packaged) {name}"


def _template_frame(tb: Any, config: SiteConfig) -> tuple[str, int] | None:
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".j2")):
            found = (_template_path(filename, Path(filename).name, config), lineno)
    return found
