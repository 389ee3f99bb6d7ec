"""Parse the statistical tables 三 and 四 from a segmented report and check their arithmetic.

Tables arrive as text (flattened PDFs and web pages) or as DOCX/HTML tables rendered one row per
line with tab-separated cells; both are parsed from the normalised section text. A table that
cannot be read with certainty is reported as unparsed, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Flag, Segmentation

COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
# Table 三's 25 numeric rows in their statutory order, each with a label keyword.
APPLICATION_ROWS = (
    ("new", "本年新收"), ("carried_in", "上年结转"),
    ("granted", "予以公开"), ("partly", "部分公开"),
    ("secret", "国家秘密"), ("prohibited", "禁止公开"), ("three_safety", "三安全"), ("third_party", "第三方"),
    ("internal", "内部事务"), ("process", "过程性"), ("enforcement", "执法案卷"), ("query", "查询事项"),
    ("not_held", "不掌握"), ("not_existing", "另行制作"), ("unclear", "仍不明确"),
    ("petition", "信访"), ("repeat", "重复申请"), ("publication", "出版物"), ("mass", "大量反复"),
    ("confirm", "确认或重新出具"),
    ("no_correction", "不补正"), ("no_fee", "缴纳费用"), ("other_handling", "其他"),
    ("total", "总计"), ("carried_out", "结转下年度"),
)
_ANCHOR_ROWS = (0, 1, 23, 24)
RESULT_ROWS = tuple(key for key, _ in APPLICATION_ROWS[2:23])
REVIEW_BLOCKS = ("行政复议", "未经复议直接起诉", "复议后起诉")
REVIEW_FIELDS = ("维持", "纠正", "其他", "尚未审结", "总计")

_NUMBER = r"\d+(?:\.\d+)?"
_TRAILING_NUMBERS = re.compile(rf"((?:[\s\t]+{_NUMBER}|^{_NUMBER})+)\s*$")


@dataclass(frozen=True)
class ApplicationTable:
    rows: dict  # row key → 7 numbers in COLUMNS order
    lines: dict  # row key → the source line, for evidence


@dataclass(frozen=True)
class ReviewTable:
    blocks: dict  # block name → 5 numbers in REVIEW_FIELDS order


@dataclass(frozen=True)
class TableCheck:
    application: ApplicationTable | None
    review: ReviewTable | None
    flags: tuple[Flag, ...]


def check(seg: Segmentation) -> TableCheck:
    """Parse tables 三 and 四 and return them with table_unbalanced / table_unparsed flags."""
    flags: list[Flag] = []
    applications = seg.section("applications")
    review = seg.section("review_litigation")
    application_table = parse_applications(applications.text) if applications else None
    review_table = parse_review(review.text) if review else None
    if applications is not None and application_table is None:
        flags.append(Flag("table_unparsed", "info", "table 三 (applications) could not be read with certainty; "
                          "its arithmetic was not checked", (applications.text[:80],)))
    if review is not None and review_table is None:
        flags.append(Flag("table_unparsed", "info", "table 四 (review and litigation) could not be read with "
                          "certainty; its arithmetic was not checked", (review.text[:80],)))
    if application_table is not None:
        flags.extend(check_applications(application_table))
    if review_table is not None:
        flags.extend(check_review(review_table))
    return TableCheck(application_table, review_table, tuple(flags))


def _numeric_rows(text: str) -> list[tuple[str, list[float], str]]:
    """(label, numbers, line) for each line ending in at least 7 numbers."""
    rows = []
    for line in text.split("\n"):
        match = _TRAILING_NUMBERS.search(line)
        if not match:
            continue
        numbers = [float(n) for n in re.findall(_NUMBER, match.group(1))]
        if len(numbers) >= 7:
            label = re.sub(r"\s", "", line[: match.start()])
            rows.append((label, numbers[-7:], line))
    return rows


def parse_applications(text: str) -> ApplicationTable | None:
    """Table 三 when its 25 rows of 7 numbers are all present and their labels line up."""
    rows = _numeric_rows(text)
    if len(rows) != len(APPLICATION_ROWS):
        return None
    # Row labels are often wrapped away from their numbers, so only the anchor rows must match.
    for position in _ANCHOR_ROWS:
        if APPLICATION_ROWS[position][1] not in rows[position][0]:
            return None
    return ApplicationTable({key: numbers for (key, _), (_, numbers, _) in zip(APPLICATION_ROWS, rows)},
                            {key: line for (key, _), (_, _, line) in zip(APPLICATION_ROWS, rows)})


def parse_review(text: str) -> ReviewTable | None:
    """Table 四: exactly 15 numbers after the header words, in statutory order."""
    body = text
    for word in ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正", "其他结果",
                 "尚未审结", "总计"):
        body = body.replace(word, " ")
    numbers = [float(n) for n in re.findall(rf"(?<![\d.]){_NUMBER}(?![\d.])", body)]
    if len(numbers) != 15:
        return None
    return ReviewTable({block: numbers[i * 5:(i + 1) * 5] for i, block in enumerate(REVIEW_BLOCKS)})


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_applications(table: ApplicationTable) -> list[Flag]:
    flags = []
    r = table.rows
    for c, column in enumerate(COLUMNS):
        supply = r["new"][c] + r["carried_in"][c]
        handled = r["total"][c] + r["carried_out"][c]
        if abs(supply - handled) > 1e-6:
            flags.append(Flag("table_unbalanced", "error",
                              f"table 三, column {column}: 一 + 二 = {_fmt(supply)} but 三（七）总计 + 四 = {_fmt(handled)}",
                              (table.lines["new"], table.lines["carried_in"], table.lines["total"], table.lines["carried_out"])))
        results = sum(r[key][c] for key in RESULT_ROWS)
        if abs(results - r["total"][c]) > 1e-6:
            flags.append(Flag("table_unbalanced", "error",
                              f"table 三, column {column}: the rows （一）…（六） sum to {_fmt(results)} "
                              f"but （七）总计 is {_fmt(r['total'][c])}", (table.lines["total"],)))
    for key, _ in APPLICATION_ROWS:
        numbers = r[key]
        if abs(sum(numbers[:6]) - numbers[6]) > 1e-6:
            flags.append(Flag("table_unbalanced", "error",
                              f"table 三, row '{key}': the six applicant columns sum to {_fmt(sum(numbers[:6]))} "
                              f"but the 总计 column is {_fmt(numbers[6])}", (table.lines[key],)))
    return flags


def check_review(table: ReviewTable) -> list[Flag]:
    flags = []
    for block, numbers in table.blocks.items():
        if abs(sum(numbers[:4]) - numbers[4]) > 1e-6:
            flags.append(Flag("table_unbalanced", "error",
                              f"table 四, {block}: 维持 + 纠正 + 其他 + 尚未审结 = {_fmt(sum(numbers[:4]))} "
                              f"but 总计 is {_fmt(numbers[4])}", (" ".join(map(_fmt, numbers)),)))
    return flags
