import json

import pytest
from conftest import ROOT

from gipnlp import corpus
from gipnlp.errors import CorpusError

GOOD = {"id": "u1", "text": "部分栏目信息更新不及时。", "section": "problems", "heading": "（一）存在问题",
        "role": "problem", "themes": ["timeliness"], "generic": True}


def _write(tmp_path, rows, name="c.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def test_valid_corpus_loads(tmp_path):
    units = corpus.load([_write(tmp_path, [GOOD, {**GOOD, "id": "u2", "text": "每月检查一次栏目。", "role": "measure"}])])
    assert [u.id for u in units] == ["u1", "u2"] and units[0].themes == ("timeliness",)


def test_every_bad_line_is_reported_with_file_line_and_field(tmp_path):
    path = _write(tmp_path, [
        GOOD,
        {**GOOD, "id": "u2", "themes": ["speed"]},
        {**GOOD, "id": "u3", "role": "complaint"},
        {**GOOD, "id": "u4", "text": "  "},
        {**GOOD, "id": "u1", "text": "另一条文本。"},
        "{not json",
        {**GOOD, "id": "u6", "generic": "yes"},
    ])
    with pytest.raises(CorpusError) as caught:
        corpus.load([path])
    problems = "\n".join(caught.value.problems)
    assert f"{path}:2: field 'themes': unknown theme 'speed'" in problems
    assert f"{path}:3: field 'role': bad role 'complaint'" in problems
    assert f"{path}:4: field 'text': missing or empty" in problems
    assert f"{path}:5: field 'id': duplicate id 'u1'" in problems
    assert f"{path}:6: invalid JSON" in problems
    assert f"{path}:7: field 'generic'" in problems
    assert len(caught.value.problems) == 6


def test_same_text_with_conflicting_labels_is_refused(tmp_path):
    path = _write(tmp_path, [GOOD, {**GOOD, "id": "u2", "role": "measure"}])
    with pytest.raises(CorpusError, match="conflicting labels"):
        corpus.load([path])


def test_csv_corpus(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,text,section,heading,role,themes,generic\n"
                    "a,部分栏目信息更新不及时。,problems,,problem,timeliness;coverage,true\n", encoding="utf-8")
    [unit] = corpus.load([path])
    assert unit.themes == ("coverage", "timeliness") and unit.generic is True and unit.heading is None


def test_bundled_corpus_meets_the_coverage_targets():
    stats = corpus.statistics(corpus.load([ROOT / "corpora"]))
    assert stats["units"] >= 3000
    assert stats["generic"] >= 500
    assert stats["overview_statements_with_themes"] >= 600
    for theme, counts in stats["themes"].items():
        assert counts["total"] >= 150 and counts["problem"] >= 50 and counts["measure"] >= 50, theme


def test_stratified_split_keeps_every_theme_on_both_sides():
    units = corpus.deduplicate(corpus.load([ROOT / "corpora"]))
    train, test = corpus.train_test_split(units, test_size=0.2, random_state=0)
    assert len(train) + len(test) == len(units)
    assert not {u.id for u in train} & {u.id for u in test}
    for theme in corpus.THEMES:
        share = sum(theme in u.themes for u in test) / max(1, sum(theme in u.themes for u in units))
        assert 0.1 < share < 0.3, theme


def test_corpus_hash_changes_with_content(tmp_path):
    path = _write(tmp_path, [GOOD])
    before = corpus.corpus_hash([tmp_path])
    path.write_text(path.read_text(encoding="utf-8") + json.dumps({**GOOD, "id": "u9", "text": "新增。"}) + "\n",
                    encoding="utf-8")
    assert corpus.corpus_hash([tmp_path]) != before
