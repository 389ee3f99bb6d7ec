"""Split a normalised report into its statutory sections and the subsections of 一、总体情况.

The segmenter works on lines. It first finds explicit headings (numbered or bare lines whose text
names a section), then, for every section whose heading is missing, looks for the content that
section must contain (table markers, problem language, 信息处理费) between its neighbours and
starts an inferred section there. All patterns live in `resources/headings.json`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from . import resources
from .markers import line_marker, strip_marker
from .normalize import is_heading_like, normalize
from .types import Document, Flag, Section, Segmentation, Subsection

NOT_A_REPORT_BELOW = 0.4  # report_confidence under this: no sections are claimed
HEADING_JOINER = " / "  # between the headings of two parts merged into one section (存在问题 / 改进措施)


@dataclass(frozen=True)
class _Line:
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Boundary:
    line: int  # index of the first line of the section
    section: str
    heading: str  # "" when the section was inferred from content
    inferred: bool
    body_line: int  # first line of the section's text (after the heading line)
    marker_kind: str | None = None


def segment(document_or_text: Document | str, *, source: str = "") -> Segmentation:
    """Segment a `Document` (or raw text) into sections, subsections and structural flags."""
    if isinstance(document_or_text, Document):
        source = source or document_or_text.source
        raw = document_or_text.text
    else:
        raw = document_or_text
    text = normalize(raw)
    lines = _lines(text)
    confidence = report_confidence(text, lines)
    if confidence < NOT_A_REPORT_BELOW:
        return Segmentation(source, "unknown", text, (), (), confidence)
    boundaries, subtopic_lines = _boundaries(lines)
    sections = _build_sections(text, lines, boundaries)
    version = _format_version(text, sections)
    flags = _structural_flags(lines, boundaries, sections, subtopic_lines, version)
    return Segmentation(source, version, text, tuple(sections), tuple(flags), confidence)


# ---------------------------------------------------------------- lines and headings

def _lines(text: str) -> list[_Line]:
    lines, offset = [], 0
    for index, line in enumerate(text.split("\n")):
        lines.append(_Line(index, offset, offset + len(line), line))
        offset += len(line) + 1
    return lines


def _patterns() -> dict:
    return resources.headings()


def classify_heading(body: str) -> str | None:
    """Section id named by a heading's text (marker removed), or None."""
    for section_id, pattern in _patterns()["compiled_sections"]:
        if pattern.search(body):
            return section_id
    return None


def _has_digits_cells(text: str) -> bool:
    return bool(re.search(r"(?:^|\s)\d+(?:\.\d+)?(?:\s|$)", text))


SECTION_MARKERS = ("top", "part")  # 一、 and 第一部分 number the statutory sections
# Some reports number their sections （一） or 1. instead; that style is accepted only when it heads
# 总体情况 and at least this many distinct sections, so that ordinary （一） items are not mistaken for it.
MIN_SECTIONS_OTHER_STYLE = 3


def _explicit_heading(line: _Line, kinds: tuple[str, ...] = SECTION_MARKERS
                      ) -> tuple[str, str, str | None, str] | None:
    """(section_id, heading_text, marker_kind, rest_of_line) when the line is a section heading."""
    config = _patterns()
    text = line.text.strip()
    found = line_marker(text)
    if found and found[0] not in kinds:
        return None
    body = strip_marker(text) if found else text
    if not body or _has_digits_cells(body) or "\t" in body:
        return None
    limit = config["marked_heading_max_chars"] if found else config["bare_heading_max_chars"]
    if len(body) > limit or re.search(r"[，。；]", body):
        return _inline_heading(text, body, found)
    section_id = classify_heading(body)
    if section_id is None:
        return None
    if not found and not config["compiled_bare"].search(body):
        return None
    return section_id, text, found[0] if found else None, ""


def _inline_heading(text: str, body: str, found) -> tuple[str, str, str | None, str] | None:
    """'六、其他需要报告的事项我单位未收取…' → the heading and the body that follows it."""
    if not found:
        return None
    for prefix in _patterns()["inline_heading_prefixes"]:
        if body.startswith(prefix):
            section_id = classify_heading(prefix)
            heading = text[: text.index(prefix) + len(prefix)]
            return section_id, heading, found[0], body[len(prefix):].lstrip("：: ")
    # '四、政府信息公开的收费及减免情况：本年度未收取…': any section name, ended by a colon
    head = re.match(r"([^，。；：:]{2,40})[：:]", body)
    if head and len(head.group(1)) <= _patterns()["marked_heading_max_chars"]:
        section_id = classify_heading(head.group(1))
        if section_id is not None:
            heading = text[: text.index(body) + head.end(1)]
            return section_id, heading, found[0], body[head.end():].lstrip(" ")
    return None


def _is_subtopic_heading(line: _Line, kinds: tuple[str, ...] = SECTION_MARKERS) -> bool:
    found = line_marker(line.text)
    if not found or found[0] not in kinds:
        return False
    return bool(_patterns()["compiled_subtopic"].match(strip_marker(line.text)))


# ---------------------------------------------------------------- boundaries

def _boundaries(lines: list[_Line]) -> tuple[list[_Boundary], list[int]]:
    explicit = _explicit_boundaries(lines)
    explicit, subtopic_lines = _demote_overview_subtopics(lines, explicit)
    inferred = _inferred_boundaries(lines, explicit)
    merged = sorted(explicit + inferred, key=lambda b: b.line)
    return merged, subtopic_lines


def _explicit_boundaries(lines: list[_Line]) -> list[_Boundary]:
    """Headings numbered 一、 (or 第一部分, or bare); failing that, a whole report numbered （一） or 1."""
    boundaries = _explicit_boundaries_of(lines, SECTION_MARKERS)
    if any(b.section == "overview" for b in boundaries):
        return boundaries
    needed = max(MIN_SECTIONS_OTHER_STYLE, len({b.section for b in boundaries}) + 1)
    for kinds in (("sub",), ("arabic",)):
        other = _explicit_boundaries_of(lines, kinds)
        sections = {b.section for b in other}
        if "overview" in sections and len(sections) >= needed:
            return other
    return boundaries


def _explicit_boundaries_of(lines: list[_Line], kinds: tuple[str, ...]) -> list[_Boundary]:
    boundaries = []
    for line in lines:
        found = _explicit_heading(line, kinds)
        if found:
            section_id, heading, kind, rest = found
            body_line = line.index if rest else line.index + 1
            boundaries.append(_Boundary(line.index, section_id, heading, False, body_line, kind))
        elif _is_subtopic_heading(line, kinds) and boundaries and boundaries[-1].section == "overview":
            boundaries.append(_Boundary(line.index, "overview_subtopic", line.text, False,
                                        line.index + 1, line_marker(line.text)[0]))
    return boundaries


def _demote_overview_subtopics(lines, boundaries: list[_Boundary]) -> tuple[list[_Boundary], list[int]]:
    """Top-level 主动公开/依申请公开/平台建设… numbered like sections but standing inside 总体情况.

    An early 主动公开 or 依申请公开 heading counts as a subtopic when the same section is headed
    again later (the real table section) or when it precedes no table content.
    """
    kept, subtopics = [], []
    for position, boundary in enumerate(boundaries):
        later_ids = {b.section for b in boundaries[position + 1:]}
        repeated = (boundary.section in later_ids and boundary.section in ("active_disclosure", "applications")
                    and bool(_patterns()["compiled_subtopic"].match(strip_marker(boundary.heading))))
        after_overview = any(b.section == "overview" for b in kept)
        if boundary.section == "overview_subtopic" or (repeated and after_overview):
            subtopics.append(boundary.line)
        else:
            kept.append(boundary)
    return kept, subtopics


def _inferred_boundaries(lines: list[_Line], explicit: list[_Boundary]) -> list[_Boundary]:
    """Sections with no heading, found from their content between their known neighbours."""
    order = _patterns()["section_order"]
    found = {b.section: b.line for b in explicit}
    inferred: list[_Boundary] = []
    for section_id in order[1:]:
        if section_id in found:
            continue
        low = max((line for sid, line in found.items() if order.index(sid) < order.index(section_id)),
                  default=_intro_end(lines))
        high = min((line for sid, line in found.items() if order.index(sid) > order.index(section_id)),
                   default=len(lines))
        start = _find_anchor(section_id, lines, low, high)
        if start is not None:
            found[section_id] = start
            inferred.append(_Boundary(start, section_id, "", True, start))
    return inferred


def _find_anchor(section_id: str, lines: list[_Line], low: int, high: int) -> int | None:
    if section_id == "overview":
        return _first_narrative_line(lines, low, high)
    if section_id == "problems":
        low = _after_last_number_row(lines, low, high)
    pattern = _patterns()["compiled_anchors"][section_id]
    for line in lines[low:high]:
        if pattern.search(line.text) and (section_id != "problems" or _is_narrative(line.text)):
            return line.index
    return None


def _intro_end(lines: list[_Line]) -> int:
    """Index of the first line after the title and the preamble."""
    intro = _patterns()["compiled_intro"]
    index = 0
    for line in lines:
        is_title = line.index < 3 and re.search(r"年度?报告|年报", line.text)
        if is_title or (intro.search(line.text) and not line_marker(line.text)):
            index = line.index + 1
            continue
        break
    return index


def _first_narrative_line(lines: list[_Line], low: int, high: int) -> int | None:
    for line in lines[low:high]:
        if line.text.strip() and not _has_digits_cells(line.text):
            return line.index
    return None


def _is_narrative(text: str) -> bool:
    return bool(re.search(r"[，。；]", text)) or is_heading_like(text)


def _after_last_number_row(lines: list[_Line], low: int, high: int) -> int:
    """Skip a table (rows of numbers) at the start of the region: problems come after it."""
    last = low
    for line in lines[low:high]:
        if re.search(r"\d(\s+\d+){3,}", line.text):
            last = line.index + 1
        elif _is_narrative(line.text) and last > low:
            break
    return last


# ---------------------------------------------------------------- sections

def _build_sections(text: str, lines: list[_Line], boundaries: list[_Boundary]) -> list[Section]:
    sections: list[Section] = []
    first = boundaries[0].line if boundaries else len(lines)
    if first > 0:
        sections.append(_section(text, lines, "intro", "", False, 0, first, None))
    for position, boundary in enumerate(boundaries):
        end_line = boundaries[position + 1].line if position + 1 < len(boundaries) else len(lines)
        section = _section(text, lines, boundary.section, boundary.heading, boundary.inferred,
                           boundary.line, end_line, boundary)
        if sections and sections[-1].id == section.id:
            section = _merge(text, sections.pop(), section)
        sections.append(section)
    return sections


def _section(text, lines, section_id, heading, inferred, start_line, end_line, boundary) -> Section:
    start = lines[start_line].start
    end = lines[end_line - 1].end if end_line > start_line else start
    body_start = start
    if boundary is not None and not boundary.inferred:
        body_start = start + len(boundary.heading)
        while body_start < end and text[body_start] in "：: \n":
            body_start += 1
    subsections = _subsections(text, lines, body_start, end) if section_id == "overview" else ()
    return Section(section_id, heading, inferred, (start, end), text[body_start:end], subsections)


def _merge(text: str, first: Section, second: Section) -> Section:
    """Two consecutive sections with one id (存在问题 + 改进措施) become one."""
    heading = HEADING_JOINER.join(h for h in (first.heading, second.heading) if h)
    span = (first.span[0], second.span[1])
    body = text[first.span[1]:second.span[0]]
    merged_text = first.text + body + (second.heading + "\n" if second.heading else "") + second.text
    return Section(first.id, heading, first.inferred and second.inferred, span, merged_text,
                   first.subsections + second.subsections)


def _subsections(text: str, lines: list[_Line], start: int, end: int) -> tuple[Subsection, ...]:
    inside = [line for line in lines if line.start >= start and line.end <= end]
    headings = _subsection_headings(inside)
    subsections = []
    for position, (line, aspect) in enumerate(headings):
        stop = headings[position + 1][0].start if position + 1 < len(headings) else end
        body_start = min(line.end + 1, stop)
        subsections.append(Subsection(aspect, line.text, (line.start, stop), text[body_start:stop]))
    return tuple(subsections)


def _subsection_headings(lines: list[_Line]) -> list[tuple[_Line, str]]:
    by_kind: dict[str, list[_Line]] = {}
    for line in lines:
        found = line_marker(line.text)
        if found and found[0] in ("sub", "arabic", "top", "part") and _is_subsection_heading(line.text):
            by_kind.setdefault(found[0], []).append(line)
    for kind in ("sub", "top", "part", "arabic"):
        if by_kind.get(kind):
            return [(line, classify_aspect(strip_marker(line.text))) for line in by_kind[kind]]
    # No numbered headings: bare lines that name an aspect ('主动公开情况', '监督保障：')
    subtopic = _patterns()["compiled_subtopic"]
    return [(line, classify_aspect(line.text.strip())) for line in lines
            if not line_marker(line.text) and subtopic.match(line.text.strip().rstrip("。：:"))]


def _is_subsection_heading(text: str) -> bool:
    body = strip_marker(text).rstrip("。：:")
    if not body or len(body) > 20 or re.search(r"[，。；,;]", body) or _has_digits_cells(body):
        return False
    return True


def classify_aspect(heading_body: str) -> str:
    """Overview subsection id for a subsection heading's text (marker removed)."""
    for aspect, pattern in _patterns()["compiled_subsections"]:
        if pattern.search(heading_body):
            return aspect
    return "extra"


# ---------------------------------------------------------------- format and flags

def _format_version(text: str, sections: list[Section]) -> str:
    year = report_year(text)
    has_tables = bool(_patterns()["compiled_signals"]["table_markers"].search(text))
    if not has_tables:
        return "2008" if year is None or year <= 2018 else "unknown"
    if year is not None and year <= 2020:
        return "2019"
    return "2021"


def report_year(text: str) -> int | None:
    """The report's year, from the title or first lines (e.g. '2023年政府信息公开工作年度报告')."""
    head = re.sub(r"\s", "", text[:300])
    match = re.search(r"(20[0-4]\d)年度?(?:政府信息公开|政务公开|信息公开)", head) or re.search(r"(20[0-4]\d)年", head)
    return int(match.group(1)) if match else None


def report_confidence(text: str, lines: list[_Line] | None = None) -> float:
    """0–1: how much this text looks like a government information-disclosure annual report."""
    signals = _patterns()["compiled_signals"]
    lines = lines if lines is not None else _lines(text)
    score = 0.0
    if signals["title"].search(re.sub(r"\s", "", text[:400])):
        score += 0.35
    if signals["table_markers"].search(text):
        score += 0.25
    vocabulary = len(signals["vocabulary"].findall(text))
    score += min(vocabulary / 10, 1.0) * 0.2
    headings = {h[0] for h in (_explicit_heading(line) for line in lines) if h}
    score += min(len(headings) / 4, 1.0) * 0.2
    return round(min(score, 1.0), 3)


def _flag(code: str, severity: str, message: str, evidence: Iterable[str] = ()) -> Flag:
    return Flag(code, severity, message, tuple(evidence))


def _structural_flags(lines, boundaries, sections, subtopic_lines, version) -> list[Flag]:
    flags: list[Flag] = []
    flags += _missing_section_flags(sections, version)
    flags += _order_flags(boundaries)
    flags += [_flag("heading_inferred", "warning",
                    f"section '{s.id}' has no heading; it was found from its content",
                    [s.text[:60]]) for s in sections if s.inferred]
    flags += _nonstandard_heading_flags(boundaries, version)
    flags += _overview_subsection_flags(sections, version)
    if subtopic_lines:
        flags.append(_flag("overview_subtopic_as_top_level", "warning",
                           "overview aspects are numbered as top-level sections",
                           [lines[i].text for i in subtopic_lines]))
    flags += _numbering_flags(lines, boundaries, sections)
    return flags


def _required_sections(version: str) -> list[str]:
    if version == "2008":
        return ["overview", "active_disclosure", "applications", "problems"]
    return _patterns()["section_order"][1:]


def _missing_section_flags(sections, version) -> list[Flag]:
    present = {s.id for s in sections}
    canonical = _patterns()["canonical_headings"]
    return [_flag("missing_section", "error", f"required section '{sid}' ({canonical[sid]}) was not found")
            for sid in _required_sections(version) if sid not in present]


def _order_flags(boundaries) -> list[Flag]:
    order = _patterns()["section_order"]
    explicit = [b for b in boundaries if not b.inferred]
    flags = []
    for previous, current in zip(explicit, explicit[1:]):
        if order.index(current.section) < order.index(previous.section):
            flags.append(_flag("section_out_of_order", "warning",
                               f"section '{current.section}' comes after '{previous.section}'",
                               [previous.heading, current.heading]))
    return flags


def _key(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]", "", text)


def _nonstandard_heading_flags(boundaries, version) -> list[Flag]:
    if version not in ("2021", "2019"):
        return []
    canonical = _patterns()["canonical_headings"]
    flags = []
    for b in boundaries:
        if b.inferred or b.section not in canonical:
            continue
        if _key(canonical[b.section]) not in _key(strip_marker(b.heading)):
            flags.append(_flag("nonstandard_heading", "info",
                               f"heading of '{b.section}' differs from the standard '{canonical[b.section]}'",
                               [b.heading]))
    return flags


def _overview_subsection_flags(sections, version) -> list[Flag]:
    overview = next((s for s in sections if s.id == "overview"), None)
    if overview is None or version != "2021":
        return []
    present = {sub.id for sub in overview.subsections}
    names = {"active": "主动公开", "requests": "依申请公开", "management": "政府信息管理",
             "platform": "政府信息公开平台建设", "supervision": "监督保障"}
    return [_flag("overview_subsection_missing", "warning",
                  f"总体情况 has no subsection for the required aspect '{aspect}' ({names[aspect]})", [aspect])
            for aspect in _patterns()["required_subsections"] if aspect not in present]


def _numbering_style(marker: str) -> str:
    marker = marker.strip()
    if marker.startswith("—"):
        return "dash"
    if re.match(r"^[（(]", marker):
        return "paren"
    if re.match(r"^\d", marker):
        return "arabic"
    if marker.startswith("第"):
        return "part"
    return "cn_dot" if re.search(r"[.．]", marker) else "cn_comma"


def _numbering_flags(lines, boundaries, sections) -> list[Flag]:
    styles = {}
    for b in boundaries:
        if not b.inferred and b.marker_kind:
            found = line_marker(b.heading)
            if found:
                styles.setdefault(_numbering_style(found[1]), b.heading)
    if len(styles) > 1:
        return [_flag("multiple_numbering_systems", "info",
                      "top-level headings mix numbering systems: " + ", ".join(sorted(styles)),
                      list(styles.values()))]
    return []
