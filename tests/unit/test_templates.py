"""templates: the Jinja environment, its fingerprint and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin import templates
from bulletin.config import load_config
from bulletin.diagnostics import BodyMissing


def test_a_site_layout_overrides_the_packaged_one_and_changes_the_fingerprint(
    basic_site: Path,
) -> None:
    config = load_config(basic_site)
    before = templates.templates_fingerprint(config)
    (basic_site / "layouts").mkdir(exist_ok=True)
    (basic_site / "layouts" / "search.html").write_text("mine {{ t('search') }}", "utf-8")
    env = templates.make_environment(config)
    assert templates.render(env, "search.html", {}, config).startswith("mine ")
    assert templates.templates_fingerprint(config) != before


def test_failures_name_the_layout_and_line(basic_site: Path) -> None:
    (basic_site / "layouts").mkdir(exist_ok=True)
    (basic_site / "layouts" / "bad.html").write_text("ok\n{% if %}\n", "utf-8")
    config = load_config(basic_site)
    env = templates.make_environment(config)
    with pytest.raises(templates.TemplateFailure) as failure:
        templates.render(env, "bad.html", {}, config)
    d = failure.value.diagnostic
    assert (d.path, d.line) == ("layouts/bad.html", 2) and d.text(config.language).startswith(
        "模板语法错误："
    )


def test_a_body_missing_from_the_cache_is_not_a_template_error(basic_site: Path) -> None:
    config = load_config(basic_site)
    (basic_site / "layouts").mkdir(exist_ok=True)
    (basic_site / "layouts" / "b.html").write_text("{{ body() }}", "utf-8")
    env = templates.make_environment(config)

    def body() -> str:
        raise BodyMissing("gone")

    with pytest.raises(BodyMissing):
        templates.render(env, "b.html", {"body": body}, config)


def test_a_runaway_range_is_refused(basic_site: Path) -> None:
    config = load_config(basic_site)
    (basic_site / "layouts").mkdir(exist_ok=True)
    (basic_site / "layouts" / "r.html").write_text(
        "{% for i in range(10**9) %}{% endfor %}", "utf-8"
    )
    with pytest.raises(templates.TemplateFailure, match="range"):
        templates.render(templates.make_environment(config), "r.html", {}, config)
