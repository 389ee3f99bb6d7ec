
import pytest
from conftest import seed_path

from gipnlp import read, segment, tables


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_tables_parse_and_balance(prefix):
    result = tables.check(segment(read(seed_path(prefix))))
    assert result.application is not None and result.review is not None
    assert result.flags == ()
    assert len(result.application.rows) == 25 and all(len(v) == 7 for v in result.application.rows.values())


def _with_application_numbers(rows_text: str) -> str:
    header = "三、收到和处理政府信息公开申请情况\n"
    return f"某局2023年政府信息公开工作年度报告\n一、总体情况\n全年公开信息10条。\n{header}{rows_text}"


LABELS = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开", "（二）部分公开",
          "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
          "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
          "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
          "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
          "5.要求行政机关确认或重新出具已获取信息", "1.申请人无正当理由逾期不补正", "2.申请人逾期未按收费通知要求缴纳费用",
          "3.其他", "（七）总计", "四、结转下年度继续办理"]


def _balanced_rows() -> dict[str, list[int]]:
    rows = {label: [0] * 7 for label in LABELS}
    rows[LABELS[0]] = [3, 1, 0, 0, 0, 0, 4]  # new
    rows[LABELS[1]] = [1, 0, 0, 0, 0, 0, 1]  # carried in
    rows[LABELS[2]] = [2, 1, 0, 0, 0, 0, 3]  # granted
    rows[LABELS[12]] = [1, 0, 0, 0, 0, 0, 1]  # not held
    rows[LABELS[23]] = [3, 1, 0, 0, 0, 0, 4]  # total
    rows[LABELS[24]] = [1, 0, 0, 0, 0, 0, 1]  # carried out
    return rows


def _render(rows) -> str:
    return "".join(f"{label}\t" + "\t".join(map(str, numbers)) + "\n" for label, numbers in rows.items())


def test_balanced_table_has_no_flag():
    result = tables.check(segment(_with_application_numbers(_render(_balanced_rows()))))
    assert result.application is not None and result.flags == ()


def test_one_changed_number_is_unbalanced_and_names_the_column():
    rows = _balanced_rows()
    rows[LABELS[2]] = [2, 2, 0, 0, 0, 0, 4]  # 商业企业 granted 1 → 2 (and its row total)
    result = tables.check(segment(_with_application_numbers(_render(rows))))
    messages = [f.message for f in result.flags if f.code == "table_unbalanced"]
    assert any("商业企业" in m and "（七）总计" in m for m in messages), messages


def test_review_block_total_mismatch_is_flagged():
    text = _with_application_numbers(_render(_balanced_rows())) + \
        "四、政府信息公开行政复议、行政诉讼情况\n1 0 0 0 2 0 0 0 0 0 0 0 0 0 0\n"
    flags = [f for f in tables.check(segment(text)).flags if f.code == "table_unbalanced"]
    assert len(flags) == 1 and "行政复议" in flags[0].message


def test_a_table_that_cannot_be_read_is_unparsed_not_guessed():
    rows = _balanced_rows()
    del rows[LABELS[5]]
    result = tables.check(segment(_with_application_numbers(_render(rows))))
    assert result.application is None
    assert [f.code for f in result.flags] == ["table_unparsed"]
    assert result.flags[0].severity == "info"
