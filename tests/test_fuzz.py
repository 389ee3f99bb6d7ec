"""Property tests: the text stages never raise on arbitrary Unicode and keep their invariants.

The budget is fixed (examples per property) so the whole file runs in well under 60 s in CI.
"""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gipnlp import analyze
from gipnlp.errors import GipnlpError
from gipnlp.normalize import normalize
from gipnlp.segment import segment
from gipnlp.units import split

FRAGMENTS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
             "（一）主动公开", "（二）依申请公开", "1.", "一是", "第二十条第（一）项", "本列数据的勾稽关系",
             "政府信息公开工作年度报告", "存在问题：", "整改措施", "0 0 0 0 0 0 0", "- 3 -", "領(lǐng)導(dǎo)",
             "⼯作", "１２３", "自 然 人", "\t", "\n", "\n\n", "。", "，", "；", "：", " ", "\u3000", "\x00", "\ud800",
             "\ufeff", "—、", "(一)"]
report_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join)
anything = st.one_of(st.text(max_size=200), report_like)
BUDGET = settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])


@BUDGET
@given(anything)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@BUDGET
@given(anything)
def test_sections_are_disjoint_and_units_lie_inside_their_section(text):
    seg = segment(text)
    spans = [s.span for s in seg.sections]
    assert all(0 <= a <= b <= len(seg.text) for a, b in spans)
    assert all(first[1] <= second[0] for first, second in zip(spans, spans[1:]))
    by_id = {}
    for section in seg.sections:
        by_id.setdefault(section.id, []).append(section.span)
        for sub in section.subsections:
            assert section.span[0] <= sub.span[0] <= sub.span[1] <= section.span[1]
    for unit in split(seg):
        assert seg.text[unit.span[0]:unit.span[1]] == unit.text
        assert any(a <= unit.span[0] and unit.span[1] <= b for a, b in by_id[unit.section])


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(report_like)
def test_analyze_returns_or_raises_a_user_error(tagger, text):
    try:
        analysis = analyze(_as_document(text), tagger=tagger)
    except GipnlpError:
        return
    assert 0 <= analysis.score.total <= 100


def _as_document(text):
    from gipnlp.types import Document

    return Document(source="<fuzz>", kind="txt", text=text)
