"""Enumeration and heading markers shared by the normaliser, segmenter and unit splitter.

Kept in one module so that "what starts an item" means the same thing at every stage.
"""
from __future__ import annotations

import re
from functools import lru_cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CN_NUM = "一二三四五六七八九十"

# 一、 — 、 一. 一． (— is a PDF/OCR misreading of 一)
TOP_MARKER = re.compile(rf"^\s*(?:[{CN_NUM}]{{1,3}}|—)\s*[、.．]\s*")
# （一） (一) （1） — and the spaced "( 一 )" of some converters
SUB_MARKER = re.compile(rf"^\s*[（(]\s*(?:[{CN_NUM}]{{1,3}}|\d{{1,2}})\s*[)）]\s*")
# 1. 1、 1． 1) — but not a decimal number such as 1.5
ARABIC_MARKER = re.compile(r"^\s*\d{1,2}\s*(?:[、．]|\.(?!\d)|[)）])\s*")
CIRCLED_MARKER = re.compile(r"^\s*[①-⑳]\s*")
PART_MARKER = re.compile(rf"^\s*第[{CN_NUM}]{{1,3}}(?:部分|章|节)\s*[、:：.]?\s*")
# 一是 二是 … 其一 首先 其次 最后 (items inside a sentence, not headings)
ITEM_MARKER = re.compile(rf"(?:[{CN_NUM}]{{1,3}}是|其[{CN_NUM}]|首先|其次|再次|最后)")

ANY_LINE_MARKER = (TOP_MARKER, SUB_MARKER, ARABIC_MARKER, CIRCLED_MARKER, PART_MARKER)
_MARKER_FIRST_CHARACTERS = frozenset(CN_NUM + "—（(第" + "".join(map(chr, range(ord("①"), ord("⑳") + 1))))


@lru_cache(maxsize=4096)  # every stage asks about the same lines (hundreds of calls per report)
def line_marker(line: str) -> tuple[str, str] | None:
    """Return (kind, marker_text) when `line` starts with an enumeration marker, else None.

    kind is one of "top", "sub", "arabic", "circled", "part".
    """
    first = line.lstrip()[:1]
    if not first or not (first in _MARKER_FIRST_CHARACTERS or first.isdigit()):
        return None  # most lines: no pattern can match, skip the five regexes
    for kind, pattern in zip(("top", "sub", "arabic", "circled", "part"), ANY_LINE_MARKER):
        match = pattern.match(line)
        if match:
            return kind, match.group(0)
    return None


_ITEM_START = re.compile("|".join(f"(?:{p.pattern})" for p in ANY_LINE_MARKER) + rf"|\s*{ITEM_MARKER.pattern}")


def starts_item(text: str) -> bool:
    """Does `text` begin with an enumeration marker or an item word (一是, 其次 …)?"""
    return _ITEM_START.match(text) is not None


def strip_marker(line: str) -> str:
    """The line without its leading enumeration marker."""
    found = line_marker(line)
    return line[len(found[1]):].strip() if found else line.strip()
