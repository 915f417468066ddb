"""context: what one build's stages share."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from bulletin.cache import BuildCache
from bulletin.config import load_config
from bulletin.context import BuildContext


def test_fingerprints_change_with_the_settings_they_name(basic_site: Path, tmp_path: Path) -> None:
    config = load_config(basic_site)
    ctx = BuildContext(
        config, tmp_path / "out", dt.date(2026, 11, 27), "tfp", BuildCache(basic_site, False), 1
    )
    sigs = [("content/a.md", (1, 2, 3, 4))]
    assert ctx.input_fingerprint(sigs) == ctx.input_fingerprint(list(sigs))
    for changed in (
        replace(ctx, drafts=True),
        replace(ctx, template_fp="other"),
        replace(ctx, today=dt.date(2026, 11, 28)),
        replace(ctx, output=tmp_path / "elsewhere"),
    ):
        assert changed.input_fingerprint(sigs) != ctx.input_fingerprint(sigs)
    assert ctx.input_fingerprint(sigs) != ctx.input_fingerprint([("content/a.md", (1, 2, 3, 5))])
    # the page base: today and the templates count, the output directory does not
    assert replace(ctx, output=tmp_path / "x").page_base == ctx.page_base
    assert replace(ctx, today=dt.date(2027, 1, 1)).page_base != ctx.page_base
