"""Split segmented narrative into units (taxonomy.md §1).

A unit ends at 。；;！？!? and before an enumeration marker that starts a new item (一是, （二）, 2.,
①, 首先/其次/最后 at the start of a clause). Standalone headings are not units; they become the
`heading` of the units under them. Table rows are skipped.
"""
from __future__ import annotations

import re

from .markers import CN_NUM, line_marker, strip_marker
from .normalize import is_heading_like
from .segment import HEADING_JOINER
from .types import Section, Segmentation, Unit

_SENTENCE_END = re.compile(r"[。；;！？!?]+[”’」』）)]*")
# An item marker that starts a clause: after punctuation or at the start of the line.
_ITEM_START = re.compile(
    rf"(?<=[：:，,。；;\s])(?=(?:[{CN_NUM}]{{1,3}}是|其[{CN_NUM}][，,、]|首先|其次|再次|最后[，,]"
    rf"|[（(][{CN_NUM}]{{1,3}}[)）]|\d{{1,2}}[、.．](?!\d)|[①-⑳]))"
)
_TABLE_ROW = re.compile(r"\t|\d(?:\s+\d+(?:\.\d+)?){2,}\s*$")
_TABLE_SECTIONS = {"active_disclosure", "applications", "review_litigation"}
_TABLE_HEADER = re.compile(r"第二十条|勾稽关系|申请人情况|本年制发件数|结果维持")


def split(segmentation: Segmentation) -> list[Unit]:
    """All narrative units of a segmented report, in document order."""
    units: list[Unit] = []
    for section in segmentation.sections:
        units.extend(_section_units(section))
    return units


def split_text(text: str, *, section: str = "unknown", heading: str | None = None) -> list[Unit]:
    """Units of a free-standing piece of narrative (spans relative to `text`)."""
    units, heading_now = [], heading
    offset = 0
    for line in text.split("\n"):
        if _is_heading(line):
            heading_now = line.strip()
        elif not _TABLE_ROW.search(line):
            units.extend(_line_units(line, offset, section, None, heading_now))
        offset += len(line) + 1
    return units


def _section_units(section: Section) -> list[Unit]:
    units: list[Unit] = []
    heading = section.heading.split(HEADING_JOINER)[0] or None  # a merged section starts under its first heading
    body_start = section.span[1] - len(section.text)
    offset = body_start
    for line in section.text.split("\n"):
        subsection = _subsection_at(section, offset)
        if subsection is not None and offset == subsection.span[0]:
            heading = subsection.heading
        elif _is_heading(line):
            heading = line.strip()
        elif _is_narrative(line, section.id):
            sub_id = subsection.id if subsection is not None else None
            units.extend(_line_units(line, offset, section.id, sub_id, heading))
        offset += len(line) + 1
    return units


def _is_narrative(line: str, section_id: str) -> bool:
    if not line.strip() or _TABLE_ROW.search(line):
        return False
    if section_id in _TABLE_SECTIONS:  # only prose sentences, never table labels
        return len(line) > 20 and bool(re.search(r"[，。]", line)) and not _TABLE_HEADER.search(line)
    return True


def _subsection_at(section: Section, offset: int):
    for subsection in section.subsections:
        if subsection.span[0] <= offset < subsection.span[1]:
            return subsection
    return None


def _is_heading(line: str) -> bool:
    text = line.strip()
    if not text:
        return False
    if is_heading_like(text) and not text.endswith("。"):
        return True
    # 存在问题： / 整改措施: standing alone
    return len(text) <= 15 and text[-1] in "：:" and not re.search(r"[，,。]", text)


def _line_units(line: str, offset: int, section: str, subsection: str | None, heading: str | None) -> list[Unit]:
    units = []
    for start, end in _clause_spans(line):
        piece = line[start:end]
        stripped = piece.strip()
        if not _has_content(stripped):
            continue
        lead = len(piece) - len(piece.lstrip())
        begin = offset + start + lead
        units.append(Unit(stripped, section, subsection, heading, (begin, begin + len(stripped))))
    return units


def _clause_spans(line: str) -> list[tuple[int, int]]:
    cuts = {0, len(line)}
    cuts.update(m.end() for m in _SENTENCE_END.finditer(line))
    cuts.update(m.start() for m in _ITEM_START.finditer(line))
    ordered = sorted(cuts)
    return [(a, b) for a, b in zip(ordered, ordered[1:]) if b > a]


def _has_content(text: str) -> bool:
    body = strip_marker(text) if line_marker(text) else text
    return bool(re.search(r"[\u4e00-\u9fffA-Za-z]", body))
