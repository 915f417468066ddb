"""confidential: the leak policy and the check before every swap (保密)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import copy_basic_site

from bulletin import model
from bulletin.build import load_site
from bulletin.confidential import CONTENT_LEAK, NAME_LEAK, check, policy
from bulletin.config import load_config


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> model.Site:
    loaded, _problems = load_site(load_config(copy_basic_site(tmp_path_factory.mktemp("c") / "s")))
    return loaded


def withheld(title: str, slug: str) -> model.Withheld:
    return model.Withheld(titles=(title,), slugs=(slug,), paths=(f"content/x/{slug}.md",))


def test_titles_and_addresses_are_found_in_any_escape(site: model.Site) -> None:
    rules = policy(site, withheld("青石区<重点>部署", "qingshi-secret"))
    assert rules.leaks("<p>青石区&lt;重点&gt;部署</p>".encode())
    assert rules.leaks(b'<a href="/items/qingshi-secret/">')
    assert rules.leaks(quote("青石区<重点>部署").encode())
    assert not rules.leaks("<p>公开信息</p>".encode())


def test_public_text_is_no_evidence(site: model.Site) -> None:
    """A withheld item titled like a unit, or a slug inside a published slug."""
    unit = site.units[0].name
    public_slug = site.items[0].slug
    rules = policy(site, withheld(unit, public_slug[:-1]))
    assert not rules.leaks(f"<h1>{unit}</h1>".encode())
    assert rules.names is None  # neither is searched for in names
    assert rules.item_dirs == (f"items/{public_slug[:-1]}/",)  # its own folder still is


def test_check_names_every_file_and_directory_name(site: model.Site, tmp_path: Path) -> None:
    rules = policy(site, withheld("涉密选址方案", "xqz-site"))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ok.html").write_text("<p>涉密选址方案</p>", encoding="utf-8")
    files = ["index.html", "a/ok.html", "x/涉密选址方案/index.html", f"y/{quote('xqz-site')}.csv"]
    problems = check(tmp_path, files, ["a/ok.html"], [], rules, tmp_path / "out", tmp_path)
    assert [(d.path, d.message) for d in problems] == [
        ("out/x/涉密选址方案/index.html", NAME_LEAK),
        ("out/y/xqz-site.csv", NAME_LEAK),
        ("out/a/ok.html", CONTENT_LEAK),
    ]
    assert policy(site, withheld("a", "b")).fingerprint != rules.fingerprint
