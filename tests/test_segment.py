
import pytest
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


# A plain 2021-format report (invented text) rewritten in the layouts real reports use.
SECTION_HEADINGS = {
    "overview": "总体情况", "active_disclosure": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况", "review_litigation": "政府信息公开行政复议、行政诉讼情况",
    "problems": "存在的主要问题及改进情况", "other": "其他需要报告的事项"}
SECTION_BODIES = {
    "active_disclosure": "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n行政规范性文件 2 0 5",
    "applications": "申请人情况 自然人 商业企业\n本年新收政府信息公开申请数量 3 0",
    "review_litigation": "行政复议 行政诉讼\n0 0 0 0 0 0 0 0 0 0",
    "problems": "一是栏目更新不够及时。下一步，我局将每季度开展一次栏目自查。",
    "other": "本年度未收取信息处理费。"}
ASPECTS = {"active": ("主动公开", "全年通过县政府网站水务专栏发布采砂许可结果12条。"),
           "requests": ("依申请公开", "全年收到申请3件，均按期答复。"),
           "management": ("政府信息管理", "清理规范性文件一次，废止2件。"),
           "platform": ("政府信息公开平台建设", "本局公众号推送信息86条。"),
           "supervision": ("监督保障", "将政务公开纳入股室年度考核。")}
CN = "一二三四五六"


def _layout_report(section_marker, aspect_heading, separator="\n"):
    lines = ["青岭县水务局2023年政府信息公开工作年度报告", "本报告由青岭县水务局根据条例编制。"]
    for number, (section_id, heading) in enumerate(SECTION_HEADINGS.items()):
        lines.append(section_marker(number) + heading)
        if section_id == "overview":
            lines.append("2023年，我局扎实推进政务公开工作。")
            lines += [aspect_heading(number, name) + body for number, (name, body) in enumerate(ASPECTS.values())]
        else:
            lines.append(SECTION_BODIES[section_id])
    return separator.join(lines)


LAYOUTS = {
    "aspect heading on its own line": _layout_report(lambda n: f"{CN[n]}、", lambda n, a: f"（{CN[n]}）{a}\n"),
    "aspect heading inline, then 。": _layout_report(lambda n: f"{CN[n]}、", lambda n, a: f"（{CN[n]}）{a}。"),
    "aspect heading inline, then ：": _layout_report(lambda n: f"{CN[n]}、", lambda n, a: f"（{CN[n]}）{a}情况："),
    "aspect headings without numbers": _layout_report(lambda n: f"{CN[n]}、", lambda n, a: f"{a}情况\n"),
    "sections numbered 1. and aspects （1）": _layout_report(lambda n: f"{n + 1}. ", lambda n, a: f"（{n + 1}）{a}\n"),
    "sections numbered （一） and aspects 1.": _layout_report(lambda n: f"（{CN[n]}）", lambda n, a: f"{n + 1}.{a}\n"),
    "line breaks lost": _layout_report(lambda n: f"{CN[n]}、", lambda n, a: f"（{CN[n]}）{a} ", separator=" "),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_sections_and_aspects_are_found_in_every_layout(layout):
    seg = segment(LAYOUTS[layout])
    assert [s.id for s in seg.sections] == ["intro", *SECTION_HEADINGS]
    assert not any(s.inferred for s in seg.sections), layout
    overview = seg.section("overview")
    assert [s.id for s in overview.subsections] == list(ASPECTS)
    for subsection, (_, body) in zip(overview.subsections, ASPECTS.values()):
        assert key(body) in key(subsection.text)
    assert key(SECTION_BODIES["problems"]) in key(seg.section("problems").text)


def test_numbered_items_that_are_not_sections_do_not_replace_missing_headings():
    # Only （一） items, none of them naming 总体情况: the report keeps its inferred sections.
    text = LAYOUTS["aspect heading on its own line"].replace("一、总体情况\n", "")
    seg = segment(text)
    assert seg.section("overview").inferred
    assert not seg.section("applications").inferred


def test_old_format_headings_with_their_text_after_a_colon():
    text = "\n".join([
        "某市林业局2012年政府信息公开工作年度报告", "本报告依据条例编制。",
        "一、概述：2012年，我局明确办公室负责日常工作。",
        "二、主动公开政府信息情况：全年主动公开信息120条。",
        "三、依申请公开政府信息情况：全年未收到政府信息公开申请。",
        "四、政府信息公开的收费及减免情况：本年度未收取任何费用。",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况：本年度未发生相关行政复议和诉讼。",
        "六、政府信息公开工作存在的主要问题及改进情况：公开内容不够丰富，下一步将公开林权流转信息。",
        "七、其他需要报告的事项：无。"])
    seg = segment(text)
    assert [s.id for s in seg.sections] == ["intro", "overview", "active_disclosure", "applications",
                                            "review_litigation", "problems", "other"]
    assert seg.section("overview").text.startswith("2012年")
    assert "未收取任何费用" in seg.section("applications").text
    assert "林权流转" in seg.section("problems").text
