from test_segment import REPORT_TEXT

from gipnlp import segment
from gipnlp.units import split, split_text


def _texts(units):
    return [u.text for u in units]


def test_split_at_sentence_ends_and_semicolons():
    assert _texts(split_text("公开信息120条。其中文件10条；解读5条！")) == ["公开信息120条。", "其中文件10条；", "解读5条！"]


def test_split_before_enumeration_items_inside_a_sentence():
    units = split_text("主要表现在：一是信息更新不及时，二是解读形式单一。")
    assert _texts(units) == ["主要表现在：", "一是信息更新不及时，", "二是解读形式单一。"]


def test_numbered_items_on_one_line_are_separate_units():
    assert _texts(split_text("1.完善审核制度。 2.每月更新栏目。")) == ["1.完善审核制度。", "2.每月更新栏目。"]


def test_standalone_heading_is_context_not_a_unit():
    units = split_text("（二）改进措施\n加强业务培训。\n存在问题：\n栏目更新慢。", section="problems")
    assert _texts(units) == ["加强业务培训。", "栏目更新慢。"]
    assert [u.heading for u in units] == ["（二）改进措施", "存在问题："]


def test_lead_in_split_by_full_stop_is_its_own_unit():
    assert _texts(split_text("一是加强学习培训。组织全体干部学习条例。")) == ["一是加强学习培训。", "组织全体干部学习条例。"]


def test_units_keep_section_subsection_heading_and_span():
    seg = segment(REPORT_TEXT)
    units = split(seg)
    assert units, "a report has units"
    for unit in units:
        assert seg.text[unit.span[0]:unit.span[1]] == unit.text
    first_overview = next(u for u in units if u.section == "overview")
    assert first_overview.subsection == "active" and first_overview.heading == "（一）主动公开"
    problems = [u for u in units if u.section == "problems"]
    assert [u.heading for u in problems] == ["五、存在的主要问题", "六、改进措施"]


def test_table_rows_are_not_units():
    seg = segment(REPORT_TEXT)
    assert not any(u.section in ("applications", "review_litigation") for u in split(seg))
