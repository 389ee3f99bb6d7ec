import pytest

from gipnlp.normalize import normalize


def test_kangxi_radicals_and_fullwidth_forms_become_standard():
    assert normalize("⼯作⼈员１２名") == "工作人员12名"


def test_chinese_punctuation_stays_fullwidth():
    assert normalize("一是加强学习，提高能力；二是规范流程。") == "一是加强学习，提高能力；二是规范流程。"


def test_traditional_becomes_simplified():
    assert normalize("政府資訊公開工作領導小組") == "政府资讯公开工作领导小组"


def test_pinyin_glosses_from_converter_sites_are_removed():
    assert normalize("領(lǐng)導(dǎo)重視") == "领导重视"


def test_hard_wraps_are_joined_but_headings_and_paragraphs_kept():
    raw = "一、总体情况\n我局认真落实条例要求，不断规范\n公开内容，完善公开形式。\n（一）主动公开\n全年公开信息120条。"
    assert normalize(raw).split("\n") == [
        "一、总体情况", "我局认真落实条例要求，不断规范公开内容，完善公开形式。", "（一）主动公开", "全年公开信息120条。"]


def test_blank_lines_inside_a_sentence_are_joined():
    assert normalize("三是\n\n广泛开展宣传活动。") == "三是广泛开展宣传活动。"


@pytest.mark.parametrize("furniture", ["- 3 -", "第 3 页", "第3页 共8页", "Page 8 - 某局年度报告", "3/8"])
def test_page_furniture_is_dropped(furniture):
    assert normalize(f"全年公开信息120条，\n{furniture}\n其中政策文件10条。") == "全年公开信息120条，其中政策文件10条。"


def test_spaced_out_characters_are_collapsed():
    assert normalize("自 然 人\t法 律 服 务 机 构\t0") == "自然人\t法律服务机构\t0"


def test_numbers_spaced_inside_prose_are_closed_up():
    assert normalize("明确了 5 名工作人员，负责信息发布。") == "明确了5名工作人员，负责信息发布。"


def test_inline_heading_is_split_from_its_body():
    assert normalize("（一）组织领导 我局高度重视政务公开工作，明确专人负责。").split("\n") == [
        "（一）组织领导", "我局高度重视政务公开工作，明确专人负责。"]


def test_table_rows_are_not_joined():
    assert normalize("规章\t0\t0\t0\n行政规范性文件\t1\t0\t3").split("\n") == ["规章\t0\t0\t0", "行政规范性文件\t1\t0\t3"]


def test_control_characters_and_lone_surrogates_are_dropped():
    assert normalize("公开\x00信息\ud800条\u200b目") == "公开信息条目"


def test_normalisation_is_idempotent_on_the_seeds(seed_files):
    for path in seed_files:
        once = normalize(path.read_text(encoding="utf-8"))
        assert normalize(once) == once, path.name
