
from conftest import SEEDS, seed_path
from probe_key import key, texts_by_id

from gipnlp import read, segment


def _codes(seg):
    return [f.code for f in seg.flags]


def test_every_public_probe_lands_in_its_section_and_subsection(segmentation_probes):
    misses = []
    for gold in segmentation_probes:
        seg = segment(read(SEEDS / gold["doc"]))
        sections, subsections = texts_by_id(seg)
        misses += [(gold["doc"], p, s) for p, s in gold["probes"] if key(p) not in sections.get(s, "")]
        misses += [(gold["doc"], p, s) for p, s in gold.get("subsections", []) if key(p) not in subsections.get(s, "")]
    assert misses == []


def test_seed_with_missing_headings_is_inferred_and_flagged():
    seg = segment(read(seed_path("004")))
    ids = [s.id for s in seg.sections]
    assert ids[-6:] == ["overview", "active_disclosure", "applications", "review_litigation", "problems", "other"]
    assert all(s.inferred for s in seg.sections if s.id != "intro")
    assert _codes(seg).count("heading_inferred") == 6


def test_standard_seed_has_five_aspect_subsections():
    seg = segment(read(seed_path("001")))
    assert [s.id for s in seg.section("overview").subsections] == ["active", "requests", "management", "platform", "supervision"]
    assert "overview_subsection_missing" not in _codes(seg)


def test_renamed_headings_are_recognised_and_flagged_nonstandard():
    seg = segment(read(seed_path("002")))
    assert seg.section("active_disclosure").heading.startswith("二、主动公开商务和科技局")
    assert "nonstandard_heading" in _codes(seg)


def test_table_rows_numbered_like_headings_do_not_start_sections():
    seg = segment(read(seed_path("000")))
    assert [s.id for s in seg.sections] == ["intro", "overview", "active_disclosure", "applications",
                                           "review_litigation", "problems", "other"]
    assert "结转下年度继续办理" in key(seg.section("applications").text)


def test_sections_are_disjoint_and_in_document_order(seed_files):
    for path in seed_files:
        seg = segment(read(path))
        spans = [s.span for s in seg.sections]
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), path.name
        for s in seg.sections:
            assert s.text in seg.text[s.span[0]:s.span[1]]


REPORT_TEXT = """某县水利局2023年政府信息公开工作年度报告
本报告根据《中华人民共和国政府信息公开条例》编制。
—、总体情况
（一）主动公开 全年公开信息56条。
（二）依申请公开 全年收到申请2件，均按期答复。
二、主动公开政府信息情况
第二十条第（一）项
三、收到和处理政府信息公开申请情况
本年新收政府信息公开申请数量 2 0 0 0 0 0 2
四、政府信息公开行政复议、行政诉讼情况
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
五、存在的主要问题
一是信息更新不够及时。
六、改进措施
一是每月检查一次栏目更新情况。
七、其他需要报告的事项
本年度未收取信息处理费。
"""


def test_dash_numbering_inline_subsections_and_two_part_problems():
    seg = segment(REPORT_TEXT)
    ids = [s.id for s in seg.sections]
    assert ids == ["intro", "overview", "active_disclosure", "applications", "review_litigation", "problems", "other"]
    problems = seg.section("problems")
    assert "信息更新不够及时" in problems.text and "每月检查一次栏目更新情况" in problems.text
    assert [s.id for s in seg.section("overview").subsections] == ["active", "requests"]
    assert "multiple_numbering_systems" in _codes(seg)


def test_overview_subtopics_numbered_as_sections_are_flagged():
    text = REPORT_TEXT.replace("（一）主动公开 全年公开信息56条。\n（二）依申请公开 全年收到申请2件，均按期答复。\n",
                               "二、平台建设\n开通微信公众号，发布信息30条。\n三、监督保障\n每季度开展自查。\n")
    seg = segment(text)
    assert "overview_subtopic_as_top_level" in _codes(seg)
    assert "开通微信公众号" in seg.section("overview").text


def test_out_of_order_sections_are_flagged():
    text = REPORT_TEXT.replace("七、其他需要报告的事项\n本年度未收取信息处理费。\n", "")
    text = text.replace("五、存在的主要问题", "五、其他需要报告的事项\n本年度未收取信息处理费。\n六、存在的主要问题")
    assert "section_out_of_order" in _codes(segment(text))


def test_a_missing_section_is_an_error_flag():
    text = REPORT_TEXT.replace("四、政府信息公开行政复议、行政诉讼情况\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", "")
    flags = [f for f in segment(text).flags if f.code == "missing_section"]
    assert [f.severity for f in flags] == ["error"] and "review_litigation" in flags[0].message


def test_chinese_text_that_is_no_report_claims_no_sections():
    seg = segment("今年春天，县里举办了油菜花节，游客络绎不绝。\n农家乐生意兴隆，村民收入明显增加。\n")
    assert seg.sections == () and seg.report_confidence < 0.4
