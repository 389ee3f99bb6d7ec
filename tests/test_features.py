"""The vectorised character n-gram TF-IDF must give exactly sklearn's matrix."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer

from gipnlp.features import CharNgramTfidf, ContextVectorizer, build_features, contexts

TRAIN = [
    "本机关全年主动公开政府信息312条，其中规范性文件8件。",
    "部分栏目信息更新不够及时，个别链接失效。",
    "下一步，我局将进一步加强政策解读，做到文件与解读同步发布。",
    "通过微信公众号“清河发布”发布信息1,024条。",
    "Government  website\tand APP 政务服务 APP。",
    "本年度未收到政府信息公开申请。",
    "部分栏目信息更新不够及时。",
    "进一步加强政策解读。",
]
UNSEEN = [
    "", "   ", "及时", "信息公开工作领导小组调整了成员。", "APP  升级 app\n改版",
    "😀公开😀", "ＦＵＬＬ width 全角", "𠀀𠀁 rare characters outside the BMP 公开",
]


@pytest.mark.parametrize("ngram_range", [(1, 3), (1, 1), (2, 3)])
def test_char_tfidf_equals_sklearn(ngram_range):
    reference = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, min_df=2, sublinear_tf=True,
                                max_features=60000).fit(TRAIN)
    fast = CharNgramTfidf(ngram_range=ngram_range, min_df=2).fit(TRAIN)
    expected = reference.transform(TRAIN + UNSEEN).toarray()
    found = fast.transform(TRAIN + UNSEEN).toarray()
    assert found.shape == expected.shape
    np.testing.assert_allclose(found, expected, atol=1e-12)
    assert np.count_nonzero(expected) > 50  # the comparison is not between empty matrices


def test_char_tfidf_pickles_and_clones():
    fitted = CharNgramTfidf().fit(TRAIN)
    before = fitted.transform(UNSEEN).toarray()  # builds the lookup index, which is not pickled
    restored = pickle.loads(pickle.dumps(fitted))
    assert getattr(restored, "_index", None) is None
    assert restored.vocabulary_ == fitted.vocabulary_  # rebuilt from the keys, not pickled
    np.testing.assert_array_equal(restored.transform(UNSEEN).toarray(), before)
    assert clone(fitted).get_params() == fitted.get_params()


def test_char_tfidf_of_no_documents_is_an_empty_matrix():
    fitted = CharNgramTfidf().fit(TRAIN)
    assert fitted.transform([]).shape == (0, len(fitted.idf_))


def test_char_tfidf_rejects_ngrams_it_cannot_encode():
    with pytest.raises(ValueError, match="ngram_range"):
        CharNgramTfidf(ngram_range=(1, 4)).fit(TRAIN)


def test_transform_before_fit_is_a_clear_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CharNgramTfidf().transform(TRAIN)


def test_feature_union_rows_follow_input_order():
    records = [{"text": t, "section": "problems"} for t in TRAIN]
    features = build_features().fit(records)
    whole = features.transform(records).toarray()
    one_by_one = np.vstack([features.transform([r]).toarray() for r in records])
    np.testing.assert_allclose(whole, one_by_one, atol=1e-12)


def test_context_vectorizer_equals_dict_vectorizer():
    records = [{"text": t, "section": s, "heading": h} for t, s, h in
               zip(TRAIN, ["overview", "problems"] * 4, [None, "（二）改进措施", "存在问题", None] * 2)]
    unseen = contexts([{"text": t, "section": "other"} for t in UNSEEN])
    reference = DictVectorizer().fit(contexts(records))
    fast = ContextVectorizer().fit(contexts(records))
    assert fast.vocabulary_ == reference.vocabulary_
    both = contexts(records) + unseen
    np.testing.assert_array_equal(fast.transform(both).toarray(), reference.transform(both).toarray())


def test_specificity_cues_mark_a_concrete_detail_and_stock_phrasing():
    from gipnlp.features import context

    concrete = context({"text": "年底由办公室对各股室进行考核，并通报考核结果。", "section": "overview"})
    stock = context({"text": "我局高度重视政务公开工作，不断提升公开水平。", "section": "overview"})
    assert concrete.get("cue_concrete", 0) > 0 and "cue_stock" not in concrete
    assert stock.get("cue_stock", 0) > 0 and "cue_concrete" not in stock
