"""Acceptance of `gipnlp analyze` on the seeds and on team-written reports (bundled model)."""
import json

import pytest
from conftest import REPORTS, seed_path

from gipnlp import analyze, read
from gipnlp.index import UnitIndex
from gipnlp.render import analysis_dict, analysis_html, analysis_text
from gipnlp.segment import segment


def _codes(analysis):
    return [f.code for f in analysis.flags]


def _flags(analysis, code):
    return [f for f in analysis.flags if f.code == code]


@pytest.mark.parametrize("prefix, expected", [("000", []), ("001", ["platform"]), ("002", []), ("003", []), ("004", [])])
def test_off_topic_subsections_of_the_seeds(prefix, expected, tagger):
    # 001's 平台建设 describes enterprise cultivation; 003's 监督保障 asks the public to take part in
    # oversight (social evaluation belongs to 监督保障), which is on topic.
    analysis = analyze(seed_path(prefix), tagger=tagger)
    off = _flags(analysis, "off_topic_subsection")
    assert [f.evidence[0] for f in off] == expected


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_requests_aspect_reported_missing(prefix, tagger):
    analysis = analyze(seed_path(prefix), tagger=tagger)
    missing = [f.evidence[0] for f in _flags(analysis, "overview_subsection_missing")]
    assert "requests" in missing
    assert all(f.severity == "error" for f in _flags(analysis, "overview_subsection_missing"))


def test_seed_004_headings_inferred_and_problems_and_measures_found(tagger):
    analysis = analyze(seed_path("004"), tagger=tagger)
    assert len(_flags(analysis, "heading_inferred")) == 6
    roles = {u.prediction.role for u in analysis.units if u.unit.section == "problems"}
    assert {"problem", "measure"} <= roles
    assert "problems_missing" not in _codes(analysis) and "measures_missing" not in _codes(analysis)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_tables_balance_in_analysis(prefix, tagger):
    analysis = analyze(seed_path(prefix), tagger=tagger)
    assert not {"table_unbalanced", "table_unparsed"} & set(_codes(analysis))


def test_agency_and_year_come_from_the_title(tagger):
    analysis = analyze(REPORTS / "specific_good.txt", tagger=tagger)
    assert analysis.year == 2023 and analysis.agency and analysis.agency in analysis.segmentation.text[:80]


def test_generic_problems_score_lower_and_the_breakdown_says_why(tagger):
    generic = analyze(REPORTS / "generic_only.txt", tagger=tagger)
    specific = analyze(REPORTS / "specific_good.txt", tagger=tagger)
    assert generic.score.total < specific.score.total
    assert "problems_generic" in _codes(generic) and "problems_generic" not in _codes(specific)
    specificity = next(c for c in generic.score.components if c.name == "problem_specificity")
    assert specificity.points < specificity.weight
    assert [d.flag for d in specificity.deductions] == ["problems_generic"]


def test_every_deducted_point_names_a_raised_flag(tagger):
    analysis = analyze(REPORTS / "generic_only.txt", tagger=tagger)
    raised = set(_codes(analysis))
    lost = 0.0
    for component in analysis.score.components:
        assert component.points == pytest.approx(component.weight - sum(d.points for d in component.deductions))
        for deduction in component.deductions:
            assert deduction.flag in raised
            lost += deduction.points
    assert analysis.score.total == pytest.approx(100 - lost)


def test_missing_requests_aspect_in_team_report(tagger):
    analysis = analyze(REPORTS / "no_requests_aspect.txt", tagger=tagger)
    assert "requests" in [f.evidence[0] for f in _flags(analysis, "overview_subsection_missing")]


def test_changed_table_number_is_unbalanced_in_analysis(tagger, tmp_path):
    text = (REPORTS / "specific_good.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if line.lstrip().startswith("（一）予以公开"))
    cells = lines[row].split()
    cells[1] = str(int(cells[1]) + 1)  # 自然人 granted, one more than the totals allow
    lines[row] = " ".join(cells)
    path = tmp_path / "changed.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    messages = [f.message for f in _flags(analyze(path, tagger=tagger), "table_unbalanced")]
    assert any("column 自然人" in m for m in messages), messages


def _index(paths):
    from gipnlp.analyze import report_agency
    from gipnlp.segment import report_year
    from gipnlp.units import split

    rows = []
    for path in paths:
        seg = segment(read(path))
        rows.append((str(path), report_agency(seg), report_year(seg.text), seg.text, split(seg)))
    return UnitIndex.build(rows)


def test_shared_paragraph_between_agencies_is_template_text(tagger, tmp_path):
    index = _index([REPORTS / "agency_a_2023.txt", REPORTS / "agency_b_2023.txt"])
    index.save(tmp_path / "idx")
    loaded = UnitIndex.load(tmp_path / "idx")
    a = analyze(REPORTS / "agency_a_2023.txt", tagger=tagger, index=loaded)
    template = _flags(a, "template_text")
    assert template and all(f.evidence[0] in a.segmentation.text for f in template)
    alone = analyze(REPORTS / "specific_good.txt", tagger=tagger, index=loaded)
    assert "template_text" not in _codes(alone)


def test_report_repeating_its_previous_year_is_flagged(tagger):
    index = _index([REPORTS / "agency_a_2022.txt"])
    analysis = analyze(REPORTS / "agency_a_2023.txt", tagger=tagger, index=index)
    repeated = _flags(analysis, "repeated_from_previous_year")
    assert repeated and all(f.value > 0.5 for f in repeated)
    other = analyze(REPORTS / "agency_b_2023.txt", tagger=tagger, index=index)
    assert "repeated_from_previous_year" not in _codes(other)


def test_outputs_json_text_and_html(tagger):
    analysis = analyze(REPORTS / "specific_good.txt", tagger=tagger)
    data = json.loads(json.dumps(analysis_dict(analysis), ensure_ascii=False))
    assert {"source", "agency", "year", "sections", "units", "flags", "score"} <= set(data)
    unit = data["units"][0]
    assert {"text", "section", "subsection", "heading", "span", "role", "themes", "generic", "scores"} <= set(unit)
    assert "score:" in analysis_text(analysis)
    page = analysis_html(analysis)
    assert page.startswith("<!DOCTYPE html>") and "http" not in page.split("<body>")[0]
