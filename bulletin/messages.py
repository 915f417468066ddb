"""Every message bulletin gives a person, in the site's language: one catalogue.

CLI lines, diagnostics (``path:line: field: message``), the build summary, ``bulletin
review``, ``bulletin watch``'s log and ``bulletin serve``'s error overlay all take their
words from ``CATALOGUE``: an id → a ``str.format`` template per language (zh-CN and en,
like the UI strings of ``i18n``). Code never assembles a sentence itself: it makes a
``Message`` (``msg("field.empty")``, ``msg("field.date_slip", value=..., fixed=...)``)
and keeps it, unrendered, until the text is printed; ``Message.render(language)`` then
gives the words. So a ``Diagnostic`` made in a worker process or read from the cache can be
shown in either language, and ``tests/unit/test_messages.py`` checks that every id has both
languages with the same fields and that every id is used.

Why a catalogue of ids and not stdlib ``gettext``: two languages, both written by the
developers beside each other (a reviewer sees the pair); ids stay put when the English
wording changes; no compile step or ``.mo`` files in the package; the same shape as the
site's UI strings (``i18n.STRINGS``). gettext's strengths — translators' tools, plural
rules for many languages — are not needed here.

Values passed to a message are rendered as follows: a ``Message`` in the same language;
``Listing`` as an enumeration ("、" in Chinese, ", " in English); a tuple by concatenating
its parts (paths such as "entry 2: level: "); None as nothing; anything else with
``str.format``'s own formatting (so templates may say ``{size:,}``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("zh-CN", "en")

# argparse's own words (usage lines, its errors), in Chinese: argparse looks each up with
# gettext by its English text; ``cli`` hands it these while it parses.
ARGPARSE_ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，"
    "可能是 %(matches)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r"
    "（可选：%(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "one of the arguments %s is required": "必须给出其中一个参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "unexpected option string: %s": "意外的选项：%s",
}
# The language of messages printed before a site's own is known (usage errors, a
# site.toml that cannot be read): the users are Chinese office staff. See README.
DEFAULT_LANGUAGE = "zh-CN"

# id → {language: template}. Keep both languages of a message together; ids are grouped by
# where they are used (prefix before the first dot).
CATALOGUE: dict[str, dict[str, str]] = {
    # --- how a diagnostic is printed ---------------------------------------------------
    # text that did not come from this catalogue (code merged from elsewhere that still
    # writes its own sentence): shown as it is; tests/unit/test_messages.py flags such code
    "verbatim": {"zh-CN": "{text}", "en": "{text}"},
    "severity.warning": {"zh-CN": "警告：", "en": "warning: "},
    "hint.did_you_mean": {"zh-CN": "（是不是“{word}”？）", "en": ' (did you mean "{word}"?)'},
    "path.entry": {"zh-CN": "第{n}项：", "en": "entry {n}: "},
    "path.key": {"zh-CN": "{key}: ", "en": "{key}: "},
    "path.concat": {"zh-CN": "{parts}", "en": "{parts}"},
    "kind.text": {"zh-CN": "文字", "en": "text"},
    "kind.list": {"zh-CN": "列表", "en": "a list"},
    "kind.mapping": {"zh-CN": "键值对（映射）", "en": "a mapping"},
    "kind.set": {"zh-CN": "集合", "en": "a set"},
    "kind.empty": {"zh-CN": "空值", "en": "empty"},
    "kind.binary": {"zh-CN": "二进制数据", "en": "binary data"},
    "kind.number": {"zh-CN": "数字", "en": "a number"},
    "kind.date": {"zh-CN": "日期", "en": "a date"},
    "kind.bool": {"zh-CN": "true/false", "en": "true/false"},
    "value.nothing": {"zh-CN": "空", "en": "nothing"},
    # --- front matter: fences and YAML (frontmatter.py) ----------------------------------
    "fm.no_front_matter": {
        "zh-CN": "缺少文件头：文件第一行必须是 ---",
        "en": 'no front matter: the file must start with a "---" line',
    },
    "fm.fullwidth_fence": {
        "zh-CN": "文件头的分隔线“{fence}”是全角符号（中文输入法）；请改为半角的 ---",
        "en": 'the fence "{fence}" is typed with full-width characters (Chinese input '
        'method); use "---"',
    },
    "fm.not_closed": {
        "zh-CN": "文件头没有结束：文件头后面要有一行 ---",
        "en": 'front matter is not closed by a "---" line',
    },
    "fm.too_long": {
        "zh-CN": "文件头有 {size:,} 个字符，超过上限 {limit:,}；长内容请写在正文里",
        "en": "front matter is {size:,} characters long, over the limit of {limit:,}; "
        "put long text in the body",
    },
    "fm.too_deep": {
        "zh-CN": "文件头嵌套超过 {limit} 层",
        "en": "front matter is nested more than {limit} levels deep",
    },
    "fm.not_mapping": {
        "zh-CN": "文件头必须是一行一个“键: 值”",
        "en": "front matter must be a mapping of keys to values",
    },
    "fm.key_not_text": {
        "zh-CN": "{where}键必须是文字，不能是{kind}",
        "en": "{where}a key must be text, not {kind}",
    },
    "fm.repeated": {
        "zh-CN": "{where}重复填写（第 {other} 行也有）；请只保留一个",
        "en": "{where}is given twice (also on line {other}); keep one",
    },
    "fm.unknown_tag": {
        "zh-CN": "{where}未知的 YAML 标签 {tag}（如果是文字，请加引号）",
        "en": "{where}unknown YAML tag {tag} (put the value in quotes if it is text)",
    },
    "fm.anchors": {
        "zh-CN": "文件头里不能用 YAML 锚点和别名（& 和 *）；如果是文字，请加引号",
        "en": "YAML anchors and aliases are not allowed in front matter",
    },
    "yaml.fullwidth_colon": {
        "zh-CN": "冒号是全角的“：”（中文输入法）；请改为半角冒号加空格“: ”",
        "en": 'the colon is a full-width "：" (Chinese input method); use ": " (colon and space)',
    },
    "yaml.fullwidth_space": {
        "zh-CN": "这一行有全角空格（中文输入法）；缩进和冒号后面请用半角空格",
        "en": "this line holds a full-width space (Chinese input method); indent and "
        "separate with ordinary spaces",
    },
    "yaml.tab": {
        "zh-CN": "这一行用 Tab 键缩进；文件头只能用空格缩进",
        "en": "this line is indented with a tab; front matter is indented with spaces only",
    },
    "yaml.colon_in_value": {
        "zh-CN": '值里有“: ”（冒号加空格）；请把整个值用引号括起来，例如 {key}: "…"',
        "en": 'a value containing ": " must be put in quotes, e.g. {key}: "…"',
    },
    "yaml.no_colon": {
        "zh-CN": "这一行缺少“键: 值”中的冒号，或者上一行没写完",
        "en": 'this line is not "key: value" (a colon is missing, or the line before is '
        "not finished)",
    },
    "yaml.special_start": {
        "zh-CN": "值以 {char} 开头；请把整个值用引号括起来",
        "en": "a value starting with {char} must be put in quotes",
    },
    "yaml.unclosed": {
        "zh-CN": "这一行开始的{what}没有结束",
        "en": "the {what} that starts on this line is not closed",
    },
    "yaml.what_quote": {"zh-CN": "引号", "en": "quotation"},
    "yaml.what_bracket": {"zh-CN": "方括号 [ ]", "en": "list [ ]"},
    "yaml.what_brace": {"zh-CN": "花括号 { }", "en": "mapping { }"},
    "yaml.indented_key": {
        "zh-CN": "这一行前面多了空格：上一行的“{key}”已经有值，这一行不属于它；请删除行首的空格",
        "en": 'this line is indented, but "{key}" on the line above already has a value; '
        "remove the spaces at the start of the line",
    },
    "yaml.indented_first": {
        "zh-CN": "文件头的第一行前面有空格；请删除行首的空格，键从行首写起",
        "en": "the first line of the front matter is indented; remove the spaces at its start",
    },
    "yaml.backslash": {
        "zh-CN": "双引号里的反斜杠“\\”是转义符号；含有“\\”的文字（如文件路径）请改用单引号 '…'",
        "en": 'a backslash "\\" inside double quotes starts an escape; put text holding "\\" '
        "(such as a file path) in single quotes '…'",
    },
    "yaml.misaligned": {
        "zh-CN": "这一行和上面的行没有对齐：同一层的键、同一列表的“- ”要从同一列开始，"
        "引号或括号结束后不能再有文字",
        "en": 'this line does not line up with the lines above: keys of one level and the "- " '
        "of one list start in the same column, and nothing may follow a closing quote or "
        "bracket",
    },
    "yaml.other": {"zh-CN": "YAML 格式有误：{problem}", "en": "invalid YAML: {problem}"},
    # --- field values (schema.py) -----------------------------------------------------
    "field.not_text": {"zh-CN": "必须是文字，不能是{kind}", "en": "must be text, not {kind}"},
    "field.empty": {"zh-CN": "不能为空", "en": "must not be empty"},
    "field.control": {"zh-CN": "含有控制字符", "en": "contains control characters"},
    "field.one_line": {"zh-CN": "只能写一行", "en": "must be a single line"},
    "field.bool_text": {
        "zh-CN": "必须是 true 或 false，现在是 {value}",
        "en": "must be true or false, got {value}",
    },
    "field.bool_kind": {
        "zh-CN": "必须是 true 或 false，不能是{kind}",
        "en": "must be true or false, not {kind}",
    },
    "field.date": {
        "zh-CN": "必须是日期，写成 YYYY-MM-DD（如 2026-05-03），现在是 {value}",
        "en": "must be a date YYYY-MM-DD, got {value}",
    },
    "field.date_slip": {
        "zh-CN": "日期要写成 {fixed}（现在是 {value}）",
        "en": "write the date as {fixed} (got {value})",
    },
    "field.date_impossible": {
        "zh-CN": "{year}年{month}月没有{day}日（{value}）",
        "en": "{month_name} {year} has no day {day} ({value})",
    },
    "field.month_impossible": {
        "zh-CN": "没有{month}月（{value}）",
        "en": "there is no month {month} ({value})",
    },
    "field.future": {
        "zh-CN": "日期 {value} 在今天（{today}）之后；是不是写错了？",
        "en": "the date {value} is after today ({today}); is it a slip?",
    },
    "field.outside_calendar": {
        "zh-CN": "{value} 按本站时区换算后超出了公元 1 至 9999 年",
        "en": "{value} falls outside the years 1-9999 on the site's calendar",
    },
    "field.moment": {
        "zh-CN": "必须是日期和时间，例如 2026-07-12T05:40:00+08:00，现在是 {value}",
        "en": "must be a date and time like 2026-07-12T05:40:00+08:00, got {value}",
    },
    "field.moment_kind": {
        "zh-CN": "必须是日期和时间，例如 2026-07-12T05:40:00+08:00",
        "en": "must be a date and time like 2026-07-12T05:40:00+08:00",
    },
    "field.unknown_id": {
        "zh-CN": "未知的{what}“{value}”{hint}",
        "en": 'unknown {what} "{value}"{hint}',
    },
    "field.ambiguous_name": {
        "zh-CN": "“{value}”是多个{what}的名称（{ids}）；请写编号",
        "en": '"{value}" is the name of several {what}s ({ids}); write the id',
    },
    "what.unit": {"zh-CN": "单位", "en": "unit"},
    "what.category": {"zh-CN": "类别", "en": "category"},
    "what.level": {"zh-CN": "采用层级", "en": "adoption level"},
    "what.status": {"zh-CN": "状态", "en": "status"},
    "what.classification": {"zh-CN": "密级", "en": "classification"},
    "what.honoree_kind": {"zh-CN": "表彰对象类型", "en": "kind of honoree"},
    "field.not_choice": {
        "zh-CN": "“{value}”不是有效的{what}；可选：{options}",
        "en": '"{value}" is not a {what}; use one of {options}',
    },
    "field.not_list": {"zh-CN": "必须是列表，不能是{kind}", "en": "must be a list, not {kind}"},
    "field.listed_twice": {"zh-CN": "{value} 重复列出", "en": "{value} is listed twice"},
    "field.level_twice": {
        "zh-CN": "采用层级“{level}”重复列出",
        "en": 'level "{level}" is listed twice',
    },
    "field.not_record": {
        "zh-CN": "必须是包含 {keys} 的键值对",
        "en": "must be a mapping with {keys}",
    },
    "field.unknown_subkey": {"zh-CN": "未知的键“{key}”{hint}", "en": 'unknown key "{key}"{hint}'},
    "field.missing_subkey": {"zh-CN": "缺少“{key}”", "en": '"{key}" is missing'},
    "field.not_mapping": {"zh-CN": "必须是键值对（映射）", "en": "must be a mapping"},
    "field.number_too_long": {
        "zh-CN": "数字有 {n:,} 位，太长了",
        "en": "a number of {n:,} characters is too long",
    },
    "field.invalid_value": {
        "zh-CN": "YAML 值无效：{problem}",
        "en": "invalid YAML value: {problem}",
    },
    "field.null_hint": {
        "zh-CN": "（YAML 中 {value} 表示“没有值”；如果是文字，请加引号）",
        "en": " ({value} means no value in YAML; put it in quotes if it is text)",
    },
    "field.tags_comma": {
        "zh-CN": "标签“{value}”里有中文逗号“，”，会被当成一个标签；请写成 [{fixed}]",
        "en": 'the tag "{value}" holds a Chinese comma "，" and is one tag; write [{fixed}]',
    },
    "field.tags_space": {
        "zh-CN": "标签“{value}”里有空格，会被当成一个标签；多个标签请写成 [{fixed}]",
        "en": 'the tag "{value}" holds spaces and is one tag; for several tags write [{fixed}]',
    },
    # --- item files (content.py) -----------------------------------------------------
    "content.dir_missing": {"zh-CN": "找不到目录", "en": "directory not found"},
    "content.link_outside": {
        "zh-CN": "符号链接指向站点以外；已拒绝",
        "en": "symbolic link points outside the site; refused",
    },
    "content.not_regular": {
        "zh-CN": "不是普通文件；已拒绝",
        "en": "not a regular file; refused",
    },
    "name.empty": {"zh-CN": "为空", "en": "is empty"},
    "name.unsafe": {
        "zh-CN": "含有在网址或 Windows 中不安全的字符",
        "en": "has characters that are unsafe in URLs or on Windows",
    },
    "name.dot": {
        "zh-CN": "以点号开头，构建时会被当作隐藏文件跳过",
        "en": "starts with a dot, so the build would skip it as a hidden file",
    },
    "name.reserved": {
        "zh-CN": "是 Windows 保留或不允许的名称",
        "en": "is reserved or invalid on Windows",
    },
    "name.not_utf8": {"zh-CN": "不是有效的 UTF-8", "en": "is not valid UTF-8"},
    "name.too_long": {
        "zh-CN": "太长：加上 {suffix} 共 {size:,} 字节，超过上限 {limit}",
        "en": "is too long: {size:,} bytes with {suffix}, over the limit of {limit}",
    },
    "name.rename": {
        "zh-CN": "文件名{problem}；请重命名文件",
        "en": "file name {problem}; rename the file",
    },
    "content.too_large": {
        "zh-CN": "文件有 {size:,} 字节，超过上限 {limit:,}",
        "en": "file is {size:,} bytes, over the limit of {limit:,}",
    },
    "content.cannot_read": {"zh-CN": "无法读取：{error}", "en": "cannot read: {error}"},
    "content.gbk": {
        "zh-CN": "文件不是 UTF-8 编码：看起来是 GBK/GB18030（Windows 编辑器常见）；请另存为 UTF-8",
        "en": "file is not UTF-8: it looks like GBK/GB18030 (common from Windows editors); "
        "save it as UTF-8",
    },
    "content.not_utf8": {
        "zh-CN": "文件不是有效的 UTF-8 编码；请另存为 UTF-8",
        "en": "file is not valid UTF-8; save it as UTF-8",
    },
    "content.nul": {
        "zh-CN": "文件含有 NUL 字节；这是文本文件吗？",
        "en": "file contains NUL bytes; is it a text file?",
    },
    "content.control": {
        "zh-CN": "文件含有控制字符 U+{code:04X}；请删除",
        "en": "file contains the control character U+{code:04X}; remove it",
    },
    "content.unknown_key": {
        "zh-CN": "未知的键{hint}；自定义内容请写在 extra: 下面",
        "en": "unknown key{hint}; put custom data under extra:",
    },
    "content.required": {"zh-CN": "必须填写，但没有写", "en": "is required but missing"},
    "content.emergency_times": {
        "zh-CN": "紧急信息首报需要填写 occurred（发生时间）和 reported（报送时间）",
        "en": "an emergency first report needs occurred and reported times",
    },
    "content.reported_early": {
        "zh-CN": "报送时间早于发生时间",
        "en": "is earlier than occurred",
    },
    "content.done_needs_due": {
        "zh-CN": "填写了办结日期，还需要填写办结时限 due",
        "en": "a reply date needs a due date",
    },
    "content.supervision_assignees": {
        "zh-CN": "督查督办事项至少需要一个责任单位",
        "en": "a supervision item needs at least one responsible unit",
    },
    "content.supervision_due": {
        "zh-CN": "督查督办事项需要办结时限 due",
        "en": "a supervision item needs a due date",
    },
    "content.done_early": {
        "zh-CN": "早于本信息的日期",
        "en": "is earlier than the item's date",
    },
    "content.honorees": {
        "zh-CN": "表彰至少需要一个表彰对象",
        "en": "a commendation needs at least one honoree",
    },
    "content.excellent": {
        "zh-CN": "只有调研报告可以标为优秀",
        "en": "only research reports can be marked excellent",
    },
    "content.final_needs_follow_up": {
        "zh-CN": "综合上报（终报）必须用 follow-up-of 写明续报的是哪一条",
        "en": "a final report must say which report it follows up (follow-up-of)",
    },
    "content.empty_body": {
        "zh-CN": "正文是空的；发布的信息必须有正文（草稿请写 status: draft）",
        "en": "the body is empty; a published item needs a body (a draft says status: draft)",
    },
    "content.skeleton_body": {
        "zh-CN": "正文还是 bulletin new 生成的模板，没有填写；请填写各部分内容",
        "en": "the body is still the skeleton bulletin new wrote; fill in its sections",
    },
    "content.indented_code": {
        "zh-CN": "这段以 4 个空格缩进（从 Word 粘贴常见），已按普通段落显示；请删除行首空格",
        "en": "this paragraph is indented by 4 spaces (pasted from Word); it is shown as an "
        "ordinary paragraph; remove the leading spaces",
    },
    # --- editorial checks (checks.py) ------------------------------------------------
    "check.long_body": {
        "zh-CN": "正文有 {chars} 个汉字，超过本类别建议的 {limit} 字（写短、写实）",
        "en": "body has {chars} Chinese characters, over the {limit} advised for this "
        "category (写短、写实)",
    },
    "check.long_title": {
        "zh-CN": "标题有 {chars} 个字，超过 {limit} 字",
        "en": "title has {chars} characters, over {limit}",
    },
    "check.no_summary": {
        "zh-CN": "正文有 {chars} 字但没有摘要；请添加 summary",
        "en": "item has {chars} characters but no summary; add one",
    },
    "check.empty_section": {
        "zh-CN": "小标题“{heading}”下面没有内容",
        "en": 'section "{heading}" is empty',
    },
    # --- across items (model.py) -------------------------------------------------------
    "model.duplicate_slug": {
        "zh-CN": "文件名“{slug}”重复：{other} 的文件名相同",
        "en": 'duplicate slug "{slug}": {other} has the same file name',
    },
    "model.no_item": {"zh-CN": "没有这条信息", "en": "no such item"},
    "model.no_item_file": {"zh-CN": "没有这个信息文件", "en": "no such item file"},
    "model.target_withheld": {
        "zh-CN": "那条信息涉密，不在网站上发布",
        "en": "that item is classified and withheld from the site",
    },
    "model.target_draft": {
        "zh-CN": "那条信息是草稿，不发布（加 --drafts 可预览）",
        "en": "that item is a draft and is not published (build with --drafts to include it)",
    },
    "model.target_pending": {
        "zh-CN": "那条信息待审核（缺校核或审批），不发布",
        "en": "that item awaits sign-off (reviewed-by, approved-by) and is not published",
    },
    "model.broken_link": {
        "zh-CN": "链接到 {target} 无效：{reason}",
        "en": "broken link to {target}: {reason}",
    },
    "model.ref": {"zh-CN": "“{slug}”：{reason}{hint}", "en": '"{slug}": {reason}{hint}'},
    "model.follows_itself": {
        "zh-CN": "一条信息不能续报它自己",
        "en": "an item cannot follow up itself",
    },
    "model.loop": {
        "zh-CN": "续报关系绕回了这条信息",
        "en": "follow-up chain loops back to this item",
    },
    "model.two_finals": {
        "zh-CN": "{root} 的事件已经有综合上报（终报）：{other}",
        "en": "the thread of {root} already has a final report: {other}",
    },
    # --- site.toml (config.py) ---------------------------------------------------------
    "config.not_found": {
        "zh-CN": "在 {root} 中找不到（这是 bulletin 站点目录吗？）",
        "en": "not found in {root} (is this a bulletin site?)",
    },
    "config.toml": {"zh-CN": "TOML 格式有误：{problem}", "en": "invalid TOML: {problem}"},
    "config.toml_repeat": {
        "zh-CN": "重复填写（第 {other} 行也有）；请只保留一个",
        "en": "given twice (also on line {other}); keep one",
    },
    "config.toml_separator": {
        "zh-CN": "键和值之间要用半角等号“ = ”，不能用“{char}”",
        "en": 'a key and its value are separated by " = ", not "{char}"',
    },
    "config.toml_unquoted": {
        "zh-CN": '文字要用英文双引号括起来，例如 name = "城关镇"',
        "en": 'text must be put in double quotes, e.g. name = "城关镇"',
    },
    "config.unknown_key": {"zh-CN": "未知的设置项{hint}", "en": "unknown key{hint}"},
    "config.wrong_type": {"zh-CN": "必须是{want}，不能是{got}", "en": "must be {want}, not {got}"},
    "type.str": {"zh-CN": "字符串", "en": "a string"},
    "type.int": {"zh-CN": "整数", "en": "an integer"},
    "type.bool": {"zh-CN": "true 或 false", "en": "true or false"},
    "type.table": {"zh-CN": "表", "en": "a table"},
    "type.float": {"zh-CN": "小数", "en": "a number with a fraction"},
    "type.list": {"zh-CN": "列表", "en": "a list"},
    "type.date": {"zh-CN": "日期", "en": "a date"},
    "type.other": {"zh-CN": "{name}", "en": "{name}"},
    "config.must_be_table": {"zh-CN": "必须是表", "en": "must be a table"},
    "config.language": {
        "zh-CN": "不支持“{value}”；可选：{options}",
        "en": '"{value}" is not supported; use one of {options}',
    },
    "config.timezone_local": {
        "zh-CN": "“{name}”是本机的时区；请写单位所在地的时区，例如“{default}”",
        "en": '"{name}" is the machine\'s own time zone; name the office\'s, such as "{default}"',
    },
    "config.timezone_unknown": {
        "zh-CN": "未知的时区“{name}”{hint}",
        "en": 'unknown time zone "{name}"{hint}',
    },
    "config.timezone_no_db": {
        "zh-CN": "（找不到时区数据库：请安装 tzdata 包）",
        "en": " (no time zone database found: install the tzdata package)",
    },
    "config.timezone_china": {
        "zh-CN": "（中国标准时间是“{default}”）",
        "en": ' (China Standard Time is "{default}")',
    },
    "config.timezone_use_iana": {
        "zh-CN": "；请写 IANA 时区名，例如“{default}”",
        "en": '; use an IANA name such as "{default}"',
    },
    "config.base_url": {
        "zh-CN": "必须以 / 开头，或者是 http(s) 完整网址",
        "en": 'must start with "/" or be an absolute http(s) URL',
    },
    "config.empty": {"zh-CN": "不能为空", "en": "must not be empty"},
    "config.today": {
        "zh-CN": "必须是日期，如 2026-11-27（不加引号）",
        "en": "must be a date such as 2026-11-27 (unquoted)",
    },
    "config.unit_table": {
        "zh-CN": "必须是包含 name、kind 和 key 的表",
        "en": "must be a table with name, kind and key",
    },
    "config.unit_id": {
        "zh-CN": "单位编号只能用小写英文字母、数字、- 和 _",
        "en": "unit ids use lowercase ASCII letters, digits, '-' and '_'",
    },
    "config.unit_name": {"zh-CN": "单位需要名称 name", "en": "a unit needs a name"},
    "config.unit_kind": {
        "zh-CN": "“{value}”不是有效的单位类型；可选：{options}",
        "en": '"{value}" is not one of {options}',
    },
    "config.no_units": {
        "zh-CN": "没有 [units.<编号>] 表：至少要定义一个报送单位",
        "en": "no [units.<id>] tables: define at least one reporting unit",
    },
    "config.category_table": {
        "zh-CN": "必须是包含 name 的表",
        "en": "must be a table with a name",
    },
    "config.category_id": {
        "zh-CN": "类别编号只能用小写英文字母、数字、- 和 _",
        "en": "category ids use lowercase ASCII, digits, '-', '_'",
    },
    "config.level_table": {
        "zh-CN": "必须是包含 name 和 points 的表",
        "en": "must be a table with name and points",
    },
    "config.unknown_level": {
        "zh-CN": "未知的采用层级{hint}",
        "en": "unknown adoption level{hint}",
    },
    "config.must_be_int": {"zh-CN": "必须是整数", "en": "must be an integer"},
    "config.unknown_category": {"zh-CN": "未知的类别{hint}", "en": "unknown category{hint}"},
    "config.negative": {"zh-CN": "不能是负数", "en": "must not be negative"},
    # --- output directory and publishing (output.py, build.py) -------------------------
    "output.refused": {
        "zh-CN": "{out}：{why}；没有写入任何文件",
        "en": "{out}: {why}; nothing was written",
    },
    "output.site_dir": {"zh-CN": "就是站点目录本身", "en": "is the site directory itself"},
    "output.ancestor": {
        "zh-CN": "是站点目录的上级目录",
        "en": "is an ancestor of the site directory",
    },
    "output.inside": {"zh-CN": "在 {name}/ 目录里面", "en": "is inside {name}/"},
    "output.not_dir": {
        "zh-CN": "已存在且不是目录",
        "en": "exists and is not a directory",
    },
    "output.foreign": {
        "zh-CN": "是一个非空目录，且不是 bulletin 创建的（没有 {marker} 标记）",
        "en": "is a non-empty directory that bulletin did not create (no {marker} marker)",
    },
    "leak.file_name": {
        "zh-CN": "输出文件名泄露了涉密（不发布）信息",
        "en": "output file name reveals a withheld (classified) item",
    },
    "leak.content": {
        "zh-CN": "输出内容包含涉密（不发布）信息的标题或地址；某个模板泄露了它——没有发布任何内容",
        "en": "output contains the title or address of a withheld (classified) item; a "
        "layout must be leaking it — nothing was published",
    },
    "template.link_outside": {
        "zh-CN": "符号链接指向站点以外；已拒绝",
        "en": "symbolic link points outside the site; refused",
    },
    "template.syntax": {"zh-CN": "模板语法错误：{error}", "en": "template syntax error: {error}"},
    "template.recursion": {"zh-CN": "模板递归过深", "en": "template recursed too deeply"},
    "template.not_found": {"zh-CN": "找不到模板：{name}", "en": "template not found: {name}"},
    "template.undefined": {"zh-CN": "未定义的变量：{error}", "en": "undefined variable: {error}"},
    "template.error": {"zh-CN": "模板错误：{error}", "en": "template error: {error}"},
    "build.internal": {"zh-CN": "内部错误：{error}", "en": "internal error: {error}"},
    # --- the command line (cli.py) ----------------------------------------------------
    "cli.not_a_dir": {
        "zh-CN": "bulletin: {path}：不是目录",
        "en": "bulletin: {path}: not a directory",
    },
    "cli.interrupted": {"zh-CN": "已中断", "en": "interrupted"},
    "cli.os_error": {"zh-CN": "bulletin: {path}：{reason}", "en": "bulletin: {path}: {reason}"},
    "cli.name_too_long": {
        "zh-CN": "路径或文件名太长（文件名最多 255 字节，约 85 个汉字）",
        "en": "the path or file name is too long (a file name holds at most 255 bytes)",
    },
    "cli.no_permission": {"zh-CN": "没有权限", "en": "permission denied"},
    "cli.disk_full": {"zh-CN": "磁盘空间不足", "en": "no space left on the disk"},
    "cli.os_other": {"zh-CN": "系统错误：{error}", "en": "system error: {error}"},
    "cli.bad_date": {
        "zh-CN": "不是 YYYY-MM-DD 格式的日期：{value}",
        "en": "not a date YYYY-MM-DD: {value}",
    },
    "cli.bad_port": {
        "zh-CN": "不是 0-65535 的端口号：{value}",
        "en": "not a TCP port 0-65535: {value}",
    },
    "cli.bad_jobs": {"zh-CN": "不是正整数：{value}", "en": "not a positive whole number: {value}"},
    "cli.bad_year": {"zh-CN": "不是年份：{value}", "en": "not a year: {value}"},
    "cli.failed_errors": {
        "zh-CN": "bulletin: {n} 个错误；没有写入任何文件",
        "en": "bulletin: {n} error{s}; nothing was written",
    },
    "cli.failed_warnings": {
        "zh-CN": "bulletin: {n} 个警告（--strict）；没有写入任何文件",
        "en": "bulletin: {n} warning{s} (--strict); nothing was written",
    },
    "cli.check_errors": {
        "zh-CN": "bulletin: {n} 个错误；见上",
        "en": "bulletin: {n} error{s}; see above",
    },
    "cli.check_warnings": {
        "zh-CN": "bulletin: {n} 个警告（--strict）；见上",
        "en": "bulletin: {n} warning{s} (--strict); see above",
    },
    "summary.items": {"zh-CN": "发布信息", "en": "Items"},
    "summary.pages": {"zh-CN": "页面", "en": "Pages"},
    "summary.rendered": {"zh-CN": "本次生成页面", "en": "Pages rendered"},
    "summary.written": {"zh-CN": "写入文件", "en": "Files written"},
    "summary.withheld": {"zh-CN": "涉密不发布", "en": "Withheld (classified)"},
    "summary.drafts": {"zh-CN": "草稿（未发布）", "en": "Drafts skipped"},
    "summary.pending": {"zh-CN": "待审核", "en": "Awaiting sign-off"},
    "summary.warnings": {"zh-CN": "警告", "en": "Warnings"},
    "summary.checked": {
        "zh-CN": "检查完毕，用时 {seconds:.2f} 秒：没有错误",
        "en": "Checked in {seconds:.2f} s: no errors",
    },
    "summary.up_to_date": {
        "zh-CN": "已是最新，用时 {seconds:.2f} 秒（输入没有变化）→ {output}",
        "en": "Up to date in {seconds:.2f} s (no input changed) → {output}",
    },
    "summary.built": {
        "zh-CN": "构建完成，用时 {seconds:.2f} 秒 → {output}",
        "en": "Built in {seconds:.2f} s → {output}",
    },
    "progress.read": {"zh-CN": "读取信息", "en": "items read"},
    "progress.render": {"zh-CN": "写入页面", "en": "pages written"},
    "progress.search": {"zh-CN": "建立搜索索引", "en": "search indexing"},
    "cli.command_line": {"zh-CN": "（命令行）", "en": "(command line)"},
    "cli.slug_problem": {
        "zh-CN": "“{slug}”{problem}；请换一个",
        "en": '"{slug}" {problem}; choose another',
    },
    "cli.exists": {
        "zh-CN": "bulletin: {path} 已存在；没有覆盖",
        "en": "bulletin: {path} already exists; not overwritten",
    },
    "cli.slug_taken": {
        "zh-CN": "bulletin: {path} 已经使用了文件名“{slug}”（文件名不能重复）；请用 --slug 另选一个",
        "en": 'bulletin: {path} already uses the slug "{slug}" (slugs are unique); choose '
        "another with --slug",
    },
    "cli.cannot_write": {
        "zh-CN": "bulletin: {path}：无法写入：{error}",
        "en": "bulletin: {path}: cannot write: {error}",
    },
    "cli.new_next": {
        "zh-CN": "下一步：\n"
        "  1. 编辑 {path}，填写各部分正文（写短、写实）\n"
        "  2. 运行 bulletin check 检查\n"
        "  3. 校核、审批后填写 reviewed-by 和 approved-by，删除 status: draft 一行，即可发布",
        "en": "Next:\n"
        "  1. edit {path} and fill in the body's sections\n"
        "  2. run bulletin check\n"
        "  3. once checked and approved, fill in reviewed-by and approved-by and remove the "
        "line status: draft to publish it",
    },
    "cli.stats_errors": {
        "zh-CN": "bulletin: {n} 个错误；没有计算统计数据",
        "en": "bulletin: {n} error(s); figures not computed",
    },
    "cli.no_items_in_year": {
        "zh-CN": "bulletin: {year}年没有发布的信息",
        "en": "bulletin: no published item in {year}",
    },
    # --- bulletin new-issue and export (document_commands.py) ---------------------------
    "export.unavailable": {
        "zh-CN": "bulletin: 导出 {fmt} 需要 {name}，尚未安装：{install}",
        "en": "bulletin: exporting {fmt} needs {name}, which is not installed: {install}",
    },
    "export.errors": {
        "zh-CN": "bulletin: {n} 个错误；没有导出",
        "en": "bulletin: {n} error(s); nothing was exported",
    },
    "export.no_issue": {
        "zh-CN": "bulletin: 没有已发布的 {bulletin} {year}年第{number}期{known}",
        "en": "bulletin: no published issue {bulletin} {year} No. {number}{known}",
    },
    "export.known_issues": {
        "zh-CN": "（本站有：{issues}）",
        "en": "; the site has: {issues}",
    },
    "export.no_circular": {
        "zh-CN": "bulletin: 没有{year}年第{quarter}季度的通报（该季度未开始，或当年没有信息）",
        "en": "bulletin: no circular for {year} Q{quarter} (not begun, or no items that year)",
    },
    "export.no_anthology": {
        "zh-CN": "bulletin: 没有{year}年的调研文集（当年没有优秀调研报告）",
        "en": "bulletin: no anthology for {year} (no excellent research report that year)",
    },
    "export.fonts": {"zh-CN": "字体：{fonts}", "en": "fonts: {fonts}"},
    "export.no_fonts": {"zh-CN": "无", "en": "none"},
    "export.no_cjk_font": {
        "zh-CN": "bulletin: 警告：没有找到中文字体，中文可能印成方框"
        "（Debian：apt-get install fonts-noto-cjk）",
        "en": "bulletin: warning: no Chinese font found; Chinese text may print as boxes "
        "(Debian: apt-get install fonts-noto-cjk)",
    },
    "issue.unknown_bulletin": {
        "zh-CN": "未知的刊物“{value}”{hint}",
        "en": 'unknown bulletin "{value}"{hint}',
    },
    "issue.bulletins": {"zh-CN": "（刊物：{ids}）", "en": " (bulletins: {ids})"},
    "issue.no_bulletins": {
        "zh-CN": "（site.toml 里没有 [bulletins.<编号>]）",
        "en": " (site.toml has no [bulletins.<id>])",
    },
    "issue.number_min": {"zh-CN": "期号至少为 1", "en": "must be 1 or more"},
    "issue.number_taken": {
        "zh-CN": "bulletin: {label}已经是 {path}；没有覆盖",
        "en": "bulletin: {label} is already {path}; not overwritten",
    },
    # --- bulletin issues and circular notes (issues/, config.py) -------------------------
    "issue.unknown_key": {"zh-CN": "未知的键{hint}", "en": "unknown key{hint}"},
    "issue.whole_number": {
        "zh-CN": "必须是整数，例如 15",
        "en": "must be a whole number such as 15",
    },
    "issue.use_id": {"zh-CN": "（请写它的编号“{id}”）", "en": ' (use its id "{id}")'},
    "issue.items_list": {
        "zh-CN": "必须是信息文件名（slug）的列表",
        "en": "must be a list of item slugs",
    },
    "issue.no_items": {"zh-CN": "没有列出任何信息", "en": "lists no item"},
    "issue.listed_twice": {
        "zh-CN": "“{slug}”在本期重复列出（第 {line} 行已有）",
        "en": '"{slug}" is listed twice in this issue (also on line {line})',
    },
    "issue.note_name": {
        "zh-CN": "通报补充说明的文件名应为 年份-q季度.md，例如 2026-q2.md",
        "en": "a circular note is named YEAR-qN.md, e.g. 2026-q2.md",
    },
    "issue.note_empty": {"zh-CN": "补充说明没有正文", "en": "the note has no text"},
    "issue.item_later": {
        "zh-CN": "那条信息的日期是 {item_date}，晚于本期（{issue_date}）",
        "en": "that item is dated {item_date}, after this issue ({issue_date})",
    },
    "issue.number_used": {
        "zh-CN": "{label}已经是 {path}；同一刊物同一年的期号不能重复",
        "en": "{label} is already {path}; numbers are unique per bulletin and year",
    },
    "config.pdf_unavailable": {
        "zh-CN": "需要 WeasyPrint，尚未安装：{install}",
        "en": "needs WeasyPrint, which is not installed: {install}",
    },
    "config.bulletin_table": {
        "zh-CN": "必须是包含 name、publisher 和 level 的表",
        "en": "must be a table with name, publisher and level",
    },
    "config.bulletin_id": {
        "zh-CN": "刊物编号只能用小写英文字母、数字、- 和 _",
        "en": "bulletin ids use lowercase ASCII letters, digits, '-' and '_'",
    },
    "config.bulletin_needs": {"zh-CN": "刊物需要填写 {key}", "en": "a bulletin needs {key}"},
    "config.distribution_table": {
        "zh-CN": "必须是表：{{ report = [...], send = [...], distribute = [...] }}",
        "en": "must be a table: {{ report = [...], send = [...], distribute = [...] }}",
    },
    "config.distribution_names": {
        "zh-CN": "{key} 必须是名称的列表",
        "en": "{key} must be a list of names",
    },
    # --- argument help (cli.py) --------------------------------------------------------
    "help.new_issue": {
        "zh-CN": "写出刊物的下一期文件（草稿），列出尚未编入的信息供选用",
        "en": "write the next issue file of a bulletin, proposing the items not yet in one",
    },
    "help.bulletin": {"zh-CN": "刊物编号（site.toml 的 [bulletins.<编号>]）", "en": "bulletin id"},
    "help.issue_number": {
        "zh-CN": "期号（默认：下一个未用的期号）",
        "en": "issue number (default: the next free number)",
    },
    "help.export": {
        "zh-CN": "把一期刊物、一份通报或一本文集导出为 PDF 或 Word",
        "en": "write an issue, a circular or an anthology as PDF or Word",
    },
    "help.export_issue": {
        "zh-CN": "一期刊物：刊物 年 期号",
        "en": "a bulletin issue: BULLETIN YEAR NUMBER",
    },
    "help.export_circular": {
        "zh-CN": "季度通报：年 季度",
        "en": "a quarter's circular (通报): YEAR QUARTER",
    },
    "help.export_anthology": {
        "zh-CN": "年度调研文集：年",
        "en": "a year's research anthology: YEAR",
    },
    "help.export_year": {"zh-CN": "年份", "en": "year"},
    "help.export_number": {"zh-CN": "期号", "en": "issue number"},
    "help.quarter": {"zh-CN": "季度（1–4）", "en": "quarter (1-4)"},
    "help.export_output": {
        "zh-CN": "输出文件（默认：./<名称>.<格式>）",
        "en": "output file (default: ./<name>.<format>)",
    },
    "help.export_today": {
        "zh-CN": "统计数字截止的日期",
        "en": "date of the figures",
    },
    "help.description": {
        "zh-CN": "生成党委系统办公室的信息简报网站。",
        "en": "Build the information-bulletin site of a party-committee office.",
    },
    "help.version": {"zh-CN": "显示版本号并退出", "en": "show the version and exit"},
    "help.lang": {
        "zh-CN": "提示信息的语言：zh-CN 或 en（默认：站点的 language）",
        "en": "language of messages: zh-CN or en (default: the site's language)",
    },
    "help.site": {
        "zh-CN": "站点目录（默认：当前目录）",
        "en": "site directory (default: the current directory)",
    },
    "help.build": {
        "zh-CN": "把网站生成到输出目录",
        "en": "build the site into its output directory",
    },
    "help.check": {
        "zh-CN": "检查内容和配置，不写入任何文件",
        "en": "validate content and config; write nothing",
    },
    "help.new": {
        "zh-CN": "新建一条信息草稿，带本类别的正文模板",
        "en": "write a new draft item with its category's body skeleton",
    },
    "help.review": {
        "zh-CN": "按单位列出待审核（缺校核或审批）的信息",
        "en": "list the items awaiting sign-off, by unit",
    },
    "help.import": {
        "zh-CN": "把 Word（.docx）或文本（.txt）文件转换为信息草稿；也可以是一个目录",
        "en": "turn a Word (.docx) or text (.txt) document, or a folder of them, into draft items",
    },
    "help.stats": {
        "zh-CN": "显示某一年的报送、采用、定额、排名和通报批评情况",
        "en": "print a year's reporting figures, quotas, ranks, criticism",
    },
    "help.serve": {
        "zh-CN": "在本机提供网站预览，文件一改就重新生成并自动刷新",
        "en": "serve on loopback, rebuild and live-reload on every change",
    },
    "help.watch": {
        "zh-CN": "文件有变化时重新生成输出目录（用于内网服务器）",
        "en": "rebuild the output whenever the sources change",
    },
    "help.output": {
        "zh-CN": "输出目录（默认：site.toml 的 output_dir）",
        "en": "output directory (default: output_dir)",
    },
    "help.drafts": {
        "zh-CN": "包括草稿和待审核信息（页面上标明“草稿”“待审核”），仅供预览",
        "en": "include drafts and items awaiting sign-off, marked as such (previews only)",
    },
    "help.today": {
        "zh-CN": "把这一天当作今天（用于超期、季度等）",
        "en": "date used as today (overdue states, open quarters)",
    },
    "help.strict": {"zh-CN": "有警告也算失败", "en": "fail on warnings too"},
    "help.no_search": {"zh-CN": "不生成搜索索引", "en": "skip the search index"},
    "help.no_cache": {"zh-CN": "不使用也不写入缓存", "en": "ignore and do not write the cache"},
    "help.jobs": {
        "zh-CN": "并行进程数（默认：CPU 核数）",
        "en": "worker processes (default: CPUs)",
    },
    "help.category": {
        "zh-CN": "类别编号或名称（见下）",
        "en": "category id or name (see below)",
    },
    "help.unit": {"zh-CN": "报送单位编号或名称（见下）", "en": "unit id or name (see below)"},
    "help.title": {"zh-CN": "标题", "en": "title"},
    "help.date": {"zh-CN": "日期（默认：今天）", "en": "date (default: today)"},
    "help.slug": {
        "zh-CN": "文件名（不含 .md；默认：日期加标题）",
        "en": "file stem (default: date and title)",
    },
    "help.site_ids": {
        "zh-CN": "本站的单位：\n{units}\n\n本站的类别：\n{categories}",
        "en": "units of this site:\n{units}\n\ncategories of this site:\n{categories}",
    },
    "help.no_site": {
        "zh-CN": "（在站点目录中运行 bulletin new --help，可列出本站的单位和类别）",
        "en": "(run bulletin new --help in a site directory to list its units and categories)",
    },
    "help.year": {
        "zh-CN": "年份（默认：有信息的最近一年）",
        "en": "year (default: the latest year with items)",
    },
    "help.format": {"zh-CN": "输出格式", "en": "output format"},
    "help.host": {
        "zh-CN": "监听地址（默认 127.0.0.1；其他地址别人也能访问）",
        "en": "address to bind (default 127.0.0.1; another address is reachable by others)",
    },
    "help.port": {"zh-CN": "端口（默认 8000；0：任意）", "en": "TCP port (default 8000; 0: any)"},
    "help.import_source": {
        "zh-CN": ".docx 或 .txt 文件，或放这些文件的目录",
        "en": "a .docx or .txt file, or a folder of them",
    },
    "help.import_category": {
        "zh-CN": "类别编号或名称（默认：briefing）",
        "en": "category id or name (default: briefing)",
    },
    "help.import_date": {
        "zh-CN": "日期（默认：文件里写的落款日期，否则今天）",
        "en": "date (default: the date the document gives, else today)",
    },
    # --- bulletin review ------------------------------------------------------------
    "review.none": {
        "zh-CN": "没有待审核的信息。",
        "en": "No item awaits sign-off.",
    },
    "review.off": {
        "zh-CN": "本站未启用审核规则（site.toml 的 [rules] require_signoff = true）；"
        "所有非草稿信息都会发布。",
        "en": "This site does not require sign-off ([rules] require_signoff = true in "
        "site.toml); every item that is not a draft is published.",
    },
    "review.heading": {"zh-CN": "待审核信息 {n} 条：", "en": "{n} item(s) awaiting sign-off:"},
    "review.unit": {"zh-CN": "{name}（{n} 条）", "en": "{name} ({n})"},
    "review.missing": {"zh-CN": "缺：{what}", "en": "missing: {what}"},
    "review.reviewed_by": {"zh-CN": "校核人 reviewed-by", "en": "reviewer (reviewed-by)"},
    "review.approved_by": {"zh-CN": "审批人 approved-by", "en": "approver (approved-by)"},
    # --- bulletin import -----------------------------------------------------------
    "import.no_mammoth": {
        "zh-CN": "bulletin: 导入 Word 文件需要 mammoth：pip install 'bulletin[import]'",
        "en": "bulletin: importing Word files needs mammoth: pip install 'bulletin[import]'",
    },
    "import.unsupported": {
        "zh-CN": "不支持的文件类型（只能导入 .docx 和 .txt）",
        "en": "unsupported file type (only .docx and .txt can be imported)",
    },
    "import.save_as_docx": {
        "zh-CN": "{suffix} 文件不能直接导入；请在 Word 或 WPS 里打开，“另存为” .docx 后再导入",
        "en": "a {suffix} file cannot be imported as it is; open it in Word or WPS and save "
        "it as .docx, then import that",
    },
    "import.not_found": {"zh-CN": "找不到文件或目录", "en": "no such file or directory"},
    "import.empty": {"zh-CN": "文件里没有文字", "en": "the document holds no text"},
    "import.unreadable": {
        "zh-CN": "无法读取这个 Word 文件：{error}",
        "en": "cannot read this Word file: {error}",
    },
    "import.txt_encoding": {
        "zh-CN": "文本文件既不是 UTF-8 也不是 GBK 编码",
        "en": "the text file is neither UTF-8 nor GBK",
    },
    "import.images": {
        "zh-CN": "文件里的 {n} 张图片没有导入（网站信息不带图片）",
        "en": "{n} image(s) in the document were left out (items carry no images)",
    },
    "import.written": {"zh-CN": "{source} → {path}", "en": "{source} → {path}"},
    "import.summary": {
        "zh-CN": "导入 {ok} 个文件，失败 {failed} 个",
        "en": "{ok} file(s) imported, {failed} failed",
    },
    "import.next": {
        "zh-CN": "导入的信息是草稿：请核对标题、类别和日期，运行 bulletin check，校核、审批后删除 status: draft",
        "en": "Imported items are drafts: check their title, category and date, run bulletin "
        "check, and once signed off remove status: draft",
    },
    "import.dir_empty": {
        "zh-CN": "目录里没有 .docx 或 .txt 文件",
        "en": "the folder holds no .docx or .txt file",
    },
    # --- serve and watch ---------------------------------------------------------
    "serve.overlay_title": {
        "zh-CN": "构建失败：仍显示上一次成功构建的页面",
        "en": "Build failed: showing the last good build",
    },
    "serve.overlay_close": {"zh-CN": "关闭", "en": "Close"},
    "serve.overlay_hint": {
        "zh-CN": "修改下列文件并保存，页面会自动刷新。",
        "en": "Fix the files below and save; this page reloads by itself.",
    },
    "serve.overlay_more": {"zh-CN": "另有 {n} 个错误", "en": "{n} more errors"},
    "serve.port_in_use": {
        "zh-CN": "bulletin: {host} 的端口 {port} 已被占用；请用 --port 另选一个",
        "en": "bulletin: port {port} on {host} is in use; choose another with --port",
    },
    "serve.cannot_serve": {
        "zh-CN": "bulletin: 无法在 {host}:{port} 上提供服务：{error}",
        "en": "bulletin: cannot serve on {host}:{port}: {error}",
    },
    "serve.not_loopback": {
        "zh-CN": "bulletin: 警告：正在 {host} 上提供服务，其他计算机也能访问。这是开发用的预览服务器："
        "没有访问控制，也没有安全加固，不能给读者使用。请用 bulletin build 生成网站，再用正式的网站服务器发布。",
        "en": "bulletin: warning: serving on {host}, reachable from other machines. This is "
        "a development server: no access control, not hardened, not for readers. Publish "
        "with `bulletin build` and a real web server.",
    },
    "serve.output": {
        "zh-CN": "bulletin: 输出在 {output}（不是正式的输出目录）；按 Ctrl-C 停止",
        "en": "bulletin: output in {output} (not the production output); Ctrl-C to stop",
    },
    "http.bad_request": {"zh-CN": "请求地址有误", "en": "bad request target"},
    "http.loopback_only": {
        "zh-CN": "这个开发用服务器只接受本机地址（localhost）的访问",
        "en": "this development server answers to loopback names only",
    },
    "http.not_found": {"zh-CN": "未找到", "en": "not found"},
    "http.bad_path": {"zh-CN": "路径有误", "en": "bad path"},
    "http.forbidden": {"zh-CN": "禁止访问", "en": "forbidden"},
    "http.building": {"zh-CN": "正在构建…", "en": "Building…"},
    "http.building_text": {
        "zh-CN": "第一次构建完成后，本页会自动刷新。",
        "en": "This page reloads by itself when the first build is done.",
    },
    "http.not_built": {
        "zh-CN": "{path} 不在当前构建中。",
        "en": "{path} is not in the current build.",
    },
    "change.created": {"zh-CN": "{path} 新建", "en": "{path} created"},
    "change.modified": {"zh-CN": "{path} 修改", "en": "{path} modified"},
    "change.deleted": {"zh-CN": "{path} 删除", "en": "{path} deleted"},
    "change.moved": {"zh-CN": "{path} → {dest}", "en": "{path} → {dest}"},
    "change.initial": {"zh-CN": "首次构建", "en": "initial build"},
    "change.new_day": {"zh-CN": "新的一天 {day}", "en": "new day {day}"},
    "change.requested": {"zh-CN": "（请求重建）", "en": "(requested)"},
    "change.none": {"zh-CN": "没有变化", "en": "no change"},
    "change.more": {"zh-CN": "（另有 {n} 处）", "en": " (+{n} more)"},
    "live.cannot_watch_dir": {
        "zh-CN": "bulletin: 无法监视 {name}/：{error}",
        "en": "bulletin: cannot watch {name}/: {error}",
    },
    "live.cannot_watch": {
        "zh-CN": "bulletin: 无法监视 {root}：{error}",
        "en": "bulletin: cannot watch {root}: {error}",
    },
    "live.search_done": {
        "zh-CN": "bulletin: 搜索索引已更新（{seconds:.2f} 秒）",
        "en": "bulletin: search index up to date ({seconds:.2f} s)",
    },
    "live.rebuilt": {
        "zh-CN": "{stamp} {what} → 写入 {written}，删除 {removed}，共 {pages} 页，{seconds:.2f} 秒",
        "en": "{stamp} {what} → {written} written, {removed} removed, {pages} pages, "
        "{seconds:.2f} s",
    },
    "live.failed": {
        "zh-CN": "{stamp} {what} → 构建失败（{n} 个错误），{seconds:.2f} 秒；上一次成功的网站保持不变",
        "en": "{stamp} {what} → build failed ({n} error{s}), {seconds:.2f} s; the last good "
        "site stays live",
    },
    "live.hidden_warnings": {
        "zh-CN": "；{n} 个警告（bulletin check 可列出）",
        "en": "; {n} warnings (bulletin check lists them)",
    },
    "live.stopped_hard": {
        "zh-CN": "bulletin: 没有等待构建结束，直接退出",
        "en": "bulletin: stopped without waiting for the build",
    },
    "live.watching": {
        "zh-CN": "bulletin: 正在监视 {root}（content/、layouts/、site.toml）；按 Ctrl-C 或发送 SIGTERM 停止",
        "en": "bulletin: watching {root} (content/, layouts/, site.toml); SIGINT or SIGTERM "
        "to stop",
    },
    "live.stopping": {"zh-CN": "bulletin: 正在停止", "en": "bulletin: stopping"},
    "live.abandoned": {
        "zh-CN": "bulletin: 构建仍在进行，已放弃（正在使用的输出没有改动）",
        "en": "bulletin: a build was still running; abandoned (the live output was not touched)",
    },
    "serve.abandoned": {
        "zh-CN": "bulletin: 构建仍在进行，已放弃",
        "en": "bulletin: a build was still running; abandoned",
    },
    "serve.serving": {
        "zh-CN": "bulletin: 正在提供 {root}，网址 {url}",
        "en": "bulletin: serving {root} at {url}",
    },
}


@dataclass(frozen=True)
class Listing:
    """Values shown as an enumeration: "a、b、c" in Chinese, "a, b, c" in English."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class Message:
    """A message not yet in words: its catalogue id and the values its template names.

    ``args`` are (name, value) pairs; values may be other ``Message``s, ``Listing``s,
    tuples of parts or plain values (see the module docstring). Picklable and comparable,
    so diagnostics holding it cross processes and the cache.
    """

    id: str
    args: tuple[tuple[str, Any], ...] = ()

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The message in ``language`` (zh-CN or en; anything else gives zh-CN)."""
        templates = CATALOGUE[self.id]
        template = templates.get(language) or templates[DEFAULT_LANGUAGE]
        if not self.args:
            return template
        return template.format(**{k: render_value(v, language) for k, v in self.args})

    def __str__(self) -> str:
        return self.render(DEFAULT_LANGUAGE)


def msg(message_id: str, /, **args: Any) -> Message:
    """The message ``message_id`` with ``args``; an id not in ``CATALOGUE`` is a bug (KeyError)."""
    if message_id not in CATALOGUE:
        raise KeyError(f"no message {message_id!r} in the catalogue")
    return Message(message_id, tuple(args.items()))


def render_value(value: Any, language: str) -> Any:
    """One value of a message, ready for ``str.format`` in ``language``."""
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, Listing):
        sep = "、" if language == "zh-CN" else ", "
        return sep.join(str(render_value(v, language)) for v in value.items)
    if isinstance(value, tuple):
        return "".join(str(render_value(v, language)) for v in value)
    if value is None:
        return ""
    return value


def as_message(message: Message | str) -> Message:
    """``message`` itself, or text written outside the catalogue as a ``verbatim``
    message (the same words in every language)."""
    return message if isinstance(message, Message) else msg("verbatim", text=str(message))


def listing(values: Iterable[Any]) -> Listing:
    """``Listing`` of ``values``."""
    return Listing(tuple(values))


def language_or_default(language: str | None) -> str:
    """``language`` if bulletin speaks it, else ``DEFAULT_LANGUAGE``."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
