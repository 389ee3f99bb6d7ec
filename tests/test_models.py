import json
import pickle

import joblib
import numpy as np
import pytest
from conftest import ROOT
from sklearn.base import clone

from gipnlp import corpus, models
from gipnlp.card import read_card
from gipnlp.errors import ModelError
from gipnlp.models import GenericClassifier, RoleClassifier, ThemeClassifier


def _xy(units):
    return [u.record() for u in units], [u.role for u in units], [u.themes for u in units], [u.generic for u in units]


@pytest.fixture(scope="module")
def fitted(small_corpus):
    X, roles, themes, generic = _xy(small_corpus)
    return (RoleClassifier().fit(X, roles), ThemeClassifier(cv=2).fit(X, themes),
            GenericClassifier().fit(X, generic), X)


def test_estimators_follow_the_sklearn_contract(fitted):
    role, theme, generic, X = fitted
    assert set(role.predict(X[:5])) <= set(models.ROLES)
    assert np.allclose(role.predict_proba(X[:5]).sum(axis=1), 1.0)
    assert theme.predict(X[:5]).shape == (5, len(models.THEMES))
    assert theme.thresholds_.shape == (len(models.THEMES),)
    assert generic.predict(X[:5]).dtype == bool
    for estimator in (role, theme, generic):
        copy = clone(estimator)
        assert copy.get_params() == estimator.get_params()
        assert not hasattr(copy, "classifier_") and not hasattr(copy, "estimators_")


def test_estimators_round_trip_through_joblib(fitted, tmp_path):
    role, theme, _, X = fitted
    joblib.dump(theme, tmp_path / "t.joblib")
    again = joblib.load(tmp_path / "t.joblib")
    assert np.array_equal(again.predict(X[:20]), theme.predict(X[:20]))
    assert np.allclose(pickle.loads(pickle.dumps(role)).predict_proba(X[:3]), role.predict_proba(X[:3]))


def test_bad_input_gets_a_clear_message():
    with pytest.raises(ValueError, match="unknown role"):
        RoleClassifier().fit(["a", "b"], ["problem", "issue"])
    with pytest.raises(ValueError, match="unknown theme 'speed'"):
        ThemeClassifier().fit(["a"], [["speed"]])
    with pytest.raises(ValueError, match="X is empty"):
        RoleClassifier().fit([], [])
    with pytest.raises(ValueError, match="cv_repeats must be an integer >= 1, got 0"):
        ThemeClassifier(cv_repeats=0).fit(["a", "b"], [["timeliness"], []])


def test_theme_thresholds_are_reproducible_and_on_the_grid(small_corpus):
    X, _, themes, _ = _xy(small_corpus)
    first = ThemeClassifier(cv=2, cv_repeats=2, random_state=5).fit(X, themes).thresholds_
    again = ThemeClassifier(cv=2, cv_repeats=2, random_state=5).fit(X, themes).thresholds_
    assert np.array_equal(first, again)
    assert np.all((first >= 0.15 - 1e-9) & (first <= 0.85 + 1e-9))


def test_same_seed_same_model(small_corpus):
    X, roles, _, _ = _xy(small_corpus)
    a = RoleClassifier(random_state=3).fit(X, roles).predict_proba(X[:30])
    b = RoleClassifier(random_state=3).fit(X, roles).predict_proba(X[:30])
    assert np.array_equal(a, b)


@pytest.fixture()
def saved(fitted, tmp_path):
    role, theme, generic, _ = fitted
    return models.save(models.Tagger(role, theme, generic), tmp_path / "model", {"corpus_sha256": "x"})


def test_saved_model_loads_and_predicts(saved):
    tagger = models.load(saved)
    [prediction] = tagger.predict([{"text": "部分栏目信息更新不及时。", "section": "problems"}])
    assert prediction.role in models.ROLES and set(prediction.theme_scores) == set(models.THEMES)
    card = json.loads((saved / "card.json").read_text())
    assert card["taxonomy_version"] == models.TAXONOMY_VERSION and "scikit-learn" in card["libraries"]


def test_tampered_model_is_refused_before_unpickling(saved, monkeypatch):
    path = saved / "tagger.joblib"
    path.write_bytes(path.read_bytes() + b"tampered")
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("joblib.load was called"))
    with pytest.raises(ModelError, match="tagger.joblib.*does not match the SHA-256"):
        models.load(saved)


def test_truncated_model_file_is_refused(saved):
    path = saved / "tagger.joblib"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelError, match="tagger.joblib"):
        models.load(saved)


def test_missing_card_and_unknown_taxonomy_are_refused(saved):
    card_path = saved / "card.json"
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "taxonomy_version": "0.1"}))
    with pytest.raises(ModelError, match="taxonomy"):
        models.load(saved)
    card_path.unlink()
    with pytest.raises(ModelError, match="card.json is missing"):
        models.load(saved)


def test_a_failed_save_leaves_the_previous_model_in_place(saved, fitted, monkeypatch):
    before = (saved / "card.json").read_bytes()

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", broken_dump)
    role, theme, generic, _ = fitted
    with pytest.raises(OSError):
        models.save(models.Tagger(role, theme, generic), saved, {"corpus_sha256": "y"})
    assert (saved / "card.json").read_bytes() == before
    assert [p.name for p in saved.parent.iterdir() if p.name.startswith(".")] == []


def test_committed_default_model_is_not_stale():
    card = read_card(models.DEFAULT_MODEL_DIR)
    assert card["corpus_sha256"] == corpus.corpus_hash([ROOT / "corpora"]), \
        "models/default was trained on another corpus: retrain with the command in README.md"
    models.verify(models.DEFAULT_MODEL_DIR)


def test_lead_in_takes_the_labels_of_its_explanation(tagger):
    heading = {"section": "problems", "heading": "（一）存在问题"}
    lead = {"text": "二是严审公开内容。", **heading}
    explanation = {"text": "2023年发布的126条信息中有9条出现错别字，3条附件链接失效。", **heading}
    alone = tagger.predict([lead])[0]
    paired, explained = tagger.predict([lead, explanation])
    assert paired.generic_score == explained.generic_score
    assert set(explained.themes) <= set(paired.themes)
    assert alone.generic_score != paired.generic_score or alone.generic == explained.generic


def test_long_units_are_scored_clause_by_clause(tagger):
    from gipnlp.features import clauses

    text = "我局成立了由局长任组长的公开工作领导小组，在门户网站开设政策解读专栏，每季度组织一次业务培训。"
    assert len(clauses(text)) == 3
    pooled = tagger.themes.predict_proba([{"text": text}])[0]
    unit_only = tagger.themes.predict_proba_matrix(tagger.themes.features_.transform([{"text": text}]))[0]
    parts = tagger.themes.predict_proba([{"text": part} for part in clauses(text)]).max(axis=0)
    assert (pooled >= unit_only - 1e-9).all() and (pooled >= parts - 1e-9).all()
    assert any(abs(p - max(u, q)) < 1e-9 for p, u, q in zip(pooled, unit_only, parts))
