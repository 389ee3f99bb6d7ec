"""Turn the mess of real report text into clean, comparable text.

`normalize(text)` is idempotent: normalising twice gives the same text as normalising once.
Steps, in order: drop control characters and page furniture, remove pinyin glosses, NFKC
(Kangxi radicals, full-width digits and letters) while keeping Chinese punctuation full-width,
traditional → simplified, start a new line at section and overview-aspect headings that run on
after prose, split inline headings off their body, join hard-wrapped lines, and collapse spaced-out
characters.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import resources
from .markers import CJK, CN_NUM, line_marker, strip_marker

# Chinese punctuation that NFKC would turn into ASCII; we keep it as the reports write it.
_KEEP_FULLWIDTH = "，：；（）！？"
_PLACEHOLDERS = [(c, chr(0xE000 + i)) for i, c in enumerate(_KEEP_FULLWIDTH)]  # private-use: NFKC leaves them

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]")
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN_GLOSS = re.compile(rf"(?<=[{CJK}])[(（][a-z{_TONED}]{{1,7}}[)）]")
_PAGE_FURNITURE = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]"  # - 3 -
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页 / 第3页共8页
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?(?:\s*[-—–].*)?"  # Page 8 - title
    r"|\d{1,4}\s*/\s*\d{1,4})\s*$"  # 3 / 8
)
_SENTENCE_END = "。！？；：!?;:"
_CJK_CHAR = re.compile(rf"[{CJK}]")
_SPACED_OUT = re.compile(rf"(?<![{CJK}])[{CJK}](?: [{CJK}]){{2,}}(?![{CJK}])")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}，。、；：）（“”]) +(?=[{CJK}，。、；：（）“”])")
_SPACED_NUMBER = re.compile(rf"(?<=[{CJK}]) +(\d[\d.,]*) *(?=[{CJK}])|(?<=[{CJK}]) *(\d[\d.,]*) +(?=[{CJK}])")
_INLINE_HEADING = re.compile(rf"^((?:[（(][{CN_NUM}]{{1,3}}[)）]|[{CN_NUM}]{{1,3}}、)[{CJK}]{{2,12}})[ \u3000]+(?=\S)")
_NUMBERS_ONLY = re.compile(r"^[\d.,\s]+$")
_TABLE_CELL_END = re.compile(r"(?:^|[\s\t])\d[\d.,]*\s*$")


def normalize(text: str) -> str:
    """Return the normalised form of `text` (see module docstring)."""
    text = _clean_characters(text)
    lines = [_clean_line(line) for line in text.split("\n")]
    lines = [line for line in lines if line and not _PAGE_FURNITURE.match(line)]
    lines = [part for line in lines for part in _break_before_headings(line)]
    lines = [part for line in lines for part in _split_inline_heading(line)]
    lines = _join_wrapped_lines(lines)
    return "\n".join(_tidy_spaces(line) for line in lines)


def _clean_characters(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _PINYIN_GLOSS.sub("", text)
    text = _nfkc_keeping_chinese_punctuation(text)
    text = _PINYIN_GLOSS.sub("", text)  # glosses hidden behind full-width forms
    return to_simplified(text)


def _nfkc_keeping_chinese_punctuation(text: str) -> str:
    # str.replace is much faster than str.translate with non-ASCII tables on long texts.
    for original, placeholder in _PLACEHOLDERS:
        text = text.replace(original, placeholder)
    text = unicodedata.normalize("NFKC", text)
    for original, placeholder in _PLACEHOLDERS:
        text = text.replace(placeholder, original)
    return text


def _clean_line(line: str) -> str:
    line = line.replace("\u3000", " ").strip(" ")
    return line if line.strip() else ""


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (opencc t2s); other text unchanged."""
    return _converter().convert(text) if text else text


@lru_cache(maxsize=1)
def _heading_patterns() -> tuple[re.Pattern, re.Pattern, tuple[str, ...]]:
    """(a heading that runs on after prose on the same line, a section or overview-aspect heading
    followed by its text, the names in both for a cheap test before the regexes), built from
    resources/headings.json."""
    config = resources.headings()
    section_names = tuple(config["inline_heading_prefixes"])
    aspect_names = tuple(re.match(r"\^\(([^)]*)\)", config["subtopic_top_level_pattern"]).group(1).split("|"))
    sections = "|".join(map(re.escape, section_names))
    aspects = config["subtopic_top_level_pattern"].strip("^$")
    run_on = re.compile(rf"(?<=[。；！？;!?\s\d])\s*(?=(?:[{CN_NUM}]{{1,2}}、\s*(?:{sections})"
                        rf"|[（(][{CN_NUM}]{{1,2}}[)）]\s*{aspects}[。：:\s]))")
    inline = re.compile(rf"(?:(?:{sections})[。：:\s]|{aspects}[。：:])\s*(?=\S)")
    return run_on, inline, section_names + aspect_names


def _break_before_headings(line: str) -> list[str]:
    """'…工作有序开展。二、主动公开政府信息情况 …' → the prose, then the heading on a line of its own.

    Text copied from web pages sometimes loses its line breaks; the statutory section headings and the
    overview aspects (（二）依申请公开) are distinctive enough to restore the break in front of them.
    """
    run_on, _, names = _heading_patterns()
    if len(line) < 40 or not any(name in line for name in names) or _is_table_row(line):
        return [line]
    parts, start = [], 0
    for match in run_on.finditer(line):
        if match.start() > start and line[start:match.start()].strip():
            parts.append(line[start:match.start()].rstrip())
            start = match.end()
    parts.append(line[start:])
    return parts


def _split_inline_heading(line: str) -> list[str]:
    """'（一）组织领导 我局高度重视…' → ['（一）组织领导', '我局高度重视…'];
    '（一）主动公开情况。本年度…' → ['（一）主动公开情况。', '本年度…'];
    '四、政府信息公开行政复议、行政诉讼情况 行政复议 …' → the heading, then its table."""
    found = line_marker(line)
    if found:  # a section or overview-aspect heading, whatever follows it (even a table row)
        _, inline, _ = _heading_patterns()
        match = inline.match(line, len(found[1]))
        if match:
            return [line[:match.end()].rstrip(), line[match.end():]]
    match = _INLINE_HEADING.match(line)
    if match and not _is_table_row(line):
        return [match.group(1), line[match.end():]]
    return [line]


def is_heading_like(line: str) -> bool:
    """A short numbered line with no sentence punctuation: a heading, not wrapped prose."""
    found = line_marker(line)
    if not found:
        return False
    body = strip_marker(line)
    return 0 < len(body) <= 30 and not any(p in body for p in "，,。；") and not _is_table_row(line)


def _is_bare_heading(line: str) -> bool:
    """An unnumbered heading line such as '总体情况' or '主动公开情况' (not wrapped prose)."""
    if len(line) > 30:
        return False
    config = resources.headings()
    return bool(config["compiled_subtopic"].match(line) or config["compiled_bare"].match(line))


def _is_title(line: str) -> bool:
    return line.endswith(("年度报告", "工作报告", "年报"))


def _is_table_row(line: str) -> bool:
    return "\t" in line.strip() or bool(_TABLE_CELL_END.search(line) and re.search(r"\d\s+\d\s*$", line))


def _should_join(previous: str, following: str) -> bool:
    """Is the break between these two lines a hard wrap inside one paragraph?"""
    if previous[-1] in _SENTENCE_END or _is_title(previous) or _is_bare_heading(previous):
        return False
    if _NUMBERS_ONLY.match(following) and not _is_table_row(previous):
        return True  # a table row label wrapped away from its numbers
    if line_marker(following) or _is_table_row(following) or _is_table_row(previous):
        return False
    if _TABLE_CELL_END.search(previous):
        return False
    marker = line_marker(previous)
    if marker and strip_marker(previous) and is_heading_like(previous):
        return False
    return True


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for line in lines:
        if joined and _should_join(joined[-1], line):
            joined[-1] = _glue(joined[-1], line)
        else:
            joined.append(line)
    return joined


def _glue(left: str, right: str) -> str:
    needs_space = (left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum()
                   ) or bool(_NUMBERS_ONLY.match(right))
    return left + (" " if needs_space else "") + right


def _tidy_spaces(line: str) -> str:
    if _is_table_row(line):
        return _SPACED_OUT.sub(lambda m: m.group(0).replace(" ", ""), line)
    line = _SPACED_OUT.sub(lambda m: m.group(0).replace(" ", ""), line)
    if _is_prose(line):
        line = _SPACE_BETWEEN_CJK.sub("", line)
        line = _SPACED_NUMBER.sub(lambda m: m.group(1) or m.group(2), line)
    return re.sub(r" {2,}", " ", line)


def _is_prose(line: str) -> bool:
    return any(p in line for p in "，。；") and len(line) > 15
