"""i18n: every UI string in both languages."""

from __future__ import annotations

import datetime as dt

from bulletin.i18n import STRINGS, format_date, translate


def test_every_string_has_both_languages() -> None:
    for key, forms in STRINGS.items():
        assert set(forms) == {"zh-CN", "en"}, key


def test_translate_fills_placeholders_and_dates_follow_the_language() -> None:
    assert translate("zh-CN", "adopted_by", level="市委") == "被市委采用"
    assert translate("en", "adopted_by", level="the city") == "Adopted by the city"
    day = dt.date(2026, 4, 18)
    assert format_date("zh-CN", day) != format_date("en", day)
    assert "2026" in format_date("zh-CN", day) and "2026" in format_date("en", day)
